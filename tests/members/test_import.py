"""Importing the Party member register from Excel: every row checked, then all rows or none.

Files are real workbooks, filled in the way a community clerk copies the paper register into
the template: Chinese labels, dates typed as text, ID numbers as text.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from cunju.core.actions import ACTION_LABELS
from cunju.core.idnumbers import compose_resident_id
from cunju.core.models import AuditEvent
from cunju.core.personal_data import ID_NUMBER, blind_index
from cunju.core.system import SYSTEM
from cunju.members.actions import register_member
from cunju.members.imports import MemberImport, enter_members
from cunju.members.models import Member, MemberEvent, MembershipPeriod, MemberStatus
from cunju.organizations.actions import create_organization
from cunju.organizations.models import Organization
from tests.world import client_for

TODAY = dt.date.today()
with translation.override("en"):
    HEADERS = {column.key: MemberImport.header_text(column) for column in MemberImport.columns}


def row(number: int, **changes: Any) -> dict[str, Any]:
    """A good row for a full member of 新桥村党支部; ``number`` makes the ID unique."""
    born = dt.date(1960, 1, 1) + dt.timedelta(days=97 * number)
    sex = changes.pop("id_sex", "male")
    values = {
        "name": f"测试党员{number}",
        "sex": "男" if sex == "male" else "女",
        "ethnicity": "汉族",
        "birth_date": f"{born:%Y-%m-%d}",
        "id_number": compose_resident_id("320506", born, 40 + number % 50, sex),
        "phone": f"1390000{number:04d}",
        "education": "高中",
        "occupation": "农牧渔民",
        "work_unit": "",
        "address": f"新桥村{number}组",
        "organization": "新桥村党支部",
        "status": "正式党员",
        "admitted_on": f"{born.replace(year=born.year + 25):%Y-%m-%d}",
        "full_on": f"{born.replace(year=born.year + 26):%Y-%m-%d}",
        "is_mobile": "否",
    }
    values.update(changes)
    return values


def workbook(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADERS.values()))
    for values in rows:
        sheet.append([values.get(key, "") for key in HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def problems(report) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.reason) for p in report.problems]


def header(key: str) -> str:
    return HEADERS[key].rstrip("*")


# --- A good file ---------------------------------------------------------------------------


def test_a_good_file_enters_every_member_in_one_audited_import(world):
    before = Member.objects.count()
    rows = [
        row(1),
        row(2, id_sex="female", organization="湖滨花苑小区党支部", is_mobile="是"),
        row(
            3,
            status="预备党员",
            birth_date="",
            sex="",
            admitted_on=f"{TODAY - dt.timedelta(days=30):%Y-%m-%d}",
            full_on="",
            education="大学本科",
            occupation="社区（村）工作者",
        ),
    ]
    events_before = AuditEvent.objects.count()

    report = MemberImport(world.secretary_a).run(workbook(rows))

    assert report.ok, problems(report)
    assert report.imported == 3
    assert Member.objects.count() == before + 3
    first, second, third = (Member.objects.get(name=f"测试党员{n}") for n in (1, 2, 3))
    assert first.organization == world.branch_a1 and first.status == MemberStatus.FULL
    assert first.id_number.reveal() == rows[0]["id_number"]
    assert first.name_pinyin == "ceshidangyuan1"
    assert second.sex == "female" and second.is_mobile
    assert second.organization == world.branch_a2
    # Sex and birth date left blank are read from the ID number.
    assert third.sex == "male" and third.birth_date == dt.date(1960, 1, 1) + dt.timedelta(
        days=97 * 3
    )
    assert third.status == MemberStatus.PROBATIONARY and third.full_on is None
    # One audit event for the file, counting the members it entered.
    assert AuditEvent.objects.count() == events_before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "members.import" and event.outcome == "success"
    assert event.changes["actions"]["members.register_member"] == 3
    assert event.username == world.secretary_a.username
    assert str(ACTION_LABELS["members.import"]) == "Import Party members"


def test_an_imported_member_has_the_same_history_as_one_entered_by_hand(world):
    """The import's bulk path writes what register_member writes, row for row."""
    born = dt.date(1975, 4, 4)
    details = dict(
        organization=world.branch_a1,
        sex="female",
        birth_date=born,
        admitted_on=dt.date(2001, 7, 1),
        full_on=dt.date(2002, 7, 1),
        education="high_school",
        occupation="farmer",
        status=MemberStatus.FULL,
        is_mobile=True,
    )
    by_hand = register_member(
        SYSTEM,
        name="手工录入",
        id_number=compose_resident_id("320506", born, 2, "female"),
        **details,
    )
    [in_bulk_id] = enter_members(
        SYSTEM,
        [
            {
                "name": "批量录入",
                "id_number": compose_resident_id("320506", born, 4, "female"),
                **details,
            }
        ],
    )

    def history(member: Member) -> tuple[list, list]:
        events = MemberEvent.objects.filter(member=member).order_by("date", "kind")
        periods = MembershipPeriod.objects.filter(member=member).order_by("valid_from")
        return (
            [(e.date, e.kind, e.summary, e.organization_id) for e in events],
            [
                (p.organization_id, p.org_path, p.status, p.is_mobile, p.valid_from, p.valid_to)
                for p in periods
            ],
        )

    in_bulk = Member.objects.get(pk=in_bulk_id)
    assert history(in_bulk) == history(by_hand)
    assert in_bulk.id_number_index == blind_index(ID_NUMBER, in_bulk.id_number.reveal())
    assert in_bulk.org_path == world.branch_a1.path


# --- Bad rows -------------------------------------------------------------------------------


def test_one_bad_row_means_nothing_is_imported_and_every_problem_is_listed(world):
    good = row(1)
    taken = world.member_in_a.id_number.reveal()
    wrong_check = row(3)["id_number"][:-1] + ("0" if row(3)["id_number"][-1] != "0" else "1")
    rows = [
        good,  # row 2
        row(3, id_number=wrong_check),  # row 3
        row(4, sex="女"),  # row 4: the ID number says male
        row(5, birth_date="1990-01-01"),  # row 5
        row(
            6, admitted_on=f"{dt.date(1960, 1, 1) + dt.timedelta(days=97 * 6 + 365 * 10):%Y-%m-%d}"
        ),
        row(7, status="预备党员"),  # row 7: a probationary member with a full date
        row(8, full_on=""),  # row 8: a full member without one
        row(9, admitted_on=f"{TODAY + dt.timedelta(days=3):%Y-%m-%d}", full_on=""),
        row(10, full_on="2023-02-30"),  # row 10: not a real date
        row(11, education="博士后"),  # row 11
        row(12, id_number=good["id_number"]),  # row 12: the same person as row 2
        row(13, id_number=taken),  # row 13: already in the register
        row(14, organization="不存在党支部"),  # row 14
        row(15, organization="石舍村党支部"),  # row 15: community B's branch
        row(16, name=""),  # row 16
    ]
    before = Member.objects.count()

    report = MemberImport(world.secretary_a).run(workbook(rows))

    assert not report.ok and report.imported == 0
    assert Member.objects.count() == before
    found = problems(report)
    assert report.bad_rows() == list(range(3, 17))

    def reason(number: int, key: str) -> str:
        reasons = [r for n, c, r in found if n == number and c == header(key)]
        assert reasons, (number, key, found)
        return reasons[0]

    assert "check character" in reason(3, "id_number")
    assert "digit 17" in reason(4, "sex") and "Male" in reason(4, "sex")
    assert "digits 7–14" in reason(5, "birth_date")
    assert reason(6, "admitted_on") == "Members are admitted at 18 or older."
    assert reason(7, "full_on") == "A probationary member has no full membership date yet."
    assert reason(8, "full_on") == "Give the date of full membership."
    assert reason(9, "admitted_on") == "The admission date is in the future."
    assert "is not a date" in reason(10, "full_on")
    assert "“博士后” is not one of" in reason(11, "education")
    assert reason(12, "id_number") == "The same ID number as row 2."
    assert reason(13, "id_number") == "A member with this ID number is already in the register."
    assert reason(14, "organization") == (
        "There is no Party organization “不存在党支部” in your scope."
    )
    # Community B's branch exists, but secretary A is told exactly what a missing one gets.
    assert reason(15, "organization") == (
        "There is no Party organization “石舍村党支部” in your scope."
    )
    assert reason(16, "name") == "This cell is required."


def test_a_dry_run_checks_every_row_and_imports_nothing(world):
    before = Member.objects.count()
    report = MemberImport(world.secretary_a).run(workbook([row(1), row(2)]), dry_run=True)
    assert report.ok and report.total_rows == 2 and report.imported == 0
    assert Member.objects.count() == before


def test_members_are_not_entered_in_a_party_group(world):
    group = create_organization(
        SYSTEM,
        parent=world.branch_a1,
        kind=Organization.Kind.GROUP,
        category=Organization.Category.VILLAGE,
        name="新桥村第一党小组",
        place=world.village_a,
    )
    report = MemberImport(world.secretary_a).run(workbook([row(1, organization=group.name)]))
    assert problems(report) == [
        (
            2,
            header("organization"),
            "Members belong to a branch, general branch or committee, not a group.",
        )
    ]


def test_where_branch_names_repeat_the_path_says_which(world):
    for committee, place in (
        (world.committee_a, world.community_a),
        (world.committee_b, world.community_b),
    ):
        create_organization(
            SYSTEM,
            parent=committee,
            kind=Organization.Kind.BRANCH,
            category=Organization.Category.RETIRED,
            name="老党员党支部",
            place=place,
        )
    ambiguous = MemberImport(world.town_admin).run(workbook([row(1, organization="老党员党支部")]))
    [(number, column, reason)] = problems(ambiguous)
    assert (number, column) == (2, header("organization"))
    assert "Several Party organizations are called “老党员党支部”" in reason
    assert "湖滨社区党委/老党员党支部" in reason or "石舍社区党委/老党员党支部" in reason

    rows = [
        row(1, organization="湖滨社区党委/老党员党支部"),
        row(2, organization="中共石舍社区委员会 / 老党员党支部"),
        row(3, organization="湖桥镇党委/湖滨社区党委/新桥村党支部"),
    ]
    report = MemberImport(world.town_admin).run(workbook(rows))
    assert report.ok, problems(report)
    assert Member.objects.get(name="测试党员1").organization.parent == world.committee_a
    assert Member.objects.get(name="测试党员2").organization.parent == world.committee_b
    assert Member.objects.get(name="测试党员3").organization == world.branch_a1
    # Secretary A names the path from above their own committee, and still sees only A.
    report = MemberImport(world.secretary_a).run(
        workbook([row(4, organization="湖桥镇党委/石舍社区党委/石舍村党支部")])
    )
    assert problems(report)[0][2].startswith("There is no Party organization")


# --- The import page --------------------------------------------------------------------------


def test_secretary_a_imports_through_the_page_and_b_is_not_in_scope(world):
    client = client_for(world.secretary_a)
    url = reverse("members:import")
    assert client.get(url).status_code == 200
    template = client.get(url, {"template": "1"})
    assert template.status_code == 200 and "attachment" in template["Content-Disposition"]

    before = Member.objects.count()
    content = workbook([row(1), row(2, organization="石舍村党支部")])
    response = client.post(url, {"file": SimpleUploadedFile("党员.xlsx", content)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "nothing was imported" in page
    assert "There is no Party organization “石舍村党支部” in your scope." in page
    assert Member.objects.count() == before

    response = client.post(url, {"file": SimpleUploadedFile("党员.xlsx", workbook([row(1)]))})
    assert "1 row imported" in response.content.decode()
    assert Member.objects.count() == before + 1


def test_the_page_is_closed_to_members_without_the_import_permission(world):
    response = client_for(world.member_a).get(reverse("members:import"))
    assert response.status_code == 403


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_file_reads_the_same_whatever_the_interface_language(world, language):
    client = client_for(world.secretary_a, language=language)
    content = workbook([row(1)])
    response = client.post(
        reverse("members:import"), {"file": SimpleUploadedFile("党员.xlsx", content)}
    )
    assert response.status_code == 200
    assert Member.objects.filter(name="测试党员1").exists()


def test_the_templates_example_row_imports_as_it_stands(world):
    spec = MemberImport(world.secretary_a)
    report = spec.run(spec.template())
    assert report.ok, problems(report)
    member = Member.objects.get(name="张三")
    assert member.organization == world.branch_a1
    assert (member.sex, str(member.birth_date)) == ("male", "1980-05-20")
