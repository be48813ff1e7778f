"""Synthetic data (demo.synthetic, `manage.py generate_synthetic`): N× the real records,
valid, plausible and the same for the same seed.

No test here uses the module-wide ``toyama`` fixture: each builds its own database from
scratch (load_toyama, then the generator) inside its transaction."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count

from demo import reference_data, synthetic
from meetings.models import Attendance, Meeting
from onechoice import jpdates
from projects.models import Project, ProjectYear

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in synthetic.DUMP}


def build(factor: int, seed: int) -> dict:
    """A fresh database: the real records and ``factor`` × synthetic; its dump; rolled back."""
    with transaction.atomic():
        reference_data.load()
        synthetic.generate(factor, seed)
        dump = synthetic.canonical_dump()
        transaction.set_rollback(True)
    return dump


def test_factor_three_adds_twice_the_real_records_all_valid_and_plausible():
    reference_data.load()
    real = counts()
    empty = {label for label, n in real.items() if not n}
    assert empty == {"workgroups.WorkingGroup_members"}, real  # the real WGs list no members
    report = synthetic.generate(3, seed=1)
    assert counts() == {label: 3 * n for label, n in real.items()}
    assert report.counts["連携推進項目"] == 2 * real["projects.Project"]
    assert report.counts["出席者"] == 2 * 34

    for model in synthetic.DUMP:  # every row passes the admin's validation
        if model._meta.auto_created:
            continue
        for instance in model.objects.all():
            instance.full_clean()

    titles = set(Project.objects.values_list("title", flat=True))
    assert "自治体行政のデジタル化（第1群）" in titles and "自治体行政のデジタル化（第2群）" in titles
    # Cohort 1 is the real years moved back three, cohort 2 forward three, text included.
    digital = ProjectYear.objects.filter(project__title__startswith="自治体行政のデジタル化")
    assert sorted(digital.values_list("fiscal_year", flat=True)) == list(range(2018, 2027))
    assert Meeting.objects.filter(fiscal_year=2024, number=4).get().handouts.get(number=1, kind="material").title == (
        "令和6年度連携推進項目の取り組み状況について"
    )
    assert Meeting.objects.filter(fiscal_year=2018, number=4).get().handouts.get(number=2, kind="material").title == (
        "令和元年度「ワンチームとやま」連携推進本部会議における協議事項について"
    )
    for meeting in Meeting.objects.exclude(date=None):  # weekdays in their own fiscal year
        assert jpdates.fiscal_year_of(meeting.date) == meeting.fiscal_year
    assert (
        not Meeting.objects.values("fiscal_year", "kind", "number")
        .exclude(number=None)
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    # Attendees: real family and given names recombined, 34 per full meeting, a few deputies.
    generated = Attendance.objects.exclude(meeting__fiscal_year=2021)
    assert generated.count() == 68
    assert all(re.fullmatch(r"\S+ \S+", name) for name in generated.values_list("name", flat=True))
    for proxy in generated.filter(status="proxy"):
        assert proxy.proxy_title and proxy.proxy_name


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    first = build(3, seed=1)
    second = build(3, seed=1)
    assert first == second
    assert len(first["projects.Project"]) == 3 * 6
    other = build(3, seed=2)
    assert other != first
    # Only what chance decides differs: titles, years and structure are the seed's no matter.
    assert other["projects.Project"] == first["projects.Project"]
    assert other["meetings.Meeting"] != first["meetings.Meeting"]  # meeting days move a little


def test_cohorts_do_not_depend_on_the_factor():
    small, large = build(2, seed=1), build(3, seed=1)
    for label, rows in small.items():
        assert all(row in large[label] for row in rows), label


def test_year_slots_keep_every_cohort_within_the_models_years():
    assert synthetic.SLOTS[:4] == [-3, 3, -6, 6]
    assert len(set(synthetic.SLOTS)) == len(synthetic.SLOTS) == 30
    assert min(synthetic.SLOTS) + 2020 >= 2000 and max(synthetic.SLOTS) + 2028 <= 2100
    assert synthetic.Cohort.of(31) == synthetic.Cohort(31, -3, 1)  # slots repeat, meetings numbered on


def test_shift_text_moves_era_years():
    assert synthetic.shift_text("令和3年度連携推進項目", -3) == "平成30年度連携推進項目"
    assert synthetic.shift_text("令和4年度における協議事項", -3) == "令和元年度における協議事項"
    assert synthetic.shift_text("R4.4月から現物給付（R3.12設置済み）", 3) == "R7.4月から現物給付（R6.12設置済み）"
    assert synthetic.shift_text("R2：102件⇒R5：3,811件", -6) == "H26：102件⇒H29：3,811件"
    assert synthetic.shift_text("ZR3 型番 AR12", 3) == "ZR3 型番 AR12"


def test_command_needs_the_real_records_and_runs_once():
    with pytest.raises(CommandError, match="load_toyama"):
        call_command("generate_synthetic", "--factor", "2", stdout=io.StringIO())
    reference_data.load()
    out = io.StringIO()
    call_command("generate_synthetic", "--factor", "2", "--seed", "1", "--digest", stdout=out)
    assert "連携推進項目: 6" in out.getvalue() and "合成データを生成しました（2倍、seed 1" in out.getvalue()
    assert re.search(r"sha256 [0-9a-f]{64}", out.getvalue())
    with pytest.raises(CommandError, match="既に生成"):
        call_command("generate_synthetic", "--factor", "2", stdout=io.StringIO())
