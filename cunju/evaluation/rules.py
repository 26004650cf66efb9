"""The rules of democratic evaluation (民主评议党员), with their sources.

- Once a year per branch: self-review (自评), peer review (互评), vote (测评), then the branch
  committee decides the grades. "Once a year" is the unique (branch, year) constraint on
  ``EvaluationRound``, not a number an admin could change.
- Grades: 优秀 / 合格 / 基本合格 / 不合格; 优秀 at most a share of the members graded
  (``evaluation.excellent_share``). The cap is the share times the members graded, rounded
  **down**: 9 graded allow 3, 10 graded allow 3 (10/3 = 3.33…), 12 allow 4, 2 allow none.
- Probationary members (预备党员) take part in self-review and peer review but are not graded
  (``evaluation.grade_probationary_members``).
- Who takes part: the members of the branch on the day the round opens whose status that
  day is full or probationary (suspended, left and deceased members are not part of it).
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from cunju.core.rules import define_rule, rule

# The system goes back to 中共中央组织部《关于建立民主评议党员制度的意见》(1988); the
# regulation in force on how often and how is the branch work regulation of 2018.
EVALUATION_SOURCE = "《中国共产党支部工作条例（试行）》（2018）：党支部一般每年开展1次民主评议党员"

EXCELLENT_SHARE = define_rule(
    "evaluation.excellent_share",
    "1/3",
    # Not in a national regulation's text: the Organization Department's yearly guidance on
    # organizational life meetings and evaluation, repeated in local rules.
    source="中央组织部关于民主评议党员的工作要求（共产党员网“民主评议党员”专题及各地年度通知）："
    "评定为“优秀”的比例一般不超过党员总数的1/3（“党员总数”指正式党员，不含预备党员）",
    description=_(
        "Largest share of the members graded in a round that may be graded excellent, as a "
        'fraction ("1/3"); the number allowed is rounded down.'
    ),
)

GRADE_PROBATIONARY = define_rule(
    "evaluation.grade_probationary_members",
    False,
    source="中央组织部关于民主评议党员的工作要求：预备党员参加民主评议，但不评定等次",
    description=_("Whether probationary members are graded (they always take part)."),
)


def region_of(organization) -> str:
    """The division code nearest above the organization's place (for regional overrides)."""
    place = organization.place
    if place.code:
        return place.code
    for ancestor in reversed(list(place.ancestors())):
        if ancestor.code:
            return ancestor.code
    return ""


def excellent_share(on: dt.date, region: str = "") -> Fraction:
    """The share of graded members that may be excellent, in force on ``on``."""
    value = rule(EXCELLENT_SHARE, on=on, region=region)
    return Fraction(str(value))


def excellent_cap(graded: int, share: Fraction) -> int:
    """How many of ``graded`` members may be excellent: the share, rounded down."""
    return math.floor(graded * share)


def probationary_members_graded(on: dt.date, region: str = "") -> bool:
    return bool(rule(GRADE_PROBATIONARY, on=on, region=region))
