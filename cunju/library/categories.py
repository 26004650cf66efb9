"""The library's shelves (分类): admins add, rename and reorder them.

Categories are shared by the whole installation (a document's scope comes from its
organization, not its shelf), so only ``library.manage_library`` may change them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.actions import action, describe, require

from .models import Category

MANAGE = "library.manage_library"


def _clean_name(name: str, *, instead_of: Category | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the category a name.")})
    if len(name) > Category._meta.get_field("name").max_length:
        raise ValidationError({"name": _("The name is too long.")})
    taken = Category.objects.filter(name=name)
    if instead_of is not None:
        taken = taken.exclude(pk=instead_of.pk)
    if taken.exists():
        raise ValidationError({"name": _("A category with this name already exists.")})
    return name


@action("library.add_category", gettext_lazy("Add a library category"))
def add_category(actor: Any, *, name: str) -> Category:
    """A new shelf, placed after the others."""
    require(actor, MANAGE)
    name = _clean_name(name)
    last = Category.objects.aggregate(last=Max("position"))["last"]
    category = Category.objects.create(name=name, position=0 if last is None else last + 1)
    describe(category, {"name": [None, name]})
    return category


@action("library.rename_category", gettext_lazy("Rename a library category"))
def rename_category(actor: Any, category: Category, *, name: str) -> Category:
    require(actor, MANAGE)
    name = _clean_name(name, instead_of=category)
    old = category.name
    describe(category)
    if name != old:
        category.name = name
        category.save(update_fields=["name"])
        describe(category, {"name": [old, name]})
    return category


@action("library.move_category", gettext_lazy("Reorder the library categories"))
def move_category(actor: Any, category: Category, *, offset: int) -> Category:
    """Move a shelf up (negative) or down (positive) the list; positions are renumbered
    0, 1, 2… so the order never depends on ties."""
    require(actor, MANAGE)
    shelves = list(Category.objects.select_for_update().order_by("position", "name"))
    index = next(i for i, c in enumerate(shelves) if c.pk == category.pk)
    target = min(max(index + offset, 0), len(shelves) - 1)
    shelves.insert(target, shelves.pop(index))
    for position, shelf in enumerate(shelves):
        if shelf.position != position:
            Category.objects.filter(pk=shelf.pk).update(position=position)
    describe(category, {"position": [index, target]} if index != target else None)
    return category
