"""In-process measurements for one prepared database (run by benchmarks/run.py with the
database, settings and environment of the benchmark server):

* the queries each page costs (Django's test Client and CaptureQueriesContext), logged in as
  the demo municipal officer: built afresh (right after a change) and served from the cache;
* PDF render times of the FY R3 4th meeting's documents: cold (shared caches and the
  download spool cleared, a fresh engine: new font configuration and parsed stylesheet), warm
  (served from the cache), and the raw engine (``engine.render`` of the same HTML, engine
  already set up) they are set against, and after a change elsewhere (the document's bytes
  still cached, but whether they still hold must be worked out again).

    python -m benchmarks.measure OUT.json
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from meetings.models import Meeting  # noqa: E402
from onechoice import data_version, pdf  # noqa: E402
from projects.models import Project  # noqa: E402

FISCAL_YEAR = 2021  # the real records' complete year: its 4th meeting has agenda, handouts, attendees
MUNICIPALITY = "162019"  # 富山市, the demo officer's city
PROJECT = "自治体行政のデジタル化"  # the item with the most on its page

PAGES = {
    "home": "/",
    "items": "/projects/",
    "items (filtered)": f"/projects/?fiscal_year={FISCAL_YEAR}&municipality={MUNICIPALITY}&q={quote('連携')}",
    "item detail": "/projects/{project}/",
    "meeting detail": "/meetings/{meeting}/",
    "municipality": f"/projects/municipalities/{MUNICIPALITY}/",
    "logged-in floor": "/bench/user/",
    "bare view": "/bench/bare/",
}
REFERENCES = ("logged-in floor", "bare view")  # not pages: what pages are set against
DOCUMENTS = {
    "agenda": "/meetings/{meeting}/agenda.pdf",
    "attendees": "/meetings/{meeting}/attendees.pdf",
    "seating": "/meetings/{meeting}/seating.pdf",
    "WG status": f"/workgroups/status.pdf?fiscal_year={FISCAL_YEAR}",
    "progress report": f"/projects/progress/{FISCAL_YEAR}.pdf",
    "packet": "/meetings/{meeting}/packet.pdf",
}


def paths() -> dict[str, dict[str, str]]:
    ids = {
        "meeting": Meeting.objects.get(fiscal_year=FISCAL_YEAR, kind="regular", number=4).pk,
        "project": Project.objects.get(title=PROJECT).pk,
    }
    return {
        "pages": {name: p.format(**ids) for name, p in PAGES.items()},
        "documents": {name: p.format(**ids) for name, p in DOCUMENTS.items()},
    }


def officer_client() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username="municipal"))
    return client


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    return len(queries)


def page_queries(client: Client, pages: dict[str, str], runs: int = 5) -> dict[str, dict]:
    """Queries of each page built afresh and served from the cache, and the median time to
    build it afresh (right after a change), which the first request after an edit pays."""
    counts = {}
    for name, path in pages.items():
        client.get(path)  # first request: per-process set-up (content types, templates) not counted
        data_version.changed()  # as after an edit: the page is built again
        built = _queries(client, path)
        counts[name] = {"built": built, "cached": _queries(client, path)}
        seconds = []
        for _ in range(runs):
            data_version.changed()
            t0 = time.perf_counter()
            client.get(path)
            seconds.append(time.perf_counter() - t0)
        counts[name]["built_ms"] = round(statistics.median(seconds) * 1000, 1)
    return counts


class _Recorder:
    """Wraps ``pdf.engine.render`` to keep the HTML of every render (the packet renders several)."""

    def __init__(self):
        self.html: list[str] = []
        self._original = pdf.engine.render

    def __enter__(self):
        def render(html):
            self.html.append(html)
            return self._original(html)

        pdf.engine.render = render
        return self

    def __exit__(self, *exc):
        del pdf.engine.render  # the instance attribute; the class's method shows again


def _fresh_engine():
    pdf.engine.__dict__.pop("_weasy", None)  # a new FontConfiguration and parsed stylesheet
    pdf._asset_digest = None


def _get(client, path) -> tuple[float, int]:
    t0 = time.perf_counter()
    response = client.get(path)
    body = response.getvalue()  # a file from the spool: read, as the server would send it
    seconds = time.perf_counter() - t0
    if response.status_code != 200 or response["Content-Type"] != "application/pdf":
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    return seconds, len(body)


def pdf_times(client: Client, documents: dict[str, str], *, cold_runs: int, warm_runs: int) -> dict[str, dict]:
    pdf.engine.render("<p>warm-up</p>")  # WeasyPrint imported once (about a second), as in a running server
    results = {}
    for name, path in documents.items():
        cold, html = [], []
        for _ in range(cold_runs):
            for alias in settings.CACHES:  # PDF bytes and which document was last built
                caches[alias].clear()
            shutil.rmtree(settings.PDF_SPOOL_DIR, ignore_errors=True)
            _fresh_engine()
            with _Recorder() as recorder:
                seconds, size = _get(client, path)
            cold.append(seconds)
            html = recorder.html
        warm = [_get(client, path)[0] for _ in range(warm_runs)]
        with CaptureQueriesContext(connection) as queries:
            _get(client, path)
        warm_queries = len(queries)  # now: the next request clears the connection's query log
        changed = []
        for _ in range(warm_runs):
            data_version.changed()
            changed.append(_get(client, path)[0])
        pdf.engine.render("<p>warm-up</p>")  # the engine set up, as in a running server
        raw = []
        for _ in range(cold_runs):
            t0 = time.perf_counter()
            for document in html:
                pdf.engine.render(document)
            raw.append(time.perf_counter() - t0)
        raw_ms, cold_ms, warm_ms, changed_ms = (statistics.median(x) * 1000 for x in (raw, cold, warm, changed))
        results[name] = {
            "path": path,
            "bytes": size,
            "engine_renders": len(html),
            "warm_queries": warm_queries,
            "raw_ms": round(raw_ms, 1),
            "cold_ms": round(cold_ms, 1),
            "warm_ms": round(warm_ms, 1),
            "cold_ratio": round(cold_ms / raw_ms, 2),
            "warm_ratio": round(warm_ms / raw_ms, 3),
            "changed_ms": round(changed_ms, 1),
            "changed_ratio": round(changed_ms / raw_ms, 3),
        }
        print(
            f"    {name}: raw {raw_ms:.0f} ms, cold {cold_ms:.0f} ms, warm {warm_ms:.1f} ms, "
            f"after a change {changed_ms:.1f} ms",
            file=sys.stderr,
        )
    return results


def main(out: str, cold_runs: int = 3, warm_runs: int = 5) -> None:
    urls = paths()
    client = officer_client()
    result = {
        "code": str(Path(pdf.__file__).resolve().parent.parent),  # which copy of the portal ran
        "paths": urls,
        "queries": page_queries(client, urls["pages"]),
        "pdf": pdf_times(client, urls["documents"], cold_runs=cold_runs, warm_runs=warm_runs),
        "rows": {
            "items": Project.objects.count(),
            "meetings": Meeting.objects.count(),
        },
    }
    for path in urls["documents"].values():  # leave every document cached for the server
        client.get(path)
    Path(out).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:]))
