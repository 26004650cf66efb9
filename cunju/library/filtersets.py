"""Filters of the library lists: shelf, tag, format, title, and the order to browse in."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Category, Document, Format, Moderation, Processing

SORTS = {
    "newest": ("-published_at", "-created_at", "-pk"),
    "reads": ("-read_count", "-published_at", "-pk"),
    "downloads": ("-download_count", "-published_at", "-pk"),
}
SORT_CHOICES = [
    ("newest", _("Newest")),
    ("reads", _("Most read")),
    ("downloads", _("Most downloaded")),
]


class DocumentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search_title", label=_("Title"))
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), label=_("Category"), empty_label=_("All categories")
    )
    tag = django_filters.CharFilter(field_name="tags__name", label=_("Tag"))
    format = django_filters.ChoiceFilter(
        field_name="stored_file__format",
        choices=Format.choices,
        label=_("Format"),
        empty_label=_("All formats"),
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="order", label=_("Sort by"), empty_label=None
    )

    class Meta:
        model = Document
        fields: list[str] = []

    def search_title(self, queryset, name, value):
        words = value.split()
        condition = Q()
        for word in words:
            condition &= Q(title__icontains=word)
        return queryset.filter(condition)

    def order(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["newest"]))

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.is_bound or not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORTS["newest"])
        # A tag filter joins the tag table: one row per document all the same.
        return queryset.distinct()


STATUS_CHOICES = [
    (Processing.UPLOADED, Processing.UPLOADED.label),
    (Processing.CONVERTING, Processing.CONVERTING.label),
    (Processing.FAILED, Processing.FAILED.label),
    (Moderation.PENDING_REVIEW, Moderation.PENDING_REVIEW.label),
    (Moderation.PUBLISHED, Moderation.PUBLISHED.label),
    (Moderation.REJECTED, Moderation.REJECTED.label),
    (Moderation.TAKEN_DOWN, Moderation.TAKEN_DOWN.label),
]


class MyDocumentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search_title", label=_("Title"))
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="in_status", label=_("Status"), empty_label=_("Any status")
    )

    class Meta:
        model = Document
        fields: list[str] = []

    search_title = DocumentFilterSet.search_title

    def in_status(self, queryset, name, value):
        if value in Processing.values:
            return queryset.filter(moderation=Moderation.PROCESSING, stored_file__status=value)
        return queryset.filter(moderation=value)
