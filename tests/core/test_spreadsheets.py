"""Excel in and out: the places register imported from a template, lists exported as filtered.

Files are real workbooks written with openpyxl and uploaded through the import page, the way
a township clerk fills in the template and sends it back.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from openpyxl import Workbook

import cunju
from cunju.core.actions import record_event
from cunju.core.models import AuditEvent
from cunju.core.system import SYSTEM
from cunju.places.actions import create_place
from cunju.places.imports import PlaceImport
from cunju.places.models import Place
from tests.world import client_for, read_xlsx

IMPORT = reverse("places:import")
CATALOG = Path(cunju.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
CJK = re.compile(r"[\u4e00-\u9fff]")


def kind(value: str) -> str:
    """A kind as a Chinese user types it: its label in the page's language."""
    return str(Place.Kind(value).label)


def workbook(rows: list[list[str]]) -> bytes:
    """A filled-in template: the header row as the template has it, then ``rows``."""
    book = Workbook()
    sheet = book.active
    sheet.append([PlaceImport.header_text(column) for column in PlaceImport.columns])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name: str = "地点.xlsx", **extra):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content), **extra})


@pytest.fixture
def clerk(world):
    """Clerk A at a Chinese browser: the register's usual importer."""
    return client_for(world.clerk_a, language="zh-hans")


@pytest.fixture
def zh():
    with translation.override("zh-hans"):
        yield


def places_under(place: Place) -> set[str]:
    return set(Place.objects.subtree(place).values_list("name", flat=True))


# --- The template --------------------------------------------------------------------------


@pytest.mark.skipif(not CATALOG.exists(), reason="the zh-Hans catalog is not compiled")
def test_the_template_has_chinese_headers_with_required_ones_starred(world, clerk):
    response = clerk.get(IMPORT, {"template": "1"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    header, example = read_xlsx(response.content)[:2]
    assert all(CJK.search(cell) for cell in header), header
    with translation.override("zh-hans"):
        required = [str(c.header) + "*" for c in PlaceImport.columns if c.required]
        optional = [str(c.header) for c in PlaceImport.columns if not c.required]
    assert header == required + optional  # the required columns come first in this register
    assert example[: len(required)] == ["湖滨社区", kind("village"), "新桥村"]


def test_the_import_page_explains_the_columns(world, clerk):
    body = clerk.get(IMPORT).content.decode()
    with translation.override("zh-hans"):
        for column in PlaceImport.columns:
            assert str(column.header) in body


def test_the_filled_in_template_imports_as_it_is(world, clerk, zh):
    # Downloading the template and uploading it unchanged adds the example row.
    template = clerk.get(IMPORT, {"template": "1"}).content
    Place.objects.filter(name="新桥村").update(name="新桥老村")  # make room for the example
    response = upload(clerk, template)
    assert response.context["report"].ok, response.context["report"].problems
    assert "新桥村" in places_under(world.community_a)


# --- All rows or none ----------------------------------------------------------------------


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_problem(world, clerk, zh):
    before = places_under(world.town)
    response = upload(
        clerk,
        workbook(
            [
                ["湖滨社区", kind("village"), "东湖村", ""],  # 2: good
                ["不存在社区", kind("village"), "西湖村", ""],  # 3: unknown parent
                ["湖滨社区", "城堡", "北湖村", ""],  # 4: no such kind
                ["湖滨社区", kind("residential_area"), "湖光小区", "320506110301"],  # 5: good
                ["湖滨社区", kind("village"), "东湖村", ""],  # 6: same as row 2
                ["湖滨社区", kind("village"), "新桥村", ""],  # 7: already exists
                ["石舍社区", kind("village"), "南湖村", ""],  # 8: community B, not the clerk's
                ["新桥村", kind("building"), "1号楼", ""],  # 9: good
            ]
        ),
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert report.imported == 0
    assert report.bad_rows() == [3, 4, 6, 7, 8]
    headers = {c.key: str(c.header) for c in PlaceImport.columns}
    problems = {(p.row, p.column) for p in report.problems}
    assert problems == {
        (3, headers["parent"]),
        (4, headers["kind"]),
        (6, headers["name"]),
        (7, headers["name"]),
        (8, headers["parent"]),
    }
    reasons = {p.row: p.reason for p in report.problems}
    assert "不存在社区" in reasons[3]
    assert "城堡" in reasons[4]
    assert "2" in reasons[6], "points at the row it repeats"
    assert "新桥村" in reasons[7]
    assert "石舍社区" in reasons[8]

    assert places_under(world.town) == before, "nothing was imported"
    body = response.content.decode()
    for problem in report.problems:
        assert (
            f"<td>{problem.row}</td><td>{problem.column}</td><td>{escape(problem.reason)}</td>"
            in body
        )
    events = AuditEvent.objects.filter(user=world.clerk_a, action__startswith="places.")
    assert not events.exists(), "a file refused before any change leaves no place event"


def test_a_good_file_imports_every_row_in_one_go_with_one_audit_event(world, clerk, zh):
    response = upload(
        clerk,
        workbook(
            [
                ["湖滨社区", kind("village"), "东湖村", ""],
                ["湖滨社区", kind("residential_area"), "湖光小区", "320506110301"],
                # A code works as the parent, and digits typed as a number keep their zeros.
                ["湖滨社区", kind("village"), "西湖村", 320506110205],
            ]
        ),
    )
    report = response.context["report"]
    assert report.ok, report.problems
    assert report.imported == 3
    assert {"东湖村", "湖光小区", "西湖村"} <= places_under(world.community_a)
    assert Place.objects.get(name="西湖村").code == "320506110205"
    assert Place.objects.get(name="东湖村").parent == world.community_a

    events = AuditEvent.objects.filter(user=world.clerk_a, action__startswith="places.")
    assert [(e.action, e.outcome, e.user) for e in events] == [
        ("places.import", "success", world.clerk_a)
    ]


def test_a_parent_can_be_given_by_its_division_code(world, clerk, zh):
    Place.objects.filter(pk=world.community_a.pk).update(code="320506110000")
    response = upload(clerk, workbook([["320506110000", kind("village"), "东湖村", ""]]))
    assert response.context["report"].imported == 1
    assert Place.objects.get(name="东湖村").parent == world.community_a


def test_a_dry_run_checks_and_imports_nothing(world, clerk, zh):
    response = upload(clerk, workbook([["湖滨社区", kind("village"), "东湖村", ""]]), dry_run="1")
    report = response.context["report"]
    assert (report.ok, report.dry_run, report.total_rows, report.imported) == (True, True, 1, 0)
    assert not Place.objects.filter(name="东湖村").exists()
    assert not AuditEvent.objects.filter(action="places.import").exists()


def test_a_missing_required_cell_is_reported_with_its_column(world, clerk, zh):
    response = upload(clerk, workbook([["湖滨社区", kind("village"), "", ""]]))
    report = response.context["report"]
    assert [(p.row, p.column) for p in report.problems] == [(2, str(PlaceImport.columns[2].header))]


def test_a_file_that_is_not_excel_gets_a_clear_error(world, clerk):
    response = upload(clerk, b"name,kind\nfoo,bar\n", name="地点.xlsx")
    assert response.status_code == 200
    assert response.context.get("report") is None, "no row-by-row report for a broken file"
    with translation.override("zh-hans"):
        message = gettext("The file is not an Excel workbook (.xlsx, .xls, .ods).")
    assert message in response.content.decode()
    assert response.context["error"] == message


def test_an_upload_without_a_file_is_refused(world, clerk):
    response = clerk.post(IMPORT, {})
    assert response.status_code == 200
    assert response.context["error"]


def test_someone_without_the_import_permission_gets_403(world):
    member = client_for(world.member_a)
    assert member.get(IMPORT).status_code == 403
    with translation.override("en"):
        content = workbook([["新桥村", "building", "1号楼", ""]])
    assert upload(member, content).status_code == 403
    assert not Place.objects.filter(name="1号楼").exists()


# --- Exports follow the filters ------------------------------------------------------------


def exported(client, name: str, **query) -> list[list]:
    response = client.get(reverse(name), {**query, "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return read_xlsx(response.content)


def column(rows: list[list], header: str) -> list:
    return [row[rows[0].index(header)] for row in rows[1:]]


@pytest.mark.parametrize(
    ("name", "query", "header", "expected"),
    [
        ("places:list", {"q": "新桥"}, "Name", ["新桥村"]),
        ("places:list", {"q": "shishe"}, "Name", ["石舍村", "石舍社区"]),
        ("places:list", {"kind": "residential_area"}, "Name", ["湖滨花苑", "金湖家园"]),
        (
            "organizations:list",
            {"q": "石舍"},
            "Name",
            ["中共石舍社区委员会", "石舍村党支部"],
        ),
        ("organizations:list", {"kind": "committee", "q": "湖滨"}, "Name", ["中共湖滨社区委员会"]),
        ("accounts:list", {"q": "zs"}, "User name", ["member-a"]),
        (
            "accounts:list",
            {"role": "community_secretary"},
            "User name",
            ["secretary-a", "secretary-b"],
        ),
    ],
)
def test_the_export_holds_exactly_the_filtered_rows(world, name, query, header, expected):
    rows = exported(client_for(world.town_admin), name, **query)
    assert sorted(column(rows, header)) == sorted(expected)


def test_the_audit_log_export_follows_its_filters(world):
    record_event(world.secretary_a, "accounts.login", target=world.secretary_a)
    record_event(world.secretary_b, "accounts.login", target=world.secretary_b)
    record_event(world.secretary_b, "accounts.login", success=False, message="wrong password")
    rows = exported(
        client_for(world.town_admin), "core:audit-list", q="secretary-b", outcome="failure"
    )
    assert column(rows, "User") == ["secretary-b"]
    assert column(rows, "Message") == ["wrong password"]


def test_an_export_is_audited_with_its_filters(world):
    exported(client_for(world.town_admin), "places:list", q="新桥")
    event = AuditEvent.objects.get(action="places.place.export")
    assert event.user == world.town_admin
    assert "q=" in event.message


def test_exported_text_stays_text(world):
    # A name beginning with "=" is not run as a formula, and a code keeps its leading zero.
    create_place(SYSTEM, parent=world.village_a, kind="building", name="=1+1", code="0012")
    rows = exported(client_for(world.town_admin), "places:list", q="=1+1")
    assert rows[1][:3] == ["=1+1", "Building", "0012"]
