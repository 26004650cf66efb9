"""Development pages: the list by stage, one person's progress, a form per step, the to-do list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cunju.core.forms import apply_errors
from cunju.core.scoping import get_for_user
from cunju.core.spreadsheets import ExportColumn
from cunju.core.views import ScopedDetailView, ScopedListView

from . import actions, forms
from .filtersets import ApplicantFilterSet
from .models import PREPARING_STAGES, Applicant, PublicNotice, Stage
from .progress import next_steps, setback, todo_list
from .tables import ApplicantTable

VIEW = "development.view_applicant"
APPROVE = "development.approve_admission"


class ApplicantListView(ScopedListView):
    model = Applicant
    filterset_class = ApplicantFilterSet
    table_class = ApplicantTable
    permission_required = VIEW
    title = gettext_lazy("Member development")
    export_name = "development"
    actions_template = "development/list_actions.html"
    export_columns = [
        ExportColumn(gettext_lazy("Name"), "name"),
        ExportColumn(gettext_lazy("Sex"), "get_sex_display"),
        ExportColumn(gettext_lazy("Party branch"), "branch__name"),
        ExportColumn(gettext_lazy("Stage"), "get_stage_display"),
        ExportColumn(gettext_lazy("Application received on"), "applied_on"),
        ExportColumn(gettext_lazy("First talk on"), "first_talk_on"),
        ExportColumn(gettext_lazy("Activist from"), "activist_on"),
        ExportColumn(gettext_lazy("Development candidate from"), "candidate_on"),
        ExportColumn(gettext_lazy("Admission vote on"), "admission_vote_on"),
        ExportColumn(gettext_lazy("Admission approved on"), "admission_approved_on"),
        ExportColumn(gettext_lazy("Probation ends on"), "probation_ends_on"),
        ExportColumn(gettext_lazy("Full member from"), "full_on"),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("branch")


@dataclass(frozen=True)
class StepPage:
    form: Any
    action: Any
    title: Any
    stages: tuple[str, ...]
    # Decisions the higher committee approves need its permission, not the branch's.
    permission: str = "development.change_applicant"


STEPS: dict[str, StepPage] = {
    "talk": StepPage(
        forms.TalkForm,
        actions.record_first_talk,
        gettext_lazy("Record the first talk"),
        (Stage.APPLICANT,),
    ),
    "notice": StepPage(
        forms.NoticeForm,
        actions.start_notice,
        gettext_lazy("Start a public notice"),
        (Stage.APPLICANT, Stage.ACTIVIST, *PREPARING_STAGES, Stage.PROBATIONARY),
    ),
    "activist": StepPage(
        forms.ActivistForm,
        actions.name_activist,
        gettext_lazy("Name an activist"),
        (Stage.APPLICANT,),
    ),
    "review": StepPage(
        forms.NoteStepForm,
        actions.record_review,
        gettext_lazy("Record a half-yearly review"),
        (Stage.ACTIVIST, *PREPARING_STAGES),
    ),
    "candidate": StepPage(
        forms.NoteStepForm,
        actions.name_candidate,
        gettext_lazy("Name a development candidate"),
        (Stage.ACTIVIST,),
    ),
    "political-review": StepPage(
        forms.NoteStepForm,
        actions.record_political_review,
        gettext_lazy("Record the political review"),
        (Stage.ACTIVIST, *PREPARING_STAGES),
    ),
    "training": StepPage(
        forms.TrainingForm,
        actions.record_training,
        gettext_lazy("Record concentrated training"),
        (Stage.ACTIVIST, *PREPARING_STAGES),
    ),
    "introducers": StepPage(
        forms.IntroducersForm,
        actions.assign_introducers,
        gettext_lazy("Assign introducers"),
        PREPARING_STAGES,
    ),
    "vote": StepPage(
        forms.VoteForm,
        actions.record_vote,
        gettext_lazy("Record the branch vote"),
        (*PREPARING_STAGES, Stage.PROBATIONARY),
    ),
    "extend": StepPage(
        forms.ExtendForm,
        actions.extend_probation,
        gettext_lazy("Extend the probation"),
        (Stage.PROBATIONARY,),
        APPROVE,
    ),
    "cancel": StepPage(
        forms.CancelForm,
        actions.cancel_probation,
        gettext_lazy("Cancel the probationary membership"),
        (Stage.PROBATIONARY,),
        APPROVE,
    ),
}
APPROVAL = StepPage(
    forms.ApproveForm,
    actions.approve,
    gettext_lazy("Approve"),
    (Stage.AWAITING_APPROVAL, Stage.PROBATIONARY),
    APPROVE,
)
REFUSAL = StepPage(
    forms.RefuseForm,
    actions.refuse_approval,
    gettext_lazy("Not approved"),
    (Stage.AWAITING_APPROVAL, Stage.PROBATIONARY),
    APPROVE,
)


class ApplicantDetailView(ScopedDetailView):
    model = Applicant
    permission_required = VIEW
    template_name = "development/detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("branch", "member")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        applicant = self.object
        today = dt.date.today()
        steps = next_steps(applicant)
        context["next_steps"] = [(s, s.state(today)) for s in steps]
        context["records"] = applicant.steps.select_related("member")
        context["notices"] = applicant.notices.all()
        context["votes"] = applicant.votes.all()
        context["today"] = today
        user = self.request.user
        context["step_links"] = [
            (reverse("development:step", args=[applicant.pk, key]), page.title)
            for key, page in STEPS.items()
            if applicant.stage in page.stages and user.has_perm(page.permission)
        ]
        context["can_approve"] = actions.pending_vote(applicant) is not None
        context["setback"] = setback(applicant)
        return context


def run_step(request, applicant: Applicant, page: StepPage):
    form = page.form(request.POST or None, applicant=applicant, user=request.user)
    if request.method == "POST" and form.is_valid():
        arguments = form.arguments() if hasattr(form, "arguments") else dict(form.cleaned_data)
        try:
            page.action(request.user, applicant, **arguments)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            messages.success(request, _("Saved: %(step)s.") % {"step": page.title})
            return redirect(applicant)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": f"{page.title} · {applicant.name}",
            "object": applicant,
        },
    )


@permission_required("development.change_applicant", raise_exception=True)
def applicant_step(request, pk: int, step: str):
    applicant = get_for_user(Applicant, request.user, pk=pk)
    page = STEPS.get(step)
    if page is None:
        raise Http404
    if not request.user.has_perm(page.permission):
        raise PermissionDenied
    return run_step(request, applicant, page)


@permission_required(APPROVE, raise_exception=True)
def applicant_approve(request, pk: int):
    applicant = get_for_user(Applicant, request.user, pk=pk)
    return run_step(request, applicant, APPROVAL)


@permission_required(APPROVE, raise_exception=True)
def applicant_refuse(request, pk: int):
    """审批不同意: the higher committee's decision not to approve, with its reason."""
    applicant = get_for_user(Applicant, request.user, pk=pk)
    return run_step(request, applicant, REFUSAL)


@permission_required("development.change_applicant", raise_exception=True)
def applicant_create(request):
    form = forms.ApplicantForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            applicant = actions.register_applicant(request.user, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(applicant)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": _("Receive an application to join"),
            "cancel_url": reverse("development:list"),
        },
    )


@permission_required(VIEW, raise_exception=True)
def todo(request):
    """Steps due within the window, steps overdue and notices running, in the user's scope."""
    today = dt.date.today()
    items = todo_list(
        Applicant.objects.for_user(request.user),
        PublicNotice.objects.for_user(request.user),
        today,
    )
    return render(
        request,
        "development/todo.html",
        {"title": _("Development to-do list"), "todo": items, "today": today},
    )
