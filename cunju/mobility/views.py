"""Mobility pages: the overview list, records, transfers and the receiving inbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from cunju.core.forms import apply_errors
from cunju.core.scoping import get_for_user
from cunju.core.spreadsheets import ExportColumn
from cunju.core.views import ScopedDetailView, ScopedListView
from cunju.members.models import Member
from cunju.organizations import picker
from cunju.organizations.models import Organization

from . import actions, receivers
from .filtersets import MobileRecordFilterSet, TransferFilterSet
from .forms import (
    CardForm,
    DateForm,
    EndForm,
    InflowForm,
    OutflowForm,
    ReissueForm,
    RejectForm,
    ReportForm,
    TransferForm,
)
from .models import MobileRecord, Transfer
from .overview import overdue_reports, temporary_branch_suggestions
from .tables import MobileRecordTable, TransferTable


class MobileRecordListView(ScopedListView):
    model = MobileRecord
    filterset_class = MobileRecordFilterSet
    table_class = MobileRecordTable
    permission_required = "mobility.view_mobility"
    template_name = "mobility/list.html"
    title = _("Mobile members")
    export_name = "mobile-members"
    actions_template = "mobility/list_actions.html"
    export_columns = [
        ExportColumn(pgettext_lazy("person", "Name"), "person_name"),
        ExportColumn(_("Direction"), "get_direction_display"),
        ExportColumn(_("Party organization"), "home_side"),
        ExportColumn(_("Home Party organization"), "home_organization"),
        ExportColumn(_("Place"), "place"),
        ExportColumn(_("Division code"), "region_code"),
        ExportColumn(_("Since"), "away_since"),
        ExportColumn(_("Expected return"), "expected_return"),
        ExportColumn(_("Work unit"), "work_unit"),
        ExportColumn(_("Job"), "job"),
        ExportColumn(_("Contact phone"), "phone"),
        ExportColumn(_("Ended on"), "ended_on"),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("member__organization", "organization")

    def extra_context(self) -> dict[str, Any]:
        user = self.request.user
        records = MobileRecord.objects.for_user(user)
        today = dt.date.today()
        transfers = Transfer.objects.for_user(user).select_related(
            "member", "from_organization", "to_organization"
        )
        return {
            "today": today,
            "away_count": records.outflow().open(today).count(),
            "inflow_count": records.inflow().open(today).count(),
            "overdue": overdue_reports(records, today),
            "suggestions": temporary_branch_suggestions(records, today),
            "open_transfers": transfers.filter(
                status__in=[Transfer.Status.ISSUED, Transfer.Status.REJECTED]
            ),
            "inbox_count": Transfer.objects.for_user(user).received_by(user).pending().count(),
        }


class MobileRecordDetailView(ScopedDetailView):
    model = MobileRecord
    permission_required = "mobility.view_mobility"
    template_name = "mobility/detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("member__organization", "organization")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.object
        today = dt.date.today()
        context.update(
            today=today,
            reports=entry.reports.all(),
            cards=entry.cards.all(),
            current_card=entry.current_card(today) if entry.is_outflow else None,
            last_reported=entry.last_reported(),
            report_overdue=entry.report_overdue(today),
            proposes_transfer=entry.proposes_transfer() if entry.is_outflow else None,
            transfers=Transfer.objects.for_user(self.request.user)
            .filter(member=entry.member)
            .select_related("from_organization", "to_organization")
            if entry.member_id
            else [],
            can_issue_transfer=entry.is_outflow
            and entry.ended_on is None
            and not Transfer.objects.pending().filter(member=entry.member).exists(),
        )
        return context


def _form_page(request: HttpRequest, form: Any, title: Any, **extra: Any) -> HttpResponse:
    return render(request, "core/form.html", {"form": form, "title": title, **extra})


def _run(form: Any, func: Any, *args: Any, **kwargs: Any) -> Any:
    """Call an action; its ValidationError lands on the form (None), anything else raises."""
    try:
        return func(*args, **kwargs)
    except Exception as exc:
        if not apply_errors(form, exc):
            raise
    return None


@permission_required("mobility.change_mobility", raise_exception=True)
def outflow_create(request):
    form = OutflowForm(
        request.POST or None, user=request.user, initial={"member": request.GET.get("member")}
    )
    if request.method == "POST" and form.is_valid():
        entry = _run(form, actions.register_outflow, request.user, **form.cleaned_data)
        if entry is not None:
            return redirect(entry)
    return _form_page(
        request, form, _("Register a member going away"), cancel_url=reverse("mobility:list")
    )


@permission_required("mobility.change_mobility", raise_exception=True)
def inflow_create(request):
    form = InflowForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        entry = _run(form, actions.register_inflow, request.user, **form.cleaned_data)
        if entry is not None:
            return redirect(entry)
    return _form_page(
        request,
        form,
        _("Register a member from elsewhere living here"),
        cancel_url=reverse("mobility:list"),
    )


def _record_form(request, pk, form_class, func, title, **fixed):
    entry = get_for_user(MobileRecord, request.user, pk=pk)
    form = form_class(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, func, request.user, entry, **form.cleaned_data, **fixed) is not None
    ):
        return redirect(entry)
    return _form_page(
        request, form, title % {"name": entry.person_name}, cancel_url=entry.get_absolute_url()
    )


@permission_required("mobility.change_mobility", raise_exception=True)
def report_create(request, pk):
    return _record_form(
        request,
        pk,
        ReportForm,
        actions.add_report,
        _("Report of %(name)s home"),
    )


@permission_required("mobility.change_mobility", raise_exception=True)
def card_create(request, pk):
    return _record_form(request, pk, CardForm, actions.issue_card, _("Activity card for %(name)s"))


@permission_required("mobility.change_mobility", raise_exception=True)
def record_end(request, pk):
    return _record_form(request, pk, EndForm, actions.end_record, _("%(name)s is back"))


@permission_required("mobility.change_mobility", raise_exception=True)
def transfer_create(request, pk):
    """Issue a letter for the member of an outflow record (or any member, with ``?member=``)."""
    member = get_for_user(Member, request.user, pk=pk)
    entry = (
        MobileRecord.objects.for_user(request.user)
        .outflow()
        .filter(member=member, ended_on__isnull=True)
        .first()
    )
    initial = {}
    if entry is not None:
        initial["to_region_code"] = entry.region_code
    form = TransferForm(request.POST or None, member=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        transfer = _run(
            form, actions.issue_transfer, request.user, member, entry=entry, **form.cleaned_data
        )
        if transfer is not None:
            return redirect(transfer)
    return _form_page(
        request,
        form,
        _("Transfer letter for %(name)s") % {"name": member.name},
        cancel_url=entry.get_absolute_url() if entry else reverse("mobility:list"),
    )


@require_GET
@permission_required("mobility.change_mobility", raise_exception=True)
def receiver_search(request):
    """The receivers a letter may go to whose name or pinyin matches ``q`` (at most 20), as
    JSON for the organization picker."""
    try:
        exclude = int(request.GET["exclude"]) if request.GET.get("exclude") else None
    except ValueError:
        exclude = None
    return picker.answer(receivers.Receivers(exclude), request.GET.get("q") or "")


class TransferInboxView(ScopedListView):
    model = Transfer
    filterset_class = TransferFilterSet
    table_class = TransferTable
    permission_required = "mobility.view_mobility"
    title = _("Transfers received")
    export_name = "transfers-received"
    export_columns = [
        ExportColumn(_("Letter number"), "letter_number"),
        ExportColumn(_("Party member"), "member__name"),
        ExportColumn(_("From"), "from_organization__name"),
        ExportColumn(_("To"), "to_organization__name"),
        ExportColumn(_("Issued on"), "issued_on"),
        ExportColumn(_("Valid until"), "valid_until"),
        ExportColumn(_("Status"), "get_status_display"),
    ]

    def get_queryset(self):
        user = self.request.user
        return (
            Transfer.objects.for_user(user)
            .received_by(user)
            .select_related("member", "from_organization", "to_organization")
        )


class TransferDetailView(ScopedDetailView):
    model = Transfer
    permission_required = "mobility.view_mobility"
    template_name = "mobility/transfer_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("member", "from_organization", "to_organization", "record")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        transfer = self.object
        user = self.request.user
        scoped = Organization.objects.for_user(user)
        is_sender = scoped.filter(pk=transfer.from_organization_id).exists()
        is_receiver = (
            transfer.to_organization_id is not None
            and scoped.filter(pk=transfer.to_organization_id).exists()
        )
        waiting = transfer.status == Transfer.Status.ISSUED
        today = dt.date.today()
        context.update(
            today=today,
            expired=transfer.is_expired(today),
            is_sender=is_sender,
            is_receiver=is_receiver,
            can_accept=waiting and is_receiver and user.has_perm("mobility.accept_transfer"),
            can_receipt=waiting
            and is_sender
            and not transfer.in_system
            and user.has_perm("mobility.change_mobility"),
            can_reissue=is_sender
            and user.has_perm("mobility.change_mobility")
            and (transfer.status == Transfer.Status.REJECTED or transfer.is_expired(today)),
            # The member's own page only for those who still see the member.
            member_visible=Member.objects.for_user(user).filter(pk=transfer.member_id).exists(),
        )
        return context


def _transfer_form(request, pk, form_class, func, title):
    transfer = get_for_user(Transfer, request.user, pk=pk)
    form = form_class(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, func, request.user, transfer, **form.cleaned_data) is not None
    ):
        return redirect(transfer)
    return _form_page(
        request,
        form,
        title % {"number": transfer.letter_number, "name": transfer.member.name},
        cancel_url=transfer.get_absolute_url(),
    )


@permission_required("mobility.accept_transfer", raise_exception=True)
def transfer_accept(request, pk):
    return _transfer_form(
        request, pk, DateForm, actions.accept_transfer, _("Accept %(name)s (letter %(number)s)")
    )


@permission_required("mobility.accept_transfer", raise_exception=True)
def transfer_reject(request, pk):
    return _transfer_form(
        request, pk, RejectForm, actions.reject_transfer, _("Return letter %(number)s")
    )


@permission_required("mobility.change_mobility", raise_exception=True)
def transfer_receipt(request, pk):
    return _transfer_form(
        request, pk, DateForm, actions.record_receipt, _("Receipt of letter %(number)s")
    )


@permission_required("mobility.change_mobility", raise_exception=True)
def transfer_reissue(request, pk):
    return _transfer_form(
        request, pk, ReissueForm, actions.reissue_transfer, _("Reissue letter %(number)s")
    )
