"""The benchmark's parts still fit the portal (benchmarks/ is a command, not a timed test):
its URL configuration and bare view, the load generator, the command line and the throwaway
databases' names, the targets, the table and the files written."""

import http.server
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks import load, report


@pytest.mark.django_db
def test_bare_view_answers_ok_without_queries_beside_the_portal(client, settings):
    settings.ROOT_URLCONF = "benchmarks.urls"
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bench/bare/")
    assert response.status_code == 200 and response.content == b"ok"
    assert len(queries) == 0
    assert client.get("/accounts/login/").status_code == 200  # the portal's URLs are all there


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True  # headers and body go out in two writes

    def do_GET(self):
        body = b"ok" if self.path == "/ok" else b"no"
        self.send_response(200 if self.path == "/ok" else 500)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def tiny_server():
    class Server(http.server.ThreadingHTTPServer):
        request_queue_size = 64  # the burst connects 20 clients at once

    server = Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_load_generator_counts_requests_errors_and_percentiles(tiny_server):
    result = load.run("127.0.0.1", tiny_server, "/ok", headers={}, clients=3, requests=30)
    assert result.ok == 30 and result.errors == 0 and result.bytes == 60
    assert 0 < result.percentile(50) <= result.percentile(95) <= result.percentile(100)
    failing = load.run("127.0.0.1", tiny_server, "/fail", headers={}, clients=2, duration=0.2)
    assert failing.ok == 0 and failing.errors > 0 and failing.error_samples[0] == "HTTP 500"
    burst = load.burst("127.0.0.1", tiny_server, "/ok", headers={}, clients=20, timeout=5, overall=10)
    assert burst.ok == 20 and burst.errors == 0
    with pytest.raises(ValueError, match="loopback"):
        load.Client("192.0.2.1", 80, {})


def test_logged_in_floor_view_loads_the_user_and_nothing_else(client, settings, django_user_model):
    settings.ROOT_URLCONF = "benchmarks.urls"
    assert client.get("/bench/user/").content == b"anonymous"
    client.force_login(django_user_model.objects.create_user("officer"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bench/user/")
    assert response.content == b"ok"
    assert len(queries) == 2  # the session, the user


def _scale(rps, p95, built, burst_p95, public_rps=None):
    def page(rps, p95, public_rps=None):
        alone = {"p50_ms": p95 / 2, "p95_ms": p95, "errors": 0}
        public = {"rps": public_rps, "errors": 0} if public_rps else None
        return {"alone": alone, "loaded": {"rps": rps, "p95_ms": 4 * p95, "errors": 0}, "public": public}

    pages = {
        "home": page(rps, p95, public_rps or rps),
        "items": page(rps, p95, public_rps or rps),
        report.FLOOR: page(800, 1),
        report.BARE: page(1000, 1),
    }
    document = {
        "raw_ms": 100,
        "cold_ms": 150,
        "cold_ratio": 1.5,
        "warm_ms": 5,
        "warm_ratio": 0.05,
        "changed_ms": 50,
        "warm_queries": 7,
        "bytes": 4096,
    }
    return {
        "queries": {
            "home": {"built": built, "cached": 3, "built_ms": 12.5},
            "items": {"built": 10, "cached": 3},
            report.FLOOR: {"built": 2, "cached": 2},
            report.BARE: {"built": 0, "cached": 0},
        },
        "pages": pages,
        "pdf": {"agenda": document},
        "burst": {
            "clients": 200,
            "requests": 200,
            "errors": 0,
            "p50_ms": burst_p95 / 2,
            "p95_ms": burst_p95,
            "max_ms": burst_p95,
            "seconds": 2,
            "bytes": 10**6,
        },
        "rows": {"items": 6, "meetings": 13},
        "prepare_seconds": {"generate_synthetic": 1, "migrate": 3},
    }


def test_targets_and_table():
    scales = {1: _scale(700, 20, 8, 900), 10: _scale(650, 40, 8, 950)}
    targets = report.evaluate(scales)
    assert [t["met"] for t in targets] == [True, True, True, True, True]
    scales[10] = _scale(500, 60, 9, 1500, public_rps=700)
    targets = report.evaluate(scales)
    assert [t["met"] for t in targets] == [False, False, True, False, False]
    assert targets[0]["detail"] == "home: 8+3 / 9+3"
    assert targets[1]["detail"].endswith("built afresh after an edit (in-process): at most 12.5 ms (home)")
    assert (
        "the logged-in floor (session and user lookups alone) is 80%–80% of the bare view, pages 50%–70%"
        in (targets[3]["detail"])
    )
    text = report.table(
        {
            "machine": {
                "date": "today",
                "cpus": 2,
                "cpu_model": "cpu",
                "memory_gb": 1,
                "os": "os",
                "python": "py",
                "django": "5.2",
                "gunicorn": "23",
                "weasyprint": "70",
                "database": "db",
                "server": "s",
                "load_generator": "l",
            },
            "command": "python -m benchmarks.run",
            "scales": scales,
            "targets": targets,
        }
    )
    assert "home                 10×   9+3       12.5    30.0    60.0     500     50%     62%     700     70%" in text
    assert "[NOT met] queries per page constant" in text
    assert "[met    ] pages ≥ 60% of the bare view's requests per second, for the public" in text


def test_command_line_and_throwaway_databases(tmp_path, capsys):
    from benchmarks import harness, run

    with pytest.raises(SystemExit) as done:
        run.main(["--help"])
    assert done.value.code == 0 and "--scales SCALES" in capsys.readouterr().out
    sqlite = harness.Database(10, tmp_path, None)
    assert (sqlite.vendor, sqlite.url) == ("sqlite", f"sqlite:///{tmp_path}/bench-10x.sqlite3")
    postgres = harness.Database(10, tmp_path, "postgres://bench@db:5432/onechoice")
    assert (postgres.vendor, postgres.name) == ("postgresql", "onechoice_bench_10x")
    assert postgres.url == "postgres://bench@db:5432/onechoice_bench_10x"


def test_report_writes_the_table_and_the_results(tmp_path):
    report.write(tmp_path / "out", {"seconds": 1, "scales": {}}, "table\n")
    assert (tmp_path / "out" / "latest.txt").read_text(encoding="utf-8") == "table\n"
    assert '"seconds": 1' in (tmp_path / "out" / "latest.json").read_text(encoding="utf-8")
