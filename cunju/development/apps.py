from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevelopmentConfig(AppConfig):
    """Developing new members (发展党员): applicant → activist → candidate → probationary → full."""

    name = "cunju.development"
    label = "development"
    verbose_name = _("Party member development")
