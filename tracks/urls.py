from django.urls import path

from . import views

urlpatterns = [
    path("tracks/", views.track_list, name="track-list"),
    path("tracks/new/", views.track_create, name="track-create"),
    path("tracks/focus-areas/", views.focus_area_list, name="focus-area-list"),
    path("tracks/focus-areas/new/", views.focus_area_form, name="focus-area-create"),
    path("tracks/focus-areas/<int:pk>/edit/", views.focus_area_form, name="focus-area-edit"),
    path(
        "tracks/focus-areas/<int:pk>/put-to-pug/",
        views.focus_area_put_to_pug,
        name="focus-area-put-to-pug",
    ),
    path("tracks/<int:pk>/", views.track_detail, name="track-detail"),
    path("tracks/<int:pk>/edit/", views.track_edit, name="track-edit"),
    path("tracks/<int:pk>/proposal/", views.track_proposal, name="track-proposal"),
    path(
        "tracks/<int:pk>/external-funding/<int:funding>/status/",
        views.external_funding_status,
        name="external-funding-status",
    ),
    path(
        "tracks/<int:pk>/submit/", views.track_transition, {"action": "submit"}, name="track-submit"
    ),
    path(
        "tracks/<int:pk>/withdraw/",
        views.track_transition,
        {"action": "withdraw"},
        name="track-withdraw",
    ),
    path(
        "tracks/<int:pk>/qualify/",
        views.track_transition,
        {"action": "qualify"},
        name="track-start-qualification",
    ),
    path(
        "tracks/<int:pk>/recommend/",
        views.track_transition,
        {"action": "recommend"},
        name="track-recommend",
    ),
    path("tracks/<int:pk>/start/", views.track_transition, {"action": "start"}, name="track-start"),
    path(
        "tracks/<int:pk>/revise/", views.track_transition, {"action": "revise"}, name="track-revise"
    ),
    path("tracks/<int:pk>/close/", views.track_transition, {"action": "close"}, name="track-close"),
    path("tracks/<int:pk>/put-to-fu/", views.track_put_to_fu, name="track-put-to-fu"),
    path("tracks/<int:pk>/assessment/", views.assessment_write, name="assessment-write"),
    path("tracks/<int:pk>/evaluate/", views.track_evaluate, name="track-evaluate"),
    path("tracks/<int:pk>/principles/", views.principles_judge, name="track-principles"),
    path("tracks/<int:pk>/updates/new/", views.status_update_create, name="status-update-create"),
    path("tracks/<int:pk>/products/new/", views.product_create, name="product-create"),
    path("tracks/<int:pk>/allocations/new/", views.allocation_request, name="allocation-request"),
    path("tracks/products/<int:pk>/", views.product_download, name="product-download"),
    path("budget/", views.budget_overview, name="budget-overview"),
    path("budget/export.csv", views.budget_export, {"fmt": "csv"}, name="budget-export-csv"),
    path("budget/export.xlsx", views.budget_export, {"fmt": "xlsx"}, name="budget-export-xlsx"),
    path("budget/pools/<slug:key>/", views.pool_detail, name="pool-detail"),
    path("budget/approvals/", views.allocation_approvals, name="allocation-approvals"),
    path(
        "budget/allocations/<int:pk>/approve/",
        views.allocation_decide,
        {"action": "approve"},
        name="allocation-approve",
    ),
    path(
        "budget/allocations/<int:pk>/refuse/",
        views.allocation_decide,
        {"action": "refuse"},
        name="allocation-refuse",
    ),
    path("budget/spending/new/", views.spending_create, name="spending-create"),
    path("budget/ledger/", views.ledger, name="ledger"),
    path("budget/spending/<int:pk>/reverse/", views.spending_reverse, name="spending-reverse"),
    path("budget/hourly-rates/", views.hourly_rates, name="hourly-rates"),
    path("budget/dgos/<slug:slug>/", views.dgo_budget, name="dgo-budget"),
    path(
        "budget/dgos/<slug:slug>/contributions/new/",
        views.dgo_contribution_create,
        name="dgo-contribution-create",
    ),
    path(
        "budget/contributions/<int:pk>/lines/new/",
        views.dgo_budget_line_create,
        name="dgo-budget-line-create",
    ),
    path("budget/changes/new/", views.budget_change_create, name="budget-change-create"),
    path(
        "budget/changes/<int:pk>/approve/",
        views.budget_change_decide,
        {"action": "approve"},
        name="budget-change-approve",
    ),
    path(
        "budget/changes/<int:pk>/refuse/",
        views.budget_change_decide,
        {"action": "refuse"},
        name="budget-change-refuse",
    ),
]
