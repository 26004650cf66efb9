"""Preview images: milliseconds per page to render and encode, against rasterising alone.

    python -m benchmarks.library_previews [--pages 20] [--runs 5]

Makes two PDFs the way the library does (a Word document and a slide deck in Chinese,
converted by LibreOffice) and, per run and page: rasterises the page at the preview width
(the floor), renders both widths and encodes them as the pipeline does (WebP; JPEG for
comparison), and reads the page's text. Then the whole page work through the warm child
process (text of every page, previews of every page), per page. Prints medians over runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import ROOT, table


def per_page_ms(func, pages: list, runs: int) -> float:
    """Median over runs of the mean milliseconds per page (after one warm-up pass)."""
    for page in pages[:2]:
        func(page)
    results = []
    for _ in range(runs):
        start = time.perf_counter()
        for page in pages:
            func(page)
        results.append((time.perf_counter() - start) * 1000 / len(pages))
    return statistics.median(results)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("CUNJU_DATA_DIR", str(ROOT / "var"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "cunju.settings"
    import django

    django.setup()
    import pypdfium2 as pdfium
    from django.conf import settings

    from cunju.library.conversion import pagework
    from cunju.library.conversion.office import office
    from cunju.library.conversion.pages import read_pages
    from cunju.library.samples import make_docx, make_pptx

    widths = list(settings.CUNJU_LIBRARY_PREVIEW_WIDTHS)
    rows = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        sources = {
            "Word document": (make_docx, "docx"),
            "slide deck": (make_pptx, "pptx"),
        }
        service = office()
        for label, (maker, fmt) in sources.items():
            source = maker(folder / f"source.{fmt}", "农村社区党建工作学习材料", args.pages)
            pdf_path = folder / f"{fmt}.pdf"
            service.convert(source, pdf_path, fmt, source.stat().st_size)
            pdf = pdfium.PdfDocument(str(pdf_path))
            pages = [pdf[i] for i in range(len(pdf))]
            out = folder / "out"
            out.mkdir(exist_ok=True)
            numbered = list(enumerate(pages, 1))

            raster = per_page_ms(lambda p: pagework.rasterise(p[1], widths[0]), numbered, args.runs)
            webp = per_page_ms(
                lambda p, out=out: pagework.render_previews(p[1], p[0], out, widths, "webp"),
                numbered,
                args.runs,
            )
            jpeg = per_page_ms(
                lambda p, out=out: pagework.render_previews(p[1], p[0], out, widths, "jpeg"),
                numbered,
                args.runs,
            )
            text = per_page_ms(lambda p: p[1].get_textpage().get_text_range(), numbered, args.runs)
            for page in pages:
                page.close()
            pdf.close()

            # The pipeline's own path: the warm child, every page previewed.
            settings.CUNJU_LIBRARY_PREVIEW_PAGES = len(pages)
            work = folder / "work"
            work.mkdir(exist_ok=True)
            read_pages(pdf_path, mode="pdf", out=out, work=work, size_bytes=1)  # warm-up
            child = []
            for _ in range(args.runs):
                start = time.perf_counter()
                read_pages(pdf_path, mode="pdf", out=out, work=work, size_bytes=1)
                child.append((time.perf_counter() - start) * 1000 / len(pages))
            rows.append(
                [
                    f"{label} ({len(pages)} p.)",
                    f"{raster:.1f}",
                    f"{webp:.1f}",
                    f"{webp / raster:.1f}x",
                    f"{jpeg:.1f}",
                    f"{text:.1f}",
                    f"{statistics.median(child):.1f}",
                ]
            )
        service.stop()
    print()
    print(f"ms per page, medians of {args.runs} runs; previews {widths[0]} and {widths[1]} px wide")
    print(
        table(
            rows,
            [
                "PDF",
                "rasterise only",
                "render+encode WebP",
                "÷ rasterise",
                "render+encode JPEG",
                "page text",
                "page work (child, all)",
            ],
        )
    )


if __name__ == "__main__":
    main()
