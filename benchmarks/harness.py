"""The benchmark's harness: for each scale a throwaway database (a SQLite file in the working
directory, or a PostgreSQL database created next to the one DATABASE_URL names and dropped
again), prepared by the manage.py steps (migrate, createcachetable, load_toyama,
generate_synthetic, create_demo_users: by command name, whichever app holds them), the
environment the benchmark's processes run with, and gunicorn serving the portal with the
reference views of benchmarks/urls.py (the bare view, the logged-in floor) that pages are set
against, up to logging in as the demo municipal officer through the login form.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
USERNAME, PASSWORD = "municipal", "onechoice-demo"  # create_demo_users
SEED = 1
BARE = "bare view"
FLOOR = "logged-in floor"  # session and user lookups, nothing else
REFERENCES = (FLOOR, BARE)


# ------------------------------------------------------------------------------------------
# Databases


class Database:
    """A throwaway database for one scale: a SQLite file, or a PostgreSQL database created
    next to the one DATABASE_URL names (and dropped again)."""

    def __init__(self, scale: int, workdir: Path, server_url: str | None):
        self.scale, self.server_url = scale, server_url
        if server_url:
            parts = urlsplit(server_url)
            self.name = f"{parts.path.lstrip('/') or 'onechoice'}_bench_{scale}x"
            self.url = urlunsplit(parts._replace(path="/" + self.name))
        else:
            self.name = str(workdir / f"bench-{scale}x.sqlite3")
            self.url = f"sqlite:///{self.name}"

    @property
    def vendor(self) -> str:
        return "postgresql" if self.server_url else "sqlite"

    def _admin(self, sql: str) -> None:
        import psycopg2

        conn = psycopg2.connect(self.server_url)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
        finally:
            conn.close()

    def create(self) -> None:
        if self.server_url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.server_url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            Path(self.name).unlink(missing_ok=True)


def environment(db: Database, workdir: Path, *, production: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ONECHOICE_ENV", "DJANGO_SETTINGS_MODULE")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DATABASE_URL": db.url,
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "PDF_SPOOL_DIR": str(workdir / "spool"),
            "DEBUG": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if production:
        env.update(
            {
                "ONECHOICE_ENV": "production",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": f"{HOST},localhost,testserver",
                "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback; TLS ends at the load balancer
                "SECURE_HSTS_SECONDS": "0",
            }
        )
    return env


def manage(env: dict, *args: str) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - t0


def prepare(db: Database, workdir: Path) -> dict:
    env = environment(db, workdir, production=False)  # create_demo_users refuses production mode
    db.create()
    steps = {}
    steps["migrate"] = manage(env, "migrate", "--no-input")
    steps["createcachetable"] = manage(env, "createcachetable")
    steps["load_toyama"] = manage(env, "load_toyama")
    steps["generate_synthetic"] = manage(env, "generate_synthetic", "--factor", str(db.scale), "--seed", str(SEED))
    steps["create_demo_users"] = manage(env, "create_demo_users")
    return {k: round(v, 1) for k, v in steps.items()}


# ------------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict, workdir: Path, *, workers: int, threads: int):
        self.port = free_port()
        self.log_path = workdir / f"gunicorn-{self.port}.log"
        self.command = [
            sys.executable,
            "-m",
            "gunicorn",
            "onechoice.wsgi",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--keep-alive",
            "5",
            "--timeout",
            "120",
            "--backlog",
            "2048",
            "--error-logfile",
            str(self.log_path),
            "--log-level",
            "warning",
        ]
        self.env = env
        self.process: subprocess.Popen | None = None

    def __enter__(self):
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn exited ({self.process.returncode}); see {self.log_path}:\n{self._log_tail()}"
                )
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/bench/bare/")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
                conn.close()
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise SystemExit(f"gunicorn did not answer within 60 s; see {self.log_path}:\n{self._log_tail()}")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return ""


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    cookies = {}
    for header in response.msg.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return cookies


def log_in(port: int) -> dict[str, str]:
    """Log in through the login form as the demo officer; the request headers to send."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    page = response.read().decode()
    cookies = _cookies(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if response.status != 200 or not token or "csrftoken" not in cookies:
        raise SystemExit(f"login page: HTTP {response.status}, no CSRF token")
    body = urlencode({"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token[1], "next": "/"})
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        },
    )
    response = conn.getresponse()
    response.read()
    cookies |= _cookies(response)
    conn.close()
    if response.status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"login as {USERNAME} failed: HTTP {response.status}")
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Accept-Language": "ja"}
