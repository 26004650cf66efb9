"""`cunju worker`: runs background tasks from the database queue."""

import logging

from django.core.management import call_command
from django.core.management.base import BaseCommand

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run background tasks (Django's Tasks API, database backend)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="exit once the queue is empty")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, **options):
        from cunju.library.tasks import recover_at_start

        # Library files a dead worker left half-converted go back in the queue first.
        try:
            recover_at_start()
        except Exception:  # never keep the worker from starting
            log.exception("recovering stalled library files failed")
        extra = ["--batch"] if options["batch"] else []
        call_command("db_worker", "--interval", str(options["interval"]), *extra)
