"""People in development in both communities, received by the system.

新桥村党支部 (A)   林小满 applicant
石舍村党支部 (B)   石青禾 applicant
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from cunju.core.idnumbers import compose_resident_id
from cunju.core.system import SYSTEM
from cunju.development.actions import register_applicant
from cunju.members.models import Education, Occupation


def extend(w: SimpleNamespace) -> None:
    applied = dt.date.today() - dt.timedelta(days=10)
    w.applicant_a = register_applicant(
        SYSTEM,
        branch=w.branch_a1,
        name="林小满",
        sex="female",
        birth_date=dt.date(2001, 4, 2),
        applied_on=applied,
        education=Education.BACHELOR,
        occupation=Occupation.COMMUNITY_WORKER,
        id_number=compose_resident_id("320508", dt.date(2001, 4, 2), 21, "female"),
        phone="13712340021",
    )
    w.applicant_b = register_applicant(
        SYSTEM,
        branch=w.branch_b1,
        name="石青禾",
        sex="male",
        birth_date=dt.date(1999, 8, 18),
        applied_on=applied,
        education=Education.HIGH_SCHOOL,
        occupation=Occupation.FARMER,
        id_number=compose_resident_id("320508", dt.date(1999, 8, 18), 22, "male"),
        phone="13712340022",
    )
    w.b_names.append(w.applicant_b.name)
