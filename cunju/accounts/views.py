"""Sign-in, sign-out, password change, and the user list."""

import django_filters
import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from cunju.core.forms import apply_errors
from cunju.core.pinyin import name_search_q
from cunju.core.scoping import get_for_user
from cunju.core.spreadsheets import ExportColumn
from cunju.core.views import ScopedDetailView, ScopedListView

from . import actions
from .forms import LoginForm, PasswordChangeForm, UserForm
from .models import User
from .roles import Role


def login_view(request):
    if request.user.is_authenticated:
        return redirect("dashboard:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.log_in(
                request, form.cleaned_data["username"], form.cleaned_data["password"]
            )
        except actions.LoginRefused as refused:
            form.add_error(None, str(refused))
        else:
            login(request, user)
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(
                target, {request.get_host()}, request.is_secure()
            ):
                target = ""
            return redirect(target or "dashboard:home")
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_password(
                request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("dashboard:home")
    return render(request, "core/form.html", {"form": form, "title": _("Change password")})


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=pgettext_lazy("person", "Name or pinyin"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"))

    class Meta:
        model = User
        fields = ["q", "role"]

    def search(self, queryset, name, value):
        return queryset.filter(
            name_search_q(value, field="full_name") | name_search_q(value, field="username")
        )


class UserTable(tables.Table):
    full_name = tables.Column(linkify=True, verbose_name=_("Full name"), order_by=("name_pinyin",))
    phone = tables.Column(verbose_name=_("Mobile phone"), orderable=False)

    class Meta:
        model = User
        fields = ["full_name", "username", "role", "scope", "phone", "last_login"]
        attrs = {"class": "table"}


class UserListView(ScopedListView):
    model = User
    filterset_class = UserFilterSet
    table_class = UserTable
    permission_required = "accounts.view_user"
    title = _("Users")
    export_name = "users"
    actions_template = "accounts/list_actions.html"
    export_columns = [
        ExportColumn(_("Full name"), "full_name"),
        ExportColumn(_("User name"), "username"),
        ExportColumn(_("Role"), "get_role_display"),
        ExportColumn(_("Scope"), "scope__name", 30),
        ExportColumn(_("Mobile phone"), "phone"),
        ExportColumn(_("Last login"), "last_login"),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("scope")


class UserDetailView(ScopedDetailView):
    model = User
    permission_required = "accounts.view_user"
    template_name = "accounts/detail.html"
    context_object_name = "person"


@permission_required("accounts.add_user", raise_exception=True)
def user_create(request):
    form = UserForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.create_user(request.user, **form.cleaned_data)
        except Exception as exc:
            if not apply_errors(form, exc):
                raise
        else:
            return redirect(created)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": _("Add a user"), "cancel_url": reverse("accounts:list")},
    )


@require_POST
@permission_required("accounts.change_user", raise_exception=True)
def user_unlock(request, pk):
    person = get_for_user(User, request.user, pk=pk)
    actions.unlock_user(request.user, person)
    messages.success(request, _("The account is unlocked."))
    return redirect(person)
