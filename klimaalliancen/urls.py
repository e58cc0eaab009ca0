from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.portal_apps import portal_modules
from partners import oidc_views
from partners.forms_auth import PortalPasswordResetForm
from portal import audit, bench_views, notification_views, operations, views

admin.site.site_header = "Klimaalliancen"
admin.site.site_title = "Klimaalliancen"

api_patterns = [
    path("", include("partners.api")),
    path("", include("governance.api")),
    path("", include("monitoring.api")),
    path("", include("monitoring.api_drafts")),
    path("", include("tracks.api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

# Apps found by discovery rather than listed here (README: Architecture).
PLUGGED_APPS = {"planning", "evaluations", "data_requests", "events", "library"}

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PortalPasswordResetForm),
        name="password_reset",
    ),
    # Sign-out also ends the session at the identity provider the person signed in with.
    path("accounts/logout/", oidc_views.logout, name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("health/", views.health, name="health"),
    path("health/live/", operations.live, name="health-live"),
    path("health/ready/", operations.ready, name="health-ready"),
    path("metrics/", operations.metrics, name="metrics"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("audit/", audit.audit_log, name="audit-log"),
    path("search/", views.search, name="search"),
    path("aaben/", include("portal.public_urls")),
    path("notifications/", notification_views.notification_list, name="notification-list"),
    path("notifications/read/", notification_views.notification_read, name="notification-read"),
    path(
        "notifications/preferences/",
        notification_views.notification_preferences,
        name="notification-preferences",
    ),
    path("", include("partners.urls")),
    path("", include("governance.urls")),
    path("", include("monitoring.urls")),
    path("", include("tracks.urls")),
    # The apps above monitoring bring their pages through plugin discovery: each `<app>.urls`.
    *(path("", include(module)) for app, module in portal_modules("urls") if app in PLUGGED_APPS),
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
]

handler403 = "portal.views.error_403"
handler404 = "portal.views.error_404"
handler500 = "portal.views.error_500"

# The load benchmark's floor (bench/load.py): routed only when the benchmark asks for it, so a
# deployment never has it.
if settings.BENCHMARK_FLOOR:
    urlpatterns.append(path("_floor/", bench_views.floor, name="bench-floor"))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
