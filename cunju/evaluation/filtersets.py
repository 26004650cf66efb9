import django_filters
from django.utils.translation import gettext_lazy as _

from cunju.organizations.models import Organization
from cunju.organizations.picker import OrganizationFilter

from .models import EvaluationRound, Stage


class EvaluationRoundFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    branch = OrganizationFilter(kinds=(Organization.Kind.BRANCH,), label=_("Party branch"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"))

    class Meta:
        model = EvaluationRound
        fields = ["year", "branch", "stage"]
