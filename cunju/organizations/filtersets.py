import datetime as dt

import django_filters
from django.utils.translation import gettext_lazy as _

from cunju.core.pinyin import name_search_q

from .models import Organization, Term


class OrganizationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or pinyin"))
    kind = django_filters.ChoiceFilter(choices=Organization.Kind.choices, label=_("Kind"))
    category = django_filters.ChoiceFilter(
        choices=Organization.Category.choices, label=_("Category")
    )

    class Meta:
        model = Organization
        fields = ["q", "kind", "category"]

    def search(self, queryset, name, value):
        return queryset.filter(name_search_q(value))


class ElectionFilterSet(django_filters.FilterSet):
    """Terms due for re-election: by organization name and whether already overdue."""

    STATES = [("overdue", _("Overdue")), ("soon", _("Due soon"))]

    q = django_filters.CharFilter(method="search", label=_("Organization"))
    state = django_filters.ChoiceFilter(choices=STATES, method="by_state", label=_("State"))

    class Meta:
        model = Term
        fields = ["q", "state"]

    def search(self, queryset, name, value):
        return queryset.filter(name_search_q(value, prefix="organization__"))

    def by_state(self, queryset, name, value):
        today = dt.date.today()
        if value == "overdue":
            return queryset.filter(due_on__lt=today)
        return queryset.filter(due_on__gte=today)
