"""Rules as data: the numbers regulations set, with their defaults and sources in code and
overrides per region and date in the database.

Each domain declares its rules once (``define_rule``) with the default the national
regulation gives and where it comes from. An admin may override a rule for a province or
county from a date on (``Rule`` rows); ``rule(key, on=..., region=...)`` answers with the
most specific row in force, else the default. Values are JSON: amounts are strings
("0.20") and become ``Decimal`` where they are used, never float.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class RuleDefinition:
    key: str
    default: Any
    source: str
    description: Any


RULES: dict[str, RuleDefinition] = {}


def define_rule(key: str, default: Any, *, source: str, description: Any = "") -> str:
    """Declare a rule with its national default and the regulation it comes from."""
    RULES[key] = RuleDefinition(key, default, source, description)
    return key


class Rule(models.Model):
    """规则参数: an override of a rule for a region from a date on."""

    key = models.CharField(_("rule"), max_length=100, db_index=True)
    region_code = models.CharField(
        _("region code"),
        max_length=12,
        blank=True,
        help_text=_("GB/T 2260 code of the province or county; empty for the whole country."),
    )
    effective_from = models.DateField(_("in force from"), default=dt.date(1900, 1, 1))
    value = models.JSONField(_("value"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["key", "region_code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "region_code", "effective_from"], name="rule_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.region_code or '*'} {self.effective_from:%Y-%m-%d}"


def region_chain(region: str | None) -> list[str]:
    """The codes to try, most specific first: county, city, province, the whole country."""
    if not region:
        return [""]
    code = region[:6].ljust(6, "0")
    chain = [code, code[:4] + "00", code[:2] + "0000", ""]
    return list(dict.fromkeys(chain))


def rule(key: str, *, on: dt.date | None = None, region: str | None = None) -> Any:
    """The value of ``key`` in force on ``on`` (today) for ``region``."""
    if key not in RULES:
        raise KeyError(f"unknown rule {key!r}")
    on = on or dt.date.today()
    chain = region_chain(region)
    rows = list(
        Rule.objects.filter(key=key, region_code__in=chain, effective_from__lte=on)
        .order_by("-effective_from")
        .values_list("region_code", "value")
    )
    for code in chain:
        for row_code, value in rows:
            if row_code == code:
                return value
    return RULES[key].default
