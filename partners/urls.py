from django.urls import path

from . import mfa_views, oidc_views, people_views, privacy_views, views

urlpatterns = [
    path("municipalities/", views.municipality_list, name="municipality-list"),
    path("municipalities/<str:code>/", views.municipality_detail, name="municipality-detail"),
    path("municipalities/<str:code>/edit/", views.municipality_edit, name="municipality-edit"),
    path(
        "municipalities/<str:code>/people/",
        people_views.municipality_people,
        name="municipality-people",
    ),
    path("dgo/", views.dgo_list, name="dgo-list"),
    path("dgo/<slug:slug>/people/", people_views.dgo_people, name="dgo-people"),
    path("dgo/<slug:slug>/", views.dgo_detail, name="dgo-detail"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/tokens/", views.api_token_create, name="api-token-create"),
    path(
        "accounts/profile/tokens/<int:pk>/revoke/",
        views.api_token_revoke,
        name="api-token-revoke",
    ),
    path("accounts/profile/directory/", people_views.profile_visibility, name="profile-visibility"),
    path("directory/", people_views.directory, name="directory"),
    path("people/", people_views.people_list, name="people-list"),
    path("people/invite/", people_views.person_invite, name="person-invite"),
    path("people/import/", people_views.people_import, name="people-import"),
    path(
        "people/import/confirm/", people_views.people_import_confirm, name="people-import-confirm"
    ),
    path(
        "people/import/template/",
        people_views.people_import_template,
        name="people-import-template",
    ),
    path("people/<int:pk>/", people_views.person_detail, name="person-detail"),
    path("people/<int:pk>/deactivate/", people_views.person_deactivate, name="person-deactivate"),
    path("people/<int:pk>/reactivate/", people_views.person_reactivate, name="person-reactivate"),
    path("people/<int:pk>/reinvite/", people_views.person_reinvite, name="person-reinvite"),
    path("people/<int:pk>/mfa-reset/", people_views.person_mfa_reset, name="person-mfa-reset"),
    path("people/roles/<int:pk>/revoke/", people_views.role_revoke, name="role-revoke"),
    path("invitations/<str:token>/", people_views.invitation_accept, name="invitation-accept"),
    path(
        "people/<int:pk>/personal-data/",
        privacy_views.personal_data_export,
        name="person-personal-data",
    ),
    path("people/<int:pk>/anonymise/", privacy_views.person_anonymise, name="person-anonymise"),
    path("accounts/oidc/callback/", oidc_views.provider_callback, name="oidc-callback"),
    path("accounts/oidc/<slug:provider>/", oidc_views.provider_sign_in, name="oidc-sign-in"),
    path("accounts/mfa/setup/", mfa_views.mfa_setup, name="mfa-setup"),
    path("accounts/mfa/verify/", mfa_views.mfa_verify, name="mfa-verify"),
    path("accounts/mfa/recovery-codes/", mfa_views.mfa_recovery_codes, name="mfa-recovery-codes"),
    path("accounts/mfa/passkeys/", mfa_views.mfa_passkeys, name="mfa-passkeys"),
    path(
        "accounts/mfa/passkeys/<int:pk>/remove/",
        mfa_views.mfa_passkey_remove,
        name="mfa-passkey-remove",
    ),
    path(
        "accounts/mfa/passkeys/register/begin/",
        mfa_views.PasskeyRegisterBegin.as_view(),
        name="mfa-passkey-register-begin",
    ),
    path(
        "accounts/mfa/passkeys/register/complete/",
        mfa_views.PasskeyRegisterComplete.as_view(),
        name="mfa-passkey-register-complete",
    ),
    path(
        "accounts/mfa/passkeys/sign-in/begin/",
        mfa_views.PasskeyAuthBegin.as_view(),
        name="mfa-passkey-auth-begin",
    ),
    path(
        "accounts/mfa/passkeys/sign-in/complete/",
        mfa_views.PasskeyAuthComplete.as_view(),
        name="mfa-passkey-auth-complete",
    ),
]
