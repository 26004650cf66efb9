from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    """Points (积分): an append-only ledger per user; the balance is derived, never negative."""

    name = "cunju.points"
    label = "points"
    verbose_name = _("Points")
