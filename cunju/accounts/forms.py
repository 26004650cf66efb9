from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from cunju.core.personal_data import ID_NUMBER, PHONE, PersonalDataFormMixin, PersonalFormField
from cunju.organizations.picker import Offer, OrganizationField

from .roles import ASSIGNABLE_ROLES, Role


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput,
        help_text=password_validation.password_validators_help_text_html,
    )
    new_password_again = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class UserForm(PersonalDataFormMixin, forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=50)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    scope = OrganizationField(label=_("Scope"), required=False)
    id_number = PersonalFormField(kind=ID_NUMBER, label=_("ID number"), required=False)
    phone = PersonalFormField(kind=PHONE, label=_("Mobile phone"), required=False)
    password = forms.CharField(label=_("Initial password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].source = Offer(user)
        allowed = ASSIGNABLE_ROLES.get(user.role, set())
        self.fields["role"].choices = [(v, lbl) for v, lbl in Role.choices if v in allowed]
