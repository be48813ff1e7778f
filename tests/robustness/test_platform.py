"""The platform under load and abuse (issue 11): SQLite with many writers at once, the login
lockout behind a proxy, odd paths, logs and error pages, and uploads that are never served
from /media/."""

from __future__ import annotations

import http.client
import importlib
import importlib.util
import io
import json
import logging
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from pypdf import PdfWriter

from onechoice import http as onechoice_http
from onechoice import logs, pdf, roles

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def _pdf_bytes() -> bytes:
    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _staff(username: str, role: roles.Role, password: str | None = None):
    groups = roles.ensure_role_groups()
    user = get_user_model().objects.create_user(username, password=password, is_staff=True)
    user.groups.add(groups[role])
    return user


# === 6. SQLite under concurrent use ===========================================================


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    sock.set_inheritable(True)
    return sock


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory):
    """gunicorn in production mode (4 processes × 8 threads) on a fresh SQLite file, prepared
    as README says: migrate, load_toyama, create_demo_users."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("DATABASE_URL is PostgreSQL: the SQLite write lock is not the question there")
    from tests.onechoice.test_two_servers import Server, finish, manage, production_env, stop_server

    tmp = tmp_path_factory.mktemp("sqlite-writers")
    db_path = tmp / "portal.sqlite3"
    env = production_env(f"sqlite:///{db_path}", tmp)
    collectstatic = manage(env, "collectstatic", "--noinput")
    finish(manage(env, "migrate", "--noinput"), "migrate")
    finish(manage(env, "load_toyama", "--if-empty"), "load_toyama")
    finish(manage(env | {"ONECHOICE_ENV": "development"}, "create_demo_users"), "create_demo_users")
    finish(collectstatic, "collectstatic")

    sock = _free_socket()
    log = tmp / "server.log"
    try:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "onechoice.wsgi",
                "--bind",
                f"fd://{sock.fileno()}",
                "--workers",
                "4",
                "--threads",
                "8",
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=env | {"PDF_SPOOL_DIR": str(tmp / "spool")},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            pass_fds=[sock.fileno()],
            start_new_session=True,
        )
        server = Server("sqlite", sock.getsockname()[1], process, log, tmp / "spool")
    finally:
        sock.close()
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, server.log_tail()
            try:
                conn = http.client.HTTPConnection(HOST, server.port, timeout=5)
                conn.request("GET", "/health/", headers={"Host": HOST})
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"the server did not start\n{server.log_tail()}"
            time.sleep(0.2)
        yield server, db_path
    finally:
        stop_server(server)


def test_sqlite_settings_are_wal_immediate_with_a_busy_timeout(settings):
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("not SQLite")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert db["OPTIONS"]["timeout"] >= 20
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_thirty_parallel_admin_saves_on_sqlite_all_succeed(sqlite_server):
    from tests.onechoice.test_two_servers import Browser, form_fields, log_in

    server, db_path = sqlite_server
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        ids = [
            row[0]
            for row in conn.execute(
                "SELECT a.id FROM meetings_attendance a JOIN meetings_meeting m ON m.id = a.meeting_id"
                " WHERE m.fiscal_year = 2021 AND m.number = 4 ORDER BY a.protocol_order LIMIT 30"
            )
        ]
    assert len(ids) == 30
    login = Browser()
    assert log_in(login, server, "secretariat").status == 302

    def save(attendance_id: int) -> tuple[int, str]:
        browser = Browser(cookies=dict(login.cookies))  # one desk each, one account
        change = f"/admin/meetings/attendance/{attendance_id}/change/"
        page = browser.get(server, change)
        if page.status != 200:
            return page.status, page.text[:300]
        fields = dict(form_fields(page.text, "attendance_form"))
        fields |= {"status": "proxy", "proxy_title": f"並列保存{attendance_id}", "proxy_name": "代理 太郎"}
        form = [*fields.items(), ("_save", "保存")]
        saved = browser.request(server, "POST", change, form=form)
        errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', saved.text)
        return saved.status, " ".join(errors)

    with ThreadPoolExecutor(max_workers=30) as pool:
        results = list(pool.map(save, ids))
    failures = [(i, status, detail) for i, (status, detail) in zip(ids, results, strict=True) if status != 302]
    assert not failures, f"{failures}\n{server.log_tail()}"
    with sqlite3.connect(db_path) as conn:
        written = dict(
            conn.execute("SELECT id, proxy_title FROM meetings_attendance WHERE proxy_title LIKE '並列保存%'")
        )
    assert written == {i: f"並列保存{i}" for i in ids}
    assert "database is locked" not in server.log.read_text(errors="replace")


# === 8. Lockout ===============================================================================


def _fail(client, username: str, address: str, **headers):
    return client.post("/accounts/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address, **headers)


def _log_in(client, username: str, password: str, address: str):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_failures_lock_the_username_from_every_address(client, db, fast_passwords):
    _staff("secretariat", roles.Role.SECRETARIAT, password="correct-horse")
    for _ in range(4):
        assert _fail(client, "secretariat", "192.0.2.1").status_code == 200
    assert _fail(client, "secretariat", "192.0.2.1").status_code == 429  # the fifth locks
    locked = _log_in(client, "secretariat", "correct-horse", "198.51.100.9")  # address B
    assert locked.status_code == 429
    assert "30分間ログインできません" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from address A is not locked: the key is the username alone.
    _staff("other", roles.Role.SECRETARIAT, password="other-pass")
    assert _log_in(Client(), "other", "other-pass", "192.0.2.1").status_code == 302


def test_the_admin_login_is_locked_too_in_japanese(client, db, fast_passwords):
    _staff("secretariat", roles.Role.SECRETARIAT, password="correct-horse")
    for _ in range(5):
        client.post("/admin/login/", {"username": "secretariat", "password": "wrong"}, REMOTE_ADDR="192.0.2.1")
    locked = client.post(
        "/admin/login/", {"username": "secretariat", "password": "correct-horse"}, REMOTE_ADDR="192.0.2.2"
    )
    assert locked.status_code == 429 and "ログインできません" in locked.content.decode()


def test_an_address_is_locked_after_its_own_limit_of_failures(client, db, fast_passwords, settings):
    settings.LOCKOUT_FAILURES_PER_ADDRESS = 8  # 50 in production; fewer here to keep the test short
    _staff("victim", roles.Role.SECRETARIAT, password="victim-pass")
    for i in range(8):  # eight usernames, each below its own limit
        _fail(client, f"guess{i}", "203.0.113.5")
    assert _log_in(Client(), "victim", "victim-pass", "203.0.113.5").status_code == 429
    assert _log_in(Client(), "victim", "victim-pass", "203.0.113.6").status_code == 302


def test_a_login_elsewhere_from_the_same_address_does_not_clear_a_username(client, db, fast_passwords):
    _staff("victim", roles.Role.SECRETARIAT, password="victim-pass")
    _staff("insider", roles.Role.DIVISION, password="insider-pass")
    for _ in range(4):
        _fail(client, "victim", "192.0.2.50")
    assert _log_in(Client(), "insider", "insider-pass", "192.0.2.50").status_code == 302
    _fail(client, "victim", "192.0.2.50")  # the fifth
    assert _log_in(Client(), "victim", "victim-pass", "192.0.2.51").status_code == 429


def test_a_successful_login_clears_its_own_failures(client, db, fast_passwords):
    _staff("officer", roles.Role.SECRETARIAT, password="officer-pass")
    for _ in range(4):
        _fail(client, "officer", "192.0.2.60")
    assert _log_in(Client(), "officer", "officer-pass", "192.0.2.60").status_code == 302
    for _ in range(4):
        _fail(client, "officer", "192.0.2.60")
    assert _log_in(Client(), "officer", "officer-pass", "192.0.2.60").status_code == 302


class _Request:
    def __init__(self, **meta):
        self.META = meta


def test_client_ip_believes_forwarded_for_only_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "192.0.2.7"]
    ip = onechoice_http.client_ip
    # Untrusted peer: the header is the client's word, ignored.
    assert ip(_Request(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")) == "203.0.113.9"
    # A trusted proxy: the address it saw.
    assert ip(_Request(REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="198.51.100.1")) == "198.51.100.1"
    # Two trusted proxies in a row; what the client wrote further left is never believed.
    assert (
        ip(_Request(REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1, 192.0.2.7")) == "198.51.100.1"
    )
    # Garbage from the proxy's side: the last known hop.
    assert ip(_Request(REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="not-an-address")) == "10.0.0.3"
    assert ip(_Request(REMOTE_ADDR="10.0.0.3")) == "10.0.0.3"
    settings.TRUSTED_PROXIES = []  # the default: nobody's header is believed
    assert ip(_Request(REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="198.51.100.1")) == "10.0.0.3"


def test_lockout_behind_a_trusted_proxy_counts_the_real_client(client, db, fast_passwords, settings):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    _fail(client, "someone", "10.0.0.3", HTTP_X_FORWARDED_FOR="198.51.100.1")
    _fail(client, "someone", "203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.2")  # untrusted peer
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1", "203.0.113.9"}


def test_secretariat_sees_and_clears_a_lockout_in_japanese(client, db, fast_passwords):
    from axes.models import AccessAttempt, AccessFailureLog

    _staff("secretariat", roles.Role.SECRETARIAT, password="correct-horse")
    officer = _staff("officer", roles.Role.DIVISION, password="officer-pass")
    for address in ("192.0.2.1", "192.0.2.1", "192.0.2.1", "198.51.100.2", "198.51.100.2"):
        _fail(Client(), "officer", address)
    assert _log_in(Client(), "officer", "officer-pass", "192.0.2.9").status_code == 429
    # Five failures, and the refused try with the right password while locked.
    assert AccessFailureLog.objects.filter(username="officer").count() == 6

    admin = Client()
    admin.force_login(get_user_model().objects.get(username="secretariat"))
    assert "ログイン制限" in admin.get("/admin/").text
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    text = listing.text
    assert "ログイン失敗（ロックの判定）" in text and "ユーザー名" in text and "失敗回数" in text
    assert "ロック中（このユーザー名）" in text
    assert admin.get("/admin/axes/accessfailurelog/").status_code == 200
    # Unlock: delete the username's rows (one per address), as the list's delete action does.
    rows = list(AccessAttempt.objects.filter(username="officer").values_list("pk", flat=True))
    assert len(rows) == 3  # 192.0.2.1, 198.51.100.2 and the refused try from 192.0.2.9
    first = admin.post(f"/admin/axes/accessattempt/{rows[0]}/delete/", {"post": "yes"})
    assert first.status_code == 302
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": rows[1:], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="officer").exists()
    assert _log_in(Client(), "officer", "officer-pass", "192.0.2.9").status_code == 302
    assert officer.pk


def test_division_staff_cannot_see_or_clear_lockouts(client, db, fast_passwords):
    from axes.models import AccessAttempt

    _fail(client, "secretariat", "192.0.2.1")
    attempt = AccessAttempt.objects.get()
    client.force_login(_staff("division", roles.Role.DIVISION))
    assert client.get("/admin/axes/accessattempt/").status_code == 403
    assert client.get("/admin/axes/accessfailurelog/").status_code == 403
    assert client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert "ログイン制限" not in client.get("/admin/").text


# === 9. Paths =================================================================================


@pytest.fixture
def renders(monkeypatch):
    """Every PDF the test makes the engine render (none may be made for a bad URL)."""
    made = []
    real = pdf.render_html

    def render_html(template_name, context):
        made.append(template_name)
        return real(template_name, context)

    monkeypatch.setattr(pdf, "render_html", render_html)
    return made


REPORTED = [
    "/meetings/schedule/0.pdf",
    "/meetings/schedule/1/",
    "/meetings/schedule/10000.pdf",
    "/projects/progress/1800.pdf",
    "/projects/99999999999999999999/sheet.pdf",
]
ODD = ["0", "-1", str(10**20), str(2**63), "abc", "1e3", "%EF%BC%91", "00"]


def _routes(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + (f"{entry.namespace}:" if entry.namespace else ""))
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name, entry


def odd_urls() -> list[str]:
    """Every portal route with an id or a year in its path, each odd value in its place;
    the year routes' and list pages' query parameters too."""
    urls = []
    for name, pattern in _routes():
        if name.startswith("admin:"):
            continue
        converters = pattern.pattern.converters
        for arg in converters:
            if arg not in ("pk", "plan_pk", "fiscal_year"):
                continue
            # the other ids of the path (a plan's item) are real-looking numbers that exist nowhere
            others = {other: 987654321 for other in converters if other != arg}
            real = reverse(name, kwargs={arg: 123456789, **others})
            urls += [real.replace("123456789", value) for value in ODD]
            if arg == "fiscal_year":
                urls += [real.replace("123456789", year) for year in ("1925", "1926", "1990", "2999", "9998", "9999")]
    for base in ("/workgroups/status.pdf", "/projects/1/sheet.pdf"):
        urls += [f"{base}?fiscal_year={value}" for value in [*ODD, "1990", "9998", ""]]
    return urls


@pytest.mark.parametrize("role", ["public", "secretariat"])
def test_odd_paths_are_a_japanese_404_and_render_nothing(client, toyama, renders, role):
    if role == "secretariat":
        client.force_login(_staff("sweeper", roles.Role.SECRETARIAT))
    urls = REPORTED + odd_urls()
    assert len(urls) > 100
    failures = []
    for url in urls:
        response = client.get(url)
        if response.status_code != 404:
            failures.append(f"{url}: {response.status_code}")
        elif "ページが見つかりません" not in response.content.decode():
            failures.append(f"{url}: a 404 that is not the Japanese page")
    assert not failures
    assert renders == [], "a PDF was rendered for a bad URL"


def test_list_pages_take_odd_query_values_without_500(client, toyama):
    for url in ["/projects/", "/meetings/"]:
        for param in ("fiscal_year", "department", "page", "kind", "status", "municipality", "sort"):
            for value in [*ODD, "1990", ""]:
                status = client.get(url, {param: value}).status_code
                assert status in (200, 404), f"{url}?{param}={value}: {status}"


def test_a_bad_id_costs_no_query(client, db):
    with CaptureQueriesContext(connection) as queries:
        for url in (
            "/meetings/99999999999999999999/",
            "/projects/99999999999999999999/sheet.pdf",
            "/projects/0/",
            "/meetings/handouts/0/file/",
            "/meetings/schedule/1800/",
        ):
            assert client.get(url).status_code == 404
    assert len(queries) == 0, [q["sql"] for q in queries]


def test_years_with_records_still_render(client, toyama, renders):
    for url in (
        "/meetings/schedule/2021/",
        "/meetings/schedule/2021.pdf",
        "/meetings/schedule/2023.pdf",  # the window: 2021 is one of its three years
        "/projects/progress/2021.pdf",
        "/projects/proposals/2022.pdf",
        "/workgroups/status.pdf?fiscal_year=2021",
    ):
        assert client.get(url).status_code == 200, url
    assert renders


def test_an_empty_year_in_range_is_404_and_renders_nothing(client, toyama, renders):
    from django.db.models import Max, Min

    from meetings.models import Meeting

    span = Meeting.objects.aggregate(first=Min("fiscal_year"), last=Max("fiscal_year"))
    for url in (
        f"/meetings/schedule/{span['first'] - 1}/",
        f"/meetings/schedule/{span['last'] + 3}.pdf",  # past the window of the last year
        "/projects/progress/1990.pdf",
        "/projects/proposals/2500.pdf",
        "/workgroups/status.pdf?fiscal_year=1990",
    ):
        assert client.get(url).status_code == 404, url
    assert renders == []


# === 10. Logs and error pages =================================================================


def test_each_request_is_logged_with_its_id(client, db, caplog):
    caplog.set_level(logging.INFO, logger="onechoice.request")
    response = client.get("/meetings/schedule/1/")
    [record] = [r for r in caplog.records if r.name == "onechoice.request"]
    assert re.fullmatch(r"[0-9a-f]{32}", record.request_id)
    assert response["X-Request-ID"] == record.request_id
    assert (record.method, record.path, record.status, record.user_id) == ("GET", "/meetings/schedule/1/", 404, None)
    assert record.duration_ms >= 0 and record.client_ip == "127.0.0.1"

    caplog.clear()
    user = _staff("logged", roles.Role.SECRETARIAT)
    client.force_login(user)
    client.get("/accounts/login/")
    [record] = [r for r in caplog.records if r.name == "onechoice.request"]
    assert record.user_id == str(user.pk) and record.status == 200


def test_the_request_id_comes_from_a_trusted_proxy_only(client, db, caplog, settings):
    caplog.set_level(logging.INFO, logger="onechoice.request")
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    from_proxy = client.get("/health/", HTTP_X_REQUEST_ID="lb-1234.abcd", REMOTE_ADDR="10.0.0.1")
    assert from_proxy["X-Request-ID"] == "lb-1234.abcd"
    from_client = client.get("/health/", HTTP_X_REQUEST_ID="chosen-by-client", REMOTE_ADDR="203.0.113.1")
    assert from_client["X-Request-ID"] != "chosen-by-client"
    forged = client.get("/health/", HTTP_X_REQUEST_ID='bad"\n{json}', REMOTE_ADDR="10.0.0.1")
    assert re.fullmatch(r"[0-9a-f]{32}", forged["X-Request-ID"])


def boom(request):
    raise RuntimeError("予期しない失敗（テスト）")


urlpatterns = [path("boom/", boom), path("ok/", lambda request: HttpResponse("ok"))]


def test_a_500_in_production_settings_is_japanese_and_logged_with_its_traceback(db, settings, caplog):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    caplog.set_level(logging.INFO)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logging.getLogger().addHandler(handler)
    try:
        response = Client(raise_request_exception=False).get("/boom/")
    finally:
        logging.getLogger().removeHandler(handler)
    assert response.status_code == 500
    body = response.content.decode()
    assert "エラーが発生しました" in body and '<html lang="ja">' in body and "RuntimeError" not in body
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    [error] = [e for e in lines if e["logger"] == "django.request"]
    [access] = [e for e in lines if e["logger"] == "onechoice.request"]
    assert "RuntimeError: 予期しない失敗（テスト）" in error["traceback"]
    assert error["request_id"] == access["request_id"] == response["X-Request-ID"]
    assert access["status"] == 500 and access["path"] == "/boom/" and access["level"] == "ERROR"
    assert set(access) >= {"time", "method", "duration_ms", "user_id", "client_ip"} - {"user_id"}


PRODUCTION_SCRIPT = """
import django, json, sys
import onechoice.settings as production
# No collectstatic for this test: the 404 and 403 pages read the plain static files instead
# of the manifest (the 500 page names no static file through the storage at all).
production.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
django.setup()
from django.conf import settings
from django.test import Client
assert not settings.DEBUG
client = Client(raise_request_exception=False)
home = client.get("/", secure=True)           # the database cannot be opened: a 500
missing = client.get("/meetings/0/", secure=True)
forbidden = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x"}, secure=True)
print(json.dumps({"home": [home.status_code, home.content.decode()],
                  "missing": [missing.status_code, missing.content.decode()],
                  "csrf": [forbidden.status_code, forbidden.content.decode()]}))
"""


def test_production_logs_json_lines_and_the_500_page_needs_no_database(tmp_path):
    from tests.onechoice.test_two_servers import production_env

    env = production_env(f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite3'}", tmp_path)
    env |= {"ALLOWED_HOSTS": "testserver", "DJANGO_SETTINGS_MODULE": "onechoice.settings"}
    (tmp_path / "static").mkdir()  # STATIC_ROOT (WhiteNoise warns on stderr without it)
    done = subprocess.run(
        [sys.executable, "-c", PRODUCTION_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    pages = json.loads(done.stdout.splitlines()[-1])
    status, body = pages["home"]
    assert status == 500 and "エラーが発生しました" in body
    status, body = pages["missing"]
    assert status == 404 and "ページが見つかりません" in body
    status, body = pages["csrf"]
    assert status == 403 and "送信を受け付けられませんでした" in body
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert lines and len(lines) == len([x for x in done.stderr.splitlines() if x.strip()]), done.stderr
    errors = [e for e in lines if e["logger"] == "django.request" and e["level"] == "ERROR"]
    assert any("OperationalError" in e.get("traceback", "") for e in errors)
    access = {e["path"]: e for e in lines if e["logger"] == "onechoice.request"}
    assert access["/"]["status"] == 500 and access["/meetings/0/"]["status"] == 404
    assert access["/accounts/login/"]["status"] == 403
    assert errors[0]["request_id"] == access["/"]["request_id"]


def test_error_pages_are_japanese(client, db, settings):
    from django.template.loader import render_to_string

    assert "リクエストが正しくありません" in render_to_string("400.html")
    assert "アクセスできません" in render_to_string("403.html")
    assert "エラーが発生しました" in render_to_string("500.html")
    client.force_login(_staff("division", roles.Role.DIVISION))
    denied = client.get("/admin/meetings/meeting/add/")
    assert denied.status_code == 403 and "アクセスできません" in denied.content.decode()
    csrf = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert csrf.status_code == 403 and "送信を受け付けられませんでした" in csrf.content.decode()


# === 11. Uploads ==============================================================================

RANDOM_NAME = re.compile(r"handouts/[0-9]{4}/[0-9a-f]{32}\.pdf")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def handout(toyama, media):
    from meetings.models import Handout
    from meetings.services import handout_save

    item = Handout.objects.get(meeting__fiscal_year=2021, meeting__number=4, kind="material", number=4)
    item.file, item.public = SimpleUploadedFile("資料4.pdf", _pdf_bytes()), False
    return handout_save(handout=item)


def test_new_uploads_get_names_nobody_can_guess(handout, client):
    from meetings.models import Handout
    from meetings.services import handout_save

    assert RANDOM_NAME.fullmatch(handout.file.name), handout.file.name
    other = Handout.objects.get(meeting__fiscal_year=2021, meeting__number=4, kind="reference", number=2)
    other.file = SimpleUploadedFile("資料4.pdf", _pdf_bytes())  # the same uploaded name
    handout_save(handout=other)
    assert RANDOM_NAME.fullmatch(other.file.name) and other.file.name != handout.file.name
    client.force_login(_staff("reader", roles.Role.MUNICIPAL))
    download = client.get(reverse("meetings:handout_file", args=[handout.pk]))
    assert download.status_code == 200
    assert "%E8%B3%87%E6%96%99" in download["Content-Disposition"]  # 資料…: from the title, not the stored name


def _urlconf(settings, *, debug: bool):
    """onechoice/urls.py as the mode builds it (DEBUG adds the photos), under another module
    name: the session's own URLconf may have been imported in either mode (a test module that
    reverses a URL at import does so before pytest-django turns DEBUG off)."""
    settings.DEBUG = debug
    name = f"onechoice_urls_{'development' if debug else 'production'}"
    spec = importlib.util.spec_from_file_location(name, ROOT / "onechoice" / "urls.py")
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "onechoice"
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("mode", ["production", "development"])
def test_media_handouts_are_never_served(handout, client, settings, mode):
    settings.ROOT_URLCONF = _urlconf(settings, debug=mode == "development")
    name = handout.file.name
    assert (settings.MEDIA_ROOT / name).exists()
    guessed = "handouts/2021/資料4.pdf"
    default_storage.save(guessed, ContentFile(_pdf_bytes()))
    for who in ("public", "secretariat"):
        if who == "secretariat":
            client.force_login(_staff("secretariat-media", roles.Role.SECRETARIAT))
        for stored in (name, guessed):
            assert client.get(f"/media/{stored}").status_code == 404, (mode, who, stored)


def test_photos_are_served_in_development_only(handout, client, settings):
    default_storage.save("photos/2021/kuma.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    settings.ROOT_URLCONF = _urlconf(settings, debug=False)
    assert client.get("/media/photos/2021/kuma.png").status_code == 404
    settings.ROOT_URLCONF = _urlconf(settings, debug=True)
    assert client.get("/media/photos/2021/kuma.png").status_code == 200
    # Not a way round to a handout (a browser resolves "..", curl --path-as-is does not).
    assert (settings.MEDIA_ROOT / handout.file.name).exists()
    for sneaky in (f"photos/../{handout.file.name}", f"photos/2021/../../{handout.file.name}"):
        assert client.get(f"/media/{sneaky}").status_code == 404, sneaky


def test_the_admin_links_handouts_to_the_download_view(handout, client):
    download = reverse("meetings:handout_file", args=[handout.pk])
    client.force_login(_staff("secretariat-admin", roles.Role.SECRETARIAT))
    for page in (
        reverse("admin:meetings_handout_change", args=[handout.pk]),
        reverse("admin:meetings_meeting_change", args=[handout.meeting_id]),
    ):
        text = client.get(page).text
        assert f'href="{download}"' in text, page
        assert "/media/" not in text and handout.file.name not in text, page
        assert f"{handout.label}_{handout.title}.pdf" in text
    # Read-only (division staff may view meetings and handouts, not change them): a link too.
    client.force_login(_staff("division-admin", roles.Role.DIVISION))
    for page in (
        reverse("admin:meetings_handout_change", args=[handout.pk]),
        reverse("admin:meetings_meeting_change", args=[handout.meeting_id]),
    ):
        response = client.get(page)
        assert response.status_code == 200
        assert f'href="{download}"' in response.text and "/media/" not in response.text, page


def test_the_admin_still_saves_a_new_upload(handout, client):
    from meetings.models import Handout
    from tests.onechoice.test_two_servers import form_fields

    client.force_login(_staff("secretariat-upload", roles.Role.SECRETARIAT))
    change = reverse("admin:meetings_handout_change", args=[handout.pk])
    form = dict(form_fields(client.get(change).text, "handout_form"))
    form |= {"file": SimpleUploadedFile("差し替え.pdf", _pdf_bytes()), "_save": "保存"}
    response = client.post(change, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    stored = Handout.objects.get(pk=handout.pk).file.name
    assert RANDOM_NAME.fullmatch(stored) and stored != handout.file.name


def test_the_migration_renames_files_stored_under_guessable_names(handout, media):
    from django.apps import apps

    from meetings.models import Handout

    migration = importlib.import_module("meetings.migrations.0004_handout_file_unguessable_names")
    content = _pdf_bytes()
    legacy = default_storage.save("handouts/2021/資料4.pdf", ContentFile(content))
    Handout.objects.filter(pk=handout.pk).update(file=legacy)
    handout.history.model.objects.filter(id=handout.pk).update(file=legacy)
    migration.rename_stored_files(apps, None)
    renamed = Handout.objects.get(pk=handout.pk).file.name
    assert RANDOM_NAME.fullmatch(renamed) and renamed.startswith("handouts/2021/")
    assert not default_storage.exists(legacy)
    assert default_storage.open(renamed).read() == content
    assert set(handout.history.model.objects.filter(id=handout.pk).values_list("file", flat=True)) == {renamed}
    migration.rename_stored_files(apps, None)  # again: nothing left to do
    assert Handout.objects.get(pk=handout.pk).file.name == renamed
