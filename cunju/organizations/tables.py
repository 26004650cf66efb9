import datetime as dt

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cunju.core.tables import DayColumn

from .models import Organization, Term


class OrganizationTable(tables.Table):
    name = tables.Column(verbose_name=_("Name"), order_by=("path",))
    place = tables.Column(verbose_name=_("Place"), order_by=("place__name_pinyin",))

    class Meta:
        model = Organization
        fields = ["name", "kind", "category", "place"]
        attrs = {"class": "table"}
        empty_text = _("No organizations match.")

    def render_name(self, record, value):
        # Indent by depth so the list reads as the tree it is.
        link = format_html(
            '<a href="{}" style="padding-left:{}em">{}</a>',
            record.get_absolute_url(),
            record.depth,
            value,
        )
        if record.dissolved_on is None:
            return link
        return format_html(
            '{} <span class="muted">{}</span>',
            link,
            _("dissolved on %(date)s") % {"date": record.dissolved_on.isoformat()},
        )


class ElectionTable(tables.Table):
    """Terms due for re-election (换届), the most overdue first."""

    organization = tables.Column(verbose_name=_("Organization"), order_by=("organization__path",))
    elected_on = DayColumn(verbose_name=_("Elected on"))
    term_years = tables.Column(verbose_name=_("Term (years)"))
    due_on = DayColumn(verbose_name=_("Next election due on"))
    state = tables.Column(verbose_name=_("State"), empty_values=(), orderable=False)

    class Meta:
        model = Term
        fields = ["organization", "elected_on", "term_years", "due_on", "state"]
        order_by = ["due_on"]
        attrs = {"class": "table"}
        empty_text = _("No committee is due for re-election.")

    def render_organization(self, record, value):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)

    def render_state(self, record):
        return election_state(record)


def election_state(term: Term) -> str:
    """ "Overdue by N days" or "due in N days", as the elections page says it."""
    days = (term.due_on - dt.date.today()).days
    if days < 0:
        return _("Overdue by %(n)d days") % {"n": -days}
    if days == 0:
        return _("Due today")
    return _("Due in %(n)d days") % {"n": days}
