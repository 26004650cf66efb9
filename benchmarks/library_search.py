"""Full-text search of the library at 10,000 documents and 100,000 pages.

    python -m benchmarks.library_search                        # SQLite (FTS5)
    python -m benchmarks.library_search --database postgres    # PostgreSQL (tsvector + GIN)

Generates the library once in its own database (``var/bench/cunju_bench_search.sqlite3`` or
the ``cunju_bench_search`` PostgreSQL database; reused later, ``--regenerate`` to start over):
documents with 1–19 pages of Chinese text drawn from jieba's dictionary by word frequency,
with Party-work phrases mixed in, 95% of them published, mostly shared with the whole
province, segmented and indexed by the product's own code (bulk-inserted rows). The text and
its tokens are kept in ``var/bench/`` too, so the second database is filled without
segmenting 100,000 pages again.

Then times, for a Party member's account (so the scope filter is part of every query), the
product's ``search()`` — ranking, count, page numbers, snippets: everything the page shows
— for common and rare two-character words, longer phrases and several-word queries, and the
same queries as a ``LIKE '%…%'`` scan of the page text (each word of the query must occur on
the page, the documents counted), for the ratio, the two timed in turn (``side_by_side``:
after each scan, ``--warm-up`` milliseconds of searches untimed before the one timed).
Median and p95 over ``--runs`` runs of the search and ``--scan-runs`` of the scan (as many
by default); with ``--rounds N``, every query is timed N times over and the median of the
rounds is shown (steadier on a shared machine); ``--phases`` adds where the time of a search
goes. The process keeps to one CPU (``--cpu``; ``pin_cpu``). Goal (issue): p95 under 50 ms
and >= 100x faster than the scan.

After a change to the index tables, the benchmark database is migrated like any other: the
rows are converted (``library.0005``, ``0008``) or, when a migration empties the index,
rebuilt from the documents (a few minutes). To start over, delete the file (or ``DROP
DATABASE cunju_bench_search``): it is generated again from the saved corpus.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import itertools
import json
import os
import random
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.harness import ROOT, pin_cpu, setup_django, table

QUERIES = [
    # (kind, words)
    ("common 2-char word", "工作"),
    ("common 2-char word", "发展"),
    ("Party 2-char word", "党费"),
    ("Party 2-char word", "积分"),
    ("rare word", "庭审"),
    ("rare word", "先进经验"),
    ("rare Party word", "流动党员活动证"),
    ("phrase", "按时交纳党费"),
    ("phrase", "农村社区党建工作"),
    ("two words", "积分 民主评议"),
    ("two common words", "工作 发展"),
    ("no such document", "宇宙飞船发射场"),
]

# Party-work phrases mixed into the generated text: (phrase, chance per sentence; a
# document has about a hundred sentences).
PHRASES = [
    ("按时交纳党费", 0.0010),
    ("党员积分制管理", 0.0010),
    ("落实三会一课制度", 0.0008),
    ("开展主题党日活动", 0.0008),
    ("组织生活会和民主评议党员", 0.0006),
    ("农村社区党建工作新模式", 0.0005),
    ("流动党员管理", 0.0004),
    ("推进两学一做学习教育", 0.0004),
    ("村居合一", 0.0001),
    ("流动党员活动证", 0.00003),
]
PUNCTUATION = "，，，，。。、；："


class TextMaker:
    """Chinese sentences drawn from jieba's dictionary by word frequency (a Zipf-like
    vocabulary, like real text), with Party-work phrases mixed in."""

    def __init__(self, rng: random.Random, vocabulary: int = 40_000):
        import jieba

        words = []
        dictionary = Path(jieba.__file__).with_name("dict.txt")
        with dictionary.open(encoding="utf-8") as lines:
            for line in lines:
                word, freq, _pos = line.split(" ")
                if all("\u4e00" <= ch <= "\u9fa5" for ch in word):
                    words.append((int(freq), word))
        words.sort(reverse=True)
        words = words[:vocabulary]
        self.words = [w for _f, w in words]
        self.cumulative = list(itertools.accumulate(f for f, _w in words))
        self.titles = [w for w in self.words[:8000] if len(w) >= 2]
        self.rng = rng

    def sentence(self) -> str:
        rng = self.rng
        picked = rng.choices(self.words, cum_weights=self.cumulative, k=rng.randint(6, 18))
        for phrase, chance in PHRASES:
            if rng.random() < chance:
                picked.insert(rng.randrange(len(picked) + 1), phrase)
        return "".join(picked) + rng.choice(PUNCTUATION)

    def page(self) -> str:
        target = self.rng.randint(250, 600)
        parts, size = [], 0
        while size < target:
            parts.append(self.sentence())
            size += len(parts[-1])
        return "".join(parts)

    def title(self) -> str:
        words = self.rng.sample(self.titles, self.rng.randint(2, 4))
        if self.rng.random() < 0.15:
            words.insert(0, self.rng.choice(PHRASES[:8])[0])
        return "".join(words)[:60]


def segmenter_version() -> str:
    """A fingerprint of the segmenter: its tokens for a sample of the generated text and the
    Party-work words. A saved corpus is reused only while they come out the same."""
    from cunju.library.search import segment

    maker = TextMaker(random.Random(7))
    sample = [maker.page() for _ in range(50)] + [p for p, _chance in PHRASES]
    tokens = "\n".join(segment.index_text(text) for text in [*sample, *segment.PARTY_WORDS])
    return hashlib.sha256((tokens + repr(PHRASES)).encode()).hexdigest()[:8]


def corpus(documents: int, pages: int, seed: int = 2026) -> Iterator[dict]:
    """The generated documents, each with its page texts and their index tokens.

    Segmenting 100,000 pages takes minutes, so the corpus is written once to
    ``var/bench/`` (named after the sizes, the seed and what the segmenter makes of a sample)
    and read back by the next generation — the PostgreSQL one after the SQLite one, say.
    """
    from cunju.library.search import segment

    version = segmenter_version()
    path = ROOT / "var" / "bench" / f"library_search-{documents}-{pages}-{seed}-{version}.jsonl.gz"
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                yield json.loads(line)
        return
    rng = random.Random(seed)
    maker = TextMaker(rng)
    # Page counts 1..19 around the mean, scaled to the total asked for.
    counts = [rng.randint(1, 19) for _ in range(documents)]
    scale = pages / sum(counts)
    counts = [max(1, round(c * scale)) for c in counts]
    while sum(counts) != pages:
        n = rng.randrange(documents)
        step = 1 if sum(counts) < pages else -1
        if counts[n] + step >= 1:
            counts[n] += step
    formats = ["pdf", "docx", "doc", "pptx", "xlsx", "txt", "wps"]
    partial = path.with_suffix(".partial")
    partial.parent.mkdir(parents=True, exist_ok=True)  # a fresh checkout has no var/bench
    with gzip.open(partial, "wt", encoding="utf-8", compresslevel=3) as out:
        for n in range(documents):
            roll = rng.random()
            title, description = maker.title(), maker.sentence()
            texts = [maker.page() for _ in range(counts[n])]
            record = {
                "title": title,
                "description": description,
                "pages": texts,
                "title_tokens": segment.index_text(title),
                "description_tokens": segment.index_text(description),
                "page_tokens": [segment.index_text(t) for t in texts],
                "format": formats[n % len(formats)],
                "size": rng.randint(20_000, 4_000_000),
                "price": rng.choice([0, 0, 0, 1, 2, 5]),
                "branch": rng.random(),
                "shared_with_province": rng.random() < 0.8,
                "category": rng.randrange(5),
                "uploader": rng.randrange(20),
                "moderation": (
                    "published"
                    if roll < 0.95
                    else "taken_down"
                    if roll < 0.98
                    else "pending_review"
                ),
                "published_minutes": rng.randrange(3 * 365 * 24 * 60),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            yield record
    partial.rename(path)


def generate(documents: int, pages: int, seed: int = 2026) -> None:
    from django.db import connection, transaction

    from benchmarks.tree_scale import generate as generate_tree
    from cunju.accounts.actions import create_user
    from cunju.core.system import SYSTEM
    from cunju.library import search
    from cunju.library.models import Category, Document, Moderation, Page, StoredFile
    from cunju.organizations.models import Organization

    started = time.perf_counter()
    if not Organization.objects.exists():
        print("generating a county-sized organization tree…")
        generate_tree("county", members=0)
    root = Organization.objects.get(parent=None)
    branches = list(
        Organization.objects.filter(kind="branch").select_related("parent").order_by("path")
    )
    uploaders = [
        create_user(
            SYSTEM,
            username=f"bench-uploader-{i}",
            full_name=f"上传者{i}",
            role="member",
            scope=branch,
            password="Bench@2026pass",
        )
        for i, branch in enumerate(branches[:20])
    ]
    create_user(
        SYSTEM,
        username="bench-reader",
        full_name="读者",
        role="member",
        scope=branches[0],
        password="Bench@2026pass",
    )
    categories = [
        Category.objects.create(name=name, position=i)
        for i, name in enumerate(["理论学习", "党建工作", "政策文件", "经验材料", "工程资料"])
    ]
    print(f"  {len(branches)} branches; writing {documents:,} documents…")
    start_day = dt.datetime(2023, 1, 1, 9, 0, tzinfo=dt.UTC)
    records = corpus(documents, pages, seed)
    made, made_pages = 0, 0
    while True:
        batch = list(itertools.islice(records, 250))
        if not batch:
            break
        with transaction.atomic():
            stored = []
            for i, r in enumerate(batch):
                digest = hashlib.sha256(f"bench-{seed}-{made + i}".encode()).hexdigest()
                stored.append(
                    StoredFile(
                        sha256=digest,
                        size_bytes=r["size"],
                        format=r["format"],
                        file=f"library/files/{digest[:2]}/{digest}.{r['format']}",
                        status="ready",
                        page_count=len(r["pages"]),
                    )
                )
            StoredFile.objects.bulk_create(stored)
            Page.objects.bulk_create(
                (
                    Page(stored_file=sf, number=number, text=text)
                    for sf, r in zip(stored, batch, strict=True)
                    for number, text in enumerate(r["pages"], start=1)
                ),
                batch_size=2000,
            )
            docs = []
            for sf, r in zip(stored, batch, strict=True):
                branch = branches[int(r["branch"] * len(branches))]
                shared = root if r["shared_with_province"] else branch.parent
                docs.append(
                    Document(
                        stored_file=sf,
                        title=r["title"],
                        description=r["description"],
                        category=categories[r["category"]],
                        uploader=uploaders[r["uploader"]],
                        organization=branch,
                        org_path=branch.path,
                        shared_with=shared,
                        shared_path=shared.path,
                        price=r["price"],
                        moderation=r["moderation"],
                        published_at=start_day + dt.timedelta(minutes=r["published_minutes"]),
                    )
                )
            Document.objects.bulk_create(docs)
            # The rows index_document() writes for published documents, inserted in bulk.
            heads, page_rows = [], []
            for document, r in zip(docs, batch, strict=True):
                if document.moderation != Moderation.PUBLISHED:
                    continue
                words: dict[str, None] = {}
                for number, tokens in enumerate(r["page_tokens"], start=1):
                    if tokens:
                        page_rows.append((document.pk, number, tokens))
                        words.update(dict.fromkeys(tokens.split()))
                heads.append(
                    (
                        document.pk,
                        search.rank_key(document),
                        r["title_tokens"],
                        r["description_tokens"],
                        " ".join(words),
                        " ".join(search.scope_words(document)),
                    )
                )
            search.bulk_insert(heads, page_rows)
        made += len(batch)
        made_pages += sum(len(r["pages"]) for r in batch)
        if made % 1000 == 0:
            print(
                f"  {made:,} documents, {made_pages:,} pages "
                f"({time.perf_counter() - started:.0f} s)"
            )
    with connection.cursor() as cursor:
        search.backend().optimize(cursor)
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"  generated in {time.perf_counter() - started:.0f} s")


def like_scan(user, query: str) -> int:
    """The baseline: every page whose text contains each word of the query, scanned with
    LIKE; the documents holding such a page that ``user`` may find, counted."""
    from django.db import connection

    from cunju.library.search import searchable

    words = query.split()
    condition = " AND ".join("p.text LIKE %s" for _ in words)
    docs_sql, docs_params = searchable(user).values("id").query.sql_with_params()
    sql = (
        "SELECT COUNT(DISTINCT d.id) FROM library_page p "
        "JOIN library_document d ON d.stored_file_id = p.stored_file_id "
        f"WHERE {condition} AND d.id IN ({docs_sql})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(f"%{w}%" for w in words), *docs_params])
        return cursor.fetchone()[0]


def database_size() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_total_relation_size('library_search_head') "
                "+ pg_total_relation_size('library_search_document') "
                "+ pg_total_relation_size('library_search_page'), "
                "pg_total_relation_size('library_page')"
            )
            index, pages = cursor.fetchone()
            return f"index {index / 1e6:.0f} MB, page text table {pages / 1e6:.0f} MB"
        cursor.execute("PRAGMA page_count")
        count = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        size = cursor.fetchone()[0]
        return f"whole database file {count * size / 1e6:.0f} MB"


def _figures(times: list[float], queries: int) -> dict:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return {"median_ms": statistics.median(times), "p95_ms": p95, "queries": queries}


# After each scan, searches untimed for this long (and at least two) before the one timed.
WARM_UP_MS = 50


def side_by_side(search_once, scan_once, runs: int, scan_runs: int, warm_up_ms: float):
    """The search and the scan timed in turn, run after run, so that both meet the same
    moments of the shared machine (a core here ran everything up to twice as slowly for a
    second or two at a time): figures for the search (with its statement count), for the
    scan, the search's median CPU time in this process (what it costs on SQLite, which
    runs in-process, when the cores are not shared), and the median of the first searches
    after a scan.

    A scan reads every page: it empties the processor's caches and SQLite's, and leaves the
    machine slow to answer for a while. Searched right after it, 积分 took 2.7 ms on
    PostgreSQL, then 1.9, 1.7, 1.5, … and 1.0 from about the fifteenth search on (20 ms
    later); after a pause of the same length without a scan, 2.8 then 1.4, 1.2, 1.1; on
    SQLite, 农村社区党建工作 2.1 then 1.5, 1.3, … 0.94. A server answering searches all day
    is not in that state, and the scan does not depend on it (it takes 160 ms or more): so
    after each scan the search runs untimed for ``warm_up_ms`` (and at least twice) before
    the one timed. The first search after each scan is timed too and shown apart."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    search_once()
    with CaptureQueriesContext(connection) as ctx:
        search_once()
    queries = len(ctx.captured_queries)
    times, cpu, scans, first = [], [], [], []
    total = max(runs, scan_runs)
    for run in range(total):
        # Each spread evenly over the runs when one is timed fewer times than the other.
        if run * scan_runs // total != (run + 1) * scan_runs // total:
            start = time.perf_counter()
            scan_once()
            scans.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            search_once()
            first.append((time.perf_counter() - start) * 1000)
            until = time.perf_counter() + warm_up_ms / 1000
            search_once()
            while time.perf_counter() < until:
                search_once()
        if run * runs // total != (run + 1) * runs // total:
            start, start_cpu = time.perf_counter(), time.process_time()
            search_once()
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
    return _figures(times, queries), _figures(scans, 0), statistics.median(cpu), first


def phases(reader, runs: int) -> None:
    """Where the time of a search goes, query by query: the median milliseconds (wall clock)
    of each part over ``runs`` runs, the parts timed by wrapping the functions ``search()``
    calls; "other" is the rest (tokens, checking the documents shown, building the
    results)."""
    from contextlib import ExitStack
    from unittest import mock

    from cunju.library import search

    parts = {
        "scope": ["condition"],
        "database": ["_read"],
        "documents": ["_load_documents"],
        # From the page's text, or from the description or title.
        "snippets": ["snippet", "_head_snippet"],
    }
    spent: dict[str, float] = {}
    inside: set[str] = set()

    def timed(name, func):
        def wrapper(*args, **kwargs):
            if name in inside:  # one part calling another of the same: counted once
                return func(*args, **kwargs)
            inside.add(name)
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                inside.discard(name)
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - start

        return wrapper

    rows = []
    with ExitStack() as stack:
        for name, attributes in parts.items():
            for attribute in attributes:
                wrapped = timed(name, getattr(search, attribute))
                stack.enter_context(mock.patch.object(search, attribute, wrapped))
        for _what, query in QUERIES:
            search.search(reader, query)
            samples: dict[str, list[float]] = {name: [] for name in [*parts, "other", "total"]}
            for _ in range(runs):
                spent.clear()
                start = time.perf_counter()
                search.search(reader, query)
                total = time.perf_counter() - start
                for name in parts:
                    samples[name].append(spent.get(name, 0.0) * 1000)
                samples["other"].append((total - sum(spent.values())) * 1000)
                samples["total"].append(total * 1000)
            rows.append([query] + [f"{statistics.median(v):.2f}" for v in samples.values()])
    print(table(rows, ["words", *parts, "other", "total"]))


def _median_of(figures) -> dict:
    """The median of several rounds' figures, field by field."""
    figures = list(figures)
    return {
        "median_ms": statistics.median(f["median_ms"] for f in figures),
        "p95_ms": statistics.median(f["p95_ms"] for f in figures),
        "queries": max(f["queries"] for f in figures),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--rounds", type=int, default=1, help="time every query this many times over"
    )
    parser.add_argument("--scan-runs", type=int, default=None, help="runs of the LIKE scan")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument(
        "--phases", action="store_true", help="also show where the time of a search goes"
    )
    parser.add_argument(
        "--warm-up",
        type=float,
        default=WARM_UP_MS,
        help="milliseconds of untimed searches after each scan (0: two searches only)",
    )
    parser.add_argument(
        "--cpu", type=int, default=None, help="the CPU to run on (default: the first; -1: any)"
    )
    args = parser.parse_args()
    pinned = pin_cpu(args.cpu)
    setup_django(args.database, "cunju_bench_search")

    from django.db import connection

    from cunju.accounts.models import User
    from cunju.library import search
    from cunju.library.models import Document, Page, StoredFile

    if args.regenerate:
        from django.core.management import call_command

        print("dropping the previous data…")
        call_command("flush", interactive=False, verbosity=0)
        with connection.cursor() as cursor:
            search.backend().clear(cursor)
    if not Document.objects.exists():
        print(f"generating {args.documents:,} documents with {args.pages:,} pages…")
        generate(args.documents, args.pages)
    reader = User.objects.get(username="bench-reader")
    documents, pages = Document.objects.count(), Page.objects.count()
    chars = sum(len(t) for t in Page.objects.values_list("text", flat=True).iterator())
    print(
        f"\n{connection.vendor}: {documents:,} documents ({StoredFile.objects.count():,} files), "
        f"{pages:,} pages, {chars / 1e6:.1f} million characters of page text; index rows: "
        "{:,} documents, {:,} pages; ".format(*search.index_size())
        + database_size()
    )
    readable = search.searchable(reader).count()
    print(f"searching as a Party member who may read {readable:,} published documents")
    print("load average before: {:.1f} {:.1f} {:.1f}; {}\n".format(*os.getloadavg(), pinned))

    scan_runs = args.scan_runs or args.runs
    in_process = connection.vendor == "sqlite"
    # Each round times every query once more, search and scan side by side; a figure is the
    # median of the rounds' figures, so a moment of load on the shared machine moves it less.
    rounds: dict[str, list[tuple[dict, dict, float, list]]] = {q: [] for _w, q in QUERIES}
    for _round in range(args.rounds):
        for _what, query in QUERIES:
            rounds[query].append(
                side_by_side(
                    lambda q=query: search.search(reader, q),
                    lambda q=query: like_scan(reader, q),
                    args.runs,
                    scan_runs,
                    args.warm_up,
                )
            )
    rows, worst, ratios = [], 0.0, []
    for what, query in QUERIES:
        found = search.search(reader, query)
        scanned = like_scan(reader, query)
        fig = _median_of(r[0] for r in rounds[query])
        scan = _median_of(r[1] for r in rounds[query])
        cpu = None if not in_process else statistics.median(r[2] for r in rounds[query])
        after_scan = statistics.median(statistics.median(r[3]) for r in rounds[query])
        ratio = scan["median_ms"] / fig["median_ms"]
        ratios.append(ratio)
        worst = max(worst, fig["p95_ms"])
        rows.append(
            [
                what,
                query,
                f"{found.total:,}",
                f"{fig['median_ms']:.1f}",
                f"{fig['p95_ms']:.1f}",
                "—" if cpu is None else f"{cpu:.1f}",
                f"{after_scan:.1f}",
                fig["queries"],
                f"{scanned:,}",
                f"{scan['median_ms']:.0f}",
                f"{scan['p95_ms']:.0f}",
                f"{ratio:,.0f}x",
            ]
        )
    print(
        table(
            rows,
            [
                "query",
                "words",
                "found",
                "median ms",
                "p95 ms",
                "cpu ms",
                "after scan ms",
                "queries",
                "LIKE found",
                "LIKE median ms",
                "LIKE p95 ms",
                "speed-up",
            ],
        )
    )
    print(
        f"\n{connection.vendor}: worst p95 {worst:.1f} ms (goal: under 50 ms) — "
        f"{'met' if worst < 50 else 'NOT met'}; "
        f"speed-up over the LIKE scan: median {statistics.median(ratios):,.0f}x, "
        f"lowest {min(ratios):,.0f}x (goal: >= 100x) — "
        f"{'met' if min(ratios) >= 100 else 'NOT met'}"
    )
    print("load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print(
        "(found: documents holding every word — segmented, in the title, description or "
        "pages; LIKE found: documents with a page containing each word as typed. "
        "cpu ms: this process's CPU time per search, SQLite only, which runs in-process: "
        "the wall-clock figure when the machine's cores are not shared. after scan ms: the "
        "first search right after each scan, in the caches the scan left; the search timed "
        f"in turn with the scan comes after {args.warm_up:g} ms of searches untimed.)"
    )
    if args.phases:
        print("\nwhere the time of a search goes (median wall-clock ms):")
        phases(reader, args.runs)


if __name__ == "__main__":
    main()
