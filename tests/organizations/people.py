"""Members and branches for the organization tests, entered through the real actions."""

from __future__ import annotations

import datetime as dt
import itertools

from cunju.core.system import SYSTEM
from cunju.members.actions import register_member
from cunju.members.models import Education, MemberStatus, Occupation
from cunju.organizations.actions import create_organization
from cunju.organizations.models import Organization

_names = itertools.count(1)


def branch(parent: Organization, name: str, **extra) -> Organization:
    """A village branch under ``parent``, at the parent's place."""
    return create_organization(
        SYSTEM,
        parent=parent,
        kind=extra.pop("kind", Organization.Kind.BRANCH),
        category=extra.pop("category", Organization.Category.VILLAGE),
        name=name,
        place=extra.pop("place", parent.place),
        **extra,
    )


def member(
    org: Organization,
    *,
    full: bool = True,
    admitted_on: dt.date = dt.date(2010, 7, 1),
    full_on: dt.date | None = None,
    mobile: bool = False,
    name: str = "",
):
    """A member of ``org``: full a year after admission unless ``full`` is False."""
    if full and full_on is None:
        full_on = admitted_on.replace(year=admitted_on.year + 1)
    return register_member(
        SYSTEM,
        organization=org,
        name=name or f"党员{next(_names)}",
        sex="male",
        birth_date=dt.date(1980, 1, 1),
        admitted_on=admitted_on,
        full_on=full_on if full else None,
        status=MemberStatus.FULL if full else MemberStatus.PROBATIONARY,
        education=Education.HIGH_SCHOOL,
        occupation=Occupation.FARMER,
        is_mobile=mobile,
    )


def members(org: Organization, n: int, **kwargs) -> list:
    return [member(org, **kwargs) for _ in range(n)]
