"""The numbers of mobile-member work (流动党员管理) and transfers (组织关系转接), with sources.

Defaults follow the national documents; admins override them per region and date in the
``Rule`` table. Read them with ``rule(KEY, on=..., region=...)`` (region: the home
organization's division code).
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils.translation import gettext_lazy as _

from cunju.core.rules import define_rule, rule

MOBILE_OPINION = "中组部《关于加强和改进流动党员管理工作的意见》（中组发〔2006〕17号）"
EDUCATION_RULES = "《中国共产党党员教育管理工作条例》（2019）"

TRANSFER_AFTER_MONTHS = define_rule(
    "mobility.transfer_after_months",
    6,
    source=f"{MOBILE_OPINION}：外出六个月以上、有固定处所的，应当转移组织关系；"
    "六个月以下或无法转移的，持《流动党员活动证》",
    description=_(
        "Members away longer than this many months at a fixed place transfer their "
        "organizational relation; shorter stays, or when a transfer is not possible, get a "
        "mobile-member activity card."
    ),
)
CARD_VALIDITY_MONTHS = define_rule(
    "mobility.card_validity_months",
    12,
    source=f"{MOBILE_OPINION}：《流动党员活动证》由流出地党组织发放（有效期各地规定，常见一年）",
    description=_("Usual validity of a mobile-member activity card (months)."),
)
TEMPORARY_BRANCH_MIN = define_rule(
    "mobility.temporary_branch_min_members",
    3,
    source="《中国共产党章程》第三十条：有正式党员三人以上的，都应当成立党的基层组织；"
    f"{EDUCATION_RULES}：流动党员相对集中的，可以成立临时党支部",
    description=_(
        "Mobile members in the same place or work unit from which a temporary branch is suggested."
    ),
)
REPORT_MONTHS = define_rule(
    "mobility.report_within_months",
    12,
    source=f"{MOBILE_OPINION}：流动党员应定期向流出地党组织汇报思想和工作情况，每年至少一次",
    description=_(
        "A mobile member who has not reported to the home organization for longer than this "
        "many months is flagged."
    ),
)
LETTER_MONTHS_WITHIN_PROVINCE = define_rule(
    "mobility.letter_validity_months_within_province",
    3,
    source="《中国共产党党员组织关系介绍信》使用规定：省（区、市）内转接有效期一般不超过三个月",
    description=_("Longest validity of a transfer letter within one province (months)."),
)
LETTER_MONTHS_ACROSS_PROVINCES = define_rule(
    "mobility.letter_validity_months_across_provinces",
    6,
    source="《中国共产党党员组织关系介绍信》使用规定：跨省（区、市）转接有效期一般不超过六个月",
    description=_("Longest validity of a transfer letter across provinces (months)."),
)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def province_of(code: str) -> str:
    """The province code (two digits and four zeros) of a GB/T 2260 division code."""
    code = (code or "").strip()
    return f"{code[:2]}0000" if len(code) >= 2 and code[:2].isdigit() else ""


def proposes_transfer(
    away_since: dt.date,
    expected_return: dt.date | None,
    *,
    fixed_place: bool,
    transfer_possible: bool = True,
    region: str = "",
) -> bool:
    """True when the rule proposes transferring the relation, False when it proposes a card.

    No expected return counts as a long absence. Exactly six months is still a card; one day
    more is a transfer (when the member lives at a fixed place and a transfer is possible).
    """
    months = rule(TRANSFER_AFTER_MONTHS, on=away_since, region=region)
    long_away = expected_return is None or expected_return > add_months(away_since, months)
    return long_away and fixed_place and transfer_possible


def letter_validity_months(home_region: str, destination_region: str, on: dt.date) -> int:
    """Longest validity of a transfer letter: within a province or across provinces.

    When either province is unknown the shorter, within-province limit applies.
    """
    home, destination = province_of(home_region), province_of(destination_region)
    across = bool(home and destination and home != destination)
    key = LETTER_MONTHS_ACROSS_PROVINCES if across else LETTER_MONTHS_WITHIN_PROVINCE
    return rule(key, on=on, region=home_region)


def report_overdue_after(last_report: dt.date, *, region: str = "") -> dt.date:
    """The last day a report still counts as on time; the day after, the member is flagged."""
    return add_months(last_report, rule(REPORT_MONTHS, on=last_report, region=region))
