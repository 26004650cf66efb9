"""Browsing the shelves, one's own uploads, editing a document and managing categories."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from cunju.core.models import AuditEvent
from cunju.library.models import Category, Document, Processing, StoredFile
from tests.world import client_for

LIST = "/library/"


def shelves() -> list[str]:
    return list(Category.objects.values_list("name", flat=True))


def titles(response) -> list[str]:
    return [row.record.title for row in response.context["table"].page.object_list]


def test_the_shelf_shows_published_documents_in_scope_as_cards(world):
    response = client_for(world.secretary_a).get(LIST)
    assert response.status_code == 200
    assert sorted(titles(response)) == sorted([world.doc_a.title, world.doc_a_txt.title])
    body = response.content.decode()
    # A card: cover from the first page's small preview, pages, size, date, uploader, price.
    assert reverse("library:preview", args=[world.doc_a.pk, 1, "small"]) in body
    assert "3 pages" in body and "3 points" in body and "Free" in body
    assert world.clerk_a.full_name in body
    assert f"{timezone.localtime(world.doc_a.published_at):%Y-%m-%d}" in body
    # The shelves: every category with how many documents this reader finds there.
    categories = dict((c.name, n) for c, n in response.context["categories"])
    assert categories == {"理论学习": 2, "党建工作": 0}
    assert world.doc_b.title not in body
    assert "党课" not in [t.name for t in response.context["tags"]]


def test_the_town_sees_every_community_on_the_shelf(world):
    response = client_for(world.town_admin).get(LIST)
    assert world.doc_b.title in titles(response)
    assert dict((c.name, n) for c, n in response.context["categories"])["党建工作"] == 1


def test_filters_by_category_tag_format_and_title(world):
    client = client_for(world.town_admin)
    by_category = client.get(LIST, {"category": world.category_party.pk})
    assert titles(by_category) == [world.doc_b.title]
    assert titles(client.get(LIST, {"tag": "党建"})) == [world.doc_a.title]
    assert titles(client.get(LIST, {"format": "txt"})) == [world.doc_a_txt.title]
    assert titles(client.get(LIST, {"q": "学习 计划"})) == [world.doc_a_txt.title]
    assert titles(client.get(LIST, {"q": "没有这个"})) == []
    # A category the filter does not know shows nothing, with the reason.
    wrong = client.get(LIST, {"category": 999999})
    assert titles(wrong) == []
    assert wrong.context["filter_errors"]


def test_sorts_newest_most_read_and_most_downloaded(world):
    client = client_for(world.town_admin)
    Document.objects.filter(pk=world.doc_b.pk).update(read_count=50, download_count=1)
    Document.objects.filter(pk=world.doc_a.pk).update(read_count=5, download_count=9)
    assert titles(client.get(LIST, {"sort": "reads"}))[0] == world.doc_b.title
    assert titles(client.get(LIST, {"sort": "downloads"}))[0] == world.doc_a.title
    newest = titles(client.get(LIST, {"sort": "newest"}))
    assert newest == titles(client.get(LIST))
    assert newest[0] == world.doc_b.title  # uploaded last


def test_the_htmx_answer_is_only_the_cards(world):
    response = client_for(world.secretary_a).get(LIST, {"q": "笔记"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert world.doc_a.title in body and world.doc_a_txt.title not in body


def test_my_documents_lists_every_state_with_a_retry_for_failures(world):
    StoredFile.objects.filter(pk=world.doc_a.stored_file_id).update(
        status=Processing.FAILED, failure_reason="转换超时"
    )
    Document.objects.filter(pk=world.doc_a.pk).update(moderation="processing")
    response = client_for(world.clerk_a).get(reverse("library:mine"))
    assert response.status_code == 200
    body = response.content.decode()
    assert world.doc_a.title in body
    assert "Failed" in body and "转换超时" in body
    assert reverse("library:retry", args=[world.doc_a.pk]) in body
    # Only one's own uploads.
    assert world.doc_a_txt.title not in body
    failed = client_for(world.clerk_a).get(reverse("library:mine"), {"status": "failed"})
    assert world.doc_a.title in failed.content.decode()
    published = client_for(world.clerk_a).get(reverse("library:mine"), {"status": "published"})
    assert world.doc_a.title not in published.content.decode()


def test_the_uploader_edits_title_price_tags_and_sharing(world):
    doc = world.doc_a_txt
    url = reverse("library:edit", args=[doc.pk])
    client = client_for(world.member_a)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "支部学习计划（修订）",
            "description": "2026年版",
            "category": world.category_party.pk,
            "tags": "计划、学习",
            "price": 4,
            "shared_with": world.committee_a.pk,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == doc.get_absolute_url()
    doc.refresh_from_db()
    assert (doc.title, doc.price, doc.shared_with, doc.category) == (
        "支部学习计划（修订）",
        4,
        world.committee_a,
        world.category_party,
    )
    assert sorted(doc.tags.values_list("name", flat=True)) == ["学习", "计划"]
    assert AuditEvent.objects.filter(action="library.update_document").exists()


def test_a_price_too_high_is_shown_on_the_form_and_nothing_changes(world):
    doc = world.doc_a_txt
    response = client_for(world.member_a).post(
        reverse("library:edit", args=[doc.pk]),
        {"title": "改名", "price": 21, "shared_with": world.town_committee.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["price"]
    doc.refresh_from_db()
    assert doc.title == "支部学习计划"


def test_readers_other_than_the_uploader_may_not_edit(world):
    # The clerk reads member A's document but did not upload it and does not moderate.
    url = reverse("library:edit", args=[world.doc_a_txt.pk])
    assert client_for(world.clerk_a).get(url).status_code == 403
    assert client_for(world.secretary_a).get(url).status_code == 200  # a moderator


def test_the_town_admin_adds_renames_and_reorders_categories(world):
    client = client_for(world.town_admin)
    url = reverse("library:categories")
    page = client.get(url)
    assert page.status_code == 200
    assert [r["category"].name for r in page.context["rows"]] == ["理论学习", "党建工作"]

    assert client.post(url, {"op": "add", "name": " 村务公开 "}).status_code == 302
    assert shelves() == ["理论学习", "党建工作", "村务公开"]
    added = Category.objects.get(name="村务公开")

    client.post(url, {"op": "up", "category": added.pk})
    assert shelves() == ["理论学习", "村务公开", "党建工作"]
    client.post(url, {"op": "rename", "category": added.pk, "name": "村务公开栏"})
    client.post(url, {"op": "down", "category": world.category_study.pk})
    assert shelves() == ["村务公开栏", "理论学习", "党建工作"]

    duplicate = client.post(url, {"op": "add", "name": "党建工作"})
    assert duplicate.status_code == 200
    assert "already exists" in duplicate.content.decode()
    renamed_twice = client.post(url, {"op": "rename", "category": added.pk, "name": "理论学习"})
    assert "already exists" in renamed_twice.content.decode()
    assert Category.objects.filter(name="村务公开栏").exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"library.add_category", "library.rename_category", "library.move_category"} <= actions


def test_only_library_managers_manage_categories(world):
    url = reverse("library:categories")
    assert client_for(world.secretary_a).get(url).status_code == 403
    refused = client_for(world.secretary_a).post(url, {"op": "add", "name": "新分类"})
    assert refused.status_code == 403
    assert not Category.objects.filter(name="新分类").exists()
