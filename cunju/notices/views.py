"""The notice inbox: a user's own notices, newest first; open one to mark it read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import actions
from .models import Notice

PER_PAGE = 50


@require_http_methods(["GET", "POST"])
def inbox(request: HttpRequest) -> HttpResponse:
    """GET lists the notices; POST marks them all read."""
    if request.method == "POST":
        actions.mark_all_read(request.user)
        return redirect("notices:inbox")
    notices = Notice.objects.for_recipient(request.user)
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "title": _("Notices"),
        "page": page,
        "unread": notices.unread().count(),
    }
    return render(request, "notices/inbox.html", context)


@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notice read and go to what it is about."""
    notice = get_object_or_404(Notice.objects.for_recipient(request.user), pk=pk)
    actions.mark_read(request.user, notice)
    target = notice.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notices:inbox")
