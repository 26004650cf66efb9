"""The member register as a table."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cunju.core.tables import ONE_LINE

from .models import Member


class MemberTable(tables.Table):
    name = tables.Column(
        linkify=True,
        verbose_name=pgettext_lazy("person", "Name"),
        attrs=ONE_LINE,
        order_by=("name_pinyin", "id"),
    )
    sex = tables.Column(verbose_name=_("Sex"))
    age = tables.Column(
        accessor="birth_date", verbose_name=_("Age"), order_by=("-birth_date", "name_pinyin")
    )
    organization = tables.Column(
        verbose_name=_("Party organization"), order_by=("organization__name_pinyin", "name_pinyin")
    )
    status = tables.Column(verbose_name=_("Status"))
    education = tables.Column(verbose_name=_("Education"))
    occupation = tables.Column(verbose_name=_("Occupation"))
    is_mobile = tables.BooleanColumn(verbose_name=_("Mobile member"))
    standing = tables.Column(
        accessor="full_on",
        verbose_name=_("Party standing"),
        order_by=("-full_on", "name_pinyin"),
        default="—",
    )
    phone = tables.Column(verbose_name=_("Mobile phone"), orderable=False, default="—")

    class Meta:
        model = Member
        fields = [
            "name",
            "sex",
            "age",
            "organization",
            "status",
            "education",
            "occupation",
            "is_mobile",
            "standing",
            "phone",
        ]
        attrs = {"class": "table"}
        empty_text = _("No members match.")

    def render_age(self, record: Member) -> int:
        return record.age()

    def render_standing(self, record: Member) -> str:
        years = record.party_standing()
        return "—" if years is None else str(years)

    def render_phone(self, value) -> str:
        return str(value) if value else "—"
