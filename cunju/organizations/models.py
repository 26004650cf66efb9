"""Party organizations (党组织): the tree every user's scope is a node of."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cunju.core.pinyin import NamePinyinMixin
from cunju.core.scoping import ScopedQuerySet
from cunju.core.tree import TreeNode, TreeQuerySet


class OrganizationQuerySet(TreeQuerySet, ScopedQuerySet):
    pass


class Organization(NamePinyinMixin, TreeNode):
    """A Party organization tied to the place it serves."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Party committee")  # 党委
        GENERAL_BRANCH = "general_branch", _("General Party branch")  # 党总支
        BRANCH = "branch", _("Party branch")  # 党支部
        GROUP = "group", _("Party group")  # 党小组

    class Category(models.TextChoices):
        TOWN = "town", _("Town")
        COMMUNITY = "community", _("Community (village and residential area as one)")
        VILLAGE = "village", _("Village")
        RESIDENTIAL = "residential", _("Residential area")
        INDUSTRY = "industry", _("Industry or cooperative chain")
        ENTERPRISE = "enterprise", _("Enterprise in an industrial park")
        MOBILE = "mobile", _("Mobile members")
        TEMPORARY = "temporary", _("Temporary")
        RETIRED = "retired", _("Retired members")

    ALLOWED_CHILDREN = {
        None: {"committee"},
        "committee": {"committee", "general_branch", "branch"},
        "general_branch": {"branch"},
        "branch": {"group"},
        "group": set(),
    }

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    place = models.ForeignKey(
        "places.Place",
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("place"),
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "path"

    class Meta(TreeNode.Meta):
        verbose_name = _("Party organization")
        verbose_name_plural = _("Party organizations")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="organization_unique_name_per_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("organizations:detail", args=[self.pk])
