"""The one chokepoint for reading scoped data: ``Model.objects.for_user(user)``.

Every scoped model names, in ``Meta``-like class attributes, which tree its rows hang on
(``scope_tree``: "organization" or "place") and the lookup that reaches the node's path
(``scope_lookup``). A user's scope is a Party organization; its place is their place scope.
Anything outside answers 404, exactly like a missing row (Zulip's ``access_*`` pattern).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from .tree import subtree_q

if TYPE_CHECKING:
    from cunju.accounts.models import User

M = TypeVar("M", bound=models.Model)


def scope_paths(user: Any) -> dict[str, str] | None:
    """The user's scope as tree paths, or None when the user sees everything."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    if user.sees_everything:
        return None
    org = user.scope
    if org is None:
        return {}
    paths = {"organization": org.path}
    if org.place_id is not None:
        paths["place"] = org.place.path
    return paths


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user: User) -> ScopedQuerySet:
        """Only the rows under the user's scope node (none for anonymous users)."""
        paths = scope_paths(user)
        if paths is None:
            return self.all()
        tree = self.model.scope_tree
        if tree not in paths:
            return self.none()
        return self.filter(self.scope_condition(paths[tree]))

    def scope_condition(self, path: str) -> Q:
        """Rows under the scope node at ``path``. Rows that concern two nodes (a transfer
        between organizations) override this to admit either side; the anonymous and
        see-everything cases stay in ``for_user``."""
        return subtree_q(path, self.model.scope_lookup)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass


def get_for_user(queryset_or_model: Any, user: User, **lookup: Any) -> Any:
    """One object in the user's scope, or 404 (the same answer as a missing object)."""
    manager = getattr(queryset_or_model, "objects", queryset_or_model)
    return get_object_or_404(manager.for_user(user), **lookup)


def ensure_in_scope(user: User, obj: models.Model) -> None:
    """Raise 404 when ``obj`` is outside the user's scope; actions call this first."""
    if obj is None:
        return
    if not type(obj)._default_manager.for_user(user).filter(pk=obj.pk).exists():
        raise Http404("out of scope")
