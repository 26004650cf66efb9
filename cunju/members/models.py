"""The Party member register (党员信息库) and each member's history."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cunju.core.personal_data import ID_NUMBER, PHONE, BlindIndexField, PersonalDataField
from cunju.core.pinyin import NamePinyinMixin
from cunju.core.scoping import ScopedQuerySet


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Education(models.TextChoices):
    """学历, in the categories of the Party's statistics."""

    POSTGRADUATE = "postgraduate", _("Postgraduate")
    BACHELOR = "bachelor", _("University (bachelor)")
    COLLEGE = "college", _("College (associate)")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("Secondary vocational")
    HIGH_SCHOOL = "high_school", _("High school")
    JUNIOR_HIGH = "junior_high", _("Junior high school")
    PRIMARY = "primary", _("Primary school or less")


class Occupation(models.TextChoices):
    """工作岗位, in the categories of the Party's statistics."""

    FARMER = "farmer", _("Farmer, herder or fisher")
    WORKER = "worker", _("Worker")
    ENTERPRISE_MANAGER = "enterprise_manager", _("Enterprise manager")
    PROFESSIONAL = "professional", _("Professional or technician")
    PUBLIC_SERVANT = "public_servant", _("Staff of Party or state organs")
    COMMUNITY_WORKER = "community_worker", _("Community or village worker")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    STUDENT = "student", _("Student")
    RETIRED = "retired", _("Retired")
    UNEMPLOYED = "unemployed", _("Unemployed")
    OTHER = "other", _("Other")


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", _("Probationary member")  # 预备党员
    FULL = "full", _("Full member")  # 正式党员
    SUSPENDED = "suspended", _("Membership suspended")  # 停止党籍
    LEFT = "left", _("Left the Party")  # 出党
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")  # 组织关系转出（系统外）
    DECEASED = "deceased", _("Deceased")  # 去世


# Statuses that count as "in the organization" for member numbers and rule checks.
ACTIVE_STATUSES = (MemberStatus.PROBATIONARY, MemberStatus.FULL)

ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族",
    "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族",
    "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族",
    "基诺族",
]  # fmt: skip


class MemberQuerySet(ScopedQuerySet):
    def active(self) -> MemberQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)


class Member(NamePinyinMixin, models.Model):
    """A Party member (党员) in the register of one Party organization.

    ``org_path`` copies the organization's tree path so scoping and subtree counts are one
    range scan of this table without a join; the actions that move members or organizations
    keep it in step.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("Party organization"),
    )
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    birth_date = models.DateField(_("birth date"))
    id_number = PersonalDataField(_("ID number"), kind=ID_NUMBER)
    id_number_index = BlindIndexField(source="id_number")
    phone = PersonalDataField(_("mobile phone"), kind=PHONE)
    phone_index = BlindIndexField(source="phone")
    education = models.CharField(_("education"), max_length=30, choices=Education.choices)
    occupation = models.CharField(_("occupation"), max_length=30, choices=Occupation.choices)
    work_unit = models.CharField(_("work unit"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.FULL
    )
    admitted_on = models.DateField(_("admitted on"), help_text=_("Date of the branch vote."))
    full_on = models.DateField(_("full membership on"), null=True, blank=True)
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    is_mobile = models.BooleanField(_("mobile member"), default=False)
    in_arrears = models.BooleanField(_("dues in arrears"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("account"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MemberQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "org_path"
    pinyin_is_person_name = True

    class Meta:
        verbose_name = _("Party member")
        verbose_name_plural = _("Party members")
        ordering = ["name_pinyin", "id"]
        indexes = [models.Index(fields=["org_path", "status"], name="member_path_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~models.Q(id_number_index=""),
                name="member_unique_id_number",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if self.organization_id and not self.org_path:
            self.org_path = self.organization.path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("members:detail", args=[self.pk])

    def age(self, on: dt.date | None = None) -> int:
        on = on or dt.date.today()
        return (
            on.year
            - self.birth_date.year
            - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))
        )

    def party_standing(self, on: dt.date | None = None) -> int | None:
        """党龄: whole years since full membership (none while probationary)."""
        if self.full_on is None:
            return None
        on = on or dt.date.today()
        years = (
            on.year
            - self.full_on.year
            - ((on.month, on.day) < (self.full_on.month, self.full_on.day))
        )
        return max(0, years)


class MembershipPeriod(models.Model):
    """A stretch of time a member spent in one organization with one status.

    Numbers "as of a date" count the periods covering that date under a subtree, using the
    organization path as it was then (``org_path``), so later moves do not rewrite history.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="periods")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=MemberStatus.choices)
    is_mobile = models.BooleanField(default=False)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="exclusive; empty = current")

    class Meta:
        ordering = ["member", "valid_from"]
        # Numbers as of a date read these indexes alone, never the table: a small subtree
        # by path; a big one by date, the periods begun or ended between the date and today
        # or a checkpoint near it (``organizations.counts``): the work follows the changes.
        indexes = [
            models.Index(
                fields=["org_path", "valid_from", "valid_to", "status", "is_mobile"],
                name="period_path_from",
            ),
            models.Index(
                fields=["valid_from", "valid_to", "org_path", "status", "is_mobile"],
                name="period_from",
            ),
            models.Index(
                fields=["valid_to", "valid_from", "org_path", "status", "is_mobile"],
                condition=models.Q(valid_to__isnull=False),
                name="period_to",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.status} {self.valid_from}–{self.valid_to or ''}"


class MemberEvent(models.Model):
    """One dated entry of a member's timeline (append-only): joined, full, moved, post…"""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Entered in the register")
        ADMITTED = "admitted", _("Admitted as probationary member")
        FULL = "full", _("Became a full member")
        PROBATION_EXTENDED = "probation_extended", _("Probation extended")
        STATUS = "status", _("Status changed")
        TRANSFERRED = "transferred", _("Organization changed")
        DETAILS = "details", _("Details changed")
        POST = "post", _("Post")
        AWARD = "award", _("Award")
        PUNISHMENT = "punishment", _("Punishment")
        DIFFICULTY = "difficulty", _("Difficulty")
        MOBILE = "mobile", _("Mobility")
        DUES = "dues", _("Dues")
        EVALUATION = "evaluation", _("Evaluation")
        DEVELOPMENT = "development", _("Development")
        NOTE = "note", _("Note")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="events")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    summary = models.CharField(_("summary"), max_length=300)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+", null=True
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("member event")
        verbose_name_plural = _("member timeline")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.summary}"


class Post(models.Model):
    """A post held (任职): branch secretary, committee member, group leader…

    Seats on a committee (``organizations.CommitteeMember``) of a member in the register
    make their post here; the other posts are entered by hand.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(_("post"), max_length=100)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("Party organization"),
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    # Set when the post is a seat on a committee: the seat's actions open and end it.
    seat = models.OneToOneField(
        "organizations.CommitteeMember",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="post",
        verbose_name=_("committee seat"),
    )

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("post held")
        verbose_name_plural = _("posts held")

    def __str__(self) -> str:
        return self.title


class Commendation(models.Model):
    """An award (奖励) or a punishment (处分)."""

    class Kind(models.TextChoices):
        AWARD = "award", _("Award")
        PUNISHMENT = "punishment", _("Punishment")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="commendations")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    issuer = models.CharField(_("issued by"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("award or punishment")
        verbose_name_plural = _("awards and punishments")

    def __str__(self) -> str:
        return self.title


class Difficulty(models.Model):
    """困难党员: a difficulty the organization helps with (illness, poverty, disability…)."""

    class Kind(models.TextChoices):
        ILLNESS = "illness", _("Serious illness")
        DISABILITY = "disability", _("Disability")
        LOW_INCOME = "low_income", _("Low income / minimum living allowance")
        ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")
        DISASTER = "disaster", _("Disaster or accident")
        OTHER = "other", _("Other")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="difficulties")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-since"]
        verbose_name = _("difficulty")
        verbose_name_plural = _("difficulties")

    def __str__(self) -> str:
        return self.get_kind_display()


class FamilyMember(models.Model):
    """A family member (家庭成员) as the member's file records them."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="family")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=20)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    political_status = models.CharField(_("political status"), max_length=30, blank=True)
    work_unit = models.CharField(_("work unit"), max_length=100, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("family member")
        verbose_name_plural = _("family members")

    def __str__(self) -> str:
        return f"{self.relation} {self.name}"
