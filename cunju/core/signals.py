"""Audit of logins and logouts (failed logins are audited by the login action itself)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from .actions import record_event


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    record_event(user, "accounts.login", target=user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record_event(user, "accounts.logout", target=user)
