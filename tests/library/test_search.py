"""Full-text search of the library: what is found, in which order, and by whom.

Documents are made directly (stored file, page text, document) and indexed by hand, as the
processing pipeline would. The suite runs on SQLite and on PostgreSQL; the exact expected
results below therefore hold on both, which is the promise of the search.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import itertools
import random
import unicodedata

import pytest
from django.db import connection, transaction
from django.utils import timezone

from cunju.library import search as library_search
from cunju.library.models import Category, Document, Moderation, Page, StoredFile
from cunju.library.search import segment

_serial = itertools.count(1)


def make_document(
    w,
    title: str,
    pages: list[str] = (),
    *,
    description: str = "",
    uploader=None,
    organization=None,
    shared_with=None,
    moderation: str = Moderation.PUBLISHED,
    category: Category | None = None,
    format: str = "pdf",
    published: dt.date | dt.datetime | None = dt.date(2026, 5, 1),
    index: bool = True,
) -> Document:
    """A processed document with the given page texts (page 1 first), indexed by default.

    By default it belongs to branch A1 and is shared with the whole town."""
    n = next(_serial)
    digest = hashlib.sha256(f"{title}-{n}".encode()).hexdigest()
    stored = StoredFile.objects.create(
        sha256=digest,
        size_bytes=1000 + n,
        format=format,
        file=f"library/files/{digest[:2]}/{digest}.{format}",
        status="ready",
        page_count=len(pages),
    )
    Page.objects.bulk_create(
        Page(stored_file=stored, number=i, text=text) for i, text in enumerate(pages, start=1)
    )
    organization = organization or w.branch_a1
    shared_with = shared_with or w.town_committee
    if isinstance(published, dt.date) and not isinstance(published, dt.datetime):
        published = timezone.make_aware(dt.datetime.combine(published, dt.time(10, 0)))
    document = Document.objects.create(
        stored_file=stored,
        title=title,
        description=description,
        uploader=uploader or w.member_a,
        organization=organization,
        org_path=organization.path,
        shared_with=shared_with,
        shared_path=shared_with.path,
        moderation=moderation,
        category=category,
        published_at=published if moderation == Moderation.PUBLISHED else None,
    )
    if index:
        library_search.index_document(document)
    return document


def titles(results) -> list[str]:
    return [hit.document.title for hit in results.hits]


@pytest.fixture
def shelf(db) -> Category:
    """A category of its own, so exact results are not disturbed by other documents."""
    return Category.objects.create(name="检索样本")


@pytest.fixture
def corpus(world, shelf):
    """Six documents about dues and points, with known pages and dates."""
    w = world
    docs = {}
    docs["dues_rules"] = make_document(
        w,
        "党费收缴管理办法",
        [
            "第一章 总则。为规范党费收缴工作，制定本办法。",
            "党员应当按月交纳党费，特殊情况可以补交。",
            "本页讨论组织生活会的安排。",
            "党费的使用和管理接受党员监督。",
        ],
        description="关于党费的规定",
        category=shelf,
        published=dt.date(2026, 3, 1),
    )
    docs["points_rules"] = make_document(
        w,
        "党员积分制管理实施细则",
        ["参加三会一课每次积3分，全年最高12分。", "积分结果作为民主评议的重要依据。"],
        category=shelf,
        published=dt.date(2026, 4, 1),
    )
    docs["points_and_dues"] = make_document(
        w,
        "支部工作手册",
        [
            "每月主题党日：学习、交纳党费、记录积分。",
            "流动党员可以在流入地参加组织生活。",
            "本支部推行村居合一的服务模式。",
        ],
        category=shelf,
        format="docx",
        published=dt.date(2026, 5, 1),
    )
    docs["dues_once"] = make_document(
        w,
        "年度工作总结",
        ["全年收缴党费一万二千元。", "开展两学一做学习教育。"],
        category=shelf,
        format="docx",
        published=dt.date(2026, 6, 1),
    )
    docs["dues_twice"] = make_document(
        w,
        "财务公开",
        ["一季度党费收入。", "二季度党费收入。"],
        category=shelf,
        published=dt.date(2025, 12, 1),
    )
    docs["english"] = make_document(
        w,
        "Excel 模板使用说明",
        ["请用 Microsoft EXCEL 打开 <模板>，填写后上传 PDF。", "Ｅｘｃｅｌ 全角字母也能找到。"],
        category=shelf,
        format="txt",
        published=dt.date(2026, 1, 15),
    )
    return docs


# --- Segmentation ----------------------------------------------------------------------------


def test_party_work_words_stay_whole_and_two_character_words_come_out_of_longer_ones():
    assert segment.query_tokens("三会一课") == ["三会一课"]
    assert "村居合一" in segment.query_tokens("村居合一")
    assert "流动党员" in segment.tokens("流动党员管理")
    assert "党员" in segment.tokens("流动党员管理")
    assert "党费" in segment.tokens("按月交纳党费。")
    assert segment.tokens("积分制") == ["积分", "积分制"] or "积分" in segment.tokens("积分制")


def test_tokens_are_folded_and_punctuation_is_dropped():
    assert segment.tokens("Ｅｘｃｅｌ，PDF！") == ["excel", "pdf"]
    assert segment.tokens("“《》”……  ") == []
    assert segment.query_tokens('" AND ( * - : ^') == ["and"]


def test_words_inside_a_longer_word_are_not_asked_for_again():
    assert segment.required(segment.query_tokens("流动党员活动证")) == ["流动党员活动证"]
    assert segment.required(["先进", "经验", "先进经验"]) == ["先进经验"]
    # Single characters and words that are not inside another token stay.
    assert segment.required(["证", "党员", "流动党员活动证", "积分"]) == [
        "证",
        "流动党员活动证",
        "积分",
    ]
    assert segment.required(["积分", "民主评议"]) == ["积分", "民主评议"]


def test_an_unknown_name_is_asked_for_as_its_pairs_of_neighbouring_characters():
    # 石舍村 is in no dictionary: single characters, and the pairs they make.
    assert segment.tokens("在石舍村") == ["在", "石", "舍", "村", "在石", "石舍", "舍村"]
    assert segment.query_tokens("石舍村") == ["石舍", "舍村"]
    # Punctuation and known words end a run; a lone character stays as it is.
    assert "石舍" not in segment.tokens("石，舍")
    assert segment.tokens("石舍村民") == ["石", "舍", "石舍", "村民"]
    assert segment.query_tokens("党员的作用") == ["党员", "的", "作用"]


def test_an_unknown_name_is_found_where_it_is_written_whole(world, shelf):
    whole = make_document(world, "宅基地整理", ["石舍村宅基地整理方案"], category=shelf)
    # The three characters, each a word of its own, but apart: found before pairs were asked.
    apart = make_document(world, "散落的字", ["门前一块石，后院一间舍，都在一个村"], category=shelf)
    assert {"石", "舍", "村"} <= set(
        segment.tokens(Page.objects.get(stored_file=apart.stored_file).text)
    )
    results = library_search.search(world.member_a, "石舍村", category=shelf)
    assert titles(results) == [whole.title]
    assert "<mark>石舍村</mark>" in results.hits[0].snippet


@pytest.mark.parametrize(
    "text",
    [
        "持流动党员活动证的党员按时交纳党费。",
        "中华人民共和国宪法规定，组织生活会和民主评议党员每年一次。",
        "推进两学一做学习教育常态化制度化，落实三会一课制度。",
    ],
)
def test_a_page_holding_a_long_word_holds_the_words_inside_it(text):
    """What ``required`` leaves out is there wherever the longer word is: the segmenter
    emits them together."""
    tokens = set(segment.tokens(text))
    for word in tokens:
        inside = {word[i : i + n] for n in (2, 3) for i in range(len(word) - n + 1)}
        for part in inside - {word}:
            if segment.required([part, word]) == [word]:
                assert part in tokens, (part, word)


def test_the_dictionary_cache_lives_in_the_data_folder(settings):
    segment.tokenizer()
    cache = settings.DATA_DIR / "cache" / "jieba.cache"
    assert cache.is_file()
    assert segment.tokenizer() is segment.tokenizer(), "loaded once per process"


# --- What is found -------------------------------------------------------------------------


def test_two_character_words_are_found_with_their_pages(world, corpus, shelf):
    results = library_search.search(world.member_a, "党费", category=shelf)
    by_title = {hit.document.title: hit for hit in results.hits}
    assert set(by_title) == {"党费收缴管理办法", "支部工作手册", "年度工作总结", "财务公开"}
    assert by_title["党费收缴管理办法"].pages == [1, 2, 4]
    assert by_title["支部工作手册"].pages == [1]
    assert by_title["财务公开"].pages == [1, 2]

    points = library_search.search(world.member_a, "积分", category=shelf)
    assert {hit.document.title: hit.pages for hit in points.hits} == {
        "党员积分制管理实施细则": [2],
        "支部工作手册": [1],
    }


def test_the_ranking_is_title_then_description_then_newest(world, corpus, shelf):
    # The title holds the word; then the rest, newest first.
    results = library_search.search(world.member_a, "党费", category=shelf)
    assert titles(results) == ["党费收缴管理办法", "年度工作总结", "支部工作手册", "财务公开"]
    assert results.total == 4
    assert [hit.score for hit in results.hits] == [2, 0, 0, 0]
    assert [hit.title_hit for hit in results.hits] == [True, False, False, False]
    # A description holding every word ranks above a newer document whose pages do.
    make_document(
        world,
        "新通知",
        ["正文提到流动党员。"],
        category=shelf,
        published=dt.date(2026, 9, 1),
    )
    make_document(
        world,
        "旧通知",
        ["无关"],
        description="流动党员管理",
        category=shelf,
        published=dt.date(2020, 1, 1),
    )
    mobile = library_search.search(world.member_a, "流动党员", category=shelf)
    assert [(h.document.title, h.score) for h in mobile.hits] == [
        ("旧通知", 1),
        ("新通知", 0),
        ("支部工作手册", 0),
    ]


def test_every_word_of_the_query_must_occur_in_the_document(world, corpus, shelf):
    both = library_search.search(world.member_a, "党费 积分", category=shelf)
    assert titles(both) == ["支部工作手册"]
    assert both.hits[0].pages == [1], "the page that holds both"
    # 党费 and 两学一做 are on different pages: the document is found, with both pages.
    spread = library_search.search(world.member_a, "党费 两学一做", category=shelf)
    assert [(h.document.title, h.pages) for h in spread.hits] == [("年度工作总结", [1, 2])]
    assert library_search.search(world.member_a, "党费 宅基地", category=shelf).total == 0


def test_longer_phrases_and_party_words(world, corpus, shelf):
    assert titles(library_search.search(world.member_a, "三会一课", category=shelf)) == [
        "党员积分制管理实施细则"
    ]
    assert titles(library_search.search(world.member_a, "流动党员", category=shelf)) == [
        "支部工作手册"
    ]
    assert titles(library_search.search(world.member_a, "村居合一", category=shelf)) == [
        "支部工作手册"
    ]
    assert titles(library_search.search(world.member_a, "党费收缴", category=shelf)) == [
        "党费收缴管理办法",
        "年度工作总结",
    ]


def test_ascii_words_ignore_case_and_width(world, corpus, shelf):
    for query in ("excel", "EXCEL", "Ｅｘｃｅｌ"):
        hit = library_search.search(world.member_a, query, category=shelf).hits
        assert [h.document.title for h in hit] == ["Excel 模板使用说明"], query
        assert hit[0].pages == [1, 2]
    assert library_search.search(world.member_a, "pdf", category=shelf).hits[0].pages == [1]


def test_snippets_mark_the_words_and_escape_the_rest(world, corpus, shelf):
    hit = library_search.search(world.member_a, "excel", category=shelf).hits[0]
    assert str(hit.snippet) == (
        "请用 Microsoft <mark>EXCEL</mark> 打开 &lt;模板&gt;，填写后上传 PDF。"
    )
    dues = library_search.search(world.member_a, "交纳党费", category=shelf).hits
    # One matching page each: the newer first.
    assert [h.document.title for h in dues] == ["支部工作手册", "党费收缴管理办法"]
    assert str(dues[1].snippet) == "党员应当按月<mark>交纳党费</mark>，特殊情况可以补交。"


def test_snippets_mark_words_written_in_other_forms():
    # Full width, capitals: found as written.
    assert str(library_search.snippet("用ＥＸＣＥＬ和Pdf", ["excel", "pdf"])) == (
        "用<mark>ＥＸＣＥＬ</mark>和<mark>Pdf</mark>"
    )
    # A compatibility ideograph (U+F900) and a Hangzhou numeral fold to ordinary ones.
    assert str(library_search.snippet("这是\uf900字，〸分", ["豈", "十分"])) == (
        "这是<mark>\uf900</mark>字，<mark>〸分</mark>"
    )
    assert (
        str(library_search.snippet("ÉLAN élan", ["élan"])) == "<mark>ÉLAN</mark> <mark>élan</mark>"
    )
    # A dotless ı is no i, as the index folds them, whichever way the text is read (here
    # plain, and with a no-break space).
    for text in ("KIRMIZI elma", "KIRMIZI\u00a0elma"):
        assert "<mark>" not in str(library_search.snippet(text, ["kırmızı"]))


def _reference_snippet(text: str, terms: list[str], length: int) -> str:
    """A snippet from every match in the text (``_spans``), as snippets were made before
    they matched only as far as the window reaches."""
    text = " ".join(text.split())
    spans = library_search._spans(text, terms)
    start = max(0, spans[0][0] - library_search.SNIPPET_BEFORE) if spans else 0
    end = min(len(text), start + length)
    if end - start < length:
        start = max(0, end - length)
    out, position = ["…" if start > 0 else ""], start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out += [html.escape(text[position:s]), f"<mark>{html.escape(text[s:e])}</mark>"]
        position = e
    out.append(html.escape(text[position:end]))
    return "".join(out) + ("…" if end < len(text) else "")


def test_a_snippet_matches_only_as_far_as_it_shows_and_marks_the_same():
    """Words overlapping, touching, at either end of the window or of the text, in other
    widths and cases, near whitespace, and windows shorter than the text before the first
    match: the same snippet as from every match."""
    rng = random.Random(2026)
    alphabet = list("党员积分民主评议工作发展村居合一 \n\t。，<&ＡａAbB１1") + ["\u3000"]
    vocabulary = [
        "积分",
        "民主评议",
        "民主",
        "主评",
        "评议",
        "工作",
        "a",
        "ab",
        "Ab",
        "党员积分",
        "１1",
    ]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 600)))
        if rng.random() < 0.05:
            text += "e\u0301"  # not plain: the folded way
        terms = sorted(set(rng.sample(vocabulary, rng.randint(1, 4))), key=len, reverse=True)
        length = rng.choice([library_search.SNIPPET_LENGTH, 40, 10, 3])
        expected = _reference_snippet(text, terms, length)
        assert str(library_search.snippet(text, terms, length)) == expected, (text, terms)


def test_the_plain_characters_fold_as_written():
    """In a text of ``PLAIN`` characters only, snippets find words where they are written:
    each character folds to itself, to ASCII (matched in either case and width) or to no
    letter at all."""
    for code in range(0x110000):
        char = chr(code)
        if not library_search.PLAIN.fullmatch(char):
            continue
        folded = segment.normalize(char)
        assert unicodedata.combining(char) == 0, hex(code)
        assert (
            folded == char
            or (folded.isascii() and len(folded) == 1)
            or not segment.split_word(folded)
        ), hex(code)


def test_a_result_holds_what_the_page_shows_without_more_queries(
    world, corpus, shelf, django_assert_num_queries
):
    results = library_search.search(world.member_a, "党费", category=shelf)
    document = corpus["dues_rules"]
    hit = results.hits[0]
    with django_assert_num_queries(0):
        shown = hit.document
        assert (shown, shown.pk, shown.title, shown.description) == (
            document,
            document.pk,
            "党费收缴管理办法",
            "关于党费的规定",
        )
        assert shown.category == shelf and shown.category.name == "检索样本"
        assert str(shown.uploader) == str(world.member_a)
        assert shown.stored_file.get_format_display() == "PDF"
        assert shown.stored_file.page_count == 4
        assert shown.published_at == document.published_at
        assert shown.get_absolute_url() == document.get_absolute_url()
    # Anything else is there too, read when asked for, as with QuerySet.only().
    with django_assert_num_queries(1):
        assert shown.created_at == document.created_at
    english = library_search.search(world.member_a, "excel", category=shelf).hits
    assert [h.document.stored_file.format for h in english] == ["txt"]


def test_a_long_page_is_cut_around_the_first_match():
    text = "甲" * 300 + "党费" + "乙" * 300
    html = str(library_search.snippet(text, ["党费"]))
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>党费</mark>" in html
    assert (
        len(html.replace("<mark>", "").replace("</mark>", "")) == library_search.SNIPPET_LENGTH + 2
    )


def test_a_title_only_match_shows_the_description_or_title(world, shelf):
    make_document(w := world, "关于积分兑换的通知", ["无关的正文。"], category=shelf)
    make_document(w, "通知", ["无关的正文。"], description="积分兑换开始了", category=shelf)
    hits = library_search.search(world.member_a, "积分兑换", category=shelf).hits
    assert {h.document.title: (h.pages, str(h.snippet)) for h in hits} == {
        "关于积分兑换的通知": ([], "关于<mark>积分兑换</mark>的通知"),
        "通知": ([], "<mark>积分兑换</mark>开始了"),
    }


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('"', 0),
        ("AND (", 0),
        ("*", 0),
        ("'", 0),
        ("\\", 0),
        ("^", 0),
        ("{}", 0),
        ("：；", 0),
        # Operators are ordinary words: required like any other, and no page holds them.
        ("title:党费", 0),
        ("NEAR(党费", 0),
        ("党费 OR", 0),
        # Punctuation around a word is dropped.
        ("-党费", 4),
        ("党费*", 4),
        ('"党费"', 4),
        ("(党费)", 4),
    ],
)
def test_search_syntax_in_the_query_is_taken_literally(world, corpus, shelf, query, found):
    results = library_search.search(world.member_a, query, category=shelf)
    assert results.total == len(results.hits) == found


def test_an_empty_query_finds_nothing_and_asks_the_database_nothing(
    world, corpus, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert library_search.search(world.member_a, "   ").total == 0
        assert library_search.search(world.member_a, "，。！").total == 0


# --- Who finds what ------------------------------------------------------------------------


def test_unpublished_and_taken_down_documents_never_appear(world, shelf):
    w = world
    for state in (
        Moderation.PROCESSING,
        Moderation.PENDING_REVIEW,
        Moderation.REJECTED,
        Moderation.TAKEN_DOWN,
    ):
        make_document(w, f"党费 {state}", ["党费"], moderation=state, category=shelf)
    visible = make_document(w, "党费 published", ["党费"], category=shelf)
    # Not for the uploader, nor for moderators, nor for the system.
    for user in (w.member_a, w.secretary_a, w.town_admin, w.admin):
        assert titles(library_search.search(user, "党费", category=shelf)) == [visible.title]


def test_a_document_taken_down_later_disappears_and_comes_back_when_republished(world, shelf):
    document = make_document(world, "党费通知", ["交纳党费"], category=shelf)
    Document.objects.filter(pk=document.pk).update(moderation=Moderation.TAKEN_DOWN)
    assert library_search.search(world.member_a, "党费", category=shelf).total == 0
    Document.objects.filter(pk=document.pk).update(moderation=Moderation.PUBLISHED)
    assert library_search.search(world.member_a, "党费", category=shelf).total == 1


def test_search_stays_inside_what_the_user_may_read(world, shelf):
    w = world
    town_wide = make_document(w, "全镇党费通知", ["党费"], category=shelf)
    a_only = make_document(w, "湖滨党费通知", ["党费"], category=shelf, shared_with=w.committee_a)
    b_only = make_document(
        w,
        "石舍党费通知",
        ["党费"],
        category=shelf,
        uploader=w.secretary_b,
        organization=w.branch_b1,
        shared_with=w.committee_b,
    )
    mine = {
        w.member_a: {town_wide, a_only},
        w.secretary_a: {town_wide, a_only},
        w.secretary_b: {town_wide, b_only},
        w.town_admin: {town_wide, a_only, b_only},
    }
    for user, expected in mine.items():
        results = library_search.search(user, "党费", category=shelf)
        assert {hit.document for hit in results.hits} == expected, user
        assert results.total == len(expected)
    assert library_search.search(None, "党费").total == 0


def test_paging_counts_only_readable_documents(world, shelf):
    w = world
    for i in range(7):
        make_document(
            w,
            f"石舍学习资料{i}",
            ["学习党费知识"],
            category=shelf,
            organization=w.branch_b1,
            uploader=w.secretary_b,
            shared_with=w.committee_b,
        )
    for i in range(5):
        make_document(
            w,
            f"湖滨学习资料{i}",
            ["学习党费知识"],
            category=shelf,
            published=dt.date(2026, 1, i + 1),
        )
    first = library_search.search(w.member_a, "党费知识", category=shelf, limit=2)
    assert first.total == 5
    assert titles(first) == ["湖滨学习资料4", "湖滨学习资料3"]
    last = library_search.search(w.member_a, "党费知识", category=shelf, limit=2, offset=4)
    assert (last.total, titles(last)) == (5, ["湖滨学习资料0"])
    beyond = library_search.search(w.member_a, "党费知识", category=shelf, limit=2, offset=10)
    assert (beyond.total, beyond.hits) == (5, [])


def test_the_count_stops_at_the_cap_and_paging_still_works(world, shelf, monkeypatch):
    monkeypatch.setattr(library_search, "MAX_COUNT", 3)
    made = [
        make_document(
            world, f"积分通知{i}", ["积分"], category=shelf, published=dt.date(2026, 1, i)
        )
        for i in range(1, 6)
    ]
    first = library_search.search(world.member_a, "积分通知", category=shelf, limit=2)
    assert (first.total, first.capped) == (3, True)
    assert [h.document for h in first.hits] == [made[4], made[3]]
    # The last page is found without counting: every match was read.
    last = library_search.search(world.member_a, "积分通知", category=shelf, limit=2, offset=4)
    assert (last.total, last.capped, [h.document for h in last.hits]) == (5, False, [made[0]])
    few = library_search.search(world.member_a, "积分通知", category=shelf, limit=10)
    assert (few.total, few.capped, len(few.hits)) == (5, False, 5)


def test_filters_by_category_format_and_date(world, corpus, shelf):
    w = world
    other = Category.objects.create(name="其他分类")
    make_document(w, "另一个党费文件", ["党费"], category=other, published=dt.date(2026, 5, 1))
    assert titles(library_search.search(w.member_a, "党费", category=other)) == ["另一个党费文件"]
    assert titles(library_search.search(w.member_a, "党费", category=shelf.pk, format="docx")) == [
        "年度工作总结",
        "支部工作手册",
    ]
    dated = library_search.search(
        w.member_a,
        "党费",
        category=shelf,
        date_from=dt.date(2026, 3, 1),
        date_to=dt.date(2026, 5, 1),
    )
    assert titles(dated) == ["党费收缴管理办法", "支部工作手册"]


# --- Keeping the index -----------------------------------------------------------------------


def test_indexing_again_replaces_the_rows(world, shelf):
    document = make_document(world, "党费通知", ["交纳党费", "按时交纳"], category=shelf)
    before = library_search.index_size()
    library_search.index_document(document)
    library_search.index_document(document)
    assert library_search.index_size() == before
    Document.objects.filter(pk=document.pk).update(title="积分通知")
    Page.objects.filter(stored_file=document.stored_file, number=1).update(text="积分兑换")
    library_search.index_document(Document.objects.get(pk=document.pk))
    assert library_search.search(world.member_a, "党费", category=shelf).total == 0
    hit = library_search.search(world.member_a, "积分", category=shelf).hits[0]
    assert (hit.document.pk, hit.pages, hit.title_hit) == (document.pk, [1], True)


def test_unindexing_removes_only_that_document(world, shelf):
    first = make_document(world, "党费通知一", ["党费"], category=shelf)
    second = make_document(world, "党费通知二", ["党费"], category=shelf)
    library_search.unindex_document(first)
    assert titles(library_search.search(world.member_a, "党费", category=shelf)) == [second.title]


def test_a_deleted_document_leaves_the_index(world, shelf):
    kept = make_document(world, "党费通知一", ["党费"], category=shelf)
    gone = make_document(world, "党费通知二", ["交纳党费", "党费收入"], category=shelf)
    documents, pages = library_search.index_size()
    Document.objects.filter(pk=gone.pk).delete()
    assert library_search.index_size() == (documents - 1, pages - 2)
    assert titles(library_search.search(world.member_a, "党费", category=shelf)) == [kept.title]


def test_reindex_all_rebuilds_from_the_published_documents(world, shelf):
    w = world
    indexed = make_document(w, "党费通知", ["党费"], category=shelf)
    missing = make_document(w, "党费须知", ["党费"], category=shelf, index=False)
    taken_down = make_document(w, "党费旧规", ["党费"], category=shelf)
    Document.objects.filter(pk=taken_down.pk).update(moderation=Moderation.TAKEN_DOWN)
    assert titles(library_search.search(w.member_a, "党费", category=shelf)) == [indexed.title]
    published = Document.objects.filter(moderation=Moderation.PUBLISHED).count()
    assert library_search.reindex_all(batch=2) == published
    assert set(titles(library_search.search(w.member_a, "党费", category=shelf))) == {
        indexed.title,
        missing.title,
    }
    # The taken-down document's rows are gone, not just hidden.
    Document.objects.filter(pk=taken_down.pk).update(moderation=Moderation.PUBLISHED)
    assert library_search.search(w.member_a, "党费旧规", category=shelf).total == 0


def test_indexing_inside_a_rolled_back_transaction_leaves_nothing(world, shelf):
    from django.db import transaction

    document = make_document(world, "党费通知", ["党费"], category=shelf, index=False)
    before = library_search.index_size()
    with pytest.raises(RuntimeError), transaction.atomic():
        library_search.index_document(document)
        raise RuntimeError
    assert library_search.index_size() == before


def test_both_databases_store_exactly_the_segmented_tokens(world, shelf):
    """The database's own tokenizer must not split or drop anything the segmenter made."""
    text = "2026年Ａ股 c++ 党费、积分制；村居合一！Ünïcode naïve 〇 ①号 e-mail_x 3.5%"
    document = make_document(world, "样本", [text], category=shelf)
    expected = set(segment.tokens(text))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT unnest(tsvector_to_array(words)) FROM library_search_page "
                "WHERE document_id = %s AND page = 1",
                [document.pk],
            )
            stored = {row[0] for row in cursor.fetchall()}
        else:
            cursor.execute(
                "SELECT word, pages FROM library_search_word WHERE document_id = %s",
                [document.pk],
            )
            assert {pages for _word, pages in cursor.fetchall()} == {"1"}
            cursor.execute(
                "SELECT word FROM library_search_word WHERE document_id = %s", [document.pk]
            )
            stored = {row[0] for row in cursor.fetchall()}
            # FTS5's own view of the document's row, which finds it: the terms its tokenizer
            # made of the stored text (the title's and the scope words besides).
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.library_search_terms "
                "USING fts5vocab(main, library_search_document, instance)"
            )
            cursor.execute(
                "SELECT term FROM temp.library_search_terms WHERE doc = "
                "(SELECT -key FROM library_search_key WHERE document_id = %s)",
                [document.pk],
            )
            terms = {row[0] for row in cursor.fetchall()}
            assert expected <= terms
            assert terms - expected <= set(segment.tokens("样本")) | {
                word.lower() for word in library_search.scope_words(document)
            }
    assert stored == expected
    for token in expected:
        found = library_search.search(world.member_a, token, category=shelf)
        assert titles(found) == ["样本"], token


def test_a_long_result_list_is_fetched_in_parts(world, shelf):
    # More hits than one statement may list on SQLite is still one answer.
    for i in range(105):
        make_document(
            world, f"资料{i}", ["积分兑换"], category=shelf, published=dt.date(2026, 1, 1)
        )
    results = library_search.search(world.member_a, "积分兑换", category=shelf, limit=200)
    assert results.total == len(results.hits) == 105
    assert all(hit.pages == [1] for hit in results.hits)
    assert all("<mark>积分兑换</mark>" in hit.snippet for hit in results.hits)
    ids = [hit.document.pk for hit in results.hits]
    assert ids == sorted(ids, reverse=True), "same score, same date: the newer id first"


def test_uploaded_documents_are_found_once_processed(world):
    """The world's documents went through upload and conversion, which indexed them."""
    w = world
    for user, found in (
        (w.secretary_a, []),
        (w.secretary_b, [w.doc_b.title]),
        (w.town_admin, [w.doc_b.title]),
    ):
        assert titles(library_search.search(user, "党课讲稿")) == found, user
    hit = library_search.search(w.clerk_a, "学习笔记").hits[0]
    assert (hit.document, hit.title_hit) == (w.doc_a, True)
    # Its pages were extracted from the PDF and indexed: words of page 2 find page 2.
    page_two = w.doc_a.stored_file.pages.get(number=2).text
    word = next(t for t in segment.tokens(page_two) if len(t) >= 2)
    hits = library_search.search(w.clerk_a, word, limit=100).hits
    assert 2 in next(h for h in hits if h.document == w.doc_a).pages


def test_counting_leaves_the_planner_settings_as_they_were(world, shelf, monkeypatch):
    monkeypatch.setattr(library_search, "MAX_COUNT", 1)
    for i in range(3):
        make_document(world, f"积分通知{i}", ["积分"], category=shelf)
    results = library_search.search(world.member_a, "积分", category=shelf, limit=1)
    assert (results.total, results.capped) == (1, True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('enable_seqscan'), current_setting('plan_cache_mode')"
            )
            assert cursor.fetchone() == ("on", "auto")


def test_more_matches_than_counted_rank_alike_however_the_body_tier_is_read(
    world, shelf, monkeypatch
):
    """With more matches than the count reaches, the body tier walks the newest documents
    for the first pages, gives up when too few of them match, and is read through the index
    for later pages: the same order every way."""
    monkeypatch.setattr(library_search, "MAX_COUNT", 1)
    day = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
    matching = [
        make_document(
            world, f"通知{i}", ["积分兑换办法"], category=shelf, published=day + dt.timedelta(i)
        )
        for i in range(3)
    ]
    for i in range(6):  # newer, not matching: a walk of the newest gives up
        make_document(
            world, f"公告{i}", ["无关的正文"], category=shelf, published=day + dt.timedelta(9 + i)
        )
    newest_first = [d.title for d in reversed(matching)]
    for limit in (1, 2):
        first = library_search.search(world.member_a, "积分兑换", category=shelf, limit=limit)
        assert (titles(first), first.total, first.capped) == (newest_first[:limit], 1, True)
    second = library_search.search(world.member_a, "积分兑换", category=shelf, offset=1, limit=1)
    assert titles(second) == newest_first[1:2]
    # A page far down: every match read, and fewer than the page.
    deep = library_search.search(world.member_a, "积分兑换", category=shelf, offset=45, limit=5)
    assert (titles(deep), deep.total, deep.capped) == ([], 3, False)
    # However far down the page asked for.
    far = library_search.search(
        world.member_a, "积分兑换", category=shelf, offset=2**40, limit=2**40
    )
    assert (titles(far), far.total) == ([], 3)
    # The newest documents match: the walk finds the first page.
    latest = make_document(
        world, "新通知", ["积分兑换办法"], category=shelf, published=dt.datetime.now(dt.UTC)
    )
    first = library_search.search(world.member_a, "积分兑换", category=shelf, limit=1)
    assert titles(first) == [latest.title]


def _prepared_statements() -> list[tuple]:
    """The statements this connection keeps prepared for the search: (name, when)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, prepare_time FROM pg_prepared_statements WHERE name LIKE %s "
            "ORDER BY name",
            ["cunju_search_%"],
        )
        return cursor.fetchall()


def _shown(results) -> list[tuple]:
    return [
        (h.document.pk, h.pages, str(h.snippet), h.score)
        + tuple(getattr(h.document, f) for f in library_search.SHOWN_FIELDS["document"])
        + (h.document.stored_file.size_bytes, h.document.category.name, str(h.document.uploader))
        for h in results.hits
    ] + [(results.total, results.capped)]


def _statements_per_search(user, query: str, **filters) -> int:
    seen = []

    def count(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        library_search.search(user, query, **filters)
    return len(seen)


def _searches_prepare_once(world, shelf) -> list:
    # The connection outlives a test: what earlier tests prepared on it goes first, and
    # what earlier searches said of theirs (``_walking``).
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    library_search.backend()._walking.clear()
    first = library_search.search(world.member_a, "党费", category=shelf)
    prepared = _prepared_statements()
    assert len(prepared) == 1
    for query in ("党费 规定", "积分", "党费", "宇宙飞船"):
        library_search.search(world.member_a, query, category=shelf)
        # A savepoint rolled back (the planner settings inside a transaction) leaves it
        # prepared too.
        assert _prepared_statements() == prepared, query
    return first


def test_postgresql_runs_a_search_as_one_prepared_statement(world, corpus, shelf, settings):
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL prepares statements")
    assert connection.in_atomic_block
    first = _searches_prepare_once(world, shelf)
    assert first.hits
    # One round trip, whichever tiers are read.
    assert _statements_per_search(world.member_a, "党费", category=shelf, limit=1) == 1
    assert _statements_per_search(world.member_a, "党费", category=shelf) == 1
    # A date range is another statement, prepared beside the first.
    ranged = library_search.search(
        world.member_a, "党费", category=shelf, date_from=dt.date(2000, 1, 1)
    )
    assert _shown(ranged) == _shown(first)
    assert len(_prepared_statements()) == 2
    # Django's own statements are none of psycopg's business.
    assert connection.connection.prepare_threshold is None
    # Behind a pooler that cannot keep prepared statements: the same results, unprepared.
    settings.CUNJU_DATABASE_PREPARE = False
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert _shown(library_search.search(world.member_a, "党费", category=shelf)) == _shown(first)
    assert _prepared_statements() == []
    # Statements dropped behind the search's back (DISCARD ALL, say) are prepared again,
    # inside the caller's transaction, which goes on.
    settings.CUNJU_DATABASE_PREPARE = True
    assert _shown(library_search.search(world.member_a, "党费", category=shelf)) == _shown(first)
    assert len(_prepared_statements()) == 1
    assert Document.objects.filter(category=shelf).exists()


def test_postgresql_statement_without_the_walk_reads_what_the_full_one_does(world, corpus):
    """Wherever the search does not need the walk, the statement without it returns the very
    rows of the one with it; where it does, it says so (as the full one does) and shows
    nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL leaves steps out of its statement")
    impl = library_search.backend()
    select = library_search.shown_select()
    compared = flagged = 0
    for query, user, filters in (
        ("党费", world.member_a, {}),
        ("积分", world.member_a, {"date_from": dt.date(2026, 1, 1)}),
        ("党费", world.admin, {}),  # no scope
        ("宇宙飞船", world.member_a, {}),  # nothing
    ):
        _tokens, needed = library_search._query_tokens(query)
        where = library_search.condition(user, **filters)
        keyed = where.keys is not None
        values = [
            impl.query_where(needed, where),
            impl.query_closed(needed, where),
            impl.query_all(needed),
            impl.query_any(needed),
        ]
        tree = where.unless.tree if where.unless else None
        for offset, wanted, cap in itertools.product((0, 1, 2), (1, 2, 3, 6, 50), (1, 2, 3, 1001)):
            if offset >= wanted:
                continue
            asked = [*values, cap, wanted, offset, tree, *(where.keys or ())]
            with connection.cursor() as cursor:
                lean = impl._run(cursor, impl._statement(keyed, False, select), asked)
                full = impl._run(cursor, impl._statement(keyed, True, select), asked)
            assert lean[0][2] == full[0][2], (query, offset, wanted, cap)
            if lean[0][2]:
                flagged += 1
                assert [row[3] for row in lean] == [None]
            else:
                compared += 1
                assert lean == full, (query, offset, wanted, cap)
    assert compared > 80 and flagged > 80


@pytest.mark.parametrize("prepared", [True, False])
@pytest.mark.parametrize("dated", [False, True])
def test_postgresql_asks_for_the_walk_only_when_a_search_needs_it(
    world, corpus, shelf, settings, prepared, dated
):
    """The steps for more matches than the count's cap are in the statement only for a
    search that needs them: without them, such a search is asked again with them, and the
    next time at once. The results are the same either way, prepared or not, with a date
    range or not."""
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL leaves steps out of its statement")
    settings.CUNJU_DATABASE_PREPARE = prepared
    impl = library_search.backend()
    _tokens, needed = library_search._query_tokens("党费")
    since = {"date_from": dt.date(2025, 1, 1)} if dated else {}
    where = library_search.condition(world.member_a, category=shelf, **since)
    impl._walking.clear()
    # The connection outlives a test: statements an earlier test prepared on it (and left
    # stale, by changing a column) would be prepared again here, a statement more each.
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    impl._prepared.pop(connection.connection, None)
    select = library_search.shown_select()
    walking = impl._statement(dated, True, select)

    def read(wanted: int, cap: int):
        seen = []

        def count(execute, sql, params, many, context):
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count), connection.cursor() as cursor:
            found = impl.read(cursor, needed, where, 0, wanted, cap, select)
        # Whether each statement run holds the walk: by the name it is prepared under, or
        # by its text when run unprepared.
        return found, [walking.name in sql or "w AS MATERIALIZED" in sql for sql in seen]

    def shown(found) -> list:
        return [found.ranking, found.ranked, found.rows]

    # One title and three pages hold the word: fewer matches than the cap, one statement.
    every, statements = read(3, 1001)
    assert statements == [False]
    assert [pk for pk, _tier in every.ranking] == [
        corpus[name].pk for name in ("dues_rules", "dues_once", "points_and_dues")
    ]
    assert not impl._walking
    # More than the cap, with places left after the title: asked again with the walk.
    capped, statements = read(3, 2)
    assert statements == [False, True]
    assert shown(capped) == shown(every)
    assert capped.count == 2
    # The next time with it at once; another page, or the first place only (the title
    # fills it), without it.
    again, statements = read(3, 2)
    assert statements == [True]
    assert shown(again) == shown(capped)
    first, statements = read(1, 2)
    assert statements == [False]
    assert first.ranking == every.ranking[:1]
    # Two more titles hold the word: they fill the three places, the walk is not needed any
    # more, and after one more search with it, it is left out again.
    for day in (1, 2):
        make_document(
            world, "党费标准", ["标准。"], category=shelf, published=dt.date(2026, 7, day)
        )
    titled, statements = read(3, 2)
    assert statements == [True]
    assert [tier for _pk, tier in titled.ranking] == [library_search.TITLE] * 3
    again, statements = read(3, 2)
    assert statements == [False]
    assert shown(again) == shown(titled)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_statement_is_prepared_once_and_survives_a_migration(world):
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL prepares statements")
    shelf = Category.objects.create(name="检索样本")
    make_document(world, "党费收缴管理办法", ["按月交纳党费。"], category=shelf)
    make_document(world, "党费使用说明", ["党费的使用。"], category=shelf)
    assert not connection.in_atomic_block
    first = _searches_prepare_once(world, shelf)
    # A migration, from another connection, changes a column the statement reads: the next
    # search prepares it again instead of failing for as long as the connection lives, in
    # a transaction or not.
    other = connection.copy()
    table = Document._meta.db_table

    def alter(length: int) -> None:
        with other.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN title TYPE varchar({length})")

    try:
        alter(300)
        for _ in range(2):
            assert _shown(library_search.search(world.member_a, "党费", category=shelf)) == (
                _shown(first)
            )
        alter(200)
        with transaction.atomic():
            assert _shown(library_search.search(world.member_a, "党费", category=shelf)) == (
                _shown(first)
            )
            assert Document.objects.filter(category=shelf).count() == 2
        assert len(_prepared_statements()) == 1
    finally:
        alter(200)
        other.close()


@pytest.mark.django_db(transaction=True)
def test_counting_outside_a_transaction(world, monkeypatch):
    """Searches run outside transactions (autocommit): the count's planner settings end
    with it there too."""
    shelf = Category.objects.create(name="检索样本")
    monkeypatch.setattr(library_search, "MAX_COUNT", 2)
    for i in range(4):
        make_document(world, f"积分通知{i}", ["积分"], category=shelf)
    assert not connection.in_atomic_block
    results = library_search.search(world.member_a, "积分", category=shelf, limit=1)
    assert (results.total, results.capped, len(results.hits)) == (2, True, 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('enable_seqscan'), current_setting('plan_cache_mode')"
            )
            assert cursor.fetchone() == ("on", "auto")


def test_rows_of_documents_gone_are_not_counted_and_are_pruned(world, shelf):
    kept = make_document(world, "党费通知", ["党费"], category=shelf)
    gone = make_document(world, "党费旧通知", ["党费"], category=shelf)
    # Rows left behind by a document removed without its signal (a flush does that).
    head, pages = library_search.document_rows(gone)
    Document.objects.filter(pk=gone.pk).delete()
    library_search.bulk_insert([head], pages)
    found = library_search.search(world.admin, "党费通知", category=shelf)
    assert (titles(found), found.total) == ([kept.title], 1)
    library_search.prune_index()
    assert (
        library_search.index_size()[0]
        == Document.objects.filter(moderation=Moderation.PUBLISHED).count()
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT document_id FROM library_search_word WHERE document_id IN (%s, %s)",
                [kept.pk, gone.pk],
            )
            assert {row[0] for row in cursor.fetchall()} == {kept.pk}


@pytest.mark.django_db(transaction=True)
def test_the_word_table_is_made_from_the_page_rows_and_back(world):
    """``library.0005`` on SQLite: the FTS5 row per page becomes a row per document and word,
    derived from the page rows without segmenting again; back, the page rows again."""
    if connection.vendor != "sqlite":
        pytest.skip("the layout of SQLite's index")
    from django.db.migrations.executor import MigrationExecutor

    shelf = Category.objects.create(name="检索样本")
    first = make_document(world, "党费通知", ["按时交纳党费", "", "党费 积分"], category=shelf)
    second = make_document(world, "积分办法", ["积分兑换"], category=shelf)

    def words() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT document_id, word, pages FROM library_search_word")
            return sorted(cursor.fetchall())

    before, size = words(), library_search.index_size()
    assert (first.pk, "党费", "1 3") in before
    assert (second.pk, "积分", "1") in before
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("library")
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([("library", "0004_search_scope_words")])
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid, words FROM library_search_page")
            pages = {rowid: set(text.split()) for rowid, text in cursor.fetchall()}
        assert pages[(first.pk << 20) | 3] == {"党费", "积分"}
        ours = {rowid for rowid in pages if rowid >> 20 in (first.pk, second.pk)}
        assert ours == {(first.pk << 20) | 1, (first.pk << 20) | 3, (second.pk << 20) | 1}
        # Forward to the word table again (a later migration empties the index).
        MigrationExecutor(connection).migrate([("library", "0006_search_ascending_keys")])
        assert words() == before
        assert library_search.index_size() == size
    finally:
        MigrationExecutor(connection).migrate(latest)
        library_search.index_missing()  # as ``migrate`` ends
    hit = library_search.search(world.member_a, "党费 积分", category=shelf).hits[0]
    assert (hit.document.pk, hit.pages) == (first.pk, [3])


@pytest.mark.django_db(transaction=True)
def test_migrating_the_index_back_and_forth_with_the_migrate_command(world):
    """Back to 0005 (the keys as row ids again), to 0004 (the pruning after ``migrate``
    leaves tables of another layout alone), to 0003 (the index emptied), and forward again:
    the index is rebuilt once the last migration is applied, by this release's code, and
    finds what it found before, in the same order."""
    from django.core.management import call_command

    shelf = Category.objects.create(name="检索样本")
    document = make_document(world, "党费通知", ["按时交纳党费", "积分"], category=shelf)
    older = make_document(
        world, "党费须知", ["党费"], category=shelf, published=dt.date(2026, 1, 1)
    )
    before = library_search.index_size()
    try:
        call_command("migrate", "library", "0005_search_words", verbosity=0)
        if connection.vendor == "sqlite":  # 0006 back: the keys as row ids again
            with connection.cursor() as cursor:
                cursor.execute("SELECT min(rowid) FROM library_search_head")
                assert cursor.fetchone()[0] > 0
        call_command("migrate", "library", "0004_search_scope_words", verbosity=0)
        call_command("migrate", "library", "0003_search_index_layout", verbosity=0)
    finally:
        call_command("migrate", "library", verbosity=0)
    assert library_search.index_size() == before
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT max(rowid) FROM library_search_head")
            assert cursor.fetchone()[0] < 0
    found = library_search.search(world.member_a, "党费", category=shelf)
    assert titles(found) == [document.title, older.title]
    hit = found.hits[0]
    assert (hit.document.pk, hit.pages, hit.score) == (document.pk, [1], library_search.TITLE)


@pytest.mark.django_db(transaction=True)
def test_migrate_indexes_the_published_documents_the_index_lacks(world):
    """A rebuild cut short (or a document indexed between a migration that emptied the
    index and the end of ``migrate``) leaves part of the index: the next ``migrate`` indexes
    the rest, and drops the rows of documents no longer published."""
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    shelf = Category.objects.create(name="检索样本")
    first = make_document(world, "党费通知", ["党费"], category=shelf)
    second = make_document(world, "党费须知", ["党费"], category=shelf)
    gone = make_document(world, "党费旧规", ["党费"], category=shelf)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("library")
    # Without the signal ``migrate`` sends at the end: the index is left empty.
    MigrationExecutor(connection).migrate([("library", "0003_search_index_layout")])
    MigrationExecutor(connection).migrate(latest)
    library_search.index_document(first)
    Document.objects.filter(pk=gone.pk).update(moderation=Moderation.TAKEN_DOWN)
    assert titles(library_search.search(world.member_a, "党费", category=shelf)) == [first.title]
    call_command("migrate", verbosity=0)
    found = library_search.search(world.member_a, "党费", category=shelf)
    assert sorted(titles(found)) == sorted([first.title, second.title])
    assert library_search.index_size()[0] == (
        Document.objects.filter(moderation=Moderation.PUBLISHED).count()
    )


@pytest.mark.django_db(transaction=True)
def test_migrating_back_leaves_pages_past_the_row_id_range_out(world):
    """SQLite's page rows of 0004 number a page in 20 bits of the row id: a page past them
    (indexed in the word table) is left out, not written into the next document's range."""
    if connection.vendor != "sqlite":
        pytest.skip("the layout of SQLite's index")
    from django.db.migrations.executor import MigrationExecutor

    shelf = Category.objects.create(name="检索样本")
    document = make_document(world, "党费通知", ["积分"], category=shelf, index=False)
    Page.objects.create(stored_file=document.stored_file, number=(1 << 20) + 5, text="党费")
    library_search.index_document(document)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("library")
    try:
        MigrationExecutor(connection).migrate([("library", "0004_search_scope_words")])
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM library_search_page")
            rowids = [row[0] for row in cursor.fetchall()]
        assert [r & ((1 << 20) - 1) for r in rowids if r >> 20 == document.pk] == [1]
        assert not [r for r in rowids if r >> 20 == document.pk + 1]
    finally:
        MigrationExecutor(connection).migrate(latest)


def test_postgresql_gin_indexes_keep_no_pending_list(db):
    """A GIN index with ``fastupdate`` keeps new entries in a list every search reads
    through, unsorted, until a vacuum merges it: up to 4 MB of them in daily use, and every
    row after the index is rebuilt. The index's GIN indexes merge each entry when written."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's indexes")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reloptions FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
            "WHERE a.amname = 'gin' "
            "AND c.relname LIKE 'library_search_%%'"
        )
        options = dict(cursor.fetchall())
    # Two partial indexes for each of title, head and words (``open_to``).
    assert len(options) == 6
    assert all("fastupdate=off" in (found or []) for found in options.values()), options
