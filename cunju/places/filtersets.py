import django_filters
from django.utils.translation import gettext_lazy as _

from cunju.core.pinyin import name_search_q

from .models import Place


class PlaceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or pinyin"))
    kind = django_filters.ChoiceFilter(choices=Place.Kind.choices, label=_("Kind"))

    class Meta:
        model = Place
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(
            name_search_q(value) | django_filters.filters.Q(code__startswith=value)
        )
