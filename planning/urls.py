from django.urls import path

from . import views

urlpatterns = [
    path("planer/", views.plan_list, name="plan-list"),
    path("planer/ny/", views.plan_create, name="plan-create"),
    path("planer/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("planer/<int:pk>/rediger/", views.plan_edit, name="plan-edit"),
    path("planer/<int:pk>/kommentar/", views.plan_comment, name="plan-comment"),
    path("planer/<int:pk>/til-fu/", views.plan_put_to_fu, name="plan-put-to-fu"),
    path("planer/<int:pk>/status/", views.plan_status, name="plan-status"),
    path("planer/<int:pk>/status/dagsorden/", views.plan_status_agenda, name="plan-status-agenda"),
    path("planer/<int:pk>/aktiviteter/ny/", views.activity_add, name="activity-add"),
    path("planer/aktiviteter/<int:pk>/rediger/", views.activity_edit, name="activity-edit"),
    path("planer/aktiviteter/<int:pk>/status/", views.activity_status, name="activity-status"),
    path("planer/<int:pk>/kommunikation/ny/", views.communication_add, name="communication-add"),
    path("risici/", views.risk_list, name="risk-list"),
    path("risici/ny/", views.risk_create, name="risk-create"),
    path("risici/dagsorden/", views.risk_agenda, name="risk-agenda"),
    path("risici/<int:pk>/", views.risk_detail, name="risk-detail"),
    path("risici/<int:pk>/rediger/", views.risk_edit, name="risk-edit"),
    path("risici/<int:pk>/gennemgang/", views.risk_review, name="risk-review"),
]
