from django.urls import path

from . import views

urlpatterns = [
    path("evalueringer/", views.evaluation_list, name="evaluation-list"),
    path("evalueringer/ny/", views.evaluation_create, name="evaluation-create"),
    path("evalueringer/<int:pk>/", views.evaluation_detail, name="evaluation-detail"),
    path("evalueringer/<int:pk>/rediger/", views.evaluation_edit, name="evaluation-edit"),
    path("evalueringer/<int:pk>/til-aps/", views.evaluation_to_aps, name="evaluation-to-aps"),
    path("evalueringer/<int:pk>/til-fu/", views.evaluation_to_fu, name="evaluation-to-fu"),
    path("evalueringer/<int:pk>/rapport/", views.evaluation_report, name="evaluation-report"),
    path(
        "evalueringer/<int:pk>/rapport/fil/",
        views.evaluation_report_download,
        name="evaluation-report-download",
    ),
    path("evalueringer/<int:pk>/opfoelgning/", views.action_add, name="evaluation-action-add"),
    path(
        "evalueringer/<int:pk>/opfoelgning/<int:action_pk>/status/",
        views.action_status,
        name="evaluation-action-status",
    ),
]
