"""Evaluation actions: open a round, enter reviews and tallies, advance, grade, close.

The rules they enforce are in ``rules.py``: one round per branch a year, the excellent cap,
probationary members taking part without a grade, closing only once everyone graded has a
grade. Closing writes each participant's result on their timeline.

The participants are the branch's members on the opening day; until the first vote tally is
in, the secretary may refresh the list to the branch as it is (``refresh_participants``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, describe, require
from cunju.core.scoping import ensure_in_scope
from cunju.members.actions import record
from cunju.members.models import (
    ACTIVE_STATUSES,
    Member,
    MemberEvent,
    MembershipPeriod,
    MemberStatus,
)
from cunju.organizations.models import Organization

from . import rules
from .models import (
    EvaluationRound,
    Grade,
    Participant,
    PeerReview,
    SelfReview,
    Stage,
    VoteTally,
)

PERMISSION = "evaluation.change_evaluation"


def members_on(branch: Organization, on: dt.date) -> list[tuple[Member, str]]:
    """The branch's full and probationary members on ``on``, with their status that day."""
    periods = (
        MembershipPeriod.objects.filter(
            organization=branch, status__in=ACTIVE_STATUSES, valid_from__lte=on
        )
        .exclude(valid_to__lte=on)
        .select_related("member")
        .order_by("member__name_pinyin", "member_id")
    )
    seen: dict[int, tuple[Member, str]] = {}
    for period in periods:
        seen.setdefault(period.member_id, (period.member, period.status))
    return list(seen.values())


def taking_part(round: EvaluationRound):
    """The participants still taking part (members who left the branch are kept apart)."""
    return round.participants.filter(takes_part=True)


def _ensure_taking_part(participant: Participant) -> None:
    if not participant.takes_part:
        raise ValidationError(
            _("%(name)s no longer takes part in this round (since %(date)s: %(reason)s).")
            % {
                "name": participant.member.name,
                "date": f"{participant.left_on:%Y-%m-%d}" if participant.left_on else "—",
                "reason": participant.left_reason or "—",
            }
        )


def _ensure_open(round: EvaluationRound) -> None:
    if round.is_closed:
        raise ValidationError(
            _("The %(year)s round was closed on %(date)s; nothing in it can change.")
            % {"year": round.year, "date": f"{round.closed_on:%Y-%m-%d}"}
        )


def _ensure_stage(round: EvaluationRound, stage: str, what: str) -> None:
    _ensure_open(round)
    if not round.reached(stage):
        raise ValidationError(
            _("%(what)s can be entered from the “%(stage)s” stage on; the round is at “%(now)s”.")
            % {"what": what, "stage": Stage(stage).label, "now": Stage(round.stage).label}
        )


def _check_date(on: dt.date, round: EvaluationRound, field: str = "on") -> None:
    if on > dt.date.today():
        raise ValidationError({field: _("The date is in the future.")})
    if on < round.opened_on:
        raise ValidationError(
            {
                field: _("The date is before the round opened (%(date)s).")
                % {"date": f"{round.opened_on:%Y-%m-%d}"}
            }
        )


@action("evaluation.open_round", gettext_lazy("Open a democratic evaluation round"))
def open_round(
    actor: Any, *, branch: Organization, year: int, opened_on: dt.date, note: str = ""
) -> EvaluationRound:
    """Open the branch's round for ``year``; its members that day become the participants."""
    require(actor, PERMISSION)
    ensure_in_scope(actor, branch)
    branch.check_current("branch")
    if branch.kind != Organization.Kind.BRANCH:
        raise ValidationError({"branch": _("Democratic evaluation is held by a Party branch.")})
    if opened_on > dt.date.today():
        raise ValidationError({"opened_on": _("The date is in the future.")})
    if not year <= opened_on.year <= year + 1:
        raise ValidationError(
            {
                "opened_on": _(
                    "The round for %(year)s opens in %(year)s or early in the year after."
                )
                % {"year": year}
            }
        )
    existing = EvaluationRound.objects.filter(branch=branch, year=year).first()
    if existing is not None:
        raise ValidationError(
            {
                "year": _(
                    "%(branch)s already has its %(year)s round (opened %(date)s); a branch "
                    "holds one democratic evaluation a year."
                )
                % {
                    "branch": branch.name,
                    "year": year,
                    "date": f"{existing.opened_on:%Y-%m-%d}",
                }
            }
        )
    members = members_on(branch, opened_on)
    if not members:
        raise ValidationError(
            {
                "opened_on": _("%(branch)s had no full or probationary members on %(date)s.")
                % {"branch": branch.name, "date": f"{opened_on:%Y-%m-%d}"}
            }
        )
    region = rules.region_of(branch)
    grade_probationary = rules.probationary_members_graded(opened_on, region)
    round = EvaluationRound.objects.create(
        branch=branch, year=year, opened_on=opened_on, note=note, stage=Stage.SELF_REVIEW
    )
    Participant.objects.bulk_create(
        Participant(
            round=round,
            member=member,
            status_at_opening=status,
            is_graded=status == MemberStatus.FULL or grade_probationary,
        )
        for member, status in members
    )
    graded = sum(1 for _m, status in members if status == MemberStatus.FULL or grade_probationary)
    describe(
        round,
        {
            "branch": branch.name,
            "year": year,
            "opened_on": str(opened_on),
            "participants": len(members),
            "graded": graded,
        },
    )
    return round


def _why_gone(member: Member, branch: Organization, on: dt.date) -> str:
    """Why a member is no longer among the branch's members on ``on``, in a few words."""
    period = (
        MembershipPeriod.objects.filter(member=member, valid_from__lte=on)
        .select_related("organization")
        .order_by("-valid_from", "-id")
        .first()
    )
    if period is not None and period.organization_id != branch.pk:
        return _("moved to %(org)s") % {"org": period.organization.name}
    status = period.status if period is not None else member.status
    return str(MemberStatus(status).label)


@action(
    "evaluation.refresh_participants",
    gettext_lazy("Bring the participants of an evaluation round up to date"),
)
def refresh_participants(
    actor: Any, round: EvaluationRound, *, on: dt.date | None = None
) -> dict[str, list[str]]:
    """Make the participant list match the branch on ``on`` (today), before the vote.

    Members who joined the branch (or became members) since are added; participants who
    left it, died, or are no longer full or probationary members stop taking part. What
    was entered for anyone stays. Refused once a vote tally is in: the vote counts the
    members it was held among.
    """
    require(actor, PERMISSION)
    ensure_in_scope(actor, round)
    describe(round)
    _ensure_open(round)
    on = on or dt.date.today()
    _check_date(on, round)
    tallied = VoteTally.objects.filter(participant__round=round)
    if round.reached(Stage.GRADING) or tallied.exists():
        raise ValidationError(
            _("The vote has started (%(count)d tallies are in): the participants are fixed now.")
            % {"count": tallied.count()}
        )
    current = dict((m.pk, (m, status)) for m, status in members_on(round.branch, on))
    existing = {p.member_id: p for p in round.participants.select_related("member")}
    grade_probationary = rules.probationary_members_graded(
        round.opened_on, rules.region_of(round.branch)
    )
    added, left, back = [], [], []
    for member_id, (member, status) in current.items():
        participant = existing.get(member_id)
        if participant is None:
            Participant.objects.create(
                round=round,
                member=member,
                status_at_opening=status,
                is_graded=status == MemberStatus.FULL or grade_probationary,
                joined_on=on,
            )
            added.append(member.name)
        elif not participant.takes_part:
            participant.takes_part = True
            participant.left_on = None
            participant.left_reason = ""
            participant.save(update_fields=["takes_part", "left_on", "left_reason"])
            back.append(member.name)
    for member_id, participant in existing.items():
        if participant.takes_part and member_id not in current:
            participant.takes_part = False
            participant.left_on = on
            participant.left_reason = _why_gone(participant.member, round.branch, on)[:200]
            participant.save(update_fields=["takes_part", "left_on", "left_reason"])
            left.append(participant.member.name)
    changes = {"added": added, "no_longer_taking_part": left, "taking_part_again": back}
    describe(round, {"on": str(on), **{k: v for k, v in changes.items() if v}})
    return changes


@action("evaluation.enter_self_review", gettext_lazy("Enter a self-review"))
def enter_self_review(
    actor: Any, participant: Participant, *, text: str, on: dt.date
) -> SelfReview:
    """Record (or correct) a participant's self-review (自评)."""
    require(actor, PERMISSION)
    ensure_in_scope(actor, participant)
    round = participant.round
    describe(participant)
    _ensure_stage(round, Stage.SELF_REVIEW, _("Self-reviews"))
    _ensure_taking_part(participant)
    _check_date(on, round)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the self-review.")})
    review, created = SelfReview.objects.update_or_create(
        participant=participant, defaults={"text": text, "entered_on": on}
    )
    describe(participant, {"self_review": "added" if created else "corrected"})
    return review


@action("evaluation.enter_peer_review", gettext_lazy("Enter a peer review"))
def enter_peer_review(
    actor: Any, participant: Participant, *, reviewer: Participant, text: str, on: dt.date
) -> PeerReview:
    """Record one participant's comments on another (互评); one per pair, corrections replace."""
    require(actor, PERMISSION)
    ensure_in_scope(actor, participant)
    round = participant.round
    describe(participant)
    _ensure_stage(round, Stage.PEER_REVIEW, _("Peer reviews"))
    _check_date(on, round)
    if reviewer.round_id != participant.round_id:
        raise ValidationError({"reviewer": _("The reviewer takes part in another round.")})
    if reviewer.pk == participant.pk:
        raise ValidationError(
            {"reviewer": _("A member's own comments are the self-review, not a peer review.")}
        )
    _ensure_taking_part(participant)
    _ensure_taking_part(reviewer)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the comments.")})
    review, created = PeerReview.objects.update_or_create(
        participant=participant, reviewer=reviewer, defaults={"text": text, "entered_on": on}
    )
    describe(participant, {"peer_review": str(reviewer), "new": created})
    return review


@action("evaluation.enter_tally", gettext_lazy("Enter the vote tally of a member"))
def enter_tally(
    actor: Any,
    participant: Participant,
    *,
    excellent: int,
    qualified: int,
    basically_qualified: int,
    unqualified: int,
    on: dt.date,
) -> VoteTally:
    """Record the counted ballots (测评票) on a graded participant; corrections replace."""
    require(actor, PERMISSION)
    ensure_in_scope(actor, participant)
    round = participant.round
    describe(participant)
    _ensure_stage(round, Stage.VOTING, _("Vote tallies"))
    _check_date(on, round)
    _ensure_taking_part(participant)
    if not participant.is_graded:
        raise ValidationError(
            _(
                "%(name)s was a probationary member when the round opened: probationary "
                "members take part but are not graded, so nobody votes on them."
            )
            % {"name": participant.member.name}
        )
    counts = {
        "excellent": excellent,
        "qualified": qualified,
        "basically_qualified": basically_qualified,
        "unqualified": unqualified,
    }
    errors = {
        name: _("A count cannot be negative.")
        for name, value in counts.items()
        if value is None or value < 0
    }
    if errors:
        raise ValidationError(errors)
    if sum(counts.values()) == 0:
        raise ValidationError(_("Enter the counted ballots: every count is zero."))
    tally, _created = VoteTally.objects.update_or_create(
        participant=participant, defaults={**counts, "entered_on": on}
    )
    describe(participant, {"tally": counts})
    return tally


@action("evaluation.advance_round", gettext_lazy("Move an evaluation round to its next stage"))
def advance_round(actor: Any, round: EvaluationRound) -> EvaluationRound:
    """Self-review → peer review → vote → grading; grading needs every tally in."""
    require(actor, PERMISSION)
    ensure_in_scope(actor, round)
    describe(round)
    _ensure_open(round)
    following = round.next_stage
    if following is None:
        raise ValidationError(
            _("The round is at grading: close it once every graded member has a grade.")
        )
    if following == Stage.GRADING:
        missing = list(
            taking_part(round).filter(is_graded=True, tally__isnull=True).select_related("member")
        )
        if missing:
            raise ValidationError(
                _("Enter the vote tally of %(names)s before grading.")
                % {"names": "、".join(p.member.name for p in missing)}
            )
    old = round.stage
    round.stage = following
    round.save(update_fields=["stage", "updated_at"])
    describe(round, {"stage": [old, following.value]})
    return round


@action("evaluation.grade_member", gettext_lazy("Grade a member in democratic evaluation"))
def grade_member(
    actor: Any, participant: Participant, *, grade: str, on: dt.date, note: str = ""
) -> Participant:
    """The branch committee's grade (支委会评定) of a graded participant, within the cap."""
    require(actor, PERMISSION)
    ensure_in_scope(actor, participant)
    round = participant.round
    describe(participant)
    _ensure_stage(round, Stage.GRADING, _("Grades"))
    _check_date(on, round)
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Choose one of the four grades.")})
    _ensure_taking_part(participant)
    if not participant.is_graded:
        raise ValidationError(
            {
                "grade": _(
                    "%(name)s was a probationary member when the round opened: probationary "
                    "members take part in democratic evaluation but are not graded."
                )
                % {"name": participant.member.name}
            }
        )
    if grade == Grade.EXCELLENT and participant.grade != Grade.EXCELLENT:
        status = cap_status(round)
        if status["excellent"] + 1 > status["allowed"]:
            raise ValidationError(
                {
                    "grade": _(
                        "At most %(share)s of the members graded may be excellent (rule "
                        "evaluation.excellent_share): with %(graded)s graded that is %(allowed)s "
                        "(rounded down), and %(excellent)s already are. Grade another member "
                        "lower first."
                    )
                    % {
                        "share": status["share"],
                        "graded": status["graded"],
                        "allowed": status["allowed"],
                        "excellent": status["excellent"],
                    }
                }
            )
    old = participant.grade
    participant.grade = grade
    participant.grade_note = (note or "").strip()
    participant.graded_on = on
    participant.save(update_fields=["grade", "grade_note", "graded_on"])
    describe(participant, {"grade": [old, grade], "round": str(round)})
    return participant


def cap_status(round: EvaluationRound) -> dict[str, Any]:
    """How many are graded excellent against how many may be ("优秀 2 / 3 allowed")."""
    share = rules.excellent_share(round.opened_on, rules.region_of(round.branch))
    graded = taking_part(round).filter(is_graded=True).count()
    excellent = taking_part(round).filter(grade=Grade.EXCELLENT).count()
    return {
        "share": str(share),
        "graded": graded,
        "allowed": rules.excellent_cap(graded, share),
        "excellent": excellent,
    }


@action("evaluation.close_round", gettext_lazy("Close a democratic evaluation round"))
def close_round(actor: Any, round: EvaluationRound, *, on: dt.date) -> EvaluationRound:
    """Close the round once every graded member has a grade; results go on the timelines."""
    require(actor, PERMISSION)
    ensure_in_scope(actor, round)
    describe(round)
    _ensure_open(round)
    if round.stage != Stage.GRADING:
        raise ValidationError(
            _("A round closes after grading; this one is at “%(stage)s”.")
            % {"stage": Stage(round.stage).label}
        )
    _check_date(on, round)
    ungraded = list(taking_part(round).filter(is_graded=True, grade="").select_related("member"))
    if ungraded:
        raise ValidationError(
            _("Grade %(names)s before closing the round.")
            % {"names": "、".join(p.member.name for p in ungraded)}
        )
    latest = round.participants.exclude(graded_on=None).order_by("-graded_on").first()
    if latest is not None and on < latest.graded_on:
        raise ValidationError(
            {
                "on": _("The round cannot close before its last grade (%(date)s).")
                % {"date": f"{latest.graded_on:%Y-%m-%d}"}
            }
        )
    round.stage = Stage.CLOSED
    round.closed_on = on
    round.save(update_fields=["stage", "closed_on", "updated_at"])
    for participant in taking_part(round).select_related("member__organization"):
        if participant.is_graded:
            summary = _("Democratic evaluation %(year)s: %(grade)s") % {
                "year": round.year,
                "grade": Grade(participant.grade).label,
            }
        else:
            summary = _("Democratic evaluation %(year)s: took part, not graded (probationary)") % {
                "year": round.year
            }
        record(
            participant.member,
            on,
            MemberEvent.Kind.EVALUATION,
            summary,
            round=round.pk,
            year=round.year,
            grade=participant.grade,
        )
    describe(round, {"stage": [Stage.GRADING.value, Stage.CLOSED.value], "closed_on": str(on)})
    return round
