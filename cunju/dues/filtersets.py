import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cunju.core.pinyin import name_search_q
from cunju.members.filtersets import YES_NO
from cunju.members.models import Member
from cunju.organizations.models import Organization
from cunju.organizations.picker import OrganizationFilter

from .models import Category

# Party groups keep no dues of their own.
DUES_KINDS = tuple(k for k in Organization.Kind.values if k != Organization.Kind.GROUP)


class DuesMemberFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=pgettext_lazy("person", "Name or pinyin"))
    organization = OrganizationFilter(
        kinds=DUES_KINDS, method="in_organization", label=_("Party organization")
    )
    category = django_filters.ChoiceFilter(
        choices=Category.choices, field_name="dues_category", label=_("Dues category")
    )
    # Any, yes or no, as the register's flags ask it (a yes/no/unknown box read "unknown" when
    # nothing was chosen).
    in_arrears = django_filters.ChoiceFilter(
        choices=YES_NO, method="flag", label=_("In arrears"), field_name="in_arrears"
    )

    class Meta:
        model = Member
        fields = ["q", "organization", "category", "in_arrears"]

    def search(self, queryset, name, value):
        return queryset.filter(name_search_q(value))

    def flag(self, queryset, name, value):
        return queryset.filter(**{name: value == "yes"})

    def in_organization(self, queryset, name, value):
        from cunju.core.tree import subtree_q

        return queryset.filter(subtree_q(value.path, "org_path"))
