"""Member actions: register, correct details, change status or organization.

Every change that matters to a member's history also writes a timeline entry
(``MemberEvent``) and keeps the membership periods (for numbers as of a date) in step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, describe, diff, require, snapshot
from cunju.core.personal_data import ID_NUMBER, blind_index, normalize
from cunju.core.scoping import ensure_in_scope
from cunju.organizations.models import Organization

from .models import (
    ACTIVE_STATUSES,
    Commendation,
    Difficulty,
    FamilyMember,
    Member,
    MemberEvent,
    MembershipPeriod,
    MemberStatus,
    Post,
)

DETAIL_FIELDS = [
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "education",
    "occupation",
    "work_unit",
    "address",
]
SECRET = {"id_number", "phone"}

# Which status may follow which (anything else is refused with a clear message).
STATUS_CHANGES = {
    MemberStatus.PROBATIONARY: {
        MemberStatus.FULL,
        MemberStatus.LEFT,
        MemberStatus.DECEASED,
        MemberStatus.TRANSFERRED_OUT,
    },
    MemberStatus.FULL: {
        MemberStatus.SUSPENDED,
        MemberStatus.LEFT,
        MemberStatus.DECEASED,
        MemberStatus.TRANSFERRED_OUT,
    },
    MemberStatus.SUSPENDED: {MemberStatus.FULL, MemberStatus.LEFT, MemberStatus.DECEASED},
    MemberStatus.LEFT: set(),
    MemberStatus.DECEASED: set(),
    # Leaves the register by a transfer letter to an organization outside the system.
    MemberStatus.TRANSFERRED_OUT: set(),
}
# Reached only through a transfer letter's receipt (mobility), never by hand.
BY_LETTER_ONLY = {MemberStatus.TRANSFERRED_OUT}


def manual_status_changes(status: str) -> set[str]:
    """The statuses a user may pick on the status form for a member now in ``status``."""
    return STATUS_CHANGES.get(status, set()) - BY_LETTER_ONLY


def record(member: Member, date: dt.date, kind: str, summary: str, **data: Any) -> MemberEvent:
    """Add an entry to the member's timeline (inside the calling action)."""
    return MemberEvent.objects.create(
        member=member,
        date=date,
        kind=kind,
        summary=str(summary)[:300],
        organization=member.organization,
        data={k: str(v) for k, v in data.items()},
    )


# What a change of the register is about, the period column that tells it apart, and the
# events that record it.
PERIOD_KINDS = {"organization": "organization_id", "status": "status", "is_mobile": "is_mobile"}
EVENT_KINDS = {
    "organization": [MemberEvent.Kind.TRANSFERRED],
    "status": [MemberEvent.Kind.STATUS, MemberEvent.Kind.FULL],
}


def start_period(member: Member, on: dt.date, **values: Any) -> None:
    """Record in the member's periods that ``values`` (``organization`` and/or ``status``)
    hold from ``on`` to this day.

    A change entered late, dated before changes of another kind (a suspension recorded after
    a later move), is in the history from its own date: every period since takes it, and
    the periods still follow one another. One dated before a later change of the same kind
    is refused: the events recorded after it (a move from the old organization, a status
    that followed the old one) would no longer read right.
    """
    periods = _periods_for_change(member)
    columns = {PERIOD_KINDS[name]: _period_value(name, value) for name, value in values.items()}
    on = max(on, periods[0].valid_from)
    later = [
        after.valid_from
        for before, after in zip(periods, periods[1:], strict=False)
        if after.valid_from > on and any(getattr(after, c) != getattr(before, c) for c in columns)
    ]
    # A change undone the same day leaves no trace in the periods, but its events stay.
    kinds = [k for name in values for k in EVENT_KINDS[name]]
    later += MemberEvent.objects.filter(member=member, kind__in=kinds, date__gt=on).values_list(
        "date", flat=True
    )
    if later:
        raise ValidationError({"on": _later_change(values, min(later))})
    _rewrite(member, periods, on, None, values)


def set_period_values(member: Member, on: dt.date, until: dt.date | None, **values: Any) -> None:
    """Record in the member's periods that ``values`` held over [``on``, ``until``) (to this
    day when ``until`` is None), whatever the periods said: for a state the caller knows
    date by date (the mobility records say when a member was away)."""
    periods = _periods_for_change(member)
    _rewrite(member, periods, max(on, periods[0].valid_from), until, values)


def _periods_for_change(member: Member) -> list[MembershipPeriod]:
    # One change of a member at a time: the periods are read, then rewritten.
    list(Member.objects.select_for_update().filter(pk=member.pk).values_list("pk"))
    periods = list(MembershipPeriod.objects.filter(member=member).order_by("valid_from", "pk"))
    if not periods:
        raise ValueError(f"member {member.pk} has no membership periods")
    return periods


def _rewrite(
    member: Member, periods: list, on: dt.date, until: dt.date | None, values: dict
) -> None:
    """The periods overlapping [on, until) written anew: the values over that stretch, the
    rest as they were. What changes is in new rows, so that checkpoints of the numbers taken
    since see that history changed; the part before ``on`` stays in its row, so those of
    earlier dates stay in date. A move takes the path the new organization had at each date
    (``OrganizationVersion``), as the organization's history has it."""
    columns = {PERIOD_KINDS[name]: _period_value(name, value) for name, value in values.items()}
    affected = [
        p
        for p in periods
        if (p.valid_to is None or p.valid_to > on) and (until is None or p.valid_from < until)
    ]
    paths = organization_paths(values["organization"]) if "organization" in values else None
    pieces: list[list] = []  # [values, from, to]

    def add(period, start, end, changed: bool) -> None:
        if end is not None and end <= start:
            return
        state = {
            "organization_id": period.organization_id,
            "org_path": period.org_path,
            "status": period.status,
            "is_mobile": period.is_mobile,
        }
        parts = [(start, end, period.org_path)]
        if changed:
            state.update(columns)
            if paths is not None:
                parts = _split_by(paths, start, end)
        for begin, stop, path in parts:
            piece = {**state, "org_path": path}
            if pieces and pieces[-1][2] == begin and pieces[-1][0] == piece:
                pieces[-1][2] = stop  # the same as the piece before: one period
            else:
                pieces.append([piece, begin, stop])

    for period in affected:
        start = max(period.valid_from, on)
        end = period.valid_to
        if until is not None:
            end = until if end is None else min(end, until)
        add(period, period.valid_from, start, changed=False)
        add(period, start, end, changed=True)
        if end is not None:
            add(period, end, period.valid_to, changed=False)
    if [_fields(p) for p in affected] == [
        (*piece.values(), begin, stop) for piece, begin, stop in pieces
    ]:
        return  # nothing changes
    first, kept = affected[0], None
    piece, begin, stop = pieces[0]
    if begin == first.valid_from and piece == dict(zip(piece, _fields(first)[:4], strict=True)):
        # The same state from the same day: the row stays, cut where the change begins. It
        # never grows: dates it did not cover get a new row, for the checkpoints to see.
        kept = first
        grows = first.valid_to is not None and (stop is None or stop > first.valid_to)
        end = first.valid_to if grows else stop
        MembershipPeriod.objects.filter(pk=first.pk).update(valid_to=end)
        pieces = ([[piece, end, stop]] if grows else []) + pieces[1:]
    MembershipPeriod.objects.filter(pk__in=[p.pk for p in affected if p is not kept]).delete()
    MembershipPeriod.objects.bulk_create(
        MembershipPeriod(member_id=member.pk, **piece, valid_from=begin, valid_to=stop)
        for piece, begin, stop in pieces
    )


def admission_periods(
    organization: Organization,
    admitted_on: dt.date,
    full_on: dt.date | None,
    status: str,
    is_mobile: bool,
    paths: list | None = None,
) -> list[dict[str, Any]]:
    """A new member's periods: history starts at admission, probationary until full
    membership, then ``status``; in ``organization`` throughout, under the path it had at
    each date (``paths``, from its versions when not given), as for a member moved there."""
    paths = paths if paths is not None else organization_paths(organization)
    spans = [(admitted_on, full_on, MemberStatus.PROBATIONARY if full_on else status)]
    if full_on:
        spans.append((full_on, None, status))
    rows = []
    for start, end, state in spans:
        if end is not None and end <= start:
            continue  # full on the day of admission: never probationary
        rows += [
            {
                "organization_id": organization.pk,
                "org_path": path,
                "status": state,
                "is_mobile": is_mobile,
                "valid_from": begin,
                "valid_to": stop,
            }
            for begin, stop, path in _split_by(paths, start, end)
        ]
    return rows


def _fields(period: MembershipPeriod) -> tuple:
    return (
        period.organization_id,
        period.org_path,
        period.status,
        period.is_mobile,
        period.valid_from,
        period.valid_to,
    )


def _period_value(name: str, value: Any) -> Any:
    return value.pk if name == "organization" else value


def _later_change(values: dict, on: dt.date) -> str:
    if "organization" in values:
        return _(
            "The member moved again on %(date)s, after this date: moves are entered in the "
            "order they happened."
        ) % {"date": on.isoformat()}
    return _(
        "The member's status changed again on %(date)s, after this date: status changes are "
        "entered in the order they happened."
    ) % {"date": on.isoformat()}


def organization_paths(organization: Organization) -> list[tuple]:
    """The organization's tree paths over time: (from, to, path), oldest first; an empty
    ``from``: since it was set up."""
    versions = organization.versions.order_by(F("valid_from").asc(nulls_first=True), "pk")
    found = [(v.valid_from, v.valid_to, v.path) for v in versions]
    return found or [(None, None, organization.path)]


def _split_by(paths, begin: dt.date, end: dt.date | None) -> list[tuple]:
    """[begin, end) cut where the organization's path changed, each piece with its path.
    Dates before the first version (the organization was set up later) take its path."""
    pieces = []
    for n, (since, until, path) in enumerate(paths):
        start = begin if n == 0 else max(begin, since or begin)
        stop = end if until is None else (until if end is None else min(end, until))
        if stop is not None and stop <= start:
            continue
        pieces.append((start, stop, path))
        if stop is None or (end is not None and stop >= end):
            break
    if pieces[-1][1] != end:  # no version after the last one ended: it goes on
        pieces[-1] = (pieces[-1][0], end, pieces[-1][2])
    return pieces


def check_id_number_free(id_number: Any, exclude: Member | None = None) -> None:
    text = id_number.reveal() if hasattr(id_number, "reveal") else (id_number or "")
    if not text:
        return
    others = Member.objects.filter(id_number_index=blind_index(ID_NUMBER, text))
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise ValidationError(
            {"id_number": _("A member with this ID number is already in the register.")}
        )


def adult_on(birth_date: dt.date) -> dt.date:
    """The 18th birthday (1 March for those born on 29 February)."""
    try:
        return birth_date.replace(year=birth_date.year + 18)
    except ValueError:
        return dt.date(birth_date.year + 18, 3, 1)


def check_dates(
    birth_date: dt.date, admitted_on: dt.date, full_on: dt.date | None, status: str
) -> None:
    errors = {}
    today = dt.date.today()
    if birth_date > today:
        errors["birth_date"] = _("The birth date is in the future.")
    if admitted_on > today:
        errors["admitted_on"] = _("The admission date is in the future.")
    elif admitted_on < adult_on(birth_date):
        errors["admitted_on"] = _("Members are admitted at 18 or older.")
    if full_on is not None:
        if full_on < admitted_on:
            errors["full_on"] = _("Full membership cannot come before admission.")
        elif full_on > today:
            errors["full_on"] = _("The full membership date is in the future.")
    if status == MemberStatus.PROBATIONARY and full_on is not None:
        errors["full_on"] = _("A probationary member has no full membership date yet.")
    if status in (MemberStatus.FULL, MemberStatus.SUSPENDED) and full_on is None:
        errors["full_on"] = _("Give the date of full membership.")
    if errors:
        raise ValidationError(errors)


@action("members.register_member", gettext_lazy("Enter a member in the register"))
def register_member(
    actor: Any,
    *,
    organization: Organization,
    name: str,
    sex: str,
    birth_date: dt.date,
    admitted_on: dt.date,
    education: str,
    occupation: str,
    status: str = MemberStatus.FULL,
    full_on: dt.date | None = None,
    ethnicity: str = "汉族",
    id_number: str = "",
    phone: str = "",
    work_unit: str = "",
    address: str = "",
    is_mobile: bool = False,
) -> Member:
    """Enter an existing Party member in the register of an organization in scope."""
    require(actor, "members.add_member")
    ensure_in_scope(actor, organization)
    organization.check_current("organization")
    if status not in ACTIVE_STATUSES and status != MemberStatus.SUSPENDED:
        raise ValidationError({"status": _("Only current members can be entered.")})
    id_number = normalize(ID_NUMBER, id_number) if id_number else ""
    check_id_number_free(id_number)
    check_dates(birth_date, admitted_on, full_on, status)
    member = Member(
        organization=organization,
        org_path=organization.path,
        name=(name or "").strip(),
        sex=sex,
        ethnicity=ethnicity or "汉族",
        birth_date=birth_date,
        id_number=id_number,
        phone=phone,
        education=education,
        occupation=occupation,
        work_unit=work_unit,
        address=address,
        status=status,
        admitted_on=admitted_on,
        full_on=full_on,
        is_mobile=is_mobile,
    )
    member.full_clean(exclude=["org_path", "id_number_index", "phone_index"])
    member.save()
    record(member, admitted_on, MemberEvent.Kind.ADMITTED, _("Admitted as probationary member"))
    if full_on:
        record(member, full_on, MemberEvent.Kind.FULL, _("Became a full member"))
    record(
        member,
        dt.date.today(),
        MemberEvent.Kind.REGISTERED,
        _("Entered in the register of %(org)s") % {"org": organization.name},
    )
    MembershipPeriod.objects.bulk_create(
        MembershipPeriod(member=member, **row)
        for row in admission_periods(organization, admitted_on, full_on, status, is_mobile)
    )
    describe(member, {f: "***" if f in SECRET else str(getattr(member, f)) for f in DETAIL_FIELDS})
    return member


@action("members.update_member", gettext_lazy("Correct a member's details"))
def update_member(actor: Any, member: Member, **changes: Any) -> Member:
    """Correct or complete a member's personal details (not status or organization)."""
    require(actor, "members.change_member")
    ensure_in_scope(actor, member)
    describe(member)
    before = snapshot(member, DETAIL_FIELDS)
    for name, value in changes.items():
        if name not in DETAIL_FIELDS:
            raise ValueError(f"cannot change {name} here")
        setattr(member, name, value)
    if "id_number" in changes:
        check_id_number_free(member.id_number, exclude=member)
    check_dates(member.birth_date, member.admitted_on, member.full_on, member.status)
    member.full_clean(exclude=["org_path", "id_number_index", "phone_index"])
    member.save()
    changed = diff(before, member)
    if changed:
        record(
            member,
            dt.date.today(),
            MemberEvent.Kind.DETAILS,
            _("Details changed: %(fields)s")
            % {"fields": "、".join(str(Member._meta.get_field(f).verbose_name) for f in changed)},
        )
    describe(member, changed)
    return member


@action("members.change_status", gettext_lazy("Change a member's status"))
def change_status(
    actor: Any, member: Member, *, status: str, on: dt.date, reason: str = ""
) -> Member:
    """Record full membership, suspension, leaving or death from a date."""
    require(actor, "members.change_member")
    ensure_in_scope(actor, member)
    describe(member)
    if status not in STATUS_CHANGES.get(member.status, set()):
        raise ValidationError(
            {
                "status": _("A member who is “%(old)s” cannot become “%(new)s”.")
                % {"old": MemberStatus(member.status).label, "new": MemberStatus(status).label}
            }
        )
    if on > dt.date.today():
        raise ValidationError({"on": _("The date is in the future.")})
    if on < member.admitted_on:
        raise ValidationError({"on": _("The date is before the member was admitted.")})
    old = member.status
    member.status = status
    member.status_changed_on = on
    if status == MemberStatus.FULL and member.full_on is None:
        member.full_on = on
    member.save(update_fields=["status", "status_changed_on", "full_on", "updated_at"])
    kind = (
        MemberEvent.Kind.FULL
        if status == MemberStatus.FULL and old == MemberStatus.PROBATIONARY
        else MemberEvent.Kind.STATUS
    )
    summary = _("%(old)s → %(new)s") % {
        "old": MemberStatus(old).label,
        "new": MemberStatus(status).label,
    }
    if reason:
        summary = f"{summary}: {reason}"
    record(member, on, kind, summary, reason=reason)
    start_period(member, on, status=status)
    describe(member, {"status": [old, status], "on": str(on)}, reason)
    return member


@action("members.move_member", gettext_lazy("Move a member to another organization"))
def move_member(
    actor: Any, member: Member, *, organization: Organization, on: dt.date, reason: str = ""
) -> Member:
    """Move a member between organizations inside the actor's scope (both must be in it).

    Transfers to organizations outside the actor's scope go through the mobility module's
    transfer letters instead.
    """
    require(actor, "members.change_member")
    ensure_in_scope(actor, member)
    ensure_in_scope(actor, organization)
    describe(member)
    if organization.pk == member.organization_id:
        raise ValidationError({"organization": _("The member is already in this organization.")})
    organization.check_current("organization")
    _check_not_future("on", on)
    if on < member.admitted_on:
        raise ValidationError({"on": _("The date is before the member was admitted.")})
    founded = organization.versions.order_by("valid_from").values_list("valid_from", flat=True)
    founded = next((day for day in founded if day is not None), None)
    if (
        founded is not None
        and on < founded
        and not organization.versions.filter(valid_from__isnull=True).exists()
    ):
        raise ValidationError(
            {
                "on": _("%(org)s was set up on %(date)s, after this date.")
                % {"org": organization.name, "date": founded.isoformat()}
            }
        )
    if organization.kind not in (
        Organization.Kind.BRANCH,
        Organization.Kind.GENERAL_BRANCH,
        Organization.Kind.COMMITTEE,
    ):
        raise ValidationError(
            {
                "organization": _(
                    "Members belong to a branch, general branch or committee, not a group."
                )
            }
        )
    old = member.organization
    member.organization = organization
    member.org_path = organization.path
    member.save(update_fields=["organization", "org_path", "updated_at"])
    record(
        member,
        on,
        MemberEvent.Kind.TRANSFERRED,
        _("%(old)s → %(new)s") % {"old": old.name, "new": organization.name},
        reason=reason,
    )
    start_period(member, on, organization=organization)
    describe(member, {"organization": [old.name, organization.name], "on": str(on)}, reason)
    return member


# --- The member's file: posts, awards and punishments, difficulties, family ----------------


def _check_not_future(field: str, date: dt.date) -> None:
    if date > dt.date.today():
        raise ValidationError({field: _("The date is in the future.")})


def _check_not_before_birth(field: str, member: Member, date: dt.date) -> None:
    if date < member.birth_date:
        raise ValidationError({field: _("The date is before the member was born.")})


def _open_file(actor: Any, member: Member) -> None:
    """What every change to a member's file starts with: permission, scope, audit target."""
    require(actor, "members.change_member")
    ensure_in_scope(actor, member)
    describe(member)


def _check_started(member: Member, field: str, date: dt.date) -> None:
    _check_not_future(field, date)
    _check_not_before_birth(field, member, date)


def _end_entry(
    entry: Any,
    *,
    on: dt.date,
    started: dt.date,
    end_field: str,
    already: str,
    too_early: str,
    kind: str,
    summary: str,
    **data: Any,
) -> None:
    """End a dated entry of the member's file (a post, a difficulty) on ``on``, on the timeline.

    ``already`` is the message when it has ended (with ``%(date)s``), ``too_early`` when
    ``on`` comes before ``started``.
    """
    ended = getattr(entry, end_field)
    if ended is not None:
        raise ValidationError({"on": already % {"date": f"{ended:%Y-%m-%d}"}})
    _check_not_future("on", on)
    if on < started:
        raise ValidationError({"on": too_early})
    setattr(entry, end_field, on)
    entry.save(update_fields=[end_field])
    record(entry.member, on, kind, summary, **data)


def post_label(post: Post) -> str:
    """The post with its organization ("湖滨社区党委 书记"), for the timeline."""
    return f"{post.organization.name} {post.title}" if post.organization_id else post.title


def open_post(
    member: Member,
    *,
    title: str,
    started_on: dt.date,
    organization: Organization | None = None,
    ended_on: dt.date | None = None,
    seat: Any = None,
    summary: str = "",
) -> Post:
    """Write a post held and its timeline entries, inside the calling action (which checked
    the dates and the actor): ``add_post`` for posts entered by hand, the committee actions
    for seats. ``summary`` replaces the timeline's "took up the post" wording."""
    post = Post.objects.create(
        member=member,
        title=title,
        organization=organization,
        started_on=started_on,
        ended_on=ended_on,
        seat=seat,
    )
    label = post_label(post)
    record(
        member,
        started_on,
        MemberEvent.Kind.POST,
        summary or _("Took up the post of %(post)s") % {"post": label},
        post=post.pk,
    )
    if ended_on is not None:
        record(
            member,
            ended_on,
            MemberEvent.Kind.POST,
            _("Left the post of %(post)s") % {"post": label},
            post=post.pk,
        )
    return post


def close_post(post: Post, on: dt.date) -> Post:
    """End a post on ``on`` (refused when it has ended or would end before it starts)."""
    _end_entry(
        post,
        on=on,
        started=post.started_on,
        end_field="ended_on",
        already=_("This post already ended on %(date)s."),
        too_early=_("The post cannot end before it starts."),
        kind=MemberEvent.Kind.POST,
        summary=_("Left the post of %(post)s") % {"post": post_label(post)},
        post=post.pk,
    )
    return post


@action("members.add_post", gettext_lazy("Record a post a member holds"))
def add_post(
    actor: Any,
    member: Member,
    *,
    title: str,
    started_on: dt.date,
    organization: Organization | None = None,
    ended_on: dt.date | None = None,
) -> Post:
    """Record a post held (任职), e.g. branch secretary, from a date (and to a date)."""
    _open_file(actor, member)
    if organization is not None:
        ensure_in_scope(actor, organization)
        organization.check_current("organization")
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the post.")})
    _check_started(member, "started_on", started_on)
    if ended_on is not None:
        _check_not_future("ended_on", ended_on)
        if ended_on < started_on:
            raise ValidationError({"ended_on": _("The post cannot end before it starts.")})
    post = open_post(
        member, title=title, started_on=started_on, organization=organization, ended_on=ended_on
    )
    describe(member, {"post": title, "from": str(started_on), "to": str(ended_on or "")})
    return post


@action("members.end_post", gettext_lazy("Record the end of a post"))
def end_post(actor: Any, post: Post, *, on: dt.date) -> Post:
    """Record that the member left a post on a date."""
    _open_file(actor, post.member)
    if post.seat_id is not None and post.ended_on is None:
        # The committee's record decides: ending only the post would leave the seat taken.
        raise ValidationError(
            {
                "on": _(
                    "This post is a seat on the committee of %(org)s: remove the member from "
                    "the committee there, and the post ends with the seat."
                )
                % {"org": post.organization.name if post.organization_id else "—"}
            }
        )
    close_post(post, on)
    describe(post.member, {"post": post.title, "to": str(on)})
    return post


@action("members.add_commendation", gettext_lazy("Record an award or a punishment"))
def add_commendation(
    actor: Any,
    member: Member,
    *,
    kind: str,
    date: dt.date,
    title: str,
    issuer: str = "",
    note: str = "",
) -> Commendation:
    """Record an award (奖励) or a punishment (处分) in the member's file."""
    _open_file(actor, member)
    if kind not in Commendation.Kind.values:
        raise ValidationError({"kind": _("Choose award or punishment.")})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the award or punishment.")})
    _check_started(member, "date", date)
    commendation = Commendation.objects.create(
        member=member, kind=kind, date=date, title=title, issuer=issuer.strip(), note=note
    )
    summary = f"{title}（{issuer.strip()}）" if issuer.strip() else title
    event_kind = (
        MemberEvent.Kind.AWARD if kind == Commendation.Kind.AWARD else MemberEvent.Kind.PUNISHMENT
    )
    record(member, date, event_kind, summary, commendation=commendation.pk)
    describe(member, {"kind": kind, "title": title, "date": str(date)})
    return commendation


@action("members.add_difficulty", gettext_lazy("Record a member's difficulty"))
def add_difficulty(
    actor: Any, member: Member, *, kind: str, since: dt.date, note: str = ""
) -> Difficulty:
    """Record a difficulty (困难党员) the organization helps the member with."""
    _open_file(actor, member)
    if kind not in Difficulty.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of difficulty.")})
    _check_started(member, "since", since)
    if member.difficulties.filter(kind=kind, until__isnull=True).exists():
        raise ValidationError({"kind": _("This difficulty is already recorded and not over yet.")})
    difficulty = Difficulty.objects.create(member=member, kind=kind, since=since, note=note)
    label = Difficulty.Kind(kind).label
    summary = f"{label}: {note.strip()}" if note.strip() else str(label)
    record(member, since, MemberEvent.Kind.DIFFICULTY, summary, difficulty=difficulty.pk)
    describe(member, {"difficulty": kind, "since": str(since)})
    return difficulty


@action("members.end_difficulty", gettext_lazy("Record that a difficulty is over"))
def end_difficulty(actor: Any, difficulty: Difficulty, *, on: dt.date) -> Difficulty:
    """Record that a difficulty is over (recovered, out of poverty…) from a date."""
    _open_file(actor, difficulty.member)
    _end_entry(
        difficulty,
        on=on,
        started=difficulty.since,
        end_field="until",
        already=_("This difficulty was already over on %(date)s."),
        too_early=_("A difficulty cannot end before it began."),
        kind=MemberEvent.Kind.DIFFICULTY,
        summary=_("Difficulty over: %(kind)s") % {"kind": difficulty.get_kind_display()},
        difficulty=difficulty.pk,
    )
    describe(difficulty.member, {"difficulty": difficulty.kind, "until": str(on)})
    return difficulty


@action("members.add_family_member", gettext_lazy("Add a member's family member"))
def add_family_member(
    actor: Any,
    member: Member,
    *,
    name: str,
    relation: str,
    birth_date: dt.date | None = None,
    political_status: str = "",
    work_unit: str = "",
) -> FamilyMember:
    """Add a family member (家庭成员) to the member's file."""
    _open_file(actor, member)
    name, relation = (name or "").strip(), (relation or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the name.")})
    if not relation:
        raise ValidationError({"relation": _("Give the relation to the member.")})
    if birth_date is not None:
        _check_not_future("birth_date", birth_date)
    relative = FamilyMember.objects.create(
        member=member,
        name=name,
        relation=relation,
        birth_date=birth_date,
        political_status=political_status.strip(),
        work_unit=work_unit.strip(),
    )
    describe(member, {"family_member": f"{relation} {name}"})
    return relative


@action("members.remove_family_member", gettext_lazy("Remove a member's family member"))
def remove_family_member(actor: Any, relative: FamilyMember) -> None:
    """Remove a family member entered by mistake or no longer part of the household."""
    require(actor, "members.change_member")
    member = relative.member
    ensure_in_scope(actor, member)
    describe(member, {"family_member": f"{relative.relation} {relative.name}"})
    relative.delete()
