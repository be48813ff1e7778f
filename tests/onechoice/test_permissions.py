"""Who may open what: a role × URL matrix built from the URL configuration itself, and the
division staff's object-level limits in the admin, tried through the forbidden paths too."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from meetings.models import Meeting
from onechoice.concurrency import TOKEN_FIELD
from onechoice.services import record_save
from projects.models import Project, ProjectYear
from workgroups.models import WorkingGroup, WorkingGroupSession

ROLES = ["secretariat", "division", "municipal", "public"]
EVERYONE = dict.fromkeys(ROLES, 200)
LOGGED_IN = {"secretariat": 200, "division": 200, "municipal": 200, "public": 404}


def route_names(resolver=None, prefix=""):
    """Every named route of the URL configuration, with its namespace."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from route_names(entry, prefix + (f"{entry.namespace}:" if entry.namespace else ""))
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name


# Every portal route, the records it is tried with, and the expected status per role.
# "published" / "unpublished" stand for a published and an unpublished meeting or item.
EXPECTED = [
    ("portal:home", {}, "", EVERYONE),
    ("health", {}, "", EVERYONE),
    ("login", {}, "", EVERYONE),
    ("logout", {}, "", dict.fromkeys(ROLES, 405)),  # logging out is a POST
    ("account", {}, "", {**EVERYONE, "public": 302}),  # to the login
    ("password_change", {}, "", {**EVERYONE, "public": 302}),  # to the login
    ("password_change_done", {}, "", {**EVERYONE, "public": 302}),
    ("password_reset", {}, "", EVERYONE),
    ("password_reset_done", {}, "", EVERYONE),
    ("password_reset_confirm", {"uidb64": "MQ", "token": "set-password"}, "", EVERYONE),  # 「このリンクは使えません」
    ("password_reset_complete", {}, "", EVERYONE),
    ("meetings:list", {}, "", EVERYONE),
    ("meetings:calendar", {}, "", EVERYONE),
    ("meetings:schedule", {"fiscal_year": 2022}, "", EVERYONE),
    ("meetings:schedule_pdf", {"fiscal_year": 2022}, "", EVERYONE),
    *[
        (f"meetings:{name}", {"pk": which}, "", EVERYONE if which == "published" else LOGGED_IN)
        for name in ("detail", "agenda_pdf", "attendees_pdf", "seating_pdf", "packet_pdf")
        for which in ("published", "unpublished")
    ],
    # The reply to the published meeting's attendance request, which asks 富山市 (municipal's city) only.
    ("meetings:attendance", {"pk": "published"}, "", {**dict.fromkeys(ROLES, 404), "municipal": 200}),
    ("meetings:attendance", {"pk": "unpublished"}, "", dict.fromkeys(ROLES, 404)),  # no request
    # 資料提出: nothing is asked of anybody here, so only the secretariat (who sees every slot) has a page;
    # who was asked sees theirs and others get 404 (tests/meetings/test_materials.py).
    *[
        ("meetings:materials", {"pk": which}, "", {**dict.fromkeys(ROLES, 404), "secretariat": 200})
        for which in ("published", "unpublished")
    ],
    ("meetings:material_file", {"pk": "published", "slot": 987654}, "", dict.fromkeys(ROLES, 404)),  # no such slot
    ("meetings:handout_file", {"pk": "handouts:public"}, "", EVERYONE),
    ("meetings:handout_file", {"pk": "handouts:private"}, "", LOGGED_IN),
    ("projects:list", {}, "", EVERYONE),
    ("portal:project_detail", {"pk": "projects:published"}, "", EVERYONE),
    ("portal:project_detail", {"pk": "projects:unpublished"}, "", LOGGED_IN),
    ("projects:sheet_pdf", {"pk": "published"}, "?fiscal_year=2021", EVERYONE),
    ("projects:sheet_pdf", {"pk": "unpublished"}, "?fiscal_year=2021", LOGGED_IN),
    *[
        (name, {"pk": f"plan_items:{which}", "plan_pk": f"plans:{which}"}, "", expected)
        for name in ("projects:plan", "projects:plan_pdf")
        for which, expected in (("published", EVERYONE), ("unpublished", LOGGED_IN))
    ],
    ("projects:plan_of_year_pdf", {"fiscal_year": 2023}, "", EVERYONE),  # the DX plan R6–R10 starts the next year
    ("projects:plan_of_year_pdf", {"fiscal_year": 2019}, "", dict.fromkeys(ROLES, 404)),  # no plan for it
    ("projects:progress_pdf", {"fiscal_year": 2021}, "", EVERYONE),
    ("projects:proposals_pdf", {"fiscal_year": 2022}, "", EVERYONE),
    ("portal:municipality", {"lg_code": "162019"}, "", EVERYONE),
    # 提案受付: the demo call is open; "draft" is 富山市's (municipal's city), "submitted" 高岡市's,
    # "adopted" the R4 item's proposal in the reference data.
    ("proposals:list", {}, "", EVERYONE),
    ("proposals:new", {}, "", {**dict.fromkeys(ROLES, 404), "municipal": 200}),
    ("proposals:detail", {"pk": "draft"}, "", {**dict.fromkeys(ROLES, 404), "municipal": 200}),
    ("proposals:detail", {"pk": "submitted"}, "", LOGGED_IN),
    ("proposals:detail", {"pk": "adopted"}, "", EVERYONE),
    ("proposals:edit", {"pk": "draft"}, "", {**dict.fromkeys(ROLES, 404), "municipal": 200}),
    ("proposals:edit", {"pk": "submitted"}, "", dict.fromkeys(ROLES, 404)),  # after 提出 nobody edits
    *[
        (f"proposals:{name}", {"pk": "draft"}, "", dict.fromkeys(ROLES, 405))  # POST only
        for name in ("submit", "withdraw", "support", "delete", "attachment_add")
    ],
    ("proposals:attachment_delete", {"pk": "proposal_attachments:draft"}, "", dict.fromkeys(ROLES, 405)),
    (
        "proposals:attachment_file",
        {"pk": "proposal_attachments:draft"},
        "",
        {**dict.fromkeys(ROLES, 404), "municipal": 200},
    ),
    ("workgroups:list", {}, "", EVERYONE),
    ("workgroups:status_pdf", {}, "?fiscal_year=2021", EVERYONE),
    ("search:search", {}, "", EVERYONE),
    ("search:search", {}, "?q=防災&kind=item&fiscal_year=2021", EVERYONE),
    ("search:search", {}, "?q=防災&kind=nonsense", dict.fromkeys(ROLES, 404)),
    ("opendata:index", {}, "", EVERYONE),
    *[
        ("opendata:dataset", {"slug": slug, "fmt": fmt}, "", EVERYONE)
        for slug in ("items", "results", "indicators", "meetings", "sessions", "events")
        for fmt in ("csv", "json")
    ],
    ("opendata:dataset", {"slug": "attendances", "fmt": "csv"}, "", dict.fromkeys(ROLES, 404)),
]

PORTAL_APPS = ("onechoice", "projects", "meetings", "workgroups")


def test_every_route_has_an_expectation():
    portal_routes = {n for n in route_names() if not n.startswith("admin:")}
    assert portal_routes == {name for name, *_ in EXPECTED}, "add the new route to EXPECTED"


@pytest.fixture
def world(toyama, settings, tmp_path):
    import io as _io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfWriter

    from meetings.models import Handout

    settings.MEDIA_ROOT = tmp_path
    call_command("create_demo_users", stdout=open("/dev/null", "w"))
    pdf = _io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(pdf)
    handouts = {}
    for which, (kind, number, public) in {"public": ("material", 4, True), "private": ("reference", 2, False)}.items():
        handout = Handout.objects.get(meeting__fiscal_year=2021, meeting__number=4, kind=kind, number=number)
        handout.file, handout.public = SimpleUploadedFile(f"{which}.pdf", pdf.getvalue()), public
        record_save(handout)
        handouts[which] = handout.pk
    unpublished_meeting = Meeting.objects.get(fiscal_year=2021, number=3)
    unpublished_meeting.is_published = False
    record_save(unpublished_meeting)
    _attendance_request(Meeting.objects.get(fiscal_year=2021, number=4))
    unpublished_project = Project.objects.get(title="防災・危機管理体制の連携・強化")
    unpublished_project.is_published = False
    record_save(unpublished_project)
    from projects.models import Plan

    shown_plan = Plan.objects.get(project__title="自治体行政のデジタル化")
    hidden_plan = record_save(
        Plan(project=unpublished_project, title="非公開の項目の計画", first_fiscal_year=2024, last_fiscal_year=2028)
    )
    proposals, attachments = _proposals(pdf.getvalue())
    return {
        "proposals": proposals,
        "proposal_attachments": attachments,
        "plan_items": {"published": shown_plan.project_id, "unpublished": unpublished_project.pk},
        "plans": {"published": shown_plan.pk, "unpublished": hidden_plan.pk},
        "meetings": {
            "published": Meeting.objects.get(fiscal_year=2021, number=4).pk,
            "unpublished": unpublished_meeting.pk,
        },
        "projects": {
            "published": Project.objects.get(title="有害鳥獣の市町村による連携捕獲の推進").pk,
            "unpublished": unpublished_project.pk,
        },
        "users": {u.username: u for u in get_user_model().objects.all()},
        "handouts": handouts,
    }


def _proposals(pdf: bytes):
    """The demo draft (富山市, with an attachment), a submitted one of 高岡市, the adopted one of
    the reference data."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from onechoice.models import Organization
    from proposals.models import Proposal, ProposalState
    from proposals.services import proposal_attachment_save, proposal_save

    draft = Proposal.objects.get(state=ProposalState.DRAFT, organization__lg_code="162019")
    submitted = proposal_save(
        proposal=Proposal(
            call=draft.call,
            organization=Organization.objects.get(lg_code="162027"),
            title="高岡市の提案",
            goal="目標",
            state=ProposalState.SUBMITTED,
        )
    )
    from proposals.models import ProposalAttachment

    attachment = proposal_attachment_save(
        attachment=ProposalAttachment(proposal=draft, title="地図", file=SimpleUploadedFile("map.pdf", pdf))
    )
    adopted = Proposal.objects.get(state=ProposalState.ADOPTED)
    return {"draft": draft.pk, "submitted": submitted.pk, "adopted": adopted.pk}, {"draft": attachment.pk}


def _attendance_request(meeting):
    """A request of a past meeting (its deadline passed), asking 富山市: written as stored, since
    the service opens requests with a deadline to come only."""
    from meetings.models import AttendanceReply, AttendanceRequest
    from onechoice.models import Organization

    toyama_city = Organization.objects.get(lg_code="162019")
    request = record_save(
        AttendanceRequest(meeting=meeting, deadline=meeting.date), m2m={"organizations": [toyama_city]}
    )
    record_save(AttendanceReply(request=request, organization=toyama_city))


def client_for(client, world, role):
    if role != "public":
        client.force_login(world["users"][role])
    return client


def _record(world, app, which):
    """ "published" → the app's published record; "handouts:private" → world["handouts"]["private"]."""
    table, _, key = which.rpartition(":")
    return world[table or app][key]


@pytest.mark.parametrize("role", ROLES)
def test_role_url_matrix(client, world, role):
    client = client_for(client, world, role)
    failures = []
    for name, kwargs, query, expected in EXPECTED:
        app = name.split(":")[0]
        kwargs = {k: _record(world, app, v) if k in ("pk", "plan_pk") else v for k, v in kwargs.items()}
        path = reverse(name, kwargs=kwargs) + query
        status = client.get(path).status_code
        if status != expected[role]:
            failures.append(f"{path}: {status}, expected {expected[role]}")
    assert not failures


def test_public_404_never_confirms_existence(client, world):
    unpublished = client.get(f"/meetings/{world['meetings']['unpublished']}/")
    missing = client.get("/meetings/987654/")
    assert unpublished.status_code == missing.status_code == 404
    assert unpublished.content == missing.content


def test_public_sees_only_public_handouts_and_published_items(client, world):
    from meetings.models import Handout

    meeting_pk = world["meetings"]["published"]
    hidden = Handout.objects.get(meeting_id=meeting_pk, kind="reference", number=2)
    hidden.public = False
    record_save(hidden)
    public_page = client.get(f"/meetings/{meeting_pk}/").text
    assert "参考資料1" in public_page and "若手職員地域課題解決フィールドワーク研修" not in public_page
    assert "防災・危機管理体制の連携・強化" not in client.get("/projects/").text
    assert f'href="/projects/{world["projects"]["unpublished"]}/' not in client.get("/search/?q=防災").text
    assert "若手職員地域課題解決" not in client.get("/search/?q=フィールドワーク").text
    assert "ログイン" in client.get("/").text  # the login page is linked
    client.force_login(world["users"]["municipal"])
    officer_page = client.get(f"/meetings/{meeting_pk}/").text
    assert "若手職員地域課題解決フィールドワーク研修" in officer_page
    assert "防災・危機管理体制の連携・強化" in client.get("/projects/").text
    assert f'href="/projects/{world["projects"]["unpublished"]}/' in client.get("/search/?q=防災").text


# --- the admin -----------------------------------------------------------------------------

ADMIN_ACTIONS = ("changelist", "add", "change", "history", "delete")


def admin_routes():
    """(route, model, action) for the standard admin pages of every portal model."""
    from django.apps import apps

    names = set(route_names())
    for app in PORTAL_APPS:
        for model in apps.get_app_config(app).get_models():
            for action in ADMIN_ACTIONS:
                name = f"admin:{app}_{model._meta.model_name}_{action}"
                if name in names:
                    yield name, model, action


DIVISION_ADDS = {
    "projectyear",
    "measure",
    "measureresult",
    "highlight",
    "photo",
    "indicator",
    "indicatorvalue",
    "milestone",
    "workinggroupsession",
}


def expected_admin_status(role, model_name, action):
    if role in ("municipal", "public"):
        return 302  # to the admin login
    if model_name == "sentmail" and action in ("add", "delete"):
        return 403  # the record of sent mail is read-only for everybody
    if role == "secretariat":
        return 200
    if action == "delete":
        return 403
    if action == "add":
        return 200 if model_name in DIVISION_ADDS else 403
    return 200  # division staff see every record (read-only where not theirs)


@pytest.mark.parametrize("role", ROLES)
def test_admin_matrix(client, world, role):
    client = client_for(client, world, role)
    failures = []
    routes = list(admin_routes())
    assert len(routes) >= 24 * 5
    for name, model, action in routes:
        model_name = model._meta.model_name
        args = []
        if action in ("change", "history", "delete"):
            obj = model.objects.order_by("pk").first()
            if obj is None:
                continue
            args = [obj.pk]
        status = client.get(reverse(name, args=args)).status_code
        expected = expected_admin_status(role, model_name, action)
        if status != expected:
            failures.append(f"{name} {args}: {status}, expected {expected}")
    assert not failures


@pytest.fixture
def division_client(client, world):
    client.force_login(world["users"]["division"])  # 自然保護課
    return client


def version_token(client, url) -> dict:
    """The version token a change page opened just now posts back (onechoice.concurrency)."""
    return {TOKEN_FIELD: client.get(url).context["adminform"].form[TOKEN_FIELD].value()}


def year_form(year, **changes):
    data = {
        "project": year.project_id,
        "fiscal_year": year.fiscal_year,
        "status": year.status,
        "grade": year.grade,
        "achievement": year.achievement,
        "selection_reason": year.selection_reason,
        "goal": year.goal,
        "current_situation": year.current_situation,
        "issues": year.issues,
        "concrete_measures": year.concrete_measures,
        "expected_effects": year.expected_effects,
        "measure_results-TOTAL_FORMS": 0,
        "measure_results-INITIAL_FORMS": 0,
        "highlights-TOTAL_FORMS": 0,
        "highlights-INITIAL_FORMS": 0,
    }
    return data | changes


def test_division_staff_change_their_own_items_year(division_client, world):
    own = ProjectYear.objects.get(project__title="有害鳥獣の市町村による連携捕獲の推進", fiscal_year=2021)
    page = division_client.get(reverse("admin:projects_projectyear_change", args=[own.pk])).text
    assert 'name="_save"' in page
    url = reverse("admin:projects_projectyear_change", args=[own.pk])
    response = division_client.post(url, year_form(own, goal="目標を更新") | version_token(division_client, url))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.goal == "目標を更新"
    assert own.history.first().history_user.username == "division"  # recorded in the change history


def test_division_staff_cannot_change_another_divisions_item(division_client, world):
    other = ProjectYear.objects.get(project__title="ゼロカーボンシティ富山の実現", fiscal_year=2021)
    page = division_client.get(reverse("admin:projects_projectyear_change", args=[other.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.text  # read-only
    crafted = division_client.post(
        reverse("admin:projects_projectyear_change", args=[other.pk]), year_form(other, goal="改ざん")
    )
    assert crafted.status_code == 403
    other.refresh_from_db()
    assert other.goal != "改ざん"


def test_division_staff_cannot_add_a_session_to_another_divisions_wg(division_client, world):
    others = WorkingGroup.objects.filter(project__title="自治体行政のデジタル化").first()
    own = WorkingGroup.objects.filter(project__title="有害鳥獣の市町村による連携捕獲の推進").first()
    before = WorkingGroupSession.objects.count()
    form = {"date": "2022-03-01", "status": "held", "kind": "wg", "name": "", "note": ""}
    refused = division_client.post(
        reverse("admin:workgroups_workinggroupsession_add"), form | {"working_group": others.pk}
    )
    assert refused.status_code == 200 and "この WG は自課の連携推進項目のものではないため選べません。" in refused.text
    assert WorkingGroupSession.objects.count() == before
    accepted = division_client.post(
        reverse("admin:workgroups_workinggroupsession_add"), form | {"working_group": own.pk}
    )
    assert accepted.status_code == 302
    assert WorkingGroupSession.objects.count() == before + 1


def test_division_staff_cannot_change_meetings(division_client, world):
    meeting = Meeting.objects.get(pk=world["meetings"]["published"])
    response = division_client.post(reverse("admin:meetings_meeting_change", args=[meeting.pk]), {"venue": "別会場"})
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.venue == "県民会館8階バンケットホール"


def test_secretariat_sees_the_change_history(client, world):
    client.force_login(world["users"]["secretariat"])
    meeting = Meeting.objects.get(pk=world["meetings"]["unpublished"])
    page = client.get(reverse("admin:meetings_meeting_history", args=[meeting.pk]))
    assert page.status_code == 200
    assert "公開" in page.text  # the is_published change made in the fixture


def test_uploaded_handouts_are_served_through_the_portal_only(client, world):
    meeting_pk = world["meetings"]["published"]
    page = client.get(f"/meetings/{meeting_pk}/").text
    assert f"/meetings/handouts/{world['handouts']['public']}/file/" in page
    assert "/media/" not in page
    download = client.get(f"/meetings/handouts/{world['handouts']['public']}/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"]
