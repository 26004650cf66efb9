"""Trees with a materialised path: "everything under this node" is one indexed range query.

Each node's ``path`` is its parent's path plus a fixed-width base-36 step and a dot, e.g.
``0001.0003.``; sorting by path lists the tree depth-first. A subtree is the half-open range
``[path, path[:-1] + "/")`` because "/" sorts right after "." — a plain B-tree range scan on
SQLite and PostgreSQL alike, with no LIKE and no operator classes.
"""

from __future__ import annotations

import string

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

STEP_WIDTH = 4
ALPHABET = string.digits + string.ascii_uppercase
MAX_STEP = 36**STEP_WIDTH - 1


def encode_step(number: int) -> str:
    if not 0 < number <= MAX_STEP:
        raise ValueError(f"tree step {number} out of range")
    digits = []
    while number:
        number, rest = divmod(number, 36)
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits)).rjust(STEP_WIDTH, "0")


def decode_step(step: str) -> int:
    return int(step, 36)


def subtree_q(path: str, lookup: str = "path") -> Q:
    """The filter for a node at ``path`` and everything below it."""
    return Q(**{f"{lookup}__gte": path, f"{lookup}__lt": path[:-1] + "/"})


class TreeQuerySet(models.QuerySet):
    def subtree(self, node: TreeNode) -> TreeQuerySet:
        return self.filter(subtree_q(node.path))

    def descendants(self, node: TreeNode) -> TreeQuerySet:
        return self.subtree(node).exclude(pk=node.pk)

    def roots(self) -> TreeQuerySet:
        return self.filter(parent__isnull=True)


class TreeNode(models.Model):
    """Abstract base of the place and organization trees."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(_("tree path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False, default=0)

    class Meta:
        abstract = True
        ordering = ["path"]

    def save(self, *args, **kwargs) -> None:
        if not self.path:
            self._save_with_new_path(*args, **kwargs)
        else:
            super().save(*args, **kwargs)

    def _save_with_new_path(self, *args, **kwargs) -> None:
        # Two writers may pick the same next step; the unique path makes the loser retry.
        for _attempt in range(5):
            self.path = self._next_child_path(self.parent)
            self.depth = 0 if self.parent is None else self.parent.depth + 1
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                self.pk = None
                continue
        raise IntegrityError("could not allocate a tree path")

    @classmethod
    def _next_child_path(cls, parent: TreeNode | None) -> str:
        base = "" if parent is None else parent.path
        siblings = (
            cls._default_manager.filter(parent=parent)
            if parent
            else cls._default_manager.filter(parent__isnull=True)
        )
        last = siblings.aggregate(last=models.Max("path"))["last"]
        number = 1 if last is None else decode_step(last[len(base) : len(base) + STEP_WIDTH]) + 1
        return f"{base}{encode_step(number)}."

    def is_within(self, other: TreeNode) -> bool:
        """True when this node is ``other`` or below it."""
        return self.path.startswith(other.path)

    def ancestors(self) -> models.QuerySet:
        """The chain from the root down to the parent, in order."""
        prefixes = [
            self.path[: i + STEP_WIDTH + 1]
            for i in range(0, len(self.path) - STEP_WIDTH - 1, STEP_WIDTH + 1)
        ]
        return type(self)._default_manager.filter(path__in=prefixes).order_by("depth")

    def subtree(self) -> models.QuerySet:
        return type(self)._default_manager.filter(subtree_q(self.path))

    def move_under(self, new_parent: TreeNode | None) -> None:
        """Re-hang this node and its whole subtree under ``new_parent`` (one UPDATE)."""
        if new_parent is not None and new_parent.is_within(self):
            raise ValueError("a node cannot move under itself")
        with transaction.atomic():
            self._move_under(new_parent)

    def _move_under(self, new_parent: TreeNode | None) -> None:
        manager = type(self)._default_manager
        old_path, old_depth = self.path, self.depth
        new_path = self._next_child_path(new_parent)
        new_depth = 0 if new_parent is None else new_parent.depth + 1
        manager.filter(subtree_q(old_path)).update(
            path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1)),
            depth=F("depth") - old_depth + new_depth,
        )
        manager.filter(pk=self.pk).update(parent=new_parent)
        self.parent, self.path, self.depth = new_parent, new_path, new_depth


__all__ = ["TreeNode", "TreeQuerySet", "subtree_q", "encode_step", "decode_step"]
