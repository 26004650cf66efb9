"""Organization actions: found and rename Party organizations inside the actor's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, describe, diff, require, snapshot
from cunju.core.scoping import ensure_in_scope
from cunju.places.models import Place

from .models import Organization


@action("organizations.create_organization", gettext_lazy("Set up a Party organization"))
def create_organization(
    actor: Any,
    *,
    parent: Organization | None,
    kind: str,
    category: str,
    name: str,
    place: Place,
    short_name: str = "",
    founded_on: dt.date | None = None,
) -> Organization:
    """Found an organization under ``parent`` for a place inside the actor's scope."""
    require(actor, "organizations.add_organization")
    if parent is None:
        if not actor.sees_everything:
            raise ValidationError({"parent": _("Choose the higher organization.")})
    else:
        ensure_in_scope(actor, parent)
    ensure_in_scope(actor, place)
    allowed = Organization.ALLOWED_CHILDREN.get(parent.kind if parent else None, set())
    if kind not in allowed:
        raise ValidationError(
            {
                "kind": _("A %(kind)s cannot be set up under %(parent)s.")
                % {
                    "kind": Organization.Kind(kind).label,
                    "parent": parent.name if parent else _("the top level"),
                }
            }
        )
    name = (name or "").strip()
    if Organization.objects.filter(parent=parent, name=name).exists():
        raise ValidationError({"name": _("An organization with this name already exists there.")})
    org = Organization(
        parent=parent,
        kind=kind,
        category=category,
        name=name,
        place=place,
        short_name=short_name,
        founded_on=founded_on,
    )
    org.full_clean(exclude=["parent", "path", "depth"])
    org.save()
    describe(
        org,
        {
            "parent": str(parent or ""),
            "kind": kind,
            "category": category,
            "name": name,
            "place": str(place),
        },
    )
    return org


@action("organizations.update_organization", gettext_lazy("Edit a Party organization"))
def update_organization(actor: Any, org: Organization, **changes: Any) -> Organization:
    """Rename an organization or change its short name, category or founding date."""
    require(actor, "organizations.change_organization")
    ensure_in_scope(actor, org)
    describe(org)  # a refused change is still audited against the organization
    fields = ["name", "short_name", "category", "founded_on"]
    before = snapshot(org, fields)
    for name, value in changes.items():
        if name not in fields:
            raise ValueError(f"cannot change {name}")
        setattr(org, name, value)
    org.full_clean(exclude=["parent", "path", "depth"])
    org.save()
    describe(org, diff(before, org))
    return org
