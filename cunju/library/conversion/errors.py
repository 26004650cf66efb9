"""Why a file is refused at upload or fails in processing, in plain words.

Reasons are English source strings marked for translation (``gettext_noop``): stored as they
are in ``StoredFile.failure_reason`` and translated when shown. Reasons that name something
(``%(what)s``) are only ever shown at once, never stored.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

SUPPORTED = gettext_noop(
    "The library takes Word, Excel, PowerPoint, WPS and OpenDocument files, PDF and plain text."
)


class ContentRefused(ValueError):
    """The content is not a document the library takes (decided by content, not name)."""

    def __init__(self, reason: str, **params: str) -> None:
        super().__init__(reason % params if params else reason)
        self.reason = reason
        self.params = params

    def message(self) -> str:
        """The reason in the active language, with what the library takes when useful."""
        params = {key: gettext(value) for key, value in self.params.items()}
        text = gettext(self.reason) % params if params else gettext(self.reason)
        if self.params.get("what"):
            text = f"{text} {gettext(SUPPORTED)}"
        return text


class ConversionFailed(Exception):
    """Processing one stored file failed; ``reason`` is stored and shown to the uploader,
    ``detail`` (what the converter said) goes to the log only."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason} {detail}".strip())
        self.reason = reason
        self.detail = detail


# Fixed reasons (stored; translated when shown).
EMPTY = gettext_noop("The file is empty.")
DAMAGED = gettext_noop("The file is damaged and cannot be opened.")
PASSWORD = gettext_noop(
    "The file is protected by a password. Remove the password and upload it again."
)
BOMB = gettext_noop(
    "The file unpacks to far more data than a document holds and was refused as unsafe."
)
LOOKS_LIKE = gettext_noop("The file looks like %(what)s, which the library does not take.")
TOO_SLOW = gettext_noop(
    "Converting the file took too long and was stopped. The file may be too large or too "
    "complex; try saving it again or splitting it."
)
OFFICE_CRASHED = gettext_noop(
    "The office converter stopped while reading this file. The file may be damaged; try "
    "opening it and saving it again."
)
NOT_OPENED = gettext_noop(
    "The office converter could not open the file. It may be damaged or saved in a form "
    "that cannot be read."
)
NO_OFFICE = gettext_noop(
    "Office files cannot be converted on this server (LibreOffice is not installed)."
)
PDF_TOO_COMPLEX = gettext_noop(
    "The PDF is too large or too complex to show: reading it took too long or too much memory."
)
TEXT_TOO_LARGE = gettext_noop(
    "The text file is too large to show: reading it took too long or too much memory."
)
TOO_MANY_PAGES = gettext_noop("The document has more pages than the library shows.")
NO_PAGES = gettext_noop("The document has no pages.")
INTERRUPTED = gettext_noop(
    "Processing was interrupted several times (the server stopped while converting it)."
)
UNEXPECTED = gettext_noop("The file could not be processed because of an error on the server.")
FILE_MISSING = gettext_noop("The uploaded file is missing from the server's storage.")
