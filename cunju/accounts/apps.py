from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users, roles, scopes and the login policy."""

    name = "cunju.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
