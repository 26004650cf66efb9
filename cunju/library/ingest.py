"""Uploading to the library: a file becomes a document, its content stored once.

``add_document`` receives the bytes (streamed to a scratch file while hashing, refused past
``CUNJU_LIBRARY_MAX_BYTES``), decides the format from the content (``conversion.sniff``),
and either reuses the ``StoredFile`` with the same SHA-256 — its PDF, previews and text —
or stores a new one and queues its processing once the upload is committed. The document
waits for its file (``Moderation.PROCESSING``) and is published (or sent to review) when
the file is ready: at once when the same content was processed before.

``retry_document`` starts a failed file's processing again from nothing;
``update_document`` changes what the uploader said about the document.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, describe, diff, enqueue_after_commit, require, snapshot
from cunju.core.rules import rule
from cunju.core.scoping import scope_paths
from cunju.organizations.models import Organization

from .conversion import errors, store
from .conversion.errors import ContentRefused
from .conversion.sniff import sniff_path
from .models import (
    Category,
    Document,
    Moderation,
    Processing,
    StoredFile,
    Tag,
    ancestor_paths,
    stored_file_path,
)
from .pipeline import derived_prefix, publish_documents
from .rules import PRICE_MAX, PRICE_MIN
from .templatetags.library import filesize

CHUNK = 1 << 20


# --- Receiving the bytes -------------------------------------------------------------------


def _chunks(upload: Any) -> tuple[Iterator[bytes], str]:
    """The upload's bytes in chunks, and its file name."""
    if isinstance(upload, str | Path):
        path = Path(upload)
        if not path.is_file():
            raise ValidationError(_("There is no file %(name)s.") % {"name": path.name})

        def read_path() -> Iterator[bytes]:
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        return read_path(), path.name
    name = Path(getattr(upload, "name", "") or "").name
    if hasattr(upload, "chunks"):
        if hasattr(upload, "seek"):
            upload.seek(0)
        return iter(upload.chunks(CHUNK)), name
    raise TypeError(f"cannot read an upload of type {type(upload).__name__}")


def receive(upload: Any, folder: Path) -> tuple[Path, int, str, str]:
    """Copy the upload into ``folder`` while hashing it: (path, size, SHA-256, name).
    Refuses an empty file and one over the size limit (without reading past the limit)."""
    chunks, name = _chunks(upload)
    limit = settings.CUNJU_LIBRARY_MAX_BYTES
    digest = hashlib.sha256()
    size = 0
    target = folder / "incoming"
    with target.open("wb") as out:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise ValidationError(
                    _("The file is larger than %(limit)s, the most the library takes.")
                    % {"limit": filesize(limit)},
                    code="too_large",
                )
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        raise ValidationError(_(errors.EMPTY), code="empty")
    return target, size, digest.hexdigest(), name


# --- Who and where -------------------------------------------------------------------------


def _top(organization: Organization) -> Organization:
    return Organization.objects.get(path=ancestor_paths(organization.path)[0])


def home_organization(actor: Any, shared_with: Organization | None) -> Organization:
    """The organization an upload belongs to: the uploader's own; for an administrator
    without a scope, where it is shared, else the top of the tree."""
    scope = getattr(actor, "scope", None)
    if scope is not None:
        return scope
    if shared_with is not None:
        return shared_with
    top = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    if top is None:
        raise ValidationError(_("There is no organization to file the document under yet."))
    return top


def _shared_with(organization: Organization, shared_with: Organization | None) -> Organization:
    if shared_with is None:
        return _top(organization)
    # Not locked: uploads shared with the same node (the top of a tree, mostly) would queue.
    shared_with.check_current("shared_with", lock=False)
    if not organization.path.startswith(shared_with.path):
        raise ValidationError(
            {
                "shared_with": _(
                    "A document can be shared with its own organization or one above it."
                )
            }
        )
    return shared_with


def _region(organization: Organization) -> str | None:
    place = organization.place
    for node in [place, *reversed(list(place.ancestors()))] if place is not None else []:
        if node.code:
            return node.code[:6]
    return None


def _check_price(price: Any, organization: Organization) -> int:
    try:
        price = int(price or 0)
    except (TypeError, ValueError):
        raise ValidationError({"price": _("The price is a whole number of points.")}) from None
    region = _region(organization)
    low, high = int(rule(PRICE_MIN, region=region)), int(rule(PRICE_MAX, region=region))
    if not low <= price <= high:
        raise ValidationError(
            {
                "price": _("The price is from %(low)d to %(high)d points.")
                % {"low": low, "high": high}
            }
        )
    return price


def _category(category: Any) -> Category | None:
    if category in (None, ""):
        return None
    if isinstance(category, Category):
        return category
    found = Category.objects.filter(pk=category).first() if str(category).isdigit() else None
    found = found or Category.objects.filter(name=str(category)).first()
    if found is None:
        raise ValidationError({"category": _("There is no such category.")})
    return found


def _tags(tags: Iterable[Any]) -> list[Tag]:
    limit = Tag._meta.get_field("name").max_length
    found: list[Tag] = []
    for item in tags or ():
        if isinstance(item, Tag):
            tag = item
        else:
            name = " ".join(str(item).split())
            if not name:
                continue
            if len(name) > limit:
                raise ValidationError(
                    {
                        "tags": _("A tag has at most %(limit)d characters: %(tag)s")
                        % {"limit": limit, "tag": name}
                    }
                )
            tag, _created = Tag.objects.get_or_create(name=name)
        if tag not in found:
            found.append(tag)
    return found


def _title(title: str, name: str) -> str:
    limit = Document._meta.get_field("title").max_length
    title = " ".join((title or "").split())
    if len(title) > limit:
        raise ValidationError(
            {"title": _("A title has at most %(limit)d characters.") % {"limit": limit}}
        )
    if not title:
        title = " ".join(Path(name).stem.split())[:limit]
    return title or _("Untitled document")


# --- Actions -------------------------------------------------------------------------------


@action("library.add_document", gettext_lazy("Upload a study document"))
def add_document(
    actor: Any,
    *,
    upload: Any,
    title: str = "",
    description: str = "",
    category: Any = None,
    tags: Iterable[Any] = (),
    price: Any = 0,
    shared_with: Organization | None = None,
    original_name: str = "",
) -> tuple[Document, bool]:
    """Store an uploaded file as a document: (document, whether the same content was
    stored before). Processing is queued once this commits; refusals say why."""
    require(actor, "library.add_document")
    if getattr(actor, "pk", None) is None:
        raise ValidationError(_("Documents are uploaded by a user."))
    organization = home_organization(actor, shared_with)
    shared = _shared_with(organization, shared_with)
    price = _check_price(price, organization)
    category = _category(category)
    tag_list = _tags(tags)

    folder = store.scratch_dir("upload-")
    placed = ""
    try:
        incoming, size, sha, name = receive(upload, folder)
        name = Path(original_name).name if original_name else name
        describe(message=name[:200])
        try:
            sniffed = sniff_path(incoming, name)
        except ContentRefused as exc:
            raise ValidationError(exc.message(), code="refused") from None
        title = _title(title, name)

        stored = StoredFile.objects.select_for_update().filter(sha256=sha).first()
        created = False
        if stored is None:
            stored = StoredFile(sha256=sha, size_bytes=size, format=sniffed.format)
            stored.file.name = stored_file_path(stored, name)
            try:
                with transaction.atomic():
                    stored.save()
                created = True
            except IntegrityError:  # the same content, uploaded at the same moment
                stored = StoredFile.objects.select_for_update().get(sha256=sha)
        if created:
            placed = store.place_file(incoming, stored.file.name)
            enqueue_after_commit(_process_file_task(), stored.pk)
        elif not store.exists(stored.file.name):
            # The stored copy went missing: this upload brings it back.
            store.place_file(incoming, stored.file.name)
            if stored.status == Processing.FAILED and stored.failure_reason == errors.FILE_MISSING:
                _restart(stored)

        document = Document.objects.create(
            stored_file=stored,
            title=title,
            description=(description or "").strip(),
            original_name=name[: Document._meta.get_field("original_name").max_length],
            category=category,
            uploader=actor,
            organization=organization,
            org_path=organization.path,
            shared_with=shared,
            shared_path=shared.path,
            price=price,
            moderation=Moderation.PROCESSING,
        )
        if tag_list:
            document.tags.set(tag_list)
        if stored.status == Processing.READY:
            publish_documents(stored)
            document.refresh_from_db()
        describe(
            document,
            {
                "format": stored.format,
                "size_bytes": size,
                "sha256": sha,
                "already_stored": not created,
                "status": document.status,
            },
        )
        return document, not created
    except BaseException:
        if placed:  # a new file whose document was not made
            _delete_quietly(placed)
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _delete_quietly(name: str) -> None:
    from django.core.files.storage import default_storage

    with contextlib.suppress(OSError):
        default_storage.delete(name)


def _process_file_task():
    from .tasks import process_file

    return process_file


def _restart(stored: StoredFile) -> None:
    """Back to the start of the pipeline: no pages, no derived files, queued again."""
    stored.pages.all().delete()
    stored.status = Processing.UPLOADED
    stored.failure_reason = ""
    stored.page_count = None
    stored.pdf = ""
    stored.attempts = 0
    stored.started_at = None
    stored.finished_at = None
    stored.claimed_by = ""
    stored.save(
        update_fields=[
            "status",
            "failure_reason",
            "page_count",
            "pdf",
            "attempts",
            "started_at",
            "finished_at",
            "claimed_by",
        ]
    )
    transaction.on_commit(lambda: store.remove_folder(derived_prefix(stored)))
    enqueue_after_commit(_process_file_task(), stored.pk)


def _changeable(actor: Any, document: Document) -> Document:
    """The document, locked, if ``actor`` may change it: its uploader, or a moderator whose
    scope holds it. Out of reach answers 404, like missing."""
    found = (
        Document.objects.readable_by(actor)
        .select_for_update()
        .filter(pk=document.pk)
        .select_related("stored_file", "organization")
        .first()
    )
    if found is None:
        raise Http404("out of scope")
    if found.uploader_id != getattr(actor, "pk", None):
        require(actor, "library.moderate_document")
        # Moderators look after what was uploaded under their own node, not what was
        # shared to them from elsewhere.
        paths = scope_paths(actor)
        if paths is not None and not found.org_path.startswith(paths.get("organization", "-")):
            raise PermissionDenied(_("You do not have permission to do this."))
    return found


@action("library.retry_document", gettext_lazy("Convert a document again"))
def retry_document(actor: Any, document: Document) -> Document:
    """Process a failed document's file again, from nothing."""
    require(actor, "library.add_document")
    document = _changeable(actor, document)
    stored = StoredFile.objects.select_for_update().get(pk=document.stored_file_id)
    if stored.status != Processing.FAILED:
        raise ValidationError(_("Only a document whose conversion failed can be tried again."))
    reason = stored.failure_reason
    _restart(stored)
    describe(document, {"previous_reason": reason})
    return document


@action("library.update_document", gettext_lazy("Edit a study document"))
def update_document(actor: Any, document: Document, **fields: Any) -> Document:
    """Change title, description, category, tags, price or how far the document is shared."""
    require(actor, "library.add_document")
    allowed = {"title", "description", "category", "tags", "price", "shared_with"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"update_document does not change {', '.join(sorted(unknown))}")
    document = _changeable(actor, document)
    before = snapshot(document, ["title", "description", "category", "price", "shared_with"])
    changes: dict[str, Any] = {}
    if "title" in fields:
        title = " ".join((fields["title"] or "").split())
        if not title:
            raise ValidationError({"title": _("A document needs a title.")})
        document.title = _title(title, "")
    if "description" in fields:
        document.description = (fields["description"] or "").strip()
    if "category" in fields:
        document.category = _category(fields["category"])
    if "price" in fields:
        document.price = _check_price(fields["price"], document.organization)
    if "shared_with" in fields and fields["shared_with"] is not None:
        shared = _shared_with(document.organization, fields["shared_with"])
        document.shared_with = shared
        document.shared_path = shared.path
    document.save()
    changes.update(diff(before, document))
    if "tags" in fields:
        old = sorted(document.tags.values_list("name", flat=True))
        tag_list = _tags(fields["tags"])
        document.tags.set(tag_list)
        new = sorted(t.name for t in tag_list)
        if old != new:
            changes["tags"] = [old, new]
    describe(document, changes)
    if changes and document.moderation == Moderation.PUBLISHED:
        from .pipeline import index_published

        transaction.on_commit(lambda: index_published(document.pk))
    return document
