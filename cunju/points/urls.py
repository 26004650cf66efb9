from django.urls import path

from . import views

app_name = "points"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("user/<int:pk>/", views.user_ledger, name="user"),
    path("user/<int:pk>/grant/", views.grant, name="grant"),
]
