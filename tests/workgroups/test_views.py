"""/workgroups/: one fiscal year at a time (default: the current one), its PDF linked, the
proposers in the first column, each WG's sessions of that year in time order with （予定）."""

import re

from onechoice.jpdates import fiscal_year_label
from projects.models import ProjectYear
from workgroups.models import WorkingGroup, WorkingGroupSession


def rows(html):
    return re.findall(r'<tr id="wg(\d+)">(.*?)</tr>', html, re.S)


def test_default_is_the_latest_year_with_wgs_and_links_its_pdf(client, toyama):
    html = client.get("/workgroups/").text
    latest = max(
        ProjectYear.objects.filter(project__working_groups__isnull=False).values_list("fiscal_year", flat=True)
    )
    label = fiscal_year_label(latest)
    assert f"<h1>{label}のWG開催状況</h1>" in html
    assert f'href="/workgroups/status.pdf?fiscal_year={latest}"' in html
    assert f'<option value="{latest}" selected>{label}</option>' in html
    assert '<option value="2021">令和3年度</option>' in html


def test_a_year_shows_only_its_wgs_and_sessions_with_proposers(client, toyama):
    html = client.get("/workgroups/?fiscal_year=2021").text
    expected = WorkingGroup.objects.filter(project__years__fiscal_year=2021)
    assert sorted(int(pk) for pk, _ in rows(html)) == sorted(expected.values_list("pk", flat=True))
    for pk, row in rows(html):
        wg = WorkingGroup.objects.get(pk=pk)
        first_cell = row.split("</td>")[0]
        for org in wg.project.proposers.all():
            assert org.name in first_cell
        listed = re.findall(r"<li>(\S+) ", row)
        in_year = [
            s for s in WorkingGroupSession.objects.filter(working_group=wg).in_time_order() if s.fiscal_year == 2021
        ]
        assert listed == [s.when_label for s in in_year]  # that year's, in time order
    # February 2021 belongs to FY R2: not on the FY R3 page
    assert "R3.2.17" not in html
    planned = WorkingGroupSession.objects.filter(status="planned", date__year=2022, date__month__lte=3).first()
    assert planned is not None and f"{planned.when_label} " in html and "（予定）" in planned.when_label


def test_bad_or_empty_years_answer_404_in_japanese(client, toyama):
    assert client.get("/workgroups/?fiscal_year=abc").status_code == 404
    assert client.get("/workgroups/?fiscal_year=1990").status_code == 404
    assert client.get("/workgroups/?fiscal_year=2030").status_code == 404
