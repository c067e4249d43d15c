"""Settings for Introducer Portal.

One ``environ.Env()`` with typed reads. With no environment at all the portal runs on the
*embedded default*: SQLite under ``var/``, kombu's filesystem transport as the Celery broker and
the database as cache. ``DATABASE_URL``, ``CELERY_BROKER_URL`` and ``REDIS_URL`` switch to
PostgreSQL, RabbitMQ or Redis. ``DJANGO_ENV=production`` demands every secret up front.
"""

from pathlib import Path
from urllib.parse import urlsplit  # issue 10 (2): SIESMART_ALLOWED_PRIVATE_HOSTS

import environ
from csp.constants import NONE, SELF

from introducer_portal import broker_filesystem
from introducer_portal.env_secrets import dev_secret, missing_production_variables
from introducer_portal.private_files import private_dir  # issue 10 (8): var/ is 0o700

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
# issue 10 (8): var/ holds the SQLite database and the development secrets: the portal's user
# only (its SQLite files are made 0o600 as they are opened, see introducer_portal/apps.py).
private_dir(VAR_DIR)

# ------------------------------------------------------------------------------------------------
# Environment and secrets
# ------------------------------------------------------------------------------------------------
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
IS_PRODUCTION = DJANGO_ENV == "production"
missing_production_variables(env, required=IS_PRODUCTION)

# issue 10 (5): DEBUG only when asked for (``make dev`` sets DJANGO_DEBUG=1): ``make run`` and
# production serve the portal's own 404/500 pages, never Django's debug pages.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or dev_secret(VAR_DIR / "secret_key", "django")
# Encrypts SieSmart client secrets and tokens at rest. A comma-separated list: the first key
# encrypts, every key decrypts, so a key can be rotated (``manage.py rotate_credential_keys``).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[]) or [
    dev_secret(VAR_DIR / "field_encryption_key", "fernet")
]
# issue 10 (5, 8): never "*" by default (``check --deploy`` refuses it); outside production the
# local names ``make run`` answers on.
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# ------------------------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "proposals",
    "accounts",
    # Two-factor authentication (TOTP apps, recovery codes): django-otp and two of its plugins.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # issue 10 (8): the project's deploy checks and private SQLite files.
    "introducer_portal.apps.PortalConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # issue 10 (8): Cache-Control: no-store, private on every answer to a signed-in person.
    "proposals.middleware.NoStoreWhenSignedIn",
    # Two-factor: request.user.is_verified() (django-otp); enforced further down.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "proposals.middleware.KeepPostAcrossLogin",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Two-factor: a logged-in user who must verify (staff, admins, brokers who enrolled) sees
    # only the two-factor pages and logout until they do. After LoginRequiredMiddleware, so
    # anonymous visitors are sent to log in first.
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "introducer_portal.urls"
WSGI_APPLICATION = "introducer_portal.wsgi.application"
AUTH_USER_MODEL = "proposals.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "proposals.context_processors.portal",
            ],
        },
    },
]
# Bootstrap's classes and `is-invalid` on every widget (introducer_portal/form_rendering.py).
FORM_RENDERER = "introducer_portal.form_rendering.PortalFormRenderer"

# ------------------------------------------------------------------------------------------------
# Database and cache
# ------------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write at once: WAL, a busy timeout and immediate transactions keep
    # SQLite from answering "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# issue 16 (1): a process keeps its connection for a minute, checked before reuse, on both
# engines; workers follow the same rule at each task (introducer_portal/celery.py). A SQLite
# connection holds no lock between transactions, so keeping it open is safe under WAL.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }

# ------------------------------------------------------------------------------------------------
# Passwords, login throttling, i18n
# ------------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Account lifecycle: at least 12 characters for every password a person chooses.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# --- issue 10 (7): the client address behind reverse proxies ---
# How many reverse proxies of ours stand in front of the portal; with N, the client is the N-th
# address from the right of X-Forwarded-For (introducer_portal/client_address.py). 0: REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "introducer_portal.client_address.client_ip"
# --- end issue 10 (7) ---

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

# ------------------------------------------------------------------------------------------------
# Static files (whitenoise, no CDN)
# ------------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Outside production whitenoise also serves straight from static/, so no step is forgotten.
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded documents (issue 13): kept under var/ in the embedded default, never served by URL;
# the portal streams them after its permission checks.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "uploads")))

# ------------------------------------------------------------------------------------------------
# Security headers
# ------------------------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# ------------------------------------------------------------------------------------------------
# Two-factor authentication (django-otp): required for staff and admins, offered to brokers
# ------------------------------------------------------------------------------------------------
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Introducer Portal")
# Wrong codes wait 1, 2, 4, 8 ... seconds (times this factor) before the next try, per device.
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR
# Recovery codes issued at enrolment and on each regeneration; each works once.
TWO_FACTOR_RECOVERY_CODES = env.int("TWO_FACTOR_RECOVERY_CODES", default=10)

# ------------------------------------------------------------------------------------------------
# Email (the console in the embedded default)
# ------------------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@introducer.example")

# ------------------------------------------------------------------------------------------------
# Account lifecycle (accounts/): password reset links, invitations, reset throttling
# ------------------------------------------------------------------------------------------------
# A password reset link works this many seconds (Django's own setting; its default is 3 days).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=2 * 3600)
# An invitation link works this many days; re-sending issues a new link with a new term.
ACCOUNT_INVITATION_DAYS = env.int("ACCOUNT_INVITATION_DAYS", default=7)
# Reset emails asked for in one hour, per address and per client address; beyond that the same
# "check your email" page answers and nothing is sent.
ACCOUNT_RESET_PER_ADDRESS_PER_HOUR = env.int("ACCOUNT_RESET_PER_ADDRESS_PER_HOUR", default=3)
ACCOUNT_RESET_PER_CLIENT_PER_HOUR = env.int("ACCOUNT_RESET_PER_CLIENT_PER_HOUR", default=20)

# ------------------------------------------------------------------------------------------------
# Celery
# ------------------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = broker_filesystem.transport_options(
        env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker"))
    )
    CELERY_BROKER_TRANSPORT = broker_filesystem.TRANSPORT
    # The filesystem transport has no fanout exchange, so no remote control.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# issue 16 (1): Celery's Django fixup closes the connection around every task unless told to
# reuse it (for this many tasks); told so, Django's rule above decides, as for a request.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1_000_000)
# Two lanes: what a person waits for, and everything else. A prefix keeps test runs apart on
# shared brokers.
CELERY_QUEUE_PREFIX = env.str("CELERY_QUEUE_PREFIX", default="")
globals().update(broker_filesystem.lane_queues(CELERY_QUEUE_PREFIX))
CELERY_TASK_CREATE_MISSING_QUEUES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Decides itself whether a cycle is due: every 10 s while a decision is pending, else 60 s.
    "refresh-open-proposals": {
        "task": "proposals.background.refresh_open_proposals",
        "schedule": 5.0,
        "options": {"expires": 10},
    },
    "sweep-sending": {
        "task": "proposals.background.sweep_sending",
        "schedule": 30.0,
        "options": {"expires": 30},
    },
    "refresh-config": {
        "task": "proposals.background.refresh_config_all",
        "schedule": 3600.0,
        "options": {"expires": 600},
    },
    # issue 10 (6): expired sessions (and the posts they kept) are deleted hourly.
    "clear-expired-sessions": {
        "task": "proposals.background.clear_expired_sessions",
        "schedule": 3600.0,
        "options": {"expires": 600},
    },
    # issue 14: SFS holds our current public URL and notification key (no call when it does).
    "check-sfs-endpoints": {
        "task": "proposals.background.check_sfs_endpoints",
        "schedule": 600.0,
        "options": {"expires": 300},
    },
    "worker-heartbeat": {
        "task": "proposals.interactive.record_worker_heartbeat",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
}

# ------------------------------------------------------------------------------------------------
# SieSmart
# ------------------------------------------------------------------------------------------------
SIESMART_CONNECT_TIMEOUT = env.float("SIESMART_CONNECT_TIMEOUT", default=5.0)
SIESMART_READ_TIMEOUT = env.float("SIESMART_READ_TIMEOUT", default=30.0)
SIESMART_BUDGET_PER_MINUTE = env.int("SIESMART_BUDGET_PER_MINUTE", default=90)
# A worker waits this long for a rate slot in place; a longer wait reschedules the task, so a
# slot freed meanwhile is not lost to a task still counting down.
SIESMART_MAX_INLINE_WAIT = env.float("SIESMART_MAX_INLINE_WAIT", default=5.0)
SIESMART_SANDBOX_URL = env.str("SIESMART_SANDBOX_URL", default="http://127.0.0.1:8765")
# issue 14: where SFS reaches this portal; its notifications go to {PORTAL_PUBLIC_URL}/hooks/sfs.
PORTAL_PUBLIC_URL = env.str("PORTAL_PUBLIC_URL", default="http://127.0.0.1:8000")
# Register with SFS for notifications when a credential is made active (off in the tests, where
# no portal listens on PORTAL_PUBLIC_URL; tests/notifications_sfs turns it on).
SFS_NOTIFICATIONS = env.bool("SFS_NOTIFICATIONS", default=True)
# While notifications arrive, the search is the safety net and runs this often at most; a change
# it finds that no notification announced puts the credential back on the usual cadence.
SFS_SAFETY_NET_SECONDS = env.int("SFS_SAFETY_NET_SECONDS", default=300)
# --- issue 10 (2): SSRF guard for credential URLs (proposals/services/url_safety.py) ---
# Hosts (or host:port) a credential URL may name although they resolve to a loopback or private
# address, and that may use http: the sandbox in development and tests; none in production.
SIESMART_ALLOWED_PRIVATE_HOSTS = env.list(
    "SIESMART_ALLOWED_PRIVATE_HOSTS",
    default=[]
    if IS_PRODUCTION
    else sorted(
        {"127.0.0.1", "localhost", (urlsplit(SIESMART_SANDBOX_URL).hostname or "127.0.0.1")}
    ),
)
# --- end issue 10 (2) ---
# A task may make a few calls of at most (connect + read) seconds each, retried twice with
# backoff; its limits sit above that, and a send's lease above the hard limit.
CELERY_TASK_SOFT_TIME_LIMIT = env.int(
    "CELERY_TASK_SOFT_TIME_LIMIT",
    default=int(3 * (SIESMART_CONNECT_TIMEOUT + SIESMART_READ_TIMEOUT) + 30),
)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 30
SEND_LEASE_SECONDS = env.int("SEND_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 30)
# The sweeper sends again what has waited in the queue this long (a lost broker message).
SEND_REQUEUE_AFTER_SECONDS = env.int("SEND_REQUEUE_AFTER_SECONDS", default=120)

# ------------------------------------------------------------------------------------------------
# Logging: plain lines on stderr; no secret is ever a log argument.
# ------------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # issue 10 (8): a 403/404 is one line, without the traceback Django attaches to it.
    "filters": {
        "client_errors_one_line": {
            "()": "introducer_portal.logging_filters.ClientErrorsWithoutTraceback"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["client_errors_one_line"],
            "level": env.str("LOG_LEVEL", default="INFO"),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # issue 10 (8): Django's own console handler (under DEBUG) printed every request
        # warning a second time beside the root's; the root's handler alone prints them.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
