"""The data version after real commits (transactional_db; kept out of modules that load the
Toyama records inside one long transaction): replaced once per committed transaction, never
for a rolled-back one, and a committed edit shows on the next request."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from onechoice import data_version
from projects.models import Project
from tests.onechoice.test_page_cache import get


def _replacements(queries) -> int:
    return sum('UPDATE "onechoice_dataversion"' in q["sql"] for q in queries)


@pytest.mark.real_commits
@pytest.mark.django_db(transaction=True)
def test_the_version_is_replaced_once_after_each_commit_and_never_on_rollback():
    before = data_version.current()
    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            project = Project.objects.create(title="一つ目", first_fiscal_year=2030)
            project.title = "二つ目"
            project.save()
            assert data_version.current() == before  # not before the commit
    after = data_version.current()
    assert after != before and _replacements(queries) == 1

    try:
        with transaction.atomic():
            Project.objects.create(title="取り消される", first_fiscal_year=2030)
            raise RuntimeError
    except RuntimeError:
        pass
    assert data_version.current() == after

    # A savepoint that rolls back drops its replacement; a later write in the same
    # transaction schedules one again.
    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    Project.objects.create(title="取り消される", first_fiscal_year=2030)
                    raise RuntimeError
            except RuntimeError:
                pass
            Project.objects.create(title="残る", first_fiscal_year=2030)
    assert data_version.current() != after and _replacements(queries) == 1


@pytest.mark.real_commits
@pytest.mark.django_db(transaction=True)
def test_a_committed_edit_shows_on_the_next_request(client):
    project = Project.objects.create(title="公開前の題名", first_fiscal_year=2030)
    path = f"/projects/{project.pk}/"
    assert "公開前の題名" in get(client, path)
    get(client, path, queries=2)  # kept
    with transaction.atomic():
        project.title = "確定した題名"
        project.save()
        assert "公開前の題名" in get(client, path)  # not committed yet: still the kept page
    assert "確定した題名" in get(client, path)


@pytest.mark.real_commits
@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_the_next_one_its_replacement():
    # The first write of a transaction that rolls back opened a batch; its callbacks were
    # dropped, so the next committed write must still replace the version.
    before = data_version.current()
    try:
        with transaction.atomic():
            Project.objects.create(title="取り消される", first_fiscal_year=2030)
            raise RuntimeError
    except RuntimeError:
        pass
    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            Project.objects.create(title="残る", first_fiscal_year=2030)
    assert data_version.current() != before and _replacements(queries) == 1


def test_the_release_is_taken_from_the_environment(monkeypatch):
    monkeypatch.setenv("ONECHOICE_RELEASE", "r2026-12-03")
    data_version.release.cache_clear()
    try:
        assert data_version.release() == "r2026-12-03"
        monkeypatch.delenv("ONECHOICE_RELEASE")
        data_version.release.cache_clear()
        assert len(data_version.release()) == 16  # the hash of the code, templates and styles
    finally:
        data_version.release.cache_clear()
