"""Settings: one module, every knob an environment variable with a local default.

`make run` needs no services: SQLite and Celery on an embedded (SQLAlchemy/SQLite) broker.
With DATABASE_URL / REDIS_URL set the same code runs on PostgreSQL and Redis.
"""

import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from kmv.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = Path(env_str("KMV_LOCAL_DIR", str(BASE_DIR / ".local")))
TESTING = "pytest" in sys.modules or env_bool("KMV_TESTING", False)

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-local-development-key-only-never-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    # the admin site sits behind the same verified second factor (kmv.access.admin_site)
    "kmv.access.apps.KMVAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    # hashed, expiring API tokens (the model is kmv.access.models.ApiToken)
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "kmv.access",
    "kmv.notify",
    "participants",
    "resourcegroups",
    "network",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "kmv.uploads.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kmv.access.middleware.SessionLifetimeMiddleware",
    "kmv.access.middleware.UserLanguageMiddleware",
    "kmv.access.middleware.TwoFactorRequiredMiddleware",
    "kmv.access.middleware.NoStoreMiddleware",
    "kmv.access.middleware.PolicyMemoMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kmv.urls"
WSGI_APPLICATION = "kmv.wsgi.application"
ASGI_APPLICATION = "kmv.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kmv.access.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    # env_str, not dj_database_url.config(): DATABASE_URL_FILE works too
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kmv",
        }
    }
    _xdist_worker = env_str("PYTEST_XDIST_WORKER")
    if TESTING and _xdist_worker.startswith("gw"):
        # pytest-xdist workers share one Redis: each caches in a database of its own, so one
        # worker's cache.clear() never empties another's rate-limit counters mid-test
        _base, _sep, _db = REDIS_URL.rpartition("/")
        _index = 1 + int(_xdist_worker[2:]) % 15
        CACHES["default"]["LOCATION"] = f"{_base}/{_index}" if _db.isdigit() else REDIS_URL
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # the embedded default (`make run`): web, worker and beat are separate processes, and the
    # dashboard cache's version bump made by one (an import run by the worker) must reach the
    # others at once — a per-process cache would show old figures until its entries expire
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(LOCAL_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 10000},
        }
    }

AUTH_USER_MODEL = "access.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Two-factor login (TOTP) for staff who can see participant data. Only the local demo may
# relax it, and never with DEBUG off.
KMV_REQUIRE_2FA = env_bool("KMV_REQUIRE_2FA", True) or not DEBUG
OTP_TOTP_ISSUER = "KMV"
# the admin never shows a device's secret or QR code
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A TOTP set-up attempt (the secret shown before the first code confirms it) lasts this long.
KMV_TOTP_SETUP_SECONDS = env_int("KMV_TOTP_SETUP_SECONDS", 600)
# API tokens (django-rest-knox): hashed, prefixed so scanners spot leaked ones, and expiring.
KNOX_TOKEN_MODEL = "access.ApiToken"
# knox's own migrations create its default token table even when the model is swapped (they
# predate `swappable`); that empty table's foreign key to users then blocks PostgreSQL's
# flush in transactional tests. Without migrations the swapped model gets no table at all.
MIGRATION_MODULES = {"knox": None}
KMV_API_TOKEN_DAYS = env_int("KMV_API_TOKEN_DAYS", 90)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=KMV_API_TOKEN_DAYS),
    "TOKEN_PREFIX": "kmv_",
    "AUTO_REFRESH": False,
}

# Retention (participants/retention.py): an ended path is anonymised this many years after
# its last activity, shown to the owner agency this many days before; the audit log, sent
# mail bodies, import files and revoked tokens are kept for these many days.
KMV_RETENTION_YEARS = env_int("KMV_RETENTION_YEARS", 5)
KMV_RETENTION_NOTICE_DAYS = env_int("KMV_RETENTION_NOTICE_DAYS", 30)
KMV_AUDIT_RETENTION_DAYS = env_int("KMV_AUDIT_RETENTION_DAYS", 3 * 365)
KMV_OUTBOX_RETENTION_DAYS = env_int("KMV_OUTBOX_RETENTION_DAYS", 30)
KMV_IMPORT_RETENTION_DAYS = env_int("KMV_IMPORT_RETENTION_DAYS", 2)
KMV_TOKEN_RETENTION_DAYS = env_int("KMV_TOKEN_RETENTION_DAYS", 30)

# Reports (reports/suppression.py): counts under this number are hidden ("x") and larger
# ones perturbed by the cell-key method for viewers who may not see everyone behind them.
KMV_SUPPRESSION_THRESHOLD = env_int("KMV_SUPPRESSION_THRESHOLD", 5)
# The cell-key secret; empty: a random one stored once in the database. Never change it
# once set (every count would get a second, independent perturbation).
KMV_CELL_KEY_SECRET = env_str("KMV_CELL_KEY_SECRET")

# Lockout after repeated failed logins (django-axes).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
# Three limits, each counted over the cool-off time (kmv.access.lockout.LockoutHandler): one
# account from one address (AXES_FAILURE_LIMIT), one account from all addresses (guessing
# spread over many addresses), one address for all accounts (password spraying).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
KMV_LOCKOUT_ACCOUNT_LIMIT = env_int("KMV_LOCKOUT_ACCOUNT_LIMIT", 10)
KMV_LOCKOUT_IP_LIMIT = env_int("KMV_LOCKOUT_IP_LIMIT", 30)
AXES_HANDLER = "kmv.access.lockout.LockoutHandler"
# a success clears only that account's failures from that address (see the handler)
AXES_RESET_ON_SUCCESS = True
# The client's address, for the lockout and the audit log alike (kmv.access.client_ip):
# behind KMV_TRUSTED_PROXY_COUNT proxies, the address the outermost one appended to
# KMV_TRUSTED_PROXY_HEADER; 0 trusts no header. Production runs behind one TLS proxy.
KMV_TRUSTED_PROXY_COUNT = env_int("KMV_TRUSTED_PROXY_COUNT", 0 if DEBUG else 1)
KMV_TRUSTED_PROXY_HEADER = env_str("KMV_TRUSTED_PROXY_HEADER", "HTTP_X_FORWARDED_FOR")
AXES_CLIENT_IP_CALLABLE = "kmv.access.client_ip.client_ip"
# Password reset requests: per client address and per e-mail address, per hour.
KMV_PASSWORD_RESET_PER_IP = env_int("KMV_PASSWORD_RESET_PER_IP", 10)
KMV_PASSWORD_RESET_PER_EMAIL = env_int("KMV_PASSWORD_RESET_PER_EMAIL", 3)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# axes stores (and locks out by) a keyed hash of the typed name, never the raw value, which
# may be a national id or a password typed in the wrong box
AXES_USERNAME_CALLABLE = "kmv.access.audit.axes_username"

# Sessions: idle timeout and absolute lifetime (enforced by SessionLifetimeMiddleware).
KMV_SESSION_IDLE_SECONDS = min(env_int("KMV_SESSION_IDLE_SECONDS", 30 * 60), 30 * 60)
KMV_SESSION_ABSOLUTE_SECONDS = min(env_int("KMV_SESSION_ABSOLUTE_SECONDS", 12 * 3600), 12 * 3600)
SESSION_COOKIE_AGE = KMV_SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["kmv.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = LOCAL_DIR / "staticfiles" if DEBUG else BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
NODE_MODULES_DIR = BASE_DIR / "node_modules"
if NODE_MODULES_DIR.is_dir():
    STATICFILES_DIRS.append(("vendor", NODE_MODULES_DIR))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(LOCAL_DIR / "media")))
MEDIA_URL = "/media/"  # never served publicly: uploads are fetched through access-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
if not DEBUG:
    # WhiteNoise serves the collected files (hashed names, far-future caching) under gunicorn;
    # in development runserver serves them from the finders.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Upload limits per kind (kmv.uploads): checked before anything is stored or parsed.
KMV_UPLOAD_MAX_BYTES = {
    "document": env_int("KMV_UPLOAD_MAX_DOCUMENT_BYTES", 10 * 1024 * 1024),
    "agenda": env_int("KMV_UPLOAD_MAX_AGENDA_BYTES", 10 * 1024 * 1024),
    "consent": env_int("KMV_UPLOAD_MAX_CONSENT_BYTES", 10 * 1024 * 1024),
    "table": env_int("KMV_UPLOAD_MAX_TABLE_BYTES", 5 * 1024 * 1024),
}
# An XLSX is a zip: its parts together may unpack to at most this (a zip bomb is refused).
KMV_XLSX_MAX_UNCOMPRESSED_BYTES = env_int("KMV_XLSX_MAX_UNCOMPRESSED_BYTES", 60 * 1024 * 1024)
# Any request body (kmv.uploads.RequestSizeLimitMiddleware): the largest upload plus room.
KMV_MAX_REQUEST_BYTES = env_int(
    "KMV_MAX_REQUEST_BYTES", max(KMV_UPLOAD_MAX_BYTES.values()) + 1024 * 1024
)

# E-mail (Django 6.1 MAILERS): locally (DEBUG on, no EMAIL_HOST) files in a folder, readable
# in the app's dev outbox; otherwise SMTP (EMAIL_HOST, default localhost).
KMV_OUTBOX_DIR = LOCAL_DIR / "outbox"
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST or "localhost",
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(KMV_OUTBOX_DIR)},
        }
    }
# KMV_MAIL_FILE_PATH: write mail to files in this folder whatever else is set (the real-worker
# test points a Celery worker at a temporary folder with it).
if env_str("KMV_MAIL_FILE_PATH"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": env_str("KMV_MAIL_FILE_PATH")},
        }
    }
del EMAIL_HOST
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "KMV <kmv@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. Django 6's built-in Content Security Policy.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: unauthenticated requests get 401 with a WWW-Authenticate header.
        "kmv.access.api_tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["kmv.access.api_permissions.IsStaffMember"],
    # JSON that is valid Unicode throughout (kmv.parsers), forms and multipart
    "DEFAULT_PARSER_CLASSES": [
        "kmv.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kmv.access.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KMV API",
    "DESCRIPTION": "Case coordination for the qualification of minority-language adults.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # every operation documents 400/401/403/404 (incl. DRF's 404 for an invalid ?page=)
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kmv.schema.document_error_responses",
    ],
    # One enum per choice set used by several fields or sharing a field name ("status").
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "participants.models.Language",
        "RoleEnum": "kmv.access.models.Role",
        "ParticipantStatusEnum": "participants.models.Participant.Status",
        "MeetingStatusEnum": "resourcegroups.models.Meeting.Status",
        "MinutesStatusEnum": "resourcegroups.models.Minutes.Status",
        "RoutineStatusEnum": "resourcegroups.models.Routine.Status",
        "StageKindEnum": "resourcegroups.models.RoutineStage.Kind",
        "NetworkBodyRoleEnum": "network.models.BodyMembership.Role",
        "NetworkEventStatusEnum": "network.models.NetworkMeeting.Status",
        "NetworkRegistrationStatusEnum": "network.models.Registration.Status",
        "OutcomeStatusEnum": "participants.models.OutcomeStatus",
    },
}

# Celery: Redis when REDIS_URL is set, otherwise an embedded SQLite broker so `make run`
# needs no services. Tasks are acknowledged late and rejected when a worker dies, so a
# killed worker's task is redelivered; the visibility timeout is set consistently.
CELERY_BROKER_URL = REDIS_URL or f"sqla+sqlite:///{LOCAL_DIR / 'celery-broker.sqlite3'}"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# visibility_timeout is a Redis option; kombu's SQLAlchemy transport passes its options to
# create_engine(), which rejects unknown keywords. It must exceed the longest time a task
# may hold its message unacknowledged (the hard time limit below; no task uses eta or
# countdown), or Redis would hand a running task to a second worker. Short socket timeouts
# keep a publish against a dead Redis from hanging a web request: the outbox row written in
# the same transaction, not the task message, is what guarantees delivery.
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
KMV_CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
if KMV_CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must exceed the task time limit (300)")
# max_retries/interval_*: kombu otherwise retries connecting for ever before a publish.
KMV_REDIS_TRANSPORT_OPTIONS = {
    "visibility_timeout": KMV_CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = KMV_REDIS_TRANSPORT_OPTIONS if REDIS_URL else {}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# publishing from a request: one quick try, then give up (the beat sweep sends the row)
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# a test worker keeps to a queue of its own, including the tasks it queues itself
# (tests/network/test_real_worker.py); everywhere else Celery's default
CELERY_TASK_DEFAULT_QUEUE = env_str("KMV_CELERY_QUEUE", "celery")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(LOCAL_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "expire-consents": {
        "task": "kmv.access.tasks.expire_consents",
        "schedule": 60.0,
    },
    "prune-credentials": {
        "task": "kmv.access.tasks.prune_credentials",
        "schedule": 600.0,
    },
    "plan-meetings": {
        "task": "resourcegroups.tasks.plan_meetings",
        "schedule": 6 * 3600.0,
    },
    "network-evaluations-part-2": {
        "task": "network.tasks.send_due_evaluations",
        "schedule": 3600.0,
    },
    "network-action-reminders": {
        "task": "network.tasks.send_action_reminders",
        "schedule": 3600.0,
    },
    # the outbox sweep: sends whatever is pending (also what a dead broker did not carry);
    # every 30 s so mail queued while Redis was down goes out within a minute of its return
    "send-outbox": {
        "task": "kmv.notify.tasks.send_outbox",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # reminders/alerts decided from the database; idempotent by outbox key
    "plan-reminders": {
        "task": "kmv.notify.tasks.plan_reminders",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
    # retention (participants/retention.py): anonymise ended paths, prune logs and leftovers
    "anonymise-ended-participants": {
        "task": "participants.tasks.anonymise_ended_participants",
        "schedule": 24 * 3600.0,
    },
    "prune-personal-data": {
        "task": "participants.tasks.prune_personal_data",
        "schedule": 24 * 3600.0,
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # national ids never reach a log line (request lines with a query string included)
    "filters": {"scrub_ids": {"()": "kmv.logscrub.ScrubIdsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["scrub_ids"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "kmv.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        # runserver's request lines carry the query string: through the scrubbing handler
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
