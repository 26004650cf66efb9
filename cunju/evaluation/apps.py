from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    """Democratic evaluation of members (民主评议党员): the annual round, votes and grades."""

    name = "cunju.evaluation"
    label = "evaluation"
    verbose_name = _("Democratic evaluation")
