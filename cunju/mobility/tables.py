import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cunju.core.tables import ONE_LINE, DayColumn

from .models import MobileRecord, Transfer


class MobileRecordTable(tables.Table):
    person = tables.Column(
        accessor="person_name",
        linkify=lambda record: record.get_absolute_url(),
        verbose_name=pgettext_lazy("person", "Name"),
        attrs=ONE_LINE,
        order_by=("member__name_pinyin", "name"),
    )
    direction = tables.Column(verbose_name=_("Direction"))
    organization = tables.Column(
        accessor="home_side", verbose_name=_("Party organization"), orderable=False
    )
    place = tables.Column(verbose_name=_("Place"))
    region_code = tables.Column(verbose_name=_("Division code"))
    away_since = DayColumn(verbose_name=_("Since"))
    expected_return = DayColumn(verbose_name=_("Expected return"))
    work_unit = tables.Column(verbose_name=_("Work unit"))
    ended_on = DayColumn(verbose_name=_("Ended on"))

    class Meta:
        model = MobileRecord
        fields = [
            "person",
            "direction",
            "organization",
            "place",
            "region_code",
            "away_since",
            "expected_return",
            "work_unit",
            "ended_on",
        ]
        attrs = {"class": "table"}
        empty_text = _("No mobile members match.")


class TransferTable(tables.Table):
    letter_number = tables.Column(linkify=True, verbose_name=_("Letter number"))
    member = tables.Column(accessor="member__name", verbose_name=_("Party member"))
    from_organization = tables.Column(verbose_name=_("From"))
    destination = tables.Column(accessor="destination_name", verbose_name=_("To"), orderable=False)
    issued_on = DayColumn(verbose_name=_("Issued on"))
    valid_until = DayColumn(verbose_name=_("Valid until"))
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = Transfer
        fields = [
            "letter_number",
            "member",
            "from_organization",
            "destination",
            "issued_on",
            "valid_until",
            "status",
        ]
        attrs = {"class": "table"}
        empty_text = _("No transfer letters.")
