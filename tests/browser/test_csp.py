"""The Content Security Policy (self only: no inline script or style) blocks nothing on the
portal's own pages or in the admin: Chromium reports every violation as a
``securitypolicyviolation`` event, and the admin's scripts visibly run."""

import pytest

from meetings.models import Meeting
from projects.models import Project

from .helpers import log_in, record_csp_violations

pytestmark = pytest.mark.browser

# Installed before any page script runs (Playwright's init scripts are not subject to the CSP).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(
  `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`));
"""


def portal_pages():
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    project = Project.objects.get(title="自治体行政のデジタル化")  # has SVG charts
    return [
        "/",
        "/projects/",
        f"/projects/{project.pk}/",
        "/projects/municipalities/162019/",
        "/meetings/",
        f"/meetings/{meeting.pk}/",
        "/meetings/schedule/2022/",
        "/workgroups/",
    ]


def admin_pages():
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    project = Project.objects.get(title="自治体行政のデジタル化")
    return [
        "/admin/",
        "/admin/meetings/meeting/",
        f"/admin/meetings/meeting/{meeting.pk}/change/",  # inlines, date and time widgets
        "/admin/meetings/meeting/add/",
        f"/admin/meetings/meeting/{meeting.pk}/history/",
        f"/admin/projects/project/{project.pk}/change/",  # autocomplete, filter_horizontal
        "/admin/projects/project/?is_published__exact=1",
        "/admin/onechoice/official/import/",
        "/admin/onechoice/official/export/",
    ]


def visit(page, path: str) -> list[str]:
    response = page.goto(path)
    assert response.status == 200, f"{path}: {response.status}"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    return [f"{path}: {v}" for v in page.evaluate("window.__csp")]


def test_portal_pages_break_no_rule_of_the_policy(page, toyama_live):
    page.add_init_script(RECORD_VIOLATIONS)
    console = record_csp_violations(page)
    log_in(page, "municipal")
    violations = [v for path in portal_pages() for v in visit(page, path)]
    assert not violations and not console, "\n".join(violations + console)


def test_the_admin_works_under_the_policy(page, toyama_live):
    page.add_init_script(RECORD_VIOLATIONS)
    console = record_csp_violations(page)
    log_in(page, "secretariat")
    violations = [v for path in admin_pages() for v in visit(page, path)]
    assert not violations and not console, "\n".join(violations + console)

    # The admin's stylesheets and scripts were loaded and ran: the header is styled, the
    # calendar and clock shortcuts were added beside the date fields, an autocomplete field
    # became a Select2 box, and "add another" adds an inline row.
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    page.goto(f"/admin/meetings/meeting/{meeting.pk}/change/")
    assert page.evaluate("getComputedStyle(document.querySelector('#header')).display") == "flex"
    assert page.evaluate("typeof django !== 'undefined' && typeof django.jQuery === 'function'")
    assert page.locator(".datetimeshortcuts").count() > 0
    rows = page.locator("tr.form-row.dynamic-agenda_items")
    before = rows.count()
    page.locator("#agenda_items-group .add-row a").click()
    assert rows.count() == before + 1
    page.goto("/admin/meetings/handout/add/")
    assert page.locator(".select2-container").count() >= 2
    assert not page.evaluate("window.__csp")
