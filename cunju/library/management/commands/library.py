"""`cunju library add|show|search|reindex`: the study library from the command line.

    cunju library add PATH… [--title T] [--category C] [--tags T,…] [--price N] [--wait]
    cunju library show ID [--json]
    cunju library search WORDS… [--json] [--category C] [--format F] [--limit N]
    cunju library reindex [--missing]

``add`` uploads each file as a document and prints each new document's id, one a line
(notes about each file go to stderr); ``--wait`` converts them before returning and says
how each ended. ``reindex`` rebuilds the search index from the published documents (after a
restore, say), or with ``--missing`` only indexes those it lacks; searches keep working
meanwhile. The command acts as ``--as USERNAME`` (default: the first system
administrator) through the same actions as the upload page. Messages are in Chinese unless
``--language en``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cunju.library.models import Document, Processing, StoredFile

# How long --wait waits for a file another worker is converting.
WAIT_SECONDS = 3600


class Command(BaseCommand):
    help = "The study library: add files as documents, show a document, search, reindex."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--language", default="zh-hans", help="language of messages (zh-hans, en)"
        )
        commands = parser.add_subparsers(dest="subcommand", required=True)

        add = commands.add_parser("add", help="upload files as documents; prints their ids")
        add.add_argument("paths", nargs="+", metavar="PATH", help="files to upload")
        add.add_argument("--title", default="", help="title (default: the file name)")
        add.add_argument("--description", default="")
        add.add_argument("--category", default="", help="category name or id")
        add.add_argument("--tags", default="", help="tags, separated by commas")
        add.add_argument("--price", type=int, default=0, help="price in points (0: free)")
        add.add_argument(
            "--shared-with",
            default="",
            help="name or id of the organization whose members may read it "
            "(default: the top of the uploader's tree)",
        )
        add.add_argument("--wait", action="store_true", help="convert before returning")
        self._as_option(add)

        show = commands.add_parser("show", help="a document: facts and the text of every page")
        show.add_argument("id", type=int)
        show.add_argument("--json", action="store_true", help="print one JSON object")
        self._as_option(show)

        search = commands.add_parser("search", help="full-text search of the library")
        search.add_argument("query", nargs="+", metavar="WORD")
        search.add_argument("--json", action="store_true", help="print one JSON object")
        search.add_argument("--category", default="", help="category name or id")
        search.add_argument("--format", default="", help="file format (pdf, docx, …)")
        search.add_argument("--limit", type=int, default=20)
        search.add_argument(
            "--as", dest="as_user", default="", help="search as this user (default: everything)"
        )

        reindex = commands.add_parser(
            "reindex", help="rebuild the search index from the published documents"
        )
        reindex.add_argument(
            "--missing", action="store_true", help="only index the documents it lacks"
        )

    def _as_option(self, parser: Any) -> None:
        parser.add_argument(
            "--as",
            dest="as_user",
            default="",
            help="act as this user (default: the first system administrator)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            if options["subcommand"] == "add":
                self.add(options)
            elif options["subcommand"] == "show":
                self.show(options)
            elif options["subcommand"] == "reindex":
                self.reindex(options)
            else:
                self.search(options)

    def reindex(self, options: dict[str, Any]) -> None:
        from cunju.library import search

        if options["missing"]:
            search.prune_index()
            done = search.index_missing()
        else:
            done = search.reindex_all()
        documents, pages = search.index_size()
        self.stdout.write(
            _(
                "Indexed %(done)s documents; the index holds %(documents)s documents, "
                "%(pages)s pages."
            )
            % {"done": done, "documents": documents, "pages": pages}
        )

    # --- who ---

    def actor(self, username: str) -> Any:
        from cunju.accounts.models import User
        from cunju.accounts.roles import Role

        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(_("No active user %(name)s.") % {"name": username})
            return user
        user = User.objects.filter(role=Role.SYSTEM_ADMIN, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError(_("There is no system administrator; name a user with --as."))
        return user

    # --- add ---

    def add(self, options: dict[str, Any]) -> None:
        from cunju.library.ingest import add_document

        actor = self.actor(options["as_user"])
        shared_with = self.organization(options["shared_with"])
        tags = [t for t in options["tags"].replace("，", ",").split(",") if t.strip()]
        added: list[Document] = []
        problems = 0
        for raw in options["paths"]:
            path = Path(raw)
            if not path.is_file():
                self.stderr.write(f"{raw}: " + _("no such file"))
                problems += 1
                continue
            try:
                document, existed = add_document(
                    actor,
                    upload=path,
                    title=options["title"],
                    description=options["description"],
                    category=options["category"] or None,
                    tags=tags,
                    price=options["price"],
                    shared_with=shared_with,
                    original_name=path.name,
                )
            except (ValidationError, PermissionDenied) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                self.stderr.write(f"{raw}: " + " ".join(messages))
                problems += 1
                continue
            self.stdout.write(str(document.pk))
            if existed:
                document.stored_file.refresh_from_db()
                self.stderr.write(f"{raw}: " + self.existed_note(document))
            added.append(document)
        if options["wait"]:
            problems += self.wait(added)
        if problems:
            raise CommandError(
                translation.ngettext(
                    "%(n)d file was not added or not converted.",
                    "%(n)d files were not added or not converted.",
                    problems,
                )
                % {"n": problems}
            )

    def existed_note(self, document: Document) -> str:
        stored = document.stored_file
        if stored.status == Processing.FAILED:
            return _(
                "the same content was uploaded before and could not be converted: %(reason)s"
            ) % {"reason": stored.get_failure_reason_display()}
        return _("the same content was uploaded before; its conversion is reused.")

    def organization(self, value: str) -> Any:
        if not value:
            return None
        from cunju.organizations.models import Organization

        current = Organization.objects.current()
        found = current.filter(name=value).first() or (
            current.filter(pk=int(value)).first() if value.isdigit() else None
        )
        if found is None:
            raise CommandError(_("No organization %(value)s.") % {"value": value})
        return found

    def wait(self, documents: list[Document]) -> int:
        """Convert the files of ``documents`` here (or wait for the worker that has them);
        the number that failed."""
        from cunju.library.pipeline import process_stored_file

        failed = 0
        for stored_id in dict.fromkeys(d.stored_file_id for d in documents):
            process_stored_file(stored_id)
            deadline = time.monotonic() + WAIT_SECONDS
            while StoredFile.objects.filter(
                pk=stored_id, status__in=[Processing.UPLOADED, Processing.CONVERTING]
            ).exists():
                if time.monotonic() > deadline:
                    break
                time.sleep(0.5)
        for document in documents:
            document.refresh_from_db()
            stored = document.stored_file
            stored.refresh_from_db()
            line = f"#{document.pk} {document.title}: {document.get_status_display()}"
            if stored.status == Processing.READY:
                line += " · " + translation.ngettext(
                    "%(n)d page", "%(n)d pages", stored.page_count or 0
                ) % {"n": stored.page_count or 0}
            elif stored.status == Processing.FAILED:
                line += " · " + stored.get_failure_reason_display()
                failed += 1
            self.stderr.write(line)
        return failed

    # --- show ---

    def show(self, options: dict[str, Any]) -> None:
        actor = self.actor(options["as_user"])
        document = (
            Document.objects.readable_by(actor)
            .select_related("stored_file", "category", "uploader")
            .filter(pk=options["id"])
            .first()
        )
        if document is None:
            raise CommandError(_("No document %(id)s.") % {"id": options["id"]})
        stored = document.stored_file
        pages = list(stored.pages.order_by("number"))
        previewed = [p.number for p in pages if p.preview]
        facts = {
            "id": document.pk,
            "title": document.title,
            "size_bytes": stored.size_bytes,
            "pages": stored.page_count,
            "status": document.status,
            "category": document.category.name if document.category else None,
            "uploaded_at": timezone.localtime(document.created_at).isoformat(),
            "preview_pages": len(previewed),
            "format": stored.format,
            "file_name": document.original_name,
            "uploader": str(document.uploader),
            "published_at": (
                timezone.localtime(document.published_at).isoformat()
                if document.published_at
                else None
            ),
            "failure_reason": stored.get_failure_reason_display() or None,
            "sha256": stored.sha256,
            "text": [{"page": p.number, "text": p.text} for p in pages],
        }
        if options["json"]:
            self.stdout.write(json.dumps(facts, ensure_ascii=False, indent=2))
            return
        from cunju.library.templatetags.library import filesize

        # Labels are translated outside the f-strings, where the message extractor finds them.
        status, category = _("Status"), _("Category")
        uploaded, preview = translation.pgettext("upload date", "Uploaded"), _("Preview")
        lines = [
            document.title,
            f"  ID: {document.pk}  ·  {stored.get_format_display()}  ·  "
            f"{filesize(stored.size_bytes)}  ·  "
            + (
                translation.ngettext("%(n)d page", "%(n)d pages", stored.page_count)
                % {"n": stored.page_count}
                if stored.page_count
                else "—"
            ),
            f"  {status}: {document.get_status_display()}"
            + (f" ({facts['failure_reason']})" if facts["failure_reason"] else ""),
            f"  {category}: {facts['category'] or '—'}  ·  "
            f"{uploaded}: {timezone.localtime(document.created_at):%Y-%m-%d}",
            f"  {preview}: " + (", ".join(str(n) for n in previewed) if previewed else "—"),
            "",
        ]
        lines += [f"{p.number}、{p.text}" for p in pages]
        self.stdout.write("\n".join(lines))

    # --- search ---

    def search(self, options: dict[str, Any]) -> None:
        from cunju.library.search.cli import run

        run(options, self.stdout)
