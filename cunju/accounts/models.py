"""Users (账号): a role and a scope node in the organization tree."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cunju.core.personal_data import ID_NUMBER, PHONE, BlindIndexField, PersonalDataField
from cunju.core.pinyin import NamePinyinMixin
from cunju.core.scoping import ScopedQuerySet

from .roles import UNSCOPED_ROLES, Role


class UserQuerySet(ScopedQuerySet):
    pass


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(NamePinyinMixin, AbstractUser):
    """A person who signs in: township staff, secretaries, clerks, members.

    ``scope`` is the Party organization whose subtree the user works in; a system admin
    has none and sees everything.
    """

    full_name = models.CharField(_("full name"), max_length=50)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.MEMBER)
    scope = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("scope"),
    )
    id_number = PersonalDataField(_("ID number"), kind=ID_NUMBER)
    id_number_index = BlindIndexField(source="id_number")
    phone = PersonalDataField(_("mobile phone"), kind=PHONE)
    phone_index = BlindIndexField(source="phone")
    failed_logins = models.PositiveSmallIntegerField(_("failed logins in a row"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)

    # The scope lives on the organization tree; for the user's own row we follow ``scope``.
    scope_tree = "organization"
    scope_lookup = "scope__path"
    pinyin_is_person_name = True
    pinyin_source_field = "full_name"

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["name_pinyin", "username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    @property
    def sees_everything(self) -> bool:
        return self.is_superuser or self.role in UNSCOPED_ROLES

    def is_locked(self, now=None) -> bool:
        now = now or timezone.now()
        return self.locked_until is not None and self.locked_until > now

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("accounts:detail", args=[self.pk])
