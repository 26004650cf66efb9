"""What the mobility overview points out: temporary branches to form, reports overdue."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from cunju.core.rules import rule

from . import rules
from .models import MobileRecord, MobileRecordQuerySet


@dataclass
class TemporaryBranchSuggestion:
    """临时党支部: enough mobile members together in one place or one work unit."""

    kind: str  # "place" or "work_unit"
    key: str
    label: str
    records: list[MobileRecord] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(_("Same place")) if self.kind == "place" else str(_("Same work unit"))


def temporary_branch_suggestions(
    records: MobileRecordQuerySet, on: dt.date | None = None
) -> list[TemporaryBranchSuggestion]:
    """Groups of open outflow records in one destination county/city or one work unit
    with at least the rule's number of members (default three)."""
    on = on or dt.date.today()
    open_records = list(records.outflow().open(on).select_related("member__organization__place"))
    by_place: dict[str, list[MobileRecord]] = defaultdict(list)
    by_unit: dict[str, list[MobileRecord]] = defaultdict(list)
    for entry in open_records:
        by_place[entry.region_code].append(entry)
        if entry.work_unit.strip():
            by_unit[entry.work_unit.strip()].append(entry)
    suggestions = []
    for kind, groups in (("place", by_place), ("work_unit", by_unit)):
        for key, members in sorted(groups.items()):
            region = members[0].home_region
            if len({m.member_id for m in members}) < rule(
                rules.TEMPORARY_BRANCH_MIN, on=on, region=region
            ):
                continue
            if kind == "place":
                # "上海市浦东新区张江镇" and "上海市浦东新区川沙新镇" read as 上海市浦东新区.
                common = os.path.commonprefix([m.place for m in members]).strip()
                if len(common) < 2:
                    common = Counter(m.place for m in members).most_common(1)[0][0]
                label = f"{common} ({key})"
            else:
                label = key
            suggestions.append(TemporaryBranchSuggestion(kind, key, label, members))
    return suggestions


def overdue_reports(records: MobileRecordQuerySet, on: dt.date | None = None) -> list[MobileRecord]:
    """Open outflow records whose member has not reported home for longer than the rule."""
    on = on or dt.date.today()
    candidates = (
        records.outflow().open(on).with_last_report().select_related("member__organization__place")
    )
    return [entry for entry in candidates if entry.report_overdue(on)]
