import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cunju.core.tables import ONE_LINE, DayColumn

from .models import Applicant


class ApplicantTable(tables.Table):
    name = tables.Column(
        linkify=True,
        verbose_name=pgettext_lazy("person", "Name"),
        attrs=ONE_LINE,
        order_by=("name_pinyin",),
    )
    branch = tables.Column(verbose_name=_("Party branch"), order_by=("branch__name_pinyin",))
    applied_on = DayColumn(verbose_name=_("Applied on"))
    activist_on = DayColumn(verbose_name=_("Activist from"))
    candidate_on = DayColumn(verbose_name=_("Candidate from"))
    admission_vote_on = DayColumn(verbose_name=_("Admission vote"))
    full_on = DayColumn(verbose_name=_("Full member from"))

    class Meta:
        model = Applicant
        fields = [
            "name",
            "sex",
            "branch",
            "stage",
            "applied_on",
            "activist_on",
            "candidate_on",
            "admission_vote_on",
            "full_on",
        ]
        attrs = {"class": "table"}
        empty_text = _("Nobody matches.")
