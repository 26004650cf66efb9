"""`cunju prune_audit`: delete audit events past the retention period (>= 184 days)."""

from django.core.management.base import BaseCommand, CommandError

from cunju.core.tasks import MIN_RETENTION_DAYS, prune_audit_log


class Command(BaseCommand):
    help = "Delete audit events older than the retention period (never fewer than 184 days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, **options):
        days = options["days"]
        if days is not None and days < MIN_RETENTION_DAYS:
            raise CommandError(f"audit events are kept at least {MIN_RETENTION_DAYS} days")
        deleted = prune_audit_log.call(days)
        self.stdout.write(f"deleted {deleted} audit events")
