"""Member actions: register, correct details, change status or organization.

Every change that matters to a member's history also writes a timeline entry
(``MemberEvent``) and keeps the membership periods (for numbers as of a date) in step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, describe, diff, require, snapshot
from cunju.core.personal_data import ID_NUMBER, blind_index, normalize
from cunju.core.scoping import ensure_in_scope
from cunju.organizations.models import Organization

from .models import ACTIVE_STATUSES, Member, MemberEvent, MembershipPeriod, MemberStatus

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
    MemberStatus.PROBATIONARY: {MemberStatus.FULL, MemberStatus.LEFT, MemberStatus.DECEASED},
    MemberStatus.FULL: {MemberStatus.SUSPENDED, MemberStatus.LEFT, MemberStatus.DECEASED},
    MemberStatus.SUSPENDED: {MemberStatus.FULL, MemberStatus.LEFT, MemberStatus.DECEASED},
    MemberStatus.LEFT: set(),
    MemberStatus.DECEASED: set(),
}


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


def start_period(member: Member, on: dt.date) -> None:
    """Close the member's open period on ``on`` and open one with the current state."""
    MembershipPeriod.objects.filter(member=member, valid_to__isnull=True).update(valid_to=on)
    MembershipPeriod.objects.filter(member=member, valid_from__gte=on, valid_to=on).delete()
    MembershipPeriod.objects.create(
        member=member,
        organization=member.organization,
        org_path=member.org_path,
        status=member.status,
        is_mobile=member.is_mobile,
        valid_from=on,
    )


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
    # History starts at admission: before full membership the member was probationary.
    MembershipPeriod.objects.create(
        member=member,
        organization=organization,
        org_path=organization.path,
        status=MemberStatus.PROBATIONARY if full_on else status,
        is_mobile=is_mobile,
        valid_from=admitted_on,
        valid_to=full_on,
    )
    if full_on:
        MembershipPeriod.objects.create(
            member=member,
            organization=organization,
            org_path=organization.path,
            status=status,
            is_mobile=is_mobile,
            valid_from=full_on,
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
    start_period(member, on)
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
    start_period(member, on)
    describe(member, {"organization": [old.name, organization.name], "on": str(on)}, reason)
    return member
