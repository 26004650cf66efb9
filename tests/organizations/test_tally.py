"""Each organization's tally of its own members stays equal to a fresh count after every change.

Every kind of change a member goes through is made the way the product makes it (through
the actions, the import, the transfer letters) and the tallies are compared with a count
of the register: registration, status changes, leaving, death, moves, transfers in and out,
going away and coming back, imports, moving an organization, and deleting a member.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from cunju.core.system import SYSTEM
from cunju.members.actions import change_status, move_member, update_member
from cunju.members.imports import MemberImport, enter_members
from cunju.members.models import Member, MemberStatus
from cunju.mobility import actions as mobility
from cunju.organizations import tallies
from cunju.organizations.actions import move_organization
from cunju.organizations.counts import subtree_counts
from cunju.organizations.models import OrganizationTally
from cunju.organizations.tasks import check_tallies
from tests.members.test_import import row, workbook
from tests.organizations.people import branch, member, members

TODAY = dt.date.today()


def own(org) -> tuple[int, int, int]:
    """The organization's own (full, probationary, mobile) as its tally says."""
    tally = OrganizationTally.objects.filter(organization=org).first()
    return (tally.full, tally.probationary, tally.mobile) if tally else (0, 0, 0)


def assert_exact() -> None:
    assert tallies.verify() == []


def test_the_world_built_through_every_module_has_exact_tallies(world):
    assert_exact()
    assert own(world.branch_a1)[0] > 0


def test_registering_counts_full_probationary_and_mobile_members(world):
    org = branch(world.committee_a, "南湾村党支部")
    members(org, 3)
    member(org, full=False, mobile=True)
    member(org, mobile=True)
    assert own(org) == (4, 1, 2)
    assert_exact()


def test_status_changes_leaving_and_death_move_the_numbers(world):
    org = branch(world.committee_a, "南湾村党支部")
    on = TODAY - dt.timedelta(days=10)
    probationary = member(org, full=False, admitted_on=TODAY - dt.timedelta(days=400))
    suspended, leaving, dying = members(org, 3, mobile=True)
    assert own(org) == (3, 1, 3)
    change_status(SYSTEM, probationary, status=MemberStatus.FULL, on=on)
    assert own(org) == (4, 0, 3)
    change_status(SYSTEM, suspended, status=MemberStatus.SUSPENDED, on=on)
    assert own(org) == (3, 0, 2)
    change_status(SYSTEM, suspended, status=MemberStatus.FULL, on=TODAY)
    assert own(org) == (4, 0, 3)
    change_status(SYSTEM, leaving, status=MemberStatus.LEFT, on=on)
    change_status(SYSTEM, dying, status=MemberStatus.DECEASED, on=on)
    assert own(org) == (2, 0, 1)
    assert_exact()


def test_moving_a_member_moves_one_from_each_tally(world):
    old = branch(world.committee_a, "旧村党支部")
    new = branch(world.committee_b, "新村党支部")
    person = member(old, mobile=True)
    member(old)
    move_member(SYSTEM, person, organization=new, on=TODAY)
    assert (own(old), own(new)) == ((1, 0, 0), (1, 0, 1))
    assert_exact()


def test_going_away_and_coming_back_counts_as_mobile_meanwhile(world):
    org = branch(world.committee_a, "南湾村党支部")
    person = member(org)
    entry = mobility.register_outflow(
        SYSTEM,
        member=person,
        place="上海市浦东新区",
        region_code="310115",
        away_since=TODAY - dt.timedelta(days=30),
    )
    assert own(org) == (1, 0, 1)
    mobility.end_record(SYSTEM, entry, on=TODAY)
    assert own(org) == (1, 0, 0)
    assert_exact()


def test_a_transfer_letter_moves_the_member_when_accepted_or_takes_them_out(world):
    inside = world.away_b  # away (mobile), a letter to 金湖家园 is waiting
    origin, destination = inside.organization, world.transfer_b.to_organization
    before = (own(origin), own(destination))
    mobility.accept_transfer(SYSTEM, world.transfer_b, on=TODAY)
    inside.refresh_from_db()
    assert inside.organization == destination and not inside.is_mobile
    assert own(origin) == (before[0][0] - 1, before[0][1], before[0][2] - 1)
    assert own(destination) == (before[1][0] + 1, before[1][1], before[1][2])

    out = world.transfer_b_out  # a letter to an organization outside the system
    home = out.member.organization
    had = own(home)
    mobility.record_receipt(SYSTEM, out, on=TODAY)
    assert own(home)[0] == had[0] - 1
    assert_exact()


def test_correcting_details_or_the_dues_flag_leaves_the_tallies_alone(
    world, django_assert_num_queries
):
    person = world.member_in_a
    had = own(person.organization)
    update_member(SYSTEM, person, address="新桥村9组1号", name="孙湖明")
    person.in_arrears = True
    # Not even a look at the stored row: nothing that counts was written.
    with django_assert_num_queries(1):
        person.save(update_fields=["in_arrears", "updated_at"])
    assert own(person.organization) == had
    assert_exact()


def test_entering_members_in_bulk_and_importing_a_file_count_them(world):
    org = branch(world.committee_a, "南湾村党支部")
    details = dict(
        sex="female",
        birth_date=dt.date(1980, 1, 1),
        admitted_on=dt.date(2001, 7, 1),
        education="high_school",
        occupation="farmer",
    )
    enter_members(
        SYSTEM,
        [
            {"organization": org, "name": "批量一", "full_on": dt.date(2002, 7, 1), **details},
            {"organization": org, "name": "批量二", "status": MemberStatus.PROBATIONARY, **details},
            {
                "organization": org,
                "name": "批量三",
                "full_on": dt.date(2002, 7, 1),
                "is_mobile": True,
                **details,
            },
        ],
    )
    assert own(org) == (2, 1, 1)
    had = own(world.branch_a1)
    report = MemberImport(world.secretary_a).run(workbook([row(1), row(2, is_mobile="是")]))
    assert report.ok
    assert own(world.branch_a1) == (had[0] + 2, had[1], had[2] + 1)
    assert_exact()


def test_moving_an_organization_takes_its_tallies_along(world):
    committee = branch(world.committee_a, "中共南湾委员会", kind="committee")
    village = branch(committee, "南湾村党支部")
    members(village, 3)
    move_organization(SYSTEM, committee, parent=world.committee_b, on=TODAY)
    village.refresh_from_db()
    assert OrganizationTally.objects.get(organization=village).org_path == village.path
    counts = subtree_counts([world.committee_a, world.committee_b, village])
    assert counts[village.pk].full == 3
    assert (
        counts[world.committee_b.pk].total
        == Member.objects.active().filter(org_path__startswith=world.committee_b.path).count()
    )
    assert_exact()


def test_deleting_a_member_takes_them_off(world):
    org = branch(world.committee_a, "南湾村党支部")
    first, _second = members(org, 2)
    first.events.all().delete()
    first.periods.all().delete()
    first.delete()
    assert own(org) == (1, 0, 0)
    assert_exact()


def test_a_stale_copy_of_a_member_still_counts_from_what_is_stored(world):
    old = branch(world.committee_a, "旧村党支部")
    new = branch(world.committee_a, "新村党支部")
    person = member(old)
    stale = Member.objects.get(pk=person.pk)
    move_member(SYSTEM, person, organization=new, on=TODAY)
    # The stale copy still says "old": the tally goes by the stored row, not by the copy.
    change_status(SYSTEM, stale, status=MemberStatus.LEFT, on=TODAY)
    assert (own(old), own(new)) == ((0, 0, 0), (0, 0, 0))
    assert_exact()


def test_recount_finds_and_repairs_a_tally_changed_behind_its_back(world, capsys):
    OrganizationTally.objects.filter(organization=world.branch_a1).update(full=999)
    with pytest.raises(CommandError, match="1 tallies differ"):
        call_command("recount", "--check")
    call_command("recount")
    call_command("recount", "--check")
    assert "every tally matches" in capsys.readouterr().out
    assert_exact()


def test_the_check_task_repairs_what_it_finds(world):
    OrganizationTally.objects.filter(organization=world.branch_b1).update(mobile=-3)
    assert check_tallies.call() == 1
    assert check_tallies.call() == 0
    assert_exact()


def test_subtree_counts_today_add_up_the_register(world):
    counts = subtree_counts([world.town_committee, world.committee_a, world.committee_b])
    for org in (world.town_committee, world.committee_a, world.committee_b):
        active = Member.objects.active().filter(org_path__startswith=org.path)
        assert counts[org.pk].total == active.count()
        assert counts[org.pk].mobile == active.filter(is_mobile=True).count()


# --- Two actions at once (PostgreSQL: SQLite runs one writer at a time) ----------------------


@pytest.mark.django_db(transaction=True)
def test_actions_at_the_same_time_on_one_organization_lose_no_update(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    org = branch(world.committee_a, "南湾村党支部")
    people = members(org, 12)
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def work(change, batch: list[Member]) -> None:
        try:
            start.wait()
            for person in batch:
                change(Member.objects.get(pk=person.pk))
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            connections.close_all()

    def leave(person: Member) -> None:
        change_status(SYSTEM, person, status=MemberStatus.LEFT, on=TODAY)

    def move(person: Member) -> None:
        move_member(SYSTEM, person, organization=world.branch_a1, on=TODAY)

    def go_away(person: Member) -> None:
        mobility.register_outflow(
            SYSTEM, member=person, place="杭州市", region_code="330106", away_since=TODAY
        )

    def join(_person: Member) -> None:
        member(org, full=False)

    threads = [
        threading.Thread(target=work, args=(leave, people[0:4])),
        threading.Thread(target=work, args=(move, people[4:8])),
        threading.Thread(target=work, args=(go_away, people[8:12])),
        threading.Thread(target=work, args=(join, people[0:4])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert own(org) == (4, 4, 4)
    assert_exact()
