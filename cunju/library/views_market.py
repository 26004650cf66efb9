"""Downloads paid in points, reports and the moderation queue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import View

from cunju.core.forms import apply_errors

from . import downloads, moderation
from .models import Document, Download, Moderation, Report, ReportReason, ReportStatus

# --- Forms ------------------------------------------------------------------------------------


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("What is wrong"), choices=ReportReason.choices, widget=forms.RadioSelect
    )
    detail = forms.CharField(
        label=gettext_lazy("Details"),
        required=False,
        max_length=moderation.DETAIL_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Which pages, what the document should have been, who holds the copyright…"
        ),
    )


class Decision:
    APPROVE = "approve"
    REJECT = "reject"
    TAKE_DOWN = "take_down"
    RESTORE = "restore"
    LABELS = {
        APPROVE: gettext_lazy("Approve and publish"),
        REJECT: gettext_lazy("Reject"),
        TAKE_DOWN: gettext_lazy("Take down"),
        RESTORE: gettext_lazy("Restore and publish again"),
    }


class ReviewForm(forms.Form):
    """The moderator's decision about a document; the choices depend on its state."""

    decision = forms.ChoiceField(label=gettext_lazy("Decision"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=moderation.NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Sent to the uploader; needed to reject, take down or restore."),
    )

    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            (value, Decision.LABELS[value]) for value in decisions_for(document)
        ]


def decisions_for(document: Document) -> list[str]:
    if document.moderation == Moderation.PENDING_REVIEW:
        return [Decision.APPROVE, Decision.REJECT]
    if document.moderation == Moderation.PUBLISHED:
        return [Decision.TAKE_DOWN]
    if document.moderation == Moderation.TAKEN_DOWN:
        return [Decision.RESTORE]
    return []


# --- Downloads --------------------------------------------------------------------------------


def size_display(size: int | None) -> str:
    """51.00 KB, 1.25 MB: the way the library shows sizes."""
    if size is None:
        return "—"
    if size < 1024 * 1024:
        return f"{size / 1024:.2f} KB"
    return f"{size / (1024 * 1024):.2f} MB"


@require_http_methods(["GET", "POST"])
@permission_required("library.view_document", raise_exception=True)
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what the download costs; POST: pay (when it is not free) and save the file."""
    document = get_object_or_404(
        downloads.downloadable(request.user).select_related("stored_file", "uploader"), pk=pk
    )
    errors: list[str] = []
    if request.method == "POST":
        try:
            record = downloads.start_download(request.user, document)
        except ValidationError as exc:
            errors = exc.messages
        else:
            return downloads.attachment_response(record)
    context = {
        "title": _("Download"),
        "document": document,
        "quote": downloads.quote(request.user, document),
        "size": size_display(document.stored_file.size_bytes),
        "errors": errors,
        "redownload_days": settings.CUNJU_LIBRARY_REDOWNLOAD_DAYS,
    }
    return render(request, "library/download.html", context)


# --- Reports ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("library.view_document", raise_exception=True)
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """举报: tell the moderators what is wrong with a document."""
    document = get_object_or_404(
        moderation.reportable(request.user).select_related("uploader"), pk=pk
    )
    existing = moderation.open_report(request.user, document)
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.report_document(
                request.user, document, form.cleaned_data["reason"], form.cleaned_data["detail"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Thank you, the moderators will look at it."))
            return redirect(document.get_absolute_url())
    context = {
        "title": _("Report a document"),
        "document": document,
        "form": form,
        "existing": existing,
        "own": document.uploader_id == request.user.pk,
    }
    return render(request, "library/report.html", context)


# --- Moderation -------------------------------------------------------------------------------

# The queue shows this many of each kind; the rest follow once these are decided.
QUEUE_LENGTH = 100


class ModerationQueueView(PermissionRequiredMixin, View):
    """审核: uploads waiting for review and open reports, grouped by document."""

    permission_required = "library.moderate_document"
    raise_exception = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        moderated = moderation.moderated_by(request.user)
        pending = moderated.filter(moderation=Moderation.PENDING_REVIEW).select_related(
            "stored_file", "uploader", "organization"
        )
        open_reports = (
            Report.objects.for_user(request.user)
            .filter(status=ReportStatus.OPEN, document__in=moderated)
            .select_related("reporter")
            .order_by("created_at", "pk")
        )
        reported = (
            moderated.annotate(
                open_count=Count("reports", filter=Q(reports__status=ReportStatus.OPEN))
            )
            .filter(open_count__gt=0)
            .select_related("uploader", "organization")
            .order_by("-open_count", "pk")[:QUEUE_LENGTH]
        )
        reported = list(reported)
        by_document: dict[int, list[Report]] = {d.pk: [] for d in reported}
        for item in open_reports.filter(document__in=[d.pk for d in reported]):
            by_document[item.document_id].append(item)
        for document in reported:
            document.open_reports = by_document[document.pk]
        context = {
            "title": _("Moderation"),
            "pending": pending.order_by("created_at", "pk")[:QUEUE_LENGTH],
            "pending_count": pending.count(),
            "reported": reported,
            "report_count": open_reports.count(),
            "taken_down": moderated.filter(moderation=Moderation.TAKEN_DOWN).order_by("-pk")[:20],
        }
        return render(request, "library/moderation_queue.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("library.moderate_document", raise_exception=True)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """One document as its moderator sees it, with the decisions its state allows."""
    document = get_object_or_404(
        moderation.moderated_by(request.user).select_related(
            "stored_file", "uploader", "organization", "shared_with", "category"
        ),
        pk=pk,
    )
    form = ReviewForm(request.POST if request.method == "POST" else None, document=document)
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        note = form.cleaned_data["note"]
        try:
            if decision == Decision.TAKE_DOWN:
                moderation.take_down(request.user, document, note)
                messages.success(request, _("The document was taken down."))
            elif decision == Decision.RESTORE:
                moderation.restore_document(request.user, document, note)
                messages.success(request, _("The document was restored and the uploader told."))
            else:
                moderation.review_upload(request.user, document, decision == Decision.APPROVE, note)
                messages.success(request, _("The decision was sent to the uploader."))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("library:review", document.pk)
    paid = Download.objects.filter(document=document, price__gt=0, refunded_at__isnull=True)
    context = {
        "title": _("Moderation: %(title)s") % {"title": document.title},
        "document": document,
        "form": form,
        "can_decide": bool(decisions_for(document)),
        # Open reports first, each group newest first.
        "reports": sorted(
            document.reports.select_related("reporter", "decided_by").order_by("-created_at"),
            key=lambda item: item.status != ReportStatus.OPEN,
        ),
        "size": size_display(document.stored_file.size_bytes),
        "refundable": paid.aggregate(count=Count("pk"), points=Sum("price")),
    }
    return render(request, "library/moderation_review.html", context)


@require_POST
@permission_required("library.moderate_document", raise_exception=True)
def decide_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Dismiss one report: the document stays and the reporter is told."""
    item = get_object_or_404(
        Report.objects.for_user(request.user).filter(
            document__in=moderation.moderated_by(request.user)
        ),
        pk=pk,
    )
    try:
        moderation.dismiss_report(request.user, item, request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The report was dismissed and the reporter told."))
    return redirect("library:review", item.document_id)
