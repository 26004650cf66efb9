import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cunju.core.tables import ONE_LINE
from cunju.core.templatetags.cunju import yuan
from cunju.members.models import Member

from .amounts import monthly_amount
from .models import Category


class DuesMemberTable(tables.Table):
    name = tables.Column(
        verbose_name=pgettext_lazy("person", "Name"),
        attrs=ONE_LINE,
        order_by=("name_pinyin",),
        linkify=lambda record: reverse("dues:member", args=[record.pk]),
    )
    organization = tables.Column(
        verbose_name=_("Party organization"), order_by=("organization__name_pinyin",)
    )
    dues_category = tables.Column(verbose_name=_("Dues category"), default="—")
    monthly = tables.Column(
        verbose_name=_("Monthly dues"),
        empty_values=(),
        orderable=False,
        attrs={"td": {"class": "num"}},
    )
    last_paid = tables.Column(verbose_name=_("Last month paid"), default="—")
    in_arrears = tables.BooleanColumn(verbose_name=_("In arrears"))

    class Meta:
        model = Member
        fields = ["name", "organization", "dues_category", "monthly", "last_paid", "in_arrears"]
        attrs = {"class": "table"}
        empty_text = _("No members match.")

    def render_dues_category(self, value):
        return Category(value).label if value in Category.values else "—"

    def render_monthly(self, record):
        return yuan(monthly_amount(record))

    def render_last_paid(self, value):
        return value.strftime("%Y-%m")
