"""Numbers as of a date, the quick way, against a direct count of the membership periods.

A made-up history of several years is entered through the real actions — admissions, bulk
entries, full membership, suspension and return, death, leaving, transfers out, moves between
branches (one branch emptied into another, as when two villages' branches merge), members
going away and coming back, organizations renamed and moved, some entries made late with an
earlier date — with checkpoints taken along the way, which later entries put out of date or
not. For many dates and every node as it stood then, each way of counting (from today's
tallies, from any checkpoint still in date, the way ``subtree_counts`` picks) must give the
numbers a direct count of the periods covering the date gives.
"""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cunju.core.system import SYSTEM
from cunju.members.actions import change_status, move_member, register_member
from cunju.members.imports import enter_members
from cunju.members.models import Education, Member, MemberStatus, Occupation
from cunju.mobility.actions import end_record, register_outflow
from cunju.mobility.models import MobileRecord
from cunju.organizations import checkpoints, counts
from cunju.organizations.actions import last_change, move_organization, update_organization
from cunju.organizations.counts import subtree_counts, subtree_counts_direct
from cunju.organizations.history import nodes_as_of
from cunju.organizations.models import (
    CheckpointTally,
    Organization,
    OrganizationTally,
    OrganizationVersion,
    TallyCheckpoint,
)
from tests.organizations.people import branch, member

TODAY = dt.date.today()
START = TODAY - dt.timedelta(days=6 * 365)

# Which status may follow which through ``change_status``, as the register allows.
NEXT_STATUS = {
    MemberStatus.PROBATIONARY: [MemberStatus.FULL] * 6
    + [MemberStatus.LEFT, MemberStatus.DECEASED, MemberStatus.TRANSFERRED_OUT],
    MemberStatus.FULL: [
        MemberStatus.SUSPENDED,
        MemberStatus.LEFT,
        MemberStatus.DECEASED,
        MemberStatus.DECEASED,
        MemberStatus.TRANSFERRED_OUT,
    ],
    MemberStatus.SUSPENDED: [MemberStatus.FULL, MemberStatus.FULL, MemberStatus.DECEASED],
}


class History:
    """A town's register lived through day by day, every change made by its action."""

    def __init__(self, world: SimpleNamespace, seed: int) -> None:
        self.rng = random.Random(seed)
        self.world = world
        self.names = iter(range(1, 100_000))
        self.refused = 0  # late changes refused for a later one of the same kind
        self.late_absences = 0  # absences entered after a later return
        self.dates: set[dt.date] = set()
        general = branch(world.committee_a, "中共湖滨第一总支部委员会", kind="general_branch")
        self.committees = [world.committee_a, world.committee_b]
        self.movable = [
            general,
            branch(general, "湖滨一组党支部"),
            branch(general, "湖滨二组党支部"),
            branch(world.committee_b, "石舍南村党支部"),
            branch(world.committee_b, "石舍北村党支部"),
        ]
        self.holders = [
            world.branch_a1,
            world.branch_a2,
            world.branch_b1,
            world.branch_b2,
            *self.movable,
        ]
        for _org in self.holders:
            for _ in range(self.rng.randint(2, 5)):
                self.admit(self.day_between(dt.date(1995, 1, 1), START), full=True)

    # --- helpers -----------------------------------------------------------------------

    def day_between(self, low: dt.date, high: dt.date) -> dt.date:
        return low + dt.timedelta(days=self.rng.randint(0, max(0, (high - low).days)))

    def org(self) -> Organization:
        return Organization.objects.get(pk=self.rng.choice(self.holders).pk)

    def members(self, on: dt.date, *statuses: str) -> list[Member]:
        """Members in these statuses admitted by ``on``."""
        rows = Member.objects.filter(status__in=statuses, admitted_on__lte=on)
        return list(rows.order_by("pk"))

    def entry(self, admitted: dt.date, full: bool) -> dict:
        full_on = admitted + dt.timedelta(days=365) if full else None
        if full_on is not None and full_on > TODAY:
            full_on = None
        return {
            "organization": self.org(),
            "name": f"党员{next(self.names)}",
            "sex": "male",
            "birth_date": dt.date(1960, 1, 1),
            "admitted_on": admitted,
            "full_on": full_on,
            "status": MemberStatus.FULL if full_on else MemberStatus.PROBATIONARY,
            "education": Education.HIGH_SCHOOL,
            "occupation": Occupation.FARMER,
            "is_mobile": self.rng.random() < 0.1,
        }

    def admit(self, admitted: dt.date, *, full: bool) -> None:
        register_member(SYSTEM, **self.entry(admitted, full))
        self.dates.add(admitted)

    # --- one day's change ----------------------------------------------------------------

    def live(self, on: dt.date) -> None:
        self.dates.add(on)
        kind = self.rng.choices(
            ["admit", "import", "status", "move", "merge", "away", "back", "org", "rename"],
            [6, 1, 6, 4, 1, 3, 2, 2, 1],
        )[0]
        getattr(self, f"_{kind}")(on)

    def late(self, on: dt.date, member: Member) -> dt.date:
        """Now and then a change entered late, dated some months before."""
        if self.rng.random() < 0.3:
            earlier = self.day_between(on - dt.timedelta(days=300), on)
            on = max(earlier, member.admitted_on)
            self.dates.add(on)
        return on

    def _admit(self, on: dt.date) -> None:
        # Entered today, admitted today or (moved in from elsewhere) years ago.
        admitted = on if self.rng.random() < 0.6 else self.day_between(dt.date(1990, 1, 1), on)
        self.admit(admitted, full=admitted < on - dt.timedelta(days=365))

    def _import(self, on: dt.date) -> None:
        entries = [
            self.entry(self.day_between(dt.date(1990, 1, 1), on), full=self.rng.random() < 0.8)
            for _ in range(self.rng.randint(2, 6))
        ]
        for entry in entries:
            self.dates.add(entry["admitted_on"])
        enter_members(SYSTEM, entries)

    def dated(self, change, person: Member, on: dt.date, **values) -> None:
        """A change, now and then entered late; one dated before a later change of the same
        kind is refused, and entered with today's date instead."""
        when = self.late(on, person)
        try:
            change(SYSTEM, person, on=when, **values)
        except ValidationError as refused:
            assert when < on and "entered in the order" in str(refused), refused
            self.refused += 1
            change(SYSTEM, Member.objects.get(pk=person.pk), on=on, **values)

    def _status(self, on: dt.date) -> None:
        people = self.members(on, *NEXT_STATUS)
        if people:
            person = self.rng.choice(people)
            status = self.rng.choice(NEXT_STATUS[person.status])
            self.dated(change_status, person, on, status=status)

    def _move(self, on: dt.date) -> None:
        people = self.members(on, MemberStatus.FULL, MemberStatus.PROBATIONARY)
        if people:
            person = self.rng.choice(people)
            target = self.org()
            if target.pk != person.organization_id:
                self.dated(move_member, person, on, organization=target)

    def _merge(self, on: dt.date) -> None:
        """One branch's members all go to another (two branches become one)."""
        source, target = self.org(), self.org()
        if source.pk == target.pk:
            return
        for person in Member.objects.filter(organization=source, admitted_on__lte=on).order_by(
            "pk"
        ):
            move_member(SYSTEM, person, organization=target, on=on)

    def _away(self, on: dt.date) -> None:
        if self.rng.random() < 0.3:
            self._away_long_ago(on)
            return
        away = MobileRecord.objects.filter(ended_on__isnull=True).values("member")
        people = self.members(on, MemberStatus.FULL, MemberStatus.PROBATIONARY)
        people = [m for m in people if m.pk not in {row["member"] for row in away}]
        if people:
            person = self.rng.choice(people)
            register_outflow(
                SYSTEM, member=person, place="杭州市西湖区", region_code="330106", away_since=on
            )

    def _away_long_ago(self, on: dt.date) -> None:
        """An absence that began and ended before the member's last return, entered now."""
        back = MobileRecord.objects.filter(ended_on__isnull=False).order_by("pk")
        record = self.rng.choice(list(back)) if back.exists() else None
        if record is None or record.away_since <= record.member.admitted_on + dt.timedelta(9):
            return
        since = self.day_between(record.member.admitted_on, record.away_since - dt.timedelta(3))
        try:
            earlier = register_outflow(
                SYSTEM,
                member=record.member,
                place="苏州市姑苏区",
                region_code="320508",
                away_since=since,
            )
        except ValidationError:  # away then already, or no longer a member who can be
            return
        end_record(SYSTEM, earlier, on=since + dt.timedelta(days=1))
        self.dates.update({since, since + dt.timedelta(days=1)})
        self.late_absences += 1

    def _back(self, on: dt.date) -> None:
        records = list(MobileRecord.objects.filter(ended_on__isnull=True, away_since__lte=on))
        if records:
            end_record(SYSTEM, self.rng.choice(records), on=on)

    def _org(self, on: dt.date) -> None:
        """An organization moves to the other community (a general branch with its branches,
        or a branch into the general branch or out of it)."""
        org = Organization.objects.get(pk=self.rng.choice(self.movable).pk)
        if org.kind == Organization.Kind.GENERAL_BRANCH:
            parents = self.committees
        else:
            parents = [*self.committees, self.movable[0]]
        parents = [p for p in parents if p.pk != org.parent_id]
        parent = Organization.objects.get(pk=self.rng.choice(parents).pk)
        taken = Organization.objects.filter(parent=parent, name=org.name).exists()
        if not taken and not parent.is_within(org):
            when = self.late_for(org, on)
            try:
                move_organization(SYSTEM, org, parent=parent, on=when, reason="区划调整")
            except ValidationError as refused:
                # The new parent was not yet where it is on the late date.
                assert when < on and "after this date" in str(refused), refused
                self.refused += 1
                move_organization(SYSTEM, org, parent=parent, on=on, reason="区划调整")

    def late_for(self, org: Organization, on: dt.date) -> dt.date:
        """Now and then an organization's change entered late: dated back, though not before
        its last change."""
        if self.rng.random() < 0.5:
            last = last_change(org)
            earliest = on - dt.timedelta(days=400)
            on = self.day_between(max(earliest, last or earliest), on)
            self.dates.add(on)
        return on

    def _rename(self, on: dt.date) -> None:
        org = self.org()
        name = f"{org.name[:40]}{next(self.names)}"
        update_organization(SYSTEM, org, name=name, on=self.late_for(org, on))


def build(world: SimpleNamespace, seed: int, days: int = 60) -> History:
    """Live ``days`` days of changes; now and then take a checkpoint on an earlier date, so
    that later changes (late entries, members entered with an old admission, organizations
    moved) fall before some checkpoints and after others."""
    history = History(world, seed)
    span = (TODAY - START).days
    for n, offset in enumerate(sorted(history.rng.sample(range(span + 1), days))):
        on = START + dt.timedelta(days=offset)
        history.live(on)
        if n % 8 == 4:
            then = history.day_between(on - dt.timedelta(days=90), on)
            checkpoints.take(then)
            history.dates.add(then)
    return history


def dates_to_check(history: History, share: float = 0.4) -> list[dt.date]:
    """Some of the days something changed and the days before; plain days, far ends."""
    rng = history.rng
    days = set()
    for day in history.dates:
        days.update({day, day - dt.timedelta(days=1)})
    days = {d for d in days if rng.random() < share}
    days.update(history.day_between(dt.date(1990, 1, 1), TODAY) for _ in range(5))
    days.update({dt.date(1989, 12, 31), START, TODAY - dt.timedelta(days=1), TODAY})
    return sorted(d for d in days if d <= TODAY)


def groups(nodes: list) -> list[list]:
    """What gets counted together: everything, each node with its children, some alone."""
    children: dict[int, list] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    alone = [[n] for n in nodes if n.parent_id is None or len(children.get(n.pk, [])) > 1]
    return [nodes, *alone, *([n, *children[n.pk]] for n in nodes if n.pk in children)]


def counted_from(nodes: list, on: dt.date, base) -> dict | None:
    """Counted from ``base`` (a checkpoint; today's tallies when None) back or on to ``on``."""
    root, deepest = counts._span(nodes)
    rows = counts._corrected(root, deepest, on, base)
    return None if rows is None else counts._added_up(nodes, rows)


def as_planned(checkpoint) -> counts._Checkpoint:
    return counts._Checkpoint(
        checkpoint.pk,
        checkpoint.as_of,
        checkpoint.periods_seen,
        checkpoint.members_seen,
        checkpoint.versions_seen,
    )


@pytest.fixture
def no_small_subtrees(monkeypatch):
    """Every subtree here is small: count them all the way big ones are counted."""
    monkeypatch.setattr(counts, "SMALL_SUBTREE", 0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_as_of_any_date_equal_a_direct_count_of_the_periods(world, seed, no_small_subtrees):
    history = build(world, seed)
    days = dates_to_check(history)
    # From every checkpoint, to dates before and after it: exact, or known out of date.
    for checkpoint in TallyCheckpoint.objects.all():
        stale = checkpoints.changed_before(checkpoint)
        for on in days[:: max(1, len(days) // 12)]:
            nodes = nodes_as_of(on, OrganizationVersion.objects.all())
            got = counted_from(nodes, on, as_planned(checkpoint))
            assert (got is None) == stale, (on, checkpoint.as_of)
            if got is not None:
                assert got == subtree_counts_direct(nodes, on=on), (on, checkpoint.as_of)
    # The way the count chooses (which retakes a checkpoint it finds out of date), and
    # from today's tallies: the same as the direct count, for every date and node.
    for on in days:
        nodes = nodes_as_of(on, OrganizationVersion.objects.all())
        for shown in groups(nodes):
            direct = subtree_counts_direct(shown, on=on)
            assert subtree_counts(shown, on=on) == direct, (on, [n.name for n in shown])
            assert counted_from(shown, on, None) == direct, (on, [n.name for n in shown])
    # Each member's periods follow one another, whatever was entered late: never two at once.
    for person in Member.objects.all():
        periods = list(person.periods.order_by("valid_from", "pk"))
        for before, after in zip(periods, periods[1:], strict=False):
            assert before.valid_to == after.valid_from, (person.name, before, after)
        assert periods and periods[-1].valid_to is None, person.name
    # The history is not trivial: members came and went and organizations moved, and some
    # late changes were made in the history, some refused.
    assert history.refused + history.late_absences > 0
    everyone = Member.objects.count()
    assert Member.objects.exclude(status__in=[MemberStatus.FULL]).count() > everyone // 10
    moved = OrganizationVersion.objects.filter(valid_from__gt=START).values("organization")
    assert moved.distinct().count() >= 2
    # Brought up to date, no checkpoint is out of date, and all are exact.
    checkpoints.keep()
    assert not [c for c in TallyCheckpoint.objects.all() if checkpoints.changed_before(c)]
    assert checkpoints.verify() == []


def test_counts_as_of_a_date_take_the_same_queries_for_any_subtree(world, no_small_subtrees):
    build(world, seed=4, days=20)
    on = TODAY - dt.timedelta(days=400)
    checkpoints.take(on - dt.timedelta(days=30))
    nodes = nodes_as_of(on, OrganizationVersion.objects.all())
    sizes = set()
    for shown in groups(nodes):
        with CaptureQueriesContext(connection) as queries:
            subtree_counts(shown, on=on)
        sizes.add(len(queries))
    assert sizes == {2}


# --- Checkpoints, one thing at a time ---------------------------------------------------------

CHECKPOINT = dt.date(2024, 1, 1)


def a_branch_with_history(world) -> Organization:
    """A branch with members since 2010, one who left in 2023 and one who came in 2025."""
    org = branch(world.committee_a, "南湾村党支部")
    for _ in range(3):
        member(org, admitted_on=dt.date(2010, 7, 1))
    gone = member(org, admitted_on=dt.date(2010, 7, 1))
    change_status(SYSTEM, gone, status=MemberStatus.LEFT, on=dt.date(2023, 5, 1))
    member(org, admitted_on=dt.date(2025, 3, 1), full=False)
    return org


def numbers_from_checkpoint(org, on: dt.date):
    """The branch's numbers on ``on`` counted from the checkpoint (None: out of date)."""
    checkpoint = TallyCheckpoint.objects.get(as_of=CHECKPOINT)
    got = counted_from([org], on, as_planned(checkpoint))
    return None if got is None else got[org.pk]


def test_a_checkpoint_counts_as_the_periods_do_before_and_after_its_date(world):
    org = a_branch_with_history(world)
    checkpoints.take(CHECKPOINT)
    for on in (dt.date(2022, 1, 1), dt.date(2023, 6, 1), CHECKPOINT, dt.date(2025, 6, 1)):
        assert numbers_from_checkpoint(org, on) == subtree_counts_direct([org], on=on)[org.pk]
    assert numbers_from_checkpoint(org, CHECKPOINT).full == 3
    assert checkpoints.verify() == []


def test_members_entered_after_a_checkpoint_count_on_its_date(world):
    org = a_branch_with_history(world)
    checkpoints.take(CHECKPOINT)
    # Entered today, admitted long before the checkpoint: the checkpoint never saw them.
    member(org, admitted_on=dt.date(2015, 7, 1))
    enter_members(
        SYSTEM,
        [
            {
                "organization": org,
                "name": "批量党员",
                "sex": "female",
                "birth_date": dt.date(1970, 1, 1),
                "admitted_on": dt.date(2016, 7, 1),
                "full_on": dt.date(2017, 7, 1),
                "education": Education.HIGH_SCHOOL,
                "occupation": Occupation.FARMER,
            }
        ],
    )
    checkpoint = TallyCheckpoint.objects.get(as_of=CHECKPOINT)
    assert not checkpoints.changed_before(checkpoint)
    on = dt.date(2023, 12, 1)
    assert numbers_from_checkpoint(org, on) == subtree_counts_direct([org], on=on)[org.pk]
    assert numbers_from_checkpoint(org, on).full == 5


@pytest.mark.parametrize("change", ["status", "move", "mobile", "organization"])
def test_a_change_dated_before_a_checkpoint_puts_it_out_of_date_until_retaken(
    world, change, no_small_subtrees
):
    org = a_branch_with_history(world)
    checkpoints.take(CHECKPOINT)
    person = Member.objects.filter(organization=org, status=MemberStatus.FULL).first()
    before = dt.date(2023, 10, 1)
    if change == "status":
        change_status(SYSTEM, person, status=MemberStatus.DECEASED, on=before)
    elif change == "move":
        move_member(SYSTEM, person, organization=world.branch_b1, on=before)
    elif change == "mobile":
        register_outflow(
            SYSTEM, member=person, place="杭州市西湖区", region_code="330106", away_since=before
        )
    else:
        move_organization(SYSTEM, org, parent=world.committee_b, on=before)
    checkpoint = TallyCheckpoint.objects.get(as_of=CHECKPOINT)
    assert checkpoints.changed_before(checkpoint)
    on = dt.date(2023, 12, 1)
    nodes = nodes_as_of(on, OrganizationVersion.objects.filter(organization=org))
    assert numbers_from_checkpoint(nodes[0], on) is None
    # Counting still gives the periods' numbers (from today), and has the checkpoint retaken.
    assert subtree_counts(nodes, on=on) == subtree_counts_direct(nodes, on=on)
    checkpoint = TallyCheckpoint.objects.get(as_of=CHECKPOINT)
    assert not checkpoints.changed_before(checkpoint)
    assert numbers_from_checkpoint(nodes[0], on) == subtree_counts_direct(nodes, on=on)[org.pk]


def test_a_change_dated_after_a_checkpoint_leaves_it_in_date(world):
    org = a_branch_with_history(world)
    checkpoints.take(CHECKPOINT)
    person = Member.objects.filter(organization=org, status=MemberStatus.FULL).first()
    change_status(SYSTEM, person, status=MemberStatus.DECEASED, on=dt.date(2024, 3, 1))
    move_organization(SYSTEM, org, parent=world.committee_b, on=dt.date(2024, 4, 1))
    assert not checkpoints.changed_before(TallyCheckpoint.objects.get(as_of=CHECKPOINT))
    org.refresh_from_db()
    for on in (dt.date(2023, 12, 1), dt.date(2024, 3, 15), dt.date(2024, 6, 1)):
        node = nodes_as_of(on, OrganizationVersion.objects.filter(organization=org))[0]
        assert numbers_from_checkpoint(node, on) == subtree_counts_direct([node], on=on)[org.pk]


def test_checkpoints_go_where_enough_has_changed_and_are_kept_up(world, monkeypatch):
    monkeypatch.setattr(checkpoints, "SPAN", 8)
    org = a_branch_with_history(world)
    back_then = dt.date(2025, 6, 15)
    dates = checkpoints.planned_dates(today=back_then)
    assert dates and all(day.day == 1 and day <= back_then for day in dates)
    assert checkpoints.rebuild(today=back_then) == len(dates)
    assert list(TallyCheckpoint.objects.values_list("as_of", flat=True)) == dates
    # The history since calls for more of them, and so does history entered late between
    # two of them (members admitted in 2012, entered today).
    for _ in range(10):
        member(org, admitted_on=dt.date(2025, 9, 1))
        member(org, admitted_on=dt.date(2012, 3, 1))
    result = checkpoints.keep()
    now = set(TallyCheckpoint.objects.values_list("as_of", flat=True))
    added = now - set(dates)
    assert len(now) == len(dates) + result["added"]
    assert any(day > back_then for day in added)
    assert any(dt.date(2012, 3, 1) < day <= dt.date(2013, 4, 1) for day in added)
    assert checkpoints.verify() == []


def test_the_check_finds_numbers_that_differ_from_the_periods(world):
    org = a_branch_with_history(world)
    checkpoints.take(CHECKPOINT)
    assert checkpoints.verify() == []
    CheckpointTally.objects.filter(org_path=org.path[: checkpoints.PREFIX_LENGTH]).update(full=99)
    [wrong] = checkpoints.verify()
    assert (wrong.on, wrong.kept[0]) == (CHECKPOINT, 99)
    # Today's tallies are what earlier dates count back from: they must match the periods.
    OrganizationTally.objects.filter(organization=org).update(probationary=7)
    assert [m.on for m in checkpoints.verify()] == [None, CHECKPOINT]
    with pytest.raises(CommandError, match="differ"):
        call_command("recount", "--check")
    call_command("recount")
    call_command("recount", "--check")
