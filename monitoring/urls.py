from django.urls import path

from monitoring.views import accounts as accounts_views
from monitoring.views import editorial as editorial_views
from monitoring.views import indicators as indicator_views
from monitoring.views import rounds as views
from monitoring.views import status_report as report_views

urlpatterns = [
    path("monitoring/", views.round_list, name="monitoring-round-list"),
    path("monitoring/new/", views.round_create, name="monitoring-round-create"),
    path("monitoring/national/", views.national, name="monitoring-national"),
    path("monitoring/dgo/<slug:slug>/", views.dgo_aggregates, name="monitoring-dgo"),
    path(
        "monitoring/dgo/<slug:slug>/status-pack/",
        report_views.dgo_status_pack,
        name="monitoring-dgo-status-pack",
    ),
    path(
        "monitoring/municipalities/<str:code>/emissions/",
        views.municipality_emissions,
        name="monitoring-municipality-emissions",
    ),
    path(
        "monitoring/municipalities/<str:code>/factsheet/",
        report_views.municipality_factsheet,
        name="monitoring-municipality-factsheet",
    ),
    path(
        "monitoring/indicators/", indicator_views.indicator_list, name="monitoring-indicator-list"
    ),
    path(
        "monitoring/indicators/new/",
        indicator_views.indicator_create,
        name="monitoring-indicator-create",
    ),
    path(
        "monitoring/indicators/<slug:key>/",
        indicator_views.indicator_detail,
        name="monitoring-indicator-detail",
    ),
    path(
        "monitoring/indicators/<slug:key>/edit/",
        indicator_views.indicator_edit,
        name="monitoring-indicator-edit",
    ),
    path(
        "monitoring/<int:year>/indicators/import/",
        indicator_views.indicator_import,
        name="monitoring-indicator-import",
    ),
    path(
        "monitoring/<int:year>/indicators/template/",
        indicator_views.indicator_template,
        name="monitoring-indicator-template",
    ),
    path(
        "monitoring/<int:year>/indicators/import/confirm/",
        indicator_views.indicator_import_confirm,
        name="monitoring-indicator-import-confirm",
    ),
    path(
        "monitoring/municipalities/<str:code>/peers/",
        indicator_views.municipality_peers,
        name="monitoring-municipality-peers",
    ),
    path("monitoring/due/", indicator_views.due_page, name="monitoring-due"),
    path("monitoring/digest/", indicator_views.digest_preference, name="monitoring-digest"),
    path(
        "monitoring/report/<int:pk>/status/",
        report_views.status_report_status,
        name="monitoring-status-report-status",
    ),
    path(
        "monitoring/report/<int:pk>/download/",
        report_views.status_report_download,
        name="monitoring-status-report-download",
    ),
    path("monitoring/<int:year>/", views.round_detail, name="monitoring-round-detail"),
    path("monitoring/<int:year>/close/", views.round_close, name="monitoring-round-close"),
    path("monitoring/<int:year>/reopen/", views.round_reopen, name="monitoring-round-reopen"),
    path(
        "monitoring/<int:year>/reminders/",
        views.round_reminders,
        name="monitoring-round-reminders",
    ),
    path(
        "monitoring/<int:year>/report/",
        report_views.status_report,
        name="monitoring-status-report",
    ),
    path(
        "monitoring/<int:year>/report/text/",
        editorial_views.edition,
        name="monitoring-edition",
    ),
    path(
        "monitoring/<int:year>/report/text/publish/",
        editorial_views.edition_publish,
        name="monitoring-edition-publish",
    ),
    path(
        "monitoring/<int:year>/report/text/preview/",
        editorial_views.edition_preview,
        name="monitoring-edition-preview",
    ),
    path("monitoring/<int:year>/export/", views.round_export, name="monitoring-round-export"),
    path("monitoring/<int:year>/template/", views.round_template, name="monitoring-round-template"),
    path(
        "monitoring/national-accounts/import/",
        accounts_views.accounts_import,
        name="monitoring-accounts-import",
    ),
    path(
        "monitoring/national-accounts/import/confirm/",
        accounts_views.accounts_import_confirm,
        name="monitoring-accounts-import-confirm",
    ),
    path("monitoring/<int:year>/import/", views.round_import, name="monitoring-round-import"),
    path(
        "monitoring/<int:year>/import/confirm/",
        views.round_import_confirm,
        name="monitoring-round-import-confirm",
    ),
    path(
        "monitoring/<int:year>/<str:code>/",
        views.report_detail,
        name="monitoring-report-detail",
    ),
    path(
        "monitoring/<int:year>/<str:code>/edit/",
        views.report_edit,
        name="monitoring-report-edit",
    ),
    path(
        "monitoring/<int:year>/<str:code>/submit/",
        views.report_submit,
        name="monitoring-report-submit",
    ),
    path(
        "monitoring/<int:year>/<str:code>/withdraw/",
        views.report_withdraw,
        name="monitoring-report-withdraw",
    ),
    path(
        "monitoring/<int:year>/<str:code>/approve/",
        views.report_approve,
        name="monitoring-report-approve",
    ),
    path(
        "monitoring/<int:year>/<str:code>/request-changes/",
        views.report_request_changes,
        name="monitoring-report-request-changes",
    ),
]
