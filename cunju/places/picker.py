"""Choosing a place by typing: the picker that replaces drop-downs of every place in scope.

A county holds thousands of villages, residential areas, buildings and units; a ``<select>``
of them all costs megabytes per page. The picker searches instead, by name or pinyin
(``新桥``, ``xinqiao``, ``xq``), at most 20 answers, each labelled with the places above it
within the user's own part of the tree ("湖滨社区 › 新桥村"). It is the organization picker's
widget and script (``cunju.organizations.picker``) over a ``PlaceOffer``: the places of the
user's scope (``for_user``), narrowed by kind — never widened by the URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length
from django.http import JsonResponse, QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from cunju.core.pinyin import name_search_q
from cunju.organizations.picker import (
    LIMIT,
    MAX_QUERY,
    SEPARATOR,
    PickerField,
    ancestor_paths,
    plain,
    reply,
)

from .models import Place

# Places of one name a typed label is compared with (a county has many "一组").
NAMESAKES = 2000


@dataclass(frozen=True)
class PlaceChoice:
    """A place as the picker lists it."""

    place: Place
    label: str  # the names from the top of the visible tree down to the place

    @property
    def pk(self) -> int:
        return self.place.pk

    @property
    def object(self) -> Place:
        return self.place

    @property
    def name(self) -> str:
        return self.place.name

    def as_json(self) -> dict[str, Any]:
        return {"pk": self.pk, "name": self.name, "label": self.label}


def labelled(places: list[Place], tree: QuerySet) -> list[PlaceChoice]:
    """Each place with the names of the places above it found in ``tree`` (one query)."""
    wanted = {p for place in places for p in ancestor_paths(place.path)}
    names = dict(tree.filter(path__in=wanted).values_list("path", "name")) if wanted else {}
    return [
        PlaceChoice(
            place,
            SEPARATOR.join(
                [*(names[p] for p in ancestor_paths(place.path) if p in names), place.name]
            ),
        )
        for place in places
    ]


def search(places: QuerySet, query: str, *, tree: QuerySet, limit: int = LIMIT) -> list:
    """Up to ``limit`` of ``places`` matching ``query``: exact names first, then names that
    start with it, then the rest, shorter names and higher places first."""
    query = (query or "").strip()[:MAX_QUERY]
    if not query:
        return []
    found = (
        places.filter(name_search_q(query))
        .annotate(
            rank=Case(
                When(name=query, then=Value(0)),
                When(Q(name__startswith=query) | Q(name_initials=query.lower()), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            length=Length("name"),
            path_length=Length("path"),
        )
        .order_by("rank", "length", "path_length", "path")[:limit]
    )
    return labelled(list(found), tree)


@dataclass(frozen=True)
class PlaceOffer:
    """The places a user may pick: those of their scope, narrowed by kind. The form field and
    the search endpoint build it from the same parameters, so what is listed while typing and
    what is accepted on submit agree."""

    user: Any
    kinds: tuple[str, ...] = ()

    no_match = _("No place within your scope matches “%(text)s”.")
    placeholder = _("Type a name or its pinyin, e.g. 新桥 or xq")
    more = _("More places match: type more of the name.")
    found = _("Places found")

    def tree(self) -> QuerySet:
        return Place.objects.for_user(self.user)

    def queryset(self) -> QuerySet:
        places = self.tree()
        return places.filter(kind__in=self.kinds) if self.kinds else places

    def choice(self, pk: Any) -> PlaceChoice | None:
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return None
        found = list(self.queryset().filter(pk=pk))
        return labelled(found, self.tree())[0] if found else None

    def resolve(self, text: str) -> tuple[PlaceChoice | None, list[PlaceChoice]]:
        """The one place ``text`` names (a label from the list, a name, or a search that
        finds only one), else None and the candidates found (to show as hints)."""
        typed = plain(text)
        mark = SEPARATOR.strip()
        last = typed.split(mark)[-1]
        if mark in typed:
            namesakes = labelled(list(self.queryset().filter(name=last)[:NAMESAKES]), self.tree())
            exact = [c for c in namesakes if plain(c.label) == typed]
            if len(exact) == 1:
                return exact[0], []
        found = search(self.queryset(), last, tree=self.tree(), limit=LIMIT + 1)
        exact = [c for c in found if c.name == last or plain(c.label) == typed]
        if len(exact) == 1:
            return exact[0], []
        if len(found) == 1:
            return found[0], []
        return None, exact or found

    def url(self) -> str:
        url = reverse("places:picker")
        return f"{url}?{urlencode({'kind': list(self.kinds)}, doseq=True)}" if self.kinds else url

    @classmethod
    def from_query(cls, user: Any, query: QueryDict) -> PlaceOffer:
        """The offer a search request describes; unknown kinds are ignored."""
        valid = set(Place.Kind.values)
        return cls(user, kinds=tuple(k for k in query.getlist("kind") if k in valid))


def answer(offer: PlaceOffer, query: str) -> JsonResponse:
    """The search endpoint's reply: up to 20 places and whether more match."""
    return reply(search(offer.queryset(), query, tree=offer.tree(), limit=LIMIT + 1))


class PlaceField(PickerField):
    """A place chosen with the picker among what a ``PlaceOffer`` offers; forms set
    ``source`` in ``__init__`` (it needs the user)."""

    default_error_messages = {
        "invalid_choice": _("Choose a place from the list."),
        "several": _("Several places match “%(text)s”: choose one from the list (%(shown)s)."),
    }

    @property
    def queryset(self) -> QuerySet:
        return self.source.queryset() if self.source is not None else Place.objects.none()
