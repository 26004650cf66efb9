"""Places (行政区划与社区): the territorial tree."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cunju.core.pinyin import NamePinyinMixin
from cunju.core.scoping import ScopedQuerySet
from cunju.core.tree import TreeNode, TreeQuerySet


class PlaceQuerySet(TreeQuerySet, ScopedQuerySet):
    pass


class Place(NamePinyinMixin, TreeNode):
    """A place: province, city, county, town, community, village, residential area…

    A rural community (农村社区) is formed by merging villages (行政村) and residential
    areas (小区) under it; the merge history arrives with the places module.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County / district")
        TOWN = "town", _("Town / township")
        COMMUNITY = "community", _("Community")
        VILLAGE = "village", _("Village")
        RESIDENTIAL_AREA = "residential_area", _("Residential area")
        BUILDING = "building", _("Building")

    # Which kinds may hang under which: keeps imports and forms honest.
    ALLOWED_CHILDREN = {
        None: {"province", "city", "county", "town"},
        "province": {"city", "county"},
        "city": {"county"},
        "county": {"town"},
        "town": {"community", "village", "residential_area"},
        "community": {"village", "residential_area"},
        "village": {"residential_area", "building"},
        "residential_area": {"building"},
        "building": set(),
    }

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("division code"),
        max_length=20,
        blank=True,
        help_text=_("GB/T 2260 code for counties and towns; entered by admins below that."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PlaceQuerySet.as_manager()
    scope_tree = "place"
    scope_lookup = "path"

    class Meta(TreeNode.Meta):
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="place_unique_name_per_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("places:detail", args=[self.pk])
