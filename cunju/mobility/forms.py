"""Mobility forms: they parse input; the actions decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cunju.core.personal_data import PHONE, PersonalDataFormMixin, PersonalFormField
from cunju.members.models import Member
from cunju.members.picker import MemberField, MemberOffer
from cunju.organizations.picker import Offer, OrganizationField

from .actions import MEMBER_KINDS
from .models import MobileRecord, MobileReport
from .receivers import Receivers


def date_field(label: Any, *, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


def note_field() -> forms.CharField:
    return forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


CODE_HELP = _("Six-digit GB/T 2260 code of the county or city, e.g. 320506.")


class OutflowForm(PersonalDataFormMixin, forms.Form):
    member = MemberField(label=_("Party member"))
    place = forms.CharField(max_length=200, label=_("Where to"))
    region_code = forms.CharField(max_length=6, label=_("Division code"), help_text=CODE_HELP)
    away_since = date_field(_("Away since"))
    expected_return = date_field(
        _("Expected return"),
        required=False,
        help_text=_("Leave empty when the member does not plan to come back."),
    )
    fixed_place = forms.BooleanField(
        label=_("Lives at a fixed place there"), required=False, initial=True
    )
    transfer_possible = forms.BooleanField(
        label=_("The relation can be transferred"), required=False, initial=True
    )
    phone = PersonalFormField(kind=PHONE, label=_("Contact phone"), required=False)
    work_unit = forms.CharField(max_length=100, label=_("Work unit"), required=False)
    job = forms.CharField(max_length=100, label=_("Job"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].source = MemberOffer(user, status="active")


class InflowForm(PersonalDataFormMixin, forms.Form):
    organization = OrganizationField(label=_("Party organization here"))
    name = forms.CharField(max_length=50, label=pgettext_lazy("person", "Name"))
    home_organization = forms.CharField(max_length=100, label=_("Home Party organization"))
    region_code = forms.CharField(
        max_length=6, label=_("Division code of the home"), help_text=CODE_HELP
    )
    place = forms.CharField(max_length=200, label=_("Lives at"))
    away_since = date_field(_("Here since"))
    expected_return = date_field(_("Expected to leave"), required=False)
    phone = PersonalFormField(kind=PHONE, label=_("Contact phone"), required=False)
    work_unit = forms.CharField(max_length=100, label=_("Work unit"), required=False)
    job = forms.CharField(max_length=100, label=_("Job"), required=False)
    card_number = forms.CharField(max_length=50, label=_("Activity card number"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].source = Offer(user, kinds=MEMBER_KINDS)


class EndForm(forms.Form):
    on = date_field(_("Date"), initial=dt.date.today)
    reason = forms.ChoiceField(choices=MobileRecord.EndReason.choices, label=_("Reason"))


class ReportForm(forms.Form):
    date = date_field(_("Date"), initial=dt.date.today)
    way = forms.ChoiceField(choices=MobileReport.Way.choices, label=_("Way"))
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 4}))


class CardForm(forms.Form):
    number = forms.CharField(max_length=50, label=_("Card number"))
    issued_on = date_field(_("Issued on"), initial=dt.date.today)
    valid_until = date_field(
        _("Valid until"),
        required=False,
        help_text=_("Leave empty for the usual validity."),
    )


class ReceiverField(OrganizationField):
    """An organization of the system chosen from the search, or named by what was typed."""

    def __init__(self, *args: Any, exclude: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, source=Receivers(exclude), **kwargs)


class TransferForm(forms.Form):
    to_organization = ReceiverField(
        label=_("To an organization in this system"),
        required=False,
        help_text=_("Search by name or pinyin; every organization in the system can receive."),
    )
    to_name = forms.CharField(
        max_length=150, label=_("Or to an organization outside the system"), required=False
    )
    to_region_code = forms.CharField(
        max_length=6,
        label=_("Division code of the destination"),
        required=False,
        help_text=_("Needed for organizations outside the system; decides the validity."),
    )
    letter_number = forms.CharField(max_length=50, label=_("Letter number"))
    issued_on = date_field(_("Issued on"), initial=dt.date.today)
    valid_until = date_field(
        _("Valid until"),
        required=False,
        help_text=_(
            "Leave empty for the longest validity: 3 months within the province, 6 across."
        ),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every organization members belong to, also outside the user's scope: a letter may go
        # anywhere in the system. Only names show; nothing about those organizations' members.
        self.fields["to_organization"].source = Receivers(member.organization_id)


class DateForm(forms.Form):
    on = date_field(_("Date"), initial=dt.date.today)


class RejectForm(forms.Form):
    on = date_field(_("Date"), initial=dt.date.today)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReissueForm(forms.Form):
    letter_number = forms.CharField(max_length=50, label=_("New letter number"))
    issued_on = date_field(_("Issued on"), initial=dt.date.today)
    valid_until = date_field(_("Valid until"), required=False)
