"""Settings for Introducer Portal.

One ``environ.Env()`` with typed reads. With no environment at all the portal runs on the
*embedded default*: SQLite under ``var/``, kombu's filesystem transport as the Celery broker and
the database as cache. ``DATABASE_URL``, ``CELERY_BROKER_URL`` and ``REDIS_URL`` switch to
PostgreSQL, RabbitMQ or Redis. ``DJANGO_ENV=production`` demands every secret up front.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF

from introducer_portal import broker_filesystem
from introducer_portal.env_secrets import dev_secret, missing_production_variables

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# ------------------------------------------------------------------------------------------------
# Environment and secrets
# ------------------------------------------------------------------------------------------------
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
IS_PRODUCTION = DJANGO_ENV == "production"
missing_production_variables(env, required=IS_PRODUCTION)

DEBUG = env.bool("DJANGO_DEBUG", default=not IS_PRODUCTION)
SECRET_KEY = env.str("SECRET_KEY", default="") or dev_secret(VAR_DIR / "secret_key", "django")
# Encrypts SieSmart client secrets and tokens at rest. A comma-separated list: the first key
# encrypts, every key decrypts, so a key can be rotated (``manage.py rotate_credential_keys``).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[]) or [
    dev_secret(VAR_DIR / "field_encryption_key", "fernet")
]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["*"])
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "proposals.middleware.KeepPostAcrossLogin",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
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
else:
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
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
# Email (the console in the embedded default)
# ------------------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@introducer.example")

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
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "level": env.str("LOG_LEVEL", default="INFO"),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
