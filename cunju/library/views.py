"""Pages of the library: browse, upload, the document page, previews, reading.

Every document is looked up through ``Document.objects.readable_by(user)``: a document the
user may not open answers 404, the same as one that does not exist. Preview images are
served by a view that checks the same, never straight from the media folder.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cunju.core.forms import apply_errors
from cunju.core.views import ScopedListView

from .categories import add_category, move_category, rename_category
from .filtersets import DocumentFilterSet, MyDocumentFilterSet
from .forms import CategoryForm, EditForm, ReadingReportForm, UploadForm
from .ingest import add_document, retry_document, update_document
from .models import Category, Document, Format, Moderation, Page, Processing, Tag
from .reading import record_progress, start_reading
from .tables import DocumentTable, MyDocumentTable

VIEW = "library.view_document"
ADD = "library.add_document"
MODERATE = "library.moderate_document"
MANAGE = "library.manage_library"

PREVIEW_SIZES = {"large": "preview", "small": "preview_small"}
# Previews never change for a page of a stored file; a day in the browser's cache is safe
# and still lets a re-rendered preview show up the next day.
PREVIEW_MAX_AGE = 24 * 3600
# What the file picker offers; the server decides the format from the content regardless.
ACCEPT = ",".join(f".{f}" for f in Format.values)
SPREADSHEETS = {Format.XLS, Format.XLSX, Format.ODS}


def readable(user: Any) -> QuerySet:
    return Document.objects.readable_by(user).select_related(
        "stored_file", "category", "uploader", "organization", "shared_with"
    )


def with_thumbnail(queryset: QuerySet) -> QuerySet:
    """Mark documents whose first page has a small preview, for the cover on the cards."""
    first_page = Page.objects.filter(stored_file=OuterRef("stored_file"), number=1).exclude(
        preview_small=""
    )
    return queryset.annotate(has_thumbnail=Exists(first_page))


def may_change(user: Any, document: Document) -> bool:
    return document.uploader_id == user.pk or user.has_perm(MODERATE)


# --- Browsing ------------------------------------------------------------------------------


class DocumentListView(ScopedListView):
    """The shelves: published documents the user may read, by category, tag and format."""

    model = Document
    filterset_class = DocumentFilterSet
    table_class = DocumentTable
    permission_required = VIEW
    title = gettext_lazy("Study library")
    template_name = "library/list.html"
    partial_template_name = "library/partials/cards.html"
    per_page = 24

    def get_queryset(self) -> QuerySet:
        return with_thumbnail(readable(self.request.user).published())

    def extra_context(self) -> dict[str, Any]:
        shelf = Document.objects.readable_by(self.request.user).published()
        counts = dict(
            shelf.order_by()
            .values_list("category")
            .annotate(n=Count("pk"))
            .values_list("category", "n")
        )
        categories = [(c, counts.get(c.pk, 0)) for c in Category.objects.all()]
        tags = (
            Tag.objects.filter(documents__in=shelf)
            .annotate(n=Count("documents"))
            .order_by("-n", "name")[:20]
        )
        return {
            "categories": categories,
            "tags": tags,
            "current_category": self.request.GET.get("category", ""),
            "current_tag": self.request.GET.get("tag", ""),
        }


class MyDocumentsView(ScopedListView):
    """我的文档: the user's own uploads in every state, with a retry for failed ones."""

    model = Document
    filterset_class = MyDocumentFilterSet
    table_class = MyDocumentTable
    permission_required = ADD
    title = gettext_lazy("My documents")
    template_name = "library/mine.html"

    def get_queryset(self) -> QuerySet:
        user = self.request.user
        return readable(user).filter(uploader=user).order_by("-created_at", "-pk")


# --- Upload --------------------------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _upload_one(user: Any, upload: Any, fields: dict[str, Any], *, own_title: bool) -> dict:
    """Store one file as a document; its outcome as the page and the script show it."""
    name = Path(upload.name or "").name
    title = fields["title"] if own_title and fields["title"] else Path(name).stem
    title = title[: Document._meta.get_field("title").max_length]
    outcome: dict[str, Any] = {
        "name": name,
        "id": None,
        "url": "",
        "title": title,
        "existed": False,
        "error": "",
        "status": "",
        "message": "",
    }
    try:
        document, existed = add_document(
            user,
            upload=upload,
            title=title,
            description=fields["description"],
            category=fields["category"],
            tags=fields["tags"],
            price=fields["price"],
            shared_with=fields["shared_with"],
            original_name=name,
        )
    except ValidationError as exc:
        outcome["error"] = " ".join(exc.messages)
        return outcome
    document.refresh_from_db()
    document.stored_file.refresh_from_db()
    outcome.update(
        id=document.pk,
        url=document.get_absolute_url(),
        title=document.title,
        existed=existed,
        status=document.get_status_display(),
    )
    if existed:
        earlier = (
            Document.objects.readable_by(user)
            .filter(stored_file_id=document.stored_file_id)
            .exclude(pk=document.pk)
            .order_by("created_at")
            .first()
        )
        if earlier is not None:
            outcome["message"] = _("The same content is already in the library as “%(title)s”.") % {
                "title": earlier.title
            }
            outcome["earlier_url"] = earlier.get_absolute_url()
        else:
            outcome["message"] = _(
                "The same content was uploaded before; it is not converted again."
            )
    return outcome


@permission_required(ADD, raise_exception=True)
def upload(request: HttpRequest) -> HttpResponse:
    """Upload one or more files. The page's script sends each file on its own request and
    gets JSON back; without the script, one form post carries every file."""
    context: dict[str, Any] = {
        "title": _("Upload documents"),
        "max_bytes": settings.CUNJU_LIBRARY_MAX_BYTES,
        "accept": ACCEPT,
    }
    if request.method != "POST":
        context["form"] = UploadForm(user=request.user)
        return render(request, "library/upload.html", context)
    form = UploadForm(request.POST, user=request.user)
    files = request.FILES.getlist("files")
    if form.is_valid() and not files:
        form.add_error(None, _("Choose at least one file to upload."))
    if form.errors:
        if _wants_json(request):
            errors = [str(e) for field in form.errors.values() for e in field]
            return JsonResponse(
                {"error": " ".join(errors), "errors": form.errors.get_json_data()}, status=400
            )
        context["form"] = form
        return render(request, "library/upload.html", context)
    fields = form.cleaned_data
    results = [_upload_one(request.user, f, fields, own_title=len(files) == 1) for f in files]
    if _wants_json(request):
        if len(results) == 1:
            return JsonResponse(results[0], status=400 if results[0]["error"] else 200)
        return JsonResponse({"files": results})
    context.update(
        form=UploadForm(user=request.user),
        results=results,
        stored=sum(1 for r in results if not r["error"]),
    )
    return render(request, "library/upload.html", context)


# --- The document page ---------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The document page: facts, preview images, every page's text, download, notices."""
    document = get_object_or_404(readable(request.user), pk=pk)
    stored = document.stored_file
    limit = settings.CUNJU_LIBRARY_PREVIEW_PAGES
    pages = list(stored.pages.all()) if stored.status == Processing.READY else []
    previews = [p for p in pages if p.number <= limit and p.preview]
    reading = None
    if document.moderation == Moderation.PUBLISHED:
        reading = start_reading(request.user, document)
        document.read_count += 1
    related = []
    if document.category_id:
        related = list(
            with_thumbnail(readable(request.user).published())
            .filter(category_id=document.category_id)
            .exclude(pk=document.pk)
            .order_by("-published_at", "-pk")[:6]
        )
    is_uploader = document.uploader_id == request.user.pk
    context = {
        "document": document,
        "object": document,
        "title": document.title,
        "stored": stored,
        "pages": pages,
        "previews": previews,
        "preview_limit": limit,
        "more_than_previewed": (stored.page_count or 0) > len(previews),
        "reading": reading,
        "related": related,
        "tags": list(document.tags.all()),
        "is_uploader": is_uploader,
        "can_edit": may_change(request.user, document),
        "can_retry": stored.status == Processing.FAILED and may_change(request.user, document),
        "is_published": document.moderation == Moderation.PUBLISHED,
        "redownload_days": settings.CUNJU_LIBRARY_REDOWNLOAD_DAYS,
        # Rows of a sheet stay rows; running text is joined into paragraphs again.
        "spreadsheet": stored.format in SPREADSHEETS,
    }
    return render(request, "library/detail.html", context)


@require_GET
@permission_required(VIEW, raise_exception=True)
def preview(request: HttpRequest, pk: int, number: int, size: str) -> HttpResponse:
    """One page's preview image, for someone who may open the document."""
    if size not in PREVIEW_SIZES or number > settings.CUNJU_LIBRARY_PREVIEW_PAGES:
        raise Http404
    document = get_object_or_404(
        Document.objects.readable_by(request.user).select_related("stored_file"), pk=pk
    )
    page = Page.objects.filter(stored_file_id=document.stored_file_id, number=number).first()
    image = getattr(page, PREVIEW_SIZES[size], None) if page is not None else None
    if not image:
        raise Http404
    digest = hashlib.sha256(f"{image.name}:{page.width}:{page.height}".encode()).hexdigest()
    etag = f'"{digest[:32]}"'
    headers = {"Cache-Control": f"private, max-age={PREVIEW_MAX_AGE}", "ETag": etag}
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        try:
            handle = image.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        content_type = mimetypes.guess_type(image.name)[0] or "application/octet-stream"
        response = FileResponse(handle, content_type=content_type)
    for name, value in headers.items():
        response[name] = value
    return response


@require_POST
@permission_required(VIEW, raise_exception=True)
def record_reading(request: HttpRequest, pk: int) -> HttpResponse:
    """The page's reading beacon: seconds read so far and the last page seen."""
    document = get_object_or_404(Document.objects.readable_by(request.user), pk=pk)
    form = ReadingReportForm(request.POST)
    recorded = False
    if form.is_valid():
        data = form.cleaned_data
        recorded = record_progress(
            request.user,
            document,
            data["reading"],
            seconds=data["seconds"],
            last_page=data["page"] or 1,
        )
    return JsonResponse({"recorded": recorded})


# --- Changing a document -------------------------------------------------------------------


@permission_required(ADD, raise_exception=True)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(readable(request.user), pk=pk)
    if not may_change(request.user, document):
        raise PermissionDenied
    form = EditForm(request.POST or None, user=request.user, document=document)
    if request.method == "POST" and form.is_valid():
        try:
            update_document(request.user, document, **form.action_fields())
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            messages.success(request, _("The document was saved."))
            return redirect(document)
    return render(
        request,
        "library/edit.html",
        {"form": form, "document": document, "object": document, "title": _("Edit document")},
    )


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


@require_POST
@permission_required(ADD, raise_exception=True)
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Convert a failed upload again."""
    document = get_object_or_404(readable(request.user), pk=pk)
    try:
        retry_document(request.user, document)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The document is being converted again."))
    return redirect(_back(request, document.get_absolute_url()))


# --- Categories ----------------------------------------------------------------------------


@permission_required(MANAGE, raise_exception=True)
def categories(request: HttpRequest) -> HttpResponse:
    """Add, rename and reorder the library's categories."""
    form = CategoryForm()
    rename_errors: dict[int, str] = {}
    if request.method == "POST":
        operation = request.POST.get("op", "")
        category = None
        if operation in ("rename", "up", "down"):
            category = Category.objects.filter(pk=request.POST.get("category") or 0).first()
            if category is None:
                raise Http404
        try:
            if operation == "add":
                form = CategoryForm(request.POST)
                if form.is_valid():
                    added = add_category(request.user, name=form.cleaned_data["name"])
                    messages.success(request, _("Category “%(name)s” added.") % {"name": added})
                    return redirect("library:categories")
            elif operation == "rename":
                rename_category(request.user, category, name=request.POST.get("name", ""))
                return redirect("library:categories")
            elif operation in ("up", "down"):
                move_category(request.user, category, offset=-1 if operation == "up" else 1)
                return redirect("library:categories")
        except ValidationError as exc:
            if operation == "add":
                apply_errors(form, exc)
            else:
                rename_errors[category.pk] = " ".join(exc.messages)
    shelf = Document.objects.readable_by(request.user)
    counts = dict(
        shelf.order_by()
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    rows = [
        {"category": c, "count": counts.get(c.pk, 0), "error": rename_errors.get(c.pk, "")}
        for c in Category.objects.all()
    ]
    return render(
        request,
        "library/categories.html",
        {"title": _("Library categories"), "rows": rows, "form": form},
        status=200,
    )
