"""The study library (资料库).

A ``StoredFile`` is one piece of content, named by its SHA-256: uploading the same bytes again
reuses it, its PDF, its previews and its page text. A ``Document`` is what a user published:
title, category, price, uploader, the organization it belongs to and how far it is shared.
Processing (``StoredFile.status``) and moderation (``Document.moderation``) are two separate
state machines; ``Document.status`` shows the one that matters to the reader.

Scope: a document belongs to its uploader's organization (``org_path``) and, once published,
is readable by everyone under the node it is shared with (``shared_path``, by default the top
of the uploader's tree). Staff see every document under their own node, in any state.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cunju.core.scoping import ScopedQuerySet
from cunju.core.tree import STEP_WIDTH, subtree_q


class Format(models.TextChoices):
    """File formats, decided from the content (``conversion.sniff``), never the file name."""

    DOC = "doc", "DOC"
    DOCX = "docx", "DOCX"
    WPS = "wps", "WPS"
    PPT = "ppt", "PPT"
    PPTX = "pptx", "PPTX"
    XLS = "xls", "XLS"
    XLSX = "xlsx", "XLSX"
    ODT = "odt", "ODT"
    ODP = "odp", "ODP"
    ODS = "ods", "ODS"
    PDF = "pdf", "PDF"
    TXT = "txt", "TXT"


OFFICE_FORMATS = frozenset(Format) - {Format.PDF, Format.TXT}


class Processing(models.TextChoices):
    UPLOADED = "uploaded", pgettext_lazy("processing status", "Uploaded")
    CONVERTING = "converting", _("Converting")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Moderation(models.TextChoices):
    # Waiting for its file to be processed; then published or sent to review by the setting.
    PROCESSING = "processing", _("Processing")
    PENDING_REVIEW = "pending_review", _("Pending review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    TAKEN_DOWN = "taken_down", _("Taken down")


def stored_file_path(instance: StoredFile, filename: str) -> str:
    digest = instance.sha256
    return f"library/files/{digest[:2]}/{digest}.{instance.format}"


class StoredFile(models.Model):
    """One piece of uploaded content and everything made from it."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size_bytes = models.BigIntegerField(_("size in bytes"))
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    file = models.FileField(_("file"), upload_to=stored_file_path, max_length=200)
    status = models.CharField(
        _("processing"),
        max_length=20,
        choices=Processing.choices,
        default=Processing.UPLOADED,
        db_index=True,
    )
    failure_reason = models.TextField(_("reason of failure"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The PDF every preview and page text comes from (the upload itself when it is a PDF).
    pdf = models.FileField(_("PDF"), blank=True, max_length=200)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    started_at = models.DateTimeField(_("processing started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("processing finished"), null=True, blank=True)
    # Which worker process is converting it ("host:pid:start"), so a file left converting
    # by a worker that died is picked up again (``pipeline.recover_stalled_files``).
    claimed_by = models.CharField(_("converted by"), max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(_("stored"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return f"{self.sha256[:12]}.{self.format}"

    def get_failure_reason_display(self) -> str:
        """Why processing failed, in the reader's language (stored as the English source)."""
        from django.utils.translation import gettext

        return gettext(self.failure_reason) if self.failure_reason else ""


class Page(models.Model):
    """第N页: the text of one page, and its preview images when it is among the first N."""

    stored_file = models.ForeignKey(
        StoredFile, on_delete=models.CASCADE, related_name="pages", verbose_name=_("stored file")
    )
    number = models.PositiveIntegerField(_("page"))
    text = models.TextField(_("text"), blank=True)
    preview = models.FileField(_("preview"), blank=True, max_length=200)
    preview_small = models.FileField(_("small preview"), blank=True, max_length=200)
    width = models.PositiveIntegerField(_("preview width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("preview height"), null=True, blank=True)

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["stored_file", "number"]
        constraints = [
            models.UniqueConstraint(fields=["stored_file", "number"], name="library_page_unique")
        ]

    def __str__(self) -> str:
        return f"{self.stored_file} p.{self.number}"


class Category(models.Model):
    """分类: a shelf of the library, ordered by the admins."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("library:list") + f"?category={self.pk}"


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def ancestor_paths(path: str) -> list[str]:
    """The node at ``path`` and every node above it, as paths ("0001.", "0001.0003.")."""
    step = STEP_WIDTH + 1
    return [path[:end] for end in range(step, len(path) + 1, step)]


def published_scope(path: str) -> tuple[str, list[str]]:
    """The published documents a user whose scope node is at ``path`` may read: those of
    organizations under the node (``org_path`` under the first path returned) and those
    shared with the node or one above it (``shared_path`` among the others). The one rule,
    read by the query below and by the search index (``search.condition``)."""
    return path, ancestor_paths(path)


class DocumentQuerySet(ScopedQuerySet):
    def scope_condition(self, path: str) -> Q:
        # Everything under the user's node, plus what is published to a node above them.
        under, shared_with = published_scope(path)
        return subtree_q(under, "org_path") | Q(
            moderation=Moderation.PUBLISHED, shared_path__in=shared_with
        )

    def published(self) -> DocumentQuerySet:
        return self.filter(moderation=Moderation.PUBLISHED)

    def readable_by(self, user) -> DocumentQuerySet:
        """What ``user`` may open: published documents in scope, their own uploads, and
        everything in scope for moderators."""
        scoped = self.for_user(user)
        if user.has_perm("library.moderate_document"):
            return scoped
        return scoped.filter(Q(moderation=Moderation.PUBLISHED) | Q(uploader=user))


class Document(models.Model):
    """文档: a published study material."""

    stored_file = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("stored file"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("category"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="documents", verbose_name=_("tags"))
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("uploader"),
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("organization"),
    )
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    shared_with = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="shared_documents",
        verbose_name=_("shared with"),
        help_text=_("Everyone under this organization may read the document once published."),
    )
    shared_path = models.CharField(max_length=255, db_index=True, editable=False)
    price = models.PositiveIntegerField(_("price in points"), default=0)
    moderation = models.CharField(
        _("moderation"),
        max_length=20,
        choices=Moderation.choices,
        default=Moderation.PROCESSING,
        db_index=True,
    )
    moderation_note = models.TextField(_("moderation note"), blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    # Counters kept by the read and download actions, for "most read" without a count query.
    read_count = models.PositiveIntegerField(_("reads"), default=0)
    download_count = models.PositiveIntegerField(_("downloads"), default=0)

    scope_tree = "organization"
    scope_lookup = "org_path"

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("moderate_document", _("Can moderate library documents and reports")),
            ("manage_library", _("Can manage library categories and price limits")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:detail", args=[self.pk])

    @property
    def status(self) -> str:
        """What a reader should be told: processing until ready, then the moderation state."""
        if self.moderation == Moderation.PROCESSING:
            return self.stored_file.status
        return self.moderation

    def get_status_display(self) -> str:
        if self.moderation == Moderation.PROCESSING:
            return self.stored_file.get_status_display()
        return self.get_moderation_display()


class Download(models.Model):
    """下载记录: one download, what it cost and where the points went."""

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="downloads", verbose_name=_("document")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="library_downloads",
        verbose_name=_("user"),
    )
    price = models.PositiveIntegerField(_("points charged"), default=0)
    charge = models.ForeignKey(
        "points.Entry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("charge"),
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)

    scope_tree = "organization"
    scope_lookup = "document__org_path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "document", "created_at"], name="download_window")]

    def __str__(self) -> str:
        return f"{self.user} ↓ {self.document}"


class Reading(models.Model):
    """阅读记录: someone read a document online, from when and for how long."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="readings", verbose_name=_("document")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="library_readings",
        verbose_name=_("user"),
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    seconds = models.PositiveIntegerField(_("seconds read"), default=0)
    last_page = models.PositiveIntegerField(_("last page seen"), default=1)

    scope_tree = "organization"
    scope_lookup = "document__org_path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.document}"


class ReportReason(models.TextChoices):
    COPYRIGHT = "copyright", _("Copyright infringement")
    MISMATCH = "mismatch", _("Content does not match the title")
    UNLAWFUL = "unlawful", _("Unlawful or harmful content")
    OTHER = "other", _("Other")


class ReportStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("report status", "Open")
    DISMISSED = "dismissed", _("Dismissed")
    UPHELD = "upheld", _("Taken down")


class Report(models.Model):
    """举报: a reader's complaint about a document, waiting in the moderation queue."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="reports", verbose_name=_("document")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="library_reports",
        verbose_name=_("reported by"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    detail = models.TextField(_("details"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReportStatus.choices,
        default=ReportStatus.OPEN,
        db_index=True,
    )
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    scope_tree = "organization"
    scope_lookup = "document__org_path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("complaint", "report")
        verbose_name_plural = pgettext_lazy("complaint", "reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open report per reader and document; a decided one may be followed by another.
            models.UniqueConstraint(
                fields=["document", "reporter"],
                condition=Q(status="open"),
                name="library_report_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} · {self.document}"
