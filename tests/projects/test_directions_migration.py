"""Migration projects.0004 keeps today's directions: each line of a desired state's
取組みの方向性 text becomes an ordered row (blank lines dropped), states are numbered within
their area, and going back writes the rows into the text again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE, AFTER = (
    ("projects", "0003_indicator_value_unique_date_or_year"),
    ("projects", "0004_plan_directions_steps_lessons"),
)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_directions_text_becomes_ordered_rows_and_back():
    apps = _migrate(BEFORE)
    try:
        Organization = apps.get_model("onechoice", "Organization")
        Department = apps.get_model("onechoice", "Department")
        Project = apps.get_model("projects", "Project")
        Plan = apps.get_model("projects", "Plan")
        DesiredState = apps.get_model("projects", "DesiredState")
        town = Organization.objects.create(kind="municipality", name="射水市", protocol_order=1)
        project = Project.objects.create(title="自治体行政のデジタル化", first_fiscal_year=2021)
        project.proposers.add(town)
        project.departments.add(Department.objects.create(name="知事政策局", protocol_order=1))
        plan = Plan.objects.create(project=project, title="計画", first_fiscal_year=2024, last_fiscal_year=2028)
        DesiredState.objects.create(
            plan=plan, area_number=1, area="行政", label="②", text="後", directions="デジタルデバイド対策の充実"
        )
        DesiredState.objects.create(
            plan=plan,
            area_number=1,
            area="行政",
            label="①",
            text="先",
            directions="効率化\n\n  オープンデータ化推進 \n",
        )

        apps = _migrate(AFTER)
        Direction = apps.get_model("projects", "Direction")
        DesiredState = apps.get_model("projects", "DesiredState")
        rows = [
            (d.desired_state.label, d.desired_state.order, d.order, d.text)
            for d in Direction.objects.select_related("desired_state").order_by("desired_state__order", "order")
        ]
        assert rows == [
            ("①", 1, 1, "効率化"),
            ("①", 1, 2, "オープンデータ化推進"),
            ("②", 2, 1, "デジタルデバイド対策の充実"),
        ]

        apps = _migrate(BEFORE)
        DesiredState = apps.get_model("projects", "DesiredState")
        assert dict(DesiredState.objects.values_list("label", "directions")) == {
            "①": "効率化\nオープンデータ化推進",
            "②": "デジタルデバイド対策の充実",
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
