"""Choosing a Party member by typing: the picker that replaces drop-downs of the register.

A town's register holds thousands of members, a county's tens of thousands: a ``<select>``
of them all costs megabytes per page and nobody finds a name in it. The picker searches
instead, by name or pinyin (``张``, ``zhangsan``, ``zs``), at most 20 answers, each labelled
with the member's organization to tell namesakes apart ("张三（南湾村党支部）"). It is the
organization picker's widget and script (``cunju.organizations.picker``) over a
``MemberOffer``: the members of the user's scope (``for_user``), narrowed by status and
subtree — never widened by the URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import JsonResponse, QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from cunju.core.pinyin import name_search_q
from cunju.core.tree import subtree_q
from cunju.organizations.models import Organization
from cunju.organizations.picker import (
    LIMIT,
    MAX_QUERY,
    MultiPickerField,
    PickerField,
    parse_id,
    reply,
)

from .models import Member, MemberStatus


@dataclass(frozen=True)
class MemberChoice:
    """A member as the picker lists them."""

    member: Member

    @property
    def pk(self) -> int:
        return self.member.pk

    @property
    def object(self) -> Member:
        return self.member

    @property
    def name(self) -> str:
        return self.member.name

    @property
    def label(self) -> str:
        return f"{self.member.name}（{self.member.organization.name}）"

    def as_json(self) -> dict[str, Any]:
        return {"pk": self.pk, "name": self.name, "label": self.label}


def search(members: QuerySet, query: str, *, limit: int = LIMIT) -> list[MemberChoice]:
    """Up to ``limit`` of ``members`` matching ``query``: the exact name first, then names
    that start with it, then the rest, in pinyin order."""
    query = (query or "").strip()[:MAX_QUERY]
    if not query:
        return []
    found = (
        members.filter(name_search_q(query))
        .select_related("organization")
        .only("id", "name", "name_pinyin", "organization__id", "organization__name")
        .annotate(
            rank=Case(
                When(name=query, then=Value(0)),
                When(Q(name__startswith=query) | Q(name_initials=query.lower()), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "name_pinyin", "id")[:limit]
    )
    return [MemberChoice(m) for m in found]


@dataclass(frozen=True)
class MemberOffer:
    """The members a user may pick: those of their scope, narrowed to a status and to the
    subtree of an organization. The form field and the search endpoint build it from the
    same parameters (the widget puts them in the endpoint's URL), so what is listed while
    typing and what is accepted on submit agree."""

    user: Any
    status: str = ""  # "active" (full and probationary) or "full"; "" for any
    under: int | None = None  # an organization's id: members in its subtree only

    no_match = _("No Party member within your scope matches “%(text)s”.")
    placeholder = _("Type a name or its pinyin, e.g. 张三 or zs")
    more = _("More members match: type more of the name.")
    found = _("Members found")

    STATUSES = ("active", "full")

    def queryset(self) -> QuerySet:
        members = Member.objects.for_user(self.user)
        if self.status == "active":
            members = members.active()
        elif self.status == "full":
            members = members.filter(status=MemberStatus.FULL)
        if self.under is not None:
            # The members are the user's already: an organization above the scope (a
            # branch secretary's committee) narrows to the part of it the user holds.
            path = Organization.objects.filter(pk=self.under).values_list("path", flat=True)
            path = path.first()
            members = members.filter(subtree_q(path, "org_path")) if path else members.none()
        return members

    def choice(self, pk: Any) -> MemberChoice | None:
        pk = parse_id(pk)
        if pk is None:
            return None
        found = self.queryset().select_related("organization").filter(pk=pk).first()
        return MemberChoice(found) if found else None

    def resolve(self, text: str) -> tuple[MemberChoice | None, list[MemberChoice]]:
        """The one member ``text`` names (a label from the list, a name, or a search that
        finds only one), else None and the candidates found (to show as hints)."""
        text = (text or "").strip()
        name, _open, rest = text.partition("（")
        name = name.strip()
        if rest.endswith("）"):
            # A label: the members of that name, told apart by their organization.
            organization = rest[:-1].strip()
            namesakes = (
                self.queryset()
                .filter(name=name, organization__name=organization)
                .select_related("organization")[:2]
            )
            if len(namesakes) == 1:
                return MemberChoice(namesakes[0]), []
        found = search(self.queryset(), name, limit=LIMIT + 1)
        exact = [c for c in found if c.name == name]
        if len(exact) == 1:
            return exact[0], []
        if len(found) == 1:
            return found[0], []
        return None, exact or found

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.status:
            params["status"] = self.status
        if self.under is not None:
            params["under"] = self.under
        return params

    def url(self) -> str:
        params = self.params()
        url = reverse("members:picker")
        return f"{url}?{urlencode(params)}" if params else url

    @classmethod
    def from_query(cls, user: Any, query: QueryDict) -> MemberOffer:
        """The offer a search request describes; unknown statuses and bad ids are ignored."""
        status = query.get("status") or ""
        status = status if status in cls.STATUSES else ""
        return cls(user, status=status, under=parse_id(query.get("under")))


def answer(offer: MemberOffer, query: str) -> JsonResponse:
    """The search endpoint's reply: up to 20 members and whether more match."""
    return reply(search(offer.queryset(), query, limit=LIMIT + 1))


class MemberField(PickerField):
    """A Party member chosen with the picker among what a ``MemberOffer`` offers; forms set
    ``source`` in ``__init__`` (it needs the user)."""

    default_error_messages = {
        "invalid_choice": _("Choose a Party member from the list."),
        "several": _("Several members match “%(text)s”: choose one from the list (%(shown)s)."),
    }

    model = Member


class MemberMultiField(MultiPickerField):
    """Several Party members chosen with the picker (cultivation contacts, introducers)."""

    model = Member
    default_error_messages = MemberField.default_error_messages
