"""What a file is, decided by its content: never by its name.

``sniff(handle, size, name)`` answers with one of the library's formats or raises
``ContentRefused`` saying what the content looks like instead. The name is only used to
choose between DOC and WPS, which are the same Word binary format inside.

- ``%PDF`` → pdf.
- OLE2 compound files → doc / wps (``WordDocument``), xls (``Workbook``/``Book``), ppt
  (``PowerPoint Document``); a compound file with ``EncryptionInfo`` is a password-protected
  OOXML file, and the Word and Excel headers and PowerPoint's ``Current User`` stream say
  when they are encrypted.
- ZIP → OOXML by ``[Content_Types].xml`` and its ``word/``, ``xl/``, ``ppt/`` parts, or
  OpenDocument by its ``mimetype`` entry. Before anything opens a ZIP, the sizes its entries
  declare are checked against bomb limits; ``thorough=True`` (the pipeline, before handing the
  file to LibreOffice) also inflates every entry with a cap, as declared sizes can lie.
- Text → txt when its first 64 kB decode as UTF-8 (with or without BOM), UTF-16 with a
  BOM, or GB18030, with no NULs and hardly any control characters; web pages are refused.
"""

from __future__ import annotations

import codecs
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext_noop

from . import errors
from .compound import MAGIC as CFB_MAGIC
from .compound import CompoundFile, DamagedCompoundFile
from .errors import ContentRefused

# Bomb limits for ZIP-based documents: entries, total inflated size, and the inflated to
# packed ratio once a file inflates past RATIO_FLOOR (text XML packs about 10:1).
MAX_ZIP_ENTRIES = 10_000
MAX_INFLATED = 1 << 30
RATIO_FLOOR = 64 << 20
MAX_RATIO = 100
# How much of a text file is judged at upload; the pipeline decodes all of it.
TEXT_SAMPLE = 64 * 1024

OOXML_PARTS = (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.text-template": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.spreadsheet-template": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.presentation-template": "odp",
}

# What refused content looks like, by its first bytes.
SIGNATURES: list[tuple[int, bytes, str]] = [
    (0, b"\x89PNG", gettext_noop("a PNG image")),
    (0, b"\xff\xd8\xff", gettext_noop("a JPEG image")),
    (0, b"GIF8", gettext_noop("a GIF image")),
    (8, b"WEBP", gettext_noop("a WebP image")),
    (0, b"II*\x00", gettext_noop("a TIFF image")),
    (0, b"MM\x00*", gettext_noop("a TIFF image")),
    (0, b"Rar!", gettext_noop("a RAR archive")),
    (0, b"7z\xbc\xaf\x27\x1c", gettext_noop("a 7-Zip archive")),
    (0, b"\x1f\x8b", gettext_noop("a gzip archive")),
    (0, b"MZ", gettext_noop("a Windows program")),
    (0, b"\x7fELF", gettext_noop("a program")),
    (0, b"ID3", gettext_noop("a sound file")),
    (8, b"WAVE", gettext_noop("a sound file")),
    (8, b"AVI ", gettext_noop("a video")),
    (4, b"ftyp", gettext_noop("a video")),
    (0, b"{\\rtf", gettext_noop("an RTF document")),
    (0, b"%!PS", gettext_noop("a PostScript file")),
]


@dataclass(frozen=True)
class Sniffed:
    format: str
    # Text files only: the codec their bytes decode with.
    encoding: str = ""


def sniff_path(path: str | Path, name: str = "", *, thorough: bool = False) -> Sniffed:
    path = Path(path)
    with path.open("rb") as handle:
        return sniff(handle, path.stat().st_size, name or path.name, thorough=thorough)


def sniff(handle: BinaryIO, size: int, name: str = "", *, thorough: bool = False) -> Sniffed:
    if size == 0:
        raise ContentRefused(errors.EMPTY)
    handle.seek(0)
    head = handle.read(4096)
    if b"%PDF-" in head[:1024]:
        return Sniffed("pdf")
    if head.startswith(CFB_MAGIC):
        return Sniffed(_compound(handle, size, name))
    if head.startswith(b"PK\x03\x04"):
        return Sniffed(_zip(handle, size, thorough))
    if head.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        raise ContentRefused(errors.LOOKS_LIKE, what=gettext_noop("a ZIP archive"))
    encoding = _text_encoding(handle, size)
    if encoding:
        return Sniffed("txt", encoding)
    for offset, signature, what in SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            raise ContentRefused(errors.LOOKS_LIKE, what=what)
    raise ContentRefused(errors.LOOKS_LIKE, what=gettext_noop("a file of an unknown kind"))


# --- Compound files ------------------------------------------------------------------------


def _compound(handle: BinaryIO, size: int, name: str) -> str:
    try:
        container = CompoundFile(handle, size)
        streams = container.stream_names()
        if {"EncryptionInfo", "EncryptedPackage"} & streams:
            raise ContentRefused(errors.PASSWORD)
        if "WordDocument" in streams:
            fib = container.read_stream("WordDocument", 16)
            if len(fib) >= 12 and struct.unpack_from("<H", fib, 10)[0] & 0x0100:
                raise ContentRefused(errors.PASSWORD)
            return "wps" if name.lower().endswith(".wps") else "doc"
        for stream in ("Workbook", "Book"):
            if stream in streams:
                if _biff_has_filepass(container.read_stream(stream, 8192)):
                    raise ContentRefused(errors.PASSWORD)
                return "xls"
        if "PowerPoint Document" in streams:
            if "EncryptedSummary" in streams or _ppt_encrypted(container):
                raise ContentRefused(errors.PASSWORD)
            return "ppt"
    except DamagedCompoundFile:
        raise ContentRefused(errors.DAMAGED) from None
    raise ContentRefused(
        errors.LOOKS_LIKE,
        what=gettext_noop("a Microsoft compound file that is not a Word, Excel or PowerPoint file"),
    )


# The CurrentUserAtom's header token (MS-PPT 2.3.2): this value when the file is encrypted.
PPT_ENCRYPTED_TOKEN = 0xF3D1C4DF


def _ppt_encrypted(container: CompoundFile) -> bool:
    """A PowerPoint 97 file says it is encrypted in its ``Current User`` stream, whether or
    not it also encrypts its properties (``EncryptedSummary``)."""
    atom = container.read_stream("Current User", 16)
    return len(atom) >= 16 and struct.unpack_from("<I", atom, 12)[0] == PPT_ENCRYPTED_TOKEN


def _biff_has_filepass(data: bytes) -> bool:
    """An Excel workbook stream announces encryption with a FILEPASS record after its BOF."""
    offset = 0
    for _ in range(200):
        if offset + 4 > len(data):
            return False
        kind, length = struct.unpack_from("<HH", data, offset)
        if kind == 0x002F:
            return True
        if kind == 0x000A:  # end of the workbook globals
            return False
        offset += 4 + length
    return False


# --- ZIP containers ------------------------------------------------------------------------


def _zip(handle: BinaryIO, size: int, thorough: bool) -> str:
    try:
        archive = zipfile.ZipFile(handle)
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ContentRefused(errors.DAMAGED) from None
    _check_bomb(entries, size)
    names = {entry.filename for entry in entries}
    try:
        if thorough:
            _inflate_all(archive, entries)
        if "mimetype" in names:
            kind = archive.read("mimetype")[:200].decode("ascii", "replace").strip()
            if kind in ODF_TYPES:
                manifest = _read_capped(archive, "META-INF/manifest.xml", 1 << 20)
                if b"encryption-data" in manifest:
                    raise ContentRefused(errors.PASSWORD)
                return ODF_TYPES[kind]
            if kind == "application/epub+zip":
                raise ContentRefused(errors.LOOKS_LIKE, what=gettext_noop("an e-book (EPUB)"))
            if kind.startswith("application/vnd.oasis.opendocument"):
                raise ContentRefused(
                    errors.LOOKS_LIKE, what=gettext_noop("an OpenDocument file of another kind")
                )
        if "[Content_Types].xml" in names:
            for prefix, kind in OOXML_PARTS:
                if any(n.startswith(prefix) for n in names):
                    return kind
            raise ContentRefused(
                errors.LOOKS_LIKE,
                what=gettext_noop("an Office Open XML file that is not Word, Excel or PowerPoint"),
            )
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, NotImplementedError, RuntimeError):
        # RuntimeError: an entry encrypted with ZIP's own password scheme.
        raise ContentRefused(errors.DAMAGED) from None
    raise ContentRefused(errors.LOOKS_LIKE, what=gettext_noop("a ZIP archive"))


def _check_bomb(entries: list[zipfile.ZipInfo], size: int) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ContentRefused(errors.BOMB)
    inflated = sum(entry.file_size for entry in entries)
    if inflated > MAX_INFLATED or (inflated > RATIO_FLOOR and inflated > MAX_RATIO * size):
        raise ContentRefused(errors.BOMB)


def _inflate_all(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    """Inflate every entry, stopping at its declared size: checks the CRCs and that no
    entry holds more than it says."""
    for entry in entries:
        if entry.is_dir():
            continue
        with archive.open(entry) as part:
            seen = 0
            while chunk := part.read(1 << 20):
                seen += len(chunk)
                if seen > entry.file_size:
                    raise ContentRefused(errors.BOMB)


def _read_capped(archive: zipfile.ZipFile, name: str, cap: int) -> bytes:
    try:
        with archive.open(name) as part:
            return part.read(cap)
    except KeyError:
        return b""


# --- Text ----------------------------------------------------------------------------------


def _text_encoding(handle: BinaryIO, size: int) -> str:
    """The codec the file's beginning decodes with as text, or "" when it is not text.
    (A stray bad byte further on is shown as a replacement character, not refused.)"""
    handle.seek(0)
    sample = handle.read(TEXT_SAMPLE)
    complete = len(sample) >= size
    if sample.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\0" in sample:
        return ""
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            text = decoder.decode(sample, final=complete)
        except UnicodeDecodeError:
            continue
        if "\0" in text or not _mostly_printable(text):
            return ""
        if _looks_like_web_page(text):
            raise ContentRefused(errors.LOOKS_LIKE, what=gettext_noop("a web page"))
        return encoding
    return ""


def _mostly_printable(text: str) -> bool:
    if not text.strip():
        return True
    controls = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\x7f")
    return controls * 100 <= len(text)


def _looks_like_web_page(text: str) -> bool:
    start = text.lstrip("\ufeff \t\r\n")[:200].lower()
    return start.startswith(("<!doctype html", "<html", "mime-version:"))
