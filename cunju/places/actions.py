"""Place actions: create, correct, rename, merge (村居合一) and split places in scope.

Every action writes the places' history (``PlaceVersion``) as a side effect; merges,
splits and renames also leave a ``PlaceEvent`` for the community's page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, describe, diff, require, snapshot
from cunju.core.scoping import ensure_in_scope

from . import divisions
from .history import check_effective, check_not_future, current_versions, record_versions
from .models import Place, PlaceEvent


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
    actor: Any,
    *,
    parent: Place | None,
    kind: str,
    name: str,
    code: str = "",
    effective_on: dt.date | None = None,
) -> Place:
    """Add a place under ``parent`` (which must be inside the actor's scope).

    ``effective_on`` is the day it came into being; without it the place counts as
    existing since before the records begin. A malformed code is refused; an unknown one is
    accepted (``divisions.check_code`` says so to the page).
    """
    require(actor, "places.add_place")
    if parent is None:
        if not actor.sees_everything:
            raise ValidationError({"parent": _("Choose where the place belongs.")})
    else:
        ensure_in_scope(actor, parent)
    name = (name or "").strip()
    check_placement(parent, kind)
    check_not_future(effective_on)
    divisions.check_code(code, kind)
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
    record_versions([place], effective_on)
    describe(place, {"parent": str(parent or ""), "kind": kind, "name": name, "code": place.code})
    return place


@action("places.update_place", gettext_lazy("Edit a place"))
def update_place(actor: Any, place: Place, *, name: str, code: str = "") -> Place:
    """Correct a place's name or code (a mistake, not a change: history keeps no trace).

    A place that really got a new name on a date is renamed with ``rename_place``.
    """
    require(actor, "places.change_place")
    ensure_in_scope(actor, place)
    describe(place)  # a refused change is still audited against the place
    divisions.check_code(code, place.kind)
    current_versions([place])
    before = snapshot(place, ["name", "code"])
    place.name, place.code = (name or "").strip(), (code or "").strip()
    if Place.objects.filter(parent=place.parent, name=place.name).exclude(pk=place.pk).exists():
        raise ValidationError({"name": _("Another place under the same parent has this name.")})
    place.full_clean(exclude=["parent", "path", "depth"])
    place.save()
    record_versions([place], None)
    describe(place, diff(before, place))
    return place


def _subtrees(places: Iterable[Place]) -> list[Place]:
    """The places and everything under them: a move changes all their paths."""
    found: dict[int, Place] = {}
    for place in places:
        for node in place.subtree():
            found[node.pk] = node
    return list(found.values())


def _move(places: list[Place], target: Place, on: dt.date, event: PlaceEvent) -> None:
    moved = _subtrees(places)
    for place in places:
        if Place.objects.filter(parent=target, name=place.name).exclude(pk=place.pk).exists():
            raise ValidationError(
                {
                    "places": _("%(target)s already has a place called %(name)s.")
                    % {"target": target.name, "name": place.name}
                }
            )
        place.move_under(target)
    record_versions(moved, on, event)


def _names(places: Iterable[Place]) -> list[str]:
    return [p.name for p in places]


@action("places.merge_into_community", gettext_lazy("Merge places into a community"))
def merge_into_community(
    actor: Any,
    *,
    places: Iterable[Place],
    community: Place | None = None,
    new_community_name: str | None = None,
    town: Place,
    effective_on: dt.date,
) -> Place:
    """村居合一: villages and residential areas become, or join, a community on a date.

    With ``new_community_name`` a community is formed under ``town`` on ``effective_on``;
    with ``community`` the places join an existing one. From the effective date on, the
    places hang under the community; before it, history shows them where they were.
    """
    require(actor, "places.change_place")
    places = list(places)
    new_community_name = (new_community_name or "").strip()
    for place in places:
        ensure_in_scope(actor, place)
    ensure_in_scope(actor, community)
    if community is not None:
        describe(community)
    if not places:
        raise ValidationError({"places": _("Choose the villages and residential areas.")})
    if bool(community) == bool(new_community_name):
        raise ValidationError(
            {
                "community": _(
                    "Choose an existing community or give the name of a new one (not both)."
                )
            }
        )
    if town.kind != Place.Kind.TOWN:
        raise ValidationError({"town": _("Choose a town or township.")})
    if community is not None and (
        community.kind != Place.Kind.COMMUNITY or community.parent_id != town.pk
    ):
        raise ValidationError(
            {
                "community": _("%(name)s is not a community of %(town)s.")
                % {"name": community.name, "town": town.name}
            }
        )
    for place in places:
        if place.kind not in (Place.Kind.VILLAGE, Place.Kind.RESIDENTIAL_AREA):
            raise ValidationError(
                {
                    "places": _(
                        "%(name)s is a %(kind)s: only villages and residential areas merge "
                        "into a community."
                    )
                    % {"name": place.name, "kind": place.get_kind_display()}
                }
            )
        parent = place.parent
        in_town = parent is not None and (
            parent.pk == town.pk
            or (parent.kind == Place.Kind.COMMUNITY and parent.parent_id == town.pk)
        )
        if not in_town:
            raise ValidationError(
                {
                    "places": _("%(name)s is not in %(town)s.")
                    % {"name": place.name, "town": town.name}
                }
            )
        if community is not None and parent.pk == community.pk:
            raise ValidationError(
                {
                    "places": _("%(name)s is already part of %(community)s.")
                    % {"name": place.name, "community": community.name}
                }
            )
    check_effective(_subtrees(places), effective_on)
    if community is None:
        community = create_place(
            actor,
            parent=town,
            kind=Place.Kind.COMMUNITY,
            name=new_community_name,
            effective_on=effective_on,
        )
    else:
        check_effective([community], effective_on)
    names = _names(places)
    event = PlaceEvent.objects.create(
        kind=PlaceEvent.Kind.MERGE,
        effective_on=effective_on,
        place=community,
        details={
            "names": names,
            "community": community.name,
            "town": town.name,
            "new": bool(new_community_name),
        },
    )
    event.places.set(places)
    if new_community_name:
        community.versions.filter(valid_to__isnull=True).update(event=event)
    _move(places, community, effective_on, event)
    describe(
        community,
        {
            "merged": names,
            "effective_on": effective_on.isoformat(),
            "new": bool(new_community_name),
        },
    )
    return community


@action("places.split_community", gettext_lazy("Split places off a community"))
def split_community(
    actor: Any,
    *,
    community: Place,
    places: Iterable[Place],
    effective_on: dt.date,
    new_community_name: str | None = None,
) -> Place:
    """Places leave a community on a date: to form a new community, or back under the town.

    Returns the place they now hang under (the new community or the town).
    """
    require(actor, "places.change_place")
    ensure_in_scope(actor, community)
    describe(community)
    places = list(places)
    new_community_name = (new_community_name or "").strip()
    if community.kind != Place.Kind.COMMUNITY:
        raise ValidationError({"community": _("Only a community can be split.")})
    if not places:
        raise ValidationError({"places": _("Choose the places that leave the community.")})
    for place in places:
        if place.parent_id != community.pk:
            raise ValidationError(
                {
                    "places": _("%(name)s is not part of %(community)s.")
                    % {"name": place.name, "community": community.name}
                }
            )
    town = community.parent
    if not Place.objects.for_user(actor).filter(pk=town.pk).exists():
        # Places leaving a community go to the town: the town decides, not the community.
        raise ValidationError(
            {
                "community": _(
                    "Places leave %(community)s by decision of %(town)s: ask its administrator."
                )
                % {"community": community.name, "town": town.name}
            }
        )
    check_effective(_subtrees(places), effective_on)
    if new_community_name:
        target = create_place(
            actor,
            parent=town,
            kind=Place.Kind.COMMUNITY,
            name=new_community_name,
            effective_on=effective_on,
        )
    else:
        target = town
    names = _names(places)
    event = PlaceEvent.objects.create(
        kind=PlaceEvent.Kind.SPLIT,
        effective_on=effective_on,
        place=community,
        details={
            "names": names,
            "community": community.name,
            "town": town.name,
            "new_community": new_community_name,
            "new_community_id": target.pk if new_community_name else None,
        },
    )
    event.places.set(places)
    if new_community_name:
        target.versions.filter(valid_to__isnull=True).update(event=event)
    _move(places, target, effective_on, event)
    describe(community, {"split_off": names, "effective_on": effective_on.isoformat()})
    return target


@action("places.rename_place", gettext_lazy("Rename a place"))
def rename_place(actor: Any, place: Place, *, name: str, effective_on: dt.date) -> Place:
    """The place is called ``name`` from ``effective_on`` on; before, by its old name."""
    require(actor, "places.change_place")
    ensure_in_scope(actor, place)
    describe(place)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the new name.")})
    if name == place.name:
        raise ValidationError({"name": _("The place is already called %(name)s.") % {"name": name}})
    if Place.objects.filter(parent=place.parent, name=name).exclude(pk=place.pk).exists():
        raise ValidationError({"name": _("Another place under the same parent has this name.")})
    check_effective([place], effective_on)
    old = place.name
    place.name = name
    place.full_clean(exclude=["parent", "path", "depth"])
    place.save()
    event = PlaceEvent.objects.create(
        kind=PlaceEvent.Kind.RENAME,
        effective_on=effective_on,
        place=place,
        details={"old_name": old, "new_name": name},
    )
    record_versions([place], effective_on, event)
    describe(place, {"name": [old, name], "effective_on": effective_on.isoformat()})
    return place


@action("places.load_divisions", gettext_lazy("Load division codes"))
def load_divisions(
    actor: Any, *, province: str, within: str = "", towns: bool = True
) -> dict[str, int]:
    """Create the province's cities, counties (and towns) from the national codes.

    ``within`` narrows it to one city or county. Idempotent: a place found by its code is
    left alone, one found by name under the right parent gets its code, the rest are added.
    Returns how many were created, given a code, and already there.
    """
    require(actor, "places.add_place")
    code = province.strip()
    code = code + "0000" if len(code) == 2 else code
    top = divisions.lookup(code)
    if top is None or top.level != divisions.PROVINCE:
        raise ValidationError(
            {"province": _("%(code)s is not a province code (e.g. 32).") % {"code": province}}
        )
    wanted = [top] + divisions.within(top.code)
    if within:
        base = divisions.lookup(within)
        if base is None or base.level not in (divisions.CITY, divisions.COUNTY):
            raise ValidationError(
                {"within": _("%(code)s is not a city or county code.") % {"code": within}}
            )
        keep = {base.code} | {d.code for d in divisions.within(base.code)}
        chain = base.parent
        while chain is not None:
            keep.add(chain.code)
            chain = chain.parent
        wanted = [d for d in wanted if d.code in keep]
    if not towns:
        wanted = [d for d in wanted if d.level != divisions.TOWN]
    counts = {"created": 0, "coded": 0, "unchanged": 0}
    made: dict[str, Place] = {}
    for division in wanted:  # parents come first: ``within`` sorts by level
        parent = made.get(division.parent_code) if division.parent_code else None
        if division.parent_code and parent is None:
            continue  # its parent was skipped (a level the tree cannot hold)
        place = Place.objects.filter(kind=division.level, code=division.code).first()
        if place is not None:
            counts["unchanged"] += 1
        else:
            place = Place.objects.filter(parent=parent, name=division.name).first()
            if place is not None and place.kind == division.level and not place.code:
                update_place(actor, place, name=place.name, code=division.code)
                counts["coded"] += 1
            elif place is not None:
                counts["unchanged"] += 1
            else:
                try:
                    check_placement(parent, division.level)
                except ValidationError:
                    continue
                place = create_place(
                    actor,
                    parent=parent,
                    kind=division.level,
                    name=division.name,
                    code=division.code,
                )
                counts["created"] += 1
        made[division.code] = place
    describe(
        made.get(top.code),
        {"province": top.code, "within": within, "towns": towns, **counts},
        message=_("Division codes of %(date)s") % {"date": divisions.data_version()},
    )
    return counts
