"""Office documents through the library pipeline: documents per minute with LibreOffice kept
warm, against one-shot ``soffice --convert-to`` per file, measured side by side.

    python -m benchmarks.library_ingest [--files 24] [--runs 3] [--database sqlite|postgres]

Generates a batch of office files (DOCX, XLSX and PPTX in turn, Chinese text, 1 to 30
pages) and uploads them once into its own database. Each run then processes every file
from the start (office file → PDF → text of every page, previews of the first five →
stored, published, indexed) twice: with the warm LibreOffice, and with a fresh soffice per
file; it also times the conversion to PDF alone both ways. Prints the medians over the
runs and the ratio. Goal (issue): warm >= 2.5x one-shot, documents per minute.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.harness import ROOT, setup_django, table


def batch(folder: Path, count: int) -> list[Path]:
    """``count`` office files, DOCX, XLSX and PPTX in turn, from 1 to 30 pages."""
    from cunju.library.samples import make_docx, make_pptx, make_xlsx

    files = []
    for index in range(count):
        pages = 1 + (index * 29) // max(1, count - 1)
        title = f"学习材料第{index + 1}号"
        kind = ("docx", "xlsx", "pptx")[index % 3]
        path = folder / f"{title}.{kind}"
        if kind == "docx":
            make_docx(path, title, pages)
        elif kind == "xlsx":
            make_xlsx(path, title, max(1, pages // 3))  # a sheet prints as one page
        else:
            make_pptx(path, title, pages)
        files.append(path)
    return files


def uploader():
    """The benchmark's uploader: a member of a one-branch tree (made once)."""
    from cunju.accounts.actions import create_user
    from cunju.accounts.models import User
    from cunju.accounts.roles import Role
    from cunju.core.system import SYSTEM
    from cunju.organizations.actions import create_organization
    from cunju.organizations.models import Organization
    from cunju.places.actions import create_place
    from cunju.places.models import Place

    user = User.objects.filter(username="bench-uploader").first()
    if user is not None:
        return user
    town = create_place(SYSTEM, parent=None, kind=Place.Kind.TOWN, name="基准镇")
    committee = create_organization(
        SYSTEM,
        parent=None,
        kind=Organization.Kind.COMMITTEE,
        category=Organization.Category.TOWN,
        name="中共基准镇委员会",
        place=town,
    )
    return create_user(
        SYSTEM,
        username="bench-uploader",
        full_name="基准",
        role=Role.MEMBER,
        scope=committee,
        password="Bench@2026pass",
    )


def reset(stored_ids: list[int]) -> None:
    """Every file back to "uploaded", its pages and documents' state undone."""
    from cunju.library.models import Document, Moderation, Page, StoredFile

    Page.objects.filter(stored_file_id__in=stored_ids).delete()
    Document.objects.filter(stored_file_id__in=stored_ids).update(
        moderation=Moderation.PROCESSING, published_at=None
    )
    StoredFile.objects.filter(pk__in=stored_ids).update(
        status="uploaded", page_count=None, pdf="", attempts=0, claimed_by=""
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=24)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    # Processing is called here directly; queued tasks would only pile up unread.
    os.environ["CUNJU_TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    setup_django(args.database, "cunju_bench_library")

    from django.conf import settings
    from django.db import connection

    # Files of the benchmark live beside its database, never in the working media folder.
    settings.MEDIA_ROOT = ROOT / "var" / "bench" / "media"

    from cunju.library.conversion.office import office
    from cunju.library.ingest import add_document
    from cunju.library.models import StoredFile
    from cunju.library.pipeline import process_stored_file

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        print(f"writing {args.files} office files (docx/xlsx/pptx, 1–30 pages)…")
        files = batch(folder, args.files)
        user = uploader()
        stored_ids = []
        for path in files:
            document, _existed = add_document(user, upload=path, original_name=path.name)
            stored_ids.append(document.stored_file_id)
        sizes = {
            s.pk: (s.format, s.size_bytes) for s in StoredFile.objects.filter(pk__in=stored_ids)
        }

        service = office()
        print("starting LibreOffice…")
        service.start()

        def pipeline(one_shot: bool) -> tuple[float, int]:
            reset(stored_ids)
            service.one_shot = one_shot
            start = time.perf_counter()
            for pk in stored_ids:
                if process_stored_file(pk) != "ready":
                    reason = StoredFile.objects.get(pk=pk).failure_reason
                    raise SystemExit(f"file {pk} failed: {reason}")
            elapsed = time.perf_counter() - start
            pages = sum(
                StoredFile.objects.filter(pk__in=stored_ids).values_list("page_count", flat=True)
            )
            return elapsed, pages

        def conversion(one_shot: bool) -> float:
            service.one_shot = one_shot
            start = time.perf_counter()
            for path, pk in zip(files, stored_ids, strict=True):
                fmt, size = sizes[pk]
                service.convert(path, folder / "out.pdf", fmt, size)
            return time.perf_counter() - start

        print("warming up (page work process, word segmentation)…")
        pipeline(False)
        results: dict[str, list[float]] = {k: [] for k in ("warm", "once", "cwarm", "conce")}
        pages = 0
        for run in range(1, args.runs + 1):
            warm, pages = pipeline(False)
            once, _ = pipeline(True)
            cwarm, conce = conversion(False), conversion(True)
            for key, value in zip(results, (warm, once, cwarm, conce), strict=True):
                results[key].append(value)
            print(
                f"  run {run}: pipeline warm {warm:.1f} s, one-shot {once:.1f} s; "
                f"PDF only warm {cwarm:.1f} s, one-shot {conce:.1f} s"
            )
        service.one_shot = False
        service.stop()

    median = {key: statistics.median(values) for key, values in results.items()}
    per_minute = {key: args.files * 60 / value for key, value in median.items()}
    rows = [
        [
            "whole pipeline",
            f"{median['warm']:.1f}",
            f"{per_minute['warm']:.1f}",
            f"{median['once']:.1f}",
            f"{per_minute['once']:.1f}",
            f"{median['once'] / median['warm']:.2f}x",
        ],
        [
            "office → PDF only",
            f"{median['cwarm']:.1f}",
            f"{per_minute['cwarm']:.1f}",
            f"{median['conce']:.1f}",
            f"{per_minute['conce']:.1f}",
            f"{median['conce'] / median['cwarm']:.2f}x",
        ],
    ]
    print()
    print(f"{args.files} files, {pages} pages, {connection.vendor}, medians of {args.runs} runs")
    print(
        table(
            rows,
            ["", "warm s", "warm docs/min", "one-shot s", "one-shot docs/min", "warm speed-up"],
        )
    )
    ratio = median["once"] / median["warm"]
    print(f"\ngoal >= 2.5x documents per minute — {'met' if ratio >= 2.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
