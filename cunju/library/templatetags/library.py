"""Template filters of the library pages: sizes as the source page shows them ("51.00 KB")."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

UNITS = ["KB", "MB", "GB", "TB"]


@register.filter
def filesize(value) -> str:
    """Bytes as "812 B", "51.00 KB", "3.20 MB": 1024 to a step, two decimals above bytes."""
    if value in (None, ""):
        return "—"
    size = float(value)
    if size < 1024:
        return f"{int(size)} B"
    for unit in UNITS:
        size /= 1024
        if size < 1024 or unit == UNITS[-1]:
            return f"{size:.2f} {unit}"
    return ""  # not reached


@register.filter
def download_label(price) -> str:
    """The download button: "Free download" or "Download (5 points)"."""
    price = int(price or 0)
    if price == 0:
        return _("Free download")
    return ngettext("Download (%(points)d point)", "Download (%(points)d points)", price) % {
        "points": price
    }


# Sentence ends: a line ending in one of these ends its paragraph even when it is full.
SENTENCE_ENDS = tuple("。！？；：…」』”）!?;:")
# A line this close to the page's full width is taken to run on into the next one.
FULL_LINE = 0.85


def _joins_without_space(left: str, right: str) -> bool:
    """Chinese runs on without a space; Latin words need one."""
    return ord(left[-1]) > 0x2E7F or ord(right[0]) > 0x2E7F


@register.filter
def reflow(text: str, spreadsheet: bool = False):
    """A page's text as paragraphs: the lines a PDF breaks to fit its width are joined again,
    while headings, short lines and sentence ends keep their own line. Spreadsheet rows stay
    one to a line."""
    lines = [line.strip() for line in (text or "").splitlines()]
    if spreadsheet:
        return mark_safe("<br>".join(conditional_escape(line) for line in lines if line))
    # The width of a full line: most lines of running text are full, a stray long one is not.
    lengths = sorted(len(line) for line in lines if line)
    width = lengths[(len(lengths) * 3) // 4] if lengths else 0
    paragraphs: list[str] = []
    current = ""
    runs_on = False  # the last line filled the width mid-sentence: the next one continues it
    for line in lines:
        if current and (not line or not runs_on):
            paragraphs.append(current)
            current = ""
        if not line:
            runs_on = False
            continue
        if current:
            current += line if _joins_without_space(current, line) else " " + line
        else:
            current = line
        runs_on = len(line) >= FULL_LINE * width and not line.endswith(SENTENCE_ENDS)
    if current:
        paragraphs.append(current)
    return mark_safe("".join(f"<p>{conditional_escape(p)}</p>" for p in paragraphs))
