"""The loader of the real records is all-or-nothing and says where a bad entry is."""

import shutil

import pytest

from demo import reference_data
from onechoice.models import Organization


@pytest.mark.django_db
def test_a_bad_row_loads_nothing_and_says_where(tmp_path):
    fixtures = tmp_path / "toyama"
    shutil.copytree(reference_data.FIXTURE_DIR, fixtures)
    organizations = fixtures / "organizations.yaml"
    organizations.write_text(
        organizations.read_text(encoding="utf-8").replace('"163431"', '"163430"'), encoding="utf-8"
    )
    with pytest.raises(reference_data.ReferenceDataError) as error:
        reference_data.load(fixtures)
    assert "朝日町" in str(error.value) and "検査数字" in str(error.value)
    assert not Organization.objects.exists()
