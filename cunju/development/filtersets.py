import django_filters
from django.utils.translation import gettext_lazy as _

from cunju.core.pinyin import name_search_q
from cunju.organizations.models import Organization

from .models import Applicant, Stage


def branches(request):
    if request is None:
        return Organization.objects.none()
    return Organization.objects.for_user(request.user).filter(
        kind__in=[Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH]
    )


class ApplicantFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or pinyin"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"))
    branch = django_filters.ModelChoiceFilter(queryset=branches, label=_("Party branch"))

    class Meta:
        model = Applicant
        fields = ["q", "stage", "branch"]

    def search(self, queryset, name, value):
        return queryset.filter(name_search_q(value))
