"""Evaluation pages: rounds by year and branch, one round, and the forms of each step."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cunju.core.forms import apply_errors
from cunju.core.scoping import get_for_user
from cunju.core.spreadsheets import ExportColumn
from cunju.core.views import ScopedDetailView, ScopedListView

from . import actions
from .filtersets import EvaluationRoundFilterSet
from .forms import (
    CloseRoundForm,
    GradeForm,
    OpenRoundForm,
    PeerReviewForm,
    SelfReviewForm,
    TallyForm,
)
from .models import EvaluationRound, Grade, Participant, PeerReview, Stage
from .tables import EvaluationRoundTable

VIEW = "evaluation.view_evaluation"
CHANGE = "evaluation.change_evaluation"


class EvaluationRoundListView(ScopedListView):
    model = EvaluationRound
    filterset_class = EvaluationRoundFilterSet
    table_class = EvaluationRoundTable
    permission_required = VIEW
    title = _("Democratic evaluation")
    export_name = "evaluation-rounds"
    actions_template = "evaluation/list_actions.html"
    export_columns = [
        ExportColumn(_("Year"), "year"),
        ExportColumn(_("Party branch"), "branch__name", width=24),
        ExportColumn(_("Stage"), "get_stage_display"),
        ExportColumn(_("Opened on"), "opened_on"),
        ExportColumn(_("Closed on"), "closed_on"),
        ExportColumn(_("Participants"), "participant_count"),
        ExportColumn(_("Graded"), "graded_count"),
        ExportColumn(_("Excellent"), "excellent_count"),
    ]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("branch")
            .annotate(
                participant_count=Count("participants", filter=Q(participants__takes_part=True)),
                graded_count=Count(
                    "participants",
                    filter=Q(participants__is_graded=True, participants__takes_part=True),
                ),
                excellent_count=Count(
                    "participants", filter=Q(participants__grade=Grade.EXCELLENT)
                ),
            )
        )


class EvaluationRoundDetailView(ScopedDetailView):
    model = EvaluationRound
    permission_required = VIEW
    template_name = "evaluation/detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("branch")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        round = self.object
        participants = list(
            round.participants.select_related("member", "self_review", "tally")
            .annotate(peer_review_count=Count("peer_reviews"))
            .order_by("-takes_part", "-is_graded", "member__name_pinyin", "id")
        )
        gone = [p for p in participants if not p.takes_part]
        participants = [p for p in participants if p.takes_part]
        for participant in participants:
            proposed = participant.proposed_grade
            participant.proposed_label = Grade(proposed).label if proposed else ""
        can_edit = self.request.user.has_perm(CHANGE) and not round.is_closed
        context.update(
            participants=participants,
            can_edit=can_edit,
            can_peer_review=can_edit and round.reached(Stage.PEER_REVIEW),
            can_tally=can_edit and round.reached(Stage.VOTING),
            can_grade=can_edit and round.stage == Stage.GRADING,
            gone=gone,
            # Before the first tally the list may still follow the branch's changes.
            can_refresh=can_edit
            and not round.reached(Stage.GRADING)
            and not any(getattr(p, "tally", None) for p in participants + gone),
            cap=actions.cap_status(round),
            stages=[
                {
                    "label": stage.label,
                    "current": stage == round.stage,
                    "done": round.reached(stage),
                }
                for stage in Stage
            ],
            peer_reviews=PeerReview.objects.filter(participant__round=round).select_related(
                "participant__member", "reviewer__member"
            ),
            probationary_count=sum(1 for p in participants if not p.is_graded),
        )
        return context


def _form_page(request, form, title: str, round: EvaluationRound, intro: str = ""):
    return render(
        request,
        "evaluation/form.html",
        {"form": form, "title": title, "object": round, "intro": intro},
    )


@permission_required(CHANGE, raise_exception=True)
def round_open(request):
    form = OpenRoundForm(
        request.POST or None,
        user=request.user,
        initial={"year": dt.date.today().year, "branch": request.GET.get("branch")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            round = actions.open_round(request.user, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(round)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": _("Open a democratic evaluation round"),
            "cancel_url": reverse("evaluation:list"),
        },
    )


def _participant(request, pk: int) -> Participant:
    return get_for_user(
        Participant.objects.select_related("round__branch", "member"), request.user, pk=pk
    )


def _participant_step(request, pk: int, form_class, action, title: str, **form_kwargs):
    participant = _participant(request, pk)
    extra = {"participant": participant} if form_class is PeerReviewForm else {}
    form = form_class(request.POST or None, initial=form_kwargs.get("initial"), **extra)
    if request.method == "POST" and form.is_valid():
        try:
            action(request.user, participant, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(participant.round)
    return _form_page(
        request,
        form,
        title % {"name": participant.member.name},
        participant.round,
        form_kwargs.get("intro", ""),
    )


@permission_required(CHANGE, raise_exception=True)
def self_review(request, pk):
    participant = _participant(request, pk)
    existing = getattr(participant, "self_review", None)
    initial = {"text": existing.text, "on": existing.entered_on} if existing else None
    return _participant_step(
        request,
        pk,
        SelfReviewForm,
        actions.enter_self_review,
        _("Self-review of %(name)s"),
        initial=initial,
    )


@permission_required(CHANGE, raise_exception=True)
def peer_review(request, pk):
    return _participant_step(
        request, pk, PeerReviewForm, actions.enter_peer_review, _("Peer review of %(name)s")
    )


@permission_required(CHANGE, raise_exception=True)
def tally(request, pk):
    participant = _participant(request, pk)
    existing = getattr(participant, "tally", None)
    initial = dict(existing.counts(), on=existing.entered_on) if existing else None
    return _participant_step(
        request,
        pk,
        TallyForm,
        actions.enter_tally,
        _("Vote tally for %(name)s"),
        initial=initial,
        intro=_("Enter how many ballots gave each grade."),
    )


@permission_required(CHANGE, raise_exception=True)
def grade(request, pk):
    participant = _participant(request, pk)
    proposed = participant.proposed_grade
    initial = {"grade": participant.grade or proposed or Grade.QUALIFIED}
    if proposed:
        intro = _("The vote proposes “%(grade)s”.") % {"grade": Grade(proposed).label}
    elif getattr(participant, "tally", None) is not None:
        intro = _("The vote is tied: the branch committee decides.")
    else:
        intro = ""
    cap = actions.cap_status(participant.round)
    intro = " ".join(
        filter(
            None,
            [
                str(intro),
                _("Excellent: %(excellent)s of %(allowed)s allowed.")
                % {"excellent": cap["excellent"], "allowed": cap["allowed"]},
            ],
        )
    )
    return _participant_step(
        request,
        pk,
        GradeForm,
        actions.grade_member,
        _("Grade %(name)s"),
        initial=initial,
        intro=intro,
    )


@require_POST
@permission_required(CHANGE, raise_exception=True)
def round_refresh(request, pk):
    """Bring the participant list up to date with the branch today (before the vote)."""
    round = get_for_user(EvaluationRound, request.user, pk=pk)
    try:
        changes = actions.refresh_participants(request.user, round)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Participants brought up to date: %(added)d added, %(left)d no longer taking part.")
            % {"added": len(changes["added"]), "left": len(changes["no_longer_taking_part"])},
        )
    return redirect(round)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def round_advance(request, pk):
    round = get_for_user(EvaluationRound, request.user, pk=pk)
    try:
        actions.advance_round(request.user, round)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(round)


@permission_required(CHANGE, raise_exception=True)
def round_close(request, pk):
    round = get_for_user(EvaluationRound, request.user, pk=pk)
    form = CloseRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.close_round(request.user, round, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(round)
    return _form_page(request, form, _("Close the round %(round)s") % {"round": round}, round)
