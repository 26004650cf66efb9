"""Place pages: list, detail, add, edit, import."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cunju.core.forms import apply_errors
from cunju.core.scoping import get_for_user
from cunju.core.spreadsheets import ExportColumn
from cunju.core.views import ImportView, ScopedDetailView, ScopedListView

from . import actions
from .filtersets import PlaceFilterSet
from .forms import PlaceEditForm, PlaceForm
from .imports import PlaceImport
from .models import Place
from .tables import PlaceTable


class PlaceListView(ScopedListView):
    model = Place
    filterset_class = PlaceFilterSet
    table_class = PlaceTable
    permission_required = "places.view_place"
    title = _("Places")
    export_name = "places"
    actions_template = "places/list_actions.html"
    export_columns = [
        ExportColumn(_("Name"), "name"),
        ExportColumn(_("Kind"), "get_kind_display"),
        ExportColumn(_("Division code"), "code"),
        ExportColumn(_("Belongs to"), "parent__name"),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("parent")


class PlaceDetailView(ScopedDetailView):
    model = Place
    permission_required = "places.view_place"
    template_name = "places/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["children"] = Place.objects.for_user(user).filter(parent=self.object)
        context["ancestors"] = Place.objects.for_user(user).filter(pk__in=self.object.ancestors())
        context["organizations"] = self.object.organizations.for_user(user)
        return context


@permission_required("places.add_place", raise_exception=True)
def place_create(request):
    form = PlaceForm(
        request.POST or None, user=request.user, initial={"parent": request.GET.get("parent")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            place = actions.create_place(request.user, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(place)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": _("Add a place"), "cancel_url": reverse("places:list")},
    )


@permission_required("places.change_place", raise_exception=True)
def place_edit(request, pk):
    place = get_for_user(Place, request.user, pk=pk)
    form = PlaceEditForm(request.POST or None, initial={"name": place.name, "code": place.code})
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_place(request.user, place, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(place)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": place.name}, "object": place},
    )


class PlaceImportView(ImportView):
    spec_class = PlaceImport
    permission_required = "places.import_place"
