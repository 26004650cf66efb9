from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.EvaluationRoundListView.as_view(), name="list"),
    path("open/", views.round_open, name="open"),
    path("<int:pk>/", views.EvaluationRoundDetailView.as_view(), name="detail"),
    path("<int:pk>/advance/", views.round_advance, name="advance"),
    path("<int:pk>/refresh/", views.round_refresh, name="refresh"),
    path("<int:pk>/close/", views.round_close, name="close"),
    path("participants/<int:pk>/self-review/", views.self_review, name="self-review"),
    path("participants/<int:pk>/peer-review/", views.peer_review, name="peer-review"),
    path("participants/<int:pk>/tally/", views.tally, name="tally"),
    path("participants/<int:pk>/grade/", views.grade, name="grade"),
]
