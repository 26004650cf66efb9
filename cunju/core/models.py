"""Shared models: the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scoping import ScopedQuerySet


class AuditEventQuerySet(ScopedQuerySet):
    def update(self, **kwargs):  # noqa: D102
        raise PermissionError("audit events are append-only")

    def delete(self):  # noqa: D102
        raise PermissionError("audit events are append-only; use the retention task")


AuditEventManager = models.Manager.from_queryset(AuditEventQuerySet)


class AuditEvent(models.Model):
    """审计日志: one record per action, login and reveal; append-only.

    ``scope_path`` is the organization path of the actor's scope when it happened, so a town
    admin reviews what people under their town did. It is not rewritten when organizations
    move (documents and members are): the log stays with the authority that was responsible
    then, and an append-only record is never changed.
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Succeeded")
        FAILURE = "failure", _("Failed")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    message = models.TextField(_("message"), blank=True)
    scope_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)

    objects = AuditEventManager()
    scope_tree = "organization"
    scope_lookup = "scope_path"

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        permissions = [
            ("reveal_personal_data", _("Can reveal full ID and phone numbers")),
            ("view_audit_log", _("Can view the audit log")),
        ]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")

    @property
    def action_label(self):
        from .actions import action_label

        return action_label(self.action)


from .rules import Rule  # noqa: E402,F401  (the rules table lives with the shared kernel)
