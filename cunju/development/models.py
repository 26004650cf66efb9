"""Developing new members (发展党员): applicant → activist → candidate → probationary → full.

An ``Applicant`` is one person on that road, with the date of each milestone on the row (so
lists and the to-do page need no joins); the evidence for each milestone is a
``DevelopmentStep`` (talks, contacts, reviews, introducers, political review, training,
approvals, extensions), a ``PublicNotice`` (公示) or a ``BranchVote`` (支部大会表决).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cunju.core.personal_data import ID_NUMBER, PHONE, BlindIndexField, PersonalDataField
from cunju.core.pinyin import NamePinyinMixin
from cunju.core.scoping import ScopedQuerySet
from cunju.members.models import Education, Occupation, Sex


class Stage(models.TextChoices):
    """Where a person stands on the road to membership."""

    APPLICANT = "applicant", _("Applicant")  # 入党申请人
    ACTIVIST = "activist", _("Activist")  # 入党积极分子
    CANDIDATE = "candidate", _("Development candidate")  # 发展对象
    AWAITING_APPROVAL = "awaiting_approval", _("Voted, awaiting approval")  # 待上级党委审批
    # The higher committee did not approve the admission (审批不同意): the person stays a
    # development candidate, and the branch may prepare a new vote.
    NOT_APPROVED = "not_approved", _("Admission not approved")  # 上级党委未批准入党
    PROBATIONARY = "probationary", _("Probationary member")  # 预备党员
    FULL = "full", _("Full member")  # 正式党员
    CANCELLED = "cancelled", _("Probation cancelled")  # 取消预备党员资格


OPEN_STAGES = (
    Stage.APPLICANT,
    Stage.ACTIVIST,
    Stage.CANDIDATE,
    Stage.AWAITING_APPROVAL,
    Stage.NOT_APPROVED,
    Stage.PROBATIONARY,
)
# Stages that prepare an admission vote: a candidate, or one whose admission was not approved.
PREPARING_STAGES = (Stage.CANDIDATE, Stage.NOT_APPROVED)


class Applicant(NamePinyinMixin, models.Model):
    """A person in development (发展党员对象), from the application to full membership."""

    branch = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="applicants",
        verbose_name=_("Party branch"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    id_number = PersonalDataField(_("ID number"), kind=ID_NUMBER)
    id_number_index = BlindIndexField(source="id_number")
    phone = PersonalDataField(_("mobile phone"), kind=PHONE)
    phone_index = BlindIndexField(source="phone")
    education = models.CharField(_("education"), max_length=30, choices=Education.choices)
    occupation = models.CharField(_("occupation"), max_length=30, choices=Occupation.choices)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.APPLICANT, db_index=True
    )
    applied_on = models.DateField(_("application received on"))
    first_talk_on = models.DateField(_("first talk on"), null=True, blank=True)
    activist_on = models.DateField(_("activist from"), null=True, blank=True)
    last_review_on = models.DateField(_("last review on"), null=True, blank=True)
    candidate_on = models.DateField(_("development candidate from"), null=True, blank=True)
    admission_vote_on = models.DateField(_("admission vote on"), null=True, blank=True)
    admission_approved_on = models.DateField(_("admission approved on"), null=True, blank=True)
    probation_ends_on = models.DateField(
        _("probation ends on"),
        null=True,
        blank=True,
        help_text=_("The day full membership can start."),
    )
    probation_extended = models.BooleanField(_("probation extended"), default=False)
    full_vote_on = models.DateField(_("full membership vote on"), null=True, blank=True)
    full_on = models.DateField(_("full member from"), null=True, blank=True)
    cancelled_on = models.DateField(_("probation cancelled on"), null=True, blank=True)
    member = models.OneToOneField(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="development",
        verbose_name=_("Party member"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "branch__path"
    pinyin_is_person_name = True

    class Meta:
        verbose_name = _("person in development")
        verbose_name_plural = _("people in development")
        ordering = ["name_pinyin", "id"]
        permissions = [("approve_admission", "Approve admission and full membership")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("development:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class DevelopmentStep(models.Model):
    """One recorded step: a talk, a contact or introducer, a review, training, an approval…"""

    class Kind(models.TextChoices):
        FIRST_TALK = "first_talk", _("First talk")  # 谈话
        ACTIVIST = "activist", _("Named activist by the branch committee")
        CONTACT = "contact", _("Cultivation contact")  # 培养联系人
        REVIEW = "review", _("Half-yearly review")  # 考察
        CANDIDATE = "candidate", _("Named development candidate")
        INTRODUCER = "introducer", _("Introducer")  # 入党介绍人
        POLITICAL_REVIEW = "political_review", _("Political review")  # 政审
        TRAINING = "training", _("Concentrated training")  # 集中培训
        APPROVAL = "approval", _("Approved by the higher committee")  # 审批
        REFUSAL = "refusal", _("Not approved by the higher committee")  # 审批不同意
        EXTENSION = "extension", _("Probation extended")  # 延长预备期
        CANCELLATION = "cancellation", _("Probation cancelled")

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    date = models.DateField(_("date"))
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Party member"),
    )
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    hours = models.PositiveSmallIntegerField(_("class hours"), null=True, blank=True)
    months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # Extensions and cancellations: the branch general meeting decides, the committee approves.
    meeting_on = models.DateField(_("decided by the branch meeting on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "applicant__branch__path"

    class Meta:
        verbose_name = _("development step")
        verbose_name_plural = _("development steps")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"


class Purpose(models.TextChoices):
    """What a public notice or a branch vote is about."""

    ACTIVIST = "activist", _("Naming an activist")
    CANDIDATE = "candidate", _("Naming a development candidate")
    ADMISSION = "admission", _("Admission as probationary member")
    FULL = "full", _("Full membership")


class PublicNotice(models.Model):
    """A public notice (公示) that runs a number of working days before a step."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="notices")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    working_days = models.PositiveSmallIntegerField(_("working days"))
    estimated = models.BooleanField(
        _("end date estimated"),
        default=False,
        help_text=_("The holiday calendar of a year in the notice is not published yet."),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "applicant__branch__path"

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["starts_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"

    def is_running(self, on: dt.date) -> bool:
        return self.starts_on <= on <= self.ends_on


class BranchVote(models.Model):
    """A vote of the branch general meeting (支部党员大会) on admission or full membership."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="votes")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    held_on = models.DateField(_("held on"))
    entitled = models.PositiveSmallIntegerField(
        _("entitled to vote"),
        help_text=_("Full members of the branch entitled to vote (应到会有表决权的正式党员)."),
    )
    computed_entitled = models.PositiveSmallIntegerField(_("entitled by the register"))
    yes = models.PositiveSmallIntegerField(_("yes"))
    no = models.PositiveSmallIntegerField(_("no"))
    abstain = models.PositiveSmallIntegerField(_("abstain"))
    passed = models.BooleanField(_("passed"))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    refused_on = models.DateField(_("not approved on"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for not approving"), blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "applicant__branch__path"

    class Meta:
        verbose_name = _("branch vote")
        verbose_name_plural = _("branch votes")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.held_on:%Y-%m-%d}"

    @property
    def is_setback(self) -> bool:
        """Not passed by the branch, or not approved by the higher committee."""
        return not self.passed or self.refused_on is not None
