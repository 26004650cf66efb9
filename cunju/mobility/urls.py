from django.urls import path

from . import views

app_name = "mobility"
urlpatterns = [
    path("", views.MobileRecordListView.as_view(), name="list"),
    path("outflow/add/", views.outflow_create, name="outflow-add"),
    path("inflow/add/", views.inflow_create, name="inflow-add"),
    path("<int:pk>/", views.MobileRecordDetailView.as_view(), name="detail"),
    path("<int:pk>/report/", views.report_create, name="report"),
    path("<int:pk>/card/", views.card_create, name="card"),
    path("<int:pk>/end/", views.record_end, name="end"),
    path("members/<int:pk>/transfer/", views.transfer_create, name="transfer-issue"),
    path("receivers/", views.receiver_search, name="receivers"),
    path("transfers/inbox/", views.TransferInboxView.as_view(), name="inbox"),
    path("transfers/<int:pk>/", views.TransferDetailView.as_view(), name="transfer-detail"),
    path("transfers/<int:pk>/accept/", views.transfer_accept, name="transfer-accept"),
    path("transfers/<int:pk>/reject/", views.transfer_reject, name="transfer-reject"),
    path("transfers/<int:pk>/receipt/", views.transfer_receipt, name="transfer-receipt"),
    path("transfers/<int:pk>/reissue/", views.transfer_reissue, name="transfer-reissue"),
]
