"""``render_documents``: every document of a meeting as PDF and PNG, for layout review."""

import io

from django.core.management import call_command


def test_render_documents_writes_pdf_and_png(toyama, tmp_path):
    out = io.StringIO()
    call_command("render_documents", "--out", str(tmp_path), "--dpi", "20", stdout=out)
    names = {p.name for p in tmp_path.iterdir()}
    for document in [
        "agenda",
        "attendees",
        "seating",
        "wg-status",
        "progress-report",
        "next-year-items",
        "schedule",
        "packet",
        "progress-sheet",
    ]:
        assert f"{document}.pdf" in names
        assert any(n.startswith(f"{document}-") and n.endswith(".png") for n in names), document
    assert "packet:" in out.getvalue()
