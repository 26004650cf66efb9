from django import forms
from django.utils.translation import gettext_lazy as _

from cunju.places.models import Place

from .models import Organization


class OrganizationForm(forms.Form):
    parent = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=_("Higher organization"), required=False
    )
    kind = forms.ChoiceField(choices=Organization.Kind.choices, label=_("Kind"))
    category = forms.ChoiceField(choices=Organization.Category.choices, label=_("Category"))
    name = forms.CharField(max_length=100, label=_("Name"))
    short_name = forms.CharField(max_length=50, label=_("Short name"), required=False)
    place = forms.ModelChoiceField(queryset=Place.objects.none(), label=_("Place"))
    founded_on = forms.DateField(
        label=_("Founded on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Organization.objects.for_user(user)
        self.fields["parent"].required = not user.sees_everything
        self.fields["place"].queryset = Place.objects.for_user(user)


class OrganizationEditForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Name"))
    short_name = forms.CharField(max_length=50, label=_("Short name"), required=False)
    category = forms.ChoiceField(choices=Organization.Category.choices, label=_("Category"))
    founded_on = forms.DateField(
        label=_("Founded on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
