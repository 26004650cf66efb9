from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Place


class PlaceForm(forms.Form):
    parent = forms.ModelChoiceField(
        queryset=Place.objects.none(), label=_("Belongs to"), required=False
    )
    kind = forms.ChoiceField(choices=Place.Kind.choices, label=_("Kind"))
    name = forms.CharField(max_length=100, label=_("Name"))
    code = forms.CharField(max_length=20, label=_("Division code"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Place.objects.for_user(user)
        self.fields["parent"].required = not user.sees_everything


class PlaceEditForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Name"))
    code = forms.CharField(max_length=20, label=_("Division code"), required=False)
