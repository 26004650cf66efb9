"""Shared plumbing for the benchmarks: a separate database, timing, query counts, reports.

Benchmarks never run against the working database: each uses its own (``cunju_bench`` on
PostgreSQL, ``var/bench/*.sqlite3`` on SQLite), generated once and reused.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get(
    "CUNJU_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cunju_bench"
)


def setup_django(database: str, name: str) -> str:
    """Point Django at the benchmark database (created if missing) and migrate it."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("CUNJU_DATA_DIR", str(ROOT / "var"))
    if database == "postgres":
        url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
        _ensure_pg_database(url)
    else:
        path = ROOT / "var" / "bench" / f"{name}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
    os.environ["CUNJU_DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "cunju.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def _ensure_pg_database(url: str) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    with psycopg.connect(
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
        user=cfg["USER"],
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute(
            "select 1 from pg_database where datname = %s", [cfg["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'create database "{cfg["NAME"]}"')


def pin_cpu(cpu: int | None) -> str:
    """Keep this process on one CPU (the first it may use when ``cpu`` is None; not at all
    when it is negative) and say which. A process moved between the cores of a shared
    virtual machine ran the same search at two speeds, each for dozens of runs at a time;
    held on one core, it runs at one. The baseline is timed in the same process, so a ratio
    compares like with like either way."""
    if cpu is not None and cpu < 0 or not hasattr(os, "sched_setaffinity"):
        return "not pinned to a CPU"
    allowed = sorted(os.sched_getaffinity(0))
    chosen = allowed[0] if cpu is None else cpu
    if chosen not in allowed:
        raise SystemExit(f"CPU {chosen} is not one this process may use: {allowed}")
    os.sched_setaffinity(0, {chosen})
    return f"pinned to CPU {chosen} of {len(allowed)} (--cpu -1: not pinned)"


def measure(func: Callable[[], object], runs: int) -> dict:
    """Median and p95 milliseconds over ``runs`` calls (after one warm-up) and the query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    func()
    times = []
    with CaptureQueriesContext(connection) as ctx:
        func()
    queries = len(ctx.captured_queries)
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return {"median_ms": statistics.median(times), "p95_ms": p95, "queries": queries, "runs": runs}


def table(rows: list[list], headers: list[str]) -> str:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)
