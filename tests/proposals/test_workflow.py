"""提案受付 end to end on the real data: 富山市 proposes, 高岡市 co-proposes, the secretariat
receives, comments and adopts — and the FY+1 協議事項 prints the new item with its four
headings and both proposers. Every transition's permission, and what each role sees."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from meetings.models import MailKind, SentMail
from onechoice.concurrency import TOKEN_FIELD
from onechoice.models import Affiliation, Department, Division, Organization
from onechoice.roles import Role, ensure_role_groups
from projects.models import Project, ProjectYear, YearStatus
from proposals import services
from proposals.models import Proposal, ProposalAttachment, ProposalCall, ProposalState
from tests.pdf_reading import squash
from tests.pdf_reading import text as pdf_text

FY = 2023  # the items of R5, proposed during R4

TEXTS = {
    "title": "地域公共交通の維持・確保に向けた連携",
    "goal": "誰もが移動しやすい地域公共交通の維持",
    "current_situation": "人口減少により路線バスの利用者が減少している。",
    "issues": "市町村単独では路線の維持が難しい。",
    "concrete_measures": "県と市町村が共同で運行計画を検討する。",
    "expected_effects": "広域の移動手段の確保",
}


def _user(username, role, organization, divisions=()):
    groups = ensure_role_groups()
    user = get_user_model().objects.create_user(
        username, email=f"{username}@example.jp", is_staff=role != Role.MUNICIPAL
    )
    user.groups.add(groups[role])
    affiliation = Affiliation.objects.create(user=user, organization=organization)
    affiliation.divisions.set(divisions)
    return user


@pytest.fixture
def people(toyama):
    prefecture = Organization.objects.get(kind="prefecture")
    return {
        "toyama": _user("toyama-officer", Role.MUNICIPAL, Organization.objects.get(lg_code="162019")),
        "toyama2": _user("toyama-officer2", Role.MUNICIPAL, Organization.objects.get(lg_code="162019")),
        "takaoka": _user("takaoka-officer", Role.MUNICIPAL, Organization.objects.get(lg_code="162027")),
        "secretariat": _user("secretariat-staff", Role.SECRETARIAT, prefecture),
        "division": _user("division-staff", Role.DIVISION, prefecture, [Division.objects.get(name="自然保護課")]),
    }


@pytest.fixture
def call(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.proposal_call_open(
            fiscal_year=FY, deadline=timezone.localdate() + dt.timedelta(days=10), user=people["secretariat"]
        )


def _draft(people, call, **changes):
    return services.proposal_create(user=people["toyama"], call=call, **{**TEXTS, **changes})


def test_opening_a_call_mails_every_municipality_that_has_users(people, call):
    mails = SentMail.objects.filter(kind=MailKind.PROPOSAL_CALL)
    assert sorted(m.organization.name for m in mails) == ["富山市", "高岡市"]
    assert all(m.result == "sent" for m in mails)
    assert "令和5年度" in mails[0].subject


def test_the_whole_loop_makes_next_years_item_and_its_agenda_page(
    client, people, call, django_capture_on_commit_callbacks
):
    proposal = _draft(people, call)
    proposal.targets.set(Organization.objects.filter(lg_code__in=["162019", "162027"]))
    services.proposal_submit(proposal=proposal, user=people["toyama"])
    services.proposal_support(proposal=proposal, user=people["takaoka"])
    services.proposal_receive(proposal=proposal, user=people["secretariat"])
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_comment(proposal=proposal, user=people["secretariat"], text="対象市町村を確認してください。")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.COORDINATING
    review = SentMail.objects.filter(kind=MailKind.PROPOSAL_REVIEW)
    assert sorted(m.organization.name for m in review) == ["富山市", "高岡市"]  # proposer and co-proposer

    department = (
        Department.objects.get(name="地方創生局")
        if Department.objects.filter(name="地方創生局").exists()
        else Department.objects.first()
    )
    with django_capture_on_commit_callbacks(execute=True):
        project = services.proposal_adopt(
            proposal=proposal,
            user=people["secretariat"],
            selection_reason="広域での連携が必要なため。",
            departments=[department],
        )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ADOPTED and proposal.project == project
    assert [o.name for o in project.proposers.order_by("protocol_order")] == ["富山市", "高岡市"]
    assert set(project.targets.values_list("lg_code", flat=True)) == {"162019", "162027"}
    year = ProjectYear.objects.get(project=project, fiscal_year=FY)
    assert year.status == YearStatus.NEW
    assert (year.goal, year.issues, year.selection_reason) == (
        TEXTS["goal"],
        TEXTS["issues"],
        "広域での連携が必要なため。",
    )
    assert SentMail.objects.filter(kind=MailKind.PROPOSAL_REVIEW, subject__contains="採択").count() == 2

    client.force_login(people["secretariat"])
    response = client.get(reverse("projects:proposals_pdf", args=[FY]))
    assert response.status_code == 200
    text = pdf_text(b"".join(response.streaming_content) if response.streaming else response.content)
    assert TEXTS["title"] in text and "（R5年度新規項目）" in text
    assert "提案市町村：富山市、高岡市" in squash(text)
    for heading in ("○目標（目指す姿）", "○現状と課題", "○具体的連携施策", "○選定理由"):
        assert heading in text


def test_another_municipality_cannot_see_or_edit_a_draft(client, people, call):
    proposal = _draft(people, call)
    client.force_login(people["takaoka"])
    for name in ("detail", "edit"):
        assert client.get(reverse(f"proposals:{name}", args=[proposal.pk])).status_code == 404
    for name in ("edit", "submit", "delete", "attachment_add"):
        assert client.post(reverse(f"proposals:{name}", args=[proposal.pk]), {"title": "乗っ取り"}).status_code == 404
    with pytest.raises(ValidationError) as refused:
        services.proposal_submit(proposal=proposal, user=people["takaoka"])
    assert refused.value.code == services.FORBIDDEN
    proposal.refresh_from_db()
    assert (proposal.title, proposal.state) == (TEXTS["title"], ProposalState.DRAFT)


def test_after_submission_others_see_title_proposer_and_state_only(client, people, call):
    proposal = _draft(people, call)
    services.proposal_submit(proposal=proposal, user=people["toyama"])
    client.force_login(people["takaoka"])
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert TEXTS["title"] in page and "富山市" in page and "提出済" in page
    assert TEXTS["goal"] not in page
    assert "として共同提案（賛同）する" in page
    client.force_login(people["division"])
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert TEXTS["title"] in page and TEXTS["goal"] not in page
    client.logout()
    assert client.get(reverse("proposals:detail", args=[proposal.pk])).status_code == 404
    assert TEXTS["title"] not in client.get(reverse("proposals:list")).content.decode()


def test_the_public_sees_an_adopted_proposal_of_a_published_item(client, people, call):
    proposal = _draft(people, call)
    services.proposal_submit(proposal=proposal, user=people["toyama"])
    project = services.proposal_adopt(
        proposal=proposal, user=people["secretariat"], selection_reason="理由", departments=[Department.objects.first()]
    )
    page = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert page.status_code == 200 and TEXTS["goal"] in page.content.decode()
    project.is_published = False
    project.save()
    assert client.get(reverse("proposals:detail", args=[proposal.pk])).status_code == 404


def test_nobody_edits_after_submission_and_only_the_secretariat_decides(client, people, call):
    proposal = _draft(people, call)
    services.proposal_submit(proposal=proposal, user=people["toyama"])
    client.force_login(people["toyama"])
    assert client.get(reverse("proposals:edit", args=[proposal.pk])).status_code == 404
    with pytest.raises(ValidationError):
        services.proposal_draft_save(proposal=proposal, user=people["toyama"])
    for who in ("toyama", "takaoka", "division"):
        with pytest.raises(ValidationError) as refused:
            services.proposal_adopt(proposal=proposal, user=people[who], selection_reason="x")
        assert refused.value.code == services.FORBIDDEN
        with pytest.raises(ValidationError):
            services.proposal_decline(proposal=proposal, user=people[who], reason="x")
    client.force_login(people["division"])
    review = reverse("admin:proposals_proposal_review", args=[proposal.pk])
    assert (
        client.post(review, {"action": "adopt", "adopt-mode": "new", "adopt-selection_reason": "x"}).status_code == 403
    )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SUBMITTED and not Project.objects.filter(title=TEXTS["title"]).exists()


def test_the_secretariat_adopts_on_the_review_page(client, people, call):
    proposal = _draft(people, call, department=Department.objects.first())
    services.proposal_submit(proposal=proposal, user=people["toyama"])
    client.force_login(people["secretariat"])
    review = reverse("admin:proposals_proposal_review", args=[proposal.pk])
    assert client.get(review).status_code == 200
    response = client.post(review, {"action": "adopt", "adopt-mode": "new", "adopt-selection_reason": ""})
    assert response.status_code == 400 and "このフィールドは必須です" in response.content.decode()
    response = client.post(
        review,
        {
            "action": "adopt",
            "adopt-mode": "new",
            "adopt-title": "",
            "adopt-departments": [Department.objects.first().pk],
            "adopt-selection_reason": "県全体で取り組むべき課題のため。",
            "adopt-publish": "on",
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ADOPTED and proposal.project.title == TEXTS["title"]


def test_declining_needs_a_reason_and_withdrawal_ends_the_review(people, call):
    proposal = _draft(people, call)
    services.proposal_submit(proposal=proposal, user=people["toyama"])
    with pytest.raises(ValidationError):
        services.proposal_decline(proposal=proposal, user=people["secretariat"], reason=" ")
    services.proposal_withdraw(proposal=proposal, user=people["toyama"])
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.WITHDRAWN
    with pytest.raises(ValidationError) as refused:
        services.proposal_adopt(proposal=proposal, user=people["secretariat"], selection_reason="x")
    assert "「取下げ」の提案は採択できません。" in refused.value.messages


def test_submission_needs_the_texts_and_an_open_call(people, call):
    proposal = _draft(people, call, issues="", expected_effects="")
    with pytest.raises(ValidationError) as refused:
        services.proposal_submit(proposal=proposal, user=people["toyama"])
    assert refused.value.messages == ["提出の前に入力してください: 課題、効果"]
    proposal.issues = proposal.expected_effects = "あり"
    proposal.save()
    ProposalCall.objects.filter(pk=call.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        services.proposal_submit(proposal=proposal, user=people["toyama"])
    assert refused.value.code == "closed"


def test_two_officers_editing_one_draft_cannot_overwrite_each_other(client, people, call):
    proposal = _draft(people, call)
    edit = reverse("proposals:edit", args=[proposal.pk])
    client.force_login(people["toyama"])
    first = client.get(edit).context["form"].initial[TOKEN_FIELD]
    form = {**TEXTS, TOKEN_FIELD: first}
    assert client.post(edit, {**form, "goal": "一人目の目標"}).status_code == 302
    client.force_login(people["toyama2"])
    response = client.post(edit, {**form, "issues": "二人目の課題"})  # opened before the first save
    assert response.status_code == 400
    assert "ほかの人がこの記録を変更しました" in response.content.decode()
    proposal.refresh_from_db()
    assert (proposal.goal, proposal.issues) == ("一人目の目標", TEXTS["issues"])


def _pdf(script: bool = False) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if script:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_attachments_are_cleaned_and_a_bad_file_changes_nothing(client, people, call, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    proposal = _draft(people, call)
    client.force_login(people["toyama"])
    add = reverse("proposals:attachment_add", args=[proposal.pk])
    response = client.post(add, {"title": "地図", "file": SimpleUploadedFile("map.pdf", b"%PDF-1.4 not really")})
    assert response.status_code == 400 and not ProposalAttachment.objects.exists()
    assert "PDF" in response.content.decode()
    settings.HANDOUT_MAX_BYTES = 2000
    big = SimpleUploadedFile("big.pdf", _pdf() + b"%" + b"x" * 5000)
    response = client.post(add, {"title": "大きい", "file": big})
    assert response.status_code == 400 and not ProposalAttachment.objects.exists()
    settings.HANDOUT_MAX_BYTES = 20 * 1024 * 1024
    response = client.post(add, {"title": "地図", "file": SimpleUploadedFile("map.pdf", _pdf(script=True))})
    assert response.status_code == 302
    stored = ProposalAttachment.objects.get().file.read()
    assert b"/JavaScript" not in stored
    client.force_login(people["takaoka"])
    attachment = ProposalAttachment.objects.get()
    assert client.get(reverse("proposals:attachment_file", args=[attachment.pk])).status_code == 404
    client.force_login(people["toyama"])
    response = client.get(reverse("proposals:attachment_file", args=[attachment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_the_loaded_data_holds_the_r4_items_adopted_proposal(toyama):
    proposal = Proposal.objects.get(call__fiscal_year=2022)
    assert (proposal.organization.name, proposal.state) == ("富山市", ProposalState.ADOPTED)
    assert proposal.project.title == "農林水産物等の輸出促進に向けた連携・強化"
    assert proposal.project.proposals.get() == proposal
