"""Import places (villages, residential areas, buildings) from an Excel register."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.spreadsheets import ImportColumn, ImportSpec, ParsedRow, RowProblem, choice_parser

from . import divisions
from .actions import check_placement, create_place
from .models import Place


class PlaceImport(ImportSpec):
    """Rows: parent place (by name or code), kind, name, code."""

    name = "places"
    title = gettext_lazy("Import places")
    sheet_name = "地点"
    columns = [
        ImportColumn(
            gettext_lazy("Belongs to"),
            "parent",
            required=True,
            example="湖滨社区",
            help=gettext_lazy("Name or code of an existing place in your scope"),
        ),
        ImportColumn(
            gettext_lazy("Kind"),
            "kind",
            choice_parser(Place.Kind.choices),
            required=True,
            example=str(Place.Kind.VILLAGE.label),
        ),
        ImportColumn(gettext_lazy("Name"), "name", required=True, example="新桥村"),
        ImportColumn(
            gettext_lazy("Division code"),
            "code",
            example="320506111201",
            help=gettext_lazy(
                "6 digits for a county, 9 for a town, 12 for a community or village; "
                "an unknown code is accepted with a warning"
            ),
        ),
    ]

    def __init__(self, actor: Any) -> None:
        super().__init__(actor)
        # Codes that are well formed but not in the national data: imported, but listed.
        self.warnings: list[RowProblem] = []

    def find_parent(self, key: str) -> tuple[Place | None, str]:
        visible = Place.objects.for_user(self.actor)
        by_code = list(visible.filter(code=key)[:2]) if key else []
        matches = by_code or list(visible.filter(name=key)[:2])
        if not matches:
            return None, _("No place “%(name)s” in your scope.") % {"name": key}
        if len(matches) > 1:
            return None, _("Several places are called “%(name)s”: use the division code.") % {
                "name": key
            }
        return matches[0], ""

    def check_row(self, row: ParsedRow, problems: list[RowProblem], seen: dict[str, Any]) -> None:
        values = row.values
        parent, reason = self.find_parent(values["parent"])
        if parent is None:
            problems.append(RowProblem(row.number, str(_("Belongs to")), reason))
            return
        try:
            check_placement(parent, values["kind"])
        except ValidationError as exc:
            problems.append(RowProblem(row.number, str(_("Kind")), "; ".join(exc.messages)))
            return
        try:
            warning = divisions.check_code(values.get("code", ""), values["kind"])
        except ValidationError as exc:
            problems.append(
                RowProblem(row.number, str(_("Division code")), "; ".join(exc.messages))
            )
            return
        if warning:
            self.warnings.append(RowProblem(row.number, str(_("Division code")), warning))
        key = (parent.pk, values["name"])
        if key in seen:
            problems.append(
                RowProblem(
                    row.number,
                    str(_("Name")),
                    _("The same place as row %(row)d.") % {"row": seen[key]},
                )
            )
            return
        seen[key] = row.number
        if Place.objects.filter(parent=parent, name=values["name"]).exists():
            problems.append(
                RowProblem(
                    row.number,
                    str(_("Name")),
                    _("%(parent)s already has %(name)s.")
                    % {"parent": parent.name, "name": values["name"]},
                )
            )
            return
        row.context["parent"] = parent

    def apply_row(self, row: ParsedRow) -> Place:
        return create_place(
            self.actor,
            parent=row.context["parent"],
            kind=row.values["kind"],
            name=row.values["name"],
            code=row.values.get("code", ""),
        )
