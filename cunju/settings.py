"""Settings, all from environment variables with safe defaults.

A township laptop runs with no configuration at all (SQLite in ``CUNJU_DATA_DIR``); a county
deployment sets ``CUNJU_DATABASE_URL``, ``CUNJU_SECRET_KEY`` and the personal-data keys.
"""

import os
import secrets
import shutil
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CUNJU_DATA_DIR", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def data_secret(name: str, nbytes: int) -> str:
    """A secret from the environment, else one generated once and kept in the data folder.

    Development and demo installs get stable random secrets without any set-up; production
    sets the environment variable (``check --deploy`` warns when it is missing).
    """
    value = os.environ.get(name)
    if value:
        return value
    path = DATA_DIR / "secrets" / name.lower()
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_hex(nbytes)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(value)
        return value


DEBUG = env_bool("CUNJU_DEBUG", False)
SECRET_KEY = data_secret("CUNJU_SECRET_KEY", 32)
ALLOWED_HOSTS = env_list("CUNJU_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CUNJU_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "cunju.core",
    "cunju.accounts",
    "cunju.places",
    "cunju.organizations",
    "cunju.members",
    "cunju.development",
    "cunju.mobility",
    "cunju.dues",
    "cunju.evaluation",
    "cunju.points",
    "cunju.notices",
    "cunju.library",
    "cunju.dashboard",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "django_tables2",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cunju.core.middleware.RequestContextMiddleware",
    "cunju.accounts.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "cunju.urls"
WSGI_APPLICATION = "cunju.wsgi.application"

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
                "cunju.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------


def database_config(url: str | None) -> dict:
    """The default database from a URL; SQLite (the township default) tuned for concurrency.

    SQLite runs in WAL mode so readers never block the writer, and every transaction starts
    ``IMMEDIATE`` so two writers queue on the busy timeout instead of failing with
    "database is locked" when one upgrades a read lock.
    """
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "cunju.sqlite3")}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=30000;"
                    "PRAGMA cache_size=-20000;"
                ),
            }
        )
        config["CONN_MAX_AGE"] = 0
    return config


DATABASES = {"default": database_config(os.environ.get("CUNJU_DATABASE_URL"))}
# PostgreSQL: the search statement stays prepared (SQL PREPARE) on each connection. Off behind
# a pooler in transaction mode, which hands each transaction any server connection.
CUNJU_DATABASE_PREPARE = env_bool("CUNJU_DATABASE_PREPARE", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and login policy (MLPS 2.0 practice) -----------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["cunju.accounts.backends.RoleBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "cunju.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
CUNJU_LOGIN_MAX_FAILURES = int(os.environ.get("CUNJU_LOGIN_MAX_FAILURES", 5))
CUNJU_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("CUNJU_LOGIN_LOCKOUT_SECONDS", 10 * 60))
# Idle sessions end after 30 minutes: the cookie age is renewed on every request.
SESSION_COOKIE_AGE = int(os.environ.get("CUNJU_SESSION_IDLE_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Personal data (SM4-GCM at rest, HMAC blind index) ---------------------------------------

CUNJU_PERSONAL_DATA_ACTIVE_KEY = os.environ.get("CUNJU_PERSONAL_DATA_ACTIVE_KEY", "k1")
CUNJU_PERSONAL_DATA_KEYS = {
    # Extra keys for rotation: CUNJU_PERSONAL_DATA_KEYS="k0=hex,k1=hex".
    **dict(item.split("=", 1) for item in env_list("CUNJU_PERSONAL_DATA_KEYS") if "=" in item),
}
CUNJU_PERSONAL_DATA_KEYS.setdefault(
    CUNJU_PERSONAL_DATA_ACTIVE_KEY, data_secret("CUNJU_PERSONAL_DATA_KEY", 16)
)
CUNJU_PERSONAL_DATA_INDEX_KEY = data_secret("CUNJU_PERSONAL_DATA_INDEX_KEY", 32)

# --- Audit ---------------------------------------------------------------------------------

# Records are kept at least 184 days (six months, MLPS 2.0); pruning refuses anything shorter.
CUNJU_AUDIT_RETENTION_DAYS = max(184, int(os.environ.get("CUNJU_AUDIT_RETENTION_DAYS", 365)))

# --- Internationalisation ------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["cunju.formats"]
LANGUAGE_COOKIE_NAME = "cunju_language"

# --- Static and uploaded files -------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
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
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
CUNJU_IMPORT_MAX_BYTES = int(os.environ.get("CUNJU_IMPORT_MAX_BYTES", 20 * 1024 * 1024))

# --- Office conversion ---------------------------------------------------------------------

# Without LibreOffice the platform runs with office conversion disabled (PDFs still work).
CUNJU_SOFFICE = os.environ.get("CUNJU_SOFFICE") or shutil.which("soffice") or ""
# LibreOffice is kept warm and restarted after this many conversions (leaks add up).
CUNJU_OFFICE_RESTART_AFTER = int(os.environ.get("CUNJU_OFFICE_RESTART_AFTER", 200))
# Per-job time limit: a base plus an allowance per megabyte of input.
CUNJU_OFFICE_TIMEOUT_BASE = float(os.environ.get("CUNJU_OFFICE_TIMEOUT_BASE", 60))
CUNJU_OFFICE_TIMEOUT_PER_MB = float(os.environ.get("CUNJU_OFFICE_TIMEOUT_PER_MB", 10))

# --- Study library -------------------------------------------------------------------------

CUNJU_LIBRARY_MAX_BYTES = int(os.environ.get("CUNJU_LIBRARY_MAX_BYTES", 50 * 1024 * 1024))
# Pages shown as images on a document's page; the text of every page is shown regardless.
CUNJU_LIBRARY_PREVIEW_PAGES = int(os.environ.get("CUNJU_LIBRARY_PREVIEW_PAGES", 5))
# Preview widths in pixels: the page image and its thumbnail.
CUNJU_LIBRARY_PREVIEW_WIDTHS = (
    int(os.environ.get("CUNJU_LIBRARY_PREVIEW_WIDTH", 1000)),
    int(os.environ.get("CUNJU_LIBRARY_THUMBNAIL_WIDTH", 240)),
)
# Preview image format: "webp" (smaller) or "jpeg" (quicker to encode).
CUNJU_LIBRARY_PREVIEW_FORMAT = os.environ.get("CUNJU_LIBRARY_PREVIEW_FORMAT", "webp")
# Documents with more pages than this are refused (their text would swamp the index).
CUNJU_LIBRARY_MAX_PAGES = int(os.environ.get("CUNJU_LIBRARY_MAX_PAGES", 5000))
# Downloading the same document again within this many days costs nothing.
CUNJU_LIBRARY_REDOWNLOAD_DAYS = int(os.environ.get("CUNJU_LIBRARY_REDOWNLOAD_DAYS", 7))
# When on, new uploads wait in the moderation queue instead of being published when ready.
CUNJU_LIBRARY_REVIEW_UPLOADS = env_bool("CUNJU_LIBRARY_REVIEW_UPLOADS", False)

# --- Background tasks (Django's Tasks API) -------------------------------------------------

TASKS = {
    "default": {
        "BACKEND": os.environ.get("CUNJU_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Security ------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False
if env_bool("CUNJU_HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("CUNJU_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CUNJU_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

CUNJU_SITE_NAME = _("Cunju")
