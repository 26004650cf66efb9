from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobilityConfig(AppConfig):
    """Mobile members (流动党员) and transfers of the organizational relation (组织关系转接)."""

    name = "cunju.mobility"
    label = "mobility"
    verbose_name = _("Mobile members and transfers")
