import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from onechoice.services import record_save
from tests import factories
from workgroups.models import WorkingGroupSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def wg():
    dept = factories.department()
    return factories.working_group(factories.project(factories.municipality(), dept), dept)


def errors_of(instance) -> dict:
    with pytest.raises(ValidationError) as error:
        record_save(instance)
    return error.value.message_dict


def test_a_planned_session_without_a_date_or_month_is_refused(wg):
    errors = errors_of(WorkingGroupSession(working_group=wg, status="planned"))
    assert errors["planned_month"] == [
        "予定の会議には開催日か、予定年と予定月（例: 5月中旬、2月予定）を入力してください。"
    ]
    assert not WorkingGroupSession.objects.exists()


def test_a_session_both_dated_and_planned_for_a_month_is_refused(wg):
    errors = errors_of(
        WorkingGroupSession(
            working_group=wg, status="planned", date=dt.date(2022, 2, 4), planned_year=2022, planned_month=2
        )
    )
    assert errors["planned_month"] == ["開催日が決まっているときは予定年・予定月を空欄にしてください。"]


def test_a_held_session_needs_its_date(wg):
    assert errors_of(WorkingGroupSession(working_group=wg, status="held"))["date"] == [
        "開催済みの会議には開催日を入力してください。"
    ]


def test_planned_sessions_print_as_planned(wg):
    by_month = record_save(WorkingGroupSession(working_group=wg, status="planned", planned_year=2022, planned_month=2))
    by_date = record_save(
        WorkingGroupSession(working_group=wg, status="planned", date=dt.date(2022, 2, 4), kind="drill")
    )
    assert by_month.when_label == "令和4年2月（予定）"
    assert by_date.when_label == "R4.2.4（予定）"
    assert by_month.fiscal_year == by_date.fiscal_year == 2021


def test_a_wg_without_a_department_is_refused_by_the_service():
    from workgroups.models import WorkingGroup
    from workgroups.services import working_group_save

    project = factories.project(factories.municipality(), factories.department())
    with pytest.raises(ValidationError) as error:
        working_group_save(working_group=WorkingGroup(project=project, order=1, scope="WG設置区分"), departments=[])
    assert error.value.message_dict == {"departments": ["担当部局を1つ以上選んでください。"]}
    assert not WorkingGroup.objects.exists()
