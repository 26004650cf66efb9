"""Each organization's own current members, kept exact as members change (``OrganizationTally``).

One mechanism keeps the tallies: the member model's signals. Before a member is saved or
deleted, its row as stored is read (locked, so two changes to one member queue instead of
both starting from the same old state); afterwards the difference between the old and the
new category (full, probationary, mobile among them) is added to the organizations
concerned, each with one ``UPDATE … SET n = n + delta`` (an insert the first time). The
additions run in the transaction of the change, commute with each other, and take the tally
row's lock, so two actions changing one organization's numbers at once lose neither update.

Writes that skip the model's signals must say what they changed: the bulk import calls
:func:`recount` for the organizations it filled, and moving an organization calls
:func:`moved` to rewrite the copied paths, as it does for the members'. :func:`rebuild`
recounts everything (``cunju recount``), and :func:`verify` compares the tallies with a
fresh count of the register.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, F, Value
from django.db.models.functions import Concat, Substr

from cunju.core.tree import subtree_q

from .models import Organization, OrganizationTally

FIELDS = ("full", "probationary", "mobile")
# A save that names only other fields (dues in arrears, personal details) cannot move numbers.
CATEGORY_FIELDS = {"organization", "organization_id", "status", "is_mobile"}
CHUNK = 5000


def contribution(status: str, is_mobile: bool) -> tuple[int, int, int]:
    """What one member in ``status`` adds to (full, probationary, mobile)."""
    from cunju.members.models import MemberStatus

    if status == MemberStatus.FULL:
        return (1, 0, int(bool(is_mobile)))
    if status == MemberStatus.PROBATIONARY:
        return (0, 1, int(bool(is_mobile)))
    return (0, 0, 0)


def _deltas(before: tuple | None, after: tuple | None) -> dict[int, list[int]]:
    """Per organization, what moving a member from ``before`` to ``after`` changes.

    Each side is ``(organization id, status, is_mobile)`` or None (not in the register).
    """
    deltas: dict[int, list[int]] = {}
    for state, sign in ((before, -1), (after, 1)):
        if state is None:
            continue
        org_id, status, is_mobile = state
        add = contribution(status, is_mobile)
        if not any(add):
            continue
        row = deltas.setdefault(org_id, [0, 0, 0])
        for i, n in enumerate(add):
            row[i] += sign * n
    return {org_id: row for org_id, row in deltas.items() if any(row)}


def add(deltas: dict[int, list[int] | tuple[int, int, int]]) -> None:
    """Add ``{organization id: (full, probationary, mobile)}`` to the tallies, atomically.

    Each is one ``UPDATE … SET n = n + delta``; an organization without a row yet gets one
    (path read from the organization) by an insert that adds on conflict, should another
    transaction create it first. Organizations go in id order, so two transactions adding to
    the same ones never wait on each other in a cycle.
    """
    if not deltas:
        return
    quote = connection.ops.quote_name
    table = quote(OrganizationTally._meta.db_table)
    key = quote(OrganizationTally._meta.pk.column)
    columns = [quote(f) for f in FIELDS]
    added = ", ".join(f"{c} = {table}.{c} + %s" for c in columns)
    organizations = quote(Organization._meta.db_table)
    with connection.cursor() as cursor:
        for org_id, row in sorted(deltas.items()):
            cursor.execute(f"UPDATE {table} SET {added} WHERE {key} = %s", [*row, org_id])
            if cursor.rowcount:
                continue
            cursor.execute(
                f"INSERT INTO {table} ({key}, {quote('org_path')}, {', '.join(columns)}) "
                f"SELECT id, path, %s, %s, %s FROM {organizations} WHERE id = %s "
                f"ON CONFLICT ({key}) DO UPDATE SET "
                + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns),
                [*row, org_id],
            )


def moved(old_path: str, new_path: str) -> None:
    """An organization moved from ``old_path`` to ``new_path``: its subtree's tallies follow."""
    OrganizationTally.objects.filter(subtree_q(old_path, "org_path")).update(
        org_path=Concat(Value(new_path), Substr(F("org_path"), len(old_path) + 1))
    )


# --- The signal handlers -------------------------------------------------------------------

_BEFORE = "_tally_before"


def _stored_state(member) -> tuple | None:
    """The member's organization and category as stored now, locked for this transaction."""
    from cunju.members.models import Member

    rows = Member._base_manager.filter(pk=member.pk)
    if connection.in_atomic_block:
        rows = rows.select_for_update()
    return rows.values_list("organization_id", "status", "is_mobile").first()


def member_pre_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw:
        return  # fixtures: ``cunju recount`` afterwards
    if update_fields is not None and not (set(update_fields) & CATEGORY_FIELDS):
        instance.__dict__.pop(_BEFORE, None)
        return
    new = instance._state.adding and instance.pk is None
    instance.__dict__[_BEFORE] = None if new else _stored_state(instance)


def member_post_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if _BEFORE not in instance.__dict__:
        return
    before = instance.__dict__.pop(_BEFORE)
    after = [instance.organization_id, instance.status, instance.is_mobile]
    if update_fields is not None and before is not None:
        # Fields the save did not write keep their stored value, whatever this copy says.
        written = set(update_fields)
        for i, names in enumerate(({"organization", "organization_id"}, {"status"}, {"is_mobile"})):
            if not written & names:
                after[i] = before[i]
    add(_deltas(before, tuple(after)))


def member_pre_delete(sender, instance, **kwargs) -> None:
    instance.__dict__[_BEFORE] = _stored_state(instance)


def member_post_delete(sender, instance, **kwargs) -> None:
    add(_deltas(instance.__dict__.pop(_BEFORE, None), None))


def connect() -> None:
    from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

    from cunju.members.models import Member

    uid = "organizations.tallies"
    pre_save.connect(member_pre_save, sender=Member, dispatch_uid=uid)
    post_save.connect(member_post_save, sender=Member, dispatch_uid=uid)
    pre_delete.connect(member_pre_delete, sender=Member, dispatch_uid=uid)
    post_delete.connect(member_post_delete, sender=Member, dispatch_uid=uid)


# --- Recounting ----------------------------------------------------------------------------


def fresh_counts(organization_ids: Iterable[int] | None = None) -> dict[int, tuple[int, int, int]]:
    """Count the register afresh: ``{organization id: (full, probationary, mobile)}``."""
    from cunju.members.models import ACTIVE_STATUSES, Member

    members = Member.objects.filter(status__in=ACTIVE_STATUSES)
    ids = None if organization_ids is None else sorted(set(organization_ids))
    chunks = [None] if ids is None else [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    counts: dict[int, list[int]] = {}
    for chunk in chunks:
        rows = members if chunk is None else members.filter(organization_id__in=chunk)
        grouped = (
            rows.values("organization_id", "status", "is_mobile").annotate(n=Count("id")).order_by()
        )
        for row in grouped:
            add_ = contribution(row["status"], row["is_mobile"])
            counts.setdefault(row["organization_id"], [0, 0, 0])
            for i, n in enumerate(add_):
                counts[row["organization_id"]][i] += n * row["n"]
    return {org_id: tuple(row) for org_id, row in counts.items()}


def _write(counts: dict[int, tuple[int, int, int]], zero: Iterable[int] = ()) -> None:
    """Set these tallies (and their paths) to these numbers; ``zero`` ones to nothing."""
    numbers = dict.fromkeys(zero, (0, 0, 0)) | counts
    ids = sorted(numbers)
    paths: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        paths.update(
            Organization.objects.filter(pk__in=ids[start : start + CHUNK]).values_list("pk", "path")
        )
    OrganizationTally.objects.bulk_create(
        [
            OrganizationTally(
                organization_id=pk, org_path=paths[pk], full=f, probationary=p, mobile=m
            )
            for pk in ids
            for f, p, m in [numbers[pk]]
        ],
        batch_size=CHUNK,
        update_conflicts=True,
        unique_fields=["organization"],
        update_fields=["org_path", *FIELDS],
    )


def recount(organization_ids: Iterable[int]) -> None:
    """Set the tallies of these organizations from a fresh count of their members.

    For writes that bypass the member model (the bulk import). The rows are locked first
    (written as zero), then counted: a concurrent change either committed before the lock,
    and is counted, or adds its own difference after this transaction commits.
    """
    ids = sorted(set(organization_ids))
    if not ids:
        return
    with transaction.atomic():
        _write({}, zero=ids)
        counts = fresh_counts(ids)
        _write(counts)


def rebuild() -> int:
    """Recount every organization's tally; returns how many organizations hold members.

    On PostgreSQL the table is locked against concurrent additions while it is rebuilt:
    changes in flight either commit before the count (and are counted) or add their
    difference after it.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(OrganizationTally._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        counts = fresh_counts()
        OrganizationTally.objects.all().delete()
        _write(counts)
    return len(counts)


@dataclass(frozen=True)
class Mismatch:
    """A tally that differs from a fresh count: numbers (full, probationary, mobile), path."""

    organization_id: int
    tally: tuple
    counted: tuple


def verify() -> list[Mismatch]:
    """Every organization whose tally differs from a fresh count of its members."""
    counted = fresh_counts()
    stored = {
        row[0]: tuple(row[1:])
        for row in OrganizationTally.objects.values_list("organization_id", *FIELDS, "org_path")
    }
    paths = dict(
        Organization.objects.filter(pk__in=list(stored)).values_list("pk", "path")
        if len(stored) < CHUNK
        else Organization.objects.values_list("pk", "path")
    )
    wrong = []
    for org_id in sorted(set(counted) | set(stored)):
        have = stored.get(org_id, (0, 0, 0, None))
        want = (*counted.get(org_id, (0, 0, 0)), paths.get(org_id, have[3]))
        if have != want:
            wrong.append(Mismatch(org_id, have, want))
    return wrong
