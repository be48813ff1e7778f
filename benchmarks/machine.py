"""The machine the benchmark runs on, read from /proc where Linux has it: what it is (CPU
model and count, memory, OS, Python, Django, gunicorn, WeasyPrint, the database server, how
the server and the load generator were set up) for the report, and how busy other programs
kept it during a measurement (``OtherLoad``), so that a measurement skewed by a shared machine
can be told apart and taken again.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import time
from pathlib import Path
from urllib.parse import urlsplit


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


def describe(args, vendor: str) -> dict:
    import django

    cpu = ""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "")
    except OSError:
        pass
    info = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cpu_model": cpu or platform.processor(),
        "memory_gb": _memory_gb(),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "django": django.get_version(),
        "gunicorn": _version("gunicorn"),
        "weasyprint": _version("weasyprint"),
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
