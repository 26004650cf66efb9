"""Forms of the development pages: one per step, parsed here and decided by the actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cunju.core.personal_data import PersonalDataFormMixin
from cunju.members.models import Education, Occupation, Sex
from cunju.members.picker import MemberMultiField, MemberOffer
from cunju.organizations.models import Organization
from cunju.organizations.picker import BRANCH_KINDS, Offer, OrganizationField

from .actions import entitled_voters


def date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


def note_field(label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ApplicantForm(PersonalDataFormMixin, forms.Form):
    branch = OrganizationField(label=_("Party branch"))
    name = forms.CharField(max_length=50, label=pgettext_lazy("person", "Name"))
    sex = forms.ChoiceField(choices=Sex.choices, label=_("Sex"))
    birth_date = date_field(_("Birth date"))
    id_number = forms.CharField(max_length=18, required=False, label=_("ID number"))
    phone = forms.CharField(max_length=20, required=False, label=_("Mobile phone"))
    education = forms.ChoiceField(choices=Education.choices, label=_("Education"))
    occupation = forms.ChoiceField(choices=Occupation.choices, label=_("Occupation"))
    applied_on = date_field(_("Application received on"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].source = Offer(user, kinds=BRANCH_KINDS)


def members_near(user: Any, branch: Organization) -> MemberOffer:
    """Full members the user may see in the committee the branch belongs to."""
    root = branch.parent or branch
    return MemberOffer(user, status="full", under=root.pk)


class StepForm(forms.Form):
    """A dated step; subclasses add what the step needs."""

    on = date_field(_("Date"))

    def __init__(self, *args: Any, applicant: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("on", dt.date.today())
        super().__init__(*args, **kwargs)
        self.applicant = applicant
        self.user = user


class TalkForm(StepForm):
    note = note_field()
    late_reason = forms.CharField(
        label=_("Reason for a late talk"),
        required=False,
        help_text=_("Needed only when the talk was more than a month after the application."),
    )


class NoticeForm(StepForm):
    on = date_field(
        _("Starts on"), help_text=_("The end date is counted in working days, with 调休.")
    )
    note = note_field()

    def arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["starts_on"] = data.pop("on")
        return data


class ActivistForm(StepForm):
    on = date_field(_("Named by the branch committee on"))
    contacts = MemberMultiField(
        label=_("Cultivation contacts"), help_text=_("One or two full members.")
    )
    note = note_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts"].source = members_near(self.user, self.applicant.branch)

    def arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["contacts"] = list(data["contacts"])
        return data


class NoteStepForm(StepForm):
    note = note_field()


class IntroducersForm(StepForm):
    introducers = MemberMultiField(label=_("Introducers"), help_text=_("Two full members."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["introducers"].source = members_near(self.user, self.applicant.branch)

    def arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["introducers"] = list(data["introducers"])
        return data


class TrainingForm(StepForm):
    on = date_field(_("Completed on"))
    days = forms.IntegerField(label=_("Days"), required=False, min_value=0, max_value=365)
    hours = forms.IntegerField(label=_("Class hours"), required=False, min_value=0, max_value=999)
    note = note_field()


class VoteForm(StepForm):
    on = date_field(_("Held on"))
    yes = forms.IntegerField(label=_("Yes"), min_value=0)
    no = forms.IntegerField(label=_("No"), min_value=0)
    abstain = forms.IntegerField(label=_("Abstain"), min_value=0)
    entitled = forms.IntegerField(
        label=_("Full members entitled to vote"), required=False, min_value=0
    )
    note = note_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        count = entitled_voters(self.applicant.branch, dt.date.today())
        self.fields["entitled"].help_text = _(
            "Leave empty to use the register: on the vote date, the branch's full members, "
            "without suspended members; members away on an activity card count, as they vote "
            "at home (today: %(count)d)."
        ) % {"count": count}

    def arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["held_on"] = data.pop("on")
        return data


class ApproveForm(StepForm):
    on = date_field(_("Approved on"))
    special_reason = forms.CharField(
        label=_("Special reason"),
        required=False,
        help_text=_("Needed when approving more than 3 months after the vote (at most 6)."),
    )


class RefuseForm(StepForm):
    on = date_field(_("Decided on"))
    reason = forms.CharField(
        label=_("Reason given by the higher committee"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProbationDecisionForm(StepForm):
    """Extension or cancellation: the branch meeting decides, the higher committee approves."""

    meeting_on = date_field(_("Decided by the branch general meeting on"))
    on = date_field(_("Approved by the higher committee on"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    special_reason = forms.CharField(
        label=_("Special reason"),
        required=False,
        help_text=_("Needed when approving more than 3 months after the meeting (at most 6)."),
    )

    field_order = ["meeting_on", "on", "months", "reason", "special_reason"]


class ExtendForm(ProbationDecisionForm):
    months = forms.IntegerField(label=_("Months"), min_value=1, max_value=24)


class CancelForm(ProbationDecisionForm):
    pass
