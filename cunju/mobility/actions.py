"""Mobility actions: register outflow and inflow, reports, activity cards, transfer letters.

Every change that matters to a member's history writes a timeline entry; leaving for
elsewhere sets ``Member.is_mobile`` and opens a membership period, so numbers as of a date
count mobile members right. A transfer to an organization in the system completes when the
receiving side accepts it: the member, with the whole timeline and every period, moves there.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, describe, require
from cunju.core.scoping import ensure_in_scope
from cunju.core.system import SYSTEM
from cunju.members.actions import change_status, move_member, record, set_period_values
from cunju.members.models import (
    ACTIVE_STATUSES,
    Member,
    MemberEvent,
    MemberStatus,
)
from cunju.organizations.models import Organization

from . import rules
from .models import ActivityCard, MobileRecord, MobileReport, Transfer, division_code_of

CODE = re.compile(r"^\d{6}$")
MEMBER_KINDS = (
    Organization.Kind.BRANCH,
    Organization.Kind.GENERAL_BRANCH,
    Organization.Kind.COMMITTEE,
)


def _fmt(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}"


def _check_code(field: str, code: str) -> str:
    code = (code or "").strip()
    if not CODE.match(code):
        raise ValidationError(
            {field: _("Give the six-digit division code (GB/T 2260) of the county or city.")}
        )
    return code


def _check_not_future(field: str, day: dt.date) -> None:
    if day > dt.date.today():
        raise ValidationError({field: _("The date is in the future.")})


def _set_mobile(member: Member, on: dt.date) -> None:
    """Bring the membership periods from ``on`` in line with the member's absences: away
    while an outflow record is open, whatever order the records were entered in (an absence
    of last year entered after this year's); the member's flag follows today's."""
    records = list(MobileRecord.objects.outflow().filter(member=member))

    def away(day: dt.date) -> bool:
        return any(
            r.away_since <= day and (r.ended_on is None or r.ended_on > day) for r in records
        )

    edges = {r.away_since for r in records} | {r.ended_on for r in records if r.ended_on}
    starts = sorted({on} | {day for day in edges if day > on})
    for start, until in zip(starts, [*starts[1:], None], strict=True):
        set_period_values(member, start, until, is_mobile=away(start))
    now = away(dt.date.today())
    if member.is_mobile != now:
        member.is_mobile = now
        member.save(update_fields=["is_mobile", "updated_at"])


def _still_away(member: Member, on: dt.date, exclude: MobileRecord | None = None) -> bool:
    others = MobileRecord.objects.outflow().open(on).filter(member=member)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


# --- Outflow and inflow ---------------------------------------------------------------------


@action("mobility.register_outflow", gettext_lazy("Register a member going away"))
def register_outflow(
    actor: Any,
    *,
    member: Member,
    place: str,
    region_code: str,
    away_since: dt.date,
    expected_return: dt.date | None = None,
    fixed_place: bool = True,
    transfer_possible: bool = True,
    phone: str = "",
    work_unit: str = "",
    job: str = "",
    note: str = "",
) -> MobileRecord:
    """外出登记: a member of ours goes to work or live elsewhere."""
    require(actor, "mobility.change_mobility")
    ensure_in_scope(actor, member)
    describe(member)
    if member.status not in ACTIVE_STATUSES:
        raise ValidationError({"member": _("Only current members are registered as mobile.")})
    region_code = _check_code("region_code", region_code)
    _check_not_future("away_since", away_since)
    if expected_return is not None and expected_return <= away_since:
        raise ValidationError({"expected_return": _("The return comes after the departure.")})
    if _still_away(member, away_since):
        raise ValidationError(
            {"member": _("%(name)s is already registered as away.") % {"name": member.name}}
        )
    entry = MobileRecord(
        direction=MobileRecord.Direction.OUTFLOW,
        member=member,
        place=(place or "").strip(),
        region_code=region_code,
        away_since=away_since,
        expected_return=expected_return,
        fixed_place=fixed_place,
        transfer_possible=transfer_possible,
        phone=phone,
        work_unit=(work_unit or "").strip(),
        job=(job or "").strip(),
        note=note,
    )
    entry.full_clean(exclude=["member", "organization"])
    entry.save()
    _set_mobile(member, away_since)
    proposal = _("transfer the relation") if entry.proposes_transfer() else _("activity card")
    record(
        member,
        away_since,
        MemberEvent.Kind.MOBILE,
        _("Went away to %(place)s (proposed: %(proposal)s)")
        % {"place": entry.place, "proposal": proposal},
        place=entry.place,
    )
    describe(
        entry,
        {
            "member": member.name,
            "place": entry.place,
            "region_code": region_code,
            "away_since": _fmt(away_since),
            "expected_return": _fmt(expected_return) if expected_return else "",
        },
    )
    return entry


@action("mobility.register_inflow", gettext_lazy("Register a member from elsewhere living here"))
def register_inflow(
    actor: Any,
    *,
    organization: Organization,
    name: str,
    home_organization: str,
    place: str,
    region_code: str,
    away_since: dt.date,
    expected_return: dt.date | None = None,
    phone: str = "",
    work_unit: str = "",
    job: str = "",
    card_number: str = "",
    note: str = "",
) -> MobileRecord:
    """流入登记: a member of another organization lives here and joins our organizational life."""
    require(actor, "mobility.change_mobility")
    ensure_in_scope(actor, organization)
    organization.check_current("organization")
    if not (name or "").strip():
        raise ValidationError({"name": _("Give the member's name.")})
    if not (home_organization or "").strip():
        raise ValidationError(
            {"home_organization": _("Give the organization that holds the member's relation.")}
        )
    region_code = _check_code("region_code", region_code)
    _check_not_future("away_since", away_since)
    if expected_return is not None and expected_return <= away_since:
        raise ValidationError({"expected_return": _("The return comes after the arrival.")})
    entry = MobileRecord(
        direction=MobileRecord.Direction.INFLOW,
        organization=organization,
        name=name.strip(),
        home_organization=home_organization.strip(),
        place=(place or "").strip(),
        region_code=region_code,
        away_since=away_since,
        expected_return=expected_return,
        phone=phone,
        work_unit=(work_unit or "").strip(),
        job=(job or "").strip(),
        card_number=(card_number or "").strip(),
        note=note,
    )
    entry.full_clean(exclude=["member", "organization"])
    entry.save()
    describe(
        entry,
        {
            "name": entry.name,
            "organization": organization.name,
            "home_organization": entry.home_organization,
            "since": _fmt(away_since),
        },
    )
    return entry


@action("mobility.end_record", gettext_lazy("End a mobile member record"))
def end_record(
    actor: Any, entry: MobileRecord, *, on: dt.date, reason: str = MobileRecord.EndReason.RETURNED
) -> MobileRecord:
    """The member came back (or moved on): the record closes and the mobile flag clears."""
    require(actor, "mobility.change_mobility")
    ensure_in_scope(actor, entry)
    describe(entry)
    if entry.ended_on is not None:
        raise ValidationError({"on": _("This record is already closed.")})
    if on < entry.away_since:
        raise ValidationError({"on": _("The date is before the member went away.")})
    _check_not_future("on", on)
    if reason not in MobileRecord.EndReason.values:
        raise ValidationError({"reason": _("Choose why the record ends.")})
    _close(entry, on, reason)
    if entry.is_outflow:
        record(
            entry.member,
            on,
            MemberEvent.Kind.MOBILE,
            _("Back from %(place)s (%(reason)s)")
            % {"place": entry.place, "reason": entry.get_end_reason_display()},
        )
    describe(entry, {"ended_on": _fmt(on), "end_reason": reason})
    return entry


def _close(entry: MobileRecord, on: dt.date, reason: str) -> None:
    entry.ended_on = on
    entry.end_reason = reason
    entry.save(update_fields=["ended_on", "end_reason", "updated_at"])
    if entry.is_outflow:
        _set_mobile(entry.member, on)


@action("mobility.add_report", gettext_lazy("Record a mobile member's report"))
def add_report(
    actor: Any, entry: MobileRecord, *, date: dt.date, way: str, content: str
) -> MobileReport:
    """A mobile member reported to the home organization (思想汇报、工作情况)."""
    require(actor, "mobility.change_mobility")
    ensure_in_scope(actor, entry)
    describe(entry)
    if not entry.is_outflow:
        raise ValidationError(_("Reports are kept by the member's home organization."))
    if date < entry.away_since:
        raise ValidationError({"date": _("The date is before the member went away.")})
    _check_not_future("date", date)
    if way not in MobileReport.Way.values:
        raise ValidationError({"way": _("Choose how the member reported.")})
    if not (content or "").strip():
        raise ValidationError({"content": _("Say what the member reported.")})
    report = MobileReport.objects.create(record=entry, date=date, way=way, content=content.strip())
    record(
        entry.member,
        date,
        MemberEvent.Kind.MOBILE,
        _("Reported to the home organization (%(way)s)") % {"way": report.get_way_display()},
    )
    describe(entry, {"report": _fmt(date), "way": way})
    return report


@action("mobility.issue_card", gettext_lazy("Issue a mobile-member activity card"))
def issue_card(
    actor: Any,
    entry: MobileRecord,
    *,
    number: str,
    issued_on: dt.date,
    valid_until: dt.date | None = None,
) -> ActivityCard:
    """流动党员活动证: the holder joins organizational life where they are and pays dues there,
    but votes, elects and stands for election only at home."""
    require(actor, "mobility.change_mobility")
    ensure_in_scope(actor, entry)
    describe(entry)
    if not entry.is_outflow:
        raise ValidationError(_("Cards are issued by the member's home organization."))
    if entry.ended_on is not None:
        raise ValidationError(_("The member is no longer away."))
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": _("Give the card number.")})
    _check_not_future("issued_on", issued_on)
    if valid_until is None:
        months = rules.rule(rules.CARD_VALIDITY_MONTHS, on=issued_on, region=entry.home_region)
        valid_until = rules.add_months(issued_on, months)
    if valid_until < issued_on:
        raise ValidationError({"valid_until": _("The card ends before it is issued.")})
    card = ActivityCard.objects.create(
        record=entry, number=number, issued_on=issued_on, valid_until=valid_until
    )
    record(
        entry.member,
        issued_on,
        MemberEvent.Kind.MOBILE,
        _("Activity card %(number)s issued, valid until %(until)s")
        % {"number": number, "until": _fmt(valid_until)},
    )
    describe(entry, {"card": number, "valid_until": _fmt(valid_until)})
    return card


# --- Queries the other modules use ----------------------------------------------------------


def holds_card_elsewhere(member: Member, on: dt.date | None = None) -> bool:
    """True when the member is away holding an activity card valid on ``on``."""
    on = on or dt.date.today()
    return ActivityCard.objects.filter(
        record__member=member,
        record__direction=MobileRecord.Direction.OUTFLOW,
        issued_on__lte=on,
        valid_until__gte=on,
    ).exists()


def can_vote_locally(member: Member, organization: Organization, on: dt.date | None = None) -> bool:
    """May the member vote, elect or stand for election in ``organization``?

    Only where the relation is held: a card holder (or any member whose relation is
    elsewhere) joins the organizational life there and pays dues there but votes at home.
    """
    if member.status not in ACTIVE_STATUSES:
        return False
    return member.org_path.startswith(organization.path)


# --- Transfers ------------------------------------------------------------------------------


def _validity(
    member: Member, issued_on: dt.date, destination_region: str, valid_until: dt.date | None
) -> dt.date:
    home = division_code_of(member.organization)
    months = rules.letter_validity_months(home, destination_region, issued_on)
    longest = rules.add_months(issued_on, months)
    if valid_until is None:
        return longest
    if valid_until < issued_on:
        raise ValidationError({"valid_until": _("The letter ends before it is issued.")})
    if valid_until > longest:
        across = rules.province_of(home) != rules.province_of(destination_region) and bool(
            rules.province_of(home) and rules.province_of(destination_region)
        )
        where = _("to another province") if across else _("within the province")
        raise ValidationError(
            {
                "valid_until": _(
                    "A letter %(where)s is valid for at most %(months)s months: until "
                    "%(longest)s at the latest."
                )
                % {"where": where, "months": months, "longest": _fmt(longest)}
            }
        )
    return valid_until


@action("mobility.issue_transfer", gettext_lazy("Issue a transfer letter"))
def issue_transfer(
    actor: Any,
    member: Member,
    *,
    letter_number: str,
    issued_on: dt.date,
    to_organization: Organization | None = None,
    to_name: str = "",
    to_region_code: str = "",
    valid_until: dt.date | None = None,
    entry: MobileRecord | None = None,
    note: str = "",
) -> Transfer:
    """组织关系介绍信: send the member's relation to an organization in or outside the system.

    The receiving organization may be outside the actor's scope: that is what a transfer is
    for. Within the system it completes when the receiver accepts; outside it completes
    when the receipt (回执) comes back.
    """
    require(actor, "mobility.change_mobility")
    ensure_in_scope(actor, member)
    describe(member)
    if member.status not in ACTIVE_STATUSES:
        raise ValidationError(_("Only current members transfer their relation."))
    letter_number = (letter_number or "").strip()
    if not letter_number:
        raise ValidationError({"letter_number": _("Give the letter number.")})
    _check_not_future("issued_on", issued_on)
    to_name = (to_name or "").strip()
    if (to_organization is None) == (not to_name):
        raise ValidationError(
            {
                "to_organization": _(
                    "Choose an organization in the system, or name one outside it (not both)."
                )
            }
        )
    if to_organization is not None:
        to_organization.check_current("to_organization")
        if to_organization.pk == member.organization_id:
            raise ValidationError(
                {"to_organization": _("The member is already in this organization.")}
            )
        if to_organization.kind not in MEMBER_KINDS:
            raise ValidationError(
                {
                    "to_organization": _(
                        "Members belong to a branch, general branch or committee, not a group."
                    )
                }
            )
        to_region_code = division_code_of(to_organization)
    else:
        to_region_code = _check_code("to_region_code", to_region_code)
    if Transfer.objects.pending().filter(member=member).exists():
        raise ValidationError(
            _("A transfer letter for %(name)s is already waiting; reissue or finish it first.")
            % {"name": member.name}
        )
    if entry is not None and entry.member_id != member.pk:
        raise ValueError("the record belongs to another member")
    valid_until = _validity(member, issued_on, to_region_code, valid_until)
    transfer = Transfer.objects.create(
        member=member,
        record=entry,
        from_organization=member.organization,
        to_organization=to_organization,
        to_name="" if to_organization else to_name,
        to_region_code=to_region_code,
        letter_number=letter_number,
        issued_on=issued_on,
        valid_until=valid_until,
        note=note,
    )
    record(
        member,
        issued_on,
        MemberEvent.Kind.MOBILE,
        _("Transfer letter %(number)s issued to %(to)s, valid until %(until)s")
        % {"number": letter_number, "to": transfer.destination_name, "until": _fmt(valid_until)},
        letter_number=letter_number,
    )
    describe(
        transfer,
        {
            "member": member.name,
            "to": transfer.destination_name,
            "letter_number": letter_number,
            "valid_until": _fmt(valid_until),
        },
    )
    return transfer


def _ensure_receiver(actor: Any, transfer: Transfer) -> None:
    ensure_in_scope(actor, transfer)
    if transfer.to_organization is None:
        raise ValidationError(
            _("The receiving organization is outside the system: record its receipt instead.")
        )
    ensure_in_scope(actor, transfer.to_organization)


def _ensure_waiting(transfer: Transfer) -> None:
    if transfer.status != Transfer.Status.ISSUED:
        raise ValidationError(
            _("This letter is no longer waiting (%(status)s).")
            % {"status": transfer.get_status_display()}
        )


@action("mobility.accept_transfer", gettext_lazy("Accept a transferred member"))
def accept_transfer(actor: Any, transfer: Transfer, *, on: dt.date) -> Transfer:
    """The receiving organization accepts the letter: the member, with the whole history,
    moves into its register and the sender sees the transfer completed."""
    require(actor, "mobility.accept_transfer")
    _ensure_receiver(actor, transfer)
    describe(transfer)
    _ensure_waiting(transfer)
    if on < transfer.issued_on:
        raise ValidationError({"on": _("The date is before the letter was issued.")})
    _check_not_future("on", on)
    if on > transfer.valid_until:
        raise ValidationError(
            {
                "on": _(
                    "The letter expired on %(until)s; the sending organization must reissue it."
                )
                % {"until": _fmt(transfer.valid_until)}
            }
        )
    member = transfer.member
    old, new = member.organization, transfer.to_organization
    record(
        member,
        on,
        MemberEvent.Kind.TRANSFERRED,
        _("Relation transferred out to %(to)s (letter %(number)s)")
        % {"to": new.name, "number": transfer.letter_number},
        letter_number=transfer.letter_number,
    )
    for entry in MobileRecord.objects.outflow().open(on).filter(member=member):
        _close(entry, on, MobileRecord.EndReason.TRANSFERRED)
    # The receiver cannot see the member until now, so the move itself runs as the system;
    # this action has already checked that the receiver is in the actor's scope.
    move_member(
        SYSTEM,
        member,
        organization=new,
        on=on,
        reason=_("Transfer letter %(number)s from %(from)s")
        % {"number": transfer.letter_number, "from": old.name},
    )
    transfer.status = Transfer.Status.ACCEPTED
    transfer.accepted_on = on
    transfer.receipt_on = on
    transfer.accepted_by = actor if getattr(actor, "pk", None) else None
    transfer.save(
        update_fields=["status", "accepted_on", "receipt_on", "accepted_by", "updated_at"]
    )
    describe(transfer, {"status": [Transfer.Status.ISSUED, transfer.status], "on": _fmt(on)})
    return transfer


@action("mobility.reject_transfer", gettext_lazy("Return a transfer letter"))
def reject_transfer(actor: Any, transfer: Transfer, *, on: dt.date, reason: str) -> Transfer:
    """The receiving organization returns the letter to the sender, saying why."""
    require(actor, "mobility.accept_transfer")
    _ensure_receiver(actor, transfer)
    describe(transfer)
    _ensure_waiting(transfer)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the letter is returned.")})
    if on < transfer.issued_on:
        raise ValidationError({"on": _("The date is before the letter was issued.")})
    _check_not_future("on", on)
    transfer.status = Transfer.Status.REJECTED
    transfer.rejected_on = on
    transfer.reject_reason = reason
    transfer.save(update_fields=["status", "rejected_on", "reject_reason", "updated_at"])
    record(
        transfer.member,
        on,
        MemberEvent.Kind.MOBILE,
        _("Transfer letter %(number)s returned by %(to)s: %(reason)s")
        % {"number": transfer.letter_number, "to": transfer.destination_name, "reason": reason},
    )
    describe(transfer, {"status": [Transfer.Status.ISSUED, transfer.status]}, reason)
    return transfer


@action("mobility.record_receipt", gettext_lazy("Record the receipt of a transfer letter"))
def record_receipt(actor: Any, transfer: Transfer, *, on: dt.date) -> Transfer:
    """回执: the organization outside the system confirmed it received the member."""
    require(actor, "mobility.change_mobility")
    ensure_in_scope(actor, transfer)
    ensure_in_scope(actor, transfer.from_organization)
    describe(transfer)
    if transfer.in_system:
        raise ValidationError(
            _("The receiving organization uses this system: it accepts the letter there.")
        )
    _ensure_waiting(transfer)
    if on < transfer.issued_on:
        raise ValidationError({"on": _("The receipt is dated before the letter was issued.")})
    _check_not_future("on", on)
    member = transfer.member
    for entry in MobileRecord.objects.outflow().open(on).filter(member=member):
        _close(entry, on, MobileRecord.EndReason.TRANSFERRED)
    record(
        member,
        on,
        MemberEvent.Kind.TRANSFERRED,
        _("Relation transferred out to %(to)s (letter %(number)s, receipt returned)")
        % {"to": transfer.to_name, "number": transfer.letter_number},
        letter_number=transfer.letter_number,
    )
    # The member now belongs to an organization outside the system: out of this register.
    change_status(
        SYSTEM, member, status=MemberStatus.TRANSFERRED_OUT, on=on, reason=transfer.letter_number
    )
    transfer.status = Transfer.Status.COMPLETED
    transfer.receipt_on = on
    transfer.save(update_fields=["status", "receipt_on", "updated_at"])
    describe(transfer, {"status": [Transfer.Status.ISSUED, transfer.status], "on": _fmt(on)})
    return transfer


@action("mobility.reissue_transfer", gettext_lazy("Reissue a transfer letter"))
def reissue_transfer(
    actor: Any,
    transfer: Transfer,
    *,
    letter_number: str,
    issued_on: dt.date,
    valid_until: dt.date | None = None,
) -> Transfer:
    """A new letter for an expired or returned one, to the same destination."""
    require(actor, "mobility.change_mobility")
    ensure_in_scope(actor, transfer)
    ensure_in_scope(actor, transfer.from_organization)
    describe(transfer)
    expired = transfer.is_expired(dt.date.today())
    if transfer.status != Transfer.Status.REJECTED and not expired:
        raise ValidationError(
            _("Only an expired or returned letter is reissued; this one is “%(status)s”.")
            % {"status": transfer.get_status_display()}
        )
    if transfer.member.organization_id != transfer.from_organization_id:
        raise ValidationError(_("The member is no longer in the sending organization."))
    old_status = transfer.status
    transfer.status = Transfer.Status.REISSUED
    transfer.save(update_fields=["status", "updated_at"])
    new = issue_transfer(
        actor,
        transfer.member,
        letter_number=letter_number,
        issued_on=issued_on,
        to_organization=transfer.to_organization,
        to_name=transfer.to_name,
        to_region_code=transfer.to_region_code,
        valid_until=valid_until,
        entry=transfer.record,
        note=transfer.note,
    )
    transfer.replaced_by = new
    transfer.save(update_fields=["replaced_by", "updated_at"])
    describe(transfer, {"status": [old_status, transfer.status], "replaced_by": new.letter_number})
    return new
