"""Chinese identity numbers: validation, normalisation and display masking.

* Resident ID numbers (公民身份号码, GB 11643-1999), including the 15-digit numbers on cards
  issued before 1999.
* Mainland phone numbers: mobiles and fixed lines.
* Unified social credit codes (统一社会信用代码, GB 32100-2015) of organizations.
* Masks for showing personal data on screen (GB/T 35273 practice): pages render the masked
  form, never the full number, unless the viewer is entitled to it.

Validators raise errors whose ``code`` says which rule failed and whose message (translated
when raised) says which part of the value is wrong, so a village clerk copying a number from a
paper form knows where to look.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

__all__ = [
    "InvalidCreditCode",
    "InvalidPhone",
    "InvalidResidentId",
    "ResidentId",
    "credit_code_validator",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "phone_validator",
    "resident_id_validator",
    "validate_credit_code",
    "validate_mobile",
    "validate_resident_id",
]


# --- Errors --------------------------------------------------------------------------------


class _Problem(Exception):
    """A failed rule, with its message still untranslated.

    Parsing raises this so that the masking helpers can reuse the parsers without touching
    the translation machinery; the public validators translate it at raise time.
    """

    def __init__(self, code: str, template: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.template = template
        self.params = params or {}

    def render(self) -> str:
        return gettext(self.template) % self.params


class _IdentifierError(ValueError):
    """Base for the validation errors below: a machine-readable ``code`` and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @classmethod
    def _from(cls, problem: _Problem) -> Self:
        return cls(problem.code, problem.render())


class InvalidResidentId(_IdentifierError):
    """A resident ID number failed validation.

    ``code`` is one of ``"length"``, ``"characters"``, ``"area"``, ``"birth_date"`` and
    ``"checksum"``.
    """


class InvalidPhone(_IdentifierError):
    """A phone number failed validation.

    ``code`` is one of ``"empty"``, ``"characters"``, ``"country_code"``, ``"mobile_length"``,
    ``"mobile_prefix"``, ``"area_code"``, ``"local_number"`` and ``"fixed_line"`` (a fixed
    line where only a mobile is accepted).
    """


class InvalidCreditCode(_IdentifierError):
    """A unified social credit code failed validation.

    ``code`` is one of ``"length"``, ``"characters"`` and ``"checksum"``.
    """


def _clean(value: object) -> str:
    # NFKC folds full-width digits and letters, which Chinese input methods often produce.
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


# --- Resident ID numbers (GB 11643-1999) ---------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_DIGITS = frozenset("0123456789")


def _id_check_char(body: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(body, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A validated resident ID number and what it encodes.

    ``repr()`` shows the masked number so that the value can be logged safely.
    """

    number: str
    birth_date: date
    sex: Literal["male", "female"]
    legacy: bool
    area_code: str

    def __repr__(self) -> str:
        return f"ResidentId(number={mask_id_number(self.number)!r}, legacy={self.legacy!r})"

    def to_18(self) -> str:
        """The 18-character form; a legacy number gains the century "19" and a check char."""
        if not self.legacy:
            return self.number
        body = f"{self.number[:6]}19{self.number[6:]}"
        return body + _id_check_char(body)


def _first_non_digit(text: str) -> int | None:
    return next((index for index, char in enumerate(text) if char not in _DIGITS), None)


def _parse_resident_id(value: object, today: date | None) -> ResidentId:
    number = _clean(value).upper()
    if not number:
        raise _Problem("length", gettext_noop("Enter a resident ID number."))
    if len(number) not in (15, 18):
        raise _Problem(
            "length",
            gettext_noop(
                "A resident ID number has 18 characters (15 digits on cards issued before "
                "1999); this one has %(count)s."
            ),
            {"count": len(number)},
        )
    legacy = len(number) == 15

    if legacy:
        bad = _first_non_digit(number)
        if bad is not None:
            raise _Problem(
                "characters",
                gettext_noop(
                    "A 15-digit resident ID number contains only digits; '%(char)s' at "
                    "position %(position)s is not a digit."
                ),
                {"char": number[bad], "position": bad + 1},
            )
    else:
        bad = _first_non_digit(number[:17])
        if bad is not None:
            raise _Problem(
                "characters",
                gettext_noop(
                    "The first 17 characters of a resident ID number are digits; '%(char)s' "
                    "at position %(position)s is not a digit."
                ),
                {"char": number[bad], "position": bad + 1},
            )
        if number[17] not in _DIGITS and number[17] != "X":
            raise _Problem(
                "characters",
                gettext_noop(
                    "The check character (the last one) must be a digit or X, not '%(char)s'."
                ),
                {"char": number[17]},
            )

    # Area codes are not looked up: codes abolished since a card was issued stay valid on it.
    area_code = number[:6]
    if area_code[0] == "0":
        raise _Problem(
            "area",
            gettext_noop(
                "The area code part (digits 1–6) '%(area)s' is not valid: area codes never "
                "start with 0."
            ),
            {"area": area_code},
        )

    if legacy:
        date_part, span = number[6:12], "7–12"
        year, month, day = 1900 + int(date_part[:2]), int(date_part[2:4]), int(date_part[4:6])
    else:
        date_part, span = number[6:14], "7–14"
        year, month, day = int(date_part[:4]), int(date_part[4:6]), int(date_part[6:8])
    params = {"span": span, "value": date_part}
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(max(year, 1), month)[1]):
        raise _Problem(
            "birth_date",
            gettext_noop("The birth date part (digits %(span)s) '%(value)s' is not a valid date."),
            params,
        )
    if year < 1900:
        raise _Problem(
            "birth_date",
            gettext_noop("The birth date part (digits %(span)s) '%(value)s' is before 1900."),
            params,
        )
    birth_date = date(year, month, day)
    if birth_date > (today or _today()):
        raise _Problem(
            "birth_date",
            gettext_noop("The birth date part (digits %(span)s) '%(value)s' is in the future."),
            params,
        )

    if not legacy:
        expected = _id_check_char(number[:17])
        if number[17] != expected:
            raise _Problem(
                "checksum",
                gettext_noop("The check character should be '%(expected)s', not '%(actual)s'."),
                {"expected": expected, "actual": number[17]},
            )

    sex_digit = int(number[14] if legacy else number[16])
    return ResidentId(
        number=number,
        birth_date=birth_date,
        sex="male" if sex_digit % 2 else "female",
        legacy=legacy,
        area_code=area_code,
    )


def _today() -> date:
    # "Today" is the local date of the deployment (Asia/Shanghai), not the server's UTC date.
    if settings.configured and settings.USE_TZ:
        return timezone.localdate()
    return date.today()


def validate_resident_id(value: str, *, today: date | None = None) -> ResidentId:
    """Validate a resident ID number and return what it encodes.

    Surrounding whitespace, full-width characters and a lower-case ``x`` are accepted; the
    returned ``number`` is the normalised form. ``today`` (default: the local date) bounds
    the birth date. Raises :class:`InvalidResidentId`.
    """
    try:
        return _parse_resident_id(value, today)
    except _Problem as problem:
        raise InvalidResidentId._from(problem) from None


def resident_id_validator(value: str) -> None:
    """Django validator for resident ID numbers (forms and model fields)."""
    try:
        validate_resident_id(value)
    except InvalidResidentId as error:
        raise ValidationError(error.message, code=error.code) from None


# --- Phone numbers -------------------------------------------------------------------------

_PHONE_ALLOWED = re.compile(r"[0-9\s()+-]")
_PHONE_SEPARATORS = re.compile(r"[\s()-]+")


def _valid_area_code(area: str) -> bool:
    # The national plan: 010 and 020-029 have three digits, every other code four (03xx-09xx).
    if len(area) == 3:
        return area == "010" or area[:2] == "02"
    return len(area) == 4 and area[0] == "0" and area[1] in "3456789"


def _parse_phone(value: object, allow_fixed_line: bool) -> tuple[str, str | None]:
    """Return ``(mobile, None)`` or ``(area_code, local_number)``."""
    text = _clean(value)
    if not text:
        raise _Problem("empty", gettext_noop("Enter a phone number."))
    for index, char in enumerate(text):
        if not _PHONE_ALLOWED.fullmatch(char) or (char == "+" and index):
            raise _Problem(
                "characters",
                gettext_noop(
                    "A phone number contains only digits, spaces and hyphens (and an optional "
                    "+86 at the start); '%(char)s' is not allowed."
                ),
                {"char": char},
            )

    international = True
    if text.startswith("+"):
        text = text[1:].lstrip()
        if not text.startswith("86"):
            raise _Problem(
                "country_code",
                gettext_noop("Only mainland China numbers (country code +86) are accepted."),
            )
        text = text[2:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86"):
        # No national number starts with 8, so a leading 86 can only be the country code.
        text = text[2:]
    else:
        international = False

    groups = [group for group in _PHONE_SEPARATORS.split(text) if group]
    digits = "".join(groups)
    if not digits:
        raise _Problem("empty", gettext_noop("Enter a phone number."))

    # Beijing's area code 010 written internationally (+86 10 ...) also starts with a 1.
    if digits[0] == "1" and not (international and digits.startswith("10")):
        if len(digits) != 11:
            raise _Problem(
                "mobile_length",
                gettext_noop("A mobile number has 11 digits; this one has %(count)s."),
                {"count": len(digits)},
            )
        if digits[1] not in "3456789":
            raise _Problem(
                "mobile_prefix",
                gettext_noop("A mobile number starts with 13 to 19, not %(prefix)s."),
                {"prefix": digits[:2]},
            )
        return digits, None

    if digits[0] != "0":
        if not international:
            raise _Problem(
                "area_code",
                gettext_noop("A fixed-line number starts with its area code, as in 0512-66881234."),
            )
        # Written internationally (+86 512 ...), the area code loses its leading 0.
        groups[0] = "0" + groups[0]
        digits = "0" + digits

    if not allow_fixed_line:
        raise _Problem(
            "fixed_line",
            gettext_noop("Enter a mobile number; fixed-line numbers are not accepted here."),
        )
    if len(groups) > 1:
        area, local = groups[0], "".join(groups[1:])
    else:
        split = 3 if digits.startswith(("010", "02")) else 4
        area, local = digits[:split], digits[split:]
    if not _valid_area_code(area):
        raise _Problem(
            "area_code",
            gettext_noop(
                "'%(area)s' is not an area code: 010 and 020–029 have 3 digits, all others 4 "
                "(such as 0512)."
            ),
            {"area": area},
        )
    if not 7 <= len(local) <= 8 or local[0] == "0":
        raise _Problem(
            "local_number",
            gettext_noop(
                "The number after the area code should have 7 or 8 digits and not start with "
                "0; '%(local)s' does not."
            ),
            {"local": local},
        )
    return area, local


def validate_mobile(value: str, *, allow_fixed_line: bool = True) -> str:
    """Validate a mainland phone number and return it normalised.

    Mobiles come back as 11 digits (``"13812341234"``), fixed lines as area code, hyphen and
    local number (``"0512-66881234"``). Spaces, hyphens, brackets, full-width digits and a
    ``+86``/``0086``/``86`` prefix are accepted. Raises :class:`InvalidPhone`.
    """
    try:
        first, local = _parse_phone(value, allow_fixed_line)
    except _Problem as problem:
        raise InvalidPhone._from(problem) from None
    return first if local is None else f"{first}-{local}"


def phone_validator(value: str) -> None:
    """Django validator for phone numbers (mobile or fixed line)."""
    try:
        validate_mobile(value)
    except InvalidPhone as error:
        raise ValidationError(error.message, code=error.code) from None


# --- Unified social credit codes (GB 32100-2015) -------------------------------------------

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {char: index for index, char in enumerate(_CREDIT_CHARS)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _parse_credit_code(value: object) -> str:
    code = _clean(value).upper()
    if len(code) != 18:
        raise _Problem(
            "length",
            gettext_noop("A unified social credit code has 18 characters; this one has %(count)s."),
            {"count": len(code)},
        )
    for index, char in enumerate(code):
        if char not in _CREDIT_VALUES:
            raise _Problem(
                "characters",
                gettext_noop(
                    "'%(char)s' at position %(position)s cannot appear in a unified social "
                    "credit code (it uses digits and capital letters except I, O, S, V and Z)."
                ),
                {"char": char, "position": index + 1},
            )
    total = sum(
        _CREDIT_VALUES[char] * weight
        for char, weight in zip(code[:17], _CREDIT_WEIGHTS, strict=True)
    )
    expected = _CREDIT_CHARS[(31 - total % 31) % 31]
    if code[17] != expected:
        raise _Problem(
            "checksum",
            gettext_noop("The check character should be '%(expected)s', not '%(actual)s'."),
            {"expected": expected, "actual": code[17]},
        )
    return code


def validate_credit_code(value: str) -> str:
    """Validate a unified social credit code and return it upper-cased and trimmed.

    Raises :class:`InvalidCreditCode`.
    """
    try:
        return _parse_credit_code(value)
    except _Problem as problem:
        raise InvalidCreditCode._from(problem) from None


def credit_code_validator(value: str) -> None:
    """Django validator for unified social credit codes."""
    try:
        validate_credit_code(value)
    except InvalidCreditCode as error:
        raise ValidationError(error.message, code=error.code) from None


# --- Masking for display -------------------------------------------------------------------
# These render inside pages, so they accept anything and never raise.


def _keep_ends(text: str, head: int, tail: int) -> str:
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[len(text) - tail :]


def mask_id_number(value: object) -> str:
    """``"110105199001011234"`` → ``"110105********1234"``: the first 6 and last 4 stay."""
    return _keep_ends(_clean(value).upper(), 6, 4)


def mask_phone(value: object) -> str:
    """``"13812341234"`` → ``"138****1234"``; ``"0512-66881234"`` → ``"0512-****1234"``.

    Anything that is not a valid number keeps only its last 4 characters, and becomes all
    asterisks when shorter than 8.
    """
    try:
        first, local = _parse_phone(value, allow_fixed_line=True)
    except _Problem:
        # The shape is unknown, so reveal little: a bare local number would otherwise show 7.
        text = _clean(value)
        return _keep_ends(text, 0, 4) if len(text) >= 8 else "*" * len(text)
    if local is None:
        return _keep_ends(first, 3, 4)
    return f"{first}-{_keep_ends(local, 0, 4)}"


def mask_name(value: object) -> str:
    """``"张三"`` → ``"张*"``, ``"欧阳娜娜"`` → ``"欧***"``; a one-character name stays."""
    name = _clean(value)
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def compose_resident_id(area_code: str, birth_date: date, sequence: int, sex: str) -> str:
    """An 18-digit number with its check character, for demo data and tests.

    ``sequence`` (0–99) fills digits 15–16; digit 17 is odd for men and even for women.
    """
    sex_digit = (sequence % 5) * 2 + (1 if sex == "male" else 0)
    body = f"{area_code}{birth_date:%Y%m%d}{sequence % 100:02d}{sex_digit}"
    return body + _id_check_char(body)
