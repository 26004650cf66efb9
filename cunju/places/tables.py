import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import Place


class PlaceTable(tables.Table):
    name = tables.Column(linkify=True, verbose_name=_("Name"), order_by=("name_pinyin",))
    parent = tables.Column(verbose_name=_("Belongs to"), order_by=("parent__name_pinyin",))

    class Meta:
        model = Place
        fields = ["name", "kind", "code", "parent"]
        attrs = {"class": "table"}
        empty_text = _("No places match.")
