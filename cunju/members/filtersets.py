"""Filters of the member register: one filterset for the page, the live table and the export."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cunju.core.pinyin import name_search_q
from cunju.core.tree import subtree_q
from cunju.organizations.models import Organization
from cunju.organizations.picker import OrganizationFilter

from .models import ACTIVE_STATUSES, Education, Member, MemberStatus, Occupation, Sex

ALL_STATUSES = "all"

# Age bands of the Party's statistics: (value, label, lowest age, highest age or None).
AGE_BANDS = [
    ("under30", _("Under 30"), 0, 29),
    ("30-39", _("30–39"), 30, 39),
    ("40-49", _("40–49"), 40, 49),
    ("50-59", _("50–59"), 50, 59),
    ("60-69", _("60–69"), 60, 69),
    ("70plus", _("70 and over"), 70, None),
]


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier; 29 February falls back to the 28th.

    Someone born on or before this date is at least ``years`` old on ``day`` (birthdays on
    29 February count from 1 March in other years, as ``Member.age`` does).
    """
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_band_q(band: str, today: dt.date) -> Q:
    """Members whose age on ``today`` is within the band."""
    for value, _label, lowest, highest in AGE_BANDS:
        if value == band:
            condition = Q(birth_date__lte=years_before(today, lowest))
            if highest is not None:
                condition &= Q(birth_date__gt=years_before(today, highest + 1))
            return condition
    return Q(pk__in=[])


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class MemberFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=pgettext_lazy("person", "Name or pinyin"))
    # A search over the user's scope, not a <select>: a province has 60,000 organizations.
    organization = OrganizationFilter(method="in_subtree", label=_("Party organization"))
    status = django_filters.ChoiceFilter(
        choices=[(ALL_STATUSES, _("All, including former members")), *MemberStatus.choices],
        empty_label=_("Current members"),
        method="with_status",
        label=_("Status"),
    )
    sex = django_filters.ChoiceFilter(choices=Sex.choices, label=_("Sex"))
    age = django_filters.ChoiceFilter(
        choices=[(value, label) for value, label, _lo, _hi in AGE_BANDS],
        method="in_age_band",
        label=_("Age"),
    )
    education = django_filters.ChoiceFilter(choices=Education.choices, label=_("Education"))
    occupation = django_filters.ChoiceFilter(choices=Occupation.choices, label=_("Occupation"))
    mobile = django_filters.ChoiceFilter(
        choices=YES_NO, method="flag", label=_("Mobile member"), field_name="is_mobile"
    )
    arrears = django_filters.ChoiceFilter(
        choices=YES_NO, method="flag", label=_("Dues in arrears"), field_name="in_arrears"
    )

    class Meta:
        model = Member
        fields = [
            "q",
            "organization",
            "status",
            "sex",
            "age",
            "education",
            "occupation",
            "mobile",
            "arrears",
        ]

    def __init__(self, data=None, *args, **kwargs):
        # Bound even without a query, so that the default (current members only) applies.
        super().__init__(data if data is not None else {}, *args, **kwargs)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=ACTIVE_STATUSES)
        return queryset

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(name_search_q(value))

    def in_subtree(self, queryset: QuerySet, name: str, value: Organization) -> QuerySet:
        return queryset.filter(subtree_q(value.path, "org_path"))

    def with_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == ALL_STATUSES:
            return queryset
        return queryset.filter(status=value)

    def in_age_band(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(age_band_q(value, dt.date.today()))

    def flag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**{name: value == "yes"})
