"""`cunju load_divisions --province 32`: the province's places from the national codes."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cunju.core.system import SYSTEM
from cunju.places import divisions
from cunju.places.actions import load_divisions


class Command(BaseCommand):
    help = (
        "Create a province's cities, counties and towns as places, with their GB/T 2260 "
        "codes. Safe to run again: places already there are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", required=True, help="province code, e.g. 32 or 320000")
        parser.add_argument(
            "--within", default="", help="only this city or county, e.g. 320506 (吴中区)"
        )
        parser.add_argument(
            "--no-towns", action="store_true", help="stop at counties (no towns or streets)"
        )

    def handle(self, *args, **options):
        try:
            counts = load_divisions(
                SYSTEM,
                province=options["province"],
                within=options["within"],
                towns=not options["no_towns"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"division codes of {divisions.data_version()}: {counts['created']} places created, "
            f"{counts['coded']} given their code, {counts['unchanged']} already there"
        )
