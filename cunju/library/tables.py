"""Tables of the library: the shelf (shown as cards) and the uploader's own documents."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cunju.core.tables import DayColumn

from .models import Document, Moderation, Processing
from .templatetags.library import filesize


class DocumentTable(tables.Table):
    """The published documents; the list page draws its rows as cards with a thumbnail."""

    title = tables.Column(verbose_name=_("Title"), linkify=True)
    category = tables.Column(verbose_name=pgettext_lazy("library", "Category"), default="—")
    pages = tables.Column(
        verbose_name=pgettext_lazy("page count", "Pages"),
        accessor="stored_file__page_count",
        default="—",
    )
    size = tables.Column(verbose_name=_("Size"), accessor="stored_file__size_bytes")
    published_at = DayColumn(verbose_name=_("Date"))
    uploader = tables.Column(verbose_name=_("Uploader"))
    price = tables.Column(verbose_name=_("Price in points"))

    class Meta:
        model = Document
        fields = ["title", "category", "pages", "size", "published_at", "uploader", "price"]
        attrs = {"class": "table"}
        orderable = False  # the filter form's "sort by" orders the shelf
        empty_text = _("No documents match.")

    def render_size(self, value):
        return filesize(value)


class MyDocumentTable(tables.Table):
    """Everything the user uploaded, in any state, with a retry for failed conversions."""

    title = tables.Column(verbose_name=_("Title"), linkify=True)
    status = tables.Column(verbose_name=_("Status"), empty_values=(), orderable=False)
    pages = tables.Column(
        verbose_name=pgettext_lazy("page count", "Pages"),
        accessor="stored_file__page_count",
        default="—",
    )
    size = tables.Column(verbose_name=_("Size"), accessor="stored_file__size_bytes")
    created_at = DayColumn(verbose_name=pgettext_lazy("upload date", "Uploaded"))
    read_count = tables.Column(verbose_name=_("Reads"))
    download_count = tables.Column(verbose_name=_("Downloads"))
    price = tables.Column(verbose_name=_("Price in points"))
    actions = tables.TemplateColumn(
        template_name="library/partials/my_actions.html",
        verbose_name="",
        orderable=False,
        empty_values=(),
    )

    class Meta:
        model = Document
        fields = [
            "title",
            "status",
            "pages",
            "size",
            "created_at",
            "read_count",
            "download_count",
            "price",
            "actions",
        ]
        attrs = {"class": "table"}
        empty_text = _("You have not uploaded any documents yet.")

    def render_size(self, value):
        return filesize(value)

    def render_status(self, record):
        from django.utils.html import format_html

        label = record.get_status_display()
        if record.moderation == Moderation.PROCESSING and (
            record.stored_file.status == Processing.FAILED
        ):
            reason = record.stored_file.failure_reason
            return format_html(
                '<span class="status status-failed" title="{}">{}</span>', reason, label
            )
        return format_html('<span class="status status-{}">{}</span>', record.status, label)
