from django import forms
from django.utils.translation import gettext_lazy as _

from cunju.core.tree import subtree_q

from .models import Place
from .picker import PlaceField, PlaceOffer

# Kinds a place may be added under (a unit holds nothing).
PARENT_KINDS = tuple(kind for kind, children in Place.ALLOWED_CHILDREN.items() if kind and children)


class PlaceForm(forms.Form):
    parent = PlaceField(label=_("Belongs to"), required=False)
    kind = forms.ChoiceField(choices=Place.Kind.choices, label=_("Kind"))
    name = forms.CharField(max_length=100, label=_("Name"))
    code = forms.CharField(max_length=20, label=_("Division code"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].source = PlaceOffer(user, kinds=PARENT_KINDS)
        self.fields["parent"].required = not user.sees_everything


class PlaceEditForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Name"))
    code = forms.CharField(max_length=20, label=_("Division code"), required=False)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def effective_on_field() -> forms.DateField:
    return forms.DateField(
        label=_("Effective on"),
        widget=DateInput(),
        help_text=_("The day the change takes effect; from that day on the new state holds."),
    )


MERGEABLE = (Place.Kind.VILLAGE, Place.Kind.RESIDENTIAL_AREA)


class MergeForm(forms.Form):
    """村居合一: pick villages and residential areas, the community, the date.

    The places offered are those of one town: the town given, or the only one in the user's
    scope. A scope of several towns (a county) first picks the town (``choosing_town``), then
    lists its places — never every village of the county at once.
    """

    town = PlaceField(label=_("Town / township"))
    places = forms.ModelMultipleChoiceField(
        queryset=Place.objects.none(),
        label=_("Villages and residential areas"),
        widget=forms.CheckboxSelectMultiple,
    )
    community = forms.ModelChoiceField(
        queryset=Place.objects.none(),
        label=_("Join an existing community"),
        required=False,
    )
    new_community_name = forms.CharField(
        max_length=100, label=_("Or form a new community called"), required=False
    )
    effective_on = effective_on_field()

    def __init__(self, *args, user, town: Place | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        offer = PlaceOffer(user, kinds=(Place.Kind.TOWN,))
        self.fields["town"].source = offer
        if town is None:
            towns = list(offer.queryset()[:2])
            town = towns[0] if len(towns) == 1 else None
        self.town = town
        self.choosing_town = town is None
        if self.choosing_town:
            for name in list(self.fields):
                if name != "town":
                    del self.fields[name]
            self.submit_label = _("Show its villages and residential areas")
            return
        self.initial.setdefault("town", town.pk)
        under = offer.tree().filter(subtree_q(town.path))
        self.fields["places"].queryset = (
            under.filter(kind__in=MERGEABLE).select_related("parent").order_by("path")
        )
        self.fields["places"].label_from_instance = lambda p: f"{p.name}（{p.parent}）"
        self.fields["community"].queryset = under.filter(kind=Place.Kind.COMMUNITY)

    @staticmethod
    def town_of(user, pk: str | None, text: str | None) -> Place | None:
        """The town a request names, by id or by typed name (None when none or several)."""
        offer = PlaceOffer(user, kinds=(Place.Kind.TOWN,))
        choice = offer.choice(pk) if pk else None
        if choice is None and text:
            choice, _candidates = offer.resolve(text)
        return choice.node if choice else None


class SplitForm(forms.Form):
    """Places leave a community: to a new community, or back under the town."""

    places = forms.ModelMultipleChoiceField(
        queryset=Place.objects.none(),
        label=_("Places that leave"),
        widget=forms.CheckboxSelectMultiple,
    )
    new_community_name = forms.CharField(
        max_length=100,
        label=_("Form a new community called"),
        required=False,
        help_text=_("Leave empty to put the places back directly under the town."),
    )
    effective_on = effective_on_field()

    def __init__(self, *args, community, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["places"].queryset = Place.objects.for_user(user).filter(parent=community)


class RenameForm(forms.Form):
    """A new name from a date on (the old one stays in the history)."""

    name = forms.CharField(max_length=100, label=_("New name"))
    effective_on = effective_on_field()
