"""The library's adjustable limits, as rules an admin may override per region and date."""

from django.utils.translation import gettext_lazy as _

from cunju.core.rules import define_rule

POLICY = "平台规则（可由管理员按地区调整）"

PRICE_MIN = define_rule(
    "library.price_min",
    0,
    source=POLICY,
    description=_("The lowest price in points an uploader may set for a download."),
)
PRICE_MAX = define_rule(
    "library.price_max",
    20,
    source=POLICY,
    description=_("The highest price in points an uploader may set for a download."),
)
