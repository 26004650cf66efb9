from django.urls import path

from . import views, views_market, views_search

app_name = "library"
urlpatterns = [
    path("", views.DocumentListView.as_view(), name="list"),
    path("mine/", views.MyDocumentsView.as_view(), name="mine"),
    path("upload/", views.upload, name="upload"),
    path("categories/", views.categories, name="categories"),
    path("search/", views_search.search, name="search"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/page/<int:number>/<str:size>/", views.preview, name="preview"),
    path("<int:pk>/read/", views.record_reading, name="read"),
    path("<int:pk>/download/", views_market.download, name="download"),
    path("<int:pk>/report/", views_market.report, name="report"),
    path("moderation/", views_market.ModerationQueueView.as_view(), name="moderation"),
    path("moderation/document/<int:pk>/", views_market.review, name="review"),
    path("moderation/report/<int:pk>/", views_market.decide_report, name="decide-report"),
]
