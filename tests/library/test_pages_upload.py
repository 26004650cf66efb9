"""Uploading in the web interface: several files at once, each judged on its own."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cunju.core.models import AuditEvent
from cunju.library.models import Document, Moderation
from cunju.library.samples import make_pdf, make_txt
from tests.world import client_for

UPLOAD = "/library/upload/"


@pytest.fixture
def files(tmp_path):
    """Sample files by name: real PDF and text content, made fresh for each test."""

    def make(kind: str, title: str, pages: int = 2) -> SimpleUploadedFile:
        maker = {"pdf": make_pdf, "txt": make_txt}[kind]
        path = maker(tmp_path / f"{title}.{kind}", title, pages)
        return SimpleUploadedFile(path.name, path.read_bytes())

    return make


def post(client, files, json=False, **fields):
    data = {"price": 0, **fields, "files": files}
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    return client.post(UPLOAD, data, **headers)


def test_the_url_name_is_the_upload_page():
    assert reverse("library:upload") == UPLOAD


def test_the_upload_form_offers_the_users_organization_and_those_above(world):
    response = client_for(world.secretary_a).get(UPLOAD)
    assert response.status_code == 200
    form = response.context["form"]
    choices = list(form.fields["shared_with"].queryset)
    assert choices == [world.town_committee, world.committee_a]
    # The top of the tree is the default: the whole town reads it once published.
    assert form.initial["shared_with"] == world.town_committee.pk
    body = response.content.decode()
    assert 'type="file" name="files"' in body and "multiple" in body
    assert "50.00 MB" in body  # the size limit, as the page states it
    assert 'name="price"' in body and 'max="20"' in body
    member = client_for(world.member_a).get(UPLOAD).context["form"]
    assert list(member.fields["shared_with"].queryset) == [
        world.town_committee,
        world.committee_a,
        world.branch_a1,
    ]


def test_the_system_administrator_searches_the_whole_tree_instead_of_a_list(world, files):
    """Unscoped, the administrator may share with any organization: a province's worth of
    options is a search box, not a drop-down."""
    response = client_for(world.admin).get(UPLOAD)
    body = response.content.decode()
    assert '<select name="shared_with"' not in body
    assert 'name="shared_with_query"' in body and reverse("organizations:picker") in body
    form = response.context["form"]
    assert form.initial["shared_with"] == world.town_committee.pk
    assert 'value="中共湖桥镇委员会"' in body  # the default shown by name
    posted = post(
        client_for(world.admin),
        [files("txt", "全镇学习")],
        shared_with_query="石舍村党支部",
        title="全镇学习",
    )
    assert posted.status_code in (200, 302)
    document = Document.objects.get(title="全镇学习")
    assert document.shared_with == world.branch_b1


def test_several_files_without_javascript_each_get_their_outcome(
    world, files, settings, django_capture_on_commit_callbacks
):
    settings.CUNJU_LIBRARY_MAX_BYTES = 20_000
    big = SimpleUploadedFile("大文件.txt", ("党" * 12_000).encode())
    empty = SimpleUploadedFile("空文件.txt", b"")
    strange = SimpleUploadedFile("程序.exe", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 8)
    client = client_for(world.clerk_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            [files("pdf", "村务公开制度"), empty, big, strange, files("txt", "合作社章程")],
            category=world.category_study.pk,
            tags="村务，公开, 制度",
            price=2,
            shared_with=world.committee_a.pk,
        )
    assert response.status_code == 200
    results = response.context["results"]
    assert [r["name"] for r in results] == [
        "村务公开制度.pdf",
        "空文件.txt",
        "大文件.txt",
        "程序.exe",
        "合作社章程.txt",
    ]
    stored = [r for r in results if not r["error"]]
    assert [r["title"] for r in stored] == ["村务公开制度", "合作社章程"]
    assert all(r["error"] for r in results[1:4])
    body = response.content.decode()
    assert "2 documents stored" in body
    for result in results:
        if result["error"]:
            assert result["error"] in body
    # Only the good files became documents, with what the form said about them.
    new = Document.objects.filter(uploader=world.clerk_a).exclude(pk=world.doc_a.pk)
    assert sorted(new.values_list("title", flat=True)) == ["合作社章程", "村务公开制度"]
    for document in new:
        assert document.category == world.category_study
        assert document.price == 2
        assert document.shared_with == world.committee_a
        assert sorted(document.tags.values_list("name", flat=True)) == ["公开", "制度", "村务"]
        assert document.moderation == Moderation.PUBLISHED
        assert document.get_absolute_url() in body


def test_one_file_without_javascript_takes_the_title_given(world, files, settings):
    response = post(client_for(world.member_a), [files("txt", "学习心得")], title="我的学习心得")
    assert response.status_code == 200
    assert [r["title"] for r in response.context["results"]] == ["我的学习心得"]
    assert Document.objects.filter(title="我的学习心得", uploader=world.member_a).exists()


def test_the_script_gets_json_for_each_file_and_hears_when_the_content_exists(world, files):
    client = client_for(world.member_a)
    first = post(client, [files("pdf", "党课笔记")], json=True, title="党课笔记")
    assert first.status_code == 200
    answer = first.json()
    assert set(answer) >= {"id", "url", "title", "existed", "error"}
    assert answer["existed"] is False and answer["error"] == ""
    assert answer["title"] == "党课笔记"
    assert answer["url"] == reverse("library:detail", args=[answer["id"]])

    again = post(client, [files("pdf", "党课笔记")], json=True, title="党课笔记（二）")
    second = again.json()
    assert again.status_code == 200
    assert second["existed"] is True
    assert second["id"] != answer["id"]
    assert "党课笔记" in second["message"]
    assert second["earlier_url"] == answer["url"]


def test_the_script_hears_a_bad_file_as_that_files_error(world):
    response = post(
        client_for(world.member_a), [SimpleUploadedFile("空.txt", b"")], json=True, title="空"
    )
    assert response.status_code == 400
    answer = response.json()
    assert answer["error"]
    assert answer["id"] is None
    assert not Document.objects.filter(title="空").exists()


def test_a_price_outside_the_rules_is_refused_before_any_file_is_stored(world, files):
    client = client_for(world.member_a)
    before = Document.objects.count()
    answer = post(client, [files("txt", "贵的文件")], json=True, price=999)
    assert answer.status_code == 400
    assert "price" in answer.json()["errors"]
    page = post(client, [files("txt", "贵的文件")], price=999)
    assert page.status_code == 200
    assert page.context["form"].errors["price"]
    assert "results" not in page.context
    assert Document.objects.count() == before


def test_no_file_at_all_is_said_plainly(world):
    response = client_for(world.member_a).post(UPLOAD, {"price": 0})
    assert response.status_code == 200
    assert "Choose at least one file to upload." in response.content.decode()


def test_sharing_beyond_ones_own_tree_is_refused(world, files):
    response = post(
        client_for(world.secretary_a), [files("txt", "越权")], shared_with=world.committee_b.pk
    )
    assert response.status_code == 200
    assert response.context["form"].errors["shared_with"]
    assert not Document.objects.filter(title="越权").exists()


def test_uploads_are_audited_as_the_ingest_action(world, files):
    post(client_for(world.member_a), [files("txt", "审计")], json=True)
    event = AuditEvent.objects.filter(action="library.add_document").latest("at")
    assert event.username == world.member_a.username


def test_the_upload_page_has_progress_per_file_and_drag_and_drop(world):
    body = client_for(world.member_a).get(UPLOAD).content.decode()
    assert re.search(r'<script src="/static/library/upload\.js" defer>', body)
    assert 'id="dropzone"' in body and 'id="upload-queue"' in body
    assert "data-max-bytes=" in body
