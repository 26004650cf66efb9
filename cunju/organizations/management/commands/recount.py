"""`cunju recount`: count every organization's members afresh into its tally.

The tallies are kept exact as members change; this rebuilds them after writes that skipped
the model (fixtures, hand-made SQL) and, with ``--check``, only says whether any differs
from a fresh count (exit status 1 if one does). The checkpoints that numbers as of a past
date start from are retaken and checked alike, and so are today's tallies against the open
membership periods those numbers count back from, and the organizations' history for two
organizations that held one place in the tree on the same dates.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cunju.organizations import checkpoints, history, tallies


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
            past = checkpoints.verify()
            for mismatch in past[:20]:
                self.stderr.write(
                    f"{mismatch.on or 'open periods'} under {mismatch.org_path}: "
                    f"kept {mismatch.kept}, counted {mismatch.counted}"
                )
            if past:
                raise CommandError(
                    f"{len(past)} numbers kept for dates past differ from the periods"
                )
            self.stdout.write("the checkpoints and the open periods match too")
            shared = history.shared_paths()
            for one, other in shared[:20]:
                self.stderr.write(
                    f"{one.path}: {one.organization.name} {_dates(one)} "
                    f"and {other.organization.name} {_dates(other)}"
                )
            if shared:
                raise CommandError(
                    f"{len(shared)} pairs of organizations held one place in the tree at once"
                )
            self.stdout.write("no two organizations held one place in the tree at once")
            return
        held = tallies.rebuild()
        self.stdout.write(f"recounted: {held} organizations hold members")
        taken = checkpoints.rebuild()
        self.stdout.write(f"checkpoints taken: {taken}")


def _dates(version) -> str:
    return f"[{version.valid_from or '…'}, {version.valid_to or '…'})"
