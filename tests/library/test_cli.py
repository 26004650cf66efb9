"""`cunju library add|show|search` from the command line."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cunju.library.models import Document, Moderation, Processing
from cunju.library.samples import make_pdf, make_txt
from cunju.library.templatetags.library import filesize
from tests.library.test_ingest import make_town, upload


@pytest.fixture
def town(db, monkeypatch):
    return make_town(monkeypatch)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("library", "--language", "en", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_add_prints_each_new_documents_id_and_wait_converts_them(town, tmp_path):
    first = make_pdf(tmp_path / "学习笔记.pdf", "学习笔记", 2)
    second = make_txt(tmp_path / "学习计划.txt", "学习计划", 1)
    out, err = run(
        "add", str(first), str(second), "--category", "理论学习", "--tags", "学习,党课", "--wait"
    )
    ids = [int(line) for line in out.split()]
    assert len(ids) == 2
    documents = Document.objects.filter(pk__in=ids).order_by("pk")
    assert [d.title for d in documents] == ["学习笔记", "学习计划"]
    for document in documents:
        # Acting as the first system administrator, filed under the top of the tree.
        assert document.uploader == town.admin
        assert document.organization == town.town_committee
        assert document.category == town.category_study
        assert document.moderation == Moderation.PUBLISHED
        assert document.stored_file.status == Processing.READY
    assert f"#{ids[0]} 学习笔记: Published · 2 pages" in err


def test_add_with_a_title_as_another_user(town, tmp_path):
    path = make_pdf(tmp_path / "a.pdf", "别的用户", 1)
    out, _err = run("add", str(path), "--title", "支部书记的讲稿", "--as", "secretary-a")
    document = Document.objects.get(pk=int(out))
    assert (document.title, document.uploader) == ("支部书记的讲稿", town.secretary_a)
    # Without --wait it waits for the worker (tests never commit, so nothing ran yet).
    assert document.stored_file.status == Processing.UPLOADED


def test_the_same_content_again_is_said_to_exist(town, tmp_path):
    path = make_pdf(tmp_path / "a.pdf", "已经有了", 1)
    upload(town.member_a, path)
    out, err = run("add", str(path), "--wait")
    assert Document.objects.get(pk=int(out)).moderation == Moderation.PUBLISHED
    assert "the same content was uploaded before; its conversion is reused" in err


def test_bad_files_are_named_with_the_reason_and_the_command_fails(town, tmp_path):
    good = make_pdf(tmp_path / "好的.pdf", "好的文件", 1)
    empty = tmp_path / "空的.pdf"
    empty.write_bytes(b"")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="2 files were not added"):
        call_command(
            "library",
            "--language",
            "en",
            "add",
            str(empty),
            str(tmp_path / "没有.pdf"),
            str(good),
            stdout=out,
            stderr=err,
        )
    assert f"{empty}: The file is empty." in err.getvalue()
    assert "没有.pdf: no such file" in err.getvalue()
    assert len(out.getvalue().split()) == 1  # the good one was added


def test_a_failed_conversion_fails_the_command_with_the_reason(town, tmp_path):
    from cunju.library.samples import make_encrypted_pdf

    path = make_encrypted_pdf(tmp_path / "加密.pdf")
    with pytest.raises(CommandError, match="1 file was not added or not converted"):
        run("add", str(path), "--wait")
    document = Document.objects.get(title="加密")
    assert document.status == Processing.FAILED


def test_unknown_users_categories_and_organizations_are_refused(town, tmp_path):
    path = make_pdf(tmp_path / "a.pdf", "参数", 1)
    with pytest.raises(CommandError, match="No active user nobody"):
        run("add", str(path), "--as", "nobody")
    with pytest.raises(CommandError, match="No organization"):
        run("add", str(path), "--shared-with", "不存在的组织")
    with pytest.raises(CommandError, match="1 file was not added"):
        run("add", str(path), "--category", "不存在的分类")


def test_show_json_has_the_facts_and_the_text_of_every_page(town, tmp_path):
    document, _ = upload(
        town.clerk_a, make_pdf(tmp_path / "展示.pdf", "展示的文件", 3), category=town.category_party
    )
    out, _err = run("show", str(document.pk), "--json")
    shown = json.loads(out)
    assert {
        "id",
        "title",
        "size_bytes",
        "pages",
        "status",
        "category",
        "uploaded_at",
        "preview_pages",
        "text",
    } <= set(shown)
    assert shown["id"] == document.pk
    assert shown["title"] == "展示"
    assert shown["size_bytes"] == document.stored_file.size_bytes
    assert (shown["pages"], shown["status"], shown["category"]) == (3, "published", "党建工作")
    assert shown["preview_pages"] == 3
    assert shown["uploaded_at"].startswith(document.created_at.astimezone().date().isoformat()[:4])
    assert [p["page"] for p in shown["text"]] == [1, 2, 3]
    assert shown["text"][2]["text"].startswith("第3页")


def test_show_without_json_reads_like_the_document_page(town, tmp_path):
    document, _ = upload(town.member_a, make_pdf(tmp_path / "页.pdf", "逐页文字", 2))
    out, _err = run("show", str(document.pk))
    assert out.startswith("页\n")
    assert "1、逐页文字" in out and "\n2、第2页" in out
    # Every label in the interface's language, the size as the page shows it.
    chinese = io.StringIO()
    call_command("library", "--language", "zh-hans", "show", str(document.pk), stdout=chinese)
    assert "上传时间: " in chinese.getvalue() and "Uploaded" not in chinese.getvalue()
    size = filesize(document.stored_file.size_bytes)
    assert re.search(r"\d\.\d\d KB$", size) and f"  ·  {size}  ·  " in out


def test_show_answers_only_for_documents_the_user_may_read(town, tmp_path):
    document, _ = upload(
        town.clerk_a, make_pdf(tmp_path / "a.pdf", "社区内部", 1), shared_with=town.committee_a
    )
    with pytest.raises(CommandError, match=f"No document {document.pk}"):
        run("show", str(document.pk), "--as", "secretary-b")
    out, _err = run("show", str(document.pk), "--json", "--as", "member-a")
    assert json.loads(out)["id"] == document.pk


def test_search_is_the_library_search(town, tmp_path):
    upload(town.member_a, make_pdf(tmp_path / "搜索.pdf", "股份合作社分红", 2))
    out, _err = run("search", "合作社", "分红", "--json")
    found = json.loads(out)
    assert found["total"] == 1
    assert found["hits"][0]["title"] == "搜索"


def test_search_dates_are_the_local_day(town, tmp_path):
    import datetime as dt

    from django.utils import timezone

    from cunju.library.models import Document

    document, _ = upload(town.member_a, make_pdf(tmp_path / "夜.pdf", "零点发布的通知", 1))
    # 00:30 in Beijing is still the day before in UTC.
    local = dt.datetime(2026, 5, 1, 0, 30, tzinfo=timezone.get_current_timezone())
    Document.objects.filter(pk=document.pk).update(published_at=local)
    found = json.loads(run("search", "零点", "--json")[0])
    assert found["hits"][0]["published_at"] == "2026-05-01"
    assert "2026-05-01" in run("search", "零点")[0]


def test_reindex_rebuilds_the_index_or_adds_what_it_lacks(town, tmp_path):
    from django.db import connection

    from cunju.library import search

    upload(town.member_a, make_pdf(tmp_path / "索引.pdf", "股份合作社分红", 2))
    before = search.index_size()
    assert before[0] >= 1
    with connection.cursor() as cursor:
        search.backend().clear(cursor)
    assert run("search", "合作社", "--json")[0].count('"title"') == 0
    out, _err = run("reindex", "--missing")
    assert out.strip() == (
        f"Indexed {before[0]} documents; the index holds {before[0]} documents, {before[1]} pages."
    )
    assert json.loads(run("search", "合作社", "--json")[0])["total"] == 1
    out, _err = run("reindex")
    assert out.startswith(f"Indexed {before[0]} documents;")
    assert search.index_size() == before
    assert run("reindex", "--missing")[0].startswith("Indexed 0 documents;")
