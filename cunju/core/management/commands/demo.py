"""`cunju demo`: load the demo data (deterministic) into an empty database."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cunju.core.demo import database_is_empty, load_demo, reset_demo


class Command(BaseCommand):
    help = "Load demo data: one town, three merged communities, branches, demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="delete all data first")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when data exists")

    def handle(self, *args, **options):
        if options["reset"]:
            reset_demo()
        elif not database_is_empty():
            if options["if_empty"]:
                self.stdout.write("demo data: the database already has data; leaving it as it is")
                return
            raise CommandError("the database is not empty; use --reset to start over")
        with transaction.atomic():
            summary = load_demo()
        for line in summary:
            self.stdout.write(f"demo data: {line}")
