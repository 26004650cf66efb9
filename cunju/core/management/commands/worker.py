"""`cunju worker`: runs background tasks from the database queue."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run background tasks (Django's Tasks API, database backend)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="exit once the queue is empty")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, **options):
        extra = ["--batch"] if options["batch"] else []
        call_command("db_worker", "--interval", str(options["interval"]), *extra)
