"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's
live server, with the real Toyama records and the demo accounts.

No browser is ever downloaded: Chromium is launched by its path (``CHROMIUM``, default
/usr/bin/chromium; `.ci/run` installs Debian's package). When it is missing the tests fail
and say so; they are never skipped silently.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from demo import reference_data

from .helpers import log_in

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "build" / "screenshots"


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Install Debian's browser "
            "(`apt-get install chromium fonts-noto-cjk`; .ci/run does this) or point CHROMIUM at "
            "a Chromium executable. The browser tests never download a browser.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in the main thread from here on;
    # Django would then refuse every ORM call made by the tests and fixtures (loading data,
    # flushing the database) as "async-unsafe". Those calls are plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def toyama_live(transactional_db, live_server, settings):
    """The real records and the demo accounts, committed so that the live server sees them
    (pytest-django flushes the database after each test)."""
    # Logging in is what these tests check, not the password hash's cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    report = reference_data.load()
    call_command("create_demo_users", stdout=io.StringIO())
    return report


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser tab (its own cookies) on the live server, in Japanese."""
    context = chromium.new_context(
        base_url=live_server.url,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def municipal_page(page, toyama_live):
    """A tab logged in as the demo municipal officer (富山市)."""
    log_in(page, "municipal")
    return page


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
