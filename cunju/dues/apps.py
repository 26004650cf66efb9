from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    """Party dues (党费): monthly amounts by the rules, exemptions, payments, ledgers, arrears."""

    name = "cunju.dues"
    label = "dues"
    verbose_name = _("Party dues")
