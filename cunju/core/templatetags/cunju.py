"""Template helpers shared by every module."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def yuan(value):
    """Money in yuan with two decimals and thousands separators: ¥1,234.50."""
    if value in (None, ""):
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"))
    return f"¥{amount:,.2f}"
