from django.urls import path

from . import views
from .import_views import OrganizationImportView

app_name = "organizations"
urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="list"),
    path("add/", views.organization_create, name="add"),
    path("import/", OrganizationImportView.as_view(), name="import"),
    path("tree/", views.organization_tree, name="tree"),
    path("picker/", views.organization_picker, name="picker"),
    path("checks/", views.organization_checks, name="checks"),
    path("elections/", views.ElectionListView.as_view(), name="elections"),
    path("<int:pk>/", views.OrganizationDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.organization_edit, name="edit"),
    path("<int:pk>/move/", views.organization_move, name="move"),
    path("<int:pk>/dissolve/", views.organization_dissolve, name="dissolve"),
    path("<int:pk>/elect/", views.committee_elect, name="elect"),
    path("terms/<int:pk>/", views.TermDetailView.as_view(), name="term"),
    path("terms/<int:pk>/add-member/", views.seat_add, name="seat-add"),
    path("terms/<int:pk>/end/", views.term_end, name="term-end"),
    path("seats/<int:pk>/remove/", views.seat_remove, name="seat-remove"),
]
