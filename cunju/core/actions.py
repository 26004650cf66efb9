"""The actions layer: every change to domain data is a function decorated with ``@action``.

An action runs in one transaction, is refused unless the actor may do it, writes one audit
event as a side effect (also when it fails, after the rollback), and schedules follow-up
tasks only once the transaction has committed. Pages, the API, the CLI and the Excel import
call the same actions (Zulip's ``do_*`` and Wagtail's action classes).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .requestcontext import current_request

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger(__name__)

# Field names whose values never reach the audit log, only the fact they changed.
SECRET_FIELDS = {"password", "id_number", "phone"}


@dataclass
class ActionRecord:
    name: str
    actor: Any
    target: models.Model | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    # The target as it read when named: a failed change may leave the object half-edited.
    target_repr: str = ""
    # How many actions deep we are: inner actions join the outer event without rewriting it.
    depth: int = 0
    inner_actions: dict[str, int] = field(default_factory=dict)


_current: ContextVar[ActionRecord | None] = ContextVar("cunju_action", default=None)


def current_action() -> ActionRecord:
    record = _current.get()
    if record is None:
        raise RuntimeError("not inside an action")
    return record


def describe(
    target: models.Model | None = None, changes: dict | None = None, message: str = ""
) -> None:
    """Tell the running action what it acted on and what changed, for its audit event."""
    record = current_action()
    if record.depth:
        return
    if target is not None:
        record.target = target
        record.target_repr = str(target)[:200]
    if changes:
        record.changes.update(changes)
    if message:
        record.message = message


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def diff(before: dict[str, Any], instance: models.Model) -> dict[str, Any]:
    """``{field: [old, new]}`` for the fields that changed; secrets show only as changed."""
    changed = {}
    for name, old in before.items():
        new = getattr(instance, name)
        if str(old) != str(new):
            changed[name] = "***" if name in SECRET_FIELDS else [_jsonable(old), _jsonable(new)]
    return changed


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def require(actor: Any, permission: str) -> None:
    """Refuse the action unless the actor holds ``permission`` (a role grants it)."""
    if not actor.has_perm(permission):
        raise PermissionDenied(_("You do not have permission to do this."))


# Human names of audited actions and events, for the audit log (``name`` → label).
ACTION_LABELS: dict[str, Any] = {}


def label_event(name: str, label: Any) -> None:
    """Give an audited event that is not an action (a login, a reveal) its display name."""
    ACTION_LABELS[name] = label


def action_label(name: str) -> Any:
    if name in ACTION_LABELS:
        return ACTION_LABELS[name]
    if name.endswith(".export"):
        from django.apps import apps

        try:
            model = apps.get_model(name.rsplit(".", 1)[0])
        except (LookupError, ValueError):
            return name
        return _("Export %(what)s") % {"what": model._meta.verbose_name_plural}
    return name


def action(name: str, label: Any = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Make a function an audited, transactional action; its first argument is the actor."""
    if label is not None:
        ACTION_LABELS[name] = label

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            actor = args[0] if args else kwargs.get("actor")
            outer = _current.get()
            if outer is not None:
                # Nested actions belong to the outer one's transaction and audit event,
                # which counts them (an import of 500 rows is one event, "500 × create").
                outer.depth += 1
                try:
                    return func(*args, **kwargs)
                finally:
                    outer.depth -= 1
                    outer.inner_actions[name] = outer.inner_actions.get(name, 0) + 1
            record = ActionRecord(name=name, actor=actor)
            token = _current.set(record)
            try:
                with transaction.atomic():
                    result = func(*args, **kwargs)
                    if record.target is None and isinstance(result, models.Model):
                        record.target = result
                    write_event(record, success=True)
                    # What runs on commit (a task under the immediate backend) is not part of
                    # this action: the actions it calls open transactions of their own.
                    _current.reset(token)
                    token = None
                return result
            except (PermissionDenied, Http404, ValidationError, ValueError) as exc:
                write_event(record, success=False, error=exc)
                raise
            except Exception as exc:
                log.exception("action %s failed", name)
                write_event(record, success=False, error=exc)
                raise
            finally:
                if token is not None:
                    _current.reset(token)

        run.action_name = name  # type: ignore[attr-defined]
        return run

    return decorate


def error_text(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(str(m) for m in exc.messages)
    if isinstance(exc, Http404):
        return "not found or out of scope"
    return str(exc) or exc.__class__.__name__


def write_event(record: ActionRecord, *, success: bool, error: BaseException | None = None) -> None:
    """Append the audit event of an action (on failure, in its own transaction)."""
    from .models import AuditEvent

    target = record.target
    actor = record.actor
    info = current_request.get()
    authenticated = getattr(actor, "is_authenticated", False)
    scope = getattr(actor, "scope", None) if authenticated else None
    if target is None:
        shown = ""
    elif success or not record.target_repr:
        shown = str(target)[:200]
    else:
        shown = record.target_repr  # as it read before the refused change touched it
    changes = dict(record.changes)
    if record.inner_actions:
        changes["actions"] = record.inner_actions
    event = AuditEvent(
        user=actor if authenticated and actor.pk else None,
        username=getattr(actor, "username", "") or "",
        ip=info.ip,
        action=record.name,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None and target.pk is not None else "",
        object_repr=shown,
        changes=changes,
        outcome=AuditEvent.Outcome.SUCCESS if success else AuditEvent.Outcome.FAILURE,
        message=record.message if success else error_text(error)[:2000],
        scope_path=scope.path if scope is not None else "",
    )
    if success:
        event.save()
    else:
        with transaction.atomic():
            event.save()


def record_event(
    actor: Any,
    name: str,
    *,
    target: models.Model | None = None,
    success: bool = True,
    message: str = "",
    changes: dict | None = None,
    username: str = "",
) -> None:
    """Audit something that is not a data change (a login, a reveal, an export)."""
    record = ActionRecord(
        name=name, actor=actor, target=target, changes=changes or {}, message=message
    )
    if username and not getattr(actor, "username", ""):
        record.actor = _Anonymous(username)
    write_event(record, success=success, error=None if success else ValueError(message))


@dataclass
class _Anonymous:
    username: str
    is_authenticated: bool = False
    pk: None = None


label_event("accounts.login", gettext_lazy("Sign in"))
label_event("accounts.logout", gettext_lazy("Sign out"))
label_event("core.reveal_personal_data", gettext_lazy("Show a full ID or phone number"))


def after_commit(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run follow-up work (usually ``task.enqueue``) only once the data is committed."""
    transaction.on_commit(functools.partial(func, *args, **kwargs))


def enqueue_after_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    after_commit(task.enqueue, *args, **kwargs)
