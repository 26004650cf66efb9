"""The sample documents: the same bytes every time, the pages they promise, and hostile
files that are what they say. Also the text pager the samples are sized for."""

from __future__ import annotations

import hashlib
import zipfile

import pypdfium2 as pdfium
import pytest

from cunju.library.conversion.compound import CompoundFile
from cunju.library.conversion.pagework import LINE_UNITS, TEXT_LINES, page_text, paginate, reflow
from cunju.library.samples import (
    make_compound_file,
    make_docx,
    make_encrypted_pdf,
    make_pdf,
    make_pptx,
    make_txt,
    make_xlsx,
    make_zip_bomb_docx,
    page_texts,
)


@pytest.mark.parametrize("maker", [make_docx, make_xlsx, make_pptx, make_pdf, make_txt])
def test_samples_are_the_same_bytes_every_time(tmp_path, maker):
    first = maker(tmp_path / "one", "积极探索农村社区党建工作新模式", 3).read_bytes()
    second = maker(tmp_path / "two", "积极探索农村社区党建工作新模式", 3).read_bytes()
    other = maker(tmp_path / "three", "另一个标题", 3).read_bytes()
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    assert first != other


@pytest.mark.parametrize("maker", [make_docx, make_xlsx, make_pptx])
def test_office_samples_carry_no_time_of_saving(tmp_path, maker):
    """openpyxl stamps the time of saving as the modification time: two samples saved a
    second apart would differ."""
    core = zipfile.ZipFile(maker(tmp_path / "one", "标题", 2)).read("docProps/core.xml")
    assert b">2026-01-01T08:00:00Z</dcterms:modified>" in core


def test_page_texts_are_chinese_and_numbered_or_given():
    texts = page_texts("标题", 3)
    assert [t.split(" ")[0] for t in texts] == ["第1页", "第2页", "第3页"]
    assert all(len(t) > 400 for t in texts)
    assert page_texts("标题", ["甲", "乙"]) == ["甲", "乙"]


def test_a_sample_pdf_has_the_pages_and_the_text_it_promises(tmp_path):
    path = make_pdf(tmp_path / "a.pdf", "样本", ["第一页的文字", "第二页的文字"])
    pdf = pdfium.PdfDocument(str(path))
    assert len(pdf) == 2
    assert pdf[0].get_textpage().get_text_range().split() == ["样本", "第一页的文字"]
    assert pdf[1].get_textpage().get_text_range() == "第二页的文字"
    pdf.close()


def test_a_sample_text_file_is_exactly_its_pages_long(tmp_path):
    path = make_txt(tmp_path / "a.txt", "样本", 4)
    pages = paginate(path.read_text("utf-8"))
    assert len(pages) == 4
    assert page_text(pages[0]).startswith("样本\n第1页")
    gbk = make_txt(tmp_path / "b.txt", "样本", 1, encoding="gb18030").read_bytes()
    assert gbk.decode("gb18030").startswith("样本") and b"\xe6" not in gbk[:4]


def test_the_pager_wraps_by_width_breaks_at_form_feeds_and_drops_blank_ends():
    line = "党" * 50  # 100 columns: wraps after 40 characters
    pages = paginate(line + "\n" + "a" * 81)
    assert [text for text, _ in pages[0]] == ["党" * 40, "党" * 10, "a" * 80, "a"]
    assert [continued for _, continued in pages[0]] == [False, True, False, True]
    assert page_text(pages[0]) == line + "\n" + "a" * 81
    many = "\n".join(f"第{i}行" for i in range(1, TEXT_LINES + 2))
    assert [len(p) for p in paginate(many)] == [TEXT_LINES, 1]
    assert len(paginate("一\f二\f\n\n\n")) == 2
    assert paginate("") == [[("", False)]]
    assert LINE_UNITS == 80


def test_the_zip_bomb_declares_what_it_inflates_to(tmp_path):
    path = make_zip_bomb_docx(tmp_path / "bomb.docx", expanded_mb=64)
    archive = zipfile.ZipFile(path)
    document = archive.getinfo("word/document.xml")
    assert document.file_size > 64 << 20
    assert document.compress_size * 500 < document.file_size
    with archive.open(document) as part:
        assert part.read(100).startswith(b"<?xml")
    assert archive.testzip() is None  # a valid archive: the checksums are right


def test_the_encrypted_pdf_opens_only_with_its_password(tmp_path):
    path = make_encrypted_pdf(tmp_path / "e.pdf", password="secret")
    with pytest.raises(pdfium.PdfiumError, match="password"):
        pdfium.PdfDocument(str(path))
    pdf = pdfium.PdfDocument(str(path), password="secret")
    assert "需要密码" in pdf[0].get_textpage().get_text_range()
    pdf.close()


def test_compound_files_are_read_back_stream_by_stream(tmp_path):
    path = make_compound_file(
        tmp_path / "c.bin", {"WordDocument": b"\xec\xa5" + bytes(5000), "1Table": b"x" * 10}
    )
    with path.open("rb") as handle:
        container = CompoundFile(handle, path.stat().st_size)
        assert container.stream_names() == {"WordDocument", "1Table"}
        assert container.read_stream("WordDocument", 2) == b"\xec\xa5"
        assert container.read_stream("1Table", 10) == b"x" * 10
        assert container.read_stream("missing") == b""


def test_lines_a_pdf_wrapped_inside_chinese_text_are_joined_again():
    text = "\n".join(
        [
            "第一章 总则",
            "建立党员联系户制度，每名党员联系若干户群众，经常走访，听取意见。建立党员联系户制",
            "度，每名党员联系若干户群众，经常走访，听取意见。建立党员联系户制度，每名党员联系",
            "若干户群众。",
            "第二章 组织",
            "1 张三 新桥村党支部 6",
        ]
    )
    assert reflow(text).split("\n") == [
        "第一章 总则",
        "建立党员联系户制度，每名党员联系若干户群众，经常走访，听取意见。建立党员联系户制"
        "度，每名党员联系若干户群众，经常走访，听取意见。建立党员联系户制度，每名党员联系"
        "若干户群众。",
        "第二章 组织",
        "1 张三 新桥村党支部 6",
    ]
