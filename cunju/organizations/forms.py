from django import forms
from django.utils.translation import gettext_lazy as _

from cunju.members.picker import MemberField, MemberOffer
from cunju.places.picker import PlaceField, PlaceOffer

from .models import CommitteeMember, Organization
from .picker import Offer, OrganizationField

PARENT_KINDS = tuple(k for k in Organization.Kind.values if k != Organization.Kind.GROUP)


class OrganizationForm(forms.Form):
    parent = OrganizationField(label=_("Higher organization"), required=False)
    kind = forms.ChoiceField(choices=Organization.Kind.choices, label=_("Kind"))
    category = forms.ChoiceField(choices=Organization.Category.choices, label=_("Category"))
    name = forms.CharField(max_length=100, label=_("Name"))
    short_name = forms.CharField(max_length=50, label=_("Short name"), required=False)
    place = PlaceField(label=_("Place"))
    founded_on = forms.DateField(
        label=_("Founded on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].source = Offer(user)
        self.fields["parent"].required = not user.sees_everything
        self.fields["place"].source = PlaceOffer(user)


class OrganizationEditForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Name"))
    short_name = forms.CharField(max_length=50, label=_("Short name"), required=False)
    category = forms.ChoiceField(choices=Organization.Category.choices, label=_("Category"))
    founded_on = forms.DateField(
        label=_("Founded on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class MoveForm(forms.Form):
    parent = OrganizationField(label=_("New higher organization"), required=False)
    on = forms.DateField(label=_("From"), widget=date_input())
    reason = forms.CharField(max_length=200, label=_("Reason"), required=False)

    def __init__(self, *args, user, org, **kwargs):
        super().__init__(*args, **kwargs)
        # Not under itself, and Party groups have no organizations under them.
        self.fields["parent"].source = Offer(user, kinds=PARENT_KINDS, exclude_under=org.pk)
        self.fields["parent"].required = not user.sees_everything


class DissolveForm(forms.Form):
    into = OrganizationField(
        label=_("Merge into"),
        required=False,
        help_text=_(
            "Its members and the organizations under it move there on the date. Leave empty "
            "to dissolve an organization that has none left."
        ),
    )
    on = forms.DateField(label=_("From"), widget=date_input())
    reason = forms.CharField(max_length=200, label=_("Reason"), required=False)

    def __init__(self, *args, user, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].source = Offer(user, kinds=PARENT_KINDS, exclude_under=org.pk)


def committee_candidates(user, org):
    """Full members under ``org`` the user may see: who can be elected to its committee."""
    return MemberOffer(user, status="full", under=org.pk)


class SeatFields(forms.Form):
    member = MemberField(label=_("Member from the register"), required=False)
    name = forms.CharField(
        max_length=50,
        label=_("Or a name"),
        required=False,
        help_text=_("For someone not in this register, e.g. a cadre posted from the town."),
    )

    def __init__(self, *args, user, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].source = committee_candidates(user, org)


class ElectForm(SeatFields):
    elected_on = forms.DateField(label=_("Elected on"), widget=date_input())
    note = forms.CharField(max_length=200, label=_("Note"), required=False)
    field_order = ["elected_on", "member", "name", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].label = _("Secretary from the register")
        self.fields["name"].label = _("Or the secretary's name")


class SeatForm(SeatFields):
    role = forms.ChoiceField(choices=CommitteeMember.Role.choices, label=_("Role"))
    on = forms.DateField(label=_("From"), widget=date_input())
    field_order = ["role", "member", "name", "on"]


class EndTermForm(forms.Form):
    on = forms.DateField(label=_("Ended on"), widget=date_input())
    reason = forms.CharField(max_length=200, label=_("Reason"), required=False)


class RemoveSeatForm(forms.Form):
    on = forms.DateField(label=_("Until"), required=False)


class AsOfForm(forms.Form):
    """The ``?on=`` of pages that can show an earlier date."""

    on = forms.DateField(label=_("As of"), required=False, widget=date_input())
