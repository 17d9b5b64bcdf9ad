"""Django settings, read from the environment with safe local defaults.

``VIGIL_ENV=production`` switches to production mode, which refuses to start when a required setting is
missing or unsafe (see ``_require``).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from vigil.datadir import data_dir
from vigil.web.proxy import parse_trusted

BASE_DIR = Path(__file__).resolve().parent
ENV = os.environ.get("VIGIL_ENV", "local")
PRODUCTION = ENV == "production"

DATA_DIR = data_dir()


def _require(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when VIGIL_ENV=production")
    return value


if PRODUCTION:
    SECRET_KEY = _require("VIGIL_SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("VIGIL_SECRET_KEY must be at least 50 characters long")
    DEBUG = False
    ALLOWED_HOSTS = _require("VIGIL_ALLOWED_HOSTS").split(",")
else:
    # A per-data-dir random key keeps local sessions valid across restarts without a shared default secret.
    SECRET_KEY = os.environ.get("VIGIL_SECRET_KEY", "")
    if not SECRET_KEY:
        from vigil.protection.localsecret import local_secret_key

        SECRET_KEY = local_secret_key(DATA_DIR)
    DEBUG = os.environ.get("VIGIL_DEBUG", "0") == "1"
    ALLOWED_HOSTS = os.environ.get("VIGIL_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "vigil.accounts",
    "vigil.protection",
    "vigil.audit",
    "vigil.records",
    "vigil.cases",
    "vigil.abuse",
    "vigil.figures",
    "vigil.review",
    "vigil.exchange",
    "vigil.replication",
    "vigil.jobs",
    "vigil.demo",
    "vigil.web",
    "vigil.api",
]

MIDDLEWARE = [
    # Behind a reverse proxy (VIGIL_TRUSTED_PROXY): the client's address and scheme, from that proxy only.
    "vigil.web.proxy.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "vigil.web.headers.SecurityHeadersMiddleware",
    # Refuses a request whose declared length is over its limit before a byte of the body is read.
    "vigil.web.limits.RequestSizeMiddleware",
    "vigil.web.middleware.LockedMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "vigil.urls"
WSGI_APPLICATION = "vigil.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vigil.web.context.vigil_context",
            ],
        },
    },
]

# SQLite (embedded, one file under DATA_DIR) unless VIGIL_DB=postgres.
DB_ENGINE = os.environ.get("VIGIL_DB", "sqlite")
if DB_ENGINE == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("VIGIL_PG_NAME", "test"),
            "USER": os.environ.get("VIGIL_PG_USER", "postgres"),
            "PASSWORD": os.environ.get("VIGIL_PG_PASSWORD", ""),
            "HOST": os.environ.get("VIGIL_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("VIGIL_PG_PORT", "5432"),
            "CONN_MAX_AGE": 60,
            "TEST": {"NAME": os.environ.get("VIGIL_PG_TEST_NAME", "vigil_test")},
        }
    }
elif DB_ENGINE == "sqlite":
    # Encrypted with SQLCipher unless explicitly switched off for development; production refuses that.
    ENCRYPT_DATABASE = os.environ.get("VIGIL_ENCRYPT", "1") != "0"
    if PRODUCTION and not ENCRYPT_DATABASE:
        raise ImproperlyConfigured("VIGIL_ENCRYPT=0 is refused when VIGIL_ENV=production")
    _sqlite_options: dict[str, object] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    if ENCRYPT_DATABASE:
        _sqlite_options.update(
            {
                "key_provider": "vigil.protection.keys:sqlcipher_key",
                "journal_mode": "WAL",
                # SQLCipher's wiping of its own buffers: off unless asked for, see vigil.protection.sqlcipher.keying.
                "memory_security": os.environ.get("VIGIL_SQLCIPHER_MEMORY_SECURITY", "0") == "1",
                # Decrypting pages is the cost of SQLCipher: a 64 MB page cache keeps hot pages decrypted in
                # memory, and temporary sorts stay in memory rather than in (encrypted) temp files.
                "init_command": "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;",
            }
        )
    else:
        _sqlite_options["init_command"] = (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        )
    DATABASES = {
        "default": {
            "ENGINE": "vigil.protection.sqlcipher" if ENCRYPT_DATABASE else "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "vigil.sqlite3"),
            "OPTIONS": _sqlite_options,
            # Tests run on an in-memory database (Django's default for SQLite, said outright so that parallel
            # test workers keep it rather than deriving a file name from NAME).
            "TEST": {"NAME": ":memory:"},
        }
    }
else:
    raise ImproperlyConfigured(f"VIGIL_DB must be 'sqlite' or 'postgres', not {DB_ENGINE!r}")

# Long work (estimates, linkage runs) runs as a background task (vigil.jobs): queued in the database, run by
# a worker beside `vigil serve` (a thread of it) or by `vigil db_worker` (deploy/systemd/vigil-worker.service).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Login throttling per account and client address, and per address across accounts, kept in memory only
# (vigil.accounts.security). Vigil never records IP addresses: a seized log of who connected from where would
# endanger volunteers.
AUTHENTICATION_BACKENDS = ["vigil.accounts.security.ThrottledModelBackend"]
# TOTP for every role but volunteers (who may opt in). Only tests switch it off, to exercise other things.
VIGIL_REQUIRE_2FA = os.environ.get("VIGIL_REQUIRE_2FA", "1") != "0"
if PRODUCTION and not VIGIL_REQUIRE_2FA:
    raise ImproperlyConfigured("VIGIL_REQUIRE_2FA=0 is refused when VIGIL_ENV=production")
OTP_TOTP_ISSUER = "Vigil"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
# Offered in this order in the language switcher, each under its own name.
LANGUAGES = [("be", _("Belarusian")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Formats for languages Django ships none for (Belarusian dates: day.month.year, not the American default).
FORMAT_MODULE_PATH = ["vigil.web.formats"]
USE_I18N = True
TIME_ZONE = "Europe/Minsk"
USE_TZ = True

STATIC_URL = "static/"
# Static assets ship inside the package and are served by WhiteNoise from there: no build step, no CDN. A
# deployment behind nginx sets VIGIL_STATIC_ROOT, fills it with `vigil collectstatic` and lets nginx serve it.
STATIC_ROOT = Path(os.environ.get("VIGIL_STATIC_ROOT") or BASE_DIR / "web" / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EVIDENCE_DIR = DATA_DIR / "evidence"
# Background jobs' files, encrypted: an upload waiting to be imported, a package waiting to be downloaded.
JOBS_DIR = DATA_DIR / "jobs"
AUDIT_CHECKPOINT_FILE = DATA_DIR / "audit-checkpoints.jsonl"
# Uploads stay in memory until they are encrypted: Django's default spills large ones to a plaintext temp file.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

SESSION_COOKIE_AGE = int(os.environ.get("VIGIL_SESSION_SECONDS", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "no-referrer": with no-referrer Chromium sends "Origin: null" and CSRF checks refuse every form.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The reverse proxies allowed to say who the client is and whether it came over HTTPS (vigil.web.proxy); none
# unless set, and then X-Forwarded-* headers are never read.
try:
    VIGIL_TRUSTED_PROXIES = parse_trusted(os.environ.get("VIGIL_TRUSTED_PROXY", ""))
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from None
if VIGIL_TRUSTED_PROXIES:
    # Safe only because TrustedProxyMiddleware removes the header from every request not sent by such a proxy.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("VIGIL_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "vigil.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "vigil.api.errors.exception_handler",
    # JSON read with a cap and bounded nesting; limit and offset refused out of range (not 500s).
    "DEFAULT_PARSER_CLASSES": [
        "vigil.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "vigil.api.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vigil API",
    "DESCRIPTION": "Record detentions, follow cases and read figures. Token authentication: "
    "'Authorization: Token <token>', with a token from the API tokens page (/account/tokens/) or "
    "`vigil tokens create`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- Bounds on what a request may carry (docs/protection.md, "Bounds on input") ------------------------------
_MIB = 1024 * 1024
# A form or JSON body without files: the longest texts Vigil takes (vigil.records.bounds) fit many times over.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * _MIB
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Uploads are held in memory until encrypted: one evidence file, and a whole request with files.
VIGIL_EVIDENCE_MAX_BYTES = int(os.environ.get("VIGIL_EVIDENCE_MAX_MB", "64")) * _MIB
VIGIL_UPLOAD_MAX_BYTES = int(os.environ.get("VIGIL_UPLOAD_MAX_MB", "128")) * _MIB
# The sync endpoint answers anyone who can reach it: it reads at most this much of a bundle before refusing.
VIGIL_SYNC_MAX_BYTES = int(os.environ.get("VIGIL_SYNC_MAX_MB", "128")) * _MIB

# Public figures suppress counts below this threshold, since a small count can identify someone.
PUBLIC_MIN_COUNT = int(os.environ.get("VIGIL_PUBLIC_MIN_COUNT", "5"))
# How long a reported detention without a lawyer stays in the list lawyers take cases from (docs/protection.md).
VIGIL_NEW_DETENTION_DAYS = int(os.environ.get("VIGIL_NEW_DETENTION_DAYS", "3"))

# Logs carry no names, contacts or IP addresses: only event kinds and ids.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "vigil": {"handlers": ["console"], "level": "INFO"},
        # A failed background task is logged by vigil.jobs in one line (its kind and the exception's type);
        # django-tasks would add a traceback for each.
        "django_tasks": {"handlers": ["console"], "level": "CRITICAL", "propagate": False},
        "django_tasks_db": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
