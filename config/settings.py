"""Tuoyu settings: one file, switched by environment variables.

DATABASE_URL   default sqlite:///var/tuoyu.sqlite3 (the embedded default; PostgreSQL in production and CI)
SECRET_KEY     generated once into var/secret_key for local use when absent
DEBUG          "1"/"true" to enable; off by default
ALLOWED_HOSTS  comma separated; localhost names by default
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TUOYU_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    # Local use only: keep a generated key on disk so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "tuoyu.core",
    "tuoyu.regions",
    "tuoyu.accounts",
    "tuoyu.institutions",
    "tuoyu.filings",
    "tuoyu.workforce",
    "tuoyu.training",
    "tuoyu.planning",
    "tuoyu.children",
    "tuoyu.attendance",
    "tuoyu.growth",
    "tuoyu.health",
    "tuoyu.care",
    "tuoyu.parents",
    "tuoyu.supervision",
    "tuoyu.spotchecks",
    "tuoyu.complaints",
    "tuoyu.credit",
    "tuoyu.quality",
    "tuoyu.enforcement",
    "tuoyu.portal",
    "tuoyu.devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tuoyu.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "tuoyu.core.context_processors.ends",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tuoyu.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while the demo generator or a task writes; IMMEDIATE avoids
    # "database is locked" upgrades from read to write locks inside transactions.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling: after this many failures for one username (or one address) within the window,
# further attempts are refused until the window has passed.
TUOYU_LOGIN_MAX_FAILURES = int(os.environ.get("TUOYU_LOGIN_MAX_FAILURES", "5"))
TUOYU_LOGIN_WINDOW_SECONDS = int(os.environ.get("TUOYU_LOGIN_WINDOW_SECONDS", "900"))
TUOYU_API_TOKEN_DAYS = int(os.environ.get("TUOYU_API_TOKEN_DAYS", "30"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve straight from the app and package folders too, so a run without collectstatic still has its assets.
WHITENOISE_USE_FINDERS = True


def _xstatic_dirs() -> list[tuple[str, str]]:
    # Leaflet and its marker-cluster plugin come from their PyPI packages, never copied into the repo.
    import xstatic.pkg.leaflet
    import xstatic.pkg.leaflet_markercluster

    return [
        ("leaflet", xstatic.pkg.leaflet.BASE_DIR),
        ("leaflet-markercluster", xstatic.pkg.leaflet_markercluster.BASE_DIR),
    ]


STATICFILES_DIRS = [BASE_DIR / "static", *_xstatic_dirs()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"  # uploaded files live outside the web root and are served by views only
WHITENOISE_MIMETYPES = {".geojson": "application/geo+json"}

TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Public maps in China need boundaries with an approved map review number (审图号): the file is
# replaceable, and a tile layer is used only when one is configured.
TUOYU_BOUNDARIES_FILE = os.environ.get("TUOYU_BOUNDARIES_FILE") or None
# The public near-me search keeps an in-memory grid per process and checks for changes at most this
# often (seconds): a newly filed institution appears on the public map within this time.
TUOYU_PUBLIC_GRID_RECHECK_SECONDS = float(os.environ.get("TUOYU_PUBLIC_GRID_RECHECK_SECONDS", "30"))
TUOYU_TILE_URL = os.environ.get("TUOYU_TILE_URL", "")
TUOYU_TILE_ATTRIBUTION = os.environ.get("TUOYU_TILE_ATTRIBUTION", "")
# Children per caregiver in mixed-age classes (混合班): the national standard sets none, so without this
# (or a PROVINCE_OVERRIDES entry in institutions/rules.py) the ratio page says none is configured.
TUOYU_MIXED_CLASS_RATIO = int(os.environ.get("TUOYU_MIXED_CLASS_RATIO") or 0) or None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG and _env_bool("TUOYU_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Supervision (#7). 一公开: inspection results on the public trust card within this many working days
# of the conclusion (企业信息公示暂行条例 第6、10条: 20 working days for government-made information).
TUOYU_INSPECTION_PUBLISH_WORKING_DAYS = int(os.environ.get("TUOYU_INSPECTION_PUBLISH_WORKING_DAYS", "20"))
