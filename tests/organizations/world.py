"""Committees in both communities, elected as the system.

中共湖滨社区委员会 (A)  elected four years ago: secretary 赵志刚, member 孙丽
中共石舍社区委员会 (B)  elected four years ago: secretary 陈静, member 钱石磊
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from cunju.core.system import SYSTEM
from cunju.organizations.actions import elect_committee
from cunju.organizations.models import CommitteeMember

ROLE = CommitteeMember.Role


def extend(w: SimpleNamespace) -> None:
    elected = dt.date.today().replace(day=1) - dt.timedelta(days=4 * 365)
    w.term_a = elect_committee(
        SYSTEM,
        w.committee_a,
        elected_on=elected,
        seats=[
            {"role": ROLE.SECRETARY, "name": w.secretary_a.full_name},
            {"role": ROLE.MEMBER, "name": "孙丽"},
        ],
    )
    w.term_b = elect_committee(
        SYSTEM,
        w.committee_b,
        elected_on=elected,
        seats=[
            {"role": ROLE.SECRETARY, "name": w.secretary_b.full_name},
            {"role": ROLE.MEMBER, "name": "钱石磊"},
        ],
    )
    w.seat_b = w.term_b.seats.get(name="钱石磊")
    w.b_names.append("钱石磊")
