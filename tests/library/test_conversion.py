"""Office files to PDF through LibreOffice kept warm (and one-shot when it cannot be), with
Chinese glyphs; the legacy formats; office uploads through the whole pipeline."""

from __future__ import annotations

import ctypes
import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from cunju.library.conversion.office import Office, office
from cunju.library.conversion.sniff import sniff_path
from cunju.library.models import Moderation, Processing
from cunju.library.samples import SENTENCES, make_docx, make_pptx, make_with_office, make_xlsx
from tests.library.test_ingest import make_town, upload

# Families that hold Chinese glyphs; anything else drawing a Chinese character draws a box.
CJK_FONTS = re.compile(r"CJK|WenQuanYi|WQY|Droid ?Sans ?Fallback|Source ?Han|AR ?PL", re.I)


@pytest.fixture
def town(db, monkeypatch):
    return make_town(monkeypatch)


@pytest.fixture(scope="module")
def warm():
    """The process's warm LibreOffice, started once for the module (and kept for others)."""
    service = office()
    assert service.start()
    return service


def pdf_pages(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    pdf.close()
    return texts


def fonts_of_chinese(path: Path) -> dict[str, int]:
    """Which font draws each Chinese character of the PDF, counted by font name."""
    pdf = pdfium.PdfDocument(str(path))
    fonts: dict[str, int] = {}
    for index in range(len(pdf)):
        textpage = pdf[index].get_textpage()
        for char in range(textpage.count_chars()):
            if not "\u4e00" <= chr(pdfium_raw.FPDFText_GetUnicode(textpage, char)) <= "\u9fff":
                continue
            size = pdfium_raw.FPDFText_GetFontInfo(textpage, char, None, 0, None)
            name = ctypes.create_string_buffer(size)
            pdfium_raw.FPDFText_GetFontInfo(textpage, char, name, size, None)
            fonts[name.value.decode()] = fonts.get(name.value.decode(), 0) + 1
    pdf.close()
    return fonts


@pytest.mark.parametrize(
    ("maker", "fmt", "count", "pages"),
    [(make_docx, "docx", 3, 3), (make_xlsx, "xlsx", 2, 2), (make_pptx, "pptx", 3, 3)],
)
def test_office_files_become_pdfs_in_chinese_glyphs(warm, tmp_path, maker, fmt, count, pages):
    source = maker(tmp_path / f"sample.{fmt}", "农村社区党建工作", count)
    assert sniff_path(source).format == fmt
    target = tmp_path / "out.pdf"
    assert warm.convert(source, target, fmt, source.stat().st_size) == "warm"
    texts = pdf_pages(target)
    assert len(texts) == pages
    everything = "".join(texts)
    assert "农村社区党建工作" in everything.replace("\r\n", "")
    fonts = fonts_of_chinese(target)
    assert sum(fonts.values()) > 20
    assert all(CJK_FONTS.search(name) for name in fonts), fonts


def test_the_warm_office_serves_job_after_job_in_one_process(warm, tmp_path):
    first = make_docx(tmp_path / "a.docx", "第一份", 1)
    second = make_docx(tmp_path / "b.docx", "第二份", 1)
    pid = warm.soffice_pid
    warm.convert(first, tmp_path / "a.pdf", "docx", 1000)
    warm.convert(second, tmp_path / "b.pdf", "docx", 1000)
    assert warm.soffice_pid == pid
    assert "第二份" in pdf_pages(tmp_path / "b.pdf")[0]


def test_libreoffice_is_restarted_after_the_set_number_of_jobs(warm, tmp_path, settings):
    settings.CUNJU_OFFICE_RESTART_AFTER = 1
    source = make_docx(tmp_path / "a.docx", "重启", 1)
    warm.convert(source, tmp_path / "1.pdf", "docx", 1000)
    pid, starts = warm.soffice_pid, warm.starts
    warm.convert(source, tmp_path / "2.pdf", "docx", 1000)
    assert warm.starts == starts + 1 and warm.soffice_pid != pid
    assert (tmp_path / "2.pdf").stat().st_size > 0


def test_without_the_uno_bridge_each_file_is_converted_one_shot(tmp_path, monkeypatch):
    monkeypatch.setenv("CUNJU_OFFICE_PYTHON", "none")  # no interpreter that can import uno
    service = Office(root=tmp_path / "office")
    try:
        source = make_docx(tmp_path / "a.docx", "一次性转换", 2)
        assert service.convert(source, tmp_path / "a.pdf", "docx", 1000) == "one-shot"
        assert service.soffice_pid is None
        texts = pdf_pages(tmp_path / "a.pdf")
        assert len(texts) == 2 and "一次性转换" in texts[0]
    finally:
        service.stop()
    assert not any((tmp_path / "office").iterdir())


@pytest.mark.parametrize(
    ("fmt", "kind", "pages"),
    [
        ("doc", "docx", 2),
        ("wps", "docx", 2),
        ("odt", "docx", 2),
        ("xls", "xlsx", 2),
        ("ods", "xlsx", 2),
        ("ppt", "pptx", 2),
        ("odp", "pptx", 2),
    ],
)
def test_legacy_and_open_formats_are_recognised_and_converted(warm, tmp_path, fmt, kind, pages):
    source = make_with_office(tmp_path / f"旧格式.{fmt}", "旧格式的学习材料", 2, fmt)
    # WPS text is the Word binary format: only its name tells it from a DOC.
    assert sniff_path(source).format == fmt
    target = tmp_path / "out.pdf"
    warm.convert(source, target, fmt, source.stat().st_size)
    texts = pdf_pages(target)
    assert len(texts) == pages
    assert "旧格式的学习材料" in "".join(texts).replace("\r\n", "")


def test_an_office_upload_goes_through_the_whole_pipeline(town, warm, tmp_path):
    source = make_docx(tmp_path / "党课讲稿.docx", "党课讲稿", 3)
    document, existed = upload(town.secretary_a, source)
    stored = document.stored_file
    assert not existed
    assert (stored.status, stored.format, stored.page_count) == ("ready", "docx", 3)
    assert document.moderation == Moderation.PUBLISHED
    assert stored.pdf.name == f"library/derived/{stored.sha256}/1/document.pdf"
    assert default_storage.exists(stored.pdf.name)
    pages = list(stored.pages.all())
    assert pages[0].text.startswith("党课讲稿")
    assert any(sentence[:10] in pages[1].text.replace("\n", "") for sentence in SENTENCES)
    with default_storage.open(pages[2].preview.name) as handle:
        assert Image.open(handle).size == (pages[2].width, pages[2].height)
    # The same file again: nothing converted, published at once.
    again, existed = upload(town.member_a, source)
    assert existed and again.moderation == Moderation.PUBLISHED
    assert again.stored_file.attempts == 1
    assert again.stored_file.status == Processing.READY
