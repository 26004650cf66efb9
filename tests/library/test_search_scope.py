"""The search's scope and filters, read from the index, agree with the database's.

The index holds who may read each document, its category and its format as words, and its
publication time in the ranking key; these tests hold that form against
``searchable()`` (``Document.objects.readable_by`` and the filters as ORM lookups) for every
user and combination, and check that the words follow organizations that move.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest
from django.db import connection
from django.utils import timezone

from cunju.core.system import SYSTEM
from cunju.library import search as library_search
from cunju.library.models import Category, Document
from cunju.library.search import segment
from cunju.organizations.actions import create_organization, move_organization
from tests.library.test_search import make_document

TODAY = timezone.localdate()


def _orgs(w):
    return [
        w.town_committee,
        w.committee_a,
        w.branch_a1,
        w.branch_a2,
        w.committee_b,
        w.branch_b1,
        w.branch_b2,
    ]


def _above(org):
    chain = []
    while org is not None:
        chain.append(org)
        org = org.parent
    return chain


@pytest.fixture
def mixed(world):
    """Forty documents spread over every organization, shared with it or a node above,
    in two categories or none, three formats, published around midnight (local time) on
    three days."""
    rng = random.Random(20261129)
    categories = [None, *(Category.objects.create(name=n) for n in ("甲类", "乙类"))]
    tz = timezone.get_current_timezone()
    times = [
        dt.datetime(2026, 4, 30, 23, 59, 30, tzinfo=tz),
        dt.datetime(2026, 5, 1, 0, 0, 30, tzinfo=tz),
        dt.datetime(2026, 5, 1, 23, 59, 59, tzinfo=tz),
        dt.datetime(2026, 5, 2, 0, 0, 0, tzinfo=tz),
        dt.datetime(2026, 5, 3, 12, 0, tzinfo=tz),
    ]
    made = []
    for n in range(40):
        org = rng.choice(_orgs(world))
        made.append(
            make_document(
                world,
                f"范围测试{n}",
                ["星火燎原示范点建设"],
                organization=org,
                shared_with=rng.choice(_above(org)),
                category=rng.choice(categories),
                format=rng.choice(["pdf", "docx", "txt"]),
                published=rng.choice(times),
            )
        )
    return categories, made


def _users(w):
    return [w.admin, w.town_admin, w.secretary_a, w.secretary_b, w.member_a, w.liaison_a]


def _filters(categories):
    days = [None, dt.date(2026, 4, 30), dt.date(2026, 5, 1), dt.date(2026, 5, 2)]
    for category, format, date_from, date_to in itertools.product(
        categories, [None, "docx"], days, days
    ):
        yield {"category": category, "format": format, "date_from": date_from, "date_to": date_to}


def test_every_user_and_filter_finds_what_the_database_says_they_may(world, mixed):
    categories, made = mixed
    ids = [d.pk for d in made]
    checked = 0
    for user in _users(world):
        for filters in _filters(categories):
            expected = set(
                library_search.searchable(user, **filters)
                .filter(pk__in=ids)
                .values_list("pk", flat=True)
            )
            results = library_search.search(user, "星火燎原", limit=100, **filters)
            assert {hit.document.pk for hit in results.hits} == expected, (user, filters)
            assert results.total == len(expected), (user, filters)
            if not any(filters.values()):  # the index itself, not only what is shown
                assert _index_finds(user, "星火燎原") & set(ids) == expected, user
            checked += bool(expected)
    assert checked > 100  # most combinations find something: the comparison means something


def test_a_document_moved_with_its_organization_follows_it_in_scope_and_search(world):
    w = world
    # Branch A1's document, shared with community A only.
    document = make_document(w, "支部党费公示", ["党费公示"], shared_with=w.committee_a)
    assert library_search.search(w.secretary_a, "党费公示").total == 1
    assert library_search.search(w.secretary_b, "党费公示").total == 0

    move_organization(SYSTEM, w.branch_a1, parent=w.committee_b, on=TODAY, reason="区划调整")
    document.refresh_from_db()
    w.branch_a1.refresh_from_db()
    assert document.org_path == w.branch_a1.path
    assert document.shared_path == w.committee_a.path  # community A did not move
    # Now a community B document, shared with community A: B's secretary may read it (it is
    # B's), A's still may (shared with A), and nothing was segmented again to know it.
    assert set(Document.objects.readable_by(w.secretary_b)) >= {document}
    assert library_search.search(w.secretary_b, "党费公示").total == 1
    assert library_search.search(w.secretary_a, "党费公示").total == 1

    # Moving the node it is shared with carries the sharing along.
    move_organization(SYSTEM, w.committee_a, parent=None, on=TODAY, reason="撤镇设区")
    document.refresh_from_db()
    w.committee_a.refresh_from_db()
    assert document.shared_path == w.committee_a.path
    assert library_search.search(w.town_admin, "党费公示").total == 1  # under B, in the town
    assert library_search.search(w.secretary_a, "党费公示").total == 1


def test_a_change_the_index_has_not_caught_up_with_never_shows(world):
    w = world
    document = make_document(w, "全镇党费通知", ["党费通知"])
    assert library_search.search(w.secretary_b, "党费通知").total == 1
    # Narrowed to community A behind the index's back (as if its new rows were not yet
    # written): B no longer sees it, although the index still says the whole town may.
    Document.objects.filter(pk=document.pk).update(
        shared_with=w.committee_a, shared_path=w.committee_a.path
    )
    results = library_search.search(w.secretary_b, "党费通知")
    assert (results.hits, results.total) == ([], 0)
    assert library_search.search(w.secretary_a, "党费通知").total == 1


def test_scope_words_are_no_words_of_any_text(world):
    document = make_document(world, "党费", ["党费"])
    words = library_search.scope_words(document)
    assert len(words) == 6  # town, community, branch; shared with; category; format
    assert all(w.startswith(library_search.MARK) for w in words)
    # Nobody can type one, nor write one in a document: the segmenter drops the mark.
    for word in words:
        assert all(library_search.MARK not in t for t in segment.tokens(word))
        assert all(library_search.MARK not in t for t in segment.query_tokens(word))


def _second_town(w):
    """A second tree: another town's committee (a new top node), a member of it and one of a
    branch under it."""
    from cunju.organizations.models import Organization
    from cunju.places.actions import create_place
    from cunju.places.models import Place
    from tests.world import _community, person

    town = create_place(SYSTEM, parent=None, kind=Place.Kind.TOWN, name="石湖镇", code="320506101")
    committee = create_organization(
        SYSTEM,
        parent=None,
        kind=Organization.Kind.COMMITTEE,
        category=Organization.Category.TOWN,
        name="中共石湖镇委员会",
        place=town,
    )
    branch = _community(town, committee, "渔港社区", "渔港村", "渔港花园")[4]
    return (
        committee,
        person("member-c", "孙丽", "member", committee, 8, sex="female"),
        person("member-c1", "钱伟", "member", branch, 9),
    )


def _index_finds(user, query: str) -> set[int]:
    # What the index alone finds, before the documents shown are checked once more
    # (``search._admits``), which would hide a scope the index got wrong.
    _tokens, needed = library_search._query_tokens(query)
    where = library_search.condition(user)
    with connection.cursor() as cursor:
        found = library_search._read(library_search.backend(), cursor, needed, where, 0, 100)
    assert found.count == len(found.ranking)
    return {pk for pk, _tier in found.ranking}


def test_a_new_tree_reads_nothing_of_the_others(world):
    """In one tree, SQLite asks the scope as a complement; a second tree founded later makes
    it ask the words again (PostgreSQL keeps each tree's documents apart either way), and
    its members find nothing of the others, whether shared with their whole tree or not,
    nor the others anything of theirs."""
    w = world
    town_wide = make_document(w, "全镇党费通知", ["党费通知"])
    community = make_document(w, "社区党费通知", ["党费通知"], shared_with=w.committee_a)
    assert library_search.search(w.member_a, "党费通知").total == 2
    assert _index_finds(w.member_a, "党费通知") == {town_wide.pk, community.pk}

    committee, member, below = _second_town(w)
    if not library_search.backend().TREES_APART:
        assert library_search.condition(member).unless is None  # two trees: the words ORed
    ours = make_document(
        w, "石湖镇党费通知", ["党费通知"], organization=committee, shared_with=committee
    )
    assert {hit.document for hit in library_search.search(member, "党费通知")} == {ours}
    assert library_search.search(member, "党费通知").total == 1
    found = library_search.search(w.member_a, "党费通知")
    assert ({hit.document for hit in found}, found.total) == ({town_wide, community}, 2)
    mine = [town_wide.pk, community.pk, ours.pk]
    assert library_search.search(below, "党费通知").total == 1  # shared with their town
    for user in (member, below, w.member_a, w.secretary_b, w.town_admin):
        readable = library_search.searchable(user).filter(pk__in=mine)
        expected = set(readable.values_list("pk", flat=True))
        assert {h.document.pk for h in library_search.search(user, "党费通知")} == expected
        assert _index_finds(user, "党费通知") == expected


def test_a_subtree_moved_to_the_top_reads_nothing_of_its_old_tree(world):
    w = world
    town_wide = make_document(w, "全镇党费通知", ["党费通知"], organization=w.branch_b1)
    assert library_search.search(w.secretary_a, "党费通知").total == 1
    # Community A becomes a tree of its own (撤镇设区): the town's documents are not its.
    move_organization(SYSTEM, w.committee_a, parent=None, on=TODAY, reason="撤镇设区")
    secretary = type(w.secretary_a).objects.get(pk=w.secretary_a.pk)  # the new scope path
    assert town_wide not in Document.objects.readable_by(secretary)
    assert library_search.search(secretary, "党费通知").total == 0
    assert _index_finds(secretary, "党费通知") == set()
    assert _index_finds(w.secretary_b, "党费通知") == {town_wide.pk}
    assert library_search.search(w.secretary_b, "党费通知").total == 1


def test_the_scope_asks_for_no_word_most_documents_carry(world):
    """The sharing with the whole tree is no word of the query, nor of a document shared so:
    the query reads the lists of the few others (on PostgreSQL, such a document carries its
    tree instead, ``open_to``)."""
    w = world
    town_wide = make_document(w, "全镇党费通知", ["党费通知"])
    community = make_document(w, "社区党费通知", ["党费通知"], shared_with=w.committee_a)
    word = library_search._word("n", w.town_committee.path)
    assert word not in library_search.scope_words(town_wide)
    assert word in library_search.scope_words(community)
    where = library_search.condition(w.member_a)
    everyone = library_search._word("s", w.town_committee.path)
    assert everyone not in where.unless.others
    assert not [g for g in where.groups if everyone in g]
    assert where.unless.word == word
    assert where.unless.tree == library_search.tree_code(w.town_committee.path)
    assert library_search.open_to(library_search.scope_words(town_wide)) == where.unless.tree
    assert library_search.open_to(library_search.scope_words(community)) is None
    assert _index_finds(w.member_a, "党费通知") == {town_wide.pk, community.pk}
    assert _index_finds(w.secretary_b, "党费通知") == {town_wide.pk}


@pytest.mark.django_db(transaction=True)
def test_postgresql_keeps_the_rows_when_it_sets_documents_shared_with_their_tree_apart(world):
    """Migration 0008 copies PostgreSQL's rows with each document's tree (``open_to``) and
    builds a partial index for each kind; the rows of the older layout find the same."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's layout")
    from django.db.migrations.executor import MigrationExecutor

    from cunju.library.search import postgresql

    w = world
    town_wide = make_document(w, "全镇党费通知", ["党费通知"])
    community = make_document(w, "社区党费通知", ["党费通知"], shared_with=w.committee_a)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("library")
    indexed = library_search.index_size()
    try:
        # Back: the rows stay, without the column.
        MigrationExecutor(connection).migrate([("library", "0007_search_scope_complement")])
        assert library_search.index_size() == indexed
    finally:
        MigrationExecutor(connection).migrate(latest)
    with connection.cursor() as cursor:
        for table in ("library_search_head", "library_search_document"):
            cursor.execute(
                f"SELECT document_id, open_to FROM {table} WHERE document_id = ANY(%s) "
                "ORDER BY document_id",
                [[town_wide.pk, community.pk]],
            )
            assert cursor.fetchall() == [
                (town_wide.pk, library_search.tree_code(w.town_committee.path)),
                (community.pk, None),
            ]
        # The others are found through their own index, which holds no entry for the
        # document shared with the town (the index scan counts every entry it finds).
        cursor.execute(
            "SET LOCAL enable_seqscan = off; EXPLAIN (ANALYZE, FORMAT JSON) "
            "SELECT count(*) FROM library_search_document WHERE open_to IS NULL "
            "AND words @@ %s::tsquery",
            [postgresql.query_all(library_search._query_tokens("党费通知")[1])],
        )
        cursor.nextset()
        plan = cursor.fetchone()[0]
        scans = []
        nodes = [plan[0]["Plan"]]
        while nodes:
            node = nodes.pop()
            nodes += node.get("Plans", [])
            if node["Node Type"] == "Bitmap Index Scan":
                scans.append((node["Index Name"], node["Actual Rows"]))
        assert scans == [("library_search_document_words_rest", 1)]
    assert library_search.index_size() == indexed
    assert library_search.search(w.member_a, "党费通知").total == 2
    assert library_search.search(w.secretary_b, "党费通知").total == 1
    assert _index_finds(w.member_a, "党费通知") == {town_wide.pk, community.pk}


def _ranked(user, made, **filters):
    """What the index must give ``user``: the documents of ``made`` they may search, title
    tier first, then description, then the rest, newest first within each."""
    allowed = library_search.searchable(user, **filters).filter(pk__in=[d.pk for d in made])
    order = []
    for document in allowed:
        tier = (
            library_search.TITLE
            if "星火燎原" in document.title
            else library_search.HEAD
            if "星火燎原" in document.description
            else library_search.BODY
        )
        order.append((tier, library_search.rank_key(document), document.pk))
    return [(pk, tier) for tier, _key, pk in sorted(order, reverse=True)]


def test_every_way_through_the_index_keeps_to_the_reader_s_part(world, mixed):
    """Small caps make the index count no further than a few matches, so the body tier
    takes the ways a common word takes (a walk down the newest, or the matches sorted), on
    every page: each must keep to the reader's part of the library, in two trees, with
    documents shared across them since a move."""
    w = world
    categories, made = mixed
    committee, member, below = _second_town(w)
    move_organization(SYSTEM, w.committee_a, parent=None, on=TODAY, reason="撤镇设区")
    rng = random.Random(2026)
    organizations = [
        type(org).objects.get(pk=org.pk) for org in [*_orgs(w), committee, below.scope]
    ]
    tz = timezone.get_current_timezone()
    for n in range(30):
        org = rng.choice(organizations)
        # A quarter shared with any node, of whichever tree: as a move leaves them.
        shared = rng.choice(organizations if rng.random() < 0.25 else _above(org))
        kind = rng.random()
        made.append(
            make_document(
                w,
                f"星火燎原{n}" if kind < 0.3 else f"跨树{n}",
                ["星火燎原示范点建设"],
                description="星火燎原" if 0.3 <= kind < 0.5 else "",
                organization=org,
                shared_with=shared,
                category=rng.choice(categories),
                format=rng.choice(["pdf", "docx"]),
                published=dt.datetime(2026, 5, 1, tzinfo=tz) + dt.timedelta(hours=n),
            )
        )
    readers = [*_users(w), member, below]
    readers = [type(user).objects.get(pk=user.pk) for user in readers]  # scopes since the move
    _tokens, needed = library_search._query_tokens("星火燎原")
    checked = 0
    for user in readers:
        for filters in ({}, {"category": categories[1]}, {"format": "docx"}):
            expected = _ranked(user, made, **filters)
            where = library_search.condition(user, **filters)
            for offset, wanted, cap in (
                (0, 100, 1001),
                (0, 5, 3),
                (3, 8, 4),
                (0, 40, 2),
                (10, 30, 5),
            ):
                with connection.cursor() as cursor:
                    found = library_search.backend().read(
                        cursor, needed, where, offset, wanted, cap, library_search.shown_select()
                    )
                page = expected[offset:wanted]
                assert found.ranking == page, (user, filters, offset, wanted, cap)
                assert [row[0][0] for row in found.rows] == [pk for pk, _tier in page]
                if found.ranked >= wanted:
                    assert found.count == min(len(expected), cap)
                else:
                    assert found.ranked == len(expected)
                checked += bool(page)
    assert checked > 60
