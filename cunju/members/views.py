"""Member register pages: the list, a member's file and the forms that change it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cunju.core.forms import apply_errors
from cunju.core.scoping import get_for_user, scope_paths
from cunju.core.spreadsheets import ExportColumn
from cunju.core.views import ScopedDetailView, ScopedListView
from cunju.organizations.counts import counts_under

from . import actions, picker
from .actions import DETAIL_FIELDS, manual_status_changes
from .filtersets import MemberFilterSet
from .forms import (
    CommendationForm,
    DifficultyForm,
    EndForm,
    FamilyMemberForm,
    MemberDetailsForm,
    MemberRegisterForm,
    MoveForm,
    PostForm,
    StatusForm,
)
from .models import Difficulty, FamilyMember, Member, MemberStatus, Post
from .tables import MemberTable

# Beyond this many rows a filtered list says "10,000+" instead of counting a province.
COUNT_CAP = 10_000


class MemberPaginator(Paginator):
    """Pages of the register: the total known beforehand (from the organizations' tallies),
    or counted only up to ``cap`` rows — counting a million rows for a page number costs
    more than showing the page."""

    def __init__(self, object_list, per_page, *, known=None, rows=None, cap=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known, self.rows, self.cap = known, rows, cap or COUNT_CAP
        self.capped = False

    @cached_property
    def count(self) -> int:
        if self.known is not None:
            return self.known
        found = self.rows.order_by().values("pk")[: self.cap + 1].count()
        self.capped = found > self.cap
        return found

    @property
    def cap_display(self) -> str:
        return f"{self.cap:,}"


def tallied_count(user: Any, filterset: MemberFilterSet) -> int | None:
    """The list's total from the tallies when it filters only by organization, current
    status and mobility; None when another filter needs the rows counted."""
    data = filterset.form.cleaned_data
    if any(value for key, value in data.items() if key not in ("organization", "status", "mobile")):
        return None
    status, mobile = data.get("status") or "", data.get("mobile") or ""
    if status not in ("", MemberStatus.FULL, MemberStatus.PROBATIONARY) or (status and mobile):
        return None
    org = data.get("organization")
    if org is not None:
        path = org.path
    else:
        paths = scope_paths(user)
        if paths is not None and "organization" not in paths:
            return 0
        path = "" if paths is None else paths["organization"]
    counts = counts_under(path)
    if status:
        return counts.full if status == MemberStatus.FULL else counts.probationary
    if mobile:
        return counts.mobile if mobile == "yes" else counts.total - counts.mobile
    return counts.total


class MemberListView(ScopedListView):
    model = Member
    filterset_class = MemberFilterSet
    table_class = MemberTable
    permission_required = "members.view_member"
    title = _("Party members")
    export_name = "members"
    actions_template = "members/list_actions.html"
    export_columns = [
        ExportColumn(pgettext_lazy("person", "Name"), "name", 12),
        ExportColumn(_("Sex"), "get_sex_display", 6),
        ExportColumn(_("Ethnicity"), "ethnicity", 8),
        ExportColumn(_("Birth date"), "birth_date", 12),
        ExportColumn(_("Age"), "age", 6),
        ExportColumn(_("ID number"), "id_number", 22),
        ExportColumn(_("Party organization"), "organization__name", 28),
        ExportColumn(_("Status"), "get_status_display", 12),
        ExportColumn(_("Admitted on"), "admitted_on", 12),
        ExportColumn(_("Full membership on"), "full_on", 12),
        ExportColumn(_("Party standing (years)"), "party_standing", 10),
        ExportColumn(_("Education"), "get_education_display", 14),
        ExportColumn(_("Occupation"), "get_occupation_display", 18),
        ExportColumn(_("Work unit"), "work_unit", 20),
        ExportColumn(_("Mobile member"), "is_mobile", 8),
        ExportColumn(_("Dues in arrears"), "in_arrears", 8),
        ExportColumn(_("Mobile phone"), "phone", 14),
        ExportColumn(_("Address"), "address", 30),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    def pagination(self, filterset: MemberFilterSet, invalid: bool) -> dict[str, Any]:
        options = super().pagination(filterset, invalid)
        if invalid:
            return options
        known = tallied_count(self.request.user, filterset)
        return {**options, "paginator_class": MemberPaginator, "known": known, "rows": filterset.qs}


class MemberDetailView(ScopedDetailView):
    model = Member
    permission_required = "members.view_member"
    template_name = "members/detail.html"
    context_object_name = "member"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        member = self.object
        context.update(
            events=member.events.select_related("organization"),
            posts=member.posts.select_related("organization"),
            commendations=member.commendations.all(),
            difficulties=member.difficulties.all(),
            family=member.family.all(),
            next_statuses=manual_status_changes(member.status),
            standing=member.party_standing(),
        )
        return context


def _form_page(
    request: HttpRequest, form: Any, title: Any, member: Member | None = None
) -> HttpResponse:
    context = {"form": form, "title": title, "cancel_url": reverse("members:list")}
    if member is not None:
        context["object"] = member
    return render(request, "core/form.html", context)


def _submitted(request: HttpRequest, form: Any, func: Any, *args: Any) -> Any:
    """Run the action on a valid submitted form; a refusal lands on the form (None)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return func(request.user, *args, **form.cleaned_data)
    except Exception as exc:
        if not apply_errors(form, exc):
            raise
    return None


@permission_required("members.add_member", raise_exception=True)
def member_create(request: HttpRequest) -> HttpResponse:
    form = MemberRegisterForm(
        request.POST or None,
        user=request.user,
        initial={"organization": request.GET.get("organization")},
    )
    member = _submitted(request, form, actions.register_member)
    if member is not None:
        return redirect(member)
    return _form_page(request, form, _("Enter a member in the register"))


@permission_required("members.change_member", raise_exception=True)
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_for_user(Member, request.user, pk=pk)
    form = MemberDetailsForm(
        request.POST or None, initial={f: getattr(member, f) for f in DETAIL_FIELDS}
    )
    if _submitted(request, form, actions.update_member, member) is not None:
        return redirect(member)
    if request.method == "POST":
        member.refresh_from_db()  # a refused change may have left the object half-edited
    return _form_page(request, form, _("Edit %(name)s") % {"name": member.name}, member)


@permission_required("members.change_member", raise_exception=True)
def member_status(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_for_user(Member, request.user, pk=pk)
    form = StatusForm(request.POST or None, member=member)
    if _submitted(request, form, actions.change_status, member) is not None:
        return redirect(member)
    if request.method == "POST":
        member.refresh_from_db()  # a refused change may have left the object half-edited
    title = _("Change the status of %(name)s (now: %(status)s)") % {
        "name": member.name,
        "status": member.get_status_display(),
    }
    return _form_page(request, form, title, member)


@permission_required("members.change_member", raise_exception=True)
def member_move(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_for_user(Member, request.user, pk=pk)
    form = MoveForm(request.POST or None, user=request.user, member=member)
    if _submitted(request, form, actions.move_member, member) is not None:
        return redirect(member)
    if request.method == "POST":
        member.refresh_from_db()  # a refused change may have left the object half-edited
    title = _("Move %(name)s to another organization (now: %(org)s)") % {
        "name": member.name,
        "org": member.organization.name,
    }
    return _form_page(request, form, title, member)


def _file_entry(model: Any, user: Any, pk: int) -> Any:
    """A post, difficulty or family member of a member in the user's scope, or 404."""
    return get_object_or_404(
        model.objects.select_related("member"),
        pk=pk,
        member__in=Member.objects.for_user(user),
    )


def _add_record(
    request: HttpRequest, pk: int, form_class: Any, action: Any, title: Any, **form_kwargs: Any
) -> HttpResponse:
    member = get_for_user(Member, request.user, pk=pk)
    form = form_class(request.POST or None, **form_kwargs)
    if _submitted(request, form, action, member) is not None:
        return redirect(member)
    return _form_page(request, form, title % {"name": member.name}, member)


@permission_required("members.change_member", raise_exception=True)
def post_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_record(
        request, pk, PostForm, actions.add_post, _("Add a post of %(name)s"), user=request.user
    )


@permission_required("members.change_member", raise_exception=True)
def commendation_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_record(
        request,
        pk,
        CommendationForm,
        actions.add_commendation,
        _("Add an award or punishment of %(name)s"),
    )


@permission_required("members.change_member", raise_exception=True)
def difficulty_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_record(
        request, pk, DifficultyForm, actions.add_difficulty, _("Add a difficulty of %(name)s")
    )


@permission_required("members.change_member", raise_exception=True)
def family_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_record(
        request,
        pk,
        FamilyMemberForm,
        actions.add_family_member,
        _("Add a family member of %(name)s"),
    )


@permission_required("members.change_member", raise_exception=True)
def post_end(request: HttpRequest, pk: int) -> HttpResponse:
    post = _file_entry(Post, request.user, pk)
    form = EndForm(request.POST or None)
    if _submitted(request, form, actions.end_post, post) is not None:
        return redirect(post.member)
    title = _("End the post %(post)s of %(name)s") % {"post": post.title, "name": post.member.name}
    return _form_page(request, form, title, post.member)


@permission_required("members.change_member", raise_exception=True)
def difficulty_end(request: HttpRequest, pk: int) -> HttpResponse:
    difficulty = _file_entry(Difficulty, request.user, pk)
    form = EndForm(request.POST or None)
    if _submitted(request, form, actions.end_difficulty, difficulty) is not None:
        return redirect(difficulty.member)
    title = _("%(kind)s of %(name)s is over") % {
        "kind": difficulty.get_kind_display(),
        "name": difficulty.member.name,
    }
    return _form_page(request, form, title, difficulty.member)


@require_POST
@permission_required("members.change_member", raise_exception=True)
def family_remove(request: HttpRequest, pk: int) -> HttpResponse:
    relative = _file_entry(FamilyMember, request.user, pk)
    member = relative.member
    actions.remove_family_member(request.user, relative)
    return redirect(member)


@require_GET
@permission_required("members.view_member", raise_exception=True)
def member_picker(request: HttpRequest) -> HttpResponse:
    """The members in the user's scope whose name or pinyin matches ``q`` (at most 20), as
    JSON for the picker; ``status`` and ``under`` only narrow them."""
    offer = picker.MemberOffer.from_query(request.user, request.GET)
    return picker.answer(offer, request.GET.get("q") or "")
