"""`cunju import members|organizations FILE.xlsx`: what a county administrator sees in a shell."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cunju.core.models import AuditEvent
from cunju.members.models import Member
from cunju.organizations.models import Organization
from tests.members.test_import import row, workbook
from tests.organizations.test_import import org
from tests.organizations.test_import import workbook as organizations_workbook
from tests.world import read_xlsx


def cunju(*args: str) -> int:
    """Run the command; the exit status a shell would see (a CommandError exits with 1)."""
    try:
        call_command("import", *args, stdout=sys.stdout, stderr=sys.stderr)
    except CommandError as error:
        sys.stderr.write(f"CommandError: {error}\n")
        return 1
    return 0


@pytest.fixture
def members_file(tmp_path: Path):
    def write(*rows: dict) -> str:
        path = tmp_path / "党员.xlsx"
        path.write_bytes(workbook(list(rows)))
        return str(path)

    return write


def test_a_good_file_is_imported_as_the_system_with_its_count(world, members_file, capsys):
    before = Member.objects.count()
    status = cunju("members", members_file(row(1), row(2)), "--language", "en")
    out = capsys.readouterr().out
    assert status == 0
    assert out.strip() == "2 rows imported."
    assert Member.objects.count() == before + 2
    event = AuditEvent.objects.latest("id")
    assert event.action == "members.import" and event.username == "system"


def test_a_dry_run_checks_and_imports_nothing(world, members_file, capsys):
    before = Member.objects.count()
    status = cunju("members", members_file(row(1), row(2)), "--dry-run", "--language", "en")
    assert status == 0
    assert capsys.readouterr().out.strip() == "2 rows checked, nothing imported."
    assert Member.objects.count() == before


def test_bad_rows_are_listed_and_the_exit_status_is_not_zero(world, members_file, capsys):
    before = Member.objects.count()
    path = members_file(row(1), row(2, sex="女"), row(3, organization="不存在党支部"))
    status = cunju("members", path, "--language", "en")
    err = capsys.readouterr().err
    assert status == 1
    assert "row 3 · Sex: The ID number says Male" in err
    assert "row 4 · Member's Party organization: There is no Party organization" in err
    assert "Nothing was imported; 2 rows have problems." in err
    assert Member.objects.count() == before


def test_as_a_user_their_scope_applies(world, members_file, capsys):
    path = members_file(row(1, organization="石舍村党支部"))
    assert cunju("members", path, "--as", "secretary-a", "--language", "en") == 1
    assert "There is no Party organization “石舍村党支部” in your scope." in capsys.readouterr().err
    assert cunju("members", path, "--as", "secretary-b", "--language", "en") == 0
    member = Member.objects.get(name="测试党员1")
    assert member.organization == world.branch_b1
    assert AuditEvent.objects.latest("id").username == "secretary-b"


def test_a_user_without_the_import_permission_or_unknown_is_refused(world, members_file, capsys):
    path = members_file(row(1))
    assert cunju("members", path, "--as", "member-a") == 1
    assert cunju("members", path, "--as", "nobody") == 1
    assert not Member.objects.filter(name="测试党员1").exists()


def test_the_template_has_the_chinese_headers(world, tmp_path, capsys):
    path = tmp_path / "模板.xlsx"
    assert cunju("members", "--template", str(path)) == 0
    header = read_xlsx(path.read_bytes())[0]
    assert header[:5] == ["姓名*", "性别", "民族", "出生日期", "身份证号*"]
    assert header[6:10] == ["学历*", "工作岗位*", "工作单位", "家庭住址"]
    assert header[12:14] == ["入党日期*", "转正日期"]
    assert len(header) == 15
    english = tmp_path / "template.xlsx"
    assert cunju("members", "--template", str(english), "--language", "en") == 0
    assert read_xlsx(english.read_bytes())[0][:2] == ["Full name*", "Sex"]


def test_organizations_are_imported_from_the_command_line(world, tmp_path, capsys):
    path = tmp_path / "党组织.xlsx"
    path.write_bytes(
        organizations_workbook([org("湖滨花苑第二党支部", "党支部", "湖滨社区党委", "湖滨花苑")])
    )
    assert cunju("organizations", str(path), "--as", "secretary-b") == 1
    assert not Organization.objects.filter(name="湖滨花苑第二党支部").exists()
    capsys.readouterr()
    assert cunju("organizations", str(path), "--language", "en") == 0
    assert capsys.readouterr().out.strip() == "1 row imported."
    assert Organization.objects.get(name="湖滨花苑第二党支部").parent == world.committee_a


def test_a_missing_file_is_an_error(world, tmp_path):
    assert cunju("members", str(tmp_path / "nothing.xlsx")) == 1
