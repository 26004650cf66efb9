"""`cunju library search QUERY [--json]`: the library search from the command line.

Searches as the system (every published document) unless ``--as USERNAME`` names a user,
whose scope then applies. Prints one result per paragraph — title, facts, the pages where
the words occur and a snippet with the words in 【】 — or, with ``--json``, one JSON object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TextIO

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from cunju.core.system import SYSTEM
from cunju.library.models import Category, Format

from . import plain, search


def _actor(username: str | None) -> Any:
    if not username:
        return SYSTEM
    from cunju.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("No active user %(name)s.") % {"name": username})
    if not user.has_perm("library.view_document"):
        raise CommandError(_("%(name)s may not read the library.") % {"name": username})
    return user


def _category(value: Any) -> Category | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    found = Category.objects.filter(name=text).first()
    if found is None and text.isdigit():
        found = Category.objects.filter(pk=int(text)).first()
    if found is None:
        names = ", ".join(Category.objects.values_list("name", flat=True)) or "—"
        raise CommandError(
            _("No category %(value)s. Categories: %(names)s") % {"value": text, "names": names}
        )
    return found


def _format(value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).strip().lower()
    if text not in Format.values:
        raise CommandError(
            _("Unknown format %(value)s. Formats: %(formats)s")
            % {"value": value, "formats": ", ".join(Format.values)}
        )
    return text


def run(options: Mapping[str, Any], stdout: TextIO) -> None:
    """Search and print. Options: query, json, as_user, category, format, limit."""
    query = (
        " ".join(options["query"])
        if isinstance(options.get("query"), list | tuple)
        else (options.get("query") or "")
    )
    if not query.strip():
        raise CommandError(_("Give the words to search for."))
    limit = 20 if options.get("limit") is None else int(options["limit"])
    if limit < 1:
        raise CommandError(_("The limit must be at least 1."))
    results = search(
        _actor(options.get("as_user")),
        query,
        category=_category(options.get("category")),
        format=_format(options.get("format")),
        limit=limit,
    )
    if options.get("json"):
        payload = {
            "query": results.query,
            "words": results.tokens,
            "total": results.total,
            "more": results.capped,
            "hits": [
                {
                    "id": hit.document.pk,
                    "title": hit.document.title,
                    "url": hit.document.get_absolute_url(),
                    "category": hit.document.category.name if hit.document.category else None,
                    "format": hit.document.stored_file.format,
                    "uploader": str(hit.document.uploader),
                    "published_at": (
                        timezone.localdate(hit.document.published_at).isoformat()
                        if hit.document.published_at
                        else None
                    ),
                    "pages": hit.pages,
                    "title_match": hit.title_hit,
                    "score": hit.score,
                    "snippet_html": str(hit.snippet),
                    "snippet": plain(hit.snippet),
                }
                for hit in results.hits
            ],
        }
        stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    if not results.total:
        stdout.write(_("No document contains “%(query)s”.") % {"query": query} + "\n")
        return
    found = (
        _("More than %(total)d documents found, showing %(shown)d.")
        if results.capped
        else _("%(total)d documents found, showing %(shown)d.")
    )
    stdout.write(found % {"total": results.total, "shown": len(results.hits)} + "\n")
    for hit in results.hits:
        document = hit.document
        facts = [
            f"#{document.pk}",
            document.category.name if document.category else "",
            document.stored_file.get_format_display(),
            str(document.uploader),
            timezone.localdate(document.published_at).isoformat() if document.published_at else "",
        ]
        stdout.write(f"\n{document.title}\n  {' · '.join(f for f in facts if f)}\n")
        if hit.pages:
            listed = ", ".join(str(n) for n in hit.pages[:20])
            more = " …" if len(hit.pages) > 20 else ""
            stdout.write("  " + _("Pages: %(pages)s") % {"pages": listed + more} + "\n")
        stdout.write(f"  {plain(hit.snippet)}\n")
