"""Place pages: list, tree as of a date, detail with history, add, edit, rename, merge,
split, import."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import F, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cunju.core.forms import apply_errors
from cunju.core.scoping import get_for_user
from cunju.core.spreadsheets import ExportColumn
from cunju.core.views import ImportView, ScopedDetailView, ScopedListView

from . import actions, divisions, picker
from .filtersets import PlaceFilterSet
from .forms import MergeForm, PlaceEditForm, PlaceForm, RenameForm, SplitForm
from .history import tree_on
from .imports import PlaceImport
from .models import Place, PlaceEvent
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
        place = self.object
        context["events"] = (
            PlaceEvent.objects.for_user(user)
            .filter(Q(place=place) | Q(places=place))
            .distinct()
            .order_by("-effective_on", "-id")
        )
        visible = set(Place.objects.for_user(user).values_list("pk", flat=True))
        versions = list(
            place.versions.select_related("parent").order_by(
                F("valid_from").desc(nulls_last=True), "-id"
            )
        )
        for version in versions:
            # A former parent outside the viewer's scope is not named.
            version.shown_parent = version.parent if version.parent_id in visible else None
        context["versions"] = versions
        context["can_split"] = place.kind == Place.Kind.COMMUNITY
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
            warn_about_code(request, place)
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
            warn_about_code(request, place)
            return redirect(place)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": place.name}, "object": place},
    )


def warn_about_code(request, place: Place) -> None:
    """An unknown code was accepted: say so once, on the next page."""
    warning = divisions.check_code(place.code, place.kind)
    if warning:
        messages.warning(request, warning)


def requested_date(request) -> tuple[dt.date, str]:
    """The ``?on=`` date (today when absent) and an error text when it cannot be read."""
    raw = request.GET.get("on", "").strip()
    today = timezone.localdate()
    if not raw:
        return today, ""
    try:
        return dt.date.fromisoformat(raw), ""
    except ValueError:
        return today, _("“%(value)s” is not a date like 2018-01-01: showing today.") % {
            "value": raw
        }


@permission_required("places.view_place", raise_exception=True)
def place_tree(request):
    on, error = requested_date(request)
    rows = tree_on(Place.objects.for_user(request.user), on)
    return render(
        request,
        "places/tree.html",
        {
            "title": _("Place tree"),
            "rows": rows,
            "on": on,
            "error": error,
            "is_today": on == timezone.localdate(),
        },
    )


def _form_page(request, form, title, cancel_url, obj=None):
    context = {"form": form, "title": title, "cancel_url": cancel_url}
    if obj is not None:
        context["object"] = obj
    return render(request, "core/form.html", context)


@permission_required("places.change_place", raise_exception=True)
def place_merge(request):
    values = request.POST if request.method == "POST" else request.GET
    town = MergeForm.town_of(request.user, values.get("town"), values.get("town_query"))
    data = request.POST or None
    if data is not None and "effective_on" not in data:
        data = None  # the first step of a wide scope posted the town alone: now its places
    initial = {"community": request.GET.get("community")}
    form = MergeForm(data, user=request.user, town=town, initial=initial)
    if data is not None and form.is_valid():
        try:
            community = actions.merge_into_community(request.user, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(community)
    return _form_page(request, form, _("Merge villages into a community"), reverse("places:tree"))


@permission_required("places.change_place", raise_exception=True)
def place_split(request, pk):
    community = get_for_user(Place, request.user, pk=pk, kind=Place.Kind.COMMUNITY)
    form = SplitForm(request.POST or None, community=community, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            target = actions.split_community(request.user, community=community, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(target)
    return _form_page(
        request,
        form,
        _("Split places off %(name)s") % {"name": community.name},
        community.get_absolute_url(),
        community,
    )


@permission_required("places.change_place", raise_exception=True)
def place_rename(request, pk):
    place = get_for_user(Place, request.user, pk=pk)
    form = RenameForm(request.POST or None, initial={"name": place.name})
    if request.method == "POST" and form.is_valid():
        try:
            actions.rename_place(request.user, place, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(place)
    return _form_page(
        request,
        form,
        _("Rename %(name)s") % {"name": place.name},
        place.get_absolute_url(),
        place,
    )


class PlaceImportView(ImportView):
    spec_class = PlaceImport
    permission_required = "places.import_place"
    template_name = "places/import.html"


@require_GET
@permission_required("places.view_place", raise_exception=True)
def place_picker(request):
    """The places in the user's scope whose name or pinyin matches ``q`` (at most 20), as
    JSON for the picker; ``kind`` only narrows them."""
    offer = picker.PlaceOffer.from_query(request.user, request.GET)
    return picker.answer(offer, request.GET.get("q") or "")
