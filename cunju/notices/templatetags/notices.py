"""``{% unread_notices user %}``: the unread count the top bar shows."""

from django import template

from ..models import Notice

register = template.Library()


@register.simple_tag
def unread_notices(user) -> int:
    return Notice.objects.for_recipient(user).unread().count()
