"""Division codes (GB/T 2260 and the town codes): look-ups, and what the forms say."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from cunju.core.spreadsheets import ExportColumn, write_workbook
from cunju.core.system import SYSTEM
from cunju.places import divisions
from cunju.places.actions import create_place, update_place
from cunju.places.imports import PlaceImport
from cunju.places.models import Place
from tests.world import client_for

K = Place.Kind


def test_a_code_names_its_division_and_level():
    assert divisions.lookup("320506") == divisions.Division("320506", "吴中区", "county", "320500")
    town = divisions.lookup("320506111")
    assert (town.name, town.level, town.parent.name) == ("临湖镇", "town", "吴中区")
    assert divisions.lookup("320506111000") == town, "the 12-digit statistical form works too"
    assert divisions.lookup("320500").level == "city"
    assert divisions.lookup("320000").name == "江苏省"
    assert divisions.lookup("320599") is None


def test_divisions_are_found_by_name():
    assert [d.code for d in divisions.search("吴中区")] == ["320506"]
    towns = divisions.search("临湖镇", level="town")
    assert "320506111" in [d.code for d in towns]
    assert all(d.level == "town" for d in towns)
    assert divisions.search("") == []


def test_the_data_has_the_towns_of_a_county():
    towns = {d.name for d in divisions.children("320506")}
    assert {"临湖镇", "甪直镇", "木渎镇", "长桥街道"} <= towns


def test_a_known_code_of_the_right_level_passes_silently():
    assert divisions.check_code("320506", "county") == ""
    assert divisions.check_code("320506111", "town") == ""
    assert divisions.check_code("", "county") == ""
    assert divisions.check_code("3幢", "building") == "", "buildings have no official code"


def test_an_unknown_but_well_formed_code_is_accepted_with_a_warning():
    warning = divisions.check_code("320599", "county")
    assert "320599 is not in the division codes of 2026-09-11" in warning
    assert "accepted" in warning
    assert divisions.check_code("320506199", "town")
    assert divisions.check_code("320506111201", "village") == "", "no village data to check"


def test_an_abolished_code_says_when_it_went_out_of_use():
    warning = divisions.check_code("320524", "county")
    assert "320524 (吴县)" in warning
    assert "kept for old records" in warning


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("32050", "county"),
        ("3205066", "county"),
        ("32O506", "county"),
        ("990506", "county"),
        ("320506", "town"),
        ("3205061110", "town"),
        ("320506111", "village"),
    ],
)
def test_a_malformed_code_is_refused(code, kind):
    with pytest.raises(ValidationError) as refused:
        divisions.check_code(code, kind)
    assert "is not a division code" in str(refused.value)


def test_a_known_code_of_another_level_is_refused():
    with pytest.raises(ValidationError) as refused:
        divisions.check_code("320500", "county")
    assert "320500 is the code of 苏州市, a City, not of a County / district" in str(refused.value)


def test_the_actions_refuse_a_malformed_code_and_keep_nothing(world):
    with pytest.raises(ValidationError):
        create_place(SYSTEM, parent=world.town, kind=K.VILLAGE, name="东湖村", code="12345")
    assert not Place.objects.filter(name="东湖村").exists()
    with pytest.raises(ValidationError):
        update_place(world.town_admin, world.town, name=world.town.name, code="3205061")


def test_the_add_form_warns_about_an_unknown_code_and_keeps_the_place(world):
    client = client_for(world.admin)
    response = client.post(
        reverse("places:add"),
        {"parent": "", "kind": "county", "name": "旧县", "code": "320599"},
        follow=True,
    )
    assert Place.objects.filter(name="旧县", code="320599").exists()
    shown = [str(m) for m in response.context["messages"]]
    assert any("320599 is not in the division codes" in m for m in shown)


def test_the_add_form_refuses_a_malformed_code(world):
    response = client_for(world.town_admin).post(
        reverse("places:add"),
        {"parent": world.town.pk, "kind": "village", "name": "东湖村", "code": "32-05"},
    )
    assert response.status_code == 200
    assert "is not a division code" in str(response.context["form"].errors["code"])
    assert not Place.objects.filter(name="东湖村").exists()


def test_the_edit_form_warns_about_an_unknown_town_code(world):
    response = client_for(world.town_admin).post(
        reverse("places:edit", args=[world.town.pk]),
        {"name": world.town.name, "code": "320506199"},
        follow=True,
    )
    world.town.refresh_from_db()
    assert world.town.code == "320506199"
    assert any("320506199" in str(m) for m in response.context["messages"])


def import_file(rows):
    columns = [
        ExportColumn("所属", "parent"),
        ExportColumn("类型", "kind"),
        ExportColumn("名称", "name"),
        ExportColumn("区划代码", "code"),
    ]
    from types import SimpleNamespace

    spec = PlaceImport(SYSTEM)
    headers = [spec.header_text(c) for c in spec.columns]
    for column, header in zip(columns, headers, strict=True):
        column.header = header
    return write_workbook([SimpleNamespace(**row) for row in rows], columns, "地点")


def test_the_import_refuses_malformed_codes_and_lists_unknown_ones(world):
    bad = import_file([{"parent": "湖滨社区", "kind": "Village", "name": "东湖村", "code": "1234"}])
    report = PlaceImport(world.town_admin).run(bad)
    assert not report.ok
    assert "is not a division code" in report.problems[0].reason
    assert not Place.objects.filter(name="东湖村").exists()

    create_place(SYSTEM, parent=None, kind=K.COUNTY, name="吴中区", code="320506")
    rows = [
        {"parent": "320506", "kind": "Town / township", "name": "临湖镇", "code": "320506111"},
        {"parent": "320506", "kind": "Town / township", "name": "旧镇", "code": "320506199"},
    ]
    client = client_for(world.admin)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("towns.xlsx", import_file(rows))
    response = client.post(reverse("places:import"), {"file": upload})
    page = response.content.decode()
    assert "2 rows imported" in page
    assert 'id="import-warnings"' in page
    assert "320506199 is not in the division codes" in page
    assert "320506111 is" not in page
    assert Place.objects.get(code="320506199").name == "旧镇"


def test_loading_a_province_is_idempotent(db):
    call_command("load_divisions", "--province", "32", "--within", "320506")
    first = {(p.kind, p.name, p.code, p.parent_id) for p in Place.objects.all()}
    assert ("province", "江苏省", "320000", None) in first
    county = Place.objects.get(code="320506")
    assert (county.name, county.parent.name, county.parent.parent.name) == (
        "吴中区",
        "苏州市",
        "江苏省",
    )
    assert Place.objects.get(code="320506111").parent == county
    assert Place.objects.filter(kind="town", parent=county).count() == len(
        divisions.children("320506")
    )
    call_command("load_divisions", "--province", "32", "--within", "320506")
    assert {(p.kind, p.name, p.code, p.parent_id) for p in Place.objects.all()} == first


def test_loading_gives_codes_to_places_already_entered_by_name(db):
    province = create_place(SYSTEM, parent=None, kind=K.PROVINCE, name="江苏省")
    call_command("load_divisions", "--province", "32", "--within", "320506", "--no-towns")
    province.refresh_from_db()
    assert province.code == "320000"
    assert Place.objects.filter(name="江苏省").count() == 1
    assert not Place.objects.filter(kind="town").exists()


def test_loading_an_unknown_province_says_so(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="not a province code"):
        call_command("load_divisions", "--province", "99")
