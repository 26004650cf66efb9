"""Import Party organizations from an Excel register, and find organizations named in files.

A file names an organization the way people write it: its name (中共湖滨社区委员会), its short
name (湖滨社区党委), or, where names repeat, the higher organizations before it separated by
slashes (湖滨社区党委/新桥村党支部). :class:`OrganizationNames` answers those lookups from
one query of the importer's scope, so checking 50,000 rows costs no query per row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.spreadsheets import (
    CellError,
    ImportColumn,
    ImportSpec,
    ParsedRow,
    RowProblem,
    parse_date,
    parse_text,
)
from cunju.core.tree import STEP_WIDTH
from cunju.places.models import Place

from .actions import create_organization
from .models import Organization

PATH_SEPARATOR = re.compile(r"\s*[/／]\s*")


def label_parser(choices: Any) -> Any:
    """A choice by its label in any interface language (or its value): a file filled in
    Chinese imports the same when the importer's browser is set to English."""
    labels: dict[str, str] = {}

    def parse(value: Any) -> str:
        text = parse_text(value)
        if not text:
            return ""
        if not labels:  # on first use: translations are not ready when modules load
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    labels.update({force_str(label).strip(): key for key, label in choices})
            labels.update({key: key for key, _label in choices})
        if text in labels:
            return labels[text]
        allowed = "、".join(force_str(label) for _key, label in choices)
        raise CellError(
            _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed}
        )

    return parse


def parse_past_date(value: Any) -> dt.date | None:
    date = parse_date(value)
    if date is not None and date > dt.date.today():
        raise CellError(_("The date %(date)s is in the future.") % {"date": f"{date:%Y-%m-%d}"})
    return date


@dataclass
class OrgNode:
    """An organization as a file may name it: existing, or set up by an earlier row."""

    key: Any
    name: str
    short_name: str
    kind: str
    parent_key: Any
    # Ancestors above the importer's scope help read paths but are never a row's answer.
    selectable: bool = True
    organization: Organization | None = None
    row: int | None = None
    labels: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.labels = {self.name} | ({self.short_name} if self.short_name else set())


class OrganizationNames:
    """The organizations in an actor's scope, by name, short name or slash path."""

    def __init__(self, actor: Any, *, kinds: set[str] | None = None) -> None:
        self.nodes: dict[Any, OrgNode] = {}
        self.by_label: dict[str, list[OrgNode]] = {}
        visible = (
            Organization.objects.for_user(actor)
            .current()
            .only("pk", "path", "parent_id", "name", "short_name", "kind", "place_id")
        )
        organizations = list(visible)
        for org in organizations:
            self._add(
                OrgNode(org.pk, org.name, org.short_name, org.kind, org.parent_id, organization=org)
            )
        # The scope node's own superiors, so "镇党委/湖滨社区党委/…" reads as written.
        step = STEP_WIDTH + 1
        prefixes = {
            org.path[: step * depth]
            for org in organizations
            if org.parent_id is not None and org.parent_id not in self.nodes
            for depth in range(1, len(org.path) // step)
        }
        if prefixes:
            for org in Organization.objects.filter(path__in=prefixes).only(
                "pk", "parent_id", "name", "short_name", "kind"
            ):
                if org.pk not in self.nodes:
                    self._add(
                        OrgNode(
                            org.pk,
                            org.name,
                            org.short_name,
                            org.kind,
                            org.parent_id,
                            selectable=False,
                        )
                    )

    def _add(self, node: OrgNode) -> None:
        self.nodes[node.key] = node
        for label in node.labels:
            self.by_label.setdefault(label, []).append(node)

    def add_from_row(
        self, row: int, name: str, short_name: str, kind: str, parent: OrgNode | None
    ) -> OrgNode:
        """An organization an earlier row of the same file sets up."""
        node = OrgNode(
            f"row:{row}", name, short_name, kind, parent.key if parent else None, row=row
        )
        self._add(node)
        return node

    def find(self, text: str) -> tuple[OrgNode | None, str]:
        """The one organization ``text`` names, or None and the reason for the user.

        Organizations outside the scope get the same answer as missing ones.
        """
        parts = [part for part in PATH_SEPARATOR.split(text.strip()) if part]
        if not parts:
            return None, _("Name the Party organization.")
        matches = [
            node
            for node in self.by_label.get(parts[-1], [])
            if node.selectable and self._ancestors_match(node, parts[:-1])
        ]
        if not matches:
            return None, _("There is no Party organization “%(name)s” in your scope.") % {
                "name": text.strip()
            }
        if len(matches) > 1:
            return None, _(
                "Several Party organizations are called “%(name)s”: write the higher "
                "organization before it, such as %(example)s."
            ) % {"name": text.strip(), "example": self.example_path(matches[0])}
        return matches[0], ""

    def _ancestors_match(self, node: OrgNode, names: list[str]) -> bool:
        current = node
        for name in reversed(names):
            current = self.nodes.get(current.parent_key)
            if current is None or name not in current.labels:
                return False
        return True

    def example_path(self, node: OrgNode) -> str:
        parent = self.nodes.get(node.parent_key)
        if parent is None:
            return node.name
        return f"{parent.short_name or parent.name}/{node.name}"


class OrganizationImport(ImportSpec):
    """Rows: name, short name, kind, category, higher organization, place, founded on."""

    name = "organizations"
    title = gettext_lazy("Import Party organizations")
    sheet_name = "党组织"
    columns = [
        ImportColumn(gettext_lazy("Name"), "name", required=True, example="新桥村党支部"),
        ImportColumn(gettext_lazy("Short name"), "short_name", example="新桥村支部"),
        ImportColumn(
            gettext_lazy("Kind"),
            "kind",
            label_parser(Organization.Kind.choices),
            required=True,
            example=Organization.Kind.BRANCH.label,
            help=gettext_lazy("Party committee, general branch, branch or group"),
        ),
        ImportColumn(
            gettext_lazy("Category"),
            "category",
            label_parser(Organization.Category.choices),
            required=True,
            example=Organization.Category.VILLAGE.label,
        ),
        ImportColumn(
            gettext_lazy("Higher organization"),
            "parent",
            example="湖滨社区党委",
            help=gettext_lazy(
                "Name, short name or path (湖滨社区党委/新桥村党支部) of an organization in "
                "your scope, or of one set up in an earlier row"
            ),
        ),
        ImportColumn(
            gettext_lazy("Place"),
            "place",
            required=True,
            example="新桥村",
            help=gettext_lazy("Name or division code of a place in your scope"),
        ),
        ImportColumn(
            gettext_lazy("Founded on"), "founded_on", parse_past_date, example="2019-07-01"
        ),
    ]

    def read(self, content: bytes) -> tuple[list[ParsedRow], list[RowProblem]]:
        rows, problems = super().read(content)
        self.names = OrganizationNames(self.actor)
        self.places_by_key: dict[str, list[Place]] = {}
        for place in Place.objects.for_user(self.actor).only("pk", "name", "code", "path"):
            self.places_by_key.setdefault(place.name, []).append(place)
            if place.code and place.code != place.name:
                self.places_by_key.setdefault(place.code, []).append(place)
        return rows, problems

    def column(self, key: str) -> str:
        return next(force_str(c.header) for c in self.columns if c.key == key)

    def find_place(self, key: str) -> tuple[Place | None, str]:
        matches = {place.pk: place for place in self.places_by_key.get(key, [])}
        if not matches:
            return None, _("No place “%(name)s” in your scope.") % {"name": key}
        if len(matches) > 1:
            return None, _("Several places are called “%(name)s”: use the division code.") % {
                "name": key
            }
        return next(iter(matches.values())), ""

    def check_row(self, row: ParsedRow, problems: list[RowProblem], seen: dict[str, Any]) -> None:
        values = row.values
        found = len(problems)
        parent: OrgNode | None = None
        if values.get("parent"):
            parent, reason = self.names.find(values["parent"])
            if parent is None:
                problems.append(RowProblem(row.number, self.column("parent"), reason))
        elif not self.actor.sees_everything:
            problems.append(
                RowProblem(row.number, self.column("parent"), _("Name the higher organization."))
            )
        place, reason = self.find_place(values["place"])
        if place is None:
            problems.append(RowProblem(row.number, self.column("place"), reason))
        if len(problems) > found:
            return
        allowed = Organization.ALLOWED_CHILDREN.get(parent.kind if parent else None, set())
        if values["kind"] not in allowed:
            problems.append(
                RowProblem(
                    row.number,
                    self.column("kind"),
                    _("A %(kind)s cannot be set up under %(parent)s.")
                    % {
                        "kind": Organization.Kind(values["kind"]).label,
                        "parent": parent.name if parent else _("the top level"),
                    },
                )
            )
            return
        key = (parent.key if parent else None, values["name"])
        if key in seen:
            problems.append(
                RowProblem(
                    row.number,
                    self.column("name"),
                    _("The same organization as row %(row)d.") % {"row": seen[key]},
                )
            )
            return
        seen[key] = row.number
        if (
            parent is not None
            and parent.organization is not None
            and Organization.objects.current()
            .filter(parent=parent.organization, name=values["name"])
            .exists()
        ):
            problems.append(
                RowProblem(
                    row.number,
                    self.column("name"),
                    _("%(parent)s already has %(name)s.")
                    % {"parent": parent.name, "name": values["name"]},
                )
            )
            return
        row.context["parent"] = parent
        row.context["place"] = place
        row.context["node"] = self.names.add_from_row(
            row.number, values["name"], values.get("short_name", ""), values["kind"], parent
        )

    def apply_row(self, row: ParsedRow) -> Organization:
        parent: OrgNode | None = row.context["parent"]
        org = create_organization(
            self.actor,
            parent=parent.organization if parent else None,
            kind=row.values["kind"],
            category=row.values["category"],
            name=row.values["name"],
            place=row.context["place"],
            short_name=row.values.get("short_name", ""),
            founded_on=row.values.get("founded_on"),
        )
        # Later rows may hang under this one.
        row.context["node"].organization = org
        return org
