"""What the organization tree looked like on a date (组织沿革).

Every version of an organization (``OrganizationVersion``) covers a half-open stretch
``[valid_from, valid_to)``; the actions keep exactly one version open per organization.
Member history (``MembershipPeriod``) stores the organization path as it was, so a tree
rebuilt from versions on date D and member periods covering D line up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import DateField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from .models import Organization, OrganizationVersion


@dataclass(frozen=True)
class OrganizationAsOf:
    """An organization as it read on a date: enough to draw and count a tree node."""

    pk: int
    name: str
    kind: str
    path: str
    parent_id: int | None

    @property
    def depth(self) -> int:
        return self.path.count(".") - 1

    def get_kind_display(self) -> str:
        return str(Organization.Kind(self.kind).label)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("organizations:detail", args=[self.pk])


def covering(on: dt.date) -> Q:
    """Versions in force on ``on``."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)
    )


def versions_on(on: dt.date, queryset: QuerySet | None = None) -> QuerySet:
    """The versions in force on ``on`` (of ``queryset``, else of every organization)."""
    queryset = OrganizationVersion.objects.all() if queryset is None else queryset
    return queryset.filter(covering(on))


def _as_of(version: OrganizationVersion, kind: str) -> OrganizationAsOf:
    return OrganizationAsOf(
        pk=version.organization_id,
        name=version.name,
        kind=kind,
        path=version.path,
        parent_id=version.parent_id,
    )


def as_of(org: Organization, on: dt.date | None) -> OrganizationAsOf | None:
    """Name, parent and path of ``org`` on ``on`` (today when None); None if it did not exist."""
    if on is None:
        return OrganizationAsOf(org.pk, org.name, org.kind, org.path, org.parent_id)
    version = versions_on(on, org.versions.all()).order_by("-valid_from").first()
    return _as_of(version, org.kind) if version is not None else None


def nodes_as_of(on: dt.date, versions: QuerySet) -> list[OrganizationAsOf]:
    """The organizations of ``versions`` as they read on ``on``, in tree order."""
    rows = versions_on(on, versions).select_related("organization").order_by("path")
    return [_as_of(v, v.organization.kind) for v in rows]


def open_version(org: Organization, on: dt.date | None) -> OrganizationVersion:
    """Close the open version of ``org`` on ``on`` and open one with how it reads now.

    A second change on the same day rewrites that day's version instead of leaving a
    version that covers no day at all.
    """
    current = org.versions.filter(valid_to__isnull=True).order_by("-valid_from").first()
    if current is not None:
        if current.valid_from == on or (on is None and current.valid_from is None):
            current.name, current.parent_id, current.path = org.name, org.parent_id, org.path
            current.save(update_fields=["name", "parent", "path"])
            return current
        current.valid_to = on
        current.save(update_fields=["valid_to"])
    return OrganizationVersion.objects.create(
        organization=org,
        valid_from=on,
        name=org.name,
        parent_id=org.parent_id,
        path=org.path,
    )


def shared_paths() -> list[tuple[OrganizationVersion, OrganizationVersion]]:
    """Pairs of versions of two organizations that held the same path on overlapping dates:
    the member periods, read by path, cannot tell them apart then. New places in the tree are
    never given twice (``Organization._next_child_path``); data written before may hold
    some."""
    first, last = dt.date.min, dt.date.max

    def bounds(ref) -> tuple[Coalesce, Coalesce]:
        # An open end is as far as the calendar goes.
        return (
            Coalesce(ref("valid_from"), Value(first), output_field=DateField()),
            Coalesce(ref("valid_to"), Value(last), output_field=DateField()),
        )

    own_from, own_to = bounds(OuterRef)
    other_from, other_to = bounds(F)
    overlapping = (
        OrganizationVersion.objects.filter(path=OuterRef("path"))
        .exclude(organization=OuterRef("organization"))
        .alias(start=other_from, end=other_to)
        .filter(start__lt=own_to, end__gt=own_from)
    )
    clashing = list(
        OrganizationVersion.objects.filter(Exists(overlapping))
        .select_related("organization")
        .order_by("path", "organization_id", "valid_from")
    )
    by_path: dict[str, list[OrganizationVersion]] = {}
    for version in clashing:
        by_path.setdefault(version.path, []).append(version)
    pairs = []
    for versions in by_path.values():
        for version in versions:
            start, end = version.valid_from or first, version.valid_to or last
            for other in versions:
                if (
                    other.organization_id > version.organization_id
                    and (other.valid_from or first) < end
                    and (other.valid_to or last) > start
                ):
                    pairs.append((version, other))
    return pairs
