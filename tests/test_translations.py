"""The Chinese interface is complete: every source string has a zh-Hans translation."""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cunju"
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def read_po(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid → (first msgstr, fuzzy) from a .po file; enough of the format for our catalog.

    Entries with a context are keyed ``context + "\x04" + msgid``, as gettext stores them.
    """
    entries: dict[str, tuple[str, bool]] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fuzzy = "#, fuzzy" in block or re.search(r"#,.*\bfuzzy\b", block) is not None
        msgid = _field(block, "msgid")
        if msgid is None or msgid == "":
            continue
        msgstr = _field(block, "msgstr") or _field(block, r"msgstr\[0\]") or ""
        context = _field(block, "msgctxt")
        entries[f"{context}\x04{msgid}" if context is not None else msgid] = (msgstr, fuzzy)
    return entries


def _field(block: str, name: str) -> str | None:
    match = re.search(rf'^{name} ((?:".*"\n?)+)', block + "\n", re.MULTILINE)
    if not match:
        return None
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))
    return "".join(parts).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


def test_every_catalog_entry_is_translated_and_not_fuzzy():
    entries = read_po(PO)
    untranslated = [msgid for msgid, (msgstr, _f) in entries.items() if not msgstr]
    fuzzy = [msgid for msgid, (_s, is_fuzzy) in entries.items() if is_fuzzy]
    assert not untranslated, f"untranslated zh-Hans strings: {untranslated}"
    assert not fuzzy, f"fuzzy zh-Hans strings: {fuzzy}"


def test_compiled_catalog_matches_the_source_catalog():
    # The .mo ships in the repository; a stale one shows English where Chinese was written.
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    def compiled_text(key: str) -> str:
        if "\x04" in key:
            context, msgid = key.split("\x04", 1)
            return compiled.pgettext(context, msgid)
        return compiled.gettext(key)

    stale = [
        key for key, (msgstr, _f) in read_po(PO).items() if msgstr and compiled_text(key) != msgstr
    ]
    assert not stale, f"run `make messages`: compiled catalog is stale for {stale[:5]}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools are not installed")
def test_catalog_holds_every_string_in_the_source(tmp_path):
    copy = tmp_path / "cunju"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--no-obsolete",
            "-i",
            "settings_test.py",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "DJANGO_SETTINGS_MODULE": "cunju.settings_test",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(PACKAGE.parent),
            "CUNJU_DATA_DIR": str(tmp_path / "var"),
        },
    )
    fresh = read_po(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    missing = [msgid for msgid, (msgstr, fuzzy) in fresh.items() if not msgstr or fuzzy]
    assert not missing, f"strings without a zh-Hans translation (run `make messages`): {missing}"
