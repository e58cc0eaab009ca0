"""Settings shared by every environment. Everything that differs between machines comes from
the environment (see README, "Configuration"); the deltas live in development/test/production."""

import datetime
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_json, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
# /_floor/, the load benchmark's bare page, is routed only when this is on (bench/ sets it).
BENCHMARK_FLOOR = env_bool("BENCHMARK_FLOOR", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "import_export",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "csp",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "django_prometheus",
    "storages",
    "core",
]
# The portal's own apps, in dependency order; commands that load reference and demo data
# visit them in this order.
PORTAL_APPS = [
    "partners",
    "governance",
    "tracks",
    "monitoring",
    "planning",
    "evaluations",
    "data_requests",
    "events",
    "library",
]
INSTALLED_APPS += PORTAL_APPS
# Pages that read several apps; above them all (README: Architecture).
INSTALLED_APPS += ["portal"]

MIDDLEWARE = [
    # Outermost, so the request counts and latencies include every other middleware.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Probes and the metrics scraper, which address the pod by IP (portal.operations).
    "portal.operations.PlatformEndpointsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before everything that changes the body; compresses only public responses (BREACH).
    "portal.middleware.PublicGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.SessionRefreshMiddleware",
    "portal.middleware.HtmxSignInMiddleware",
    "portal.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A NUL in an API form is refused in the request's language before anything reads the form.
    "core.middleware.RefuseNulInApiForms",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.DeniedRequestLogMiddleware",
    "partners.mfa.LazyOTPMiddleware",  # django-otp's, reading the device only when asked
    "portal.middleware.PortalLoginRequiredMiddleware",
    "partners.mfa.MFARequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.idempotency.SubmissionKeyMiddleware",  # after CSRF, sign-in and the second factor
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.PrivateCacheMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",  # last of the portal's, as django-axes requires
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "klimaalliancen.urls"
WSGI_APPLICATION = "klimaalliancen.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "portal.context_processors.portal",
            ],
            # {% csrf_token %} also writes a one-time submission key (core.idempotency).
            "builtins": ["core.templatetags.submission"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# With no DATABASE_URL the portal runs on an embedded SQLite file (the `make run` default).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's SQLite under two quick clicks: readers do not block the writer (WAL), a second
    # writer waits for the first (busy timeout) instead of failing with "database is locked", and
    # a transaction takes the write lock when it starts, so it cannot fail half-way on upgrading.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Without Redis (the embedded default) tasks run in-process, synchronously.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task whose worker dies is delivered again; tasks are therefore written to be idempotent.
# Results only where a page reads them (progress of long jobs sets ignore_result=False).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60  # well under the broker's visibility timeout below
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 60 * 60,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# Fail fast when the broker is down, so a request can answer with a clear message.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TIMEZONE = "Europe/Copenhagen"
CELERY_BEAT_SCHEDULE = {
    "deliver-pending-emails": {
        "task": "klimaalliancen.tasks.deliver_pending_emails",
        "schedule": 5 * 60,
    },
    "delete-unconfirmed-imports": {
        "task": "core.tasks.delete_unconfirmed_imports",
        "schedule": 60 * 60,
    },
    # Rendered parts of the status report no recent document uses (monitoring.status_report).
    "prune-status-report-parts": {
        "task": "monitoring.tasks.prune_status_report_parts",
        "schedule": crontab(minute=40, hour=3),
    },
    "anonymise-expired-accounts": {
        "task": "partners.tasks.anonymise_expired_accounts",
        "schedule": 24 * 60 * 60,
    },
    # Reminders (core.reminders): hourly, each sent once per item and threshold.
    "reminders": {
        "task": "core.tasks.send_reminders",
        "schedule": crontab(minute=15),
    },
    # Digests of the messages people chose to collect (core.notifications.send_digests).
    "daily-digest": {
        "task": "core.tasks.send_digests",
        "schedule": crontab(minute=0, hour=6),
        "args": ("daily",),
    },
    "weekly-digest": {
        "task": "core.tasks.send_digests",
        "schedule": crontab(minute=30, hour=6, day_of_week="mon"),
        "args": ("weekly",),
    },
    # The weekly "what is due" digest (monitoring.insight.digest), Monday morning Copenhagen time.
    "monitoring-due-digest": {
        "task": "monitoring.tasks.send_due_digest",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
}

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "partners.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out attempts
    "partners.auth.EmailOrUsernameBackend",
    "partners.oidc.PortalOIDCBackend",  # inert unless OIDC_PROVIDERS is set (partners/oidc.py)
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Sessions in PostgreSQL, read through the Redis cache when there is one (core/sessions.py):
# the read every signed-in request makes is then no query.
if REDIS_URL:
    SESSION_ENGINE = "core.sessions"
# Sessions end after this many seconds without a request (an idle timeout).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT", 8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"  # our 403 page

# Brute force (django-axes): after 5 failed sign-ins for one username from one IP address, that
# pair waits 15 minutes. Locking the pair, not the username alone, means an attacker elsewhere
# cannot lock a colleague out of their own account.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# One count per account: "REALDANIA", "realdania" and the e-mail address are the same one.
AXES_USERNAME_CALLABLE = "partners.auth.axes_username"
AXES_SENSITIVE_PARAMETERS = ["password", "token", "otp_token", "code", "state", "nonce"]
AXES_VERBOSE = False

# Two-factor authentication (django-otp, TOTP with recovery codes) is required for the
# secretariat and administrators. Only the development settings exempt the demo users.
MFA_EXEMPT_DEMO_USERS = False
# Changing one's second factor, granting roles: the factor checked within this many seconds.
MFA_REAUTH_SECONDS = env_int("MFA_REAUTH_SECONDS", 15 * 60)
OTP_TOTP_ISSUER = "Klimaalliancen"
# Passkeys (WebAuthn, django-otp-webauthn) as a second factor only: signing in always starts
# with the password. The relying party is the host the portal answers on (a passkey made on
# portal.example.dk works there only); partners.mfa.PortalWebAuthnHelper accepts the request's
# own origin besides these (the host is one of ALLOWED_HOSTS). An IP address cannot be a
# relying party: open the demo at http://localhost:8000 to try passkeys.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "Klimaalliancen"
OTP_WEBAUTHN_RP_ID_CALLABLE = "partners.mfa.webauthn_rp_id"
OTP_WEBAUTHN_HELPER_CLASS = "partners.mfa.PortalWebAuthnHelper"

# Sign-in with the partners' identity providers (OpenID Connect, partners/oidc.py): a JSON list
# of providers, none by default (the feature is off). See README "Configuration".
OIDC_PROVIDERS = env_json("OIDC_PROVIDERS", [])
OIDC_ALLOW_HTTP_LOOPBACK = False  # plain HTTP to 127.0.0.1 only where a test allows it
OIDC_CREATE_USER = False  # never an account from a token
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_VERIFY_SSL = True
OIDC_ALLOW_UNSECURED_JWT = False
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc-callback"

# django-guardian: no anonymous object permissions; direct foreign-key permission models.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = True

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Dansk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
# Our own English formats (klimaalliancen/formats/en): unambiguous dates, not Django's American
# "06/02/2022". Danish uses Django's own `da` formats.
FORMAT_MODULE_PATH = ["klimaalliancen.formats"]

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Files that need a permission check (meeting papers) live outside MEDIA_ROOT and are only
# served by views that check who asks; they never get a public URL.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media")))
# Object storage (S3-compatible: AWS, MinIO, Ceph, ...) when S3_BUCKET is set, so any number of
# web processes share the files; the local disk otherwise (`make run`). Private files get their
# own prefix (or bucket), no public ACL, and reach users only through the permission-checked
# views, which stream them; the short-lived signed URLs are for operators' tools only.
S3_BUCKET = env_str("S3_BUCKET")
S3_PRIVATE_BUCKET = env_str("S3_PRIVATE_BUCKET", S3_BUCKET)
S3_OPTIONS = {
    "endpoint_url": env_str("S3_ENDPOINT_URL"),
    "region_name": env_str("S3_REGION", "eu-north-1"),
    "access_key": env_str("S3_ACCESS_KEY_ID"),
    "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
    "addressing_style": env_str("S3_ADDRESSING_STYLE", "path"),
    "signature_version": "s3v4",
    "default_acl": None,  # the bucket's own policy (private); never "public-read"
    "querystring_auth": True,
    "querystring_expire": env_int("S3_URL_EXPIRE_SECONDS", 60),
    "file_overwrite": False,
}


def s3_storages(bucket: str, private_bucket: str, **overrides) -> dict:
    from botocore.config import Config

    # Fail within seconds when the storage is unreachable (a readiness probe, a page), rather
    # than after botocore's default minute of retries.
    options = {
        **S3_OPTIONS,
        "client_config": Config(
            connect_timeout=3, read_timeout=20, retries={"max_attempts": 2, "mode": "standard"}
        ),
        **overrides,
    }
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "bucket_name": bucket, "location": "media"},
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "bucket_name": private_bucket, "location": "private"},
        },
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": "/no-public-url/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if S3_BUCKET:
    STORAGES.update(s3_storages(S3_BUCKET, S3_PRIVATE_BUCKET))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Monitoring imports (monitoring/spreadsheet.py): rows and bytes of one round file. The
# defaults fit the 98 Danish municipalities; a larger partnership raises them.
MONITORING_IMPORT_MAX_ROWS = env_int("MONITORING_IMPORT_MAX_ROWS", 500)
MONITORING_IMPORT_MAX_BYTES = env_int("MONITORING_IMPORT_MAX_BYTES", 5 * 1024 * 1024)

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Klimaalliancen <noreply@klimaalliancen.dk>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The portal's public address, for links in e-mails and calendar feeds (no request to ask).
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Passkeys are made for these origins (see OTP_WEBAUTHN_RP_ID_CALLABLE above).
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "WEBAUTHN_ALLOWED_ORIGINS",
    [PORTAL_BASE_URL if PORTAL_BASE_URL.startswith("https://") else "http://localhost:8000"],
)

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}


def oidc_origins(providers: list) -> list[str]:
    """The origins of the identity providers' issuers and sign-out endpoints."""
    from urllib.parse import urlparse

    origins = []
    for provider in providers:
        for url in (provider.get("issuer"), provider.get("end_session_endpoint")):
            parsed = urlparse(url or "")
            if parsed.scheme and parsed.netloc:
                origins.append(f"{parsed.scheme}://{parsed.netloc}")
    return sorted(set(origins))


# Sign-out continues at the identity provider (RP-initiated logout), and browsers apply a
# form's form-action to where its answer redirects: the sign-out form may lead there.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += oidc_origins(OIDC_PROVIDERS)

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens first, so an anonymous request is told 401 with a WWW-Authenticate header.
        # Personal API tokens (`Bearer`, made on the profile page; partners.api_auth).
        "partners.api_auth.PersonalTokenAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "partners.api_auth.TokenScope",  # a read-only personal token reads only
    ],
    # Per personal token (its rate: API_TOKEN_THROTTLE_RATE below).
    "DEFAULT_THROTTLE_CLASSES": ["partners.api_auth.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "core.api.PortalPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.portal_exception_handler",
    # JSON that is malformed, too deep or too large answers 400 with a reason, never a 500.
    "DEFAULT_PARSER_CLASSES": [
        "core.api.PortalJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # The open data (anonymous, /api/open/…): per IP address; the files under /aaben/data/
    # serve bulk downloads. Signed-in users are not throttled.
    "DEFAULT_THROTTLE_RATES": {"open_data": env_str("API_OPEN_DATA_RATE", "120/minute")},
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
# Requests per personal API token, e.g. "120/minute" (DRF's rate syntax: N/second|minute|hour|day).
API_TOKEN_THROTTLE_RATE = env_str("API_TOKEN_THROTTLE_RATE", "120/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "Klimaalliancen API",
    "DESCRIPTION": (
        "The partnership's data, with the same permissions as the portal. Sign in with a personal "
        "API token (`Authorization: Bearer …`, made on your profile page and shown once; a "
        "read-only token may not change anything) or the portal's session. Errors answer "
        "JSON with a reason in the request's language: 400 names each wrong parameter or field, "
        "401 means not signed in, 403 not allowed, 404 no such record or none you may see. "
        "Amounts are in Danish kroner (DKK), emissions in tonnes CO2e, times ISO 8601."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # served by the app itself: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "CONTACT": {
        "name": "Klimaalliancens sekretariat (KL and Danske Regioner)",
        "email": env_str("API_CONTACT_EMAIL", "klimaalliancen@kl.dk"),
        "url": PORTAL_BASE_URL + "/aaben/",
    },
    # The open data's licence (monitoring/public.py); data behind a sign-in stays under the
    # partnership's agreement.
    "LICENSE": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
    # Every operation's refusals (401/403/404/400 with the error shape), summaries and
    # descriptions of every parameter and field: core/openapi.py.
    # An action's status is read and written (monitoring/api_drafts.py): one enum, one name.
    "ENUM_NAME_OVERRIDES": {"ActionStatusEnum": "monitoring.models.Action.Status"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.postprocess",
    ],
}

# --- django-import-export -------------------------------------------------------------------
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# --- Audit trail (django-auditlog): every create/change/delete of domain data --------------
# Models are registered in each app's AppConfig.ready(). No IP addresses: the actor's id is
# what the secretariat needs, and less personal data is kept.
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_REMOTE_ADDR = True

# --- Privacy --------------------------------------------------------------------------------
# People who left are anonymised this many days after deactivation (a daily Celery beat job).
PERSONAL_DATA_RETENTION_DAYS = env_int("PERSONAL_DATA_RETENTION_DAYS", 2 * 365)
# An invitation link (partners.Invitation) works this many days, once.
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)

# --- Health, metrics and errors -------------------------------------------------------------
# /metrics/ (Prometheus) answers only requests from these networks, or with this bearer token.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"])
METRICS_TOKEN = env_str("METRICS_TOKEN")
# Sentry when a DSN is given; events leave with personal data scrubbed (klimaalliancen.sentry).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from klimaalliancen.sentry import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    )

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.security": {"level": "WARNING"},
        # django-axes logs usernames and IP addresses; its database table is the record we need.
        "axes": {"level": "ERROR"},
    },
}
