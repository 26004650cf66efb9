"""Development actions: each step from the application to full membership.

Every step checks the rules of ``rules.py`` for the branch's region on the step's date and
refuses a step that breaks one, naming the rule and the date it will be met. Admission
enters the person in the member register (``register_member``); full membership changes
their status there (``change_status``).
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
from .models import Applicant, BranchVote, DevelopmentStep, PublicNotice, Purpose, Stage
from .workdays import working_day_span

ONE_DAY = dt.timedelta(days=1)
CHANGE = "development.change_applicant"
APPROVE = "development.approve_admission"

# The notice and the vote each stage leads to.
NOTICE_PURPOSE = {
    Stage.APPLICANT: Purpose.ACTIVIST,
    Stage.ACTIVIST: Purpose.CANDIDATE,
    Stage.CANDIDATE: Purpose.ADMISSION,
    Stage.PROBATIONARY: Purpose.FULL,
}
VOTE_PURPOSE = {Stage.CANDIDATE: Purpose.ADMISSION, Stage.PROBATIONARY: Purpose.FULL}
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


def check_notice_done(applicant: Applicant, purpose: str, on: dt.date, field: str) -> None:
    """Refuse ``on`` unless a notice for ``purpose`` has run its course before it."""
    notice = applicant.notices.filter(purpose=purpose).order_by("-starts_on", "-id").first()
    if notice is None:
        span = notice_span(applicant, max(on, dt.date.today()))
        refuse(
            field,
            _(
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
    """The passed vote the higher committee has still to approve, if any."""
    return (
        applicant.votes.filter(passed=True, approved_on__isnull=True).order_by("-held_on").first()
    )


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
    require(actor, CHANGE)
    ensure_in_scope(actor, applicant)
    describe(applicant)
    check_stage(applicant, Stage.APPLICANT)
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
    step = DevelopmentStep.objects.create(
        applicant=applicant, kind=DevelopmentStep.Kind.FIRST_TALK, date=on, note=note
    )
    describe(applicant, {"first_talk_on": iso(on)}, late_reason)
    return step


@action("development.start_notice", gettext_lazy("Start a public notice"))
def start_notice(
    actor: Any, applicant: Applicant, *, starts_on: dt.date, note: str = ""
) -> PublicNotice:
    """Post the public notice (公示) the next step needs; it runs N working days."""
    require(actor, CHANGE)
    ensure_in_scope(actor, applicant)
    describe(applicant)
    purpose = NOTICE_PURPOSE.get(applicant.stage)
    if purpose is None:
        check_stage(applicant, *NOTICE_PURPOSE)
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
    require(actor, CHANGE)
    ensure_in_scope(actor, applicant)
    describe(applicant)
    check_stage(applicant, Stage.APPLICANT)
    check_not_future("on", on)
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
    DevelopmentStep.objects.create(
        applicant=applicant, kind=DevelopmentStep.Kind.ACTIVIST, date=on, note=note
    )
    for contact in contacts:
        DevelopmentStep.objects.create(
            applicant=applicant, kind=DevelopmentStep.Kind.CONTACT, date=on, member=contact
        )
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
    require(actor, CHANGE)
    ensure_in_scope(actor, applicant)
    describe(applicant)
    check_stage(applicant, Stage.ACTIVIST, Stage.CANDIDATE)
    check_not_future("on", on)
    if on < applicant.activist_on:
        refuse(
            "on",
            _("The review cannot come before the person became an activist (%(date)s).")
            % {"date": iso(applicant.activist_on)},
        )
    applicant.last_review_on = max(on, applicant.last_review_on or on)
    applicant.save(update_fields=["last_review_on", "updated_at"])
    step = DevelopmentStep.objects.create(
        applicant=applicant, kind=DevelopmentStep.Kind.REVIEW, date=on, note=note
    )
    describe(applicant, {"review": iso(on)})
    return step


@action("development.name_candidate", gettext_lazy("Name a development candidate"))
def name_candidate(actor: Any, applicant: Applicant, *, on: dt.date, note: str = "") -> Applicant:
    """The branch committee names an activist of a year or more a development candidate."""
    require(actor, CHANGE)
    ensure_in_scope(actor, applicant)
    describe(applicant)
    check_stage(applicant, Stage.ACTIVIST)
    check_not_future("on", on)
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
    DevelopmentStep.objects.create(
        applicant=applicant, kind=DevelopmentStep.Kind.CANDIDATE, date=on, note=note
    )
    describe(applicant, {"stage": [Stage.ACTIVIST, Stage.CANDIDATE]})
    return applicant


@action("development.assign_introducers", gettext_lazy("Assign introducers"))
def assign_introducers(
    actor: Any, applicant: Applicant, *, on: dt.date, introducers: list[Member]
) -> Applicant:
    """Two full members introduce the candidate (入党介绍人); replaces earlier introducers."""
    require(actor, CHANGE)
    ensure_in_scope(actor, applicant)
    describe(applicant)
    check_stage(applicant, Stage.CANDIDATE)
    check_not_future("on", on)
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
        DevelopmentStep.objects.create(
            applicant=applicant, kind=DevelopmentStep.Kind.INTRODUCER, date=on, member=member
        )
    describe(applicant, {"introducers": [m.name for m in introducers]})
    return applicant


@action("development.record_political_review", gettext_lazy("Record a political review"))
def record_political_review(
    actor: Any, applicant: Applicant, *, on: dt.date, note: str = ""
) -> DevelopmentStep:
    """The conclusion of the political review (政审) of a candidate; valid for a year."""
    require(actor, CHANGE)
    ensure_in_scope(actor, applicant)
    describe(applicant)
    check_stage(applicant, Stage.ACTIVIST, Stage.CANDIDATE)
    check_not_future("on", on)
    months = int(value(rules.POLITICAL_REVIEW_MONTHS, applicant, on))
    step = DevelopmentStep.objects.create(
        applicant=applicant,
        kind=DevelopmentStep.Kind.POLITICAL_REVIEW,
        date=on,
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
    require(actor, CHANGE)
    ensure_in_scope(actor, applicant)
    describe(applicant)
    check_stage(applicant, Stage.ACTIVIST, Stage.CANDIDATE)
    check_not_future("on", on)
    min_days = int(value(rules.TRAINING_DAYS, applicant, on))
    min_hours = int(value(rules.TRAINING_HOURS, applicant, on))
    if (days or 0) < min_days and (hours or 0) < min_hours:
        refuse(
            "days",
            _("Concentrated training lasts at least %(days)d days or %(hours)d class hours.")
            % {"days": min_days, "hours": min_hours},
        )
    step = DevelopmentStep.objects.create(
        applicant=applicant,
        kind=DevelopmentStep.Kind.TRAINING,
        date=on,
        days=days,
        hours=hours,
        note=note,
    )
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
    """The branch general meeting votes on admission (candidates) or full membership."""
    require(actor, CHANGE)
    ensure_in_scope(actor, applicant)
    describe(applicant)
    check_stage(applicant, *VOTE_PURPOSE)
    purpose = VOTE_PURPOSE[applicant.stage]
    check_not_future("held_on", held_on)
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
            _("Branch vote on full membership: %(yes)d yes of %(entitled)d entitled")
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
    require(actor, APPROVE)
    ensure_in_scope(actor, applicant)
    describe(applicant)
    vote = pending_vote(applicant)
    if vote is None:
        refuse("on", _("No branch vote awaits approval."))
    check_not_future("on", on)
    if on < vote.held_on:
        refuse(
            "on",
            _("The approval cannot come before the vote (%(date)s).") % {"date": iso(vote.held_on)},
        )
    months = int(value(rules.APPROVAL_MONTHS, applicant, vote.held_on))
    special = int(value(rules.APPROVAL_MONTHS_SPECIAL, applicant, vote.held_on))
    deadline = add_months(vote.held_on, months)
    last = add_months(vote.held_on, special)
    if on > last:
        refuse(
            "on",
            _("Approval comes at most %(months)d months after the vote, by %(last)s.")
            % {"months": special, "last": iso(last)},
        )
    if on > deadline and not special_reason.strip():
        refuse(
            "special_reason",
            _(
                "Approval is due within %(months)d months of the vote, by %(deadline)s; later "
                "approval (up to %(last)s) needs the special reason."
            )
            % {"months": months, "deadline": iso(deadline), "last": iso(last)},
        )
    vote.approved_on = on
    vote.save(update_fields=["approved_on"])
    DevelopmentStep.objects.create(
        applicant=applicant,
        kind=DevelopmentStep.Kind.APPROVAL,
        date=on,
        note=special_reason.strip(),
    )
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


@action("development.extend_probation", gettext_lazy("Extend a probation"))
def extend_probation(
    actor: Any, applicant: Applicant, *, on: dt.date, months: int, reason: str
) -> Applicant:
    """Extend the probation once, by 6 to 12 months, when it ends (延长预备期)."""
    require(actor, CHANGE)
    ensure_in_scope(actor, applicant)
    describe(applicant)
    check_stage(applicant, Stage.PROBATIONARY)
    check_not_future("on", on)
    if applicant.probation_extended:
        refuse("months", _("A probation is extended only once."))
    if pending_vote(applicant) is not None:
        refuse("on", _("Full membership has been voted on and awaits approval."))
    if on < applicant.probation_ends_on:
        refuse(
            "on",
            _("A probation is extended when it ends; earliest %(date)s.")
            % {"date": iso(applicant.probation_ends_on)},
        )
    low = int(value(rules.EXTENSION_MIN_MONTHS, applicant, on))
    high = int(value(rules.EXTENSION_MAX_MONTHS, applicant, on))
    if not low <= months <= high:
        refuse(
            "months",
            _("A probation is extended by %(low)d to %(high)d months.")
            % {"low": low, "high": high},
        )
    if not (reason or "").strip():
        refuse("reason", _("Give the reason for the extension."))
    old = applicant.probation_ends_on
    applicant.probation_ends_on = add_months(old, months)
    applicant.probation_extended = True
    applicant.save(update_fields=["probation_ends_on", "probation_extended", "updated_at"])
    DevelopmentStep.objects.create(
        applicant=applicant,
        kind=DevelopmentStep.Kind.EXTENSION,
        date=on,
        months=months,
        note=reason,
    )
    member_actions.record(
        applicant.member,
        on,
        MemberEvent.Kind.PROBATION_EXTENDED,
        _("Probation extended by %(months)d months, to %(date)s")
        % {"months": months, "date": iso(applicant.probation_ends_on)},
        reason=reason,
    )
    describe(applicant, {"probation_ends_on": [iso(old), iso(applicant.probation_ends_on)]}, reason)
    return applicant


@action("development.cancel_probation", gettext_lazy("Cancel a probationary membership"))
def cancel_probation(actor: Any, applicant: Applicant, *, on: dt.date, reason: str) -> Applicant:
    """Cancel the probationary membership (取消预备党员资格); the member leaves the register."""
    require(actor, CHANGE)
    ensure_in_scope(actor, applicant)
    describe(applicant)
    check_stage(applicant, Stage.PROBATIONARY)
    check_not_future("on", on)
    if not (reason or "").strip():
        refuse("reason", _("Give the reason for the cancellation."))
    member_actions.change_status(
        actor, applicant.member, status=MemberStatus.LEFT, on=on, reason=reason
    )
    applicant.stage = Stage.CANCELLED
    applicant.cancelled_on = on
    applicant.save(update_fields=["stage", "cancelled_on", "updated_at"])
    DevelopmentStep.objects.create(
        applicant=applicant, kind=DevelopmentStep.Kind.CANCELLATION, date=on, note=reason
    )
    describe(applicant, {"stage": [Stage.PROBATIONARY, Stage.CANCELLED]}, reason)
    return applicant
