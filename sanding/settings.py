"""One settings module, driven by environment variables.

Development defaults apply only while DEBUG is on; with DEBUG off, SECRET_KEY and ALLOWED_HOSTS must
come from the environment.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
# The test suite runs with DEBUG off but over plain HTTP (Django's test client and live server).
TESTING = "pytest" in sys.modules

# The development key is used only with DEBUG on or under the tests; otherwise a missing, short or
# development key stops the start.
DEV_SECRET_KEY = "django-insecure-development-key-for-sanding-only-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not DEBUG and not TESTING and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure-")):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to at least 50 random characters when DEBUG is off "
        "(生产环境必须设置 SECRET_KEY 环境变量，至少 50 个随机字符). "
        "For development set DEBUG=1 (开发环境请设置 DEBUG=1)."
    )
SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "sanding.core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "sanding.accounts.axes_config.AxesConfig",
    "sanding.core",
    "sanding.accounts",
    "sanding.registry",
    "sanding.assessment",
    "sanding.ledger",
    "sanding.spreadsheets",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise (static files keep their caching), before everything else that answers.
    "sanding.core.middleware.NoStoreMiddleware",
    "sanding.core.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Odd input the views' cleaning missed (an id SQLite cannot bind, a NUL PostgreSQL refuses): the 400 page.
    "sanding.core.errors.BadInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sanding.urls"
WSGI_APPLICATION = "sanding.wsgi.application"

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
                "sanding.accounts.context_processors.scope",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The development server and the task worker share the file: WAL lets pages read while an import
    # writes, IMMEDIATE transactions take the write lock up front, and a writer waits instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 60,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username and address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Password guessing (django-axes): a username from one address is locked after AXES_FAILURE_LIMIT
# failures for AXES_COOLOFF_MINUTES; every login, failure and logout is logged (管理后台 → 登录安全).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "sanding.accounts.lockout.lockout_response"
AXES_VERBOSE = False

# Sessions end after SESSION_IDLE_MINUTES without a request (every request renews the cookie) and,
# if the office wants it, when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "120")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE")

# The interface is Simplified Chinese whatever the browser asks for (no LocaleMiddleware).
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded files are never served from a public URL: every download goes through a view that checks
# the user's scope.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Excel import (sanding.spreadsheets): upload limits and hostile-file guards; see docs/spreadsheets.md.
SPREADSHEET_MAX_UPLOAD_BYTES = int(os.environ.get("SPREADSHEET_MAX_UPLOAD_MB", "20")) * 1024 * 1024
SPREADSHEET_MAX_UNCOMPRESSED_BYTES = 600 * 1024 * 1024
SPREADSHEET_MAX_RATIO = 200
SPREADSHEET_MAX_ROWS = int(os.environ.get("SPREADSHEET_MAX_ROWS", "200000"))
SPREADSHEET_MAX_EMPTY_RUN = 1000

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Content Security Policy: no inline scripts, every asset from this server.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Permissions-Policy (sanding.core.middleware): the app uses none of these browser features.
PERMISSIONS_POLICY = [
    "accelerometer",
    "autoplay",
    "bluetooth",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]

# Email: console while developing, SMTP configured from the environment in production.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "sanding@localhost")
if DEBUG and not os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")

# Security: production values unless DEBUG is on (or the tests run).
PRODUCTION = not DEBUG and not TESTING
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
X_FRAME_OPTIONS = "DENY"

PAGE_SIZE = 30

# The demo city (`manage.py load_demo`, sanding/core/demo.py): dotted paths of each app's `load(*, stdout)`,
# run in this order; later apps append theirs.
DEMO_STEPS = [
    "sanding.registry.demo.load",
    "sanding.accounts.demo.load",
    "sanding.ledger.demo.load",
    "sanding.assessment.demo.load",
]

# Counts beside the top bar's links (base.html's `{% nav_count name user %}`, sanding/core/templatetags/nav.py):
# dotted paths of functions `count(user) -> int`, so the base template loads no app's tags.
NAV_COUNTS = {
    "unread_notifications": "sanding.ledger.selectors.unread_count",
}

# Sections that other apps add to the department page (一部门一档): dotted paths of functions
# `section(*, department, user) -> (template_name, context) | None`.
DOSSIER_SECTIONS = [
    "sanding.ledger.selectors.dossier_section",
    "sanding.assessment.dossier.section",
]

# Records a ledger issue can be raised from (问题来源), by the prefix of `Issue.source_ref`: the module of
# the app that describes them (see sanding/ledger/sources.py), so the ledger imports none of those apps.
LEDGER_ISSUE_SOURCES = {
    "assessment.answer": "sanding.assessment.issue_source",
}

# Ledger (问题台账): days before a deadline an item turns yellow; upload limit; list count cap.
LEDGER_WARNING_DAYS = int(os.environ.get("LEDGER_WARNING_DAYS", "3"))
LEDGER_MAX_UPLOAD_MB = int(os.environ.get("LEDGER_MAX_UPLOAD_MB", "20"))
LEDGER_COUNT_CAP = int(os.environ.get("LEDGER_COUNT_CAP", "10000"))
# The site's address as users reach it: links in emails (reminder digests) are absolute from it.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Self-assessment evidence uploads (checked by size and by content on the server).
ASSESSMENT_EVIDENCE_MAX_BYTES = int(os.environ.get("ASSESSMENT_EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
