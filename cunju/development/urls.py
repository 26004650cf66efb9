from django.urls import path

from . import views

app_name = "development"
urlpatterns = [
    path("", views.ApplicantListView.as_view(), name="list"),
    path("todo/", views.todo, name="todo"),
    path("add/", views.applicant_create, name="add"),
    path("<int:pk>/", views.ApplicantDetailView.as_view(), name="detail"),
    path("<int:pk>/approve/", views.applicant_approve, name="approve"),
    path("<int:pk>/refuse/", views.applicant_refuse, name="refuse"),
    path("<int:pk>/<slug:step>/", views.applicant_step, name="step"),
]
