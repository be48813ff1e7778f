"""/health/ answers the load balancer: 200 when the database and the shared cache work, 503
(saying which failed, not why) when either does not."""

import pytest
from django.db import connection


def test_healthy(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_database_down_is_a_503(client, db, monkeypatch):
    class Down:
        def __getattr__(self, name):
            raise RuntimeError("connection refused: secret details")

    # The view's own handles on the database and on the cache, which lives in the same database.
    monkeypatch.setattr("onechoice.views.connection", Down())
    monkeypatch.setattr("onechoice.views.cache", Down())
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "error"}
    assert b"secret details" not in response.content


@pytest.mark.django_db(transaction=True)
def test_missing_cache_table_is_a_503(client):
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE onechoice_cache")
    try:
        response = client.get("/health/")
        assert response.status_code == 503
        assert response.json() == {"status": "error", "database": "ok", "cache": "error"}
    finally:
        from django.core.management import call_command

        call_command("createcachetable", verbosity=0)
