"""Forms of the member register; every change they carry goes through an action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cunju.core.personal_data import (
    ID_NUMBER,
    PHONE,
    PersonalDataFormMixin,
    PersonalFormField,
)
from cunju.organizations.picker import REGISTER_KINDS, Offer, OrganizationField

from .actions import manual_status_changes
from .models import (
    ETHNICITIES,
    Commendation,
    Difficulty,
    Education,
    Member,
    MemberStatus,
    Occupation,
    Sex,
)

NOTE_WIDGET = forms.Textarea(attrs={"rows": 3})


def date_field(label: Any, *, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}), **kwargs
    )


def member_organizations(user: Any, **narrowing: Any) -> Offer:
    """Organizations in the user's scope that keep a member register (not Party groups)."""
    return Offer(user, kinds=REGISTER_KINDS, **narrowing)


class MemberDetailsForm(PersonalDataFormMixin, forms.Form):
    """The personal details (``update_member`` changes exactly these)."""

    name = forms.CharField(max_length=50, label=pgettext_lazy("person", "Name"))
    sex = forms.ChoiceField(choices=Sex.choices, label=_("Sex"))
    ethnicity = forms.ChoiceField(
        choices=[(e, e) for e in ETHNICITIES], label=_("Ethnicity"), initial="汉族"
    )
    birth_date = date_field(_("Birth date"))
    id_number = PersonalFormField(kind=ID_NUMBER, label=_("ID number"), required=False)
    phone = PersonalFormField(kind=PHONE, label=_("Mobile phone"), required=False)
    education = forms.ChoiceField(choices=Education.choices, label=_("Education"))
    occupation = forms.ChoiceField(choices=Occupation.choices, label=_("Occupation"))
    work_unit = forms.CharField(max_length=100, label=_("Work unit"), required=False)
    address = forms.CharField(max_length=200, label=_("Address"), required=False)


class MemberRegisterForm(MemberDetailsForm):
    """Enter an existing member in the register (``register_member``)."""

    organization = OrganizationField(label=_("Party organization"))
    status = forms.ChoiceField(
        choices=[
            (MemberStatus.FULL, MemberStatus.FULL.label),
            (MemberStatus.PROBATIONARY, MemberStatus.PROBATIONARY.label),
        ],
        label=_("Status"),
    )
    admitted_on = date_field(
        _("Admitted on"), help_text=_("Date of the branch general meeting's vote.")
    )
    full_on = date_field(
        _("Full membership on"),
        required=False,
        help_text=_("Leave empty for a probationary member."),
    )
    is_mobile = forms.BooleanField(label=_("Mobile member"), required=False)

    field_order = ["organization", "name", "sex", "ethnicity", "birth_date", "id_number"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].source = member_organizations(user)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=(), label=_("New status"))
    on = date_field(_("From"), initial=dt.date.today)
    reason = forms.CharField(max_length=200, label=_("Reason"), required=False)

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = manual_status_changes(member.status)
        self.fields["status"].choices = [c for c in MemberStatus.choices if c[0] in allowed]


class MoveForm(forms.Form):
    organization = OrganizationField(label=_("New Party organization"))
    on = date_field(_("From"), initial=dt.date.today)
    reason = forms.CharField(max_length=200, label=_("Reason"), required=False)

    def __init__(self, *args: Any, user: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].source = member_organizations(
            user, exclude=member.organization_id
        )


class PostForm(forms.Form):
    title = forms.CharField(max_length=100, label=_("Post"))
    organization = OrganizationField(label=_("Party organization"), required=False)
    started_on = date_field(_("From"))
    ended_on = date_field(_("To"), required=False, help_text=_("Empty while the post is held."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].source = Offer(user)


class EndForm(forms.Form):
    on = date_field(_("Date"), initial=dt.date.today)


class CommendationForm(forms.Form):
    kind = forms.ChoiceField(choices=Commendation.Kind.choices, label=_("Kind"))
    date = date_field(_("Date"))
    title = forms.CharField(max_length=200, label=_("Award or punishment"))
    issuer = forms.CharField(max_length=100, label=_("Issued by"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE_WIDGET)


class DifficultyForm(forms.Form):
    kind = forms.ChoiceField(choices=Difficulty.Kind.choices, label=_("Kind"))
    since = date_field(_("Since"))
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE_WIDGET)


class FamilyMemberForm(forms.Form):
    name = forms.CharField(max_length=50, label=pgettext_lazy("person", "Name"))
    relation = forms.CharField(
        max_length=20, label=_("Relation"), help_text=_("e.g. spouse, son, daughter, mother")
    )
    birth_date = date_field(_("Birth date"), required=False)
    political_status = forms.CharField(max_length=30, label=_("Political status"), required=False)
    work_unit = forms.CharField(max_length=100, label=_("Work unit"), required=False)
