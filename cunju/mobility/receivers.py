"""Choosing the receiver of a transfer letter among every organization in the system.

Any organization members belong to may receive a letter, also outside the sender's scope,
so this is the one picker not bound to ``for_user``: the search (``organizations.picker``)
runs over every branch, general branch and committee, and labels each with its place in the
whole tree ("湖桥镇党委 › 湖滨社区党委 › 新桥村党支部"). Only organization names leave this
module: nothing about their members.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cunju.organizations import picker
from cunju.organizations.models import Organization
from cunju.organizations.picker import LIMIT, SEPARATOR, Choice

from .actions import MEMBER_KINDS

__all__ = [
    "LIMIT",
    "SEPARATOR",
    "Receiver",
    "Receivers",
    "labelled",
    "receivers",
    "resolve",
    "search",
]

Receiver = Choice


def receivers(exclude: int | None = None) -> QuerySet:
    """Every organization a letter may go to (branches, general branches, committees)."""
    organizations = Organization.objects.current().filter(kind__in=MEMBER_KINDS)
    if exclude is not None:
        organizations = organizations.exclude(pk=exclude)
    return organizations


def whole_tree() -> QuerySet:
    return Organization.objects.current()


@dataclass(frozen=True)
class Receivers(picker.OrganizationSource):
    """The picker's source for a letter's receiver: the whole system but the sender's own."""

    exclude: int | None = None

    no_match = _("No organization in the system matches “%(text)s”.")

    def organizations(self) -> QuerySet:
        return receivers(self.exclude)

    def tree(self) -> QuerySet:
        return whole_tree()

    def url(self) -> str:
        url = reverse("mobility:receivers")
        return f"{url}?exclude={self.exclude}" if self.exclude is not None else url


def labelled(organizations: list[Organization]) -> list[Receiver]:
    """Each organization with its path of names (one query for all the ancestors)."""
    return picker.labelled(organizations, whole_tree())


def search(query: str, *, exclude: int | None = None, limit: int = LIMIT) -> list[Receiver]:
    """Up to ``limit`` receivers matching ``query``, the closest names first."""
    return picker.search(receivers(exclude), query, tree=whole_tree(), limit=limit)


def resolve(text: str, *, exclude: int | None = None) -> tuple[Organization | None, list]:
    """The one receiver ``text`` names, else None and the candidates found."""
    return picker.resolve(receivers(exclude), text, tree=whole_tree())
