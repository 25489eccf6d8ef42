"""TicketHelp settings: everything that differs between machines comes from the environment.

With no environment at all the project runs locally on an SQLite file, prints e-mail to the
console and keeps uploads on local disk. Production sets DEBUG off (the default), a
SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; see the configuration table in README.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured

from tickethelp.logging import resolve_log_format

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # django.contrib.admin with a login throttled like the API logins (tickethelp.admin_site).
    "tickethelp.apps.TicketHelpAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "users",
    "tickets",
    # Service levels (after tickets: its models point at tickets, tickets services call it).
    "sla",
    "notifications",
    "reports",
    "tenants",
    "conversations",
    "visits",
    # Last: commands that compose every app (seed_demo) and project-wide migrations.
    "tickethelp.apps.TicketHelpConfig",
]

MIDDLEWARE = [
    # First, so that every response (redirects, CORS preflights, errors) carries the id.
    "tickethelp.middleware.RequestIdMiddleware",
    "tickethelp.security.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # After CORS, so that a browser front end can read the 413; before anything reads the body.
    "tickethelp.security.RequestBodyLimitMiddleware",
    # Before anything parses a JSON body (DRF's parsers, the login e-mail throttle): a body
    # nested deeper than MAX_JSON_DEPTH is a 400 instead of a RecursionError.
    "tickethelp.json_depth.JsonDepthLimitMiddleware",
    # Sessions, request.user and messages serve the admin only: skipped on the API's paths,
    # which authenticate by bearer token (tickethelp.browser_only). CSRF stays everywhere
    # (Django's deploy check looks for it by name; API views are exempt anyway).
    "tickethelp.browser_only.BrowserOnlySessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "tickethelp.browser_only.BrowserOnlyAuthenticationMiddleware",
    "tickethelp.browser_only.BrowserOnlyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tickethelp.urls"
WSGI_APPLICATION = "tickethelp.wsgi.application"
# Paths answer with and without their trailing slash by routing (tickethelp.routing),
# so CommonMiddleware must never redirect (a 301 would turn a POST into a GET).
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with the health check (a `SELECT 1` round trip) only on a connection
    # idle for this many seconds rather than before every request (tickethelp/postgresql).
    DATABASES["default"]["ENGINE"] = "tickethelp.postgresql"
    DATABASES["default"]["HEALTH_CHECK_IDLE_SECONDS"] = env_int("DB_HEALTH_CHECK_IDLE_SECONDS", 5)
    # Session settings for the reports: PostgreSQL's JIT spends 100+ ms compiling large
    # aggregates that are meant to take a few hundred milliseconds, and the default 4 MB of
    # work memory makes their hash aggregates spill to disk.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c jit={'off' if env_bool('DB_DISABLE_JIT', True) else 'on'} -c work_mem={env_str('DB_WORK_MEM', '16MB')}"
    )
    # Prepared statements: a statement a connection has run 5 times is prepared on the
    # server (psycopg's automatic preparation), and PostgreSQL then plans it once rather
    # than on every run -- the writes' lock reads join up to nine tables and spent more time
    # in the planner than running (bench/RESULTS.md, round four). Needs server-side binding
    # (psycopg's client-side cursors cannot prepare). Off for a pooler that cannot keep
    # prepared statements (PgBouncer in transaction mode before 1.21, or without
    # max_prepared_statements).
    if env_bool("DB_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"] |= {"server_side_binding": True, "prepare_threshold": 5}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (shared across processes: throttles must hold across gunicorn workers) --------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tickethelp_cache",
        }
    }

# --- Authentication -------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "document", "first_name", "last_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "users.validators.NotIdentityPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 30)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7)),
    # Honoured by users.views.RefreshView: a refresh answers a new refresh token, and the
    # used one is blacklisted, unless an operator turns either off.
    "ROTATE_REFRESH_TOKENS": env_bool("JWT_ROTATE_REFRESH_TOKENS", True),
    "BLACKLIST_AFTER_ROTATION": env_bool("JWT_BLACKLIST_AFTER_ROTATION", True),
    "UPDATE_LAST_LOGIN": False,
    "SIGNING_KEY": env_str("JWT_SIGNING_KEY") or SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# Lifetime of the access token the tenant portal's login returns (a mobile app, no refresh).
TENANT_TOKEN_HOURS = env_int("TENANT_TOKEN_HOURS", 720)
# For this many minutes after a password login, the session's tokens (refreshed ones too,
# through their `auth_time` claim) may change the own password without the current one;
# later every own-password change must prove it. 0 turns the exemption off.
RECENT_LOGIN_MINUTES = env_int("RECENT_LOGIN_MINUTES", 10)

# Open (non-final) tickets that count as 100 % occupation of a technician.
TECHNICIAN_CAPACITY = env_int("TECHNICIAN_CAPACITY", 10)
# Lists the real clients read whole (users lists, the residents' tickets) answer every row
# when no paging parameter is given, up to this many; past it, the first page and its headers.
MAX_UNPAGED_RESULTS = env_int("MAX_UNPAGED_RESULTS", 5000)
# Active push tokens a user keeps (phones, tablets); registering one more retires the oldest.
PUSH_TOKENS_PER_USER = env_int("PUSH_TOKENS_PER_USER", 10)

# --- REST framework ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["users.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON, byte for byte, encoded by orjson (tickethelp/renderers.py).
    "DEFAULT_RENDERER_CLASSES": ["tickethelp.renderers.JSONRenderer"],
    # DRF's negotiation without parsing `Accept: application/json` or `*/*` (tickethelp/negotiation.py).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "tickethelp.negotiation.JSONFirstNegotiation",
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["tickethelp.filtering.RequestedFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "tickethelp.pagination.ArrayPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tickethelp.exceptions.staff_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login_ip": env_str("LOGIN_RATE_PER_IP", "30/min"),
        "login_email": env_str("LOGIN_RATE_PER_EMAIL", "5/min"),
        # Each reset e-mails a new temporary password (tenants.portal.throttles).
        "tenant_password_reset": env_str("PASSWORD_RESET_RATE", "3/hour"),
        # Password changes check the current password (users.throttles.PasswordCheckThrottle).
        "password_check": env_str("PASSWORD_CHECK_RATE", "10/hour"),
        # Apps register their push token at every start (notifications.views.PushTokenRegisterThrottle).
        "push_token_register": env_str("PUSH_TOKEN_REGISTER_RATE", "60/hour"),
    },
    # Client IP for throttles: 0 = REMOTE_ADDR (X-Forwarded-For is spoofable unless the
    # number of trusted proxies in front of us is known; 1 behind the platform's balancer).
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "TicketHelp API",
    "DESCRIPTION": (
        "Two APIs on one server:\n\n"
        "* **Staff API** (`/api/...`, Spanish) for the service desk's web front end: administrators, "
        "technicians and clients. Log in with `POST /api/users/auth/login/` and send "
        "`Authorization: Bearer <access>`.\n"
        "* **Tenant portal** (`/api/tenant/...`, English) for the residents' mobile app. Log in with "
        "`POST /api/tenant/login` and send `Authorization: Bearer <token>`.\n\n"
        "On this page: log in with *Try it out*, copy the token, press **Authorize** and paste it; it is "
        "kept across reloads. Every path also answers with or without its final slash. "
        "See docs/API.md in the repository for the errors and pagination of each API."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI keeps the token across reloads; tags are listed as tickethelp.openapi.TAGS orders them.
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True, "deepLinking": True, "filter": True},
    "COMPONENT_SPLIT_REQUEST": True,
    # Docstrings are developer notes: descriptions are written in tickethelp.openapi (DESCRIPTIONS).
    "DISABLE_DOCSTRING_DESCRIPTIONS": True,
    "PREPROCESSING_HOOKS": ["tickethelp.routing.drop_slash_variants"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tickethelp.openapi.document_operations",
    ],
}

# --- CORS (the web and mobile front ends) -------------------------------------------------
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
# Bearer tokens in the Authorization header, no cookies: credentials are never needed.
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["X-Request-ID", "X-Total-Count", "Link", "ETag", "Idempotent-Replayed"]
# Besides django-cors-headers' defaults: idempotent retries of creates (tickethelp.idempotency)
# and conditional GETs (tickethelp.etags) from a browser.
CORS_ALLOW_HEADERS = (*cors_default_headers, "idempotency-key", "if-none-match")

# --- Background tasks -------------------------------------------------------------------
# "immediate" runs tasks in-process right after commit (local runs, tests); "database"
# stores them for `manage.py db_worker`, which any number of worker instances can share.
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured("TASKS_BACKEND must be 'immediate' or 'database'.")

# --- E-mail -------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    # Not the console: stdout is the production log, and account e-mails carry passwords.
    EMAIL_BACKEND = "tickethelp.mail.UnconfiguredEmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "TicketHelp <no-reply@tickethelp.local>")

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "es"
TIME_ZONE = env_str("TIME_ZONE", "America/Bogota")
USE_I18N = True
USE_TZ = True

# --- Service levels (sla app) --------------------------------------------------------------
# The business calendar of the SLA clocks: public holidays of SLA_COUNTRY (ISO code, "" for
# none), working hours per weekday in SLA_TIME_ZONE ("mon-fri 08:00-18:00; sat 08:00-12:00",
# several ranges per day comma-separated). Closure days are added by admins (sla.ClosureDay).
SLA_COUNTRY = env_str("SLA_COUNTRY", "CO").strip().upper()
SLA_TIME_ZONE = env_str("SLA_TIME_ZONE", TIME_ZONE)
SLA_WORKING_HOURS = env_str("SLA_WORKING_HOURS", "mon-fri 08:00-18:00")

# --- Static and media files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# S3-compatible object storage (AWS S3, MinIO, R2, ...) for uploads when a bucket is set.
# Files stay private: URLs are presigned and expire; names never overwrite each other.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            # Empty = boto3's own credential chain (instance role, AWS_PROFILE, ...).
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "signature_version": "s3v4",
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,
            "querystring_auth": True,
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 3600),
            "default_acl": None,
            "file_overwrite": False,
        },
    }

# Lifetime of the signed attachment URLs handed to the tenant portal (local storage; object
# storage presigns its own URLs with the same lifetime).
ATTACHMENT_URL_MAX_AGE_SECONDS = env_int("ATTACHMENT_URL_MAX_AGE_SECONDS", 3600)

# --- Security (production defaults; `manage.py check --deploy` must be clean) -------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The platform's health check talks plain HTTP to the instance.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Only marks the header as preload-eligible; listing the domain is a separate manual step.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Request size limits. Non-file fields of a body may take 2.5 MB in memory; files above
# 2.5 MB stream to a temporary file that stops growing at the per-file maximum
# (tickethelp.upload_handlers); a whole body above MAX_REQUEST_BODY_MB is refused with 413
# from its Content-Length, before it is read (tickethelp.security). The default fits the
# tenant portal's largest request: 5 attachments of 20 MB plus the form fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "tickethelp.upload_handlers.SizeCappedTemporaryFileUploadHandler",
]
MAX_REQUEST_BODY_SIZE = env_int("MAX_REQUEST_BODY_MB", 110) * 1024 * 1024
# Pixels (all frames together) an uploaded image may decode to; larger is refused (422/400)
# before any pixel is decoded: a guard against decompression bombs (tickethelp.uploads).
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 50_000_000)
# Arrays/objects a JSON body may nest inside one another (tickethelp.json_depth); deeper is a 400.
MAX_JSON_DEPTH = env_int("MAX_JSON_DEPTH", 64)

# --- Logging ------------------------------------------------------------------------------
# One line per record on stdout, every record stamped with the request id
# (tickethelp.middleware); JSON for the platform's log search unless DEBUG is on.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
try:
    LOG_FORMAT = resolve_log_format(env_str("LOG_FORMAT"), debug=DEBUG)
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "tickethelp.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "tickethelp.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Notifications ------------------------------------------------------------------------
# E-mail attempts per notification before it is marked FALLIDA, and the first back-off
# delay (doubled after each failure: 30 s, 60 s, 120 s, 240 s with the defaults).
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 5)
NOTIFICATION_RETRY_BASE_SECONDS = env_int("NOTIFICATION_RETRY_BASE_SECONDS", 30)

# --- Push notifications (notifications/delivery/push.py) ------------------------------------
# Expo's push service; point both URLs elsewhere to test against a fake. The access token is
# only needed when the Expo project enforces "enhanced push security".
EXPO_PUSH_URL = env_str("EXPO_PUSH_URL", "https://exp.host/--/api/v2/push/send")
EXPO_RECEIPTS_URL = env_str("EXPO_RECEIPTS_URL", "https://exp.host/--/api/v2/push/getReceipts")
EXPO_ACCESS_TOKEN = env_str("EXPO_ACCESS_TOKEN", "")
# Seconds to wait for Expo's answer before the attempt counts as failed (and is retried).
PUSH_TIMEOUT_SECONDS = env_int("PUSH_TIMEOUT_SECONDS", 10)
# Attempts per push before it is FALLIDA, and the first back-off delay (doubled each time;
# a 429's Retry-After is honoured when longer).
PUSH_MAX_ATTEMPTS = env_int("PUSH_MAX_ATTEMPTS", 6)
PUSH_RETRY_BASE_SECONDS = env_int("PUSH_RETRY_BASE_SECONDS", 30)
# How long a claimed push is reserved for the worker sending it: a worker killed mid-send
# leaves it PENDIENTE, and it is sent again once this has passed (never sooner).
PUSH_CLAIM_SECONDS = env_int("PUSH_CLAIM_SECONDS", 120)
# Expo's receipts are checked this long after the send (they are ready within ~15 min).
PUSH_RECEIPT_DELAY_SECONDS = env_int("PUSH_RECEIPT_DELAY_SECONDS", 900)
# FCM HTTP v1 for `fcm` tokens (notifications/delivery/fcm.py): the path of a Google service
# account's JSON key; unset, pushes to `fcm` tokens are recorded OMITIDA ("FCM not configured").
# The project defaults to the key's project_id; point the base URL (and the key's token_uri)
# elsewhere to test against a fake.
FCM_CREDENTIALS_FILE = env_str("FCM_CREDENTIALS_FILE", "")
FCM_PROJECT_ID = env_str("FCM_PROJECT_ID", "")
FCM_BASE_URL = env_str("FCM_BASE_URL", "https://fcm.googleapis.com")
