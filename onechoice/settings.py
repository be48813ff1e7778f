"""Settings for the One Team Toyama liaison portal.

Two modes, chosen by the environment:

* development (default): DEBUG on, a fixed insecure key, SQLite file ``db.sqlite3``;
* production (``ONECHOICE_ENV=production``): DEBUG off; ``SECRET_KEY`` and
  ``ALLOWED_HOSTS`` must be set, or the process refuses to start; static files are the
  hashed, compressed copies ``collectstatic`` writes, served by WhiteNoise.

``DATABASE_URL`` (for example ``postgres://user:pass@host:5432/onechoice``) selects
PostgreSQL in either mode; ``STORAGE_BACKEND=s3`` puts uploads in an S3-compatible bucket.
Nothing lives in one process's memory (sessions, cache and cached PDFs are in the
database), so any number of app servers can share one database.
"""

import base64
import hashlib
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

ENVIRONMENT = os.environ.get("ONECHOICE_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(f"ONECHOICE_ENV must be 'development' or 'production', not {ENVIRONMENT!r}.")
PRODUCTION = ENVIRONMENT == "production"


def _required(name: str, when: str = "ONECHOICE_ENV=production") -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when {when}.")
    return value


if PRODUCTION:
    DEBUG = False
    SECRET_KEY = _required("SECRET_KEY")
    ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]
    CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # the load balancer probes the app servers over HTTP
    # Hashed, compressed (gzip, Brotli) copies written by collectstatic; WhiteNoise serves them
    # with far-future cache headers.
    STORAGES = {"staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    # The print fonts (17 MB) are read by the PDF engine, not downloaded: compressing them would
    # take collectstatic a minute for nothing.
    from whitenoise.compress import Compressor

    WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "ttf", "otf"]
else:
    DEBUG = os.environ.get("DEBUG", "1") == "1"
    SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-development-only-never-use-in-production")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    STORAGES = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = True  # serve static/ as it is: no collectstatic

# Both modes: the headers check --deploy asks for (X-Frame-Options, nosniff and the referrer
# policy are Django's defaults, spelled out here) and a Content Security Policy.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    "onechoice",
    "projects",
    "meetings",
    "workgroups",
    "portal",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # /static/, before anything else does work
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # records who changed what
    "axes.middleware.AxesMiddleware",  # must stay last
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while locked out
    "django.contrib.auth.backends.ModelBackend",
]
# Lock an account (username + IP) out for 30 minutes after 5 failed logins in a row.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

ROOT_URLCONF = "onechoice.urls"

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
            "builtins": ["onechoice.templatetags.jp"],
        },
    },
]

WSGI_APPLICATION = "onechoice.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
LOCALE_PATHS = [BASE_DIR / "locale"]  # for translations of the Japanese UI strings
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# PDFs this app server has sent, one file per ETag (onechoice/spool.py): a local copy of what
# the shared cache holds, never stale and never needed by another server.
PDF_SPOOL_DIR = Path(os.environ.get("PDF_SPOOL_DIR", BASE_DIR / "var" / "pdf-spool"))

# Uploads (handouts, photos): files under MEDIA_ROOT, or with STORAGE_BACKEND=s3 an S3-compatible
# bucket (pip install ".[s3]"); credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
# or the machine's role. Links to the bucket are signed and expire after an hour.
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "filesystem")
MEDIA_ORIGINS = []  # where the pages' <img> of uploads come from, besides this site (for the CSP)
if STORAGE_BACKEND == "s3":
    _bucket = _required("AWS_STORAGE_BUCKET_NAME", when="STORAGE_BACKEND=s3")
    _s3 = {
        "bucket_name": _bucket,
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,  # MinIO, Ceph, …; none for AWS
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
        "file_overwrite": False,  # a second 資料.pdf gets a new name, as on the file system
        # Signed links (photos) sit in pages kept up to a day (onechoice/page_cache.py): they
        # must outlive the page that holds them.
        "querystring_expire": 60 * 60 * 26,
    }
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3}
    if _s3["custom_domain"]:
        MEDIA_ORIGINS = [f"https://{_s3['custom_domain']}"]
    elif _s3["endpoint_url"]:
        _scheme, _host = _s3["endpoint_url"].rstrip("/").split("://", 1)
        MEDIA_ORIGINS = [f"{_scheme}://{_host}", f"{_scheme}://{_bucket}.{_host}"]  # path or virtual-host style
    else:  # AWS itself
        MEDIA_ORIGINS = [f"https://{_bucket}.s3.amazonaws.com"]
        if _s3["region_name"]:
            MEDIA_ORIGINS.append(f"https://{_bucket}.s3.{_s3['region_name']}.amazonaws.com")
elif STORAGE_BACKEND == "filesystem":
    STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'filesystem' or 's3', not {STORAGE_BACKEND!r}.")

# The portal's pages load scripts, styles, images and fonts from this site only (uploads from
# MEDIA_ORIGINS); no inline script or style, no framing, forms post here only. The exceptions are
# style attributes that libraries write, allowed by their exact text: django-simple-history's
# history page and django-import-export's preview (diff-match-patch's <ins> and <del>).
LIBRARY_STYLE_ATTRIBUTES = ["border-top: 0", "background:#e6ffe6;", "background:#ffe6e6;"]


def _csp_hash(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-hashes'", *map(_csp_hash, LIBRARY_STYLE_ATTRIBUTES)],
        "img-src": [SELF, "data:", *MEDIA_ORIGINS],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Shared by every app server process, in the database (tables made by createcachetable):
# "default" holds rendered PDFs and import previews; "pages" holds built pages and which
# document was last built, under the data version (onechoice/data_version.py). Apart, so
# that culling the many page entries never drops a PDF or an import waiting for its confirm.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "onechoice_cache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    "pages": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "onechoice_page_cache",
        "TIMEOUT": 60 * 60 * 24,
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}

from .settings_import_export import *  # noqa: E402,F403  (import and export in the admin)
