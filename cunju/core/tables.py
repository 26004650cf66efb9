"""Tables for the shared lists."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent

# Short values a narrow column would otherwise break: a date at its hyphens, a name between
# its characters.
ONE_LINE = {"td": {"class": "nowrap"}}


class DayColumn(tables.DateColumn):
    """A date as 2026-11-29, on one line."""

    def __init__(self, *args, **kwargs):
        if not args:
            kwargs.setdefault("format", "Y-m-d")
        kwargs.setdefault("attrs", ONE_LINE)
        super().__init__(*args, **kwargs)


class AuditEventTable(tables.Table):
    at = tables.DateTimeColumn(format="Y-m-d H:i:s", verbose_name=_("Time"))
    changes = tables.Column(verbose_name=_("Changes"), orderable=False)

    class Meta:
        model = AuditEvent
        fields = ["at", "username", "ip", "action", "object_repr", "changes", "outcome", "message"]
        attrs = {"class": "table"}
        empty_text = _("Nothing here yet.")

    def render_action(self, record):
        return record.action_label

    def render_changes(self, value):
        if not value:
            return "—"
        return "; ".join(f"{k}: {v}" for k, v in value.items())[:200]
