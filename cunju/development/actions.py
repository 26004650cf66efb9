"""Development actions: each step from the application to full membership.

Every step checks the rules of ``rules.py`` for the branch's region on the step's date and
refuses a step that breaks one, naming the rule and the date it will be met. Admission
enters the person in the member register (``register_member``); full membership changes
their status there (``change_status``).

A branch vote that does not pass, or that the higher committee does not approve
(``refuse``), is a setback, not an end: no regulation sets a waiting time before the branch
votes again, so it may, once it has prepared afresh. Fresh preparation means every check of
the vote again on the new date, and a public notice that starts after the setback (the old
notice announced a proposal that failed).
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, describe, require
from cunju.core.personal_data import ID_NUMBER, blind_index, normalize, plain
from cunju.core.rules import rule
from cunju.core.scoping import ensure_in_scope
from cunju.members import actions as member_actions
from cunju.members.models import Member, MemberEvent, MembershipPeriod, MemberStatus
from cunju.organizations.models import Organization

from . import rules
from .models import (
    PREPARING_STAGES,
    Applicant,
    BranchVote,
    DevelopmentStep,
    PublicNotice,
    Purpose,
    Stage,
)
from .workdays import working_day_span

ONE_DAY = dt.timedelta(days=1)
CHANGE = "development.change_applicant"
APPROVE = "development.approve_admission"

# The notice and the vote each stage leads to.
NOTICE_PURPOSE = {
    Stage.APPLICANT: Purpose.ACTIVIST,
    Stage.ACTIVIST: Purpose.CANDIDATE,
    Stage.CANDIDATE: Purpose.ADMISSION,
    Stage.NOT_APPROVED: Purpose.ADMISSION,
    Stage.PROBATIONARY: Purpose.FULL,
}
VOTE_PURPOSE = {
    Stage.CANDIDATE: Purpose.ADMISSION,
    Stage.NOT_APPROVED: Purpose.ADMISSION,
    Stage.PROBATIONARY: Purpose.FULL,
}
# A cancelled probation does not stop the same person applying again.
OPEN_OR_DONE = [s for s in Stage.values if s != Stage.CANCELLED]


# --- Dates and rules -----------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; the month's last day when it is shorter (31 Jan → 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def region_of(branch: Organization) -> str:
    """The division code of the branch's place or the nearest place above it that has one."""
    place = branch.place
    for node in [place, *reversed(list(place.ancestors()))]:
        if node.code:
            return node.code[:6]
    return ""


def value(key: str, applicant: Applicant, on: dt.date) -> Any:
    return rule(key, on=on, region=region_of(applicant.branch))


def iso(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}"


def refuse(field: str, message: str) -> None:
    raise ValidationError({field: message})


def check_not_future(field: str, day: dt.date) -> None:
    if day > dt.date.today():
        refuse(field, _("The date %(date)s is in the future.") % {"date": iso(day)})


def check_stage(applicant: Applicant, *stages: str) -> None:
    if applicant.stage not in stages:
        refuse(
            "__all__",
            _("This step is not possible for someone at the stage “%(stage)s”.")
            % {"stage": Stage(applicant.stage).label},
        )


def adult_on(birth_date: dt.date, years: int) -> dt.date:
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:  # born on 29 February
        return dt.date(birth_date.year + years, 3, 1)


def notice_span(applicant: Applicant, starts_on: dt.date):
    return working_day_span(starts_on, int(value(rules.NOTICE_WORKING_DAYS, applicant, starts_on)))


def last_setback(applicant: Applicant, purpose: str) -> dt.date | None:
    """The day of the latest vote for ``purpose`` that failed or was not approved."""
    days = [
        vote.refused_on or vote.held_on
        for vote in applicant.votes.filter(purpose=purpose)
        if vote.is_setback
    ]
    return max(days, default=None)


def current_notice(applicant: Applicant, purpose: str) -> PublicNotice | None:
    """The latest notice for ``purpose`` that still counts: one posted after any setback."""
    notices = applicant.notices.filter(purpose=purpose)
    setback = last_setback(applicant, purpose)
    if setback is not None:
        notices = notices.filter(starts_on__gt=setback)
    return notices.order_by("-starts_on", "-id").first()


def check_notice_done(applicant: Applicant, purpose: str, on: dt.date, field: str) -> None:
    """Refuse ``on`` unless a notice for ``purpose`` has run its course before it."""
    notice = current_notice(applicant, purpose)
    if notice is None:
        setback = last_setback(applicant, purpose)
        span = notice_span(applicant, max(on, dt.date.today()))
        refuse(
            field,
            (
                _("The last vote did not pass or was not approved (%(date)s): ")
                % {"date": iso(setback)}
                if setback
                else ""
            )
            + _(
                "A public notice of %(days)d working days must run first (%(purpose)s); "
                "if it starts %(start)s, the earliest is %(earliest)s."
            )
            % {
                "days": int(value(rules.NOTICE_WORKING_DAYS, applicant, on)),
                "purpose": Purpose(purpose).label,
                "start": iso(span.start),
                "earliest": iso(span.end + ONE_DAY),
            },
        )
    if on <= notice.ends_on:
        refuse(
            field,
            _("The public notice runs until %(end)s; earliest %(earliest)s.")
            % {"end": iso(notice.ends_on), "earliest": iso(notice.ends_on + ONE_DAY)},
        )


def full_members_in_scope(actor: Any, members: list[Member], field: str) -> None:
    for member in members:
        ensure_in_scope(actor, member)
        if member.status != MemberStatus.FULL:
            refuse(
                field,
                _("%(name)s is not a full member (“%(status)s”) and cannot take this role.")
                % {"name": member.name, "status": MemberStatus(member.status).label},
            )


def entitled_voters(branch: Organization, on: dt.date) -> int:
    """应到会有表决权的正式党员: full members of the branch on ``on``.

    Suspended members are not full on that date. Members away with a mobile-member activity
    card still count: the card lets them join organizational life where they are, but they
    vote only at home (``mobility.actions.can_vote_locally``), so the home branch's majority is
    taken over them too.
    """
    covering = Q(valid_to__isnull=True) | Q(valid_to__gt=on)
    full = (
        MembershipPeriod.objects.filter(
            organization=branch, status=MemberStatus.FULL, valid_from__lte=on
        )
        .filter(covering)
        .values_list("member", flat=True)
        .distinct()
    )
    return len(set(full))


def vote_passes(yes: int, entitled: int, share: Any) -> bool:
    """Passes only with more yes-votes than ``share`` of the entitled (not of those present)."""
    return Decimal(yes) > Decimal(entitled) * Decimal(str(share))


def pending_vote(applicant: Applicant) -> BranchVote | None:
    """The passed vote the higher committee has still to approve (or refuse), if any."""
    return (
        applicant.votes.filter(passed=True, approved_on__isnull=True, refused_on__isnull=True)
        .order_by("-held_on")
        .first()
    )


def check_approval_time(
    applicant: Applicant, decided_on: dt.date, on: dt.date, special_reason: str, what: str
) -> None:
    """上级党委审批 within 3 months of the branch's decision; up to 6 with a special reason.

    ``what`` names the decision ("the vote", "the branch meeting") in the messages.
    """
    check_not_future("on", on)
    if on < decided_on:
        refuse(
            "on",
            _("The approval cannot come before %(what)s (%(date)s).")
            % {"what": what, "date": iso(decided_on)},
        )
    months = int(value(rules.APPROVAL_MONTHS, applicant, decided_on))
    special = int(value(rules.APPROVAL_MONTHS_SPECIAL, applicant, decided_on))
    deadline = add_months(decided_on, months)
    last = add_months(decided_on, special)
    if on > last:
        refuse(
            "on",
            _(
                "Approval comes at most %(months)d months after %(what)s, by %(last)s. If the "
                "higher committee did not decide in time, record that it did not approve; the "
                "branch may decide again after fresh preparation."
            )
            % {"months": special, "what": what, "last": iso(last)},
        )
    if on > deadline and not special_reason.strip():
        refuse(
            "special_reason",
            _(
                "Approval is due within %(months)d months of %(what)s, by %(deadline)s; later "
                "approval (up to %(last)s) needs the special reason."
            )
            % {"months": months, "what": what, "deadline": iso(deadline), "last": iso(last)},
        )


def begin(
    actor: Any, applicant: Applicant, *stages: str, permission: str = CHANGE, **dates: dt.date
) -> None:
    """What every step starts with: permission, scope, the audit target, the stages it is
    possible in (any when none are named) and its dates (none in the future)."""
    require(actor, permission)
    ensure_in_scope(actor, applicant)
    describe(applicant)
    if stages:
        check_stage(applicant, *stages)
    for field, day in dates.items():
        check_not_future(field, day)


def add_step(applicant: Applicant, kind: str, on: dt.date, **fields: Any) -> DevelopmentStep:
    return DevelopmentStep.objects.create(applicant=applicant, kind=kind, date=on, **fields)


def required_text(field: str, text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        refuse(field, message)
    return text


# --- Steps ---------------------------------------------------------------------------------


@action("development.register_applicant", gettext_lazy("Receive an application to join"))
def register_applicant(
    actor: Any,
    *,
    branch: Organization,
    name: str,
    sex: str,
    birth_date: dt.date,
    applied_on: dt.date,
    education: str,
    occupation: str,
    id_number: str = "",
    phone: str = "",
) -> Applicant:
    """Record a written application to join the Party (入党申请书) received by a branch."""
    require(actor, CHANGE)
    ensure_in_scope(actor, branch)
    branch.check_current("branch")
    if branch.kind == Organization.Kind.GROUP:
        refuse("branch", _("Applications are received by a branch, not a Party group."))
    check_not_future("applied_on", applied_on)
    applicant = Applicant(
        branch=branch,
        name=(name or "").strip(),
        sex=sex,
        birth_date=birth_date,
        applied_on=applied_on,
        education=education,
        occupation=occupation,
        id_number=normalize(ID_NUMBER, id_number) if id_number else "",
        phone=phone,
    )
    years = int(value(rules.MIN_AGE, applicant, applied_on))
    adult = adult_on(birth_date, years)
    if applied_on < adult:
        refuse(
            "applied_on",
            _(
                "Applicants must be at least %(years)d years old on the application date; "
                "earliest %(earliest)s."
            )
            % {"years": years, "earliest": iso(adult)},
        )
    text = plain(applicant.id_number)
    if text:
        index = blind_index(ID_NUMBER, text)
        if Applicant.objects.filter(id_number_index=index, stage__in=OPEN_OR_DONE).exists():
            refuse("id_number", _("A person with this ID number is already in development."))
        if Member.objects.filter(id_number_index=index).exists():
            refuse("id_number", _("A member with this ID number is already in the register."))
    applicant.full_clean(exclude=["id_number_index", "phone_index", "member"])
    applicant.save()
    describe(applicant, {"branch": branch.name, "applied_on": iso(applied_on)})
    return applicant


@action("development.record_first_talk", gettext_lazy("Record the first talk with an applicant"))
def record_first_talk(
    actor: Any, applicant: Applicant, *, on: dt.date, note: str = "", late_reason: str = ""
) -> DevelopmentStep:
    """The talk the branch holds within a month of receiving the application (谈话)."""
    begin(actor, applicant, Stage.APPLICANT)
    if applicant.first_talk_on:
        refuse(
            "on",
            _("The first talk was recorded on %(date)s.") % {"date": iso(applicant.first_talk_on)},
        )
    check_not_future("on", on)
    if on < applicant.applied_on:
        refuse(
            "on",
            _("The talk cannot come before the application (%(date)s).")
            % {"date": iso(applicant.applied_on)},
        )
    months = int(value(rules.FIRST_TALK_MONTHS, applicant, applicant.applied_on))
    deadline = add_months(applicant.applied_on, months)
    if on > deadline and not late_reason.strip():
        refuse(
            "on",
            _(
                "The first talk is due within %(months)d month(s) of the application, by "
                "%(deadline)s; give the reason for the delay to record a later talk."
            )
            % {"months": months, "deadline": iso(deadline)},
        )
    if late_reason.strip():
        note = f"{note}\n{_('Late')}: {late_reason.strip()}".strip()
    applicant.first_talk_on = on
    applicant.save(update_fields=["first_talk_on", "updated_at"])
    step = add_step(applicant, DevelopmentStep.Kind.FIRST_TALK, on, note=note)
    describe(applicant, {"first_talk_on": iso(on)}, late_reason)
    return step


@action("development.start_notice", gettext_lazy("Start a public notice"))
def start_notice(
    actor: Any, applicant: Applicant, *, starts_on: dt.date, note: str = ""
) -> PublicNotice:
    """Post the public notice (公示) the next step needs; it runs N working days."""
    begin(actor, applicant, *NOTICE_PURPOSE)
    purpose = NOTICE_PURPOSE[applicant.stage]
    if purpose == Purpose.FULL and pending_vote(applicant) is not None:
        refuse("starts_on", _("Full membership has been voted on and awaits approval."))
    last = applicant.notices.filter(purpose=purpose).order_by("-ends_on").first()
    if last is not None and starts_on <= last.ends_on:
        refuse(
            "starts_on",
            _("A notice for this step runs until %(end)s; a new one may start from %(next)s.")
            % {"end": iso(last.ends_on), "next": iso(last.ends_on + ONE_DAY)},
        )
    span = notice_span(applicant, starts_on)
    notice = PublicNotice.objects.create(
        applicant=applicant,
        purpose=purpose,
        starts_on=span.start,
        ends_on=span.end,
        working_days=int(value(rules.NOTICE_WORKING_DAYS, applicant, starts_on)),
        estimated=span.estimated,
        note=note,
    )
    describe(
        applicant,
        {"notice": str(Purpose(purpose).label), "from": iso(span.start), "to": iso(span.end)},
    )
    return notice


@action("development.name_activist", gettext_lazy("Name an activist"))
def name_activist(
    actor: Any, applicant: Applicant, *, on: dt.date, contacts: list[Member], note: str = ""
) -> Applicant:
    """The branch committee names the applicant an activist (入党积极分子) with contacts."""
    begin(actor, applicant, Stage.APPLICANT, on=on)
    if not applicant.first_talk_on:
        refuse("on", _("Record the first talk with the applicant first."))
    months = int(value(rules.MONTHS_TO_ACTIVIST, applicant, on))
    earliest = max(add_months(applicant.applied_on, months), applicant.first_talk_on)
    if on < earliest:
        refuse(
            "on",
            _(
                "An activist is named at least %(months)d month(s) after the application "
                "(%(applied)s) and not before the first talk; earliest %(earliest)s."
            )
            % {"months": months, "applied": iso(applicant.applied_on), "earliest": iso(earliest)},
        )
    check_notice_done(applicant, Purpose.ACTIVIST, on, "on")
    contacts = list(dict.fromkeys(contacts))
    low = int(value(rules.MIN_CONTACTS, applicant, on))
    high = int(value(rules.MAX_CONTACTS, applicant, on))
    if not low <= len(contacts) <= high:
        refuse(
            "contacts",
            _("Assign %(low)d to %(high)d full members as cultivation contacts.")
            % {"low": low, "high": high},
        )
    full_members_in_scope(actor, contacts, "contacts")
    applicant.stage = Stage.ACTIVIST
    applicant.activist_on = on
    applicant.save(update_fields=["stage", "activist_on", "updated_at"])
    add_step(applicant, DevelopmentStep.Kind.ACTIVIST, on, note=note)
    for contact in contacts:
        add_step(applicant, DevelopmentStep.Kind.CONTACT, on, member=contact)
    describe(
        applicant,
        {"stage": [Stage.APPLICANT, Stage.ACTIVIST], "contacts": [c.name for c in contacts]},
    )
    return applicant


@action("development.record_review", gettext_lazy("Record a review of an activist"))
def record_review(
    actor: Any, applicant: Applicant, *, on: dt.date, note: str = ""
) -> DevelopmentStep:
    """The half-yearly review (考察) of an activist by the branch."""
    begin(actor, applicant, Stage.ACTIVIST, *PREPARING_STAGES, on=on)
    if on < applicant.activist_on:
        refuse(
            "on",
            _("The review cannot come before the person became an activist (%(date)s).")
            % {"date": iso(applicant.activist_on)},
        )
    applicant.last_review_on = max(on, applicant.last_review_on or on)
    applicant.save(update_fields=["last_review_on", "updated_at"])
    step = add_step(applicant, DevelopmentStep.Kind.REVIEW, on, note=note)
    describe(applicant, {"review": iso(on)})
    return step


@action("development.name_candidate", gettext_lazy("Name a development candidate"))
def name_candidate(actor: Any, applicant: Applicant, *, on: dt.date, note: str = "") -> Applicant:
    """The branch committee names an activist of a year or more a development candidate."""
    begin(actor, applicant, Stage.ACTIVIST, on=on)
    months = int(value(rules.ACTIVIST_MONTHS, applicant, on))
    earliest = add_months(applicant.activist_on, months)
    if on < earliest:
        refuse(
            "on",
            _(
                "A development candidate is named after at least %(months)d months as an activist "
                "(activist from %(since)s); earliest %(earliest)s."
            )
            % {"months": months, "since": iso(applicant.activist_on), "earliest": iso(earliest)},
        )
    check_notice_done(applicant, Purpose.CANDIDATE, on, "on")
    applicant.stage = Stage.CANDIDATE
    applicant.candidate_on = on
    applicant.save(update_fields=["stage", "candidate_on", "updated_at"])
    add_step(applicant, DevelopmentStep.Kind.CANDIDATE, on, note=note)
    describe(applicant, {"stage": [Stage.ACTIVIST, Stage.CANDIDATE]})
    return applicant


@action("development.assign_introducers", gettext_lazy("Assign introducers"))
def assign_introducers(
    actor: Any, applicant: Applicant, *, on: dt.date, introducers: list[Member]
) -> Applicant:
    """Two full members introduce the candidate (入党介绍人); replaces earlier introducers."""
    begin(actor, applicant, *PREPARING_STAGES, on=on)
    introducers = list(dict.fromkeys(introducers))
    needed = int(value(rules.INTRODUCERS, applicant, on))
    if len(introducers) != needed:
        refuse(
            "introducers",
            _("A candidate has %(count)d full members as introducers.") % {"count": needed},
        )
    full_members_in_scope(actor, introducers, "introducers")
    applicant.steps.filter(kind=DevelopmentStep.Kind.INTRODUCER).delete()
    for member in introducers:
        add_step(applicant, DevelopmentStep.Kind.INTRODUCER, on, member=member)
    describe(applicant, {"introducers": [m.name for m in introducers]})
    return applicant


@action("development.record_political_review", gettext_lazy("Record a political review"))
def record_political_review(
    actor: Any, applicant: Applicant, *, on: dt.date, note: str = ""
) -> DevelopmentStep:
    """The conclusion of the political review (政审) of a candidate; valid for a year."""
    begin(actor, applicant, Stage.ACTIVIST, *PREPARING_STAGES, on=on)
    months = int(value(rules.POLITICAL_REVIEW_MONTHS, applicant, on))
    step = add_step(
        applicant,
        DevelopmentStep.Kind.POLITICAL_REVIEW,
        on,
        valid_until=add_months(on, months) - ONE_DAY,
        note=note,
    )
    describe(applicant, {"political_review": iso(on), "valid_until": iso(step.valid_until)})
    return step


@action("development.record_training", gettext_lazy("Record concentrated training"))
def record_training(
    actor: Any,
    applicant: Applicant,
    *,
    on: dt.date,
    days: int | None = None,
    hours: int | None = None,
    note: str = "",
) -> DevelopmentStep:
    """Concentrated training (集中培训) completed on ``on``: enough days or class hours."""
    begin(actor, applicant, Stage.ACTIVIST, *PREPARING_STAGES, on=on)
    min_days = int(value(rules.TRAINING_DAYS, applicant, on))
    min_hours = int(value(rules.TRAINING_HOURS, applicant, on))
    if (days or 0) < min_days and (hours or 0) < min_hours:
        refuse(
            "days",
            _("Concentrated training lasts at least %(days)d days or %(hours)d class hours.")
            % {"days": min_days, "hours": min_hours},
        )
    step = add_step(applicant, DevelopmentStep.Kind.TRAINING, on, days=days, hours=hours, note=note)
    describe(applicant, {"training": iso(on), "days": days, "hours": hours})
    return step


def check_ready_for_admission(applicant: Applicant, on: dt.date) -> None:
    """Introducers, a valid political review, training and the notice, before the vote."""
    needed = int(value(rules.INTRODUCERS, applicant, on))
    introducers = applicant.steps.filter(kind=DevelopmentStep.Kind.INTRODUCER, date__lte=on)
    if introducers.count() < needed:
        refuse("held_on", _("Assign %(count)d introducers first.") % {"count": needed})
    for step in introducers.select_related("member"):
        if step.member.status != MemberStatus.FULL:
            refuse(
                "held_on",
                _("Introducer %(name)s is no longer a full member; assign another.")
                % {"name": step.member.name},
            )
    review = (
        applicant.steps.filter(kind=DevelopmentStep.Kind.POLITICAL_REVIEW, date__lte=on)
        .order_by("-date")
        .first()
    )
    if review is None:
        refuse("held_on", _("Record the political review first."))
    if review.valid_until < on:
        refuse(
            "held_on",
            _("The political review of %(date)s was valid until %(until)s; record a new one.")
            % {"date": iso(review.date), "until": iso(review.valid_until)},
        )
    if not applicant.steps.filter(kind=DevelopmentStep.Kind.TRAINING, date__lte=on).exists():
        refuse("held_on", _("Record the concentrated training first."))
    check_notice_done(applicant, Purpose.ADMISSION, on, "held_on")


@action("development.record_vote", gettext_lazy("Record a branch vote"))
def record_vote(
    actor: Any,
    applicant: Applicant,
    *,
    held_on: dt.date,
    yes: int,
    no: int,
    abstain: int,
    entitled: int | None = None,
    note: str = "",
) -> BranchVote:
    """The branch general meeting votes on admission (candidates) or full membership.

    A vote that does not pass is recorded as such; the person stays where they were, and
    the branch may vote again after fresh preparation (``check_notice_done``).
    """
    begin(actor, applicant, *VOTE_PURPOSE, held_on=held_on)
    purpose = VOTE_PURPOSE[applicant.stage]
    if purpose == Purpose.ADMISSION:
        check_ready_for_admission(applicant, held_on)
    else:
        if pending_vote(applicant) is not None:
            refuse("held_on", _("Full membership has been voted on and awaits approval."))
        if held_on < applicant.probation_ends_on:
            refuse(
                "held_on",
                _("Full membership is voted on when the probation ends; earliest %(date)s.")
                % {"date": iso(applicant.probation_ends_on)},
            )
        check_notice_done(applicant, Purpose.FULL, held_on, "held_on")
    computed = entitled_voters(applicant.branch, held_on)
    entitled = computed if entitled is None else entitled
    if entitled < 1:
        refuse("entitled", _("No full member of the branch is entitled to vote."))
    if yes + no + abstain > entitled:
        refuse(
            "yes",
            _("%(votes)d votes are more than the %(entitled)d members entitled to vote.")
            % {"votes": yes + no + abstain, "entitled": entitled},
        )
    share = value(rules.VOTE_SHARE, applicant, held_on)
    vote = BranchVote.objects.create(
        applicant=applicant,
        purpose=purpose,
        held_on=held_on,
        entitled=entitled,
        computed_entitled=computed,
        yes=yes,
        no=no,
        abstain=abstain,
        passed=vote_passes(yes, entitled, share),
        note=note,
    )
    old_stage = applicant.stage
    if vote.passed and purpose == Purpose.ADMISSION:
        applicant.stage = Stage.AWAITING_APPROVAL
        applicant.admission_vote_on = held_on
    elif vote.passed:
        applicant.full_vote_on = held_on
    applicant.save()
    if applicant.member_id:
        member_actions.record(
            applicant.member,
            held_on,
            MemberEvent.Kind.DEVELOPMENT,
            (
                _("Branch vote on full membership: %(yes)d yes of %(entitled)d entitled")
                if vote.passed
                else _(
                    "Branch vote on full membership not passed: %(yes)d yes of %(entitled)d "
                    "entitled"
                )
            )
            % {"yes": yes, "entitled": entitled},
        )
    describe(
        applicant,
        {
            "vote": str(Purpose(purpose).label),
            "held_on": iso(held_on),
            "yes/no/abstain": f"{yes}/{no}/{abstain}",
            "entitled": entitled,
            "passed": vote.passed,
            "stage": [old_stage, applicant.stage],
        },
    )
    return vote


@action("development.approve", gettext_lazy("Approve admission or full membership"))
def approve(
    actor: Any, applicant: Applicant, *, on: dt.date, special_reason: str = ""
) -> Applicant:
    """The higher committee approves the branch's decision (上级党委审批).

    Admission enters the person in the register as a probationary member from the vote;
    full membership starts the day the probation ends.
    """
    begin(actor, applicant, permission=APPROVE)
    vote = pending_vote(applicant)
    if vote is None:
        refuse("on", _("No branch vote awaits approval."))
    check_approval_time(applicant, vote.held_on, on, special_reason, _("the vote"))
    vote.approved_on = on
    vote.save(update_fields=["approved_on"])
    add_step(applicant, DevelopmentStep.Kind.APPROVAL, on, note=special_reason.strip())
    if vote.purpose == Purpose.ADMISSION:
        member = member_actions.register_member(
            actor,
            organization=applicant.branch,
            name=applicant.name,
            sex=applicant.sex,
            birth_date=applicant.birth_date,
            admitted_on=vote.held_on,
            education=applicant.education,
            occupation=applicant.occupation,
            status=MemberStatus.PROBATIONARY,
            id_number=plain(applicant.id_number),
            phone=plain(applicant.phone),
        )
        introducers = "、".join(
            s.member.name
            for s in applicant.steps.filter(kind=DevelopmentStep.Kind.INTRODUCER).select_related(
                "member"
            )
        )
        member_actions.record(
            member,
            on,
            MemberEvent.Kind.DEVELOPMENT,
            _("Admission approved by the higher committee; introducers: %(names)s")
            % {"names": introducers or "—"},
        )
        months = int(value(rules.PROBATION_MONTHS, applicant, vote.held_on))
        applicant.member = member
        applicant.stage = Stage.PROBATIONARY
        applicant.admission_approved_on = on
        applicant.probation_ends_on = add_months(vote.held_on, months)
        applicant.save()
        describe(applicant, {"stage": [Stage.AWAITING_APPROVAL, Stage.PROBATIONARY]})
    else:
        full_on = applicant.probation_ends_on
        member_actions.change_status(
            actor,
            applicant.member,
            status=MemberStatus.FULL,
            on=full_on,
            reason=_("Full membership approved on %(date)s") % {"date": iso(on)},
        )
        applicant.stage = Stage.FULL
        applicant.full_on = full_on
        applicant.save()
        describe(applicant, {"stage": [Stage.PROBATIONARY, Stage.FULL], "full_on": iso(full_on)})
    return applicant


@action("development.refuse", gettext_lazy("Record that the higher committee did not approve"))
def refuse_approval(actor: Any, applicant: Applicant, *, on: dt.date, reason: str) -> BranchVote:
    """The higher committee does not approve the branch's decision (审批不同意).

    Admission: the person becomes "admission not approved" and stays a development
    candidate; the branch may prepare afresh and vote again (no regulation sets a waiting
    time). Full membership: the person stays probationary, and the branch decides again
    (a new vote, an extension or a cancellation) once the probation has ended.
    """
    begin(actor, applicant, permission=APPROVE, on=on)
    vote = pending_vote(applicant)
    if vote is None:
        refuse("on", _("No branch vote awaits approval."))
    if on < vote.held_on:
        refuse(
            "on",
            _("The decision cannot come before the vote (%(date)s).") % {"date": iso(vote.held_on)},
        )
    reason = required_text("reason", reason, _("Give the higher committee's reason."))
    vote.refused_on = on
    vote.refusal_reason = reason
    vote.save(update_fields=["refused_on", "refusal_reason"])
    add_step(applicant, DevelopmentStep.Kind.REFUSAL, on, note=reason)
    old_stage = applicant.stage
    if vote.purpose == Purpose.ADMISSION:
        applicant.stage = Stage.NOT_APPROVED
        applicant.admission_vote_on = None
    else:
        applicant.full_vote_on = None
        member_actions.record(
            applicant.member,
            on,
            MemberEvent.Kind.DEVELOPMENT,
            _("Full membership not approved by the higher committee: %(reason)s")
            % {"reason": reason},
        )
    applicant.save()
    describe(
        applicant,
        {
            "vote": f"{Purpose(vote.purpose).label} {iso(vote.held_on)}",
            "not_approved_on": iso(on),
            "stage": [old_stage, applicant.stage],
        },
        reason,
    )
    return vote


def check_probation_decision(
    applicant: Applicant, meeting_on: dt.date, on: dt.date, special_reason: str
) -> None:
    """An extension or cancellation is decided by the branch general meeting and approved by
    the higher committee (《中国共产党章程》第七条), in the approval time of the rules."""
    check_not_future("meeting_on", meeting_on)
    if meeting_on < applicant.admission_vote_on:
        refuse(
            "meeting_on",
            _("The branch meeting cannot come before the admission vote (%(date)s).")
            % {"date": iso(applicant.admission_vote_on)},
        )
    if pending_vote(applicant) is not None:
        refuse("on", _("Full membership has been voted on and awaits approval."))
    check_approval_time(applicant, meeting_on, on, special_reason, _("the branch meeting"))


@action("development.extend_probation", gettext_lazy("Extend a probation"))
def extend_probation(
    actor: Any,
    applicant: Applicant,
    *,
    meeting_on: dt.date,
    on: dt.date,
    months: int,
    reason: str,
    special_reason: str = "",
) -> Applicant:
    """Extend the probation once, by 6 to 12 months, when it ends (延长预备期).

    The branch general meeting decides on ``meeting_on``, once the probation has ended; the
    higher committee approves on ``on``. The extension counts from the end of the probation.
    """
    begin(actor, applicant, Stage.PROBATIONARY, permission=APPROVE)
    if applicant.probation_extended:
        refuse("months", _("A probation is extended only once."))
    if meeting_on < applicant.probation_ends_on:
        refuse(
            "meeting_on",
            _("A probation is extended when it ends; earliest %(date)s.")
            % {"date": iso(applicant.probation_ends_on)},
        )
    check_probation_decision(applicant, meeting_on, on, special_reason)
    low = int(value(rules.EXTENSION_MIN_MONTHS, applicant, meeting_on))
    high = int(value(rules.EXTENSION_MAX_MONTHS, applicant, meeting_on))
    if not low <= months <= high:
        refuse(
            "months",
            _("A probation is extended by %(low)d to %(high)d months.")
            % {"low": low, "high": high},
        )
    reason = required_text("reason", reason, _("Give the reason for the extension."))
    old = applicant.probation_ends_on
    applicant.probation_ends_on = add_months(old, months)
    applicant.probation_extended = True
    applicant.save(update_fields=["probation_ends_on", "probation_extended", "updated_at"])
    note = f"{reason}\n{special_reason.strip()}".strip()
    add_step(
        applicant,
        DevelopmentStep.Kind.EXTENSION,
        on,
        months=months,
        meeting_on=meeting_on,
        note=note,
    )
    member_actions.record(
        applicant.member,
        on,
        MemberEvent.Kind.PROBATION_EXTENDED,
        _("Probation extended by %(months)d months, to %(date)s")
        % {"months": months, "date": iso(applicant.probation_ends_on)},
        reason=reason,
    )
    describe(
        applicant,
        {
            "probation_ends_on": [iso(old), iso(applicant.probation_ends_on)],
            "meeting_on": iso(meeting_on),
            "approved_on": iso(on),
        },
        reason,
    )
    return applicant


@action("development.cancel_probation", gettext_lazy("Cancel a probationary membership"))
def cancel_probation(
    actor: Any,
    applicant: Applicant,
    *,
    meeting_on: dt.date,
    on: dt.date,
    reason: str,
    special_reason: str = "",
) -> Applicant:
    """Cancel the probationary membership (取消预备党员资格); the member leaves the register.

    Decided by the branch general meeting on ``meeting_on`` and approved by the higher
    committee on ``on``, the day the member leaves.
    """
    begin(actor, applicant, Stage.PROBATIONARY, permission=APPROVE)
    check_probation_decision(applicant, meeting_on, on, special_reason)
    reason = required_text("reason", reason, _("Give the reason for the cancellation."))
    member_actions.change_status(
        actor, applicant.member, status=MemberStatus.LEFT, on=on, reason=reason
    )
    applicant.stage = Stage.CANCELLED
    applicant.cancelled_on = on
    applicant.save(update_fields=["stage", "cancelled_on", "updated_at"])
    note = f"{reason}\n{special_reason.strip()}".strip()
    add_step(applicant, DevelopmentStep.Kind.CANCELLATION, on, meeting_on=meeting_on, note=note)
    describe(
        applicant,
        {"stage": [Stage.PROBATIONARY, Stage.CANCELLED], "meeting_on": iso(meeting_on)},
        reason,
    )
    return applicant
