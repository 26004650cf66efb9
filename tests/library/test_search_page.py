"""The search page as a member sees it, and the command-line search."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management.base import CommandError
from django.urls import reverse

from cunju.library.models import Category
from cunju.library.search import cli
from tests.library.test_search import make_document
from tests.world import client_for

URL = reverse("library:search")


@pytest.fixture
def shelf(db) -> Category:
    return Category.objects.create(name="检索样本")


@pytest.fixture
def dues_rules(world, shelf):
    return make_document(
        world,
        "党费收缴管理办法",
        [
            "第一章 总则。为规范党费收缴工作，制定本办法。",
            "党员应当按月交纳党费，特殊情况可以补交。",
            "本页讨论组织生活会的安排。",
            "党费的使用和管理接受党员监督 <b>。",
        ],
        category=shelf,
        published=dt.date(2026, 11, 29),
    )


def test_the_empty_form_shows_no_results(world, dues_rules):
    response = client_for(world.member_a).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="q"' in body and 'name="category"' in body and 'name="format"' in body
    assert 'name="date_from"' in body and 'name="date_to"' in body
    assert 'class="search-hit"' not in body and "No document contains" not in body


def test_a_result_shows_title_facts_pages_and_a_marked_snippet(world, dues_rules, shelf):
    response = client_for(world.member_a).get(URL, {"q": "党费", "category": shelf.pk})
    body = response.content.decode()
    detail = reverse("library:detail", args=[dues_rules.pk])
    assert "1 document contains “党费”." in body
    assert f'href="{detail}#page-1">党费收缴管理办法</a>' in body
    assert "检索样本" in body and "张三" in body and "2026-11-29" in body
    for n in (1, 2, 4):
        assert f'href="{detail}#page-{n}">page {n}</a>' in body
    assert "#page-3" not in body
    assert "为规范<mark>党费</mark>收缴工作" in body


def test_page_text_is_escaped_in_snippets(world, dues_rules, shelf):
    body = (
        client_for(world.member_a)
        .get(URL, {"q": "党员监督", "category": shelf.pk})
        .content.decode()
    )
    assert "<mark>党员监督</mark> &lt;b&gt;。" in body


def test_a_query_without_hits_says_so(world, dues_rules):
    body = client_for(world.member_a).get(URL, {"q": "宅基地确权"}).content.decode()
    assert "No document contains “宅基地确权”." in body
    assert 'class="search-hit"' not in body


def test_htmx_gets_only_the_results(world, dues_rules, shelf):
    response = client_for(world.member_a).get(
        URL, {"q": "党费", "category": shelf.pk}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "党费收缴管理办法" in body


def test_results_are_paged(world, shelf):
    for i in range(23):
        make_document(world, f"学习资料{i:02d}", ["积分兑换办法"], category=shelf)
    client = client_for(world.member_a)
    first = client.get(URL, {"q": "积分兑换", "category": shelf.pk}).content.decode()
    assert "23 documents contain" in first
    assert first.count('class="search-hit"') == 20
    assert "Page 1 of 2" in first and "page=2" in first
    second = client.get(URL, {"q": "积分兑换", "category": shelf.pk, "page": 2}).content.decode()
    assert second.count('class="search-hit"') == 3
    assert "Page 2 of 2" in second
    odd = client.get(URL, {"q": "积分兑换", "category": shelf.pk, "page": "x"}).content.decode()
    assert "Page 1 of 2" in odd


def test_a_capped_count_says_more_than(world, shelf, monkeypatch):
    from cunju.library import search

    monkeypatch.setattr(search, "MAX_COUNT", 2)
    # More than a page of them, so the page cannot know the number by reading them all.
    for i in range(21):
        make_document(world, f"学习资料{i}", ["积分兑换"], category=shelf)
    body = (
        client_for(world.member_a)
        .get(URL, {"q": "积分兑换", "category": shelf.pk})
        .content.decode()
    )
    assert "More than 2 documents contain “积分兑换”." in body
    assert "More than 2 documents found" in run(query="积分兑换", category="检索样本", limit=1)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"q": "党费", "date_from": "2026-12-01", "date_to": "2026-01-01"},
            "The start date is after the end date.",
        ),
        ({"q": "党费", "date_from": "2026-13-45"}, "Enter a valid date."),
        ({"q": "党" * 101}, "Ensure this value has at most 100 characters"),
        ({"q": "党费", "format": "exe"}, "Select a valid choice."),
    ],
)
def test_bad_filters_are_explained_and_nothing_is_searched(world, dues_rules, params, message):
    body = client_for(world.member_a).get(URL, params).content.decode()
    assert message in body
    assert 'class="search-hit"' not in body


def test_filters_narrow_the_results(world, dues_rules, shelf):
    client = client_for(world.member_a)
    params = {"q": "党费", "category": shelf.pk}
    assert 'class="search-hit"' in client.get(URL, {**params, "format": "pdf"}).content.decode()
    assert (
        'class="search-hit"' not in client.get(URL, {**params, "format": "docx"}).content.decode()
    )
    dated = {**params, "date_from": "2026-11-29", "date_to": "2026-11-29"}
    assert 'class="search-hit"' in client.get(URL, dated).content.decode()
    later = {**params, "date_from": "2026-11-30"}
    assert 'class="search-hit"' not in client.get(URL, later).content.decode()


def test_community_a_never_finds_what_only_community_b_may_read(world, shelf):
    w = world
    make_document(
        w,
        "石舍社区宅基地整理方案",
        ["石舍村宅基地整理，金湖家园安置。"],
        category=shelf,
        uploader=w.secretary_b,
        organization=w.branch_b1,
        shared_with=w.committee_b,
    )
    for viewer in (w.secretary_a, w.liaison_a, w.member_a):
        body = client_for(viewer).get(URL, {"q": "宅基地整理"}).content.decode()
        assert "No document contains" in body
        assert not [name for name in w.b_names if name in body]
    assert "石舍社区宅基地整理方案" in (
        client_for(w.secretary_b).get(URL, {"q": "宅基地整理"}).content.decode()
    )


def test_the_page_answers_get_only(world):
    assert client_for(world.member_a).post(URL, {"q": "党费"}).status_code == 405


# --- The command line ------------------------------------------------------------------------


def run(**options) -> str:
    out = io.StringIO()
    defaults = {"json": False, "as_user": None, "category": None, "format": None, "limit": 20}
    cli.run({**defaults, **options}, out)
    return out.getvalue()


def test_the_command_line_prints_titles_pages_and_snippets(world, dues_rules, shelf):
    text = run(query="党费", category="检索样本")
    assert "1 documents found, showing 1." in text
    assert "党费收缴管理办法" in text
    assert "Pages: 1, 2, 4" in text
    assert "为规范【党费】收缴工作" in text
    assert "2026-11-29" in text


def test_the_command_line_speaks_json(world, dues_rules, shelf):
    data = json.loads(run(query=["党费", "收缴"], json=True, category=str(shelf.pk)))
    assert data["total"] == 1
    (hit,) = data["hits"]
    assert hit["id"] == dues_rules.pk
    assert hit["url"] == reverse("library:detail", args=[dues_rules.pk])
    assert (hit["category"], hit["format"], hit["published_at"]) == (
        "检索样本",
        "pdf",
        "2026-11-29",
    )
    assert hit["pages"] == [1]
    assert hit["title_match"] is True
    assert "<mark>党费收缴</mark>" in hit["snippet_html"]


def test_the_command_line_searches_in_a_users_scope(world, shelf):
    w = world
    make_document(
        w,
        "石舍社区宅基地整理方案",
        ["宅基地整理"],
        category=shelf,
        uploader=w.secretary_b,
        organization=w.branch_b1,
        shared_with=w.committee_b,
    )
    assert "石舍社区宅基地整理方案" in run(query="宅基地整理")
    assert "No document contains" in run(query="宅基地整理", as_user=w.secretary_a.username)
    assert "石舍社区宅基地整理方案" in run(query="宅基地整理", as_user=w.secretary_b.username)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"query": "  "}, "Give the words to search for."),
        ({"query": "党费", "as_user": "nobody"}, "No active user nobody."),
        ({"query": "党费", "format": "exe"}, "Unknown format exe."),
        ({"query": "党费", "category": "没有这个分类"}, "No category 没有这个分类."),
        ({"query": "党费", "limit": 0}, "The limit must be at least 1."),
    ],
)
def test_the_command_line_explains_bad_options(world, options, message):
    with pytest.raises(CommandError, match=message):
        run(**options)


def test_cunju_library_search_runs_the_search(world, dues_rules):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("library", "search", "党费", "收缴", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert dues_rules.pk in [hit["id"] for hit in data["hits"]]
    assert data["words"] == ["党费", "收缴"]
