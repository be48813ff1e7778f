"""The queries of every dataset are pinned and stay the same when the data is three times
larger (the synthetic generator's copies, written through the services)."""

import pytest

from opendata.selectors import DATASETS
from tests.scale import multiply

# The rows of a dataset: one query, or three for the items (+ proposers, + departments).
ROWS = {"items": 3, "results": 1, "indicators": 1, "meetings": 1, "sessions": 1, "events": 1}
# A download: + the change history (Last-Modified, one query) and the data version (ETag).
DOWNLOAD = {slug: count + 2 for slug, count in ROWS.items()}
# /opendata/ built afresh for an anonymous visitor: the data version and a cache read, the
# change history of every dataset (one query), the rows of all six (the events' query is the
# meetings' query once more), then the cache's cull count and the write (savepoint, select,
# insert, release).
INDEX = 2 + 1 + sum(ROWS.values()) + 1 + 4


def counts(client, django_assert_num_queries):
    sizes = {}
    for slug, data in DATASETS.items():
        with django_assert_num_queries(ROWS[slug]):
            sizes[slug] = len(data.rows())
        for fmt in ("csv", "json"):
            with django_assert_num_queries(DOWNLOAD[slug]):
                assert client.get(f"/opendata/{slug}.{fmt}").status_code == 200
    with django_assert_num_queries(INDEX):
        assert client.get("/opendata/").status_code == 200
    with django_assert_num_queries(2):  # from the cache: the data version and one cache read
        assert client.get("/opendata/").status_code == 200
    return sizes


@pytest.mark.django_db
def test_queries_are_pinned_and_do_not_grow_threefold(client, toyama, django_assert_num_queries):
    at_1x = counts(client, django_assert_num_queries)
    multiply(3)  # two more copies of every item (years, results, indicators) and WG, two more full meetings
    at_3x = counts(client, django_assert_num_queries)
    for slug in ("items", "results", "indicators", "sessions"):
        assert at_3x[slug] == 3 * at_1x[slug] > 0, slug
    for slug in ("meetings", "events"):
        assert at_3x[slug] == at_1x[slug] + 2, slug
