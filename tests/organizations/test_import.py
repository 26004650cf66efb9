"""Importing Party organizations from Excel: a new general branch and its branches in one file."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from cunju.core.models import AuditEvent
from cunju.core.system import SYSTEM
from cunju.organizations.imports import OrganizationImport
from cunju.organizations.models import Organization
from cunju.places.actions import update_place
from tests.world import client_for

with translation.override("en"):
    HEADERS = {c.key: OrganizationImport.header_text(c) for c in OrganizationImport.columns}


def workbook(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADERS.values()))
    for values in rows:
        sheet.append([values.get(key, "") for key in HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def org(name: str, kind: str, parent: str, place: str, **more: str) -> dict[str, str]:
    return {
        "name": name,
        "kind": kind,
        "category": "行政村",
        "parent": parent,
        "place": place,
        **more,
    }


def header(key: str) -> str:
    return HEADERS[key].rstrip("*")


def test_a_general_branch_and_its_branches_are_set_up_from_one_file(world):
    rows = [
        org("新桥村党总支", "党总支", "湖滨社区党委", "新桥村", short_name="新桥总支"),
        org("新桥村第一党支部", "党支部", "新桥总支", "新桥村", founded_on="2020-07-01"),
        org("新桥村第二党支部", "党支部", "湖滨社区党委/新桥村党总支", "新桥村"),
        org("新桥村第一党小组", "党小组", "新桥村第一党支部", "新桥村"),
    ]
    before = AuditEvent.objects.count()

    report = OrganizationImport(world.secretary_a).run(workbook(rows))

    assert report.ok, [str(p) for p in report.problems]
    assert report.imported == 4
    general = Organization.objects.get(name="新桥村党总支")
    assert general.parent == world.committee_a and general.kind == "general_branch"
    assert general.short_name == "新桥总支" and general.place == world.village_a
    first = Organization.objects.get(name="新桥村第一党支部")
    assert first.parent == general and str(first.founded_on) == "2020-07-01"
    assert Organization.objects.get(name="新桥村第二党支部").parent == general
    assert Organization.objects.get(name="新桥村第一党小组").parent == first
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "organizations.import"
    assert event.changes["actions"] == {"organizations.create_organization": 4}


def test_bad_rows_are_each_named_and_nothing_is_set_up(world):
    update_place(SYSTEM, world.village_a, name=world.village_a.name, code="320506110201")
    rows = [
        org("新桥村党总支", "党总支", "湖滨社区党委", "320506110201"),  # row 2: good, by code
        org("新桥村党小组", "党小组", "湖滨社区党委", "新桥村"),  # row 3: a group under a committee
        org("新桥村党总支", "党总支", "湖滨社区党委", "新桥村"),  # row 4: the same as row 2
        org("新桥村党支部", "党支部", "中共湖滨社区委员会", "新桥村"),  # row 5: exists
        org("石舍二支部", "党支部", "石舍社区党委", "新桥村"),  # row 6: B's committee
        org("湖滨二支部", "党支部", "湖滨社区党委", "石舍村"),  # row 7: B's village
        org("湖滨三支部", "支委会", "湖滨社区党委", "新桥村"),  # row 8: no such kind
        org("湖滨四支部", "党支部", "", "新桥村"),  # row 9: no higher organization
    ]
    report = OrganizationImport(world.secretary_a).run(workbook(rows))
    found = {(p.row, p.column): p.reason for p in report.problems}
    assert report.bad_rows() == [3, 4, 5, 6, 7, 8, 9]
    assert Organization.objects.filter(name="新桥村党总支").count() == 0
    assert found[(3, header("kind"))] == "A Party group cannot be set up under 中共湖滨社区委员会."
    assert found[(4, header("name"))] == "The same organization as row 2."
    assert found[(5, header("name"))] == "中共湖滨社区委员会 already has 新桥村党支部."
    assert found[(6, header("parent"))] == (
        "There is no Party organization “石舍社区党委” in your scope."
    )
    assert found[(7, header("place"))] == "No place “石舍村” in your scope."
    assert "“支委会” is not one of" in found[(8, header("kind"))]
    assert found[(9, header("parent"))] == "Name the higher organization."


def test_the_organization_import_page_works_for_a_community_secretary(world):
    client = client_for(world.secretary_a)
    url = reverse("organizations:import")
    assert client.get(url).status_code == 200
    content = workbook([org("湖滨花苑第二党支部", "党支部", "湖滨社区党委", "湖滨花苑")])
    response = client.post(url, {"file": SimpleUploadedFile("党组织.xlsx", content)})
    assert "1 row imported" in response.content.decode()
    assert Organization.objects.get(name="湖滨花苑第二党支部").parent == world.committee_a
    assert client_for(world.member_a).get(url).status_code == 403
