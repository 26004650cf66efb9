"""The place tree through time (沿革): what a place was on a date, and writing its versions.

Every action that changes a place's name, kind, parent, path or code closes the place's
current ``PlaceVersion`` on the effective date and opens a new one. A place without any
version (made before history was kept) reads as it is today, on every date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Place, PlaceEvent, PlaceVersion


@dataclass(frozen=True)
class PlaceState:
    """A place as it was on one date."""

    place_id: int
    name: str
    kind: str
    parent_id: int | None
    path: str
    code: str
    valid_from: dt.date | None
    valid_to: dt.date | None

    def get_kind_display(self) -> str:
        return str(Place.Kind(self.kind).label)


def _state(version: PlaceVersion) -> PlaceState:
    return PlaceState(
        version.place_id,
        version.name,
        version.kind,
        version.parent_id,
        version.path,
        version.code,
        version.valid_from,
        version.valid_to,
    )


def _state_now(place: Place) -> PlaceState:
    return PlaceState(
        place.pk, place.name, place.kind, place.parent_id, place.path, place.code, None, None
    )


def valid_on(on: dt.date, prefix: str = "") -> Q:
    """Versions in force on ``on``: started on or before it, not yet ended on it."""
    started = Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": on})
    running = Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": on})
    return started & running


def as_of(place: Place, on: dt.date) -> PlaceState | None:
    """The place's name, kind, parent, path and code on ``on``; None if it did not exist."""
    versions = list(place.versions.all())
    if not versions:
        return _state_now(place)
    for version in versions:
        if (version.valid_from is None or version.valid_from <= on) and (
            version.valid_to is None or on < version.valid_to
        ):
            return _state(version)
    return None


def states_on(on: dt.date, place_ids: Iterable[int] | None = None) -> dict[int, PlaceState]:
    """Every place (or those with the given ids) as it was on ``on``, by id.

    Places that did not exist on that day are left out.
    """
    versions = PlaceVersion.objects.filter(valid_on(on))
    places = Place.objects.all()
    if place_ids is not None:
        place_ids = list(place_ids)
        versions = versions.filter(place_id__in=place_ids)
        places = places.filter(pk__in=place_ids)
    states = {v.place_id: _state(v) for v in versions}
    # Places made before history was kept read as they are today.
    for place in places.filter(versions__isnull=True):
        states[place.pk] = _state_now(place)
    return states


def places_under_as_of(place: Place, on: dt.date) -> list[int]:
    """Ids of the place and every place under it on ``on`` (empty if it did not exist).

    For statistics as of a date: "how many villages did the community have in 2018".
    The walk follows the parents recorded on that date, not today's tree.
    """
    states = states_on(on)
    if place.pk not in states:
        return []
    below: dict[int | None, list[int]] = defaultdict(list)
    for state in states.values():
        below[state.parent_id].append(state.place_id)
    found, queue = [], [place.pk]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(below.get(current, []))
    return found


@dataclass
class TreeRow:
    """One line of the drawn tree: the state and how deep it sits."""

    state: PlaceState
    depth: int
    place: Place


def tree_on(visible: Iterable[Place], on: dt.date) -> list[TreeRow]:
    """The visible places as they hung together on ``on``, depth-first, sorted by name.

    A place whose parent on that date is not visible starts its own branch, so nothing
    outside the viewer's scope is named.
    """
    places = {p.pk: p for p in visible}
    states = states_on(on, places)
    below: dict[int | None, list[PlaceState]] = defaultdict(list)
    for state in states.values():
        parent = state.parent_id if state.parent_id in states else None
        below[parent].append(state)
    for children in below.values():
        children.sort(key=lambda s: (places[s.place_id].name_pinyin, s.name))
    rows: list[TreeRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for state in below.get(parent, []):
            rows.append(TreeRow(state, depth, places[state.place_id]))
            walk(state.place_id, depth + 1)

    walk(None, 0)
    return rows


# --- Writing history ------------------------------------------------------------------


def check_not_future(on: dt.date | None) -> None:
    if on is not None and on > timezone.localdate():
        raise ValidationError(
            {
                "effective_on": _(
                    "The effective date cannot be in the future: record the change on the day "
                    "it takes effect."
                )
            }
        )


def current_versions(places: Iterable[Place]) -> dict[int, PlaceVersion]:
    """Each place's open version, made from today's row where history starts now."""
    places = list(places)
    found = {
        v.place_id: v
        for v in PlaceVersion.objects.filter(
            place__in=[p.pk for p in places], valid_to__isnull=True
        )
    }
    for place in places:
        if place.pk not in found:
            found[place.pk] = PlaceVersion.objects.create(
                place=place, valid_from=None, **_fields(place)
            )
    return found


def check_effective(places: Iterable[Place], on: dt.date) -> None:
    """Refuse a change dated before a place's current state began (history is in order)."""
    check_not_future(on)
    for place in places:
        version = current_versions([place])[place.pk]
        if version.valid_from is not None and on < version.valid_from:
            raise ValidationError(
                {
                    "effective_on": _(
                        "%(name)s has been as it is since %(since)s: a change to it can take "
                        "effect on that day or later."
                    )
                    % {"name": place.name, "since": f"{version.valid_from:%Y-%m-%d}"}
                }
            )


def _fields(place: Place) -> dict:
    return {
        "name": place.name,
        "kind": place.kind,
        "parent_id": place.parent_id,
        "path": place.path,
        "code": place.code,
    }


def record_versions(
    places: Iterable[Place], on: dt.date | None, event: PlaceEvent | None = None
) -> None:
    """Close each place's open version on ``on`` and open one with its fields now.

    Call ``check_effective`` (or ``current_versions``) before changing the places, so the
    open version still holds the old state. A change on the day the open version began
    replaces it; an unchanged place keeps its version.
    """
    for place in places:
        place.refresh_from_db(fields=["name", "kind", "parent", "path", "depth", "code"])
        version = PlaceVersion.objects.filter(place=place, valid_to__isnull=True).first()
        fields = _fields(place)
        if version is not None and all(getattr(version, k) == v for k, v in fields.items()):
            continue
        if version is not None and (version.valid_from == on or on is None):
            for key, value in fields.items():
                setattr(version, key, value)
            version.event = event or version.event
            version.save()
            continue
        if version is not None:
            version.valid_to = on
            version.save(update_fields=["valid_to"])
        PlaceVersion.objects.create(place=place, valid_from=on, event=event, **fields)
