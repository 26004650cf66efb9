"""`cunju recount`: count every organization's members afresh into its tally.

The tallies are kept exact as members change; this rebuilds them after writes that skipped
the model (fixtures, hand-made SQL) and, with ``--check``, only says whether any differs
from a fresh count (exit status 1 if one does).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cunju.organizations import tallies


class Command(BaseCommand):
    help = "Recount the member tally of every Party organization (--check: only compare)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check", action="store_true", help="compare with a fresh count, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            wrong = tallies.verify()
            for mismatch in wrong[:20]:
                self.stderr.write(
                    f"organization {mismatch.organization_id}: "
                    f"tally {mismatch.tally}, counted {mismatch.counted}"
                )
            if wrong:
                raise CommandError(f"{len(wrong)} tallies differ from a fresh count")
            self.stdout.write("every tally matches a fresh count")
            return
        held = tallies.rebuild()
        self.stdout.write(f"recounted: {held} organizations hold members")
