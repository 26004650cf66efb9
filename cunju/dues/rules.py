"""The numbers of the Party dues rules (党费), with the regulation each comes from.

Rates are lists of ``[upper bound or None, rate]``: the first row whose bound is at least the
monthly base gives the one rate that applies to the whole base (the rates are not
progressive). Amounts and rates are strings and become ``Decimal`` where they are used.
"""

from django.utils.translation import gettext_lazy as _

from cunju.core.rules import define_rule

REGULATION = "《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号，2008年4月1日起施行）"

SALARIED_RATES = define_rule(
    "dues.salaried_rates",
    [["3000.00", "0.005"], ["5000.00", "0.01"], ["10000.00", "0.015"], [None, "0.02"]],
    source=f"{REGULATION} 一（一）1",
    description=_(
        "Members with a salary: one rate of the after-tax regular monthly income, by bracket "
        "(up to 3000 yuan 0.5%, up to 5000 yuan 1%, up to 10000 yuan 1.5%, above 2%)."
    ),
)
RETIRED_RATES = define_rule(
    "dues.retired_rates",
    [["5000.00", "0.005"], [None, "0.01"]],
    source=f"{REGULATION} 一（一）2",
    description=_("Retired members: 0.5% of the pension up to 5000 yuan a month, 1% above."),
)
FARMER_MONTHLY = define_rule(
    "dues.farmer_monthly",
    "0.50",
    source=f"{REGULATION} 一（一）3：农民党员每月交纳党费0.2元至1元（由各省区市党委组织部确定）",
    description=_(
        "Farmer members: a fixed monthly amount between 0.20 and 1.00 yuan that each province "
        "sets; 0.50 until the province's amount is entered for its region code."
    ),
)
MINIMUM_MONTHLY = define_rule(
    "dues.minimum_monthly",
    "0.20",
    source=f"{REGULATION} 一（一）4",
    description=_(
        "Students, unemployed members and members living on relief or the minimum living "
        "allowance (低保): 0.20 yuan a month."
    ),
)
ARREARS_MONTHS = define_rule(
    "dues.arrears_months",
    6,
    source="《中国共产党章程》第九条；" + f"{REGULATION} 一（五）",
    description=_(
        "Months in a row without paying dues, and without an approved reason, after which a "
        "member is flagged (treated as having left the Party)."
    ),
)

# Farmer members' amount must stay inside the range the regulation gives.
FARMER_RANGE = ("0.20", "1.00")
