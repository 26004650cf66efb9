"""`cunju import members|organizations FILE.xlsx`: the Excel import from the command line.

Every row is checked first; if any row is wrong nothing is imported, every problem is listed
(row, column, reason) and the command exits non-zero. ``--template`` writes the blank
template instead. Messages and the template are in Chinese unless ``--language en``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from cunju.core.system import SYSTEM

REGISTERS = {
    "members": ("cunju.members.imports.MemberImport", "members.import_member"),
    "organizations": (
        "cunju.organizations.imports.OrganizationImport",
        "organizations.import_organization",
    ),
}


class Command(BaseCommand):
    help = (
        "Import Party members or organizations from an Excel file: all rows or none. "
        "Use --template FILE.xlsx to write the blank template."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("register", choices=sorted(REGISTERS), help="what the file holds")
        parser.add_argument("file", nargs="?", help="the .xlsx file to import")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row, import nothing"
        )
        parser.add_argument(
            "--as",
            dest="username",
            default="",
            help="act as this user (their permissions and scope apply); default: the system",
        )
        parser.add_argument("--template", metavar="FILE", help="write the blank template here")
        parser.add_argument(
            "--language", default="zh-hans", help="language of messages and headers (zh-hans, en)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self.run(options)

    def run(self, options: dict[str, Any]) -> None:
        from django.utils.module_loading import import_string

        spec_path, permission = REGISTERS[options["register"]]
        spec_class = import_string(spec_path)
        actor = self.actor(options["username"], permission)
        spec = spec_class(actor)
        if options["template"]:
            Path(options["template"]).write_bytes(spec.template())
            self.stdout.write(f"{options['template']}")
            return
        if not options["file"]:
            raise CommandError("name the file to import, or use --template FILE")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        report = spec.run(path.read_bytes(), dry_run=options["dry_run"])
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                translation.ngettext(
                    "Nothing was imported; %(n)d row has problems.",
                    "Nothing was imported; %(n)d rows have problems.",
                    len(report.bad_rows()),
                )
                % {"n": len(report.bad_rows())}
            )
        if report.dry_run:
            message = translation.ngettext(
                "%(n)d row checked, nothing imported.",
                "%(n)d rows checked, nothing imported.",
                report.total_rows,
            )
            self.stdout.write(message % {"n": report.total_rows})
        else:
            message = translation.ngettext(
                "%(n)d row imported.", "%(n)d rows imported.", report.imported
            )
            self.stdout.write(message % {"n": report.imported})

    def actor(self, username: str, permission: str) -> Any:
        if not username:
            return SYSTEM
        from cunju.accounts.models import User

        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        if not user.has_perm(permission):
            raise CommandError(f"{username} may not import this register")
        return user
