"""Rule checks on Party organizations (组织设置检查): branch size by the regulations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cunju.core.rules import RULES, rule

from .counts import Counts, subtree_counts
from .models import Organization
from .rules import BRANCH_MAX_MEMBERS, BRANCH_MIN_FULL_MEMBERS


@dataclass(frozen=True)
class Finding:
    """One rule an organization does not meet; ``level`` is "error" or "warning"."""

    organization: Organization
    level: str
    rule: str
    message: str

    @property
    def source(self) -> str:
        return RULES[self.rule].source


def region_of(org: Organization) -> str | None:
    return getattr(org.place, "code", "") or None


def check_organization(
    org: Organization, counts: Counts, on: dt.date | None = None, cache: dict | None = None
) -> list[Finding]:
    """What is wrong with ``org`` given its member numbers (only branches are checked)."""
    if org.kind != Organization.Kind.BRANCH:
        return []
    region = region_of(org)
    cache = {} if cache is None else cache

    def limit(key: str) -> int:
        # Many branches share a region: read each rule once per region.
        if (key, region) not in cache:
            cache[key, region] = int(rule(key, on=on, region=region))
        return cache[key, region]

    findings = []
    minimum = limit(BRANCH_MIN_FULL_MEMBERS)
    if counts.full < minimum:
        findings.append(
            Finding(
                org,
                "error",
                BRANCH_MIN_FULL_MEMBERS,
                _(
                    "A Party branch needs at least %(min)d full members, has %(n)d: join with a "
                    "neighbouring unit's members to form a joint branch, or add members."
                )
                % {"min": minimum, "n": counts.full},
            )
        )
    maximum = limit(BRANCH_MAX_MEMBERS)
    if counts.total > maximum:
        findings.append(
            Finding(
                org,
                "warning",
                BRANCH_MAX_MEMBERS,
                _(
                    "A Party branch should have at most %(max)d members, has %(n)d: consider "
                    "splitting it or setting up a general branch."
                )
                % {"max": maximum, "n": counts.total},
            )
        )
    return findings


def check_organizations(orgs: Iterable[Organization]) -> list[Finding]:
    """Findings for many organizations, their numbers counted in one query."""
    orgs = list(orgs)
    counts = subtree_counts(orgs)
    findings: list[Finding] = []
    cache: dict = {}
    for org in orgs:
        findings.extend(check_organization(org, counts[org.pk], cache=cache))
    return findings
