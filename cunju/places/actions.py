"""Place actions: create, rename and re-code places inside the actor's scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, describe, diff, require, snapshot
from cunju.core.scoping import ensure_in_scope

from .models import Place


def check_placement(parent: Place | None, kind: str) -> None:
    allowed = Place.ALLOWED_CHILDREN.get(parent.kind if parent else None, set())
    if kind not in allowed:
        raise ValidationError(
            {
                "kind": _("A %(kind)s cannot be placed under %(parent)s.")
                % {
                    "kind": Place.Kind(kind).label,
                    "parent": parent.name if parent else _("the top level"),
                }
            }
        )


@action("places.create_place", gettext_lazy("Add a place"))
def create_place(
    actor: Any, *, parent: Place | None, kind: str, name: str, code: str = ""
) -> Place:
    """Add a place under ``parent`` (which must be inside the actor's scope)."""
    require(actor, "places.add_place")
    if parent is None:
        if not actor.sees_everything:
            raise ValidationError({"parent": _("Choose where the place belongs.")})
    else:
        ensure_in_scope(actor, parent)
    name = (name or "").strip()
    check_placement(parent, kind)
    if Place.objects.filter(parent=parent, name=name).exists():
        raise ValidationError(
            {
                "name": _("%(parent)s already has a place called %(name)s.")
                % {"parent": parent.name if parent else _("The top level"), "name": name}
            }
        )
    place = Place(parent=parent, kind=kind, name=name, code=(code or "").strip())
    place.full_clean(exclude=["parent", "path", "depth"])
    place.save()
    describe(place, {"parent": str(parent or ""), "kind": kind, "name": name, "code": place.code})
    return place


@action("places.update_place", gettext_lazy("Edit a place"))
def update_place(actor: Any, place: Place, *, name: str, code: str = "") -> Place:
    """Rename or re-code a place."""
    require(actor, "places.change_place")
    ensure_in_scope(actor, place)
    describe(place)  # a refused change is still audited against the place
    before = snapshot(place, ["name", "code"])
    place.name, place.code = (name or "").strip(), (code or "").strip()
    if Place.objects.filter(parent=place.parent, name=place.name).exclude(pk=place.pk).exists():
        raise ValidationError({"name": _("Another place under the same parent has this name.")})
    place.full_clean(exclude=["parent", "path", "depth"])
    place.save()
    describe(place, diff(before, place))
    return place
