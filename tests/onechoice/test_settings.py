"""Production mode: it refuses to start without its secrets, passes `check --deploy`, serves
hashed static files, keeps uploads on the file system or in an S3 bucket, and keeps no state
in one process (checked in fresh interpreters where the settings differ)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "onechoice.settings"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_refuses_to_start():
    result = start({"ONECHOICE_ENV": "production", "ALLOWED_HOSTS": "portal.example.jp"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = start({"ONECHOICE_ENV": "production", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_with_its_settings_starts_with_debug_off():
    result = start({"ONECHOICE_ENV": "production", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "portal.example.jp"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_unknown_mode_is_refused():
    result = start({"ONECHOICE_ENV": "staging"})
    assert result.returncode != 0
    assert "ONECHOICE_ENV" in result.stderr


def test_development_settings_are_japanese_and_tokyo():
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "ja"
    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert settings.USE_TZ is True


PRODUCTION = {
    "ONECHOICE_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-Zq8!x" * 8,
    "ALLOWED_HOSTS": "portal.example.jp",
}


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    # Nothing of this test run's own environment: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE.
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "STORAGE_", "DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"))
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "onechoice.settings"} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def django(code: str, env: dict) -> subprocess.CompletedProcess:
    return run(["-c", "import django; django.setup()\n" + code], env)


def test_check_deploy_is_clean_in_production():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_serves_hashed_compressed_static_files_and_redirects_to_https_except_health():
    result = django(
        """
from django.conf import settings
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory
print(settings.STORAGES["staticfiles"]["BACKEND"])
print(settings.MIDDLEWARE[1])
middleware, get = SecurityMiddleware(lambda request: None), RequestFactory(HTTP_HOST="portal.example.jp").get
print(middleware.process_request(get("/")).status_code, middleware.process_request(get("/health/")))
""",
        PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == [
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "301 None",
    ]


S3_URL = """
from urllib.parse import urlsplit
from django.conf import settings
from django.core.files.storage import default_storage
url = default_storage.url("handouts/2021/資料1.pdf")
origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
print(type(default_storage._wrapped).__name__, default_storage.file_overwrite)
signed = "Signature=" in url or "X-Amz-Signature=" in url
print(origin in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"], signed)
"""
S3 = {
    "STORAGE_BACKEND": "s3",
    "AWS_STORAGE_BUCKET_NAME": "onechoice-media",
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
}


@pytest.mark.parametrize(
    "where",
    [
        {},  # AWS
        {"AWS_S3_REGION_NAME": "ap-northeast-1"},
        {"AWS_S3_ENDPOINT_URL": "https://objects.example.jp:9000"},  # MinIO, Ceph, …
    ],
)
def test_uploads_can_go_to_an_s3_bucket_whose_signed_links_the_csp_allows(where):
    # boto3 signs the links offline; nothing here reaches the network.
    result = django(S3_URL, S3 | where)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["S3Storage False", "True True"]


def test_uploads_in_a_bucket_need_the_bucket_name_and_unknown_backends_are_refused():
    result = django("", {"STORAGE_BACKEND": "s3"})
    assert result.returncode != 0 and "AWS_STORAGE_BUCKET_NAME must be set when STORAGE_BACKEND=s3" in result.stderr
    result = django("", {"STORAGE_BACKEND": "ftp"})
    assert result.returncode != 0 and "STORAGE_BACKEND must be 'filesystem' or 's3'" in result.stderr


def test_uploads_stay_on_the_file_system_by_default():
    from django.conf import settings
    from django.core.files.storage import FileSystemStorage, default_storage

    assert settings.STORAGE_BACKEND == "filesystem" and isinstance(default_storage, FileSystemStorage)
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] == ["'self'", "data:"]


def test_nothing_is_kept_in_one_processs_memory():
    """Sessions and every cache (rendered PDFs, import previews) live in the shared database, so
    any app server can answer any request."""
    from django.conf import settings

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert {c["BACKEND"] for c in settings.CACHES.values()} == {"django.core.cache.backends.db.DatabaseCache"}
    assert settings.IMPORT_EXPORT_TMP_STORAGE_CLASS == "import_export.tmp_storages.CacheStorage"
