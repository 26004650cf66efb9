"""Filters for the shared lists."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import ACTION_LABELS
from .models import AuditEvent


def action_choices():
    return sorted(((name, str(label)) for name, label in ACTION_LABELS.items()), key=lambda c: c[1])


class AuditEventFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    action = django_filters.ChoiceFilter(choices=action_choices, label=_("Action"))
    outcome = django_filters.ChoiceFilter(choices=AuditEvent.Outcome.choices, label=_("Outcome"))
    since = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__lte",
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["q", "action", "outcome", "since", "until"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(
            Q(username__icontains=value) | Q(object_repr__icontains=value) | Q(ip__startswith=value)
        )
