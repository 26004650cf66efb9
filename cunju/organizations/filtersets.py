import django_filters
from django.utils.translation import gettext_lazy as _

from cunju.core.pinyin import name_search_q

from .models import Organization


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
