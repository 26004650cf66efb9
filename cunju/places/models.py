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
    areas (小区) under it (村居合一). The row holds the place as it is today; what it was
    on an earlier date lives in its ``PlaceVersion`` rows, and merges, splits and renames
    in ``PlaceEvent``.
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
        UNIT = "unit", _("Unit (entrance)")

    # Which kinds may hang under which: keeps imports and forms honest.
    ALLOWED_CHILDREN = {
        None: {"province", "city", "county", "town"},
        "province": {"city", "county"},
        # Cities without counties (东莞市, 中山市) govern towns directly.
        "city": {"county", "town"},
        "county": {"town"},
        "town": {"community", "village", "residential_area"},
        "community": {"village", "residential_area"},
        "village": {"residential_area", "building"},
        "residential_area": {"building"},
        "building": {"unit"},
        "unit": set(),
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


class PlaceVersion(models.Model):
    """One stretch of a place's life (沿革): its name, kind, parent, path and code.

    ``valid_from`` is the first day of the stretch (empty: since before the records begin),
    ``valid_to`` the first day of the next one (empty: still so). The effective date of a
    change therefore belongs to the new state.
    """

    place = models.ForeignKey(
        Place, on_delete=models.CASCADE, related_name="versions", verbose_name=_("place")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Place.Kind.choices)
    parent = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("belonged to"),
    )
    path = models.CharField(_("tree path"), max_length=255)
    code = models.CharField(_("division code"), max_length=20, blank=True)
    event = models.ForeignKey(
        "PlaceEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="versions",
        verbose_name=_("event"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_tree = "place"
    scope_lookup = "place__path"

    class Meta:
        verbose_name = _("place version")
        verbose_name_plural = _("place versions")
        # "Since before the records" sorts first on SQLite and PostgreSQL alike.
        ordering = ["place", models.F("valid_from").asc(nulls_first=True), "id"]
        indexes = [models.Index(fields=["valid_from", "valid_to"])]
        constraints = [
            models.UniqueConstraint(
                fields=["place"],
                condition=models.Q(valid_to__isnull=True),
                name="place_version_one_current",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="place_version_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from or '…'} – {self.valid_to or '…'})"

    def get_kind_display(self) -> str:
        return str(Place.Kind(self.kind).label)


class PlaceEvent(models.Model):
    """A dated change of the place tree: a merge (村居合一), a split or a rename.

    ``place`` is the place the event is about (the community of a merge or split, the
    renamed place); ``places`` are the places that moved. Their names are kept as they read
    on the day in ``details``, so the sentence stays true after later renames.
    """

    class Kind(models.TextChoices):
        MERGE = "merge", _("Merge")
        SPLIT = "split", _("Split")
        RENAME = "rename", _("Rename")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    effective_on = models.DateField(_("effective on"))
    place = models.ForeignKey(
        Place, on_delete=models.CASCADE, related_name="events", verbose_name=_("place")
    )
    places = models.ManyToManyField(
        Place, related_name="involved_in", blank=True, verbose_name=_("places involved")
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_tree = "place"
    scope_lookup = "place__path"

    class Meta:
        verbose_name = _("place event")
        verbose_name_plural = _("place events")
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return f"{self.effective_on:%Y-%m-%d} {self.summary()}"

    def summary(self) -> str:
        """The event as one sentence, e.g. "由新桥村、南湾村、湖滨花苑合并组建"."""
        from django.utils.translation import gettext as _t
        from django.utils.translation import pgettext

        d = self.details
        # Chinese lists names with 、: "由新桥村、南湾村、湖滨花苑合并组建".
        names = pgettext("separator between place names", ", ").join(d.get("names", []))
        if self.kind == self.Kind.MERGE:
            if d.get("new"):
                return _t("Formed by merging %(names)s") % {"names": names}
            return _t("%(names)s joined %(community)s") % {
                "names": names,
                "community": d.get("community", ""),
            }
        if self.kind == self.Kind.SPLIT:
            if d.get("new_community"):
                return _t("%(names)s left %(community)s to form %(new)s") % {
                    "names": names,
                    "community": d.get("community", ""),
                    "new": d["new_community"],
                }
            return _t("%(names)s left %(community)s and went back under %(town)s") % {
                "names": names,
                "community": d.get("community", ""),
                "town": d.get("town", ""),
            }
        return _t("Renamed from %(old)s to %(new)s") % {
            "old": d.get("old_name", ""),
            "new": d.get("new_name", ""),
        }
