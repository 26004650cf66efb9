from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    """Notices (消息): what the platform tells a user, such as a moderation outcome."""

    name = "cunju.notices"
    label = "notices"
    verbose_name = _("Notices")
