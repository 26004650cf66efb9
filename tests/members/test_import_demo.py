"""`cunju demo`: several hundred members, entered the way an import enters them, every status."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter
from importlib import import_module

import pytest
from django.core.management import call_command

from cunju.accounts.models import User
from cunju.core.demo import DEMO_SEED, DEMO_STEPS
from cunju.core.idnumbers import validate_resident_id
from cunju.core.models import AuditEvent
from cunju.members.models import Member, MemberEvent, MembershipPeriod, MemberStatus


@pytest.fixture
def demo(db) -> dict:
    """The demo up to and including the members step (later steps add applicants)."""
    world: dict = {"random": random.Random(DEMO_SEED)}
    for dotted in DEMO_STEPS[: DEMO_STEPS.index("cunju.members.demo.load") + 1]:
        module, name = dotted.rsplit(".", 1)
        getattr(import_module(module), name)(world)
    return world


def test_cunju_demo_gives_several_hundred_members_in_every_status(db):
    call_command("demo", stdout=io.StringIO())
    assert Member.objects.count() >= 300
    statuses = set(Member.objects.values_list("status", flat=True))
    assert statuses == set(MemberStatus.values)


def test_the_demo_has_several_hundred_members_in_every_status(demo):
    members = list(Member.objects.select_related("organization"))
    assert [m.pk for m in demo["members"]] == sorted(m.pk for m in members)
    assert 200 <= len(members) <= 600
    statuses = Counter(m.status for m in members)
    # Transfers out of the system come with the mobility step, after this one.
    assert set(statuses) == set(MemberStatus.values) - {MemberStatus.TRANSFERRED_OUT}
    assert statuses[MemberStatus.FULL] > len(members) / 2
    assert Counter(m.sex for m in members).keys() == {"male", "female"}
    ethnicities = Counter(m.ethnicity for m in members)
    assert ethnicities["汉族"] > 0.8 * len(members) and len(ethnicities) > 1
    assert len({m.occupation for m in members}) >= 6
    assert any(m.is_mobile for m in members)
    per_branch = Counter(m.organization.name for m in members)
    assert len(per_branch) == 12 and min(per_branch.values()) >= 15


def test_every_demo_member_has_a_valid_unique_id_number_matching_sex_and_birth(demo):
    numbers = set()
    for member in Member.objects.all():
        resident = validate_resident_id(member.id_number.reveal())
        assert (resident.sex, resident.birth_date) == (member.sex, member.birth_date)
        assert member.admitted_on >= member.birth_date.replace(year=member.birth_date.year + 18)
        numbers.add(resident.number)
    assert len(numbers) == Member.objects.count()


def test_probationary_members_were_admitted_within_the_last_year(demo):
    year_ago = dt.date.today() - dt.timedelta(days=365)
    probationary = Member.objects.filter(status=MemberStatus.PROBATIONARY)
    assert probationary.exists()
    assert not probationary.filter(admitted_on__lt=year_ago).exists()
    assert not probationary.filter(full_on__isnull=False).exists()


def test_members_who_left_or_died_have_it_in_their_history(demo):
    for status in (MemberStatus.SUSPENDED, MemberStatus.LEFT, MemberStatus.DECEASED):
        member = Member.objects.filter(status=status).first()
        assert member.status_changed_on is not None
        assert MemberEvent.objects.filter(member=member, kind=MemberEvent.Kind.STATUS).exists()
        current = MembershipPeriod.objects.get(member=member, valid_to__isnull=True)
        assert current.status == status


def test_the_demo_member_account_has_its_member_record(demo):
    account = User.objects.get(username="demo-member")
    assert account.member.name == account.full_name
    assert account.member.id_number == account.id_number
    assert account.member.organization == account.scope


def test_the_members_are_entered_in_one_audited_batch(demo):
    [event] = AuditEvent.objects.filter(action="members.register_members")
    assert event.changes["actions"]["members.register_member"] == Member.objects.count()
