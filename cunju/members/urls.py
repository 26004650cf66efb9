from django.urls import path

from . import views
from .import_views import MemberImportView

app_name = "members"
urlpatterns = [
    path("", views.MemberListView.as_view(), name="list"),
    path("add/", views.member_create, name="add"),
    path("import/", MemberImportView.as_view(), name="import"),
    path("picker/", views.member_picker, name="picker"),
    path("<int:pk>/", views.MemberDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/status/", views.member_status, name="status"),
    path("<int:pk>/move/", views.member_move, name="move"),
    path("<int:pk>/posts/add/", views.post_add, name="add_post"),
    path("<int:pk>/commendations/add/", views.commendation_add, name="add_commendation"),
    path("<int:pk>/difficulties/add/", views.difficulty_add, name="add_difficulty"),
    path("<int:pk>/family/add/", views.family_add, name="add_family_member"),
    path("posts/<int:pk>/end/", views.post_end, name="end_post"),
    path("difficulties/<int:pk>/end/", views.difficulty_end, name="end_difficulty"),
    path("family/<int:pk>/remove/", views.family_remove, name="remove_family_member"),
]
