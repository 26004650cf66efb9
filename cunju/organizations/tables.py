import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Organization


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
        return format_html(
            '<a href="{}" style="padding-left:{}em">{}</a>',
            record.get_absolute_url(),
            record.depth,
            value,
        )
