import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category, Way


class MonthField(forms.DateField):
    """A month typed as 2026-11 (a browser month picker); stored as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


def this_month() -> dt.date:
    return dt.date.today().replace(day=1)


class BasisForm(forms.Form):
    from_month = MonthField(label=_("From month"), initial=this_month)
    category = forms.ChoiceField(choices=Category.choices, label=_("Category"))
    monthly_income = forms.DecimalField(
        label=_("Monthly base (yuan)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text=_(
            "After-tax regular monthly income, or the pension for retirees; not needed for "
            "farmers, students, unemployed members and members on relief or 低保."
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PaymentForm(forms.Form):
    first_month = MonthField(label=_("First month paid for"))
    months = forms.IntegerField(label=_("Number of months"), min_value=1, max_value=12, initial=1)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), min_value=Decimal("0"), max_digits=10, decimal_places=2
    )
    way = forms.ChoiceField(choices=Way.choices, label=_("Paid by"), initial=Way.CASH)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("Transaction number of a transfer or online payment."),
    )
    paid_on = forms.DateField(
        label=_("Paid on"),
        initial=dt.date.today,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ExemptionForm(forms.Form):
    first_month = MonthField(label=_("First month"), initial=this_month)
    last_month = MonthField(label=_("Last month"))
    monthly_amount = forms.DecimalField(
        label=_("Reduced monthly amount (yuan)"),
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        initial=Decimal("0.00"),
        help_text=_("0.00 waives the dues for these months."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class LedgerForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)
