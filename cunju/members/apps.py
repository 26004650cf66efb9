from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    """Party members: the register, each member's history and extended records."""

    name = "cunju.members"
    label = "members"
    verbose_name = _("Party members")
