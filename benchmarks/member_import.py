"""Import a 50,000-row member workbook: validated and imported, rows per second.

    python -m benchmarks.member_import [--rows 50000] [--runs 3] [--database sqlite|postgres]

Generates a county-sized organization tree (no members) in its own database and a workbook
of valid rows (Chinese headers, as users fill the template), then, per run: reads the file
with python-calamine alone (the floor), and runs the real import (every row checked, then
all written in one transaction); members are removed between runs. Prints the medians, rows
per second, and the ratio of import time to reading time. Goal (issue): >= 2,000 rows/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import time

from benchmarks.harness import setup_django, table


def workbook(rows: int, branches: list[str], seed: int = 7) -> bytes:
    import xlsxwriter
    from django.utils import translation

    from cunju.core.idnumbers import compose_resident_id
    from cunju.core.system import SYSTEM
    from cunju.members.imports import MemberImport
    from cunju.members.models import Education, Occupation, Sex

    rng = random.Random(seed)
    surnames, given = (
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗",
        "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰",
    )
    with translation.override("zh-hans"):
        spec = MemberImport(SYSTEM)
        headers = [spec.header_text(c) for c in spec.columns]
        keys = [c.key for c in spec.columns]
        labels = {
            "sex": {k: str(v) for k, v in Sex.choices},
            "education": {k: str(v) for k, v in Education.choices},
            "occupation": {k: str(v) for k, v in Occupation.choices},
        }
        full, probationary = "正式党员", "预备党员"
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"constant_memory": True})
        sheet = book.add_worksheet("党员")
        for col, header in enumerate(headers):
            sheet.write_string(0, col, header)
        seen: set[str] = set()
        for r in range(1, rows + 1):
            sex = rng.choice(["male", "female"])
            born = dt.date(rng.randint(1945, 2000), rng.randint(1, 12), rng.randint(1, 28))
            while True:
                number = compose_resident_id(
                    f"3205{rng.randint(1, 99):02d}", born, rng.randint(0, 99), sex
                )
                if number not in seen:
                    seen.add(number)
                    break
                born += dt.timedelta(days=1)
            admitted = born + dt.timedelta(days=rng.randint(19 * 366, 40 * 366))
            admitted = min(admitted, dt.date(2025, 6, 1))
            values = {
                "name": rng.choice(surnames) + rng.choice(given) + rng.choice(given),
                "sex": labels["sex"][sex],
                "ethnicity": "汉族",
                "birth_date": born.isoformat(),
                "id_number": number,
                "phone": f"13{rng.randint(5, 9)}{rng.randint(10000000, 99999999)}",
                "education": labels["education"][rng.choice(list(labels["education"]))],
                "occupation": labels["occupation"][rng.choice(list(labels["occupation"]))],
                "work_unit": "",
                "address": f"第{rng.randint(1, 30)}组{rng.randint(1, 80)}号",
                "organization": branches[r % len(branches)],
                "status": full,
                "admitted_on": admitted.isoformat(),
                "full_on": (admitted + dt.timedelta(days=365)).isoformat(),
                "is_mobile": "",
            }
            if r % 20 == 0:
                values["status"], values["full_on"] = probationary, ""
                values["admitted_on"] = dt.date(2026, 3, 1).isoformat()
            for col, key in enumerate(keys):
                sheet.write_string(r, col, str(values.get(key, "")))
        book.close()
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    setup_django(args.database, "cunju_bench_import")

    from django.db import connection
    from python_calamine import CalamineWorkbook

    from benchmarks.tree_scale import generate
    from cunju.core.system import SYSTEM
    from cunju.members.imports import MemberImport
    from cunju.members.models import Member, MemberEvent, MembershipPeriod
    from cunju.organizations.models import Organization

    if not Organization.objects.exists():
        print("generating a county-sized organization tree…")
        generate("county", members=0)
    branches = list(Organization.objects.filter(kind="branch").values_list("name", flat=True))
    print(f"writing a {args.rows:,}-row workbook for {len(branches)} branches…")
    content = workbook(args.rows, branches)
    print(f"  {len(content) / 1e6:.1f} MB\n")

    reads, imports = [], []
    for run in range(1, args.runs + 1):
        MembershipPeriod.objects.all().delete()
        MemberEvent.objects.all().delete()
        Member.objects.all().delete()
        start = time.perf_counter()
        rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
        reads.append(time.perf_counter() - start)
        assert len(rows) == args.rows + 1
        start = time.perf_counter()
        report = MemberImport(SYSTEM).run(content)
        imports.append(time.perf_counter() - start)
        if not report.ok:
            raise SystemExit(f"the import refused the file: {report.problems[:5]}")
        done = report.imported
        print(f"  run {run}: read {reads[-1]:.2f} s, import {imports[-1]:.2f} s ({done:,} rows)")
    read, imported = statistics.median(reads), statistics.median(imports)
    rate = args.rows / imported
    print()
    print(
        table(
            [
                [
                    connection.vendor,
                    f"{args.rows:,}",
                    f"{read:.2f}",
                    f"{imported:.2f}",
                    f"{rate:,.0f}",
                    f"{imported / read:.1f}x",
                ]
            ],
            ["database", "rows", "read s (median)", "import s (median)", "rows/s", "import ÷ read"],
        )
    )
    print(f"\ngoal >= 2,000 rows/s — {'met' if rate >= 2000 else 'NOT met'}")


if __name__ == "__main__":
    main()
