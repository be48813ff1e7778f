import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from onechoice.models import Official, Organization
from onechoice.services import record_save
from tests import factories

pytestmark = pytest.mark.django_db


def errors_of(instance, **kwargs) -> dict:
    with pytest.raises(ValidationError) as error:
        record_save(instance, **kwargs)
    return error.value.message_dict


def test_a_municipality_with_a_bad_code_is_refused_and_not_saved():
    errors = errors_of(Organization(name="朝日町", kind="municipality", protocol_order=15, lg_code="163430"))
    assert errors["lg_code"] == [
        "地方公共団体コード「163430」の検査数字が正しくありません（末尾は 1 になるはずです）。"
    ]
    assert not Organization.objects.exists()


def test_local_governments_need_a_code_and_associations_must_not_have_one():
    assert "lg_code" in errors_of(Organization(name="朝日町", kind="municipality", protocol_order=15))
    assert errors_of(Organization(name="富山県市長会", kind="association", protocol_order=16, lg_code="162019")) == {
        "lg_code": ["地方公共団体コードは県・市町村にだけ入力します。"]
    }


def test_a_code_is_used_by_one_organization_only():
    factories.municipality()
    errors = errors_of(Organization(name="富山市（重複）", kind="municipality", protocol_order=2, lg_code="162019"))
    assert "lg_code" in errors or "__all__" in errors


def test_official_term_must_end_after_it_starts():
    org = factories.municipality()
    official = Official(
        organization=org,
        title="富山市長",
        name="藤井 裕久",
        valid_from=dt.date(2021, 4, 25),
        valid_to=dt.date(2021, 4, 1),
    )
    assert errors_of(official) == {"valid_to": ["退任日は就任日より後の日付にしてください。"]}


def test_date_filters_render_in_templates():
    template = Template(
        "{{ d|wareki }}|{{ d|wareki_date }}|{{ d|wareki_short }}|{{ fy|fiscal_year }}|{{ fy|fiscal_year_short }}"
        "|{{ s|time_range:e }}|{{ none|wareki }}"
    )
    rendered = template.render(
        Context({"d": dt.date(2022, 1, 20), "fy": 2021, "s": dt.time(15), "e": dt.time(16, 30), "none": None})
    )
    assert rendered == "令和4年1月20日（木）|令和4年1月20日|R4.1.20|令和3年度|R3年度|午後3時～4時30分|"
