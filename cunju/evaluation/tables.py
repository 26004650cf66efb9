import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from cunju.core.tables import DayColumn

from .models import EvaluationRound


class EvaluationRoundTable(tables.Table):
    year = tables.Column(linkify=True, verbose_name=_("Year"))
    branch = tables.Column(verbose_name=_("Party branch"), order_by=("branch__path",))
    stage = tables.Column(verbose_name=_("Stage"))
    opened_on = DayColumn(verbose_name=_("Opened on"))
    closed_on = DayColumn(verbose_name=_("Closed on"))
    participant_count = tables.Column(verbose_name=_("Participants"))
    graded_count = tables.Column(verbose_name=_("Graded"))
    excellent_count = tables.Column(verbose_name=_("Excellent"))

    class Meta:
        model = EvaluationRound
        fields = [
            "year",
            "branch",
            "stage",
            "opened_on",
            "closed_on",
            "participant_count",
            "graded_count",
            "excellent_count",
        ]
        attrs = {"class": "table"}
        empty_text = _("No evaluation rounds match.")
