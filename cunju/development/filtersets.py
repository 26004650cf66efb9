import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cunju.core.pinyin import name_search_q
from cunju.organizations.picker import BRANCH_KINDS, OrganizationFilter

from .models import Applicant, Stage


class ApplicantFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=pgettext_lazy("person", "Name or pinyin"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"))
    branch = OrganizationFilter(kinds=BRANCH_KINDS, label=_("Party branch"))

    class Meta:
        model = Applicant
        fields = ["q", "stage", "branch"]

    def search(self, queryset, name, value):
        return queryset.filter(name_search_q(value))
