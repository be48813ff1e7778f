"""The portal's performance baseline: pages, PDFs and a meeting-day burst under gunicorn on
loopback, at 1×, 10× and 100× the real records. Not a test: figures depend on the machine.

    .venv/bin/python -m benchmarks.run                 # 1×, 10×, 100× (about 8 minutes on 2 CPUs)
    .venv/bin/python -m benchmarks.run --scales 1,10   # a shorter run
    DATABASE_URL=postgres://… .venv/bin/python -m benchmarks.run   # on PostgreSQL

For each scale, in a throwaway database (a SQLite file in a temporary directory; with
DATABASE_URL a new PostgreSQL database next to the one named, created and dropped again, so
the role needs CREATEDB): migrate, createcachetable, load_toyama, generate_synthetic
--factor N --seed 1, create_demo_users. Then:

1. in-process (benchmarks/measure.py): the queries of each page (test Client +
   CaptureQueriesContext) and PDF render times of the FY R3 4th meeting's documents, cold
   (cache cleared, fresh engine), warm (cached) and the raw engine (engine.render of the same
   HTML);
2. gunicorn serving ``onechoice.wsgi`` on 127.0.0.1 in production mode, with
   benchmarks/settings.py (the portal's settings + the bare view /bench/bare/); the demo
   municipal officer logs in through the login form, then benchmarks/load.py (threads,
   keep-alive http.client) measures each page: latency alone (one client, p50/p95) and
   requests per second under load (several clients), beside the bare view;
3. the meeting-day burst: 200 clients download the same packet at once (one request each,
   every socket and the whole burst bounded in time).

Prints a table; writes it to benchmarks/results/latest.txt and everything measured to
benchmarks/results/latest.json, with the machine described. A shared machine skews the
figures: the table says how many CPUs other programs kept busy during each measurement, and a
page or the burst is measured again (twice at most) when that was more than a quarter of a CPU.

Targets (issue 6): queries per page constant across scales; page p95 ≤ 50 ms at 10×; pages
≥ 60 % of the bare view's requests per second; burst with 0 errors and p95 ≤ 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import load  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
HOST = "127.0.0.1"
USERNAME, PASSWORD = "municipal", "onechoice-demo"  # create_demo_users
SEED = 1
BARE = "bare view"
FLOOR = "logged-in floor"  # session and user lookups, nothing else
REFERENCES = (FLOOR, BARE)
TARGET_P95_MS = 50  # pages at 10×
TARGET_SHARE_OF_BARE = 0.60
TARGET_BURST_P95_MS = 1000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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
    env.update({
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": db.url,
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "PDF_SPOOL_DIR": str(workdir / "spool"),
        "DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    })
    if production:
        env.update({
            "ONECHOICE_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": f"{HOST},localhost,testserver",
            "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback; TLS ends at the load balancer
            "SECURE_HSTS_SECONDS": "0",
        })
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
            sys.executable, "-m", "gunicorn", "onechoice.wsgi",
            "--bind", f"{HOST}:{self.port}", "--workers", str(workers),
            "--worker-class", "gthread", "--threads", str(threads),
            "--keep-alive", "5", "--timeout", "120", "--backlog", "2048",
            "--error-logfile", str(self.log_path), "--log-level", "warning",
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
    conn.request("POST", "/accounts/login/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookies['csrftoken']}",
    })
    response = conn.getresponse()
    response.read()
    cookies |= _cookies(response)
    conn.close()
    if response.status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"login as {USERNAME} failed: HTTP {response.status}")
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Accept-Language": "ja"}


class OtherLoad:
    """How many CPUs other programs kept busy meanwhile: the machine's busy time (/proc/stat)
    less this benchmark's own (this process and its children: gunicorn and its workers; on a
    local PostgreSQL also the server processes serving the benchmark's database, whose command
    line names it). Anything well above 0 means the figures are lower than on a quiet machine."""

    database: str | None = None  # set for PostgreSQL: the benchmark database's name

    def __init__(self):
        self.cpus: float | None = None

    @staticmethod
    def _machine() -> int:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return fields[0] + fields[1] + fields[2]  # user + nice + system, as processes are charged

    @classmethod
    def _ours(cls) -> int:
        parents, ticks, serving = {}, {}, set()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            # utime + stime, and cutime + cstime of its children that have ended
            ticks[int(entry)] = sum(int(v) for v in fields[11:15])
            if cls.database and stat.split("(", 1)[1].startswith("postgres"):
                try:
                    if f" {cls.database} ".encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                        serving.add(int(entry))
                except OSError:
                    pass
        ours, changed = {os.getpid(), *serving}, True
        while changed:  # this process and its descendants
            changed = False
            for pid, parent in parents.items():
                if parent in ours and pid not in ours:
                    ours.add(pid)
                    changed = True
        return sum(ticks.get(pid, 0) for pid in ours)

    def __enter__(self):
        self._start = (self._machine(), self._ours(), time.monotonic())
        return self

    def __exit__(self, *exc):
        try:
            busy0, ours0, t0 = self._start
            busy1, ours1 = self._machine(), self._ours()
            seconds = time.monotonic() - t0
            others = (busy1 - busy0) - (ours1 - ours0)
            self.cpus = round(max(0, others) / os.sysconf("SC_CLK_TCK") / seconds, 2) if seconds else None
        except (OSError, ValueError, IndexError):
            self.cpus = None  # not Linux: unknown


def quietest(measure, args, what: str):
    """``measure()`` → (result, other CPUs); run again (``--retries`` times at most) while
    other programs keep more than ``--busy`` CPUs busy; the quietest run counts."""
    best = None
    for attempt in range(args.retries + 1):
        result, others = measure()
        if best is None or (others or 0) < (best[1] or 0):
            best = (result, others)
        if others is None or others <= args.busy:
            break
        if attempt < args.retries:
            log(f"    {what}: other programs kept {others} CPUs busy; measuring again")
    return best


def measure_pages(port: int, headers: dict, pages: dict[str, str], args) -> dict:
    """Each page for the demo officer (one client alone, then under load) and for the public
    (under load; no session cookie), beside the reference views."""
    public_headers = {"Accept-Language": headers["Accept-Language"]}
    results = {}
    for name, path in pages.items():
        status, _, _ = load.Client(HOST, port, headers).get(path)
        if status != 200:
            raise SystemExit(f"{name} {path}: HTTP {status} from gunicorn")
        load.run(HOST, port, path, headers=headers, clients=args.clients, duration=1)  # warm every worker
        for_public = name not in REFERENCES
        if for_public:
            status, _, _ = load.Client(HOST, port, public_headers).get(path)
            if status != 200:
                raise SystemExit(f"{name} {path}: HTTP {status} for the public")

        def measure(path=path, for_public=for_public):
            with OtherLoad() as others:
                alone = load.run(HOST, port, path, headers=headers, clients=1, requests=args.latency_requests,
                                 duration=args.duration * 2)
                loaded = load.run(HOST, port, path, headers=headers, clients=args.clients, duration=args.duration)
                public = load.run(HOST, port, path, headers=public_headers, clients=args.clients,
                                  duration=args.duration) if for_public else None
            return (alone, loaded, public), others.cpus

        (alone, loaded, public), others = quietest(measure, args, name)
        results[name] = {
            "path": path, "alone": alone.summary(), "loaded": loaded.summary(),
            "public": public.summary() if public else None, "other_cpus": others,
        }
        errors = alone.errors + loaded.errors + (public.errors if public else 0)
        log(f"    {name}: p50 {alone.percentile(50):.1f} ms, p95 {alone.percentile(95):.1f} ms alone; "
            f"{loaded.rps:.0f} req/s with {args.clients} clients"
            + (f", {public.rps:.0f} req/s for the public" if public else "")
            + f" (errors {errors}; other programs kept {others} CPUs busy)")
    return results


def measure_burst(port: int, headers: dict, path: str, args) -> dict:
    status, body, _ = load.Client(HOST, port, headers, timeout=120).get(path)  # cached by now; make sure
    if status != 200:
        raise SystemExit(f"packet {path}: HTTP {status}")
    def measure():
        with OtherLoad() as others:
            result = load.burst(HOST, port, path, headers=headers, clients=args.burst_clients,
                                timeout=args.burst_timeout, overall=args.burst_timeout * 3)
        return result, others.cpus

    result, others = quietest(measure, args, "burst")
    summary = result.summary() | {"packet_bytes": len(body), "other_cpus": others}
    log(f"    burst: {result.ok} ok, {result.errors} errors, p50 {result.percentile(50) or 0:.0f} ms, "
        f"p95 {result.percentile(95) or 0:.0f} ms, {result.elapsed:.1f} s in all")
    return summary


# ------------------------------------------------------------------------------------------


def run_scale(scale: int, workdir: Path, args) -> dict:
    db = Database(scale, workdir, os.environ.get("DATABASE_URL"))
    OtherLoad.database = db.name if db.server_url else None
    log(f"== {scale}× ({db.vendor}) ==")
    try:
        t0 = time.perf_counter()
        steps = prepare(db, workdir)
        log(f"  prepared in {time.perf_counter() - t0:.0f} s: {steps}")
        env = environment(db, workdir, production=not args.development)
        if not (workdir / "static").exists():
            manage(env, "collectstatic", "--no-input")
        out = workdir / f"measure-{scale}x.json"
        log("  in-process: queries per page, PDF render times")
        with OtherLoad() as others:
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.measure", str(out), str(args.cold_runs), str(args.warm_runs)],
                cwd=ROOT, env=env, check=False,
            )
        if done.returncode:
            raise SystemExit("benchmarks.measure failed")
        inproc = json.loads(out.read_text(encoding="utf-8"))
        inproc["pdf_other_cpus"] = others.cpus
        log(f"    queries: {inproc['queries']}")
        with Server(env, workdir, workers=args.workers, threads=args.threads) as server:
            headers = log_in(server.port)
            log(f"  gunicorn on {HOST}:{server.port} ({args.workers} workers × {args.threads} threads)")
            pages = measure_pages(server.port, headers, inproc["paths"]["pages"], args)
            burst = measure_burst(server.port, headers, inproc["paths"]["documents"]["packet"], args)
        return {
            "scale": scale, "database": db.vendor, "prepare_seconds": steps, "rows": inproc["rows"],
            "code": inproc.get("code"),
            "queries": inproc["queries"], "pages": pages,
            "pdf": inproc["pdf"], "pdf_other_cpus": inproc["pdf_other_cpus"],
            "burst": burst,
        }
    finally:
        if not args.keep:
            db.drop()


def machine(args, vendor: str) -> dict:
    import django

    cpu = ""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "")
    except OSError:
        pass
    info = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(), "cpu_model": cpu or platform.processor(),
        "memory_gb": _memory_gb(),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "django": django.get_version(),
        "gunicorn": _version("gunicorn"), "weasyprint": _version("weasyprint"),
        "database": _database_version(vendor),
        "server": f"gunicorn gthread, {args.workers} workers × {args.threads} threads, "
                  f"{'development' if args.development else 'production'} settings (benchmarks.settings), DEBUG off",
        "load_generator": (
            f"Python threads + http.client keep-alive on the same machine; {args.clients} clients under load, "
            f"1 alone ({args.latency_requests} requests); {args.duration:g} s per load run"
        ),
    }
    return info


def _memory_gb():
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        return None


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def _database_version(vendor: str) -> str:
    if vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (file in a temporary directory)"
    import psycopg2

    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    try:
        with conn.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]} ({urlsplit(os.environ['DATABASE_URL']).hostname})"
    finally:
        conn.close()


# ------------------------------------------------------------------------------------------
# Targets and the table


def _share(rps: float | None, of: float | None) -> float | None:
    return rps / of if rps is not None and of else None


def _shares_below(scales: dict[int, dict], rps_of) -> tuple[list, dict]:
    shares = {}
    for s, r in scales.items():
        bare = r["pages"][BARE]["loaded"]["rps"]
        for n in r["pages"]:
            if n not in REFERENCES:
                shares[(s, n)] = _share(rps_of(r["pages"][n]), bare) or 0
    return sorted((v, s, n) for (s, n), v in shares.items() if v < TARGET_SHARE_OF_BARE), shares


def _below_detail(below: list) -> str:
    if not below:
        return "met by every page at every scale"
    detail = "below: " + ", ".join(f"{n} at {s}× {v:.0%}" for v, s, n in below[:6])
    return detail + (f" (+{len(below) - 6} more)" if len(below) > 6 else "")


def evaluate(scales: dict[int, dict]) -> list[dict]:
    targets = []
    page_names = [n for n in next(iter(scales.values()))["queries"] if n not in REFERENCES]

    counts = {
        name: {s: (r["queries"][name]["built"], r["queries"][name]["cached"]) for s, r in scales.items()}
        for name in page_names
    }
    varying = {name: c for name, c in counts.items() if len(set(c.values())) > 1}
    targets.append({
        "target": "queries per page constant across scales",
        "met": not varying if len(scales) > 1 else None,
        "detail": "all pages the same at " + ", ".join(f"{s}×" for s in scales) + " (built afresh and cached)"
        if not varying
        else "; ".join(f"{n}: " + " / ".join(f"{b}+{c}" for b, c in c.values()) for n, c in varying.items()),
    })

    at = 10 if 10 in scales else max(scales)
    p95 = {n: scales[at]["pages"][n]["alone"]["p95_ms"] for n in page_names}
    slow = {n: v for n, v in p95.items() if v is None or v > TARGET_P95_MS}
    worst = sorted(p95.items(), key=lambda kv: -(kv[1] or 0))
    built = {n: scales[at]["queries"][n].get("built_ms") for n in page_names}
    slowest_built = max(((v, n) for n, v in built.items() if v is not None), default=None)
    detail = "worst: " + ", ".join(f"{n} {v} ms" for n, v in worst[:3])
    if slowest_built:
        detail += f"; built afresh after an edit (in-process): at most {slowest_built[0]} ms ({slowest_built[1]})"
    targets.append({
        "target": f"page p95 ≤ {TARGET_P95_MS} ms at {at}× (one client)",
        "met": not slow, "detail": detail,
    })

    below, _ = _shares_below(scales, lambda page: (page.get("public") or {}).get("rps"))
    targets.append({
        "target": f"pages ≥ {TARGET_SHARE_OF_BARE:.0%} of the bare view's requests per second, for the public",
        "met": not below, "detail": _below_detail(below),
    })
    below, shares = _shares_below(scales, lambda page: page["loaded"]["rps"])
    floors = [_share(r["pages"][FLOOR]["loaded"]["rps"], r["pages"][BARE]["loaded"]["rps"]) for r in scales.values()
              if FLOOR in r["pages"]]
    detail = _below_detail(below)
    if floors:
        detail += (f"; the logged-in floor (session and user lookups alone) is {min(floors):.0%}–{max(floors):.0%}"
                   f" of the bare view, pages {min(shares.values()):.0%}–{max(shares.values()):.0%}")
    targets.append({
        "target": f"pages ≥ {TARGET_SHARE_OF_BARE:.0%} of the bare view's requests per second, logged in",
        "met": not below, "detail": detail,
    })

    bursts = {s: r["burst"] for s, r in scales.items()}
    ok = all(b["errors"] == 0 and (b["p95_ms"] or 1e9) <= TARGET_BURST_P95_MS for b in bursts.values())
    targets.append({
        "target": f"burst of {next(iter(bursts.values()))['clients']} packet downloads: 0 errors, "
                  f"p95 ≤ {TARGET_BURST_P95_MS} ms",
        "met": ok,
        "detail": ", ".join(f"{s}×: {b['errors']} errors, p95 {b['p95_ms']} ms" for s, b in bursts.items()),
    })
    return targets


def _fmt(value, spec="") -> str:
    return "—" if value is None else format(value, spec)


def _most_other(scale_result: dict):
    values = [p.get("other_cpus") for p in scale_result["pages"].values()]
    return max((v for v in values if v is not None), default=None)


def table(result: dict) -> str:
    m, scales = result["machine"], result["scales"]
    first = next(iter(scales.values()))
    lines = [
        f"# onechoice benchmark — {m['date']}",
        (
            f"# machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB, {m['os']}; {m['python']}, "
            f"Django {m['django']}, gunicorn {m['gunicorn']}, WeasyPrint {m['weasyprint']}"
        ),
        "# other programs on the machine meanwhile, CPUs busy (most over a page run / PDFs / burst): "
        + ", ".join(
            f"{s}× {_most_other(r)} / {r.get('pdf_other_cpus')} / {r['burst'].get('other_cpus')}"
            for s, r in scales.items()
        ),
        f"# database: {m['database']}",
        f"# server: {m['server']}",
        f"# load: {m['load_generator']}",
        f"# command: {result['command']}",
        "",
        "## Pages",
        "   logged in as the demo municipal officer: latency with one client alone, req/s under load;",
        "   public: req/s under load without a session; % bare / % floor: req/s against the reference views'",
        "   at that scale; queries: built afresh (after a change) + served from the cache; built ms: in-process",
        "   time of a page built afresh (the first request after an edit pays it);",
        "   other CPUs: CPUs other programs kept busy meanwhile (0 on a quiet machine)",
        "",
        (
            f"{'page':<18} {'scale':>5} {'queries':>7} {'built ms':>8} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7} {'% bare':>7} "
            f"{'% floor':>7} {'public':>7} {'% bare':>7} {'p95 ms loaded':>13} {'errors':>6} {'other CPUs':>10}"
        ),
    ]
    names = list(next(iter(scales.values()))["pages"])
    for name in names:
        for s, r in scales.items():
            page, bare = r["pages"][name], r["pages"][BARE]["loaded"]["rps"]
            floor = r["pages"].get(FLOOR, {}).get("loaded", {}).get("rps")
            public = page.get("public") or {}
            queries = r["queries"][name]
            errors = page["alone"]["errors"] + page["loaded"]["errors"] + public.get("errors", 0)
            share, of_floor = _share(page["loaded"]["rps"], bare), _share(page["loaded"]["rps"], floor)
            public_share = _share(public.get("rps"), bare)
            lines.append(
                f"{name:<18} {s:>4}× {queries['built']:>3}+{queries['cached']:<3} {_fmt(queries.get('built_ms'), '.1f'):>8} "
                f"{_fmt(page['alone']['p50_ms'], '.1f'):>7} {_fmt(page['alone']['p95_ms'], '.1f'):>7} "
                f"{page['loaded']['rps']:>7.0f} {_fmt(share, '.0%'):>7} {_fmt(of_floor, '.0%'):>7} "
                f"{_fmt(public.get('rps'), '.0f'):>7} {_fmt(public_share, '.0%'):>7} "
                f"{_fmt(page['loaded']['p95_ms'], '.1f'):>13} {errors:>6} {_fmt(page.get('other_cpus'), '.2f'):>10}"
            )
    lines += [
        "",
        "## PDFs of the FY R3 4th meeting (in-process, medians)",
        "   raw: engine.render of the same HTML (engine set up); cold: cache cleared, fresh engine; warm: cached;",
        "   changed: right after a change elsewhere (bytes cached, the check done again); queries: of a warm request",
        "",
        (
            f"{'document':<16} {'scale':>5} {'raw ms':>8} {'cold ms':>8} {'cold/raw':>8} {'warm ms':>8} "
            f"{'warm/raw':>8} {'changed ms':>10} {'queries':>7} {'KB':>6}"
        ),
    ]
    for name in next(iter(scales.values()))["pdf"]:
        for s, r in scales.items():
            d = r["pdf"][name]
            lines.append(
                f"{name:<16} {s:>4}× {d['raw_ms']:>8.0f} {d['cold_ms']:>8.0f} {d['cold_ratio']:>7.2f}× "
                f"{d['warm_ms']:>8.1f} {d['warm_ratio']:>7.3f}× {_fmt(d.get('changed_ms'), '.1f'):>10} "
                f"{d['warm_queries']:>7} {d['bytes'] / 1024:>6.0f}"
            )
    lines += [
        "",
        f"## Meeting-day burst: {first['burst']['clients']} clients download the same packet at once",
        "",
        f"{'scale':>5} {'ok':>4} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'total s':>7} {'MB/s':>6}",
    ]
    for s, r in scales.items():
        b = r["burst"]
        rate = b["bytes"] / 1e6 / b["seconds"] if b["seconds"] else 0
        lines.append(
            f"{s:>4}× {b['requests']:>4} {b['errors']:>6} {_fmt(b['p50_ms'], '.0f'):>7} {_fmt(b['p95_ms'], '.0f'):>7} "
            f"{_fmt(b['max_ms'], '.0f'):>7} {b['seconds']:>7.1f} {rate:>6.1f}"
        )
    lines += ["", "## Data", ""]
    for s, r in scales.items():
        steps = r["prepare_seconds"]
        lines.append(
            f"{s:>4}×: {r['rows']['items']} items, {r['rows']['meetings']} meetings; prepared in "
            f"{sum(steps.values()):.0f} s ({steps['generate_synthetic']:.0f} s of them generate_synthetic)"
        )
    lines += ["", "## Targets (issue 6)", ""]
    for t in result["targets"]:
        mark = {True: "met    ", False: "NOT met", None: "n/a    "}[t["met"]]
        lines.append(f"[{mark}] {t['target']}: {t['detail']}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    cpus = os.cpu_count() or 1
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scales", default="1,10,100", help="comma-separated factors (default 1,10,100)")
    parser.add_argument("--workers", type=int, default=2 * cpus + 1, help="gunicorn workers (default 2 × CPUs + 1)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (default 2)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients under load (default 8)")
    parser.add_argument("--duration", type=float, default=5, help="seconds per load run (default 5)")
    parser.add_argument("--latency-requests", type=int, default=200, help="requests of the one-client run")
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--warm-runs", type=int, default=5)
    parser.add_argument("--burst-clients", type=int, default=200)
    parser.add_argument("--burst-timeout", type=float, default=60, help="seconds per socket; the burst ends after 3×")
    parser.add_argument("--busy", type=float, default=0.25,
                        help="measure a page or the burst again when other programs kept more CPUs busy (default 0.25)")
    parser.add_argument("--retries", type=int, default=2, help="at most this many times (default 2)")
    parser.add_argument("--development", action="store_true", help="serve with development settings (DEBUG still off)")
    parser.add_argument("--keep", action="store_true", help="keep the databases and the temporary directory")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where latest.json and latest.txt go")
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",") if s.strip()]

    workdir = Path(tempfile.mkdtemp(prefix="onechoice-bench-"))
    log(f"working directory {workdir}")
    started = time.perf_counter()
    try:
        results = {s: run_scale(s, workdir, args) for s in scales}
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    vendor = next(iter(results.values()))["database"]
    given = sys.argv[1:] if argv is None else argv
    result = {
        "command": " ".join(["python -m benchmarks.run", *given]),
        "machine": machine(args, vendor),
        "seconds": round(time.perf_counter() - started),
        "scales": {str(s): r for s, r in results.items()},
    }
    result["targets"] = evaluate(results)
    text = table(result | {"scales": results})
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (args.out / "latest.txt").write_text(text, encoding="utf-8")
    log(f"written {args.out / 'latest.txt'} and latest.json ({result['seconds']} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
