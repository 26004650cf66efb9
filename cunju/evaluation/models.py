"""Democratic evaluation of members (民主评议党员): the annual round, reviews, votes and grades."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cunju.core.scoping import ScopedQuerySet
from cunju.members.models import MemberStatus


class Grade(models.TextChoices):
    """The four grades (等次), best first."""

    EXCELLENT = "excellent", _("Excellent")  # 优秀
    QUALIFIED = "qualified", _("Qualified")  # 合格
    BASICALLY_QUALIFIED = "basically_qualified", _("Basically qualified")  # 基本合格
    UNQUALIFIED = "unqualified", _("Unqualified")  # 不合格


class Stage(models.TextChoices):
    """The steps of a round, in order: opened with self-review, closed after grading."""

    SELF_REVIEW = "self_review", _("Self-review")  # 个人自评
    PEER_REVIEW = "peer_review", _("Peer review")  # 党员互评
    VOTING = "voting", _("Vote")  # 民主测评
    GRADING = "grading", _("Grading")  # 支委会评定
    CLOSED = "closed", _("Closed")


STAGE_ORDER = list(Stage)


class EvaluationRound(models.Model):
    """One branch's democratic evaluation (民主评议) of one year: at most one per branch a year."""

    branch = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="evaluation_rounds",
        verbose_name=_("Party branch"),
    )
    year = models.PositiveSmallIntegerField(_("year evaluated"))
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.SELF_REVIEW
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "branch__path"

    class Meta:
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        ordering = ["-year", "branch__path"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="evaluation_one_round_a_year")
        ]

    def __str__(self) -> str:
        return _("%(branch)s, %(year)s") % {"branch": self.branch.name, "year": self.year}

    def get_absolute_url(self) -> str:
        return reverse("evaluation:detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.stage == Stage.CLOSED

    def reached(self, stage: str) -> bool:
        """True once the round is at ``stage`` or past it."""
        return STAGE_ORDER.index(Stage(self.stage)) >= STAGE_ORDER.index(Stage(stage))

    @property
    def next_stage(self) -> Stage | None:
        """The stage "advance" moves to; closing is its own step after grading."""
        index = STAGE_ORDER.index(Stage(self.stage))
        if self.stage in (Stage.GRADING, Stage.CLOSED):
            return None
        return STAGE_ORDER[index + 1]


class Participant(models.Model):
    """A member taking part in a round (参评党员); graded unless probationary at opening.

    The list is made when the round opens; the secretary may refresh it before the vote
    (``refresh_participants``): members who joined the branch since are added, and those
    who left stop taking part (``takes_part``) while their reviews stay on record.
    """

    round = models.ForeignKey(
        EvaluationRound,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("round"),
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("Party member"),
    )
    status_at_opening = models.CharField(
        _("status at opening"), max_length=20, choices=MemberStatus.choices
    )
    is_graded = models.BooleanField(_("graded"))
    grade = models.CharField(_("grade"), max_length=30, choices=Grade.choices, blank=True)
    grade_note = models.CharField(_("grading note"), max_length=300, blank=True)
    graded_on = models.DateField(_("graded on"), null=True, blank=True)
    takes_part = models.BooleanField(_("takes part"), default=True)
    joined_on = models.DateField(
        _("added on"), null=True, blank=True, help_text=_("Empty: on the list since the opening.")
    )
    left_on = models.DateField(_("no longer taking part from"), null=True, blank=True)
    left_reason = models.CharField(_("why not taking part"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "round__branch__path"

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["round", "member__name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="evaluation_member_once"),
            models.CheckConstraint(
                condition=models.Q(is_graded=True) | models.Q(grade=""),
                name="evaluation_only_graded_have_a_grade",
            ),
        ]

    def __str__(self) -> str:
        return str(self.member)

    @property
    def proposed_grade(self) -> str:
        """The grade with most ballots; empty without a tally or on a tie."""
        tally = getattr(self, "tally", None)
        return tally.leading_grade if tally is not None else ""


class SelfReview(models.Model):
    """A participant's self-review (个人自评): what they did well and what to improve."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="self_review"
    )
    text = models.TextField(_("self-review"))
    entered_on = models.DateField(_("entered on"))

    objects = ScopedQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "participant__round__branch__path"

    class Meta:
        verbose_name = _("self-review")
        verbose_name_plural = _("self-reviews")

    def __str__(self) -> str:
        return str(self.participant)


class PeerReview(models.Model):
    """One participant's comments on another (党员互评), one per pair and round."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="peer_reviews",
        verbose_name=_("reviewed member"),
    )
    reviewer = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="peer_reviews_given",
        verbose_name=_("reviewer"),
    )
    text = models.TextField(_("comments"))
    entered_on = models.DateField(_("entered on"))

    objects = ScopedQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "participant__round__branch__path"

    class Meta:
        verbose_name = _("peer review")
        verbose_name_plural = _("peer reviews")
        ordering = ["participant", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "reviewer"], name="evaluation_one_peer_review_a_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.participant}"


class VoteTally(models.Model):
    """The counted ballots of the vote (民主测评) on one graded participant."""

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="tally")
    excellent = models.PositiveIntegerField(_("excellent"), default=0)
    qualified = models.PositiveIntegerField(_("qualified"), default=0)
    basically_qualified = models.PositiveIntegerField(_("basically qualified"), default=0)
    unqualified = models.PositiveIntegerField(_("unqualified"), default=0)
    entered_on = models.DateField(_("entered on"))

    objects = ScopedQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "participant__round__branch__path"

    class Meta:
        verbose_name = _("vote tally")
        verbose_name_plural = _("vote tallies")

    def __str__(self) -> str:
        return str(self.participant)

    def counts(self) -> dict[str, int]:
        return {grade.value: getattr(self, grade.value) for grade in Grade}

    @property
    def ballots(self) -> int:
        return sum(self.counts().values())

    @property
    def leading_grade(self) -> str:
        """The grade with most ballots, or "" when two or more share the most (the branch
        committee resolves ties)."""
        counts = self.counts()
        most = max(counts.values())
        if most == 0:
            return ""
        leaders = [grade for grade, count in counts.items() if count == most]
        return leaders[0] if len(leaders) == 1 else ""
