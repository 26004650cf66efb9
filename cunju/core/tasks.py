"""Background tasks of the shared kernel."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .models import AuditEvent

MIN_RETENTION_DAYS = 184


@task()
def prune_audit_log(days: int | None = None) -> int:
    """Delete audit events older than the retention period (never under 184 days)."""
    days = max(MIN_RETENTION_DAYS, days or settings.CUNJU_AUDIT_RETENTION_DAYS)
    cutoff = timezone.now() - timedelta(days=days)
    old = AuditEvent.objects.filter(at__lt=cutoff)
    # The manager refuses deletes so nobody prunes by accident; this is the one way.
    return old._raw_delete(old.db)
