"""The numbers the regulations set for Party organizations: branch size and committee terms."""

from django.utils.translation import gettext_lazy as _

from cunju.core.rules import define_rule

BRANCH_MIN_FULL_MEMBERS = define_rule(
    "organizations.branch_min_full_members",
    3,
    source="《中国共产党支部工作条例（试行）》第四条：凡是有正式党员3人以上的，都应当成立党支部",
    description=_("A Party branch needs at least this many full members."),
)
BRANCH_MAX_MEMBERS = define_rule(
    "organizations.branch_max_members",
    50,
    source="《中国共产党支部工作条例（试行）》第四条：党支部党员人数一般不超过50人",
    description=_("A Party branch with more members than this should be split."),
)
TERM_YEARS_BRANCH = define_rule(
    "organizations.term_years.branch",
    3,
    source="《中国共产党支部工作条例（试行）》第二十一条：其他基层单位党支部委员会一般每届任期3年",
    description=_("Years a branch committee serves (branches outside villages and communities)."),
)
TERM_YEARS_COMMUNITY_BRANCH = define_rule(
    "organizations.term_years.community_branch",
    5,
    source="《中国共产党支部工作条例（试行）》第二十一条：村、社区党支部委员会每届任期5年",
    description=_("Years a branch committee of a village or community serves."),
)
TERM_YEARS_GENERAL_BRANCH = define_rule(
    "organizations.term_years.general_branch",
    3,
    source="《中国共产党章程》第三十一条：总支部委员会每届任期三年至五年；"
    "中共中央办公厅《关于党的基层组织任期的意见》（2018）：总支部委员会每届任期一般为3年",
    description=_("Years a general branch committee serves (outside villages and communities)."),
)
TERM_YEARS_COMMUNITY_GENERAL_BRANCH = define_rule(
    "organizations.term_years.community_general_branch",
    5,
    source="中共中央办公厅《关于党的基层组织任期的意见》（2018）：村和社区党的总支部委员会"
    "每届任期为5年；《中国共产党农村基层组织工作条例》第二章：村党的总支部委员会每届任期5年",
    description=_("Years a general branch committee of a village or community serves."),
)
TERM_YEARS_COMMITTEE = define_rule(
    "organizations.term_years.committee",
    5,
    source="《中国共产党章程》第三十一条：党的基层委员会每届任期三年至五年；"
    "中共中央办公厅《关于党的基层组织任期的意见》（2018）：党的基层委员会每届任期一般为5年；"
    "《中国共产党农村基层组织工作条例》第二章：乡镇党委、村党的委员会每届任期5年",
    description=_("Years a Party committee of a town or community serves."),
)
ELECTION_WARNING_DAYS = define_rule(
    "organizations.election_warning_days",
    90,
    source="《中国共产党基层组织选举工作条例》：任期届满应当按期进行换届选举；提前报上级党组织",
    description=_("Days ahead of the due date from which a re-election is listed as due soon."),
)
