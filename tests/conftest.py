import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from onechoice import reference_data, roles


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    where = db["NAME"] if db["ENGINE"].endswith("sqlite3") else f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    return f"database: {db['ENGINE'].rsplit('.', 1)[-1]} ({where})"


@pytest.fixture
def toyama(db):
    """The real Toyama records from fixtures/toyama/, loaded as the quick start loads them."""
    return reference_data.load()


@pytest.fixture
def secretariat_client(client, db):
    groups = roles.ensure_role_groups()
    user = get_user_model().objects.create_user("secretariat", password="pw", is_staff=True)
    user.groups.add(groups[roles.SECRETARIAT])
    client.force_login(user)
    return client
