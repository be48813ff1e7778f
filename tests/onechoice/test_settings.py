"""Production mode refuses to start without its secrets (checked in a fresh interpreter)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"],
        cwd=ROOT, env=clean | {"DJANGO_SETTINGS_MODULE": "onechoice.settings"} | env,
        capture_output=True, text=True, timeout=60,
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
