"""Dues pages: members and their monthly amounts, one member's history, the branch ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Max, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from cunju.core.actions import label_event, record_event
from cunju.core.forms import apply_errors
from cunju.core.scoping import get_for_user
from cunju.core.spreadsheets import ExportColumn, write_workbook, xlsx_response
from cunju.core.views import ScopedListView
from cunju.members.models import ACTIVE_STATUSES, Member
from cunju.organizations.models import Organization

from . import actions
from .amounts import (
    ZERO,
    DuesCalculator,
    LedgerRow,
    add_months,
    dues_start,
    ledger,
    monthly_amount,
    months_between,
)
from .filtersets import DuesMemberFilterSet
from .forms import BasisForm, ExemptionForm, LedgerForm, PaymentForm
from .models import Category, DuesBasis, first_of_month
from .tables import DuesMemberTable

label_event("dues.ledger.export", gettext_lazy("Export the dues ledger"))

# How many months of history the member page shows.
HISTORY_MONTHS = 12


def _category_label(member: Member) -> str:
    value = getattr(member, "dues_category", None)
    return str(Category(value).label) if value in Category.values else ""


class DuesListView(ScopedListView):
    model = Member
    filterset_class = DuesMemberFilterSet
    table_class = DuesMemberTable
    permission_required = "dues.view_dues"
    title = gettext_lazy("Party dues")
    export_name = "dues"
    actions_template = "dues/list_actions.html"
    export_columns = [
        ExportColumn(gettext_lazy("Name"), "name"),
        ExportColumn(gettext_lazy("Party organization"), "organization__name", width=28),
        ExportColumn(gettext_lazy("Dues category"), _category_label, width=24),
        ExportColumn(gettext_lazy("Monthly dues (yuan)"), lambda m: monthly_amount(m)),
        ExportColumn(
            gettext_lazy("Last month paid"),
            lambda m: m.last_paid.strftime("%Y-%m") if m.last_paid else "",
        ),
        ExportColumn(gettext_lazy("In arrears"), "in_arrears"),
    ]

    def get_queryset(self):
        this_month = dt.date.today().replace(day=1)
        current_basis = DuesBasis.objects.filter(
            member=OuterRef("pk"), from_month__lte=this_month
        ).order_by("-from_month")
        return (
            super()
            .get_queryset()
            .filter(status__in=ACTIVE_STATUSES)
            .select_related("organization__place")
            .annotate(
                dues_category=Subquery(current_basis.values("category")[:1]),
                last_paid=Max("dues_payments__month"),
            )
        )


@require_GET
@permission_required("dues.view_dues", raise_exception=True)
def member_dues(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's dues: the amount due each month, payments, exemptions and bases."""
    member = get_for_user(Member.objects.select_related("organization__place"), request.user, pk=pk)
    this_month = dt.date.today().replace(day=1)
    start = dues_start(member)
    last_paid = member.dues_payments.aggregate(last=Max("month"))["last"]
    last = max(this_month, last_paid or this_month)
    first = max(start, add_months(this_month, -(HISTORY_MONTHS - 1)))
    calculator = DuesCalculator()
    months = calculator.months([member], months_between(first, last))[member.pk]
    current = calculator.month(member, max(this_month, start))
    context = {
        "member": member,
        "object": member,
        "start": start,
        "current": current,
        "months": list(reversed(months)),
        "months_in_arrears": actions.months_in_arrears(member),
        "bases": member.dues_bases.all(),
        "exemptions": member.dues_exemptions.all(),
        "due_total": sum((d.amount or ZERO for d in months), ZERO),
        "paid_total": sum((d.paid for d in months), ZERO),
        "first_shown": first,
    }
    return render(request, "dues/member.html", context)


def _form_page(request, form, member, title):
    return render(
        request,
        "core/form.html",
        {"form": form, "title": title, "cancel_url": reverse("dues:member", args=[member.pk])},
    )


@permission_required("dues.change_dues", raise_exception=True)
def set_basis(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_for_user(Member, request.user, pk=pk)
    current = member.dues_bases.first()
    initial = {}
    if current is not None:
        initial = {"category": current.category, "monthly_income": current.monthly_income}
    form = BasisForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_basis(request.user, member, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect("dues:member", member.pk)
    return _form_page(request, form, member, _("Dues basis of %(name)s") % {"name": member.name})


def _first_unpaid(member: Member) -> Any:
    this_month = dt.date.today().replace(day=1)
    start = dues_start(member)
    first = max(start, add_months(this_month, -(HISTORY_MONTHS - 1)))
    dues = DuesCalculator().months([member], months_between(first, add_months(this_month, 1)))
    for due in dues[member.pk]:
        if not due.is_settled:
            return due
    return None


@permission_required("dues.change_dues", raise_exception=True)
def record_payment(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_for_user(Member.objects.select_related("organization__place"), request.user, pk=pk)
    initial: dict[str, Any] = {"months": 1}
    due = _first_unpaid(member)
    if due is not None:
        initial["first_month"] = due.month
        if due.amount is not None:
            initial["amount"] = due.amount
    form = PaymentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_payment(request.user, member, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect("dues:member", member.pk)
    return _form_page(request, form, member, _("Dues paid by %(name)s") % {"name": member.name})


@permission_required("dues.approve_exemption", raise_exception=True)
def approve_exemption(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_for_user(Member, request.user, pk=pk)
    form = ExemptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.approve_exemption(request.user, member, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect("dues:member", member.pk)
    return _form_page(
        request, form, member, _("Reduce or waive the dues of %(name)s") % {"name": member.name}
    )


@require_POST
@permission_required("dues.change_dues", raise_exception=True)
def recompute_arrears(request: HttpRequest) -> HttpResponse:
    from django.contrib import messages

    counts = actions.recompute_arrears(request.user)
    messages.success(
        request,
        _("Arrears checked: %(flagged)d flagged, %(cleared)d cleared of %(checked)d members.")
        % counts,
    )
    return redirect("dues:list")


class LedgerView(PermissionRequiredMixin, View):
    """党费收缴台账: per organization for one month, totals that are sums of member rows."""

    permission_required = "dues.view_dues"
    raise_exception = True

    def get(self, request: HttpRequest) -> HttpResponse:
        form = LedgerForm(request.GET or None)
        month = first_of_month(dt.date.today())
        if form.is_valid() and form.cleaned_data.get("month"):
            month = form.cleaned_data["month"]
        rows = ledger(Organization.objects.for_user(request.user).select_related("place"), month)
        chosen = None
        if request.GET.get("organization"):
            try:
                chosen = int(request.GET["organization"])
            except ValueError:
                chosen = None
        total = LedgerRow(organization=None, month=month)
        for row in rows:
            total.members.extend(row.members)
        if request.GET.get("export") == "xlsx":
            record_event(request.user, "dues.ledger.export", message=f"{month:%Y-%m}")
            return xlsx_response(
                write_workbook([*rows, total], LEDGER_COLUMNS, sheet=f"{month:%Y-%m}"),
                f"dues-ledger-{month:%Y-%m}.xlsx",
            )
        detail = next((r for r in rows if r.organization.pk == chosen), None)
        # Members who left or moved away since stay in the month's books; their own page
        # opens only for those who still see them.
        visible = set()
        if detail is not None:
            visible = set(
                Member.objects.for_user(request.user)
                .filter(pk__in=[d.member.pk for d in detail.members])
                .values_list("pk", flat=True)
            )
        query = request.GET.copy()
        query["export"] = "xlsx"
        query["month"] = f"{month:%Y-%m}"
        context = {
            "title": _("Dues ledger %(month)s") % {"month": f"{month:%Y-%m}"},
            "form": form if form.is_bound else LedgerForm(initial={"month": month}),
            "month": month,
            "rows": rows,
            "total": total,
            "detail": detail,
            "visible": visible,
            "previous": add_months(month, -1),
            "next": add_months(month, 1),
            "export_query": query.urlencode(),
        }
        return render(request, "dues/ledger.html", context)


def _org_name(row: LedgerRow) -> str:
    return row.organization.name if row.organization is not None else _("Total")


LEDGER_COLUMNS = [
    ExportColumn(gettext_lazy("Party organization"), _org_name, width=30),
    ExportColumn(gettext_lazy("Month"), lambda r: f"{r.month:%Y-%m}", width=10),
    ExportColumn(gettext_lazy("Members liable"), lambda r: len(r.members), width=10),
    ExportColumn(gettext_lazy("Paid"), "paid_count", width=8),
    ExportColumn(gettext_lazy("Waived"), "waived_count", width=8),
    ExportColumn(gettext_lazy("Unpaid"), "unpaid_count", width=8),
    ExportColumn(gettext_lazy("Due (yuan)"), "expected", width=12),
    ExportColumn(gettext_lazy("Received (yuan)"), "received", width=12),
    ExportColumn(gettext_lazy("Outstanding (yuan)"), "outstanding", width=12),
]
