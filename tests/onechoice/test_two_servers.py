"""Stateless app servers: two gunicorn processes in production mode, on two loopback ports,
share one database and nothing else.

* a login on server A is valid on server B (sessions live in the database);
* a packet PDF rendered by A is served by B from the shared cache, without rendering again;
* an edit made through A's admin gives a new packet on A and on B.

The database is a fresh one made for these servers: on the PostgreSQL server of DATABASE_URL
when it is set (created here and dropped at the end, apart from pytest-django's test
database), else a temporary SQLite file. It is prepared as README's production section says,
by the same commands in subprocesses.

Production cookies are Secure, so a plain-HTTP client would drop them; this client keeps its
cookies by hand and says, as the load balancer does, that the request came over HTTPS
(X-Forwarded-Proto, SECURE_PROXY_SSL_HEADER). The production settings are not weakened.
"""

from __future__ import annotations

import http.client
import http.cookies
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import dj_database_url
import pytest

from tests.pdf_reading import text as pdf_text

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
NEW_VENUE = "富山県民会館 701号室（二台目のサーバーで確認）"


# --- the shared database ---------------------------------------------------------------------


@dataclass
class SharedDatabase:
    url: str
    sqlite_path: Path | None = None

    def query(self, sql: str) -> list[tuple]:
        if self.sqlite_path:
            with sqlite3.connect(self.sqlite_path) as conn:
                return conn.execute(sql).fetchall()
        import psycopg2

        conn = psycopg2.connect(self.url)
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()
        finally:
            conn.close()


def _postgres_admin(settings: dict):
    import psycopg2

    conn = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
    )
    conn.autocommit = True
    return conn


@pytest.fixture(scope="module")
def shared_database(tmp_path_factory):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        path = tmp_path_factory.mktemp("two-servers") / "shared.sqlite3"
        yield SharedDatabase(f"sqlite:///{path}", sqlite_path=path)
        return
    settings = dj_database_url.parse(url)
    name = f"onechoice_two_servers_{secrets.token_hex(4)}"
    conn = _postgres_admin(settings)
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    try:
        yield SharedDatabase(urlunsplit(urlsplit(url)._replace(path=f"/{name}")))
    finally:
        conn = _postgres_admin(settings)
        try:
            with conn.cursor() as cursor:
                force = " WITH (FORCE)" if conn.server_version >= 130000 else ""
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"{force}')
        finally:
            conn.close()


# --- the servers -----------------------------------------------------------------------------


def production_env(database_url: str, tmp: Path) -> dict:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "STORAGE_", "SECURE_", "DJANGO_"))
        and k
        not in {
            "DATABASE_URL",
            "ONECHOICE_ENV",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "CSRF_TRUSTED_ORIGINS",
            "STATIC_ROOT",
            "MEDIA_ROOT",
            "PDF_SPOOL_DIR",
            "DEBUG",
        }
    }
    return inherited | {
        "ONECHOICE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
    }


def manage(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen, what: str) -> None:
    output, _ = process.communicate(timeout=180)
    assert process.returncode == 0, f"{what} failed:\n{output}"


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path
    spool: Path  # its own download spool, as on its own machine

    def log_tail(self) -> str:
        return f"--- {self.name}'s log ---\n" + "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])


def start_server(name: str, env: dict, tmp: Path) -> Server:
    # The listening socket is made here and handed to gunicorn (fd://), so the free port
    # cannot be taken by someone else between choosing it and binding it.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    sock.set_inheritable(True)
    log = tmp / f"server-{name}.log"
    spool = tmp / f"spool-{name}"
    env = env | {"PDF_SPOOL_DIR": str(spool)}
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
                "1",
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
                "--access-logfile",
                "-",
                "--name",
                f"onechoice-{name}",
                "--no-control-socket",  # both would claim the one default path ($HOME/.gunicorn)
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            pass_fds=[sock.fileno()],
            start_new_session=True,
        )
        return Server(name, sock.getsockname()[1], process, log, spool)
    finally:
        sock.close()


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)  # the master and its worker
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=15)


def wait_until_healthy(server: Server, deadline: float) -> None:
    while time.monotonic() < deadline:
        assert server.process.poll() is None, f"server {server.name} exited\n{server.log_tail()}"
        try:
            # Plain HTTP, as a load balancer probes: /health/ is exempt from the HTTPS redirect.
            conn = http.client.HTTPConnection(HOST, server.port, timeout=5)
            conn.request("GET", "/health/", headers={"Host": HOST})
            response = conn.getresponse()
            body = response.read()
            if response.status == 200:
                assert body == b'{"status": "ok", "database": "ok", "cache": "ok"}'
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"server {server.name} did not become healthy\n{server.log_tail()}")


@pytest.fixture(scope="module")
def servers(shared_database, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("two-servers-run")
    env = production_env(shared_database.url, tmp)
    # README's production commands, against the shared database (collectstatic needs none).
    collectstatic = manage(env, "collectstatic", "--noinput")
    finish(manage(env, "migrate", "--noinput"), "migrate")
    finish(manage(env, "createcachetable"), "createcachetable")
    finish(manage(env, "load_toyama", "--if-empty"), "load_toyama")
    # Demo accounts are never created in production mode: the same database, development mode.
    finish(manage(env | {"ONECHOICE_ENV": "development"}, "create_demo_users"), "create_demo_users")
    finish(collectstatic, "collectstatic")

    started = [start_server("A", env, tmp), start_server("B", env, tmp)]
    try:
        deadline = time.monotonic() + 60
        for server in started:
            wait_until_healthy(server, deadline)
        yield started
    finally:
        for server in started:
            stop_server(server)


# --- a browser, by hand ----------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Browser:
    """One person's cookies, shared by both servers as a browser shares them between the app
    servers behind one load balancer."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        server: Server,
        method: str,
        path: str,
        form: list[tuple[str, str]] | None = None,
        headers: dict | None = None,
    ) -> Response:
        origin = f"https://{HOST}:{server.port}"
        sent = {"Host": f"{HOST}:{server.port}", "X-Forwarded-Proto": "https"} | (headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            sent |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + path}
        conn = http.client.HTTPConnection(HOST, server.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                assert morsel["secure"], f"{name} cookie is not Secure: {header}"
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, server: Server, path: str, **headers) -> Response:
        return self.request(server, "GET", path, headers={k.replace("_", "-"): v for k, v in headers.items()})


class FormFields(HTMLParser):
    """What a browser would submit from the form with the given id (files left unchanged)."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.fields: list[tuple[str, str]] = []
        self._select: tuple[str, list[str], str | None] | None = None  # name, selected, first
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("file", "submit", "button", "image", "reset"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [], None)
        elif tag == "option" and self._select:
            name, selected, first = self._select
            value = a.get("value", "")
            self._select = (name, selected + ([value] if "selected" in a else []), value if first is None else first)
        elif tag == "textarea" and a.get("name"):
            self._textarea = (a["name"], [])

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            name, selected, first = self._select
            self.fields += [(name, v) for v in (selected or ([first] if first is not None else []))]
            self._select = None
        elif tag == "textarea" and self._textarea:
            name, parts = self._textarea
            self.fields.append((name, "".join(parts).removeprefix("\n")))
            self._textarea = None


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(html)
    assert parser.fields, f"no form #{form_id}"
    return parser.fields


def log_in(browser: Browser, server: Server, username: str, password: str = "onechoice-demo") -> Response:
    page = browser.get(server, "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    form = [("csrfmiddlewaretoken", token), ("username", username), ("password", password), ("next", "/admin/")]
    return browser.request(server, "POST", "/accounts/login/", form=form)


# --- the test --------------------------------------------------------------------------------


def test_two_app_servers_share_sessions_cached_pdfs_and_edits(servers, shared_database):
    started = time.monotonic()
    a, b = servers
    try:
        _check(a, b, shared_database)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{a.log_tail()}\n{b.log_tail()}") from None
    assert time.monotonic() - started < 60


def _check(a: Server, b: Server, db: SharedDatabase) -> None:
    browser = Browser()

    # Production headers, answered by either server.
    home = browser.get(b, "/")
    assert home.status == 200
    assert home.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "default-src 'self'" in home.headers["Content-Security-Policy"]
    assert home.headers["X-Frame-Options"] == "DENY"
    assert home.headers["X-Content-Type-Options"] == "nosniff"
    assert home.headers["Referrer-Policy"] == "same-origin"
    # Static files: hashed names from collectstatic, compressed, cached for ever, by WhiteNoise.
    stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', home.text).group(1)
    css = browser.get(a, stylesheet, Accept_Encoding="br, gzip")
    assert css.status == 200 and css.headers["Content-Encoding"] in ("br", "gzip")
    assert "immutable" in css.headers["Cache-Control"]
    # Plain HTTP (no X-Forwarded-Proto) is sent to HTTPS.
    conn = http.client.HTTPConnection(HOST, a.port, timeout=30)
    conn.request("GET", "/", headers={"Host": HOST})
    assert conn.getresponse().status == 301
    conn.close()

    # 1. A login on A is valid on B.
    assert browser.get(b, "/admin/").status == 302  # not logged in yet: to the admin login
    response = log_in(browser, a, "secretariat")
    assert response.status == 302 and response.headers["Location"] == "/admin/", response.text[:2000]
    assert "sessionid" in browser.cookies
    admin_on_b = browser.get(b, "/admin/")
    assert admin_on_b.status == 200
    assert "/admin/logout/" in admin_on_b.text and "/admin/meetings/meeting/" in admin_on_b.text

    # 2. A packet rendered by A is served by B from the shared cache.
    [(meeting_id,)] = db.query(
        "SELECT id FROM meetings_meeting WHERE fiscal_year = 2021 AND number = 4 AND kind = 'regular'"
    )
    packet = f"/meetings/{meeting_id}/packet.pdf"

    def cached_pdfs() -> set[tuple]:
        """The cache's PDF rows with their expiry: a render on any server writes (or rewrites)
        its row with a new expiry; serving from the cache writes nothing."""
        return set(db.query("SELECT cache_key, expires FROM onechoice_cache WHERE cache_key LIKE '%:pdf:%'"))

    assert cached_pdfs() == set()
    first = browser.get(a, packet)
    assert first.status == 200 and first.headers["Content-Type"] == "application/pdf"
    etag = first.headers["ETag"]
    assert "県民会館8階バンケットホール" in pdf_text(first.body)
    after_a = cached_pdfs()
    assert len(after_a) >= 4  # agenda, attendee list, seating chart, … and the packet itself

    spooled = f"{etag.strip(chr(34))}.pdf"
    assert (a.spool / spooled).read_bytes() == first.body and not (b.spool / spooled).exists()
    from_b = browser.get(b, packet)
    assert from_b.status == 200 and from_b.headers["ETag"] == etag and from_b.body == first.body
    assert cached_pdfs() == after_a, "B rendered the packet again instead of using A's"
    assert (b.spool / spooled).read_bytes() == first.body  # B's own copy, from the shared cache
    not_modified = browser.get(b, packet, If_None_Match=etag)
    assert not_modified.status == 304 and not_modified.body == b""

    # Pages too: built by the first server asked, served by the other from the shared cache.
    def cached_pages() -> set[tuple]:
        return set(db.query("SELECT cache_key, expires FROM onechoice_page_cache WHERE cache_key LIKE '%:page:%'"))

    meeting_page = f"/meetings/{meeting_id}/"
    pages_before = cached_pages()  # the home page asked for above
    assert "県民会館8階バンケットホール" in browser.get(a, meeting_page).text
    pages_after_a = cached_pages()
    assert len(pages_after_a - pages_before) == 1
    assert "県民会館8階バンケットホール" in browser.get(b, meeting_page).text
    assert cached_pages() == pages_after_a, "B built the page again instead of using A's"

    # 3. An edit through A's admin gives a new packet and a new page on both servers.
    change = f"/admin/meetings/meeting/{meeting_id}/change/"
    form = form_fields(browser.get(a, change).text, "meeting_form")
    assert ("venue", "県民会館8階バンケットホール") in form
    form = [(k, NEW_VENUE if k == "venue" else v) for k, v in form] + [("_save", "保存")]
    saved = browser.request(a, "POST", change, form=form)
    errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', saved.text)
    assert saved.status == 302, f"the admin refused the change: {saved.status} {errors}"

    new_on_a = browser.get(a, packet, If_None_Match=etag)
    assert new_on_a.status == 200 and new_on_a.headers["ETag"] != etag
    assert NEW_VENUE.replace(" ", "") in pdf_text(new_on_a.body)
    assert "県民会館8階バンケットホール" not in pdf_text(new_on_a.body)
    after_edit = cached_pdfs()
    new_on_b = browser.get(b, packet, If_None_Match=etag)
    assert new_on_b.status == 200 and new_on_b.headers["ETag"] == new_on_a.headers["ETag"]
    assert new_on_b.body == new_on_a.body
    assert cached_pdfs() == after_edit, "B rendered the new packet again instead of using A's"
    assert NEW_VENUE in browser.get(b, meeting_page).text
    # The agenda on its own is new on B too.
    agenda = browser.get(b, f"/meetings/{meeting_id}/agenda.pdf")
    assert NEW_VENUE.replace(" ", "") in pdf_text(agenda.body)
