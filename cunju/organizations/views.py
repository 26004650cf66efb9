"""Organization pages: the tree as a list, detail, found, edit."""

from django.contrib.auth.decorators import permission_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cunju.core.forms import apply_errors
from cunju.core.scoping import get_for_user
from cunju.core.spreadsheets import ExportColumn
from cunju.core.views import ScopedDetailView, ScopedListView

from . import actions
from .filtersets import OrganizationFilterSet
from .forms import OrganizationEditForm, OrganizationForm
from .models import Organization
from .tables import OrganizationTable


class OrganizationListView(ScopedListView):
    model = Organization
    filterset_class = OrganizationFilterSet
    table_class = OrganizationTable
    permission_required = "organizations.view_organization"
    title = _("Party organizations")
    export_name = "organizations"
    actions_template = "organizations/list_actions.html"
    export_columns = [
        ExportColumn(_("Name"), "name", 30),
        ExportColumn(_("Kind"), "get_kind_display"),
        ExportColumn(_("Category"), "get_category_display", 24),
        ExportColumn(_("Higher organization"), "parent__name", 30),
        ExportColumn(_("Place"), "place__name"),
        ExportColumn(_("Founded on"), "founded_on"),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("place", "parent")


class OrganizationDetailView(ScopedDetailView):
    model = Organization
    permission_required = "organizations.view_organization"
    template_name = "organizations/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        visible = Organization.objects.for_user(user)
        context["ancestors"] = visible.filter(pk__in=self.object.ancestors())
        context["children"] = visible.filter(parent=self.object).annotate(n=Count("children"))
        subtree = visible.subtree(self.object)
        context["subtree_counts"] = dict(
            subtree.values_list("kind").annotate(n=Count("id")).order_by()
        )
        context["kinds"] = Organization.Kind
        return context


@permission_required("organizations.add_organization", raise_exception=True)
def organization_create(request):
    form = OrganizationForm(
        request.POST or None, user=request.user, initial={"parent": request.GET.get("parent")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            org = actions.create_organization(request.user, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(org)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": _("Set up a Party organization"),
            "cancel_url": reverse("organizations:list"),
        },
    )


@permission_required("organizations.change_organization", raise_exception=True)
def organization_edit(request, pk):
    org = get_for_user(Organization, request.user, pk=pk)
    initial = {
        "name": org.name,
        "short_name": org.short_name,
        "category": org.category,
        "founded_on": org.founded_on,
    }
    form = OrganizationEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_organization(request.user, org, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(org)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": org.name}, "object": org},
    )
