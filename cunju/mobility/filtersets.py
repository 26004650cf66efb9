import datetime as dt

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cunju.core.pinyin import name_search_q

from .models import MobileRecord, Transfer


class MobileRecordFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name, place or work unit"))
    direction = django_filters.ChoiceFilter(
        choices=MobileRecord.Direction.choices, label=_("Direction")
    )
    state = django_filters.ChoiceFilter(
        choices=[("open", _("Away now")), ("ended", _("Ended"))],
        method="filter_state",
        label=_("State"),
    )
    region_code = django_filters.CharFilter(
        field_name="region_code", lookup_expr="startswith", label=_("Division code")
    )

    class Meta:
        model = MobileRecord
        fields = ["q", "direction", "state", "region_code"]

    def search(self, queryset, name, value):
        return queryset.filter(
            name_search_q(value, prefix="member__")
            | Q(name__icontains=value)
            | Q(place__icontains=value)
            | Q(work_unit__icontains=value)
        )

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        if value == "ended":
            return queryset.filter(ended_on__lte=dt.date.today())
        return queryset


class TransferFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or letter number"))
    status = django_filters.ChoiceFilter(choices=Transfer.Status.choices, label=_("Status"))

    class Meta:
        model = Transfer
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(
            name_search_q(value, prefix="member__") | Q(letter_number__icontains=value)
        )
