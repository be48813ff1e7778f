"""Conditional downloads: 304 only for the ETag of the bytes the client holds."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda_url(toyama):
    from meetings.models import Meeting

    return f"/meetings/{Meeting.objects.get(fiscal_year=2021, kind='regular', number=4).pk}/agenda.pdf"


def test_only_the_documents_own_etag_answers_304(client, agenda_url):
    first = client.get(agenda_url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    digest = etag.strip('"')
    one_off = digest[:-1] + ("1" if digest.endswith("0") else "0")  # differs in its last character
    for other in ('"0000"', f'"{one_off}"', "*garbage*", ""):
        response = client.get(agenda_url, HTTP_IF_NONE_MATCH=other)
        assert response.status_code == 200, other
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    for same in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        response = client.get(agenda_url, HTTP_IF_NONE_MATCH=same)
        assert response.status_code == 304, same
        assert response["ETag"] == etag
