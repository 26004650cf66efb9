"""Names sortable and searchable by pinyin: 张三 is found by "zs", "zhangsan" or "zhang".

Every model with a Chinese name stores two derived columns, kept in step on save
(``NamePinyinMixin``): the full pinyin without tones or spaces, and the initials.
"""

from __future__ import annotations

import re

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

# Surnames read differently from the same character in ordinary words (多音字姓氏).
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "仇": "qiu",
    "区": "ou",
    "解": "xie",
    "朴": "piao",
    "查": "zha",
    "乐": "yue",
    "员": "yun",
    "缪": "miao",
    "覃": "qin",
    "盖": "ge",
    "种": "chong",
    "秘": "bi",
    "翟": "zhai",
    "尉": "yu",
    "长孙": "zhangsun",
    "尉迟": "yuchi",
    "万俟": "moqi",
}


def _syllables(text: str, *, person: bool) -> list[str]:
    text = (text or "").strip()
    head: list[str] = []
    if person:
        for surname in sorted(SURNAME_READINGS, key=len, reverse=True):
            if text.startswith(surname):
                reading = SURNAME_READINGS[surname]
                head = [reading] if len(surname) == 1 else _split_compound(surname, reading)
                text = text[len(surname) :]
                break
    rest = lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: list(chars))
    return [s.lower() for s in head + rest if s.strip()]


def _split_compound(surname: str, reading: str) -> list[str]:
    parts = lazy_pinyin(surname, style=Style.NORMAL)
    return (
        parts
        if "".join(parts) == reading
        else [reading[: len(reading) // 2], reading[len(reading) // 2 :]]
    )


def full_pinyin(text: str, *, person: bool = False) -> str:
    """张三 → "zhangsan" (letters and digits only)."""
    return re.sub(r"[^0-9a-z]", "", "".join(_syllables(text, person=person)))


def initials(text: str, *, person: bool = False) -> str:
    """张三 → "zs"; other characters keep their first letter or digit."""
    return re.sub(r"[^0-9a-z]", "", "".join(s[0] for s in _syllables(text, person=person) if s))


class NamePinyinMixin(models.Model):
    """Adds ``name_pinyin`` and ``name_initials`` derived from ``name`` on every save."""

    name_pinyin = models.CharField(
        _("pinyin"), max_length=255, blank=True, editable=False, db_index=True
    )
    name_initials = models.CharField(
        _("pinyin initials"), max_length=64, blank=True, editable=False, db_index=True
    )

    # People's names use the surname readings; places and organizations do not.
    pinyin_is_person_name = False
    pinyin_source_field = "name"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        source = getattr(self, self.pinyin_source_field) or ""
        self.name_pinyin = full_pinyin(source, person=self.pinyin_is_person_name)[:255]
        self.name_initials = initials(source, person=self.pinyin_is_person_name)[:64]
        super().save(*args, **kwargs)


def name_search_q(query: str, *, field: str = "name", prefix: str = "") -> Q:
    """Matches a name by its characters, its full pinyin or its initials."""
    query = (query or "").strip()
    if not query:
        return Q()
    condition = Q(**{f"{prefix}{field}__icontains": query})
    letters = re.sub(r"[^0-9a-z]", "", query.lower())
    if letters and letters == re.sub(r"\s", "", query.lower()):
        condition |= Q(**{f"{prefix}name_pinyin__contains": letters})
        condition |= Q(**{f"{prefix}name_initials__startswith": letters})
    return condition
