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
    Choice,
    PickerField,
    choice_of,
    labelled,
    reply,
    resolve_choice,
)

from .models import Place


def search(places: QuerySet, query: str, *, tree: QuerySet, limit: int = LIMIT) -> list[Choice]:
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

    def choice(self, pk: Any) -> Choice | None:
        return choice_of(self, pk)

    def resolve(self, text: str) -> tuple[Choice | None, list[Choice]]:
        """The one place ``text`` names (a label from the list, a name, or a search that
        finds only one), else None and the candidates found (to show as hints)."""
        return resolve_choice(self.queryset(), text, tree=self.tree(), find=search)

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

    model = Place
