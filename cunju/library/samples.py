"""Sample study documents in Chinese, the same bytes every time, for tests, the demo and the
benchmarks; and hostile files (a zip bomb dressed as DOCX, damaged and password-protected
files) for the tests of what the library refuses.

Every generator takes the path to write, a title, and either a count (of pages, sheets or
slides) or the text of each one, and returns the path. One page of text is sized to fill
one printed page, so a three-page DOCX converts to a three-page PDF.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

# The text pager's page: make_txt fills pages to exactly this many lines.
from cunju.library.conversion.pagework import TEXT_LINES as TEXT_LINES_PER_PAGE

SENTENCES = [
    "加快新农村建设步伐，构建和谐农村，要从农村实际出发，在发展经济、富裕农民上狠下功夫。",
    "农村发展出现了土地向规模经营集中、工业项目向园区集中、农民向社区集中的趋势。",
    "借鉴城市社区党建工作的经验和做法，积极探索村居合一的农村社区化党组织模式。",
    "农村社区党组织要转变工作职能，由管理村务转向管理社区和服务群众并重。",
    "坚持把发展经济、致富农民作为农村社区党建工作的中心任务。",
    "积极推进社区股份合作、土地股份合作，大力发展农民专业合作。",
    "切实提高农民的经营性、资产性、政策性收入，加快农民富裕的步伐。",
    "统一规划，分步实施，因地制宜，稳步推进，决不违背农民意愿盲目攀比。",
    "坚持把服务群众、促进和谐作为农村社区党建工作的价值取向。",
    "建立健全失地农民基本生活保障制度，做好再就业培训和就业服务。",
    "对低保户、特困户等困难群众开展社会救助，让他们共享发展成果。",
    "为外来务工人员和流动人口提供维权服务，帮助他们解决实际困难。",
    "完善养老、医疗等社会保障体系，织密社会化服务网络。",
    "繁荣社区文化，把文化活动作为开展党建工作的重要载体。",
    "组织开展文明家庭、和谐楼道评选活动，倡导文明健康的生活方式。",
    "发挥党员的先锋模范作用，设立党员示范岗和党员责任区。",
    "加强流动党员管理，建立流动党员活动证制度，定期了解他们的思想和工作情况。",
    "落实三会一课制度，按时召开支部党员大会、支部委员会和党小组会。",
    "每月开展主题党日活动，组织党员学习党的路线方针政策。",
    "加强对社区干部的教育培训，提高他们服务群众、推动发展的能力。",
    "征地拆迁、社会保障等方面的矛盾纠纷日益增多，需要及时调解化解。",
    "建立党员联系户制度，每名党员联系若干户群众，经常走访，听取意见。",
    "推行村务公开、财务公开，接受群众监督，保障群众的知情权和参与权。",
    "社区股份经济合作社的股权量化到人、确权到户、长久不变。",
    "合作社的可分配盈余按照章程规定提取公积公益金后，按股分红。",
    "农村党员的从业空间不断扩大，流动性增强，党员管理面临新的课题。",
    "整合党建资源，推动驻社区单位党组织与社区党组织共驻共建。",
    "开展党员积分管理，把参加组织生活、志愿服务情况纳入积分。",
    "社区卫生服务站为居民提供基本医疗和公共卫生服务。",
    "以城带乡、以工促农、城乡互动，是推进新农村建设的有效途径。",
    "民主评议党员每年开展一次，包括个人自评、党员互评和民主测评。",
    "党费是党员向党组织交纳的用于党的活动的经费，按月交纳。",
]
HEADINGS = [
    "一、统筹城乡发展，对农村党建提出新要求",
    "二、把发展经济致富农民作为中心任务",
    "三、把服务群众促进和谐作为价值取向",
    "四、繁荣社区文化，建设文明社区",
    "五、加强党员队伍建设，发挥先锋模范作用",
    "六、加强流动党员管理",
    "七、完善社区服务体系",
    "八、加强社区干部队伍建设",
]
NAMES = [
    "王建国",
    "李秀英",
    "赵志刚",
    "陈静",
    "周敏",
    "张三",
    "刘洋",
    "孙丽",
    "吴强",
    "郑芳",
    "徐明",
    "朱兰",
]
BRANCHES = ["新桥村党支部", "湖滨花苑小区党支部", "石舍村党支部", "金湖家园小区党支部"]


def _rng(title: str, salt: str = "") -> random.Random:
    digest = hashlib.sha256(f"{title}\n{salt}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def page_texts(title: str, pages: int | Sequence[str], *, chars: int = 480) -> list[str]:
    """The text of each page: given, or made of about ``chars`` characters per page."""
    if not isinstance(pages, int):
        return [str(text) for text in pages]
    rng = _rng(title)
    texts = []
    for number in range(1, pages + 1):
        parts = [HEADINGS[(number - 1) % len(HEADINGS)]]
        length = len(parts[0])
        while length < chars:
            sentence = rng.choice(SENTENCES)
            parts.append(sentence)
            length += len(sentence)
        texts.append(f"第{number}页 " + parts[0] + "\n" + "".join(parts[1:]))
    return texts


def _paragraphs(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def make_docx(path: str | Path, title: str, pages: int | Sequence[str] = 3) -> Path:
    """A Word document: the title, then each page's text, with a page break between."""
    import docx
    from docx.enum.text import WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Pt

    path = Path(path)
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "宋体"
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    document.core_properties.title = title
    document.add_heading(title, level=1)
    texts = page_texts(title, pages)
    for index, text in enumerate(texts):
        for line in _paragraphs(text):
            document.add_paragraph(line)
        if index < len(texts) - 1:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _save_fixed(document, path)
    return path


def make_xlsx(path: str | Path, title: str, sheets: int | Sequence[str] = 2) -> Path:
    """A workbook of study records, one sheet per printed page (25 rows each)."""
    import openpyxl
    from openpyxl.styles import Font

    path = Path(path)
    names = (
        [f"第{n}季度" for n in range(1, sheets + 1)]
        if isinstance(sheets, int)
        else [str(name) for name in sheets]
    )
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in names:
        rng = _rng(title, name)
        sheet = book.create_sheet(name[:31])
        sheet.append([f"{title} · {name}"])
        sheet["A1"].font = Font(name="宋体", bold=True, size=14)
        sheet.append(["序号", "姓名", "支部", "学习内容", "学时", "得分"])
        for row in range(1, 26):
            sheet.append(
                [
                    row,
                    rng.choice(NAMES),
                    rng.choice(BRANCHES),
                    rng.choice(HEADINGS)[2:14],
                    rng.randint(1, 8),
                    rng.randint(60, 100),
                ]
            )
        for column, width in zip("ABCDEF", (6, 10, 20, 28, 6, 6), strict=True):
            sheet.column_dimensions[column].width = width
        # One printed page per sheet, however the office suite measures the columns.
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 1
    book.properties.title = title
    _save_fixed(book, path)
    return path


def make_pptx(path: str | Path, title: str, slides: int | Sequence[str] = 3) -> Path:
    """A lecture deck: a title slide, then one slide per point (each a printed page)."""
    from pptx import Presentation
    from pptx.util import Pt

    path = Path(path)
    deck = Presentation()
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = title
    cover.placeholders[1].text = "湖桥镇党委 · 党课讲稿"
    count = slides if isinstance(slides, int) else len(slides) + 1
    texts = page_texts(title, count - 1, chars=120) if isinstance(slides, int) else list(slides)
    for text in texts:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        lines = _paragraphs(text)
        slide.shapes.title.text = lines[0][:30]
        body = slide.placeholders[1].text_frame
        body.text = ""
        sentences = [s for s in "".join(lines[1:]).split("。") if s]
        for index, sentence in enumerate(sentences[:5]):
            paragraph = body.paragraphs[0] if index == 0 else body.add_paragraph()
            paragraph.text = sentence + "。"
            paragraph.font.size = Pt(18)
    deck.core_properties.title = title
    _save_fixed(deck, path)
    return path


def make_txt(
    path: str | Path, title: str, pages: int | Sequence[str] = 2, *, encoding: str = "utf-8"
) -> Path:
    """A plain text file of exactly ``pages`` pages as the library pages text (40 lines)."""
    path = Path(path)
    lines: list[str] = []
    for index, text in enumerate(page_texts(title, pages)):
        page = [title if index == 0 else f"（续）{title}"]
        flowing = "".join(_paragraphs(text))
        page += [flowing[i : i + 36] for i in range(0, len(flowing), 36)]
        page = page[:TEXT_LINES_PER_PAGE]
        page += [""] * (TEXT_LINES_PER_PAGE - len(page))
        lines += page
    path.write_bytes(("\n".join(lines).rstrip("\n") + "\n").encode(encoding))
    return path


def make_pdf(path: str | Path, title: str, pages: int | Sequence[str] = 3) -> Path:
    """A PDF with real, extractable Chinese text on every page, written directly (no office
    suite): Adobe's standard Chinese font STSong-Light, which every PDF reader substitutes."""
    path = Path(path)
    texts = page_texts(title, pages)
    page_lines = []
    for index, text in enumerate(texts):
        lines = [title] if index == 0 else []
        for paragraph in _paragraphs(text):
            lines += [paragraph[i : i + 38] for i in range(0, len(paragraph), 38)]
        page_lines.append(lines)
    path.write_bytes(_pdf_bytes(page_lines))
    return path


# Formats made by LibreOffice from a generated OOXML file: (source maker, source format,
# LibreOffice's export filter).
_VIA_OFFICE = {
    "doc": ("docx", "MS Word 97"),
    "wps": ("docx", "MS Word 97"),
    "odt": ("docx", "writer8"),
    "xls": ("xlsx", "MS Excel 97"),
    "ods": ("xlsx", "calc8"),
    "ppt": ("pptx", "MS PowerPoint 97"),
    "odp": ("pptx", "impress8"),
}


def make_with_office(
    path: str | Path, title: str, count: int | Sequence[str], fmt: str, password: str = ""
) -> Path:
    """A DOC, WPS, ODT, XLS, ODS, PPT or ODP file: the OOXML sample of the same content,
    saved in that format by LibreOffice (needs it installed; slower than the others), and
    protected by ``password`` when one is given (LibreOffice encrypts DOC, XLS and the
    OpenDocument formats; it saves a PPT unprotected)."""
    import tempfile

    from cunju.library.conversion.office import office

    path = Path(path)
    kind, export_filter = _VIA_OFFICE[fmt]
    makers = {"docx": make_docx, "xlsx": make_xlsx, "pptx": make_pptx}
    with tempfile.TemporaryDirectory() as folder:
        source = makers[kind](Path(folder) / f"source.{kind}", title, count)
        target = Path(folder) / f"target.{'doc' if fmt == 'wps' else fmt}"
        office().export(source, target, kind, export_filter, timeout=120, password=password)
        path.write_bytes(target.read_bytes())
    return path


# --- Hostile files ----------------------------------------------------------------------


def make_zip_bomb_docx(path: str | Path, expanded_mb: int = 512) -> Path:
    """A DOCX whose document part inflates to ``expanded_mb`` megabytes of blanks, about a
    thousand times its packed size. Built by hand from one flushed deflate block repeated,
    so making it costs only the checksum."""
    path = Path(path)
    chunk = b" " * (1 << 20)
    head = b'<?xml version="1.0"?><w:document xmlns:w="' + _W_NS + b'"><w:body>'
    tail = b"</w:body></w:document>"
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    # After a full flush the compressor forgets what came before: equal input, equal output.
    start = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    packed = start + block * expanded_mb + packer.compress(tail) + packer.flush()
    crc = zlib.crc32(head)
    for _ in range(expanded_mb):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(chunk) * expanded_mb + len(tail)
    entries = [
        _deflated("[Content_Types].xml", _CONTENT_TYPES_DOCX.encode()),
        _deflated("_rels/.rels", _RELS_DOCX.encode()),
        ("word/document.xml", crc, packed, size),
    ]
    path.write_bytes(_zip_by_hand(entries))
    return path


def _deflated(name: str, data: bytes) -> tuple[str, int, bytes, int]:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, zlib.crc32(data), packer.compress(data) + packer.flush(), len(data)


def _zip_by_hand(entries: list[tuple[str, int, bytes, int]]) -> bytes:
    """A ZIP of already deflated entries (name, CRC-32, deflated bytes, inflated size)."""
    out = bytearray()
    central = bytearray()
    stamp = (8 << 11, (46 << 9) | (1 << 5) | 1)  # 2026-01-01 08:00
    for name, crc, packed, size in entries:
        raw = name.encode()
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, *stamp, crc, len(packed), size, len(raw), 0
        )
        out += raw + packed
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            *stamp,
            crc,
            len(packed),
            size,
            len(raw),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += raw
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(out), 0
    )
    return bytes(out + central + end)


def make_corrupt_docx(path: str | Path) -> Path:
    """A well-formed ZIP that says it is a DOCX, with a document part that is not XML."""
    path = Path(path)
    rng = _rng("corrupt")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES_DOCX)
        archive.writestr("_rels/.rels", _RELS_DOCX)
        archive.writestr("word/document.xml", bytes(rng.randrange(256) for _ in range(20000)))
    return path


def make_truncated_docx(path: str | Path, title: str = "截断的文件") -> Path:
    """A real DOCX cut off halfway, as an interrupted copy leaves it."""
    path = Path(path)
    make_docx(path, title, 2)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def make_encrypted_docx(path: str | Path) -> Path:
    """A password-protected DOCX as Office writes it: a compound file holding the
    ``EncryptionInfo`` and ``EncryptedPackage`` streams instead of a ZIP."""
    rng = _rng("encrypted")
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0"?><encryption/>'
    package = struct.pack("<Q", 9000) + bytes(rng.randrange(256) for _ in range(9008))
    return make_compound_file(path, {"EncryptionInfo": info, "EncryptedPackage": package})


def make_encrypted_doc(path: str | Path) -> Path:
    """A password-protected Word 97–2003 file: the FIB says "encrypted" (fEncrypted)."""
    fib = bytearray(4096)
    struct.pack_into("<HHHHH", fib, 0, 0xA5EC, 0x00C1, 0, 0x0409, 0)
    struct.pack_into("<H", fib, 10, 0x0100)  # fEncrypted
    return make_compound_file(path, {"WordDocument": bytes(fib), "1Table": bytes(4096)})


def make_encrypted_ppt(path: str | Path) -> Path:
    """A password-protected PowerPoint 97–2003 file as PowerPoint saves it when the document
    properties are left readable: no ``EncryptedSummary`` stream, only the header token of
    the ``Current User`` atom says "encrypted" (MS-PPT 2.3.2)."""
    user = b"cunju"
    atom = struct.pack("<IIIHHBBH", 0x14, 0xF3D1C4DF, 0, len(user), 0x03F4, 3, 0, 0)
    atom += user + struct.pack("<I", 8)
    current_user = struct.pack("<HHI", 0, 0x0FF6, len(atom)) + atom
    rng = _rng("ppt")
    document = bytes(rng.randrange(256) for _ in range(4096))
    return make_compound_file(path, {"Current User": current_user, "PowerPoint Document": document})


def make_encrypted_odt(path: str | Path) -> Path:
    """A password-protected OpenDocument text: the manifest carries encryption data."""
    path = Path(path)
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA">'
        '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" '
        'manifest:initialisation-vector="AAAA"/>'
        "</manifest:encryption-data></manifest:file-entry></manifest:manifest>"
    )
    rng = _rng("odt")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", bytes(rng.randrange(256) for _ in range(4000)))
    return path


def make_encrypted_pdf(path: str | Path, title: str = "加密文件", password: str = "secret") -> Path:
    """A PDF that opens only with ``password`` (standard security handler, RC4 40-bit)."""
    path = Path(path)
    page_lines = [[title, "本文件需要密码才能打开。"]]
    path.write_bytes(_pdf_bytes(page_lines, password=password))
    return path


def make_compound_file(path: str | Path, streams: dict[str, bytes]) -> Path:
    """A minimal OLE2 compound file (version 3) holding ``streams``.

    Streams are padded to 4,096 bytes so each lives in ordinary sectors (no mini stream);
    the directory is one sorted chain of right siblings, which readers accept.
    """
    path = Path(path)
    sector = 512
    end, free, fat_mark = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    bodies = [streams[n].ljust(4096, b"\0") for n in names]
    entries = len(names) + 1
    dir_sectors = -(-entries * 128 // sector)
    data_sectors = [-(-len(body) // sector) for body in bodies]
    total = dir_sectors + sum(data_sectors)
    fat_sectors = 1
    while fat_sectors * (sector // 4) < total + fat_sectors:
        fat_sectors += 1
    fat: list[int] = [fat_mark] * fat_sectors
    first = fat_sectors
    fat += [first + i + 1 for i in range(dir_sectors - 1)] + [end]
    starts = []
    for count in data_sectors:
        start = len(fat)
        starts.append(start)
        fat += [start + i + 1 for i in range(count - 1)] + [end]
    fat += [free] * (fat_sectors * (sector // 4) - len(fat))
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 40, 0, fat_sectors, first, 0, 4096, end, 0, end)
    struct.pack_into("<I", header, 72, 0)
    difat = list(range(fat_sectors)) + [free] * (109 - fat_sectors)
    struct.pack_into("<109I", header, 76, *difat)

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        out = bytearray(128)
        out[: len(raw)] = raw
        struct.pack_into("<HBB", out, 64, len(raw), kind, 1)
        struct.pack_into("<III", out, 68, free, right, child)
        struct.pack_into("<II", out, 116, start, size)
        return bytes(out)

    directory = entry("Root Entry", 5, 1 if names else free, free, end, 0)
    for index, (name, body) in enumerate(zip(names, bodies, strict=True)):
        right = index + 2 if index + 1 < len(names) else free
        directory += entry(name, 2, free, right, starts[index], len(body))
    directory = directory.ljust(dir_sectors * sector, b"\0")
    out = bytes(header) + struct.pack(f"<{len(fat)}I", *fat) + directory
    for body, count in zip(bodies, data_sectors, strict=True):
        out += body.ljust(count * sector, b"\0")
    path.write_bytes(out)
    return path


# --- PDF writing --------------------------------------------------------------------------

_W_NS = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES_DOCX = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS_DOCX = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_PAD = bytes.fromhex(
    "28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A"
)  # the padding string of the PDF standard security handler


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def _pdf_bytes(page_lines: list[list[str]], *, password: str = "") -> bytes:
    """A PDF of lines of text, one list per page, in STSong-Light (UniGB-UTF16-H)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H "
        b"/DescendantFonts [ << /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
        b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >> /DW 1000 /W [1 95 500] >> ] >>"
    )
    pages_id = add(b"")
    streams: list[int] = []
    kids = []
    for lines in page_lines:
        ops = ["BT /F1 12 Tf 18 TL 56 780 Td"]
        ops += [f"<{line.encode('utf-16-be').hex().upper()}> Tj T*" for line in lines]
        ops.append("ET")
        data = "\n".join(ops).encode()
        content = add(data)
        streams.append(content)
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
                b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                % (pages_id, font, content)
            )
        )
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    file_id = hashlib.md5(repr(page_lines).encode()).digest()  # noqa: S324 - an ID, not security
    encrypt = None
    key = b""
    if password:
        # Standard security handler, revision 2 (PDF 1.7 §7.6.3): owner = user password.
        padded = (password.encode("latin-1") + _PAD)[:32]
        owner = _rc4(hashlib.md5(padded).digest()[:5], padded)  # noqa: S324
        permissions = struct.pack("<i", -4)
        key = hashlib.md5(padded + owner + permissions + file_id).digest()[:5]  # noqa: S324
        user = _rc4(key, _PAD)
        encrypt = add(
            b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>"
            % (owner.hex().encode(), user.hex().encode())
        )
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        if number in streams:
            data = zlib.compress(body)
            if key:
                object_key = hashlib.md5(key + struct.pack("<I", number)[:3] + b"\0\0").digest()  # noqa: S324
                data = _rc4(object_key[:10], data)
            body = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (
                len(data),
                data,
            )
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"/Size %d /Root %d 0 R /ID [<%s> <%s>]" % (
        len(objects) + 1,
        catalog,
        file_id.hex().encode(),
        file_id.hex().encode(),
    )
    if encrypt:
        trailer += b" /Encrypt %d 0 R" % encrypt
    out += b"trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)


def _save_fixed(document, path: Path) -> None:
    """Save an office document with fixed timestamps, so the same call gives the same bytes."""
    import datetime as dt

    fixed = dt.datetime(2026, 1, 1, 8, 0, 0)
    properties = getattr(document, "core_properties", None) or document.properties
    for name in ("created", "modified", "last_printed"):
        if hasattr(properties, name):
            setattr(properties, name, fixed)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(_normalise_zip(buffer.getvalue()))


# openpyxl stamps the time of saving into the document's properties, whatever they said.
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a ZIP with fixed entry dates and modification time (office libraries stamp
    the current time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 8, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>2026-01-01T08:00:00Z\g<2>", content)
            target.writestr(fixed, content)
    return out.getvalue()
