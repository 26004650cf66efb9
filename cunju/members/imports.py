"""Import the Party member register (党员信息库) from Excel, and enter members in bulk.

Every row is checked before anything is written: the resident ID number and what it encodes
(sex, birth date), dates against the admission rules, choices by their Chinese labels, the
Party organization (inside the importer's scope), and ID numbers already in the file or the
register. The rows are then written by :func:`enter_members`, which does what
``register_member`` does for one member — the same checks, the same member, timeline and
membership-period rows — with a handful of queries per thousand members instead of ten per
member, inside the import's one audited action.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, current_action, describe, require
from cunju.core.cipher import cipher_from_settings
from cunju.core.idnumbers import (
    InvalidPhone,
    InvalidResidentId,
    ResidentId,
    validate_mobile,
    validate_resident_id,
)
from cunju.core.personal_data import ID_NUMBER, PHONE, normalize
from cunju.core.pinyin import full_pinyin, initials
from cunju.core.spreadsheets import (
    CellError,
    ImportColumn,
    ImportSpec,
    ParsedRow,
    RowProblem,
    parse_date,
    parse_text,
)
from cunju.organizations import tallies
from cunju.organizations.imports import OrganizationNames, label_parser
from cunju.organizations.models import Organization

from .actions import admission_periods, check_dates, organization_paths
from .models import (
    ACTIVE_STATUSES,
    ETHNICITIES,
    Education,
    Member,
    MemberEvent,
    MembershipPeriod,
    MemberStatus,
    Occupation,
    Sex,
)

# Organizations members belong to (a Party group is a part of a branch, not a register).
MEMBER_KINDS = {
    Organization.Kind.COMMITTEE,
    Organization.Kind.GENERAL_BRANCH,
    Organization.Kind.BRANCH,
}
# Rows per ``IN (...)`` query: below SQLite's oldest limit on bound variables.
CHUNK = 900


def _field(name: str) -> Any:
    return capfirst(Member._meta.get_field(name).verbose_name)


# --- Entering members in bulk ---------------------------------------------------------------


class _Limits:
    """Field lengths and choices, read once from the model (``full_clean`` reads them per row)."""

    def __init__(self) -> None:
        field = Member._meta.get_field
        self.lengths = {
            key: field(key).max_length for key in ("name", "work_unit", "address", "ethnicity")
        }
        self.choices = {
            "sex": set(Sex.values),
            "education": set(Education.values),
            "occupation": set(Occupation.values),
        }


def _check_entry(entry: dict[str, Any], limits: _Limits) -> dict[str, str]:
    """What ``full_clean`` and ``register_member`` would refuse, as {field: message}."""
    errors: dict[str, str] = {}
    name = (entry.get("name") or "").strip()
    if not name:
        errors["name"] = _("Give the member's name.")
    for key, allowed in limits.choices.items():
        if entry.get(key) not in allowed:
            errors[key] = _("Choose one of the listed values.")
    status = entry.get("status", MemberStatus.FULL)
    if status not in ACTIVE_STATUSES and status != MemberStatus.SUSPENDED:
        errors["status"] = _("Only current members can be entered.")
    for key, length in limits.lengths.items():
        if len((entry.get(key) or "").strip()) > length:
            errors[key] = _("This text is too long.")
    if entry["organization"].kind not in MEMBER_KINDS:
        errors["organization"] = _(
            "Members belong to a branch, general branch or committee, not a group."
        )
    try:
        check_dates(entry["birth_date"], entry["admitted_on"], entry.get("full_on"), status)
    except ValidationError as exc:
        errors.update({k: "; ".join(v) for k, v in exc.message_dict.items()})
    return errors


def existing_id_indexes(indexes: Iterable[str]) -> set[str]:
    """Which of these ID blind indexes are already in the register (chunked ``IN``)."""
    wanted = sorted({index for index in indexes if index})
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        found.update(
            Member.objects.filter(id_number_index__in=wanted[start : start + CHUNK]).values_list(
                "id_number_index", flat=True
            )
        )
    return found


def _copy_rows(
    model: type[models.Model],
    table: str,
    column_sql: str,
    rows: list[dict[str, Any]],
    tail: tuple,
    *,
    ids: bool,
) -> list:
    """PostgreSQL: stream the rows with COPY, ids taken from the table's sequence first.

    Multi-row INSERTs with tens of thousands of parameters spend most of their time in the
    driver splitting the query text; COPY sends plain rows and is several times faster.
    """
    pk = model._meta.pk.column
    new_ids: list = []
    with connection.cursor() as cursor:
        if ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, pk, len(rows)],
            )
            new_ids = [found[0] for found in cursor.fetchall()]
            column_sql = f"{connection.ops.quote_name(pk)}, {column_sql}"
        with cursor.cursor.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:
            for index, row in enumerate(rows):
                values = [*row.values(), *tail]
                copy.write_row([new_ids[index], *values] if ids else values)
    return new_ids


def _insert(model: type[models.Model], rows: list[dict[str, Any]], *, ids: bool = False) -> list:
    """Multi-row INSERTs of already-prepared column values; the new ids in row order.

    ``bulk_create`` spends most of its time preparing each value of each row through its
    field; here the caller hands database-ready values and every other column gets its
    default, prepared once. Rows must all name the same fields.
    """
    if not rows:
        return []
    now = timezone.now()
    given = list(rows[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    constants: dict[str, Any] = {}
    for field in fields:
        if field.attname in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = field.get_default()
        constants[field.attname] = field.get_db_prep_save(value, connection)
    columns = given + list(constants)
    tail = tuple(constants.values())
    column_of = {field.attname: field.column for field in fields}
    column_sql = ", ".join(connection.ops.quote_name(column_of[name]) for name in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        return _copy_rows(model, table, column_sql, rows, tail, ids=ids)
    limit = connection.features.max_query_params or 65535
    per_statement = max(1, min(CHUNK, limit // len(columns)))
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    returning = f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}" if ids else ""
    new_ids: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            params: list[Any] = []
            for row in batch:
                params.extend(row.values())
                params.extend(tail)
            cursor.execute(
                f"INSERT INTO {table} ({column_sql}) VALUES {', '.join([one] * len(batch))}"
                + returning,
                params,
            )
            if ids:
                new_ids.extend(found[0] for found in cursor.fetchall())
    return new_ids


@action("members.register_members", gettext_lazy("Enter members in the register"))
def enter_members(actor: Any, entries: list[dict[str, Any]]) -> list[int]:
    """Enter many members at once; each entry takes ``register_member``'s keyword arguments
    (the ID number as text, or as the ``ResidentId`` the import's check already validated).

    Writes what ``register_member`` writes for each (the member, its timeline, its membership
    periods) and refuses what it refuses; all or nothing, naming the entry (1-based) and what
    is wrong. Returns the new members' ids in the order of the entries.
    """
    require(actor, "members.add_member")
    if not entries:
        return []
    org_ids = {entry["organization"].pk for entry in entries}
    in_scope = set(
        Organization.objects.for_user(actor)
        .current()
        .filter(pk__in=org_ids)
        .values_list("pk", flat=True)
    )
    cipher = cipher_from_settings()
    today = dt.date.today()
    checking_on = timezone.localdate()
    limits = _Limits()
    errors: list[str] = []
    prepared: list[tuple[dict[str, Any], str, str, str, str]] = []
    first_with: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        problems = _check_entry(entry, limits)
        if entry["organization"].pk not in in_scope:
            problems["organization"] = _("The organization is not in your scope.")
        id_number = phone = id_index = phone_index = ""
        try:
            given = entry.get("id_number")
            if isinstance(given, ResidentId):
                id_number = given.number  # validated already, by the import's check
            elif given:
                id_number = validate_resident_id(given, today=checking_on).number
                id_index = cipher.blind_index(id_number, purpose=ID_NUMBER)
        except InvalidResidentId as exc:
            problems["id_number"] = exc.message
        try:
            if entry.get("phone"):
                phone = validate_mobile(entry["phone"])
                phone_index = cipher.blind_index(phone, purpose=PHONE)
        except InvalidPhone as exc:
            problems["phone"] = exc.message
        if id_index:
            if id_index in first_with:
                problems["id_number"] = _("The same ID number as entry %(n)d.") % {
                    "n": first_with[id_index]
                }
            first_with.setdefault(id_index, number)
        for key, message in problems.items():
            errors.append(f"{number} · {key}: {message}")
        prepared.append((entry, id_number, id_index, phone, phone_index))
    for index in existing_id_indexes(first_with):
        errors.append(
            f"{first_with[index]} · id_number: "
            + _("A member with this ID number is already in the register.")
        )
    if errors:
        raise ValidationError(errors)

    date = connection.ops.adapt_datefield_value
    pinyin: dict[str, tuple[str, str]] = {}
    id_purpose = f"{Member._meta.label_lower}.id_number"
    phone_purpose = f"{Member._meta.label_lower}.phone"
    rows = []
    for entry, id_number, id_index, phone, phone_index in prepared:
        org = entry["organization"]
        name = entry["name"].strip()
        if name not in pinyin:
            pinyin[name] = (
                full_pinyin(name, person=True)[:255],
                initials(name, person=True)[:64],
            )
        rows.append(
            {
                "organization_id": org.pk,
                "org_path": org.path,
                "name": name,
                "name_pinyin": pinyin[name][0],
                "name_initials": pinyin[name][1],
                "sex": entry["sex"],
                "ethnicity": (entry.get("ethnicity") or "汉族").strip(),
                "birth_date": date(entry["birth_date"]),
                "id_number": cipher.seal(id_number, purpose=id_purpose) if id_number else "",
                "id_number_index": id_index,
                "phone": cipher.seal(phone, purpose=phone_purpose) if phone else "",
                "phone_index": phone_index,
                "education": entry["education"],
                "occupation": entry["occupation"],
                "work_unit": (entry.get("work_unit") or "").strip(),
                "address": (entry.get("address") or "").strip(),
                "status": entry.get("status", MemberStatus.FULL),
                "admitted_on": date(entry["admitted_on"]),
                "full_on": date(entry.get("full_on")),
                "is_mobile": bool(entry.get("is_mobile")),
            }
        )
    member_ids = _insert(Member, rows, ids=True)
    # The rows skipped the model's signals: the organizations' tallies are counted again.
    tallies.recount(org_ids)

    admitted = str(_("Admitted as probationary member"))
    became_full = str(_("Became a full member"))
    registered_on = date(today)
    registered: dict[int, str] = {}
    events: list[dict[str, Any]] = []
    periods: list[dict[str, Any]] = []
    paths: dict[int, list] = {}
    for member_id, (entry, *_numbers) in zip(member_ids, prepared, strict=True):
        org = entry["organization"]
        full_on = entry.get("full_on")
        status = entry.get("status", MemberStatus.FULL)
        is_mobile = bool(entry.get("is_mobile"))
        if org.pk not in registered:
            registered[org.pk] = str(_("Entered in the register of %(org)s") % {"org": org.name})[
                :300
            ]
        events.append(
            {
                "member_id": member_id,
                "date": date(entry["admitted_on"]),
                "kind": MemberEvent.Kind.ADMITTED.value,
                "summary": admitted,
                "organization_id": org.pk,
            }
        )
        if full_on:
            events.append(
                {
                    "member_id": member_id,
                    "date": date(full_on),
                    "kind": MemberEvent.Kind.FULL.value,
                    "summary": became_full,
                    "organization_id": org.pk,
                }
            )
        events.append(
            {
                "member_id": member_id,
                "date": registered_on,
                "kind": MemberEvent.Kind.REGISTERED.value,
                "summary": registered[org.pk],
                "organization_id": org.pk,
            }
        )
        if org.pk not in paths:
            paths[org.pk] = organization_paths(org)
        for row in admission_periods(
            org, entry["admitted_on"], full_on, str(status), is_mobile, paths[org.pk]
        ):
            row.update(valid_from=date(row["valid_from"]), valid_to=date(row["valid_to"]))
            periods.append({"member_id": member_id, **row})
    # Events with and without a full membership date name the same columns.
    _insert(MemberEvent, events)
    _insert(MembershipPeriod, periods)
    # The audit event counts the members as entries, as if each had been registered alone.
    inner = current_action().inner_actions
    inner["members.register_member"] = inner.get("members.register_member", 0) + len(rows)
    describe(message=_("%(n)d members entered in the register") % {"n": len(rows)})
    return member_ids


# --- The Excel import ------------------------------------------------------------------------


# The date ID numbers are checked against, fixed once per file rather than read per row.
_checking_on: ContextVar[dt.date | None] = ContextVar("checking_on", default=None)


def parse_id_number(value: Any) -> ResidentId | None:
    text = parse_text(value)
    if not text:
        return None
    try:
        return validate_resident_id(text, today=_checking_on.get())
    except InvalidResidentId as exc:
        raise CellError(exc.message) from None


def parse_phone(value: Any) -> str:
    try:
        return normalize(PHONE, parse_text(value))
    except ValidationError as exc:
        raise CellError("; ".join(exc.messages)) from None


def parse_ethnicity(value: Any) -> str:
    text = parse_text(value)
    if not text:
        return "汉族"
    for candidate in (text, f"{text}族"):
        if candidate in ETHNICITIES:
            return candidate
    raise CellError(
        _("“%(value)s” is not one of the 56 ethnic groups; write it as 汉族, 回族…")
        % {"value": text}
    )


def text_parser(max_length: int) -> Any:
    def parse(value: Any) -> str:
        text = parse_text(value)
        if len(text) > max_length:
            raise CellError(
                _("At most %(n)d characters; this has %(count)d.")
                % {"n": max_length, "count": len(text)}
            )
        return text

    return parse


_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


def parse_day(value: Any) -> dt.date | None:
    """``parse_date`` with a fast path for 2026-11-29 (strptime is slow on large files)."""
    if isinstance(value, str):
        match = _ISO_DATE.fullmatch(value.strip())
        if match:
            try:
                return dt.date(*map(int, match.groups()))
            except ValueError:
                pass  # 2023-02-30: let parse_date say what is wrong
    return parse_date(value)


parse_yes_no = label_parser([("1", gettext_lazy("Yes")), ("", gettext_lazy("No"))])
IMPORTED_STATUSES = [
    (MemberStatus.PROBATIONARY.value, MemberStatus.PROBATIONARY.label),
    (MemberStatus.FULL.value, MemberStatus.FULL.label),
]


class MemberImport(ImportSpec):
    """Rows: one Party member each, as on the register's paper form."""

    name = "members"
    title = gettext_lazy("Import Party members")
    sheet_name = "党员"
    columns = [
        ImportColumn(
            gettext_lazy("Full name"), "name", text_parser(50), required=True, example="张三"
        ),
        ImportColumn(
            _field("sex"),
            "sex",
            label_parser(Sex.choices),
            example=Sex.MALE.label,
            help=gettext_lazy("Read from the ID number when left blank"),
        ),
        ImportColumn(_field("ethnicity"), "ethnicity", parse_ethnicity, example="汉族"),
        ImportColumn(
            _field("birth_date"),
            "birth_date",
            parse_day,
            example="1980-05-20",
            help=gettext_lazy("Read from the ID number when left blank"),
        ),
        ImportColumn(
            _field("id_number"),
            "id_number",
            parse_id_number,
            required=True,
            example="320506198005200375",
            help=gettext_lazy("18 characters; write it as text so Excel keeps every digit"),
            width=22,
        ),
        ImportColumn(gettext_lazy("Mobile phone"), "phone", parse_phone, example="13812340006"),
        ImportColumn(
            _field("education"),
            "education",
            label_parser(Education.choices),
            required=True,
            example=Education.HIGH_SCHOOL.label,
        ),
        ImportColumn(
            _field("occupation"),
            "occupation",
            label_parser(Occupation.choices),
            required=True,
            example=Occupation.FARMER.label,
        ),
        ImportColumn(_field("work_unit"), "work_unit", text_parser(100), example="湖桥镇新桥村"),
        ImportColumn(_field("address"), "address", text_parser(200), example="新桥村12组8号"),
        ImportColumn(
            gettext_lazy("Member's Party organization"),
            "organization",
            required=True,
            example="新桥村党支部",
            help=gettext_lazy(
                "Name or short name of an organization in your scope; where names repeat, "
                "the path such as 湖滨社区党委/新桥村党支部"
            ),
            width=24,
        ),
        ImportColumn(
            gettext_lazy("Member status"),
            "status",
            label_parser(IMPORTED_STATUSES),
            required=True,
            example=MemberStatus.FULL.label,
        ),
        ImportColumn(
            _field("admitted_on"), "admitted_on", parse_day, required=True, example="2005-07-01"
        ),
        ImportColumn(
            _field("full_on"),
            "full_on",
            parse_day,
            example="2006-07-01",
            help=gettext_lazy("Required for full members, empty for probationary ones"),
        ),
        ImportColumn(
            gettext_lazy("Mobile member?"), "is_mobile", parse_yes_no, example=gettext_lazy("No")
        ),
    ]

    def read(self, content: bytes) -> tuple[list[ParsedRow], list[RowProblem]]:
        token = _checking_on.set(timezone.localdate())
        try:
            rows, problems = super().read(content)
        finally:
            _checking_on.reset(token)
        # Everything the row checks need, in a few queries for the whole file.
        self.headers = {c.key: force_str(c.header) for c in self.columns}
        self.organizations = OrganizationNames(self.actor)
        self.found: dict[str, Any] = {}
        cipher = cipher_from_settings()
        for row in rows:
            resident = row.values.get("id_number")
            if resident is not None:
                row.context["id_index"] = cipher.blind_index(resident.number, purpose=ID_NUMBER)
        self.taken = existing_id_indexes(row.context.get("id_index", "") for row in rows)
        return rows, problems

    def problem(self, row: ParsedRow, key: str, reason: str) -> RowProblem:
        return RowProblem(row.number, self.headers[key], reason)

    def check_row(self, row: ParsedRow, problems: list[RowProblem], seen: dict[str, Any]) -> None:
        values = row.values
        before = len(problems)
        text = values["organization"]
        if text not in self.found:
            self.found[text] = self.organizations.find(text)
        node, reason = self.found[text]
        if node is None:
            problems.append(self.problem(row, "organization", reason))
        elif node.kind not in MEMBER_KINDS:
            problems.append(
                self.problem(
                    row,
                    "organization",
                    _("Members belong to a branch, general branch or committee, not a group."),
                )
            )
        else:
            row.context["organization"] = node.organization

        resident: ResidentId = values["id_number"]
        index = row.context["id_index"]
        if index in seen:
            problems.append(
                self.problem(
                    row, "id_number", _("The same ID number as row %(row)d.") % {"row": seen[index]}
                )
            )
        else:
            seen[index] = row.number
            if index in self.taken:
                problems.append(
                    self.problem(
                        row,
                        "id_number",
                        _("A member with this ID number is already in the register."),
                    )
                )
        sex = values.get("sex") or resident.sex
        if sex != resident.sex:
            digit = 15 if resident.legacy else 17
            problems.append(
                self.problem(
                    row,
                    "sex",
                    _(
                        "The ID number says %(sex)s: its digit %(digit)d is %(parity)s "
                        "(odd for men, even for women)."
                    )
                    % {
                        "sex": Sex(resident.sex).label,
                        "digit": digit,
                        "parity": _("odd") if resident.sex == Sex.MALE else _("even"),
                    },
                )
            )
        birth_date = values.get("birth_date") or resident.birth_date
        if birth_date != resident.birth_date:
            problems.append(
                self.problem(
                    row,
                    "birth_date",
                    _(
                        "The ID number gives %(date)s as the birth date (its digits %(span)s); "
                        "this row says %(row_date)s."
                    )
                    % {
                        "date": f"{resident.birth_date:%Y-%m-%d}",
                        "span": "7–12" if resident.legacy else "7–14",
                        "row_date": f"{birth_date:%Y-%m-%d}",
                    },
                )
            )
        else:
            try:
                check_dates(
                    birth_date, values["admitted_on"], values.get("full_on"), values["status"]
                )
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    problems.append(self.problem(row, key, "; ".join(messages)))
        if len(problems) == before:
            row.context["entry"] = {
                "organization": row.context["organization"],
                "name": values["name"],
                "sex": sex,
                "birth_date": birth_date,
                "admitted_on": values["admitted_on"],
                "education": values["education"],
                "occupation": values["occupation"],
                "status": values["status"],
                "full_on": values.get("full_on"),
                "ethnicity": values.get("ethnicity") or "汉族",
                "id_number": resident,
                "phone": values.get("phone", ""),
                "work_unit": values.get("work_unit", ""),
                "address": values.get("address", ""),
                "is_mobile": bool(values.get("is_mobile")),
            }

    def _apply_all(self, rows: list[ParsedRow], report: Any) -> None:
        # One action for the whole file: one transaction and one audit event.
        @action(f"{self.name}.import")
        def apply(actor: Any) -> None:
            try:
                enter_members(actor, [row.context["entry"] for row in rows])
            except ValidationError as exc:
                # Only a change between the check and the write (a member entered meanwhile)
                # gets here; entry numbers follow the rows.
                for message in exc.messages:
                    number, _sep, reason = message.partition(" · ")
                    row = rows[int(number) - 1].number if number.isdigit() else 0
                    report.problems.append(RowProblem(row, "", reason))
                raise
            describe(message=_("%(n)d rows imported") % {"n": len(rows)})

        apply(self.actor)
