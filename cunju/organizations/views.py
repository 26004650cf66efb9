"""Organization pages: the tree as a list and with member numbers, detail, found, edit,
move; committees, their terms and the elections due; rule checks."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from cunju.core.forms import apply_errors
from cunju.core.rules import rule
from cunju.core.scoping import get_for_user
from cunju.core.spreadsheets import ExportColumn
from cunju.core.tree import subtree_q
from cunju.core.views import ScopedDetailView, ScopedListView

from . import actions, picker, rules
from .checks import check_organization, check_organizations
from .counts import subtree_counts
from .filtersets import ElectionFilterSet, OrganizationFilterSet
from .forms import (
    AsOfForm,
    DissolveForm,
    ElectForm,
    EndTermForm,
    MoveForm,
    OrganizationEditForm,
    OrganizationForm,
    RemoveSeatForm,
    SeatForm,
)
from .history import as_of, nodes_as_of, versions_on
from .models import CommitteeMember, Organization, Term
from .tables import ElectionTable, OrganizationTable, election_state


class OrganizationListView(ScopedListView):
    model = Organization
    filterset_class = OrganizationFilterSet
    table_class = OrganizationTable
    permission_required = "organizations.view_organization"
    title = _("Party organizations")
    export_name = "organizations"
    actions_template = "organizations/list_actions.html"
    export_columns = [
        ExportColumn(_("Name"), "name", 30),
        ExportColumn(_("Kind"), "get_kind_display"),
        ExportColumn(_("Category"), "get_category_display", 24),
        ExportColumn(_("Higher organization"), "parent__name", 30),
        ExportColumn(_("Place"), "place__name"),
        ExportColumn(_("Founded on"), "founded_on"),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("place", "parent")


class OrganizationDetailView(ScopedDetailView):
    model = Organization
    permission_required = "organizations.view_organization"
    template_name = "organizations/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        visible = Organization.objects.for_user(user)
        context["ancestors"] = visible.filter(pk__in=self.object.ancestors())
        children = list(visible.current().filter(parent=self.object).annotate(n=Count("children")))
        counts = subtree_counts([self.object, *children])
        context["counts"] = counts[self.object.pk]
        context["children"] = [(child, counts[child.pk]) for child in children]
        subtree = visible.current().subtree(self.object)
        context["subtree_counts"] = dict(
            subtree.values_list("kind").annotate(n=Count("id")).order_by()
        )
        context["kinds"] = Organization.Kind
        dissolved = self.object.is_dissolved
        # A dissolved organization breaks no rule on its size.
        context["findings"] = (
            [] if dissolved else check_organization(self.object, context["counts"])
        )
        if self.object.merged_into_id is not None:
            context["merged_into"] = visible.filter(pk=self.object.merged_into_id).first()
        term = self.object.terms.filter(ended_on__isnull=True).first()
        context["term"] = term
        if term is not None:
            context["seats"] = sorted(
                term.seats.filter(ended_on__isnull=True), key=lambda s: (s.rank, s.started_on)
            )
            context["term_state"] = election_state(term)
        context["can_elect"] = self.object.kind in actions.ELECTING_KINDS and not dissolved
        return context


@permission_required("organizations.add_organization", raise_exception=True)
def organization_create(request):
    form = OrganizationForm(
        request.POST or None, user=request.user, initial={"parent": request.GET.get("parent")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            org = actions.create_organization(request.user, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(org)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": _("Set up a Party organization"),
            "cancel_url": reverse("organizations:list"),
        },
    )


@permission_required("organizations.change_organization", raise_exception=True)
def organization_edit(request, pk):
    org = get_for_user(Organization, request.user, pk=pk)
    initial = {
        "name": org.name,
        "short_name": org.short_name,
        "category": org.category,
        "founded_on": org.founded_on,
    }
    form = OrganizationEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_organization(request.user, org, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(org)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": org.name}, "object": org},
    )


# --- The tree with member numbers, today or as of an earlier date --------------------------


def _as_of_date(request) -> tuple[dt.date | None, AsOfForm]:
    form = AsOfForm(request.GET or None)
    on = form.cleaned_data.get("on") if form.is_valid() else None
    if on is not None and on >= dt.date.today():
        on = None  # today's numbers come from the register itself
    return on, form


def _visible_versions(user, on: dt.date):
    """Versions in force on ``on`` under the user's scope node as it read then."""
    versions = versions_on(on)
    if user.sees_everything:
        return versions
    scope = user.scope
    then = as_of(scope, on) if scope is not None else None
    if then is None:
        return versions.none()
    return versions.filter(subtree_q(then.path))


def _tree_level(user, *, on: dt.date | None, parent: Organization | None) -> tuple[list, Any]:
    """The nodes under ``parent`` (else the user's top nodes) and the visible rows' queryset."""
    if on is None:
        visible = Organization.objects.for_user(user).current()
        if parent is not None:
            return list(visible.filter(parent=parent)), visible
        if user.sees_everything:
            return list(visible.roots()), visible
        return list(visible.filter(pk=user.scope_id)), visible
    versions = _visible_versions(user, on)
    if parent is not None:
        chosen = versions.filter(parent=parent)
    elif user.sees_everything:
        chosen = versions.filter(parent__isnull=True)
    else:
        chosen = versions.filter(organization_id=user.scope_id)
    return nodes_as_of(on, chosen), versions


def tree_rows(user, *, on: dt.date | None, parent: Organization | None) -> list[dict]:
    """The nodes to show with the numbers of their subtrees.

    Without ``parent`` these are the user's top nodes; a single top node comes opened one
    level, so the page starts with something to compare. All numbers: one query.
    """
    nodes, visible = _tree_level(user, on=on, parent=parent)
    opened: list = []
    if parent is None and len(nodes) == 1:
        opened, _visible = _tree_level(user, on=on, parent=nodes[0])
    shown = [*nodes, *opened]
    with_children = set(
        visible.filter(parent__in=[n.pk for n in shown])
        .values_list("parent_id", flat=True)
        .distinct()
    )
    counts = subtree_counts(shown, on=on)

    def row(node: Any, children: list | None = None) -> dict:
        return {
            "node": node,
            "counts": counts[node.pk],
            "has_children": node.pk in with_children,
            "children": children,
        }

    children = [row(n) for n in opened]
    return [row(n, children if opened else None) for n in nodes]


@permission_required("organizations.view_organization", raise_exception=True)
def organization_tree(request):
    """组织树: each organization with the members of its whole subtree; click to open."""
    on, form = _as_of_date(request)
    parent = None
    if request.GET.get("node"):
        try:
            pk = int(request.GET["node"])
        except ValueError:
            raise Http404 from None
        parent = get_for_user(Organization, request.user, pk=pk)
        visible_then = on is None or (
            _visible_versions(request.user, on).filter(organization=parent).exists()
        )
        if not visible_then:
            raise Http404
    rows = tree_rows(request.user, on=on, parent=parent)
    context = {"rows": rows, "on": on, "form": form, "parent": parent}
    if request.htmx and parent is not None:
        return render(request, "organizations/partials/tree_rows.html", context)
    if parent is not None:
        context["ancestors"] = Organization.objects.for_user(request.user).filter(
            pk__in=parent.ancestors()
        )
    return render(request, "organizations/tree.html", context)


@require_GET
@login_required
def organization_picker(request):
    """The organizations in the user's scope whose name or pinyin matches ``q`` (at most 20),
    as JSON for the picker; ``kind``, ``exclude`` and ``exclude_under`` only narrow them."""
    offer = picker.Offer.from_query(request.user, request.GET)
    return picker.answer(offer, request.GET.get("q") or "")


# --- Rule checks ---------------------------------------------------------------------------


@permission_required("organizations.view_organization", raise_exception=True)
def organization_checks(request):
    """Every branch in scope that breaks a rule on its size."""
    branches = (
        Organization.objects.for_user(request.user)
        .current()
        .filter(kind=Organization.Kind.BRANCH)
        .select_related("place")
    )
    findings = check_organizations(branches)
    return render(
        request,
        "organizations/checks.html",
        {
            "findings": findings,
            "errors": sum(1 for f in findings if f.level == "error"),
            "warnings": sum(1 for f in findings if f.level == "warning"),
        },
    )


# --- Committees, terms and elections ---------------------------------------------------------


def elections_due(user):
    """Current terms in scope due for re-election within the warning period, or overdue."""
    days = int(rule(rules.ELECTION_WARNING_DAYS))
    horizon = dt.date.today() + dt.timedelta(days=days)
    return Term.objects.for_user(user).filter(ended_on__isnull=True, due_on__lte=horizon)


class ElectionListView(ScopedListView):
    model = Term
    filterset_class = ElectionFilterSet
    table_class = ElectionTable
    permission_required = "organizations.view_organization"
    title = _("Committee elections due")
    export_name = "elections-due"
    export_columns = [
        ExportColumn(_("Organization"), "organization__name", 30),
        ExportColumn(_("Elected on"), "elected_on"),
        ExportColumn(_("Term (years)"), "term_years"),
        ExportColumn(_("Next election due on"), "due_on"),
    ]

    def get_queryset(self):
        return elections_due(self.request.user).select_related("organization")

    def extra_context(self):
        days = int(rule(rules.ELECTION_WARNING_DAYS))
        return {"title": _("Committee elections due within %(n)d days or overdue") % {"n": days}}


class TermDetailView(ScopedDetailView):
    model = Term
    permission_required = "organizations.view_organization"
    template_name = "organizations/term.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        seats = list(self.object.seats.all())
        context["current_seats"] = sorted(
            (s for s in seats if s.ended_on is None), key=lambda s: (s.rank, s.started_on)
        )
        context["past_seats"] = [s for s in seats if s.ended_on is not None]
        context["other_terms"] = self.object.organization.terms.exclude(pk=self.object.pk)
        context["state"] = election_state(self.object) if self.object.is_current else ""
        return context


def _form_page(request, form, title, back):
    return render(request, "core/form.html", {"form": form, "title": title, "cancel_url": back})


@permission_required("organizations.change_organization", raise_exception=True)
def committee_elect(request, pk):
    org = get_for_user(Organization, request.user, pk=pk)
    form = ElectForm(request.POST or None, user=request.user, org=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        seats = []
        if data["member"] or data["name"]:
            seats.append(
                {
                    "role": CommitteeMember.Role.SECRETARY,
                    "member": data["member"],
                    "name": data["name"],
                }
            )
        try:
            term = actions.elect_committee(
                request.user, org, elected_on=data["elected_on"], seats=seats, note=data["note"]
            )
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(term)
    title = _("Record the election of %(name)s's committee") % {"name": org.name}
    return _form_page(request, form, title, org.get_absolute_url())


@permission_required("organizations.change_organization", raise_exception=True)
def seat_add(request, pk):
    term = get_for_user(Term, request.user, pk=pk)
    form = SeatForm(
        request.POST or None,
        user=request.user,
        org=term.organization,
        initial={"on": dt.date.today(), "role": CommitteeMember.Role.MEMBER},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_committee_member(request.user, term, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(term)
    title = _("Add a member to %(name)s's committee") % {"name": term.organization.name}
    return _form_page(request, form, title, term.get_absolute_url())


@require_POST
@permission_required("organizations.change_organization", raise_exception=True)
def seat_remove(request, pk):
    seat = get_for_user(CommitteeMember.objects.select_related("term"), request.user, pk=pk)
    form = RemoveSeatForm(request.POST)
    on = form.cleaned_data.get("on") if form.is_valid() else None
    try:
        actions.remove_committee_member(request.user, seat, on=on)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(seat.term)


@permission_required("organizations.change_organization", raise_exception=True)
def term_end(request, pk):
    term = get_for_user(Term, request.user, pk=pk)
    form = EndTermForm(request.POST or None, initial={"on": dt.date.today()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_term(request.user, term, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(term)
    title = _("End the term of %(name)s's committee") % {"name": term.organization.name}
    return _form_page(request, form, title, term.get_absolute_url())


@permission_required("organizations.change_organization", raise_exception=True)
def organization_move(request, pk):
    org = get_for_user(Organization, request.user, pk=pk)
    form = MoveForm(
        request.POST or None, user=request.user, org=org, initial={"on": dt.date.today()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.move_organization(request.user, org, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(org)
    return _form_page(
        request, form, _("Move %(name)s") % {"name": org.name}, org.get_absolute_url()
    )


@permission_required("organizations.change_organization", raise_exception=True)
def organization_dissolve(request, pk):
    """撤销 or 合并: dissolve the organization, or merge it into another."""
    org = get_for_user(Organization, request.user, pk=pk)
    if org.is_dissolved:
        return redirect(org)
    form = DissolveForm(
        request.POST or None, user=request.user, org=org, initial={"on": dt.date.today()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            org = actions.dissolve_organization(request.user, org, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            messages.success(
                request,
                _("%(name)s is dissolved from %(date)s.")
                % {"name": org.name, "date": org.dissolved_on.isoformat()},
            )
            return redirect(org)
    return _form_page(
        request,
        form,
        _("Dissolve or merge %(name)s") % {"name": org.name},
        org.get_absolute_url(),
    )
