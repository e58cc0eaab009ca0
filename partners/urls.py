from django.urls import path

from . import mfa_views, privacy_views, views

urlpatterns = [
    path("municipalities/", views.municipality_list, name="municipality-list"),
    path("municipalities/<str:code>/", views.municipality_detail, name="municipality-detail"),
    path("municipalities/<str:code>/edit/", views.municipality_edit, name="municipality-edit"),
    path("dgo/", views.dgo_list, name="dgo-list"),
    path("dgo/<slug:slug>/", views.dgo_detail, name="dgo-detail"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("accounts/profile/", views.profile, name="profile"),
    path(
        "people/<int:pk>/personal-data/",
        privacy_views.personal_data_export,
        name="person-personal-data",
    ),
    path("people/<int:pk>/anonymise/", privacy_views.person_anonymise, name="person-anonymise"),
    path("accounts/mfa/setup/", mfa_views.mfa_setup, name="mfa-setup"),
    path("accounts/mfa/verify/", mfa_views.mfa_verify, name="mfa-verify"),
    path("accounts/mfa/recovery-codes/", mfa_views.mfa_recovery_codes, name="mfa-recovery-codes"),
]
