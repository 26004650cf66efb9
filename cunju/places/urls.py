from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.PlaceListView.as_view(), name="list"),
    path("add/", views.place_create, name="add"),
    path("tree/", views.place_tree, name="tree"),
    path("picker/", views.place_picker, name="picker"),
    path("merge/", views.place_merge, name="merge"),
    path("import/", views.PlaceImportView.as_view(), name="import"),
    path("<int:pk>/", views.PlaceDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.place_edit, name="edit"),
    path("<int:pk>/rename/", views.place_rename, name="rename"),
    path("<int:pk>/split/", views.place_split, name="split"),
]
