"""Excel registers: export any list, import with a template, all rows or none.

An import is declared as an :class:`ImportSpec`: columns with Chinese headers, a parser per
column, and a row check that may look at the database. Every row of the file is read and
checked before anything is written; one bad row means nothing is imported and the report
lists every problem with its row number (as Excel shows it), column and reason. The rows are
then applied through the register's actions in a single transaction.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

import xlsxwriter
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from .actions import action, describe, label_event
from .personal_data import Sensitive

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Export --------------------------------------------------------------------------------


@dataclass
class ExportColumn:
    """A column of an export: its header and the attribute (or callable) giving the value."""

    header: Any
    source: str | Callable[[Any], Any]
    width: int = 16

    def value(self, obj: Any) -> Any:
        if callable(self.source):
            return self.source(obj)
        value: Any = obj
        for part in self.source.split("__"):
            value = getattr(value, part, None) if value is not None else None
            if callable(value):
                value = value()
        return value


def cell_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Sensitive):
        return str(value)  # masked: exports never carry full personal numbers
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
            if timezone.is_aware(value)
            else value.strftime("%Y-%m-%d %H:%M:%S")
        )
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float):
        return value
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return force_str(value)


def write_workbook(
    rows: Iterable[Any], columns: list[ExportColumn], sheet: str = "Sheet1"
) -> bytes:
    """An .xlsx with a bold header row, frozen, columns sized, numbers kept as numbers."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    ws = book.add_worksheet(sheet[:31])
    header = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    for col, column in enumerate(columns):
        ws.write_string(0, col, force_str(column.header), header)
        ws.set_column(col, col, column.width)
    ws.freeze_panes(1, 0)
    for r, obj in enumerate(rows, start=1):
        for col, column in enumerate(columns):
            value = cell_value(column.value(obj))
            if isinstance(value, int | float):
                ws.write_number(r, col, value)
            else:
                # Strings stay strings: a leading "=" is not a formula, long digits keep zeros.
                ws.write_string(r, col, value)
    book.close()
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def export_response(queryset: Any, columns: list[ExportColumn], name: str) -> HttpResponse:
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    rows = queryset.iterator(chunk_size=2000) if hasattr(queryset, "iterator") else queryset
    return xlsx_response(write_workbook(rows, columns), f"{name}-{stamp}.xlsx")


# --- Import --------------------------------------------------------------------------------


class CellError(ValueError):
    """A cell's value is wrong; the message says why, in the user's language."""


def parse_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 320506 typed as a number comes back as 320506.0
    return str(value).strip()


def parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = parse_text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(_("“%(value)s” is not a date; write it as 2026-11-29.") % {"value": text})


def parse_decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(parse_text(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not an amount.") % {"value": value}) from None


def parse_int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = float(parse_text(value))
    except ValueError:
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": value}) from None
    if not number.is_integer():
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": value})
    return int(number)


def choice_parser(choices: Any) -> Callable[[Any], str]:
    """Accepts a choice by its label (as users type it) or its value."""

    def parse(value: Any) -> str:
        text = parse_text(value)
        if not text:
            return ""
        for key, label in choices:
            if text in (key, force_str(label)):
                return key
        allowed = "、".join(force_str(label) for _key, label in choices)
        raise CellError(
            _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed}
        )

    return parse


@dataclass
class ImportColumn:
    header: Any
    key: str
    parse: Callable[[Any], Any] = parse_text
    required: bool = False
    example: str = ""
    help: Any = ""
    width: int = 18


def header_names(column: ImportColumn) -> set[str]:
    """A column's header in every interface language: a template downloaded in Chinese
    still imports when the uploader has switched to English, and the other way round."""
    from django.conf import settings
    from django.utils import translation

    names = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(force_str(column.header).strip())
    return names


@dataclass
class RowProblem:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = _("row %(row)d") % {"row": self.row}
        if self.column:
            where += f" · {self.column}"
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    total_rows: int = 0
    imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any]
    context: dict[str, Any] = field(default_factory=dict)


class ImportSpec:
    """Subclass per register: ``columns``, ``check_row`` and ``apply_row``."""

    name = "import"
    title: Any = ""
    sheet_name = "Sheet1"
    columns: list[ImportColumn] = []
    max_rows = 100_000

    def __init__(self, actor: Any) -> None:
        self.actor = actor

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        label_event(f"{cls.name}.import", cls.title)

    # Override points ---------------------------------------------------------------------

    def check_row(self, row: ParsedRow, problems: list[RowProblem], seen: dict[str, Any]) -> None:
        """Check one parsed row against the database and the rows before it."""

    def apply_row(self, row: ParsedRow) -> Any:
        raise NotImplementedError

    # Machinery ---------------------------------------------------------------------------

    def template(self) -> bytes:
        """The blank template: Chinese headers (required ones starred) and one example row."""
        columns = [ExportColumn(self.header_text(c), c.key, c.width) for c in self.columns]
        example = SimpleNamespace(**{c.key: c.example for c in self.columns})
        return write_workbook([example], columns, self.sheet_name)

    @staticmethod
    def header_text(column: ImportColumn) -> str:
        return force_str(column.header) + ("*" if column.required else "")

    def read(self, content: bytes) -> tuple[list[ParsedRow], list[RowProblem]]:
        from python_calamine import CalamineWorkbook

        problems: list[RowProblem] = []
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(content))
            sheet = book.get_sheet_by_index(0)
            raw = sheet.to_python(skip_empty_area=False)
        except Exception:
            return [], [
                RowProblem(0, "", _("The file is not an Excel workbook (.xlsx, .xls, .ods)."))
            ]
        if not raw:
            return [], [RowProblem(1, "", _("The sheet is empty: start from the template."))]
        headers = [parse_text(h).rstrip("*").strip() for h in raw[0]]
        index: dict[str, int] = {}
        for column in self.columns:
            label = force_str(column.header)
            found = [i for i, header in enumerate(headers) if header in header_names(column)]
            if found:
                index[column.key] = found[0]
            elif column.required:
                problems.append(
                    RowProblem(1, label, _("This column is missing: start from the template."))
                )
        if problems:
            return [], problems
        rows: list[ParsedRow] = []
        for offset, cells in enumerate(raw[1:], start=2):
            if all(parse_text(c) == "" for c in cells):
                continue
            if len(rows) >= self.max_rows:
                problems.append(
                    RowProblem(
                        offset,
                        "",
                        _("Too many rows: at most %(n)d per file.") % {"n": self.max_rows},
                    )
                )
                break
            values: dict[str, Any] = {}
            for column in self.columns:
                position = index.get(column.key)
                cell = cells[position] if position is not None and position < len(cells) else None
                if column.required and parse_text(cell) == "":
                    problems.append(
                        RowProblem(offset, force_str(column.header), _("This cell is required."))
                    )
                    continue
                try:
                    values[column.key] = column.parse(cell)
                except (CellError, ValidationError) as exc:
                    reason = (
                        "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                    )
                    problems.append(RowProblem(offset, force_str(column.header), reason))
            rows.append(ParsedRow(offset, values))
        return rows, problems

    def run(self, content: bytes, *, dry_run: bool = False) -> ImportReport:
        """Validate every row; import all of them in one transaction, or none."""
        rows, problems = self.read(content)
        report = ImportReport(total_rows=len(rows), dry_run=dry_run)
        bad = {p.row for p in problems}
        seen: dict[str, Any] = {}
        for row in rows:
            if row.number in bad:
                continue
            self.check_row(row, problems, seen)
        report.problems = sorted(problems, key=lambda p: (p.row, p.column))
        if not report.ok or dry_run:
            return report
        try:
            self._apply_all(rows, report)
        except ValidationError:
            report.imported = 0
            return report
        report.imported = len(rows)
        return report

    def _apply_all(self, rows: list[ParsedRow], report: ImportReport) -> None:
        # One action for the whole file: one transaction and one audit event; the row
        # actions called inside join it instead of auditing themselves.
        @action(f"{self.name}.import")
        def apply(actor: Any) -> None:
            for row in rows:
                try:
                    self.apply_row(row)
                except ValidationError as exc:
                    report.problems.append(RowProblem(row.number, "", "; ".join(exc.messages)))
            if report.problems:
                raise ValidationError(
                    _("%(n)d rows could not be imported.") % {"n": len(report.bad_rows())}
                )
            describe(message=_("%(n)d rows imported") % {"n": len(rows)})

        apply(self.actor)
