"""How long a committee's seats last (任期), and where each number comes from."""

from __future__ import annotations

import datetime as dt

from cunju.core.rules import RULES
from cunju.core.system import SYSTEM
from cunju.organizations import rules
from cunju.organizations.actions import elect_committee
from cunju.organizations.models import Organization
from tests.organizations.people import branch


def test_a_community_general_branch_serves_five_years_an_enterprise_one_three(world):
    community = branch(
        world.committee_a,
        "湖滨社区第一党总支",
        kind=Organization.Kind.GENERAL_BRANCH,
        category=Organization.Category.COMMUNITY,
    )
    enterprise = branch(
        world.committee_a,
        "湖滨工业园党总支",
        kind=Organization.Kind.GENERAL_BRANCH,
        category=Organization.Category.ENTERPRISE,
    )
    on = dt.date(2025, 3, 1)
    assert elect_committee(SYSTEM, community, elected_on=on).due_on == dt.date(2030, 3, 1)
    assert elect_committee(SYSTEM, enterprise, elected_on=on).due_on == dt.date(2028, 3, 1)


def test_term_rules_name_the_article_that_sets_them():
    source = {key: RULES[key].source for key in RULES if key.startswith("organizations.term")}
    # The Party Constitution sets 3 to 5 years in Article 31 (not 30, which founds the
    # basic organizations); the 2018 opinion on terms sets the defaults.
    assert "第三十一条" in source[rules.TERM_YEARS_COMMITTEE]
    assert "第三十条" not in "".join(source.values())
    assert "关于党的基层组织任期的意见" in source[rules.TERM_YEARS_GENERAL_BRANCH]
    assert "关于党的基层组织任期的意见" in source[rules.TERM_YEARS_COMMUNITY_GENERAL_BRANCH]
    assert "第二十一条" in source[rules.TERM_YEARS_BRANCH]
    assert "第二十一条" in source[rules.TERM_YEARS_COMMUNITY_BRANCH]
    assert RULES[rules.TERM_YEARS_COMMUNITY_GENERAL_BRANCH].default == 5
