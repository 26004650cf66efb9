"""Mobile members (流动党员) and transfers of the organizational relation (组织关系转接)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cunju.core.personal_data import PHONE, PersonalDataField
from cunju.core.scoping import ScopedQuerySet, scope_paths
from cunju.core.tree import subtree_q

from . import rules

if TYPE_CHECKING:
    from cunju.organizations.models import Organization


def division_code_of(organization: Organization) -> str:
    """The six-digit GB/T 2260 code of the place an organization serves (nearest coded place)."""
    place = organization.place
    chain = [place, *reversed(list(place.ancestors()))]
    for node in chain:
        code = (node.code or "").strip()
        if len(code) >= 6 and code[:6].isdigit():
            return code[:6]
    return ""


class MobileRecordQuerySet(ScopedQuerySet):
    def scope_condition(self, path: str) -> Q:
        """Outflow records follow the member (its history moves with a transfer); inflow
        records belong to the organization the person takes part in here."""
        return (
            Q(direction=MobileRecord.Direction.OUTFLOW) & subtree_q(path, "member__org_path")
        ) | (Q(direction=MobileRecord.Direction.INFLOW) & subtree_q(path, "organization__path"))

    def open(self, on: dt.date | None = None) -> MobileRecordQuerySet:
        on = on or dt.date.today()
        return self.filter(away_since__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))

    def outflow(self) -> MobileRecordQuerySet:
        return self.filter(direction=MobileRecord.Direction.OUTFLOW)

    def inflow(self) -> MobileRecordQuerySet:
        return self.filter(direction=MobileRecord.Direction.INFLOW)

    def with_last_report(self) -> MobileRecordQuerySet:
        return self.annotate(last_report_on=Max("reports__date"))


class MobileRecord(models.Model):
    """流动党员登记: a member of ours away (外出) or a member of elsewhere living here (流入)."""

    class Direction(models.TextChoices):
        OUTFLOW = "outflow", _("Outflow (away from home)")  # 流出
        INFLOW = "inflow", _("Inflow (from elsewhere, living here)")  # 流入

    class EndReason(models.TextChoices):
        RETURNED = "returned", _("Returned")
        TRANSFERRED = "transferred", _("Organizational relation transferred")
        LEFT = "left", _("Moved on")

    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mobile_records",
        verbose_name=_("Party member"),
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Party organization here"),
        help_text=_("For inflow: the organization whose life the member joins here."),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    home_organization = models.CharField(
        _("home Party organization"),
        max_length=100,
        blank=True,
        help_text=_("For inflow: the organization holding the member's relation."),
    )
    place = models.CharField(
        _("place"),
        max_length=200,
        help_text=_("Outflow: where the member went. Inflow: where the member lives here."),
    )
    region_code = models.CharField(
        _("division code"),
        max_length=6,
        help_text=_(
            "Six-digit GB/T 2260 code of the county or city: outflow, the destination; "
            "inflow, where the member comes from."
        ),
    )
    fixed_place = models.BooleanField(
        _("fixed place of residence"),
        default=True,
        help_text=_("Lives at a fixed place (固定处所) there."),
    )
    transfer_possible = models.BooleanField(
        _("relation can be transferred"),
        default=True,
        help_text=_("Clear this when the relation cannot be transferred (e.g. no organization)."),
    )
    away_since = models.DateField(_("since"))
    expected_return = models.DateField(_("expected return"), null=True, blank=True)
    phone = PersonalDataField(_("contact phone"), kind=PHONE)
    work_unit = models.CharField(_("work unit"), max_length=100, blank=True)
    job = models.CharField(_("job"), max_length=100, blank=True)
    card_number = models.CharField(
        _("activity card number"),
        max_length=50,
        blank=True,
        help_text=_("For inflow: the card the home organization issued."),
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=EndReason.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MobileRecordQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "member__org_path"  # for outflow; ``for_user`` adds inflow

    class Meta:
        verbose_name = _("mobile member record")
        verbose_name_plural = _("mobile member records")
        ordering = ["-away_since", "-id"]

    def __str__(self) -> str:
        return f"{self.person_name} · {self.place}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("mobility:detail", args=[self.pk])

    @property
    def person_name(self) -> str:
        return self.member.name if self.member_id else self.name

    @property
    def home_side(self) -> str:
        """Outflow: the member's organization; inflow: the organization here."""
        if self.member_id:
            return self.member.organization.name
        return self.organization.name if self.organization_id else ""

    @property
    def is_outflow(self) -> bool:
        return self.direction == self.Direction.OUTFLOW

    def is_open(self, on: dt.date | None = None) -> bool:
        on = on or dt.date.today()
        return self.away_since <= on and (self.ended_on is None or self.ended_on > on)

    @property
    def home_region(self) -> str:
        return division_code_of(self.member.organization) if self.member_id else ""

    def proposes_transfer(self) -> bool:
        """What the rule proposes for this absence: transfer (True) or an activity card."""
        return rules.proposes_transfer(
            self.away_since,
            self.expected_return,
            fixed_place=self.fixed_place,
            transfer_possible=self.transfer_possible,
            region=self.home_region,
        )

    def last_reported(self) -> dt.date | None:
        value = getattr(self, "last_report_on", None)
        if value is None and not hasattr(self, "last_report_on"):
            value = self.reports.aggregate(last=Max("date"))["last"]
        return value

    def report_overdue(self, on: dt.date | None = None) -> bool:
        """Not reported to the home organization for longer than the rule allows."""
        on = on or dt.date.today()
        if not self.is_outflow or not self.is_open(on):
            return False
        since = self.last_reported() or self.away_since
        return on > rules.report_overdue_after(since, region=self.home_region)

    def current_card(self, on: dt.date | None = None) -> ActivityCard | None:
        on = on or dt.date.today()
        return self.cards.filter(issued_on__lte=on, valid_until__gte=on).first()


class MobileReport(models.Model):
    """A report of a mobile member to the home organization (向流出地党组织汇报)."""

    class Way(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("By phone")
        LETTER = "letter", _("In writing")
        ONLINE = "online", _("Online (WeChat, e-mail)")

    record = models.ForeignKey(
        MobileRecord, on_delete=models.CASCADE, related_name="reports", verbose_name=_("record")
    )
    date = models.DateField(_("date"))
    way = models.CharField(_("way"), max_length=20, choices=Way.choices)
    content = models.TextField(_("content"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_way_display()}"


class ActivityCard(models.Model):
    """流动党员活动证: lets the holder join organizational life where they are."""

    record = models.ForeignKey(
        MobileRecord, on_delete=models.CASCADE, related_name="cards", verbose_name=_("record")
    )
    number = models.CharField(_("card number"), max_length=50)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("mobile-member activity card")
        verbose_name_plural = _("mobile-member activity cards")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.number


class TransferQuerySet(ScopedQuerySet):
    def scope_condition(self, path: str) -> Q:
        """Transfers whose sender or receiver is in the user's scope.

        Unlike rows hanging on one node, a transfer concerns two organizations: the sender
        follows its letter until it is accepted, and the receiver must see it in its inbox
        before the member is in its register (``Member.objects.for_user`` hides the member
        until acceptance), so either side's subtree admits it.
        """
        return subtree_q(path, "from_organization__path") | subtree_q(path, "to_organization__path")

    def received_by(self, user: Any) -> TransferQuerySet:
        """Transfers addressed to an organization in the user's scope."""
        paths = scope_paths(user)
        if paths is None:
            return self.filter(to_organization__isnull=False)
        if "organization" not in paths:
            return self.none()
        return self.filter(subtree_q(paths["organization"], "to_organization__path"))

    def pending(self) -> TransferQuerySet:
        return self.filter(status=Transfer.Status.ISSUED)

    def expired(self, on: dt.date | None = None) -> TransferQuerySet:
        return self.pending().filter(valid_until__lt=on or dt.date.today())


class Transfer(models.Model):
    """A transfer of a member's organizational relation (组织关系转接) by introduction letter."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Letter issued, waiting")
        ACCEPTED = "accepted", _("Accepted by the receiving organization")
        COMPLETED = "completed", _("Completed (receipt returned)")
        REJECTED = "rejected", _("Returned to the sender")
        REISSUED = "reissued", _("Replaced by a new letter")

    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="transfers",
        verbose_name=_("Party member"),
    )
    record = models.ForeignKey(
        MobileRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transfers",
        verbose_name=_("mobile member record"),
    )
    from_organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("from"),
    )
    to_organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_in",
        verbose_name=_("to (in this system)"),
    )
    to_name = models.CharField(
        _("to (outside this system)"),
        max_length=150,
        blank=True,
        help_text=_("Name of the receiving organization when it does not use this system."),
    )
    to_region_code = models.CharField(
        _("division code of the destination"),
        max_length=6,
        blank=True,
        help_text=_("Six-digit GB/T 2260 code; decides the letter's validity."),
    )
    letter_number = models.CharField(_("letter number"), max_length=50)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ISSUED
    )
    receipt_on = models.DateField(_("receipt returned on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    rejected_on = models.DateField(_("returned on"), null=True, blank=True)
    reject_reason = models.TextField(_("reason for returning"), blank=True)
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TransferQuerySet.as_manager()
    scope_tree = "organization"
    scope_lookup = "from_organization__path"  # ``for_user`` adds the receiver's side

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"{self.letter_number} · {self.member.name} → {self.destination_name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("mobility:transfer-detail", args=[self.pk])

    @property
    def destination_name(self) -> str:
        return self.to_organization.name if self.to_organization_id else self.to_name

    @property
    def in_system(self) -> bool:
        return self.to_organization_id is not None

    def is_expired(self, on: dt.date | None = None) -> bool:
        """Past its validity with neither receipt nor acceptance."""
        return self.status == self.Status.ISSUED and (on or dt.date.today()) > self.valid_until
