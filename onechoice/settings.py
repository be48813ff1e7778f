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
    "onechoice.lockout.apps.AxesConfig",  # django-axes, under a Japanese name (onechoice/lockout/)
    "onechoice",
    "projects",
    "meetings",
    "workgroups",
    "proposals",
    "portal",
    "search",
    "opendata",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # /static/, before anything else does work
    "onechoice.middleware.RequestLogMiddleware",  # one log line per request (not static files), with its id
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
# Login lockout (onechoice/lockout/): an account is locked for 30 minutes after 5 failed logins
# for its username from any address; an address, after 50 failures for any usernames. Failures
# count while the latest is less than 30 minutes old; a successful login clears the username's.
AXES_FAILURE_LIMIT = 5  # per username
LOCKOUT_FAILURES_PER_ADDRESS = 50  # per client address (onechoice.lockout.handler)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either; each with its own limit (above)
AXES_HANDLER = "onechoice.lockout.handler.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "onechoice.http.client_ip"  # X-Forwarded-For only from TRUSTED_PROXIES
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure, for the secretariat (admin: ログイン制限)


def _proxies(value: str) -> list[str]:
    import ipaddress

    proxies = [p.strip() for p in value.split(",") if p.strip()]
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {proxy!r} is not an IP address or network.") from None
    return proxies


# The reverse proxies and load balancers in front of the app servers (addresses or networks,
# comma-separated: TRUSTED_PROXIES=10.0.1.0/24,192.0.2.7). Only a request whose direct peer is one
# of them has its X-Forwarded-For (and X-Request-ID) believed (onechoice.http.client_ip). None by
# default: the peer is the client.
TRUSTED_PROXIES = _proxies(os.environ.get("TRUSTED_PROXIES", ""))

# Logs. In production, JSON lines on stderr (onechoice/logs.py): one per request from
# onechoice.middleware (request id, method, path, status, duration, user id, client address),
# the traceback of every 500 (django.request) with the same request id, login failures and
# lockouts (axes). In development Django's defaults (runserver prints the requests).
if PRODUCTION:
    LOGGING = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "onechoice.logs.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "json"}},
        "root": {"handlers": ["stderr"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        "loggers": {
            # Django's own handlers (console only with DEBUG, mail_admins) give way to stderr.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            "django.request": {"level": "ERROR"},  # 5xx with traceback; 4xx are in the request lines
            "django.server": {"handlers": [], "level": "INFO", "propagate": True},
            "axes": {"level": "WARNING"},  # failures and lockouts, not every successful login
        },
    }

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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers at once (a meeting's attendance entered from many desks): readers never
    # wait for a writer (WAL); a transaction takes the write lock when it begins (IMMEDIATE), so
    # two never deadlock half-way and fail with "database is locked"; a writer waits up to 20
    # seconds for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
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

# -- Upload bounds (onechoice/uploads.py) -----------------------------------------------------
# Each is refused at upload with a Japanese message and nothing stored, so that no stored file
# can hold a print request (and the PDF engine) for minutes. The size is checked before the file
# is read; the web server in front should refuse bodies a little above the largest
# (client_max_body_size 25m), so that bigger ones never reach Django's temporary files.
HANDOUT_MAX_BYTES = 20 * 1024 * 1024  # one handout PDF
HANDOUT_MAX_PAGES = 300  # pages of one handout
# What one handout's page contents may decompress to, all together (whatever shows or reads its
# pages decompresses them; pypdf also stops any one stream at its own limits, 75 MB): a small
# file whose pages expand to gigabytes is refused.
HANDOUT_MAX_DECODED_BYTES = 100 * 1024 * 1024
PHOTO_MAX_BYTES = 10 * 1024 * 1024  # one photo (PNG, JPEG or WebP only)
PHOTO_MAX_PIXELS = 40_000_000  # width × height, read from the header; Pillow's decoders stop at it too

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

# Bounds of one import (onechoice.importing); each refusal is a Japanese message and writes nothing.
# The size is checked before the file is read (a larger upload is spooled to a temporary file by
# Django, never held in memory; set the reverse proxy's body limit a little above it too).
IMPORT_MAX_BYTES = 10 * 1024 * 1024  # 10 MB per uploaded file
IMPORT_MAX_ROWS = 50_000  # data rows per file (blank rows are not counted)
# An xlsx is a zip: its central directory is read before any XML is parsed (zip-bomb guard).
IMPORT_XLSX_MAX_UNCOMPRESSED = 100 * 1024 * 1024  # 100 MB, all parts together, unpacked
IMPORT_XLSX_MAX_RATIO = 100  # unpacked / packed, for each part over 1 MB (Excel's sheets: about 10–20)
IMPORT_XLSX_MAX_CELLS = 2_000_000  # cells read from the sheet, blank ones included (50,000 rows × 40)
# A preview waits this long for its confirmation (in the "default" cache), then expires; a
# confirmation takes it out (once: a second or concurrent one is refused), and expired ones are
# deleted from the cache table whenever a new preview is stored.
IMPORT_PREVIEW_TIMEOUT = 60 * 60  # seconds

# Mail (meetings.mail: attendance requests, reminders, reply confirmations). In production SMTP,
# from the environment: EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS (STARTTLS) or EMAIL_USE_SSL, EMAIL_TIMEOUT (seconds). In development, unless
# EMAIL_HOST is set, each message is written as a file to var/mail/ (EMAIL_FILE_PATH), to open
# what the portal sent. Every message is recorded in the admin (送信メール).
if PRODUCTION or os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")  # production without it: the host's own MTA
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "1" if EMAIL_PORT == 587 else "0") == "1"
    EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "0") == "1"
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "「ワンチームとやま」連携推進本部事務局 <onechoice@localhost>"
)
# The signature under every message, and the portal's address for the links in them (mail is
# sent after the commit, outside any request).
MAIL_SIGNATURE = os.environ.get("MAIL_SIGNATURE", "「ワンチームとやま」連携推進本部事務局（ワンチームとやま推進室）")
PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")
# send_reminders (cron): one reminder per organisation that has not answered, this many days
# before the reply deadline (and on each later day only if none was sent since).
ATTENDANCE_REMINDER_DAYS = int(os.environ.get("ATTENDANCE_REMINDER_DAYS", "3"))

from .settings_import_export import *  # noqa: E402,F403  (import and export in the admin)
