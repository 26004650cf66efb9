from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.PlaceListView.as_view(), name="list"),
    path("add/", views.place_create, name="add"),
    path("import/", views.PlaceImportView.as_view(), name="import"),
    path("<int:pk>/", views.PlaceDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.place_edit, name="edit"),
]
