import datetime as dt

import django_filters
from django.utils.translation import gettext_lazy as _

from cunju.core.pinyin import name_search_q

from .models import Organization, Term


class OrganizationFilterSet(django_filters.FilterSet):
    STATES = [("dissolved", _("Dissolved or merged")), ("all", _("All, dissolved too"))]

    q = django_filters.CharFilter(method="search", label=_("Name or pinyin"))
    kind = django_filters.ChoiceFilter(choices=Organization.Kind.choices, label=_("Kind"))
    category = django_filters.ChoiceFilter(
        choices=Organization.Category.choices, label=_("Category")
    )
    state = django_filters.ChoiceFilter(
        choices=STATES, method="by_state", label=_("State"), empty_label=_("Current")
    )

    class Meta:
        model = Organization
        fields = ["q", "kind", "category", "state"]

    def search(self, queryset, name, value):
        return queryset.filter(name_search_q(value))

    def by_state(self, queryset, name, value):
        if value == "dissolved":
            return queryset.filter(dissolved_on__isnull=False)
        return queryset

    @property
    def qs(self):
        # The current organizations unless the dissolved ones are asked for (also when no
        # filter is given at all, which leaves the filters unapplied).
        queryset = super().qs
        asked = self.is_bound and self.is_valid() and self.form.cleaned_data.get("state")
        return queryset if asked else queryset.filter(dissolved_on__isnull=True)


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
