"""Choosing the receiver of a transfer letter among every organization in the system.

Any organization members belong to may receive a letter, also outside the sender's scope,
so the choice is a search by name, short name or pinyin (``湖滨``, ``hubin``, ``hb``) that
answers at most 20 organizations, each shown with its place in the tree
("湖桥镇党委 › 湖滨社区党委 › 新桥村党支部"). Only organization names leave this module:
nothing about their members.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length

from cunju.core.pinyin import name_search_q
from cunju.core.tree import STEP_WIDTH
from cunju.organizations.models import Organization

from .actions import MEMBER_KINDS

LIMIT = 20
SEPARATOR = " › "


@dataclass(frozen=True)
class Receiver:
    organization: Organization
    label: str  # the path of names, from the top of the tree down to the organization

    @property
    def pk(self) -> int:
        return self.organization.pk


def receivers(exclude: int | None = None) -> QuerySet:
    """Every organization a letter may go to (branches, general branches, committees)."""
    organizations = Organization.objects.filter(kind__in=MEMBER_KINDS)
    if exclude is not None:
        organizations = organizations.exclude(pk=exclude)
    return organizations


def ancestor_paths(path: str) -> list[str]:
    step = STEP_WIDTH + 1  # "0001." — a step and its dot
    return [path[:end] for end in range(step, len(path), step)]


def labelled(organizations: list[Organization]) -> list[Receiver]:
    """Each organization with its path of names (one query for all the ancestors)."""
    wanted = {p for o in organizations for p in ancestor_paths(o.path)}
    names = dict(
        (path, short or name)
        for path, short, name in Organization.objects.filter(path__in=wanted).values_list(
            "path", "short_name", "name"
        )
    )
    return [
        Receiver(
            o,
            SEPARATOR.join([*(names[p] for p in ancestor_paths(o.path) if p in names), o.name]),
        )
        for o in organizations
    ]


def search(query: str, *, exclude: int | None = None, limit: int = LIMIT) -> list[Receiver]:
    """Up to ``limit`` receivers matching ``query``: exact names first, then names that start
    with it, then the rest, shorter names before longer ones."""
    query = (query or "").strip()
    if not query:
        return []
    condition = name_search_q(query) | Q(short_name__icontains=query)
    found = (
        receivers(exclude)
        .filter(condition)
        .annotate(
            rank=Case(
                When(Q(name=query) | Q(short_name=query), then=Value(0)),
                When(Q(name__startswith=query) | Q(name_initials=query.lower()), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            length=Length("name"),
        )
        .order_by("rank", "length", "path")[:limit]
    )
    return labelled(list(found))


def resolve(text: str, *, exclude: int | None = None) -> tuple[Organization | None, list]:
    """The one organization ``text`` names (a path label from the list, a name or a search
    that finds only one), else None and the candidates found (to show as hints)."""
    text = (text or "").strip()
    last = text.split(SEPARATOR.strip())[-1].strip() if SEPARATOR.strip() in text else text
    found = search(last, exclude=exclude, limit=LIMIT + 1)
    exact = [r for r in found if r.label == text or r.organization.name == last]
    if len(exact) == 1:
        return exact[0].organization, []
    if len(found) == 1:
        return found[0].organization, []
    return None, exact or found
