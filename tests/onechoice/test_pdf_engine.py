"""The print engine fetches only the project's own files and never reaches out."""

import http.server
import threading

import pytest

from meetings import documents
from meetings.models import AgendaItem, Meeting
from meetings.selectors import meeting_detail
from onechoice import pdf
from onechoice.services import record_save
from tests.pdf_reading import reader, text


@pytest.fixture
def listener():
    """A loopback HTTP server that records every request it gets."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def hostile_html(base: str) -> str:
    return f"""<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">
    <link rel="attachment" href="file:///etc/hostname">
    <link rel="stylesheet" href="{base}/evil.css">
    <style>@import url("{base}/import.css"); body {{ background: url("{base}/bg.png"); }}</style>
    </head><body><p>本文</p>
    <img src="file:///etc/passwd"><img src="{base}/pixel.png"><img src="https://example.com/x.png">
    <img src="/static/../../../../etc/passwd"><img src="/media/../../etc/passwd">
    <iframe src="file:///etc/passwd"></iframe><object data="file:///etc/passwd"></object>
    </body></html>"""


def test_hostile_markup_fetches_nothing_and_leaks_nothing(listener, db):
    base, hits = listener
    content = pdf.engine.render(hostile_html(base))
    assert hits == []
    document = reader(content)
    assert "本文" in text(content)
    assert b"root:" not in content
    hostname = open("/etc/hostname", "rb").read().strip()
    assert not hostname or hostname not in content
    assert "/EmbeddedFiles" not in str(document.trailer["/Root"].get("/Names", {}))
    assert not document.attachments


def test_staff_text_is_escaped_before_it_reaches_the_template(listener, toyama):
    base, hits = listener
    meeting = Meeting.objects.get(fiscal_year=2021, number=4)
    item = AgendaItem.objects.get(meeting=meeting, order=3)
    item.title = (
        f'議題<img src="file:///etc/passwd"><link rel="attachment" href="file:///etc/hostname"><img src="{base}/x.png">'
    )
    record_save(item)
    content = documents.agenda_pdf(meeting_detail(meeting.pk)).content
    assert hits == []
    assert '議題<imgsrc="file:///etc/passwd">' in text(content)  # printed as text, not obeyed
    assert not reader(content).attachments


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:8000/static/css/print.css",
        "https://example.com/static/css/print.css",
        pdf.BASE_URL + "static/../../../../etc/passwd",
        pdf.BASE_URL + "media/../manage.py",
        pdf.BASE_URL + "etc/passwd",
        pdf.BASE_URL + "static/css/missing.css",
    ],
)
def test_the_fetcher_refuses(url):
    fetcher = pdf._fetcher_class()()
    with pytest.raises(ValueError):
        fetcher.fetch(url)


def test_the_fetcher_serves_project_files_and_data_urls():
    fetcher = pdf._fetcher_class()()
    response = fetcher.fetch(pdf.BASE_URL + "static/css/print.css")
    assert b"@font-face" in response.read() and response.content_type == "text/css"
    assert fetcher.fetch("data:text/plain;base64,5pys5paH").read() == "本文".encode()


def test_missing_harfbuzz_subset_is_a_loud_startup_error(monkeypatch):
    from weasyprint.text import ffi

    from onechoice import checks

    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    errors = checks.check_print_engine(None)
    assert [e.id for e in errors] == ["onechoice.E001"]
    assert "libharfbuzz-subset0" in errors[0].msg
    # Registered: Django's own run (manage.py check, runserver, migrate) reports it.
    from django.core.checks import run_checks

    assert "onechoice.E001" in [e.id for e in run_checks()]
    monkeypatch.undo()
    assert "onechoice.E001" not in [e.id for e in run_checks()]
