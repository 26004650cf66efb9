"""``{% points_balance user %}``: the balance the top bar shows."""

from django import template

from .. import ledger

register = template.Library()


@register.simple_tag
def points_balance(user) -> int:
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return 0
    return ledger.balance(user)
