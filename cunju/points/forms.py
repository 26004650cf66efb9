from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import MAX_MANUAL_POINTS


class GrantForm(forms.Form):
    """An administrator's hand posting: grant or deduct a number of points, with a reason."""

    GRANT = "grant"
    DEDUCT = "deduct"

    direction = forms.ChoiceField(
        label=_("Grant or deduct"),
        choices=[(GRANT, _("Grant points")), (DEDUCT, _("Deduct points"))],
        initial=GRANT,
        widget=forms.RadioSelect,
    )
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=MAX_MANUAL_POINTS)
    memo = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Shown to the user in their points ledger."),
    )

    def signed_amount(self) -> int:
        points = self.cleaned_data["points"]
        return -points if self.cleaned_data["direction"] == self.DEDUCT else points
