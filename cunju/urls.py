"""URL map: one include per module."""

from django.http import HttpResponse
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from cunju.core import views as core_views


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


core_patterns = (
    [
        path("audit/", core_views.AuditLogView.as_view(), name="audit-list"),
        path(
            "reveal/<str:model>/<int:pk>/<str:field>/",
            core_views.RevealView.as_view(),
            name="reveal",
        ),
        path("jsi18n/", JavaScriptCatalog.as_view(), name="jsi18n"),
    ],
    "core",
)

urlpatterns = [
    path("", include("cunju.dashboard.urls")),
    path("accounts/", include("cunju.accounts.urls")),
    path("places/", include("cunju.places.urls")),
    path("organizations/", include("cunju.organizations.urls")),
    path("members/", include("cunju.members.urls")),
    path("development/", include("cunju.development.urls")),
    path("mobility/", include("cunju.mobility.urls")),
    path("dues/", include("cunju.dues.urls")),
    path("evaluation/", include("cunju.evaluation.urls")),
    path("library/", include("cunju.library.urls")),
    path("points/", include("cunju.points.urls")),
    path("notices/", include("cunju.notices.urls")),
    path("core/", include(core_patterns)),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", healthz, name="healthz"),
]
