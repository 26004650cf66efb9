"""Complaints and moderation (举报与审核).

Readers report a document (copyright, content not matching the title, unlawful or harmful,
other); moderators see the reports, and new uploads when uploads are reviewed
(``CUNJU_LIBRARY_REVIEW_UPLOADS``), for the documents under their own node. A report is
dismissed, or the document is taken down: it leaves pages and search, every paid download
of it is refunded, and the uploader, the reporters and the refunded readers are told. A
document taken down can be restored (``restore_document``).

Moderators hear of their work as it comes: each new report, and each upload that waits for
review, leaves a notice with every moderator of the document (``moderators_of``); uploads
that come while the last such notice is unread are counted in it instead.

Refunds come back to the reader in full. The uploader gives back what their balance allows
and never goes below zero; what could not be taken is written in the memo of the reversal
entry (and in the audit event when nothing at all could be taken).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from cunju.accounts.roles import ROLE_PERMISSIONS, UNSCOPED_ROLES
from cunju.core.actions import action, after_commit, describe, require
from cunju.core.scoping import scope_paths
from cunju.core.tree import subtree_q
from cunju.notices.actions import Message, notify, renotify, unread_about
from cunju.points import ledger
from cunju.points.models import Kind

from .models import (
    Document,
    DocumentQuerySet,
    Download,
    Moderation,
    Report,
    ReportReason,
    ancestor_paths,
)
from .models import ReportStatus as Status

MODERATE = "library.moderate_document"

DETAIL_LENGTH = 2000
NOTE_LENGTH = 2000


def moderated_by(user: Any) -> DocumentQuerySet:
    """Documents ``user`` moderates: those under their own node, never those shared to it
    from above (the moderators there decide about them)."""
    documents = Document.objects.for_user(user)
    paths = scope_paths(user)
    if paths:
        documents = documents.filter(subtree_q(paths["organization"], "org_path"))
    return documents


def moderators_of(document: Document, *, besides: Any = None) -> list[Any]:
    """Who moderates ``document`` (``moderated_by`` seen from the document): active users
    with the moderation permission whose scope is the node it was uploaded under or one
    above it, and those who see everything; ``besides`` (the one acting) left out."""
    roles = [role for role, permissions in ROLE_PERMISSIONS.items() if MODERATE in permissions]
    candidates = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(role__in=UNSCOPED_ROLES)
            | Q(role__in=roles, scope__path__in=ancestor_paths(document.org_path))
        )
        .exclude(pk=getattr(besides, "pk", None))
        .order_by("pk")
    )
    return [user for user in candidates if user.has_perm(MODERATE)]


def _tell_moderators(document: Document, message: Message, besides: Any = None) -> int:
    """One notice to each moderator of ``document``, linking to its review page."""
    url = reverse("library:review", args=[document.pk])
    moderators = moderators_of(document, besides=besides)
    for moderator in moderators:
        notify(moderator, message, url)
    return len(moderators)


WAITING = gettext_noop("«%(title)s», uploaded by %(uploader)s, is waiting for your review.")
STILL_WAITING = gettext_noop(
    "%(count)s uploads are waiting for your review; the latest is «%(title)s», uploaded by "
    "%(uploader)s."
)


def announce_review(document: Document) -> int:
    """Tell the moderators that ``document`` waits for their review (called as it enters
    review, inside the acting transaction); returns how many were told. A moderator who has
    not yet read of the uploads before gets one notice counting them all, linking to the
    queue, rather than a notice per file of a batch."""
    names = {"title": document.title, "uploader": document.uploader}
    moderators = moderators_of(document, besides=document.uploader)
    waiting = unread_about(moderators, WAITING, STILL_WAITING)
    for moderator in moderators:
        earlier = waiting.get(moderator.pk)
        if earlier is None:
            notify(
                moderator, Message(WAITING, **names), reverse("library:review", args=[document.pk])
            )
        else:
            count = earlier.parts[0]["params"].get("count", 1) + 1
            message = Message(STILL_WAITING, count=count, **names)
            renotify(earlier, message, reverse("library:moderation"))
    return len(moderators)


def reportable(user: Any) -> DocumentQuerySet:
    """Documents ``user`` may report: published ones they can read."""
    return Document.objects.readable_by(user).published()


def open_report(user: Any, document: Document) -> Report | None:
    """The user's report of ``document`` still waiting for a decision, if any."""
    return Report.objects.filter(document=document, reporter=user, status=Status.OPEN).first()


def _quoted(document: Document) -> dict[str, str]:
    return {"title": document.title}


def _note(note: str) -> list[Message]:
    return [Message(gettext_noop("Note: %(note)s"), note=note)] if note else []


@action("library.report_document", gettext_lazy("Report a document"))
def report_document(actor: Any, document: Document, reason: str, detail: str = "") -> Report:
    """举报: a reader tells the moderators what is wrong with a published document."""
    require(actor, "library.view_document")
    if not reportable(actor).filter(pk=document.pk).exists():
        raise Http404("not reportable")
    describe(document)
    detail = (detail or "").strip()
    if reason not in ReportReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    if reason == ReportReason.OTHER and not detail:
        raise ValidationError({"detail": _("Say what is wrong with the document.")})
    if len(detail) > DETAIL_LENGTH:
        raise ValidationError(
            {"detail": _("Keep the details under %(n)s characters.") % {"n": DETAIL_LENGTH}}
        )
    if document.uploader_id == actor.pk:
        raise ValidationError(_("You cannot report your own document."))
    already = _("You have already reported this document; the moderators will look at it.")
    if open_report(actor, document) is not None:
        raise ValidationError(already, code="already_reported")
    try:
        with transaction.atomic():
            report = Report.objects.create(
                document=document, reporter=actor, reason=reason, detail=detail
            )
    except IntegrityError as exc:
        # The same report sent twice at once: the first one counts.
        raise ValidationError(already, code="already_reported") from exc
    told = _tell_moderators(
        document,
        Message(
            gettext_noop("«%(title)s» was reported: %(reason)s."),
            title=document.title,
            reason=ReportReason(reason).label,
        ),
        besides=actor,
    )
    describe(report, {"document": document.pk, "reason": reason, "moderators_told": told})
    return report


def _moderated(actor: Any, document: Document) -> Document:
    require(actor, MODERATE)
    locked = moderated_by(actor).select_for_update().filter(pk=document.pk).first()
    if locked is None:
        raise Http404("not moderated by this user")
    return Document.objects.select_related("uploader").get(pk=locked.pk)


@action("library.review_upload", gettext_lazy("Review an uploaded document"))
def review_upload(actor: Any, document: Document, approve: bool, note: str = "") -> Document:
    """Publish a document waiting for review, or reject it with the reason why."""
    document = _moderated(actor, document)
    describe(document)
    note = (note or "").strip()[:NOTE_LENGTH]
    if document.moderation != Moderation.PENDING_REVIEW:
        raise ValidationError(_("This document is not waiting for review."))
    before = document.moderation
    if approve:
        from .pipeline import index_published

        document.moderation = Moderation.PUBLISHED
        document.published_at = timezone.now()
        document.moderation_note = note
        document.save(update_fields=["moderation", "published_at", "moderation_note"])
        # Segmenting every page takes a while: not while holding the moderation's locks.
        after_commit(index_published, document.pk)
        message = [
            Message(
                gettext_noop("Your document «%(title)s» was approved and published."),
                **_quoted(document),
            ),
            *_note(note),
        ]
    else:
        if not note:
            raise ValidationError({"note": _("Say why the document is rejected.")})
        document.moderation = Moderation.REJECTED
        document.moderation_note = note
        document.save(update_fields=["moderation", "moderation_note"])
        message = [
            Message(
                gettext_noop("Your document «%(title)s» was rejected. Reason: %(note)s"),
                **_quoted(document),
                note=note,
            )
        ]
    notify(document.uploader, message, document.get_absolute_url())
    describe(document, {"moderation": [before, document.moderation], "note": note})
    return document


@action("library.dismiss_report", gettext_lazy("Dismiss a report"))
def dismiss_report(actor: Any, report: Report, note: str = "") -> Report:
    """The document stays; the reporter and the uploader are told."""
    require(actor, MODERATE)
    report = (
        Report.objects.for_user(actor)
        .select_for_update(of=("self",))
        .filter(pk=report.pk)
        .select_related("document", "reporter")
        .first()
    )
    if report is None or not moderated_by(actor).filter(pk=report.document_id).exists():
        raise Http404("not moderated by this user")
    describe(report)
    if report.status != Status.OPEN:
        raise ValidationError(_("This report has already been decided."))
    note = (note or "").strip()[:NOTE_LENGTH]
    report.status = Status.DISMISSED
    report.decided_by = actor if getattr(actor, "pk", None) else None
    report.decided_at = timezone.now()
    report.decision_note = note
    report.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    message = Message(
        gettext_noop("Your report about «%(title)s» was reviewed; the document stays."),
        **_quoted(report.document),
    )
    notify(report.reporter, [message, *_note(note)], "")
    # The uploader is told the outcome too (not who reported).
    kept = Message(
        gettext_noop("A report about your document «%(title)s» was reviewed; the document stays."),
        **_quoted(report.document),
    )
    notify(report.document.uploader, [kept, *_note(note)], report.document.get_absolute_url())
    describe(report, {"status": [Status.OPEN, Status.DISMISSED], "note": note})
    return report


@action("library.take_down", gettext_lazy("Take down a document"))
def take_down(actor: Any, document: Document, note: str) -> Document:
    """下架: the document leaves pages and search, its open reports are upheld and every paid
    download of it is refunded."""
    document = _moderated(actor, document)
    describe(document)
    note = (note or "").strip()[:NOTE_LENGTH]
    if not note:
        raise ValidationError({"note": _("Say why the document is taken down.")})
    if document.moderation == Moderation.TAKEN_DOWN:
        raise ValidationError(_("This document has already been taken down."))
    if document.moderation != Moderation.PUBLISHED:
        raise ValidationError(
            _("Only a published document can be taken down; reject an upload instead.")
        )
    from cunju.library.search import unindex_document

    now = timezone.now()
    decided_by = actor if getattr(actor, "pk", None) else None
    before = document.moderation
    document.moderation = Moderation.TAKEN_DOWN
    document.moderation_note = note
    document.save(update_fields=["moderation", "moderation_note"])
    unindex_document(document)

    reports = list(
        Report.objects.select_for_update(of=("self",))
        .filter(document=document, status=Status.OPEN)
        .select_related("reporter")
    )
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(
        status=Status.UPHELD, decided_by=decided_by, decided_at=now, decision_note=note
    )
    refunds = refund_downloads(actor, document, now)

    uploader_message = [
        Message(
            gettext_noop("Your document «%(title)s» was taken down. Reason: %(note)s"),
            **_quoted(document),
            note=note,
        )
    ]
    if refunds.count:
        uploader_message.append(
            Message(
                gettext_noop(
                    "%(count)s paid downloads were refunded; %(taken)s points were taken "
                    "back from your balance."
                ),
                count=refunds.count,
                taken=refunds.taken,
            )
        )
    notify(document.uploader, uploader_message, document.get_absolute_url())
    for reporter in {r.reporter_id: r.reporter for r in reports}.values():
        notify(
            reporter,
            Message(
                gettext_noop("Thank you: the document «%(title)s» you reported was taken down."),
                **_quoted(document),
            ),
        )
    for reader, points in refunds.per_reader.items():
        notify(
            reader,
            Message(
                gettext_noop(
                    "«%(title)s» was taken down; the %(points)s points you paid were refunded."
                ),
                **_quoted(document),
                points=points,
            ),
            reverse("points:mine"),
        )
    describe(
        document,
        {
            "moderation": [before, Moderation.TAKEN_DOWN],
            "note": note,
            "reports_upheld": len(reports),
            "downloads_refunded": refunds.count,
            "points_refunded": refunds.refunded,
            "points_taken_back": refunds.taken,
            "shortfall": refunds.shortfall,
        },
    )
    return document


@action("library.restore_document", gettext_lazy("Restore a taken-down document"))
def restore_document(actor: Any, document: Document, note: str) -> Document:
    """恢复上架: a taken-down document is published again (the take-down was a mistake, or
    the complaint was settled): back in pages and search, and the uploader is told why.

    What the take-down settled stays settled. The refunds stand: readers keep the points
    they got back and the uploader's reversals are not undone. A refunded download no
    longer makes the next one free (``downloads.last_paid_download`` skips it), so a reader
    who wants the document again pays its price again, which goes to the uploader as any
    download does. The reports the take-down upheld stay upheld, as the record of that
    decision; the document keeps its first publication date.
    """
    document = _moderated(actor, document)
    describe(document)
    note = (note or "").strip()[:NOTE_LENGTH]
    if not note:
        raise ValidationError({"note": _("Say why the document is restored.")})
    if document.moderation != Moderation.TAKEN_DOWN:
        raise ValidationError(_("Only a taken-down document can be restored."))
    from .pipeline import index_published

    document.moderation = Moderation.PUBLISHED
    document.moderation_note = note
    document.save(update_fields=["moderation", "moderation_note"])
    after_commit(index_published, document.pk)
    notify(
        document.uploader,
        Message(
            gettext_noop(
                "Your document «%(title)s» was restored and is published again. Reason: %(note)s"
            ),
            **_quoted(document),
            note=note,
        ),
        document.get_absolute_url(),
    )
    describe(document, {"moderation": [Moderation.TAKEN_DOWN, Moderation.PUBLISHED], "note": note})
    return document


class Refunds:
    """What a take-down gave back: to whom, and what the uploader could repay."""

    def __init__(self) -> None:
        self.count = 0
        self.refunded = 0
        self.taken = 0
        self.shortfall = 0
        self.per_reader: dict[Any, int] = defaultdict(int)


def refund_downloads(actor: Any, document: Document, now: Any) -> Refunds:
    """Give every paid, unrefunded download of ``document`` its points back."""
    result = Refunds()
    downloads = list(
        # Only the downloads are locked here; the readers' ledgers are locked below, in order.
        Download.objects.select_for_update(of=("self",))
        .filter(document=document, price__gt=0, refunded_at__isnull=True)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    if not downloads:
        return result
    uploader = document.uploader
    ledger.lock_accounts(uploader, *(d.user for d in downloads))
    by = actor if getattr(actor, "pk", None) else None
    for download in downloads:
        reference = f"library.download:{download.pk}"
        ledger.post(
            download.user,
            download.price,
            Kind.REFUND,
            memo=_("Refund: «%(title)s» was taken down") % _quoted(document),
            reference=reference,
            by=by,
        )
        taken = min(download.price, ledger.balance(uploader))
        short = download.price - taken
        if taken:
            if short:
                memo = _(
                    "Reversal: «%(title)s» was taken down; %(short)s of %(price)s points "
                    "could not be taken back"
                ) % {**_quoted(document), "short": short, "price": download.price}
            else:
                memo = _("Reversal: «%(title)s» was taken down") % _quoted(document)
            ledger.post(
                uploader, -taken, Kind.INCOME_REVERSAL, memo=memo, reference=reference, by=by
            )
        result.count += 1
        result.refunded += download.price
        result.taken += taken
        result.shortfall += short
        result.per_reader[download.user] += download.price
    Download.objects.filter(pk__in=[d.pk for d in downloads]).update(refunded_at=now)
    return result
