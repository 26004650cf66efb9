"""Dues actions: set a member's basis, record payments, approve exemptions, flag arrears."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, describe, require
from cunju.core.scoping import ensure_in_scope
from cunju.members.actions import record
from cunju.members.models import Member, MemberEvent

from . import rules
from .amounts import (
    ZERO,
    DuesCalculator,
    MonthDue,
    add_months,
    dues_start,
    months_between,
    to_fen,
    unpaid_run,
)
from .models import INCOME_CATEGORIES, Category, DuesBasis, DuesExemption, DuesPayment, Way
from .models import first_of_month as month_of

# How far ahead dues may be paid (a year in advance is common practice, more is a typo).
MAX_MONTHS_AHEAD = 12


def _yuan(amount: Decimal) -> str:
    return f"{to_fen(amount):.2f}"


def _ym(month: dt.date) -> str:
    return f"{month:%Y-%m}"


@dataclass
class BasisEntry:
    """One member's dues basis from a month on (a row of a bulk entry or an import)."""

    member: Member
    from_month: dt.date
    category: str
    monthly_income: Decimal | None = None
    note: str = ""


@dataclass
class PaymentEntry:
    """Dues one member paid for ``months`` months from ``first_month``."""

    member: Member
    first_month: dt.date
    amount: Decimal
    way: str
    paid_on: dt.date
    months: int = 1
    reference: str = ""


def _members_in_scope(actor: Any, members: list[Member]) -> None:
    ids = {m.pk for m in members}
    if len(ids) == 1:
        ensure_in_scope(actor, members[0])
        return
    visible = set(Member.objects.for_user(actor).filter(pk__in=ids).values_list("pk", flat=True))
    if visible != ids:
        raise Http404("out of scope")


def _timeline(member: Member, date: dt.date, summary: str, **data: Any) -> MemberEvent:
    """An unsaved timeline entry, as ``members.actions.record`` writes it, for bulk saving."""
    return MemberEvent(
        member=member,
        date=date,
        kind=MemberEvent.Kind.DUES,
        summary=str(summary)[:300],
        organization_id=member.organization_id,
        data={k: str(v) for k, v in data.items()},
    )


def _check_basis(entry: BasisEntry) -> BasisEntry:
    from_month = month_of(entry.from_month)
    if entry.category not in Category.values:
        raise ValidationError({"category": _("Choose a category.")})
    income = entry.monthly_income
    if entry.category in INCOME_CATEGORIES:
        if income is None:
            raise ValidationError(
                {"monthly_income": _("Give the after-tax monthly income (or the pension).")}
            )
        if income < 0:
            raise ValidationError({"monthly_income": _("The income cannot be negative.")})
        income = to_fen(income)
    else:
        income = None
    start = dues_start(entry.member)
    if from_month < start:
        raise ValidationError(
            {
                "from_month": _(
                    "Dues start in %(start)s, the month of the probationary vote; the basis "
                    "cannot apply earlier."
                )
                % {"start": _ym(start)}
            }
        )
    return BasisEntry(entry.member, from_month, entry.category, income, entry.note or "")


def _save_bases(entries: list[BasisEntry]) -> list[DuesBasis]:
    checked = [_check_basis(e) for e in entries]
    keys = {(e.member.pk, e.from_month) for e in checked}
    if len(keys) != len(checked):
        raise ValidationError(_("The same member and month appear twice."))
    # A new basis for a month that already has one replaces it.
    for member_id, from_month in keys:
        DuesBasis.objects.filter(member_id=member_id, from_month=from_month).delete()
    bases = DuesBasis.objects.bulk_create(
        [
            DuesBasis(
                member=e.member,
                from_month=e.from_month,
                category=e.category,
                monthly_income=e.monthly_income,
                note=e.note,
            )
            for e in checked
        ]
    )
    calculator = DuesCalculator()
    events = []
    for basis in bases:
        basis.amount = calculator.for_basis(basis, basis.from_month)
        events.append(
            _timeline(
                basis.member,
                basis.from_month,
                _("Dues basis from %(month)s: %(category)s, %(amount)s yuan a month")
                % {
                    "month": _ym(basis.from_month),
                    "category": Category(basis.category).label,
                    "amount": _yuan(basis.amount),
                },
            )
        )
    MemberEvent.objects.bulk_create(events)
    return bases


@action("dues.set_basis", gettext_lazy("Set a member's dues basis"))
def set_basis(
    actor: Any,
    member: Member,
    *,
    from_month: dt.date,
    category: str,
    monthly_income: Decimal | None = None,
    note: str = "",
) -> DuesBasis:
    """From ``from_month`` on, the member pays under ``category`` on ``monthly_income``."""
    require(actor, "dues.change_dues")
    ensure_in_scope(actor, member)
    describe(member)
    (basis,) = _save_bases([BasisEntry(member, from_month, category, monthly_income, note)])
    describe(
        member,
        {
            "from_month": _ym(basis.from_month),
            "category": basis.category,
            "monthly_income": str(basis.monthly_income or ""),
            "monthly_amount": _yuan(basis.amount),
        },
    )
    return basis


@action("dues.set_bases", gettext_lazy("Set the dues bases of several members"))
def set_bases(actor: Any, entries: list[BasisEntry]) -> list[DuesBasis]:
    """Set many members' bases at once (a branch's yearly review, an import): all or none."""
    require(actor, "dues.change_dues")
    if not entries:
        return []
    _members_in_scope(actor, [e.member for e in entries])
    bases = _save_bases(entries)
    describe(changes={"members": len(bases)})
    return bases


def _check_payment(
    entry: PaymentEntry, dues_by_month: dict[dt.date, MonthDue], today: dt.date
) -> tuple[list[MonthDue], dt.date]:
    """The months the entry pays for, or ValidationError saying what is wrong or due."""
    member = entry.member
    first = month_of(entry.first_month)
    months = entry.months
    if months < 1 or months > MAX_MONTHS_AHEAD:
        raise ValidationError(
            {"months": _("Pay for 1 to %(n)d months at a time.") % {"n": MAX_MONTHS_AHEAD}}
        )
    if entry.way not in Way.values:
        raise ValidationError({"way": _("Choose how the dues were paid.")})
    if entry.way in (Way.TRANSFER, Way.ONLINE) and not entry.reference.strip():
        raise ValidationError(
            {"reference": _("Give the transaction number of a transfer or online payment.")}
        )
    if entry.paid_on > today:
        raise ValidationError({"paid_on": _("The payment date is in the future.")})
    start = dues_start(member)
    if first < start:
        raise ValidationError(
            {
                "first_month": _(
                    "Dues start in %(start)s, the month of the probationary vote "
                    "(%(vote)s); %(month)s is before that."
                )
                % {
                    "start": _ym(start),
                    "vote": member.admitted_on.strftime("%Y-%m-%d"),
                    "month": _ym(first),
                }
            }
        )
    last = add_months(first, months - 1)
    if last > add_months(month_of(today), MAX_MONTHS_AHEAD):
        raise ValidationError(
            {"months": _("Dues can be paid at most %(n)d months ahead.") % {"n": MAX_MONTHS_AHEAD}}
        )
    dues = [dues_by_month[m] for m in months_between(first, last)]
    already = [d.month for d in dues if d.payment is not None]
    if already:
        raise ValidationError(
            {
                "first_month": _("Dues for %(months)s are already paid.")
                % {"months": "、".join(_ym(m) for m in already)}
            }
        )
    unknown = [d.month for d in dues if d.amount is None]
    if unknown:
        raise ValidationError(
            {
                "first_month": _(
                    "There is no dues basis for %(months)s: set the member's category and "
                    "income first."
                )
                % {"months": "、".join(_ym(m) for m in unknown)}
            }
        )
    due_total = sum((d.amount for d in dues), ZERO)
    amount = to_fen(entry.amount)
    if amount != due_total:
        per_month = "、".join(f"{_ym(d.month)} {_yuan(d.amount)}" for d in dues)
        what = _("%(n)d months") % {"n": len(dues)} if len(dues) > 1 else _ym(first)
        raise ValidationError(
            {
                "amount": _("%(months)s come to %(due)s yuan (%(detail)s), not %(amount)s yuan.")
                % {
                    "months": what,
                    "due": _yuan(due_total),
                    "detail": per_month,
                    "amount": _yuan(amount),
                }
            }
        )
    return dues, last


def _save_payments(actor: Any, entries: list[PaymentEntry]) -> list[DuesPayment]:
    """Check every entry against the months' dues, then write them all (or raise)."""
    today = dt.date.today()
    members = {e.member.pk: e.member for e in entries}
    wanted: set[dt.date] = set()
    for e in entries:
        first = month_of(e.first_month)
        wanted.update(months_between(first, add_months(first, max(1, e.months) - 1)))
    table = DuesCalculator().months(list(members.values()), sorted(wanted))
    recorded_by = getattr(actor, "username", "") or str(actor)
    rows: list[DuesPayment] = []
    events: list[MemberEvent] = []
    taken: set[tuple[int, dt.date]] = set()
    for entry in entries:
        by_month = {d.month: d for d in table[entry.member.pk]}
        # Months before the start are not in the table; the check refuses them first.
        dues, last = _check_payment(entry, by_month, today)
        twice = [d.month for d in dues if (entry.member.pk, d.month) in taken]
        if twice:
            raise ValidationError(
                {
                    "first_month": _("%(name)s: %(months)s appear twice.")
                    % {"name": entry.member.name, "months": "、".join(_ym(m) for m in twice)}
                }
            )
        receipt = uuid.uuid4().hex[:12]
        for d in dues:
            taken.add((entry.member.pk, d.month))
            if d.is_waived:
                continue
            rows.append(
                DuesPayment(
                    member=entry.member,
                    organization_id=entry.member.organization_id,
                    month=d.month,
                    amount=d.amount,
                    way=entry.way,
                    reference=entry.reference.strip(),
                    receipt=receipt,
                    paid_on=entry.paid_on,
                    recorded_by=recorded_by,
                )
            )
        first = month_of(entry.first_month)
        period = _ym(first) if entry.months == 1 else f"{_ym(first)}–{_ym(last)}"
        events.append(
            _timeline(
                entry.member,
                entry.paid_on,
                _("Paid dues for %(period)s: %(amount)s yuan")
                % {"period": period, "amount": _yuan(entry.amount)},
                receipt=receipt,
            )
        )
    DuesPayment.objects.bulk_create(rows)
    MemberEvent.objects.bulk_create(events)
    return rows


@action("dues.record_payment", gettext_lazy("Record a dues payment"))
def record_payment(
    actor: Any,
    member: Member,
    *,
    first_month: dt.date,
    months: int = 1,
    amount: Decimal,
    way: str,
    paid_on: dt.date,
    reference: str = "",
) -> list[DuesPayment]:
    """Record dues paid for ``months`` months from ``first_month`` (one row per month).

    The amount must be exactly what those months come to (after any approved exemption);
    otherwise the message says what is due.
    """
    require(actor, "dues.change_dues")
    ensure_in_scope(actor, member)
    describe(member)
    entry = PaymentEntry(member, first_month, amount, way, paid_on, months, reference)
    rows = _save_payments(actor, [entry])
    if member.in_arrears:
        refresh_arrears(actor, member)
    describe(
        member,
        {
            "months": [_ym(r.month) for r in rows],
            "amount": _yuan(to_fen(amount)),
            "way": way,
            "receipt": rows[0].receipt if rows else "",
        },
    )
    return rows


@action("dues.collect_dues", gettext_lazy("Record the dues of several members"))
def collect_dues(actor: Any, entries: list[PaymentEntry]) -> list[DuesPayment]:
    """Record many payments at once (a branch's collection day, an import): all or none.

    Each entry is checked exactly like ``record_payment``; arrears flags are left to the
    next check.
    """
    require(actor, "dues.change_dues")
    if not entries:
        return []
    _members_in_scope(actor, [e.member for e in entries])
    rows = _save_payments(actor, entries)
    total = sum((r.amount for r in rows), ZERO)
    describe(changes={"payments": len(entries), "months": len(rows), "amount": _yuan(total)})
    return rows


@action("dues.approve_exemption", gettext_lazy("Approve a dues reduction or waiver"))
def approve_exemption(
    actor: Any,
    member: Member,
    *,
    first_month: dt.date,
    last_month: dt.date,
    monthly_amount: Decimal = ZERO,
    reason: str,
) -> DuesExemption:
    """The committee lets a member in real difficulty pay less (or nothing) for some months."""
    require(actor, "dues.approve_exemption")
    ensure_in_scope(actor, member)
    describe(member)
    first, last = month_of(first_month), month_of(last_month)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the member pays less.")})
    if last < first:
        raise ValidationError({"last_month": _("The last month comes before the first.")})
    if first < dues_start(member):
        raise ValidationError(
            {
                "first_month": _("Dues start in %(start)s; nothing is due before.")
                % {"start": _ym(dues_start(member))}
            }
        )
    monthly_amount = to_fen(monthly_amount or ZERO)
    if monthly_amount < 0:
        raise ValidationError({"monthly_amount": _("The amount cannot be negative.")})
    paid = list(
        DuesPayment.objects.filter(member=member, month__gte=first, month__lte=last).values_list(
            "month", flat=True
        )
    )
    if paid:
        raise ValidationError(
            {
                "first_month": _("Dues for %(months)s are already paid; start after them.")
                % {"months": "、".join(_ym(m) for m in paid)}
            }
        )
    dues = DuesCalculator().months([member], months_between(first, last))[member.pk]
    higher = [d for d in dues if d.by_rules is not None and monthly_amount > d.by_rules]
    if higher:
        raise ValidationError(
            {
                "monthly_amount": _(
                    "A reduction is less than the %(due)s yuan the rules ask for %(month)s."
                )
                % {"due": _yuan(higher[0].by_rules), "month": _ym(higher[0].month)}
            }
        )
    exemption = DuesExemption.objects.create(
        member=member,
        first_month=first,
        last_month=last,
        monthly_amount=monthly_amount,
        reason=reason.strip(),
        approved_by=actor if getattr(actor, "pk", None) else None,
        approved_by_name=getattr(actor, "full_name", "") or getattr(actor, "username", ""),
        approved_at=timezone.now(),
    )
    what = (
        _("Dues waived")
        if exemption.is_waiver
        else _("Dues reduced to %(amount)s yuan a month") % {"amount": _yuan(monthly_amount)}
    )
    record(
        member,
        timezone.localdate(),
        MemberEvent.Kind.DUES,
        f"{what} {_ym(first)}–{_ym(last)}: {exemption.reason}",
    )
    if member.in_arrears:
        refresh_arrears(actor, member)
    describe(
        member,
        {
            "first_month": _ym(first),
            "last_month": _ym(last),
            "monthly_amount": _yuan(monthly_amount),
            "reason": exemption.reason,
        },
    )
    return exemption


def arrears_runs(
    members: list[Member], on: dt.date | None = None, *, window: int | None = None
) -> dict[int, int]:
    """Per member, the months in a row up to last month neither paid nor waived.

    The current month is still open: a member is only behind for months that have ended.
    ``window`` caps how far back to look (enough to compare with the limit); None looks
    back to each member's start.
    """
    last = add_months(month_of(on or dt.date.today()), -1)
    starts = [dues_start(m) for m in members]
    if not members or last < min(starts):
        return {m.pk: 0 for m in members}
    first = min(starts) if window is None else max(min(starts), add_months(last, 1 - window))
    table = DuesCalculator().months(members, months_between(first, last))
    return {m.pk: unpaid_run(table[m.pk]) for m in members}


def months_in_arrears(member: Member, on: dt.date | None = None) -> int:
    """Months in a row, up to last month, that the member has neither paid nor had waived."""
    return arrears_runs([member], on)[member.pk]


def _set_flags(members: list[Member], on: dt.date) -> dict[str, int]:
    """Flag members at the limit, clear the others; saves only the members that change."""
    from cunju.members.models import ACTIVE_STATUSES

    limit = int(DuesCalculator().rule(rules.ARREARS_MONTHS, month_of(on)))
    current = [m for m in members if m.status in ACTIVE_STATUSES]
    runs = arrears_runs(current, on, window=limit + 1)
    counts = {"checked": len(members), "flagged": 0, "cleared": 0}
    events = []
    for member in members:
        run = runs.get(member.pk, 0)
        flagged = run >= limit
        if flagged == member.in_arrears:
            continue
        member.in_arrears = flagged
        member.save(update_fields=["in_arrears", "updated_at"])
        if flagged:
            counts["flagged"] += 1
            summary = _("Dues unpaid for %(n)d months or more in a row without reason") % {
                "n": limit
            }
        else:
            counts["cleared"] += 1
            summary = _("Dues arrears cleared")
        events.append(_timeline(member, on, summary, months=run))
    MemberEvent.objects.bulk_create(events)
    return counts


@action("dues.refresh_arrears", gettext_lazy("Check one member's dues arrears"))
def refresh_arrears(actor: Any, member: Member, *, on: dt.date | None = None) -> Member:
    """Flag the member after the set number of unpaid months; clear the flag once settled."""
    require(actor, "dues.change_dues")
    ensure_in_scope(actor, member)
    counts = _set_flags([member], on or dt.date.today())
    changed = counts["flagged"] or counts["cleared"]
    describe(member, {"in_arrears": member.in_arrears} if changed else {})
    return member


@action("dues.recompute_arrears", gettext_lazy("Check dues arrears"))
def recompute_arrears(
    actor: Any, *, on: dt.date | None = None, members: QuerySet | None = None
) -> dict[str, int]:
    """Check every current member in the actor's scope; returns how many were flagged/cleared."""
    require(actor, "dues.change_dues")
    from cunju.members.models import ACTIVE_STATUSES

    on = on or dt.date.today()
    queryset = (members if members is not None else Member.objects.all()).filter(
        pk__in=Member.objects.for_user(actor).values("pk")
    )
    # Current members to check, and anyone flagged who has since left, to clear them.
    queryset = queryset.filter(status__in=ACTIVE_STATUSES) | queryset.filter(in_arrears=True)
    counts = _set_flags(list(queryset.select_related("organization__place").order_by("pk")), on)
    describe(
        changes=counts,
        message=_("%(flagged)d flagged, %(cleared)d cleared of %(checked)d members") % counts,
    )
    return counts
