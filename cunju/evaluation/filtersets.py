import django_filters
from django.utils.translation import gettext_lazy as _

from cunju.organizations.models import Organization

from .models import EvaluationRound, Stage


def branches_in_scope(request):
    if request is None:
        return Organization.objects.none()
    return Organization.objects.for_user(request.user).filter(kind=Organization.Kind.BRANCH)


class EvaluationRoundFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    branch = django_filters.ModelChoiceFilter(queryset=branches_in_scope, label=_("Party branch"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"))

    class Meta:
        model = EvaluationRound
        fields = ["year", "branch", "stage"]
