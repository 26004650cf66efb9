"""The numbers of Party member development (发展党员), as rules with their sources.

Defaults follow 《中国共产党发展党员工作细则》 (2014); admins override them per region and date
in the ``Rule`` table. Read them with ``rule(KEY, on=..., region=...)``.
"""

from django.utils.translation import gettext_lazy as _

from cunju.core.rules import define_rule

DETAILED_RULES = "《中国共产党发展党员工作细则》"

MIN_AGE = define_rule(
    "development.min_age",
    18,
    source=f"{DETAILED_RULES}第五条：年满十八岁",
    description=_("Minimum age of an applicant on the application date (years)."),
)
FIRST_TALK_MONTHS = define_rule(
    "development.first_talk_months",
    1,
    source=f"{DETAILED_RULES}第七条：收到入党申请书后一个月内派人谈话",
    description=_("Months after the application within which the first talk is held."),
)
MONTHS_TO_ACTIVIST = define_rule(
    "development.months_application_to_activist",
    0,
    source="地方实施办法（全国无统一要求，常见三至六个月）",
    description=_(
        "Months between the application and being named an activist (0 = no local minimum)."
    ),
)
MIN_CONTACTS = define_rule(
    "development.min_cultivation_contacts",
    1,
    source=f"{DETAILED_RULES}第二章：指定一至两名正式党员作培养联系人",
    description=_("Fewest full members assigned to an activist as cultivation contacts."),
)
MAX_CONTACTS = define_rule(
    "development.max_cultivation_contacts",
    2,
    source=f"{DETAILED_RULES}第二章：指定一至两名正式党员作培养联系人",
    description=_("Most full members assigned to an activist as cultivation contacts."),
)
REVIEW_MONTHS = define_rule(
    "development.activist_review_months",
    6,
    source=f"{DETAILED_RULES}第二章：党支部每半年对入党积极分子进行一次考察",
    description=_("Months between the reviews of an activist."),
)
ACTIVIST_MONTHS = define_rule(
    "development.months_as_activist",
    12,
    source=f"{DETAILED_RULES}第三章：经过一年以上培养教育和考察",
    description=_("Months as an activist before becoming a development candidate."),
)
INTRODUCERS = define_rule(
    "development.introducers",
    2,
    source="《中国共产党章程》第五条；" + f"{DETAILED_RULES}第三章：两名正式党员作入党介绍人",
    description=_("Full members who introduce a development candidate."),
)
POLITICAL_REVIEW_MONTHS = define_rule(
    "development.political_review_valid_months",
    12,
    source=f"{DETAILED_RULES}第三章 政治审查；政审结论一年内有效（各地实施办法）",
    description=_("Months a political review stays valid."),
)
TRAINING_DAYS = define_rule(
    "development.training_min_days",
    3,
    source=f"{DETAILED_RULES}第三章：集中培训时间一般不少于3天（或不少于24个学时）",
    description=_("Days of concentrated training a development candidate needs."),
)
TRAINING_HOURS = define_rule(
    "development.training_min_hours",
    24,
    source=f"{DETAILED_RULES}第三章：集中培训时间一般不少于3天（或不少于24个学时）",
    description=_("Class hours of concentrated training that count instead of the days."),
)
NOTICE_WORKING_DAYS = define_rule(
    "development.notice_working_days",
    5,
    source="《中国共产党发展党员工作细则》及各地发展党员公示制度：公示期不少于5个工作日",
    description=_("Working days a public notice runs (Chinese calendar, with swapped workdays)."),
)
VOTE_SHARE = define_rule(
    "development.vote_share",
    "0.5",
    source=f"{DETAILED_RULES}第四章：赞成人数超过应到会有表决权的正式党员的半数",
    description=_("Share of entitled full members the yes-votes must exceed."),
)
APPROVAL_MONTHS = define_rule(
    "development.approval_months",
    3,
    source=f"{DETAILED_RULES}第四章：上级党委应当在三个月内审批",
    description=_("Months after the branch vote within which the higher committee approves."),
)
APPROVAL_MONTHS_SPECIAL = define_rule(
    "development.approval_months_special",
    6,
    source=f"{DETAILED_RULES}第四章：遇有特殊情况可适当延长审批时间，但不得超过六个月",
    description=_("Longest approval time in special cases (months after the vote)."),
)
PROBATION_MONTHS = define_rule(
    "development.probation_months",
    12,
    source="《中国共产党章程》第七条：预备期为一年，从支部大会通过之日算起",
    description=_("Months of probation, counted from the branch vote."),
)
EXTENSION_MIN_MONTHS = define_rule(
    "development.extension_min_months",
    6,
    source=f"{DETAILED_RULES}第五章：延长预备期的时间不能少于半年，最长不超过一年",
    description=_("Shortest extension of a probation (months)."),
)
EXTENSION_MAX_MONTHS = define_rule(
    "development.extension_max_months",
    12,
    source="《中国共产党章程》第七条：可以延长预备期，但不能超过一年；"
    f"{DETAILED_RULES}第五章：延长预备期的时间不能少于半年，最长不超过一年",
    description=_("Longest extension of a probation (months)."),
)
DUE_SOON_DAYS = define_rule(
    "development.due_soon_days",
    7,
    source="本系统待办提醒",
    description=_("Days ahead the to-do list shows a step as due soon."),
)
