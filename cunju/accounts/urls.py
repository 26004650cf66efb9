from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password"),
    path("users/", views.UserListView.as_view(), name="list"),
    path("users/add/", views.user_create, name="add"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="detail"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="unlock"),
]
