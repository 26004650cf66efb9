"""Account actions: sign-in with lockout, passwords, creating and changing users."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, describe, diff, record_event, require, snapshot
from cunju.core.scoping import ensure_in_scope

from .models import User
from .roles import ASSIGNABLE_ROLES, Role


class LoginRefused(Exception):
    """A sign-in that did not succeed; the message is safe to show."""


def log_in(request: Any, username: str, password: str) -> User:
    """Check a password under the lockout policy; audited either way.

    After ``CUNJU_LOGIN_MAX_FAILURES`` failures in a row the account is locked for
    ``CUNJU_LOGIN_LOCKOUT_SECONDS``; during the lock even the right password is refused.
    Unknown user names get the same answer as wrong passwords.
    """
    now = timezone.now()
    generic = _("Wrong user name or password.")
    user = User.objects.filter(username=username).first()
    if user is not None and user.is_locked(now):
        record_event(user, "accounts.login", target=user, success=False, message="account locked")
        raise LoginRefused(locked_message(user))
    authenticated = authenticate(request, username=username, password=password)
    if authenticated is None:
        if user is None:
            record_event(
                None, "accounts.login", success=False, message="unknown user", username=username
            )
            raise LoginRefused(generic)
        locked = register_failure(user, now)
        record_event(
            user,
            "accounts.login",
            target=user,
            success=False,
            message="account locked" if locked else "wrong password",
        )
        if locked:
            raise LoginRefused(locked_message(user))
        # No "attempts left" here: it would tell a stranger which user names exist.
        raise LoginRefused(generic)
    if authenticated.failed_logins or authenticated.locked_until:
        User.objects.filter(pk=authenticated.pk).update(failed_logins=0, locked_until=None)
        authenticated.failed_logins, authenticated.locked_until = 0, None
    return authenticated


def register_failure(user: User, now) -> bool:
    """Count one failure atomically; lock the account when the limit is reached."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins", "locked_until"])
        if user.failed_logins >= settings.CUNJU_LOGIN_MAX_FAILURES:
            user.locked_until = now + timedelta(seconds=settings.CUNJU_LOGIN_LOCKOUT_SECONDS)
            user.failed_logins = 0
            User.objects.filter(pk=user.pk).update(locked_until=user.locked_until, failed_logins=0)
            return True
    return False


def locked_message(user: User) -> str:
    until = timezone.localtime(user.locked_until)
    return _("Too many failed logins: the account is locked until %(time)s.") % {
        "time": date_format(until, "H:i")
    }


@action("accounts.change_password", gettext_lazy("Change password"))
def change_password(actor: User, *, old_password: str, new_password: str) -> User:
    """A user changes their own password (the old one must be right)."""
    if not actor.check_password(old_password):
        raise ValidationError(_("The current password is wrong."), code="wrong_password")
    password_validation.validate_password(new_password, actor)
    actor.set_password(new_password)
    actor.password_changed_at = timezone.now()
    actor.save(update_fields=["password", "password_changed_at"])
    describe(actor, {"password": "***"})
    return actor


USER_FIELDS = ["username", "full_name", "role", "scope", "is_active", "id_number", "phone"]


def _check_assignment(actor: User, role: str, scope: Any) -> None:
    if role not in ASSIGNABLE_ROLES.get(actor.role, set()) and not actor.is_superuser:
        raise PermissionDenied(
            _("You may not give the role %(role)s.") % {"role": Role(role).label}
        )
    if role != Role.SYSTEM_ADMIN and scope is None:
        raise ValidationError({"scope": _("Every role except system administrator needs a scope.")})
    if scope is not None:
        ensure_in_scope(actor, scope)
        scope.check_current("scope")


@action("accounts.create_user", gettext_lazy("Add a user"))
def create_user(
    actor: User,
    *,
    username: str,
    full_name: str,
    role: str,
    scope: Any,
    password: str,
    id_number: str = "",
    phone: str = "",
) -> User:
    """Create an account inside the actor's scope, with a role the actor may give."""
    require(actor, "accounts.add_user")
    _check_assignment(actor, role, scope)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This user name is taken.")})
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        scope=scope,
        id_number=id_number,
        phone=phone,
    )
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.full_clean(exclude=["password"])
    user.save()
    describe(
        user,
        {f: "***" if f in {"id_number", "phone"} else str(getattr(user, f)) for f in USER_FIELDS},
    )
    return user


@action("accounts.update_user", gettext_lazy("Edit a user"))
def update_user(actor: User, user: User, **changes: Any) -> User:
    """Change another account (role, scope, contact details, active)."""
    require(actor, "accounts.change_user")
    ensure_in_scope(actor, user)
    describe(user)  # a refused change is still audited against the account
    before = snapshot(user, USER_FIELDS)
    for name, value in changes.items():
        if name not in USER_FIELDS:
            raise ValueError(f"cannot change {name}")
        setattr(user, name, value)
    _check_assignment(actor, user.role, user.scope)
    user.full_clean(exclude=["password"])
    user.save()
    describe(user, diff(before, user))
    return user


@action("accounts.unlock_user", gettext_lazy("Unlock an account"))
def unlock_user(actor: User, user: User) -> User:
    """Lift a login lock before it runs out."""
    require(actor, "accounts.change_user")
    ensure_in_scope(actor, user)
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    user.refresh_from_db()
    return user
