"""Every page names its favicon (which answers, so no console error) and has a meta
description: the portal's by default, its own on the search and open-data pages."""

import re

import pytest

DEFAULT = "富山県と県内15市町村の「ワンチームとやま」連携推進本部"


def description(html: str) -> str:
    return re.search(r'<meta name="description" content="([^"]+)">', html).group(1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "start"),
    [("/", DEFAULT), ("/projects/", DEFAULT), ("/search/", "「ワンチームとやま」連携推進本部の連携推進項目・会議"),
     ("/opendata/", "「ワンチームとやま」連携推進本部の連携推進項目・施策の実績・指標・本部会議・WG開催をCSV")],
)  # fmt: skip
def test_pages_have_a_description_and_a_favicon(client, path, start):
    html = client.get(path).content.decode()
    assert description(html).startswith(start)
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html).group(1)
    response = client.get(icon)
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content if response.streaming else [response.content])
