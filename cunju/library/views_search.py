"""The library's search page: words, filters, results with their pages and a snippet."""

from __future__ import annotations

import math

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET

from .models import Category, Format
from .search import MAX_COUNT
from .search import search as run_search

PER_PAGE = 20
# Matches are counted up to MAX_COUNT: the pages reach that far.
MAX_PAGE = MAX_COUNT // PER_PAGE


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Words"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=gettext_lazy("All categories"),
    )
    format = forms.ChoiceField(label=gettext_lazy("Format"), required=False)
    date_from = forms.DateField(
        label=gettext_lazy("Published from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [("", _("All formats")), *Format.choices]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


# Pages listed under a result; the rest are counted.
PAGES_LISTED = 10


def page_links(numbers: list[int]) -> list[tuple[int, str]]:
    """(number, label) of the pages to list: 第3页、第7页."""
    return [(n, _("page %(number)d") % {"number": n}) for n in numbers[:PAGES_LISTED]]


@require_GET
@permission_required("library.view_document", raise_exception=True)
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    page, pages = 1, 0
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        try:
            page = min(max(int(request.GET.get("page", 1)), 1), MAX_PAGE)
        except ValueError:
            page = 1
        results = run_search(
            request.user,
            data["q"],
            category=data["category"],
            format=data["format"] or None,
            date_from=data["date_from"],
            date_to=data["date_to"],
            limit=PER_PAGE,
            offset=(page - 1) * PER_PAGE,
        )
        pages = min(math.ceil(results.total / PER_PAGE), MAX_PAGE)
        for hit in results.hits:
            hit.page_links = page_links(hit.pages)
            hit.more_pages = max(0, len(hit.pages) - PAGES_LISTED)
    context = {
        "title": _("Search the library"),
        "form": form,
        "results": results,
        "page": page,
        "pages": pages,
        "separator": pgettext("between listed pages", ", "),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "library/partials/search_results.html", context)
    return render(request, "library/search.html", context)
