"""Points pages: my ledger, a user's ledger for staff, and the grant/deduct form."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cunju.core.forms import apply_errors
from cunju.core.scoping import get_for_user

from . import actions, ledger
from .forms import GrantForm
from .models import Entry

PER_PAGE = 50


def _ledger_context(request: HttpRequest, owner: Any, entries: QuerySet) -> dict[str, Any]:
    page = Paginator(entries.select_related("created_by"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return {"owner": owner, "balance": ledger.balance(owner), "page": page}


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """积分明细: the signed-in user's balance and every entry, newest first."""
    context = _ledger_context(request, request.user, Entry.objects.own(request.user))
    context["title"] = _("My points")
    return render(request, "points/ledger.html", context)


@require_GET
@permission_required("points.view_entry", raise_exception=True)
def user_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    """A user's ledger, for staff whose scope holds that user."""
    owner = get_for_user(get_user_model(), request.user, pk=pk)
    entries = Entry.objects.for_user(request.user).filter(user=owner)
    context = _ledger_context(request, owner, entries)
    context["title"] = _("Points of %(name)s") % {"name": owner}
    context["can_grant"] = request.user.has_perm("points.add_entry") and owner != request.user
    return render(request, "points/ledger.html", context)


@permission_required("points.add_entry", raise_exception=True)
def grant(request: HttpRequest, pk: int) -> HttpResponse:
    owner = get_for_user(get_user_model(), request.user, pk=pk)
    form = GrantForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.grant(request.user, owner, form.signed_amount(), form.cleaned_data["memo"])
        except Exception as exc:
            if not apply_errors(form, _points_errors(exc)):
                raise
        else:
            return redirect("points:user", owner.pk)
    context = {
        "form": form,
        "title": _("Grant or deduct points: %(name)s") % {"name": owner},
        "owner": owner,
        "balance": ledger.balance(owner),
        "cancel_url": reverse("points:user", args=[owner.pk]),
    }
    return render(request, "points/grant.html", context)


def _points_errors(exc: Exception) -> Exception:
    # The action speaks of the signed amount; the form asks for points and a direction.
    from django.core.exceptions import ValidationError

    if (
        isinstance(exc, ValidationError)
        and hasattr(exc, "error_dict")
        and "amount" in exc.error_dict
    ):
        errors = dict(exc.error_dict)
        errors["points"] = errors.pop("amount")
        return ValidationError(errors)
    return exc
