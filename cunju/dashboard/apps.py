from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The home page: figures for the user's part of the tree."""

    name = "cunju.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")
