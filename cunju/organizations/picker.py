"""Choosing a Party organization by typing: the picker that replaces drop-downs of the tree.

A county or province holds tens of thousands of organizations; listing them all in a
``<select>`` costs megabytes per page. The picker is a search instead: by name, short name or
pinyin (``湖滨``, ``hubin``, ``hb``), at most 20 answers, each labelled with its place in the
tree ("湖滨社区党委 › 新桥村党支部"). What may be chosen is an ``Offer``: by default the user's
own visible tree (``for_user``), narrowed by kind and exclusions, and the path names stop at
the top of that tree, so a name outside it never appears — not even as an ancestor.

The same offer serves the form field (check on submit, resolve typed text without
JavaScript), its widget (the label of the current value) and the JSON search endpoint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Model, Q, QuerySet, Value, When
from django.db.models.functions import Length
from django.http import JsonResponse, QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from cunju.core.pinyin import name_search_q
from cunju.core.tree import STEP_WIDTH, subtree_q

from .models import Organization

LIMIT = 20
SEPARATOR = " › "
# Longest text searched; a label pasted back is shorter than this.
MAX_QUERY = 200
# Organizations of one name a typed label is compared with.
NAMESAKES = 2000


@dataclass(frozen=True)
class Choice:
    """A node of a tree (an organization, a place) as a picker shows it."""

    node: Any
    label: str  # the names from the top of the visible tree down to the node

    @property
    def pk(self) -> int:
        return self.node.pk

    @property
    def object(self) -> Any:
        return self.node

    @property
    def organization(self) -> Organization:
        return self.node

    @property
    def name(self) -> str:
        return self.node.name

    def as_json(self) -> dict[str, Any]:
        return {"pk": self.pk, "name": self.name, "label": self.label}


def ancestor_paths(path: str) -> list[str]:
    step = STEP_WIDTH + 1  # "0001." — a step and its dot
    return [path[:end] for end in range(step, len(path), step)]


def labelled(nodes: list, tree: QuerySet) -> list[Choice]:
    """Each node with the names of its ancestors found in ``tree`` (one query); a step
    shows its short name where the model has one."""
    wanted = {p for o in nodes for p in ancestor_paths(o.path)}
    names: dict[str, str] = {}
    if wanted:
        above = tree.filter(path__in=wanted)
        if any(f.name == "short_name" for f in tree.model._meta.fields):
            rows = above.values_list("path", "short_name", "name")
            names = {path: short or name for path, short, name in rows}
        else:
            names = dict(above.values_list("path", "name"))
    return [
        Choice(
            o,
            SEPARATOR.join([*(names[p] for p in ancestor_paths(o.path) if p in names), o.name]),
        )
        for o in nodes
    ]


def search(organizations: QuerySet, query: str, *, tree: QuerySet, limit: int = LIMIT) -> list:
    """Up to ``limit`` of ``organizations`` matching ``query``: exact names first, then names
    that start with it, then the rest, shorter names before longer ones."""
    query = (query or "").strip()[:MAX_QUERY]
    if not query:
        return []
    condition = name_search_q(query) | Q(short_name__icontains=query)
    letters = query.lower()
    if letters.isascii() and letters.isalnum():
        # Most names start with 中共 ("zg…"): initials are matched anywhere, not only first.
        condition |= Q(name_initials__contains=letters)
    found = (
        organizations.filter(condition)
        .annotate(
            rank=Case(
                When(Q(name=query) | Q(short_name=query), then=Value(0)),
                When(Q(name__startswith=query) | Q(name_initials=query.lower()), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            length=Length("name"),
        )
        .order_by("rank", "length", "path")[:limit]
    )
    return labelled(list(found), tree)


def plain(text: str) -> str:
    """A label without the spaces around its marks, to compare what was typed."""
    mark = SEPARATOR.strip()
    return mark.join(part.strip() for part in (text or "").strip().split(mark))


def resolve_choice(
    organizations: QuerySet, text: str, *, tree: QuerySet, find: Any = None
) -> tuple[Choice | None, list[Choice]]:
    """The one node ``text`` names (a label from the list, a name, or a search that finds
    only one), else None and the candidates found (to show as hints). ``find`` searches the
    nodes (``search``, the organizations', by default)."""
    typed = plain(text)
    mark = SEPARATOR.strip()
    last = typed.split(mark)[-1]
    if mark in typed:
        # A label: the organizations of that name, told apart by their paths (a province
        # has hundreds of "第一党支部", more than a search answers).
        namesakes = labelled(list(organizations.filter(name=last)[:NAMESAKES]), tree)
        exact = [c for c in namesakes if plain(c.label) == typed]
        if len(exact) == 1:
            return exact[0], []
    found = (find or search)(organizations, last, tree=tree, limit=LIMIT + 1)
    exact = [c for c in found if c.name == last or plain(c.label) == typed]
    if len(exact) == 1:
        return exact[0], []
    if len(found) == 1:
        return found[0], []
    return None, exact or found


def resolve(
    organizations: QuerySet, text: str, *, tree: QuerySet
) -> tuple[Organization | None, list[Choice]]:
    """``resolve_choice`` for callers that need only the organization."""
    choice, candidates = resolve_choice(organizations, text, tree=tree)
    return (choice.node if choice else None), candidates


class Source(Protocol):
    """What a picker offers (``Offer``; the transfer receivers, anywhere in the system; the
    members of ``cunju.members.picker``): what may be chosen, the one an id or a typed text
    names, the search endpoint's URL and the texts the box shows. A choice has ``pk``,
    ``label`` (as listed), ``name`` and ``object`` (the model instance), like ``Choice``."""

    no_match: Any
    placeholder: Any
    more: Any
    found: Any

    def queryset(self) -> QuerySet: ...

    def choice(self, pk: Any) -> Any: ...

    def resolve(self, text: str) -> tuple[Any, list]: ...

    def url(self) -> str: ...


class OrganizationSource:
    """A ``Source`` of organizations: ``organizations()`` (what may be chosen) labelled
    with the names of their ancestors in ``tree()``."""

    placeholder = _("Type a name or its pinyin, e.g. 新桥 or xq")
    more = _("More organizations match: type more of the name.")
    found = _("Organizations found")

    def organizations(self) -> QuerySet:
        raise NotImplementedError

    def tree(self) -> QuerySet:
        raise NotImplementedError

    def queryset(self) -> QuerySet:
        return self.organizations()

    def choice(self, pk: Any) -> Choice | None:
        return choice_of(self, pk)

    def resolve(self, text: str) -> tuple[Choice | None, list[Choice]]:
        return resolve_choice(self.organizations(), text, tree=self.tree())


def choice_of(source: Any, pk: Any) -> Choice | None:
    """The offered node with this id (``source.queryset()``), labelled from
    ``source.tree()``; None for anything else."""
    pk = parse_id(pk)
    if pk is None:
        return None
    found = list(source.queryset().filter(pk=pk))
    return labelled(found, source.tree())[0] if found else None


@dataclass(frozen=True)
class Offer(OrganizationSource):
    """The organizations a user may pick: their visible tree, narrowed by kind and exclusions.

    The form field and the search endpoint build it from the same few parameters (the widget
    puts them in the endpoint's URL), so what is listed while typing and what is accepted on
    submit agree. The parameters only ever narrow: scope comes from the user, never the URL.
    """

    user: Any
    kinds: tuple[str, ...] = ()
    exclude: int | None = None  # not this organization (e.g. the member's current one)
    exclude_under: int | None = None  # nor this one and anything under it (a move's target)

    no_match = _("No organization within your scope matches “%(text)s”.")

    def tree(self) -> QuerySet:
        return Organization.objects.for_user(self.user).current()

    def organizations(self) -> QuerySet:
        organizations = self.tree()
        if self.kinds:
            organizations = organizations.filter(kind__in=self.kinds)
        if self.exclude is not None:
            organizations = organizations.exclude(pk=self.exclude)
        if self.exclude_under is not None:
            path = self.tree().filter(pk=self.exclude_under).values_list("path", flat=True).first()
            if path is not None:
                organizations = organizations.exclude(subtree_q(path))
        return organizations

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.kinds:
            params["kind"] = list(self.kinds)
        if self.exclude is not None:
            params["exclude"] = self.exclude
        if self.exclude_under is not None:
            params["exclude_under"] = self.exclude_under
        return params

    def url(self) -> str:
        params = self.params()
        url = reverse("organizations:picker")
        return f"{url}?{urlencode(params, doseq=True)}" if params else url

    @classmethod
    def from_query(cls, user: Any, query: QueryDict) -> Offer:
        """The offer a search request describes; unknown kinds and bad numbers are ignored."""
        valid = set(Organization.Kind.values)
        kinds = tuple(k for k in query.getlist("kind") if k in valid)
        return cls(
            user,
            kinds=kinds,
            exclude=parse_id(query.get("exclude")),
            exclude_under=parse_id(query.get("exclude_under")),
        )


def parse_id(text: Any) -> int | None:
    """An id from a request or a form, None for anything that is not one."""
    try:
        return int(text) if text not in (None, "") else None
    except (TypeError, ValueError):
        return None


# Kinds of organization the usual pickers offer.
REGISTER_KINDS = (
    Organization.Kind.COMMITTEE,
    Organization.Kind.GENERAL_BRANCH,
    Organization.Kind.BRANCH,
)  # organizations that keep a member register (not Party groups)
BRANCH_KINDS = (Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH)


def answer(source: OrganizationSource, query: str) -> JsonResponse:
    """The search endpoint's reply: up to 20 choices and whether more match."""
    return reply(search(source.organizations(), query, tree=source.tree(), limit=LIMIT + 1))


def reply(found: list) -> JsonResponse:
    """A search endpoint's reply of the choices found (up to ``LIMIT + 1``): up to 20 and
    whether more match."""
    return JsonResponse(
        {"results": [c.as_json() for c in found[:LIMIT]], "more": len(found) > LIMIT},
        json_dumps_params={"ensure_ascii": False},
    )


# --- In forms and filters --------------------------------------------------------------------


def _raw(value: Any) -> tuple[str, str]:
    """The id and the text of a picker's value (as sent, or an initial object or id)."""
    pk, query = value if isinstance(value, tuple) else (value, "")
    if isinstance(pk, Model):
        pk = pk.pk
    return ("" if pk is None else str(pk).strip()), (query or "").strip()


class Picker(forms.Widget):
    """A search box with the chosen object's id in a hidden input (``picker.js``).

    What was typed is sent too, as ``<name>_query``: without JavaScript, or when a name is
    typed without choosing from the list, the server resolves it. A value already set (an
    id from a link) shows as its label — found with one query, never a list of options.
    """

    template_name = "organizations/widgets/picker.html"

    def __init__(self, attrs: dict | None = None, source: Source | None = None) -> None:
        super().__init__(attrs)
        self.source = source
        # What the field made of each input it checked, (id, text) → (id, text) to show:
        # rendering the box then needs no second look-up.
        self.shown: dict[tuple[str, str], tuple[str, str]] = {}

    def __deepcopy__(self, memo: dict) -> Picker:
        copied = super().__deepcopy__(memo)
        copied.shown = {}
        return copied

    def value_from_datadict(self, data: Any, files: Any, name: str) -> tuple[str, str]:
        return (data.get(name) or "", data.get(f"{name}_query") or "")

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_query" not in data

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        pk, query = _raw(value)
        if (pk, query) in self.shown:
            pk, query = self.shown[(pk, query)]
        elif pk and not query:
            # An id from a link or the initial data. One that may not be chosen is not shown
            # back, not even its name.
            choice = self.source.choice(pk) if self.source is not None else None
            pk, query = (str(choice.pk), choice.label) if choice else ("", "")
        widget = context["widget"]
        source = self.source if self.source is not None else OrganizationSource
        widget.update(
            pk=pk,
            query=query,
            id=widget["attrs"].get("id") or f"id_{name}",
            url=self.source.url() if self.source is not None else "",
            no_match=getattr(source, "no_match", ""),
            placeholder=source.placeholder,
            more=source.more,
            found=source.found,
        )
        return context


OrganizationPicker = Picker


class PickerField(forms.Field):
    """An object chosen with the picker among what ``source`` offers.

    Forms set ``source`` in ``__init__`` (it needs the user), e.g.
    ``self.fields["organization"].source = Offer(user, kinds=BRANCH_KINDS)``.
    """

    widget = Picker
    # What is chosen; subclasses name it in "invalid_choice" and "several" (%(text)s,
    # %(shown)s).
    model: type[Model] = Organization
    default_error_messages: dict[str, Any] = {}

    def __init__(self, *, source: Source | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source

    @property
    def source(self) -> Source | None:
        return self._source

    @source.setter
    def source(self, source: Source | None) -> None:
        self._source = source
        self.widget.source = source

    @property
    def queryset(self) -> QuerySet:
        """What may be chosen (read as on a ``ModelChoiceField``)."""
        if self.source is None:
            return self.model.objects.none()
        return self.source.queryset()

    def to_python(self, value: Any) -> Any:
        pk, text = _raw(value)
        shown = self.widget.shown
        if pk:
            choice = self.source.choice(pk) if self.source is not None else None
            if choice is None:
                shown[(pk, text)] = ("", text)
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            if not text or plain(text) in (plain(choice.label), choice.name):
                shown[(pk, text)] = (pk, choice.label)
                return choice.object
            # Without JavaScript the id of an earlier choice stays while the text is edited:
            # the text is what the user means now.
        if not text:
            shown[(pk, text)] = ("", "")
            return None
        if self.source is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        choice, candidates = self.source.resolve(text)
        if choice is not None:
            shown[(pk, text)] = (str(choice.pk), choice.label)
            return choice.object
        shown[(pk, text)] = ("", text)
        if not candidates:
            raise ValidationError(
                self.source.no_match, code="invalid_choice", params={"text": text}
            )
        raise ValidationError(
            self.error_messages["several"],
            code="several",
            params={"text": text, "shown": "；".join(c.label for c in candidates[:5])},
        )

    def has_changed(self, initial: Any, data: Any) -> bool:
        pk, text = _raw(data)
        before, _text = _raw(initial)
        return pk != before or (bool(text) and not pk)


class OrganizationField(PickerField):
    """An organization chosen with the picker among what ``source`` offers."""

    default_error_messages = {
        "invalid_choice": _("Choose an organization from the list."),
        "several": _(
            "Several organizations match “%(text)s”: choose one from the list (%(shown)s)."
        ),
    }


class OrganizationFilter(django_filters.Filter):
    """A filterset's organization picker over the requesting user's scope.

    ``kinds`` narrows what is offered; the value is an ``Organization`` (``method`` decides
    what it filters, e.g. the whole subtree). An id outside the scope is an invalid filter.
    """

    field_class = OrganizationField

    def __init__(self, *args: Any, kinds: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = tuple(kinds)

    @property
    def field(self) -> OrganizationField:
        if not hasattr(self, "_field"):
            field = super().field
            request = getattr(self.parent, "request", None)
            field.source = Offer(getattr(request, "user", None), kinds=self.kinds)
        return self._field


# --- Several choices -------------------------------------------------------------------------

# Between names typed without JavaScript.
NAME_SEPARATORS = re.compile(r"[,，、;；\n]+")


class MultiPicker(Picker):
    """The picker for several objects: each chosen one a chip with its id in a hidden input
    of the field's name, removable; the search box adds more (``picker.js``). What is typed
    and not chosen is sent as ``<name>_query`` and resolved on the server, names separated by
    commas."""

    template_name = "organizations/widgets/picker_multiple.html"

    def value_from_datadict(self, data: Any, files: Any, name: str) -> tuple[tuple, str]:
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        if not isinstance(values, list | tuple):
            values = [values]
        pks = tuple(str(pk).strip() for pk in values if str(pk).strip())
        return pks, (data.get(f"{name}_query") or "").strip()

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        pks, text = _raw_many(value)
        if (pks, text) in self.shown:
            chosen, text = self.shown[(pks, text)]
        else:
            # Ids from the initial data or a link; those that may not be chosen are left out.
            choices = [self.source.choice(pk) for pk in pks] if self.source is not None else []
            chosen = [(str(c.pk), c.label) for c in choices if c is not None]
        context = super().get_context(name, "", attrs)
        context["widget"].update(chosen=chosen, query=text)
        return context


def _raw_many(value: Any) -> tuple[tuple[str, ...], str]:
    """The ids and the text of a multiple picker's value (as sent, or initial objects/ids)."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str):
        pks, text = value
    else:
        pks, text = value or (), ""
    return tuple(str(pk.pk if isinstance(pk, Model) else pk) for pk in pks), text


class MultiPickerField(PickerField):
    """Several objects chosen with the picker among what ``source`` offers; the value is a
    list, in the order chosen, without repeats."""

    widget = MultiPicker

    def to_python(self, value: Any) -> list:
        pks, text = _raw_many(value)
        shown = self.widget.shown
        chosen: dict[int, Any] = {}
        labels: list[tuple[str, str]] = []
        errors: list[ValidationError] = []

        def add(choice: Any) -> None:
            if choice.pk not in chosen:
                chosen[choice.pk] = choice.object
                labels.append((str(choice.pk), choice.label))

        for pk in pks:
            choice = self.source.choice(pk) if self.source is not None else None
            if choice is None:
                errors.append(
                    ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
                )
            else:
                add(choice)
        left = []
        for piece in (p.strip() for p in NAME_SEPARATORS.split(text)):
            if not piece:
                continue
            if self.source is None:
                left.append(piece)
                continue
            choice, candidates = self.source.resolve(piece)
            if choice is not None:
                add(choice)
                continue
            left.append(piece)
            if not candidates:
                errors.append(
                    ValidationError(
                        self.source.no_match, code="invalid_choice", params={"text": piece}
                    )
                )
            else:
                errors.append(
                    ValidationError(
                        self.error_messages["several"],
                        code="several",
                        params={"text": piece, "shown": "；".join(c.label for c in candidates[:5])},
                    )
                )
        shown[(pks, text)] = (labels, "，".join(left))
        if errors:
            raise ValidationError(errors)
        return list(chosen.values())

    def has_changed(self, initial: Any, data: Any) -> bool:
        before, _text = _raw_many(initial)
        pks, text = _raw_many(data)
        return set(pks) != set(before) or bool(text)
