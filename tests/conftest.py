import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from demo import reference_data
from onechoice import roles


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    where = (
        db["NAME"] if db["ENGINE"].endswith("sqlite3") else f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    )
    return f"database: {db['ENGINE'].rsplit('.', 1)[-1]} ({where})"


@pytest.fixture(autouse=True)
def _data_version_replaced_at_once(request, monkeypatch):
    """Tests run inside transactions that never commit, so the data version, which is replaced
    after a commit, is replaced at once instead. Tests marked ``real_commits`` (with
    ``transactional_db``) keep the after-commit behaviour; so does the two-server test."""
    from onechoice import data_version

    if "real_commits" not in request.keywords:
        monkeypatch.setattr(data_version, "changed", lambda using="default": data_version._replace())


@pytest.fixture(autouse=True)
def _pdf_spool(settings, tmp_path_factory):
    """Downloads are spooled in the test session's temporary directory, not the project's."""
    settings.PDF_SPOOL_DIR = tmp_path_factory.getbasetemp() / "pdf-spool"


@pytest.fixture(scope="module")
def _toyama_module(django_db_setup, django_db_blocker):
    # Loading takes about a second (every row is full_clean()ed), so a module loads it once
    # inside a transaction that is rolled back when the module ends; each test then runs in
    # its own savepoint inside it, as Django's TestCase.setUpTestData does.
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield reference_data.load()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def toyama(_toyama_module, db):
    """The real Toyama records from fixtures/toyama/, loaded as the quick start loads them.
    Modules that use it must not have tests that expect an empty database."""
    return _toyama_module


@pytest.fixture
def secretariat_client(client, db):
    groups = roles.ensure_role_groups()
    user = get_user_model().objects.create_user("test-secretariat", is_staff=True)  # no password: no slow hashing
    user.groups.add(groups[roles.Role.SECRETARIAT])
    client.force_login(user)
    return client
