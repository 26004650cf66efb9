"""Forms of the library pages: what an uploader says about a document, shelves, reading reports."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cunju.core.rules import rule
from cunju.organizations.models import Organization
from cunju.organizations.picker import Offer, OrganizationField

from .models import Category, Document, Tag, ancestor_paths
from .rules import PRICE_MAX, PRICE_MIN

# Commas of either width, the Chinese enumeration comma and semicolons all separate tags.
TAG_SEPARATORS = re.compile(r"[,，、;；]")
MAX_TAGS = 10


def region_of(user: Any) -> str | None:
    """The division code rules are looked up for: the place of the user's organization."""
    scope = getattr(user, "scope", None)
    place = getattr(scope, "place", None) if scope is not None else None
    return getattr(place, "code", None) or None


def price_bounds(user: Any) -> tuple[int, int]:
    region = region_of(user)
    return int(rule(PRICE_MIN, region=region)), int(rule(PRICE_MAX, region=region))


def shareable_organizations(user: Any):
    """Where a user may share: their own organization or any above it (everything for the
    unscoped system admin). Top of the tree first."""
    scope = getattr(user, "scope", None)
    if scope is None:
        return Organization.objects.order_by("path") if user.sees_everything else None
    return Organization.objects.filter(path__in=ancestor_paths(scope.path)).order_by("path")


def split_tags(value: str) -> list[str]:
    names = []
    for part in TAG_SEPARATORS.split(value or ""):
        name = " ".join(part.split())
        if name and name not in names:
            names.append(name)
    return names


class DocumentFieldsForm(forms.Form):
    """What the uploader says about a document; the same fields on upload and edit."""

    title = forms.CharField(
        label=_("Title"),
        max_length=Document._meta.get_field("title").max_length,
        required=False,
        help_text=_("Leave empty to use the file name."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False, empty_label="—"
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separate tags with commas, e.g. 党章, 学习"),
    )
    price = forms.IntegerField(label=_("Price in points"), initial=0)
    # Left out (a script, an old form), the document goes to the top of the uploader's tree.
    shared_with = forms.ModelChoiceField(
        label=_("Shared with"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=None,
        help_text=_("Everyone under this organization may read the document once published."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.low, self.high = price_bounds(user)
        # The bounds are rules that differ by region: the field is made for this user.
        self.fields["price"] = forms.IntegerField(
            label=_("Price in points"),
            initial=0,
            required=False,
            min_value=self.low,
            max_value=self.high,
            help_text=_("From %(low)d to %(high)d points; 0 is free.")
            % {"low": self.low, "high": self.high},
        )
        choices = shareable_organizations(user)
        shared = self.fields["shared_with"]
        if getattr(user, "scope", None) is None and choices is not None:
            # The whole tree (the system administrator): searched, not listed — a province
            # holds tens of thousands of organizations.
            shared = self.fields["shared_with"] = OrganizationField(
                label=shared.label, required=False, help_text=shared.help_text
            )
            shared.source = Offer(user)
        else:
            shared.queryset = choices if choices is not None else Organization.objects.none()
        if not self.is_bound and "shared_with" not in self.initial:
            top = (choices if choices is not None else shared.queryset).first()
            if top is not None:
                self.initial["shared_with"] = top.pk

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean_tags(self) -> list[str]:
        names = split_tags(self.cleaned_data["tags"])
        limit = Tag._meta.get_field("name").max_length
        too_long = [n for n in names if len(n) > limit]
        if too_long:
            raise forms.ValidationError(
                _("A tag has at most %(limit)d characters: %(tag)s")
                % {"limit": limit, "tag": too_long[0]}
            )
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(_("At most %(n)d tags.") % {"n": MAX_TAGS})
        return names

    def clean_price(self) -> int:
        price = self.cleaned_data["price"]
        if price is None:
            return 0
        return price

    def action_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "category": data["category"],
            "tags": data["tags"],
            "price": data["price"],
            "shared_with": data["shared_with"],
        }


class UploadForm(DocumentFieldsForm):
    """Upload: the files come from ``request.FILES`` and are judged one by one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["title", "category", "tags", "price", "shared_with", "description"])


class EditForm(DocumentFieldsForm):
    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": document.title,
                "description": document.description,
                "category": document.category_id,
                "tags": ", ".join(t.name for t in document.tags.all()),
                "price": document.price,
                "shared_with": document.shared_with_id,
            },
        )
        super().__init__(*args, **kwargs)
        title = self.fields["title"]
        title.required = True
        title.help_text = ""
        shared = self.fields["shared_with"]
        if not shared.queryset.filter(pk=document.shared_with_id).exists():
            # A moderator editing someone else's document keeps the uploader's choice.
            shared.queryset = (
                shared.queryset | Organization.objects.filter(pk=document.shared_with_id)
            ).order_by("path")


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=Category._meta.get_field("name").max_length)


class ReadingReportForm(forms.Form):
    """What the page reports while it is read: which reading, seconds so far, last page."""

    reading = forms.IntegerField(min_value=1)
    seconds = forms.IntegerField(min_value=0, max_value=24 * 3600)
    page = forms.IntegerField(min_value=1, required=False)
