"""Generic list / detail views over ``for_user`` and the audit-log and reveal pages.

A list page is a declaration (NetBox's pattern): a model, a filterset, a table and export
columns. The same filterset drives the full page, the HTMX partial that refreshes the table
as the user types, and the Excel export of exactly what is filtered.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView
from django_tables2 import RequestConfig

from .actions import record_event
from .filtersets import AuditEventFilterSet
from .models import AuditEvent
from .personal_data import Sensitive
from .scoping import get_for_user
from .spreadsheets import ExportColumn, export_response
from .tables import AuditEventTable


class ScopedListView(PermissionRequiredMixin, View):
    """A filtered, paginated, exportable list of the rows the user may see."""

    model: Any = None
    filterset_class: Any = None
    table_class: Any = None
    template_name = "core/list.html"
    partial_template_name = "core/partials/list_table.html"
    title: Any = ""
    export_columns: list[ExportColumn] = []
    export_name: str = "export"
    actions_template: str = ""
    per_page = 25
    raise_exception = True

    def get_queryset(self) -> QuerySet:
        return self.model.objects.for_user(self.request.user)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        filterset = self.filterset_class(
            request.GET or None, queryset=self.get_queryset(), request=request
        )
        invalid = filterset.is_bound and not filterset.is_valid()
        # A filter that cannot be understood shows nothing (and says why), never everything.
        queryset = filterset.queryset.none() if invalid else filterset.qs
        if request.GET.get("export") == "xlsx" and self.export_columns and not invalid:
            record_event(
                request.user,
                f"{self.model._meta.label_lower}.export",
                message=request.GET.urlencode()[:500],
            )
            return export_response(queryset, self.export_columns, self.export_name)
        # Configured once, here: a table built with the request would page (and count) itself.
        table = self.table_class(queryset)
        RequestConfig(request, paginate=self.pagination(filterset, invalid)).configure(table)
        context = {
            "title": self.title,
            "filterset": filterset,
            "filter_errors": filterset.errors if invalid else {},
            "table": table,
            "can_export": bool(self.export_columns),
            "export_query": _with_export(request),
            "actions_template": self.actions_template,
            **self.extra_context(),
        }
        template = (
            self.partial_template_name
            if request.htmx and not request.htmx.boosted
            else self.template_name
        )
        return render(request, template, context)

    def extra_context(self) -> dict[str, Any]:
        return {}

    def pagination(self, filterset: Any, invalid: bool) -> dict[str, Any]:
        """django-tables2's paging options; a long list may count its rows its own way."""
        return {"per_page": self.per_page}


def _with_export(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query["export"] = "xlsx"
    return query.urlencode()


class ScopedDetailView(PermissionRequiredMixin, DetailView):
    """One object in the user's scope; anything else is 404, like a missing object."""

    raise_exception = True

    def get_queryset(self) -> QuerySet:
        return self.model.objects.for_user(self.request.user)


class AuditLogView(ScopedListView):
    model = AuditEvent
    filterset_class = AuditEventFilterSet
    table_class = AuditEventTable
    permission_required = "core.view_audit_log"
    title = _("Audit log")
    export_name = "audit-log"
    per_page = 50
    export_columns = [
        ExportColumn(_("Time"), "at"),
        ExportColumn(_("User"), "username"),
        ExportColumn(_("IP address"), "ip"),
        ExportColumn(_("Action"), "action_label"),
        ExportColumn(_("Object type"), "object_type"),
        ExportColumn(_("Object"), "object_repr"),
        ExportColumn(_("Changes"), "changes"),
        ExportColumn(_("Outcome"), "get_outcome_display"),
        ExportColumn(_("Message"), "message"),
    ]


# Which personal fields may be revealed, per model label: keeps the reveal URL closed.
REVEALABLE: dict[str, set[str]] = {
    "accounts.user": {"id_number", "phone"},
    "members.member": {"id_number", "phone"},
}


class RevealView(View):
    """Shows one full ID or phone number to a user with the permission; audited every time."""

    def post(self, request: HttpRequest, model: str, pk: int, field: str) -> HttpResponse:
        from django.apps import apps
        from django.http import Http404

        if field not in REVEALABLE.get(model, set()):
            raise Http404
        model_class = apps.get_model(model)
        obj = get_for_user(model_class, request.user, pk=pk)
        if not request.user.has_perm("core.reveal_personal_data"):
            record_event(
                request.user,
                "core.reveal_personal_data",
                target=obj,
                success=False,
                message=f"{field}: permission denied",
            )
            raise PermissionDenied
        value = getattr(obj, field)
        record_event(
            request.user, "core.reveal_personal_data", target=obj, changes={"field": field}
        )
        full = value.reveal() if isinstance(value, Sensitive) else str(value or "")
        return render(request, "core/partials/revealed.html", {"value": full})


class ImportView(PermissionRequiredMixin, View):
    """Download the template, upload a file, see every bad row; all rows or none."""

    spec_class: Any = None
    template_name = "core/import.html"
    raise_exception = True
    success_url: str = ""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        spec = self.spec_class(request.user)
        if request.GET.get("template"):
            from .spreadsheets import xlsx_response

            return xlsx_response(spec.template(), f"{spec.name}-template.xlsx")
        return render(request, self.template_name, {"spec": spec, "title": spec.title})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.conf import settings

        spec = self.spec_class(request.user)
        upload = request.FILES.get("file")
        context: dict[str, Any] = {"spec": spec, "title": spec.title}
        if upload is None:
            context["error"] = _("Choose an Excel file to upload.")
        elif upload.size > settings.CUNJU_IMPORT_MAX_BYTES:
            context["error"] = _("The file is larger than %(mb)d MB.") % {
                "mb": settings.CUNJU_IMPORT_MAX_BYTES // (1024 * 1024)
            }
        else:
            report = spec.run(upload.read(), dry_run=bool(request.POST.get("dry_run")))
            unreadable = [p.reason for p in report.problems if p.row == 0]
            if unreadable:
                # The file itself could not be read: say so, not "1 row has problems".
                context["error"] = unreadable[0]
            else:
                context["report"] = report
                context["filename"] = upload.name
        return render(request, self.template_name, context, status=200)
