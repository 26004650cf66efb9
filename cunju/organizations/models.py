"""Party organizations (党组织): the tree every user's scope is a node of."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cunju.core.pinyin import NamePinyinMixin
from cunju.core.scoping import ScopedQuerySet
from cunju.core.tree import STEP_WIDTH, TreeNode, TreeQuerySet, decode_step, encode_step


class OrganizationQuerySet(TreeQuerySet, ScopedQuerySet):
    def current(self) -> OrganizationQuerySet:
        """Those not dissolved: what may be chosen, listed today and worked in."""
        return self.filter(dissolved_on__isnull=True)


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
    # Dissolved (撤销), or merged into another (合并): kept, with its history, for the dates it
    # existed; its last version ends on this date (``actions.dissolve_organization``).
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "path"

    class Meta(TreeNode.Meta):
        verbose_name = _("Party organization")
        verbose_name_plural = _("Party organizations")
        constraints = [
            # A dissolved organization's name may be given again under the same parent.
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=models.Q(dissolved_on__isnull=True),
                name="organization_unique_name_per_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def _next_child_path(cls, parent: Organization | None) -> str:
        # A step once held under this parent, by an organization that has moved away since,
        # is never given again: a path names one organization over all of its history, as
        # the member periods and the versions, read by path for a date, take for granted.
        path = super()._next_child_path(parent)
        base = "" if parent is None else parent.path
        width = len(base) + STEP_WIDTH + 1
        held = OrganizationVersion.objects.annotate(length=Length("path")).filter(length=width)
        if base:
            held = held.filter(path__startswith=base)
        last = held.aggregate(last=models.Max("path"))["last"]
        if last is not None and last >= path:
            path = f"{base}{encode_step(decode_step(last[len(base) : width - 1]) + 1)}."
        return path

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("organizations:detail", args=[self.pk])

    @property
    def is_dissolved(self) -> bool:
        return self.dissolved_on is not None

    def check_current(self, field: str, *, lock: bool = True) -> None:
        """Refuse, on ``field``, a change that needs the organization to exist today. Read from
        the database: the instance may have been loaded before it was dissolved. Inside an
        action (a transaction) its row stays locked to the end (unless ``lock`` is False): an
        action putting something in it and its dissolution, which locks it too, go one after
        the other."""
        dissolved = self.dissolved_on
        if dissolved is None and self.pk is not None:
            row = Organization.objects.filter(pk=self.pk)
            if lock and transaction.get_connection().in_atomic_block:
                # Not a key lock: rows that refer to it (a member's, a tally's) are written
                # meanwhile by other actions, which a full lock would hold up into deadlocks.
                row = row.select_for_update(no_key=True)
            dissolved = row.values_list("dissolved_on", flat=True).first()
        if dissolved is not None:
            raise ValidationError(
                {
                    field: _("%(org)s was dissolved on %(date)s.")
                    % {"org": self.name, "date": dissolved.isoformat()}
                }
            )


class OrganizationTally(models.Model):
    """How many current members an organization itself holds (not its subtree), by category.

    Kept exact in the same transaction as every change to a member (``tallies.py``), so the
    members of a subtree are the sum of at most one row per organization in it, however many
    members there are. ``mobile`` counts the mobile members among the full and probationary.
    """

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, primary_key=True, related_name="tally"
    )
    # The organization's path, copied so a subtree's sum is one range scan of this table;
    # moving an organization rewrites it with the members' paths.
    org_path = models.CharField(max_length=255, editable=False)
    full = models.IntegerField(_("full members"), default=0)
    probationary = models.IntegerField(_("probationary members"), default=0)
    mobile = models.IntegerField(_("mobile members"), default=0)

    class Meta:
        verbose_name = _("member tally")
        verbose_name_plural = _("member tallies")
        # Covers the sums: a subtree is read from the index alone.
        indexes = [
            models.Index(
                fields=["org_path", "full", "probationary", "mobile"], name="tally_path_counts"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.full}+{self.probationary} ({self.mobile})"


class OrganizationVersion(models.Model):
    """How an organization read for a stretch of time: its name, parent and tree path.

    The actions that found, rename or move an organization close the open version and open
    a new one, so "what was this on date D" (``history.as_of``) needs no guessing. An empty
    ``valid_from`` means "since the organization was set up, date unknown".
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="versions"
    )
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_to = models.DateField(
        _("to"), null=True, blank=True, help_text=_("Exclusive; empty while current.")
    )
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("higher organization"),
    )
    path = models.CharField(_("tree path"), max_length=255, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "organization__path"

    class Meta:
        verbose_name = _("organization version")
        verbose_name_plural = _("organization history")
        ordering = ["organization", "valid_from"]

    def __str__(self) -> str:
        return f"{self.name} {self.valid_from or ''}–{self.valid_to or ''}"


class Term(models.Model):
    """A term (届) of a Party committee, general branch committee or branch committee.

    ``term_years`` is the length the rules gave on the election date; ``due_on`` is when the
    next election (换届) falls due. A term ends when the next one is elected or it is closed.
    """

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="terms",
        verbose_name=_("Party organization"),
    )
    elected_on = models.DateField(_("elected on"))
    term_years = models.PositiveSmallIntegerField(_("term (years)"))
    due_on = models.DateField(_("next election due on"), db_index=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "organization__path"

    class Meta:
        verbose_name = _("committee term")
        verbose_name_plural = _("committee terms")
        ordering = ["organization__path", "-elected_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(ended_on__isnull=True),
                name="term_one_current_per_organization",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.elected_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("organizations:term", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class CommitteeMember(models.Model):
    """A seat on a committee for one term (书记 / 副书记 / 委员).

    ``member`` links the register when the person is in it; ``name`` is always filled so
    people from outside the register (a cadre posted from the town) can hold a seat too.
    """

    class Role(models.TextChoices):
        SECRETARY = "secretary", _("Secretary")  # 书记
        DEPUTY = "deputy", _("Deputy secretary")  # 副书记
        MEMBER = "member", _("Committee member")  # 委员

    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, related_name="seats", verbose_name=_("term")
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_seats",
        verbose_name=_("Party member"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "term__organization__path"

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["term", "started_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    @property
    def rank(self) -> int:
        """Secretary first, then deputies, then members, for listing a committee."""
        return list(self.Role.values).index(self.role)

    @property
    def is_current(self) -> bool:
        return self.ended_on is None and self.term.ended_on is None


class TallyCheckpoint(models.Model):
    """The members of every part of the tree on a past date, kept so numbers as of a date far
    back start from a checkpoint near it rather than from today (``checkpoints.py``).

    The ``*_seen`` fields are the highest membership period, member and organization version
    ids when it was taken: later rows tell whether history on or before the date changed.
    """

    as_of = models.DateField(_("as of"), unique=True)
    periods_seen = models.BigIntegerField(default=0)
    members_seen = models.BigIntegerField(default=0)
    versions_seen = models.BigIntegerField(default=0)
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member tally checkpoint")
        verbose_name_plural = _("member tally checkpoints")
        ordering = ["as_of"]

    def __str__(self) -> str:
        return f"{self.as_of:%Y-%m-%d}"


class CheckpointTally(models.Model):
    """Members on the checkpoint's date under one path, by the path they hung on then, down
    to the fourth level of the tree (deeper organizations count with their ancestor there)."""

    # Indexed by the covering index below, which begins with it.
    checkpoint = models.ForeignKey(
        TallyCheckpoint, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    org_path = models.CharField(max_length=255)
    full = models.IntegerField(default=0)
    probationary = models.IntegerField(default=0)
    mobile = models.IntegerField(default=0)

    class Meta:
        # Covers the sums: a checkpoint's subtree is read from the index alone.
        indexes = [
            models.Index(
                fields=["checkpoint", "org_path", "full", "probationary", "mobile"],
                name="checkpoint_path_counts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_path}: {self.full}+{self.probationary} ({self.mobile})"


from . import rules  # noqa: E402,F401  (the rules are declared once the app loads)
