from django.urls import path

from . import views

app_name = "dues"
urlpatterns = [
    path("", views.DuesListView.as_view(), name="list"),
    path("ledger/", views.LedgerView.as_view(), name="ledger"),
    path("arrears/check/", views.recompute_arrears, name="recompute-arrears"),
    path("member/<int:pk>/", views.member_dues, name="member"),
    path("member/<int:pk>/basis/", views.set_basis, name="basis"),
    path("member/<int:pk>/pay/", views.record_payment, name="pay"),
    path("member/<int:pk>/exempt/", views.approve_exemption, name="exempt"),
]
