from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    """Party organizations: 党委 → 党总支 / 党支部 → 党小组."""

    name = "cunju.organizations"
    label = "organizations"
    verbose_name = _("Party organizations")

    def ready(self) -> None:
        from . import tallies

        tallies.connect()
