"""The rules of mobile-member work, each at its boundary."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cunju.core.rules import RULES, Rule
from cunju.core.system import SYSTEM
from cunju.mobility import actions
from cunju.mobility.actions import can_vote_locally, holds_card_elsewhere
from cunju.mobility.models import MobileRecord
from cunju.mobility.overview import overdue_reports, temporary_branch_suggestions
from cunju.mobility.rules import add_months, letter_validity_months, proposes_transfer
from tests.mobility.world import enter

SINCE = dt.date(2025, 3, 10)


def test_every_rule_names_its_source():
    ours = [r for key, r in RULES.items() if key.startswith("mobility.")]
    assert len(ours) == 6
    assert all(r.source and r.description for r in ours)


def test_months_are_added_by_the_calendar():
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 3, 10), 12) == dt.date(2026, 3, 10)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("expected_return", "fixed_place", "possible", "transfer"),
    [
        (dt.date(2025, 9, 10), True, True, False),  # exactly six months: a card
        (dt.date(2025, 9, 11), True, True, True),  # six months and a day: transfer
        (None, True, True, True),  # no return planned: a long absence
        (dt.date(2026, 9, 10), False, True, False),  # no fixed place there: a card
        (dt.date(2026, 9, 10), True, False, False),  # cannot be transferred: a card
    ],
)
def test_the_rule_proposes_a_card_or_a_transfer(expected_return, fixed_place, possible, transfer):
    result = proposes_transfer(
        SINCE, expected_return, fixed_place=fixed_place, transfer_possible=possible
    )
    assert result is transfer


@pytest.mark.django_db
def test_a_region_may_set_its_own_number_of_months():
    Rule.objects.create(key="mobility.transfer_after_months", region_code="320000", value=3)
    back = dt.date(2025, 8, 10)
    assert proposes_transfer(SINCE, back, fixed_place=True, region="320506")
    assert not proposes_transfer(SINCE, back, fixed_place=True, region="330106")


@pytest.mark.django_db
def test_letters_are_valid_three_months_in_the_province_and_six_across():
    on = dt.date(2026, 1, 5)
    assert letter_validity_months("320506", "320571", on) == 3
    assert letter_validity_months("320506", "310115", on) == 6
    # An unknown province gets the shorter limit.
    assert letter_validity_months("", "310115", on) == 3


def test_the_letter_validity_boundary_within_the_province(world):
    issued = dt.date(2025, 11, 30)
    letter = actions.issue_transfer(
        SYSTEM,
        enter(world.branch_a1, "周界内", 51),
        letter_number="A-1",
        issued_on=issued,
        to_name="中共吴中区某村党支部",
        to_region_code="320506",
        valid_until=dt.date(2026, 2, 28),
    )
    assert letter.valid_until == dt.date(2026, 2, 28)
    with pytest.raises(ValidationError) as refused:
        actions.issue_transfer(
            SYSTEM,
            enter(world.branch_a1, "周界外", 52),
            letter_number="A-2",
            issued_on=issued,
            to_name="中共吴中区某村党支部",
            to_region_code="320506",
            valid_until=dt.date(2026, 3, 1),
        )
    message = refused.value.message_dict["valid_until"][0]
    assert "3 months" in message and "2026-02-28" in message


def test_the_letter_validity_boundary_across_provinces(world):
    issued = dt.date(2025, 11, 30)
    member = enter(world.branch_a1, "周跨省", 53)
    with pytest.raises(ValidationError) as refused:
        actions.issue_transfer(
            SYSTEM,
            member,
            letter_number="A-3",
            issued_on=issued,
            to_name="中共浦东新区某党支部",
            to_region_code="310115",
            valid_until=dt.date(2026, 5, 31),
        )
    assert "6 months" in refused.value.message_dict["valid_until"][0]
    letter = actions.issue_transfer(
        SYSTEM,
        member,
        letter_number="A-3",
        issued_on=issued,
        to_name="中共浦东新区某党支部",
        to_region_code="310115",
    )
    assert letter.valid_until == dt.date(2026, 5, 30)


def outflow(member, region_code="330106", work_unit="", since=SINCE):
    return actions.register_outflow(
        SYSTEM,
        member=member,
        place="杭州市西湖区",
        region_code=region_code,
        away_since=since,
        work_unit=work_unit,
    )


def test_a_member_who_has_not_reported_for_more_than_a_year_is_flagged(world):
    entry = outflow(enter(world.branch_a1, "赵汇报", 54))
    actions.add_report(SYSTEM, entry, date=dt.date(2025, 4, 20), way="phone", content="在杭务工")
    entry = MobileRecord.objects.get(pk=entry.pk)
    assert entry.last_reported() == dt.date(2025, 4, 20)
    assert not entry.report_overdue(dt.date(2026, 4, 20))  # exactly a year
    assert entry.report_overdue(dt.date(2026, 4, 21))  # a year and a day
    records = MobileRecord.objects.filter(pk=entry.pk)
    assert overdue_reports(records, dt.date(2026, 4, 20)) == []
    assert overdue_reports(records, dt.date(2026, 4, 21)) == [entry]


def test_without_any_report_the_year_counts_from_leaving(world):
    entry = outflow(enter(world.branch_a1, "赵未报", 55))
    assert not entry.report_overdue(dt.date(2026, 3, 10))
    assert entry.report_overdue(dt.date(2026, 3, 11))


def test_three_members_in_one_county_suggest_a_temporary_branch(world):
    for sequence, name in ((56, "钱一"), (57, "钱二")):
        outflow(enter(world.branch_a1, name, sequence))
    records = MobileRecord.objects.filter(member__org_path__startswith=world.committee_a.path)
    assert temporary_branch_suggestions(records, dt.date(2026, 1, 1)) == []
    outflow(enter(world.branch_a2, "钱三", 58))
    [suggestion] = temporary_branch_suggestions(records, dt.date(2026, 1, 1))
    assert suggestion.kind == "place" and suggestion.key == "330106"
    assert sorted(r.member.name for r in suggestion.records) == ["钱一", "钱三", "钱二"]


def test_three_members_in_one_work_unit_suggest_a_temporary_branch(world):
    for sequence, (name, code) in enumerate((("孙甲", "330106"), ("孙乙", "310115")), 59):
        outflow(enter(world.branch_a1, name, sequence), region_code=code, work_unit="江南建工")
    records = MobileRecord.objects.filter(member__org_path__startswith=world.committee_a.path)
    assert not [s for s in temporary_branch_suggestions(records) if s.kind == "work_unit"]
    outflow(enter(world.branch_a1, "孙丙", 61), region_code="320571", work_unit="江南建工")
    [suggestion] = [s for s in temporary_branch_suggestions(records) if s.kind == "work_unit"]
    assert suggestion.key == "江南建工" and len(suggestion.records) == 3


def test_a_card_holder_votes_only_at_home_while_the_card_is_valid(world):
    entry = outflow(enter(world.branch_a1, "吴持证", 62))
    actions.issue_card(
        SYSTEM,
        entry,
        number="HQ-9",
        issued_on=dt.date(2025, 3, 15),
        valid_until=dt.date(2026, 3, 14),
    )
    member = entry.member
    assert holds_card_elsewhere(member, dt.date(2026, 3, 14))
    assert not holds_card_elsewhere(member, dt.date(2026, 3, 15))
    assert not holds_card_elsewhere(member, dt.date(2025, 3, 14))
    assert can_vote_locally(member, world.branch_a1, dt.date(2026, 1, 1))
    assert can_vote_locally(member, world.committee_a, dt.date(2026, 1, 1))
    # Where the member takes part with the card, the member neither votes nor stands.
    assert not can_vote_locally(member, world.branch_b1, dt.date(2026, 1, 1))


def test_the_card_has_the_usual_validity_unless_given(world):
    entry = outflow(enter(world.branch_a1, "吴默认", 63))
    card = actions.issue_card(SYSTEM, entry, number="HQ-10", issued_on=dt.date(2025, 3, 15))
    assert card.valid_until == dt.date(2026, 3, 15)
