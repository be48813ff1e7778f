"""The proposal loop in Chromium: the 富山市 officer writes and submits a proposal in the
portal, the 高岡市 officer co-proposes it, the secretariat adopts it on the admin's review
page — and the next fiscal year's 協議事項 prints the new item with its four headings and
both proposers. Screenshots at 1366×768 and at phone width (390 px)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from onechoice import jpdates
from onechoice.models import Affiliation, Organization
from onechoice.roles import Role, ensure_role_groups
from projects.models import Project
from proposals.models import Proposal, ProposalState
from tests import pdf_reading

from .helpers import DEMO_PASSWORD, log_in, record_csp_violations

pytestmark = pytest.mark.browser

TITLE = "地域公共交通の維持・確保に向けた連携"


def _takaoka_officer():
    user = get_user_model().objects.create_user("takaoka", password=DEMO_PASSWORD, email="takaoka@example.jp")
    user.groups.add(ensure_role_groups()[Role.MUNICIPAL])
    Affiliation.objects.create(user=user, organization=Organization.objects.get(lg_code="162027"))
    return user


def test_proposed_co_proposed_adopted_and_printed(chromium, live_server, toyama_live, screenshots_dir):
    _takaoka_officer()
    contexts = []

    def tab(width=1366, height=768):
        context = chromium.new_context(
            base_url=live_server.url, locale="ja-JP", viewport={"width": width, "height": height}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    toyama, takaoka, secretariat, phone = tab(), tab(), tab(), tab(390, 844)
    try:
        _the_loop(toyama, takaoka, secretariat, phone, screenshots_dir)
    finally:  # closed before the live server stops: no request thread is left behind
        for context in contexts:
            context.close()


def _the_loop(toyama, takaoka, secretariat, phone, screenshots_dir):
    csp = [record_csp_violations(p) for p in (toyama, takaoka, secretariat)]

    # 富山市: from the menu to a submitted proposal.
    log_in(toyama, "municipal")
    toyama.get_by_role("link", name="提案", exact=True).click()
    assert "提案を募集しています" in toyama.locator(".call").inner_text()
    toyama.get_by_role("link", name="新しい提案を作成").click()
    toyama.get_by_label("テーマ（連携項目名）").fill(TITLE)
    toyama.get_by_label("目標（目指す姿）").fill("誰もが移動しやすい地域公共交通の維持")
    toyama.get_by_label("現状", exact=True).fill("人口減少により路線バスの利用者が減少している。")
    toyama.get_by_label("課題", exact=True).fill("市町村単独では路線の維持が難しい。")
    toyama.get_by_label("具体的手段").fill("県と市町村が共同で運行計画を検討する。")
    toyama.get_by_label("効果", exact=True).fill("広域の移動手段の確保")
    toyama.get_by_label("富山市").check()
    toyama.get_by_label("高岡市").check()
    toyama.screenshot(path=screenshots_dir / "proposal-form-1366.png", full_page=True)
    with toyama.expect_navigation():
        toyama.get_by_role("button", name="下書きを保存").click()
    assert "下書きを保存しました" in toyama.locator(".notice").inner_text()
    with toyama.expect_navigation():
        toyama.get_by_role("button", name="提出する").click()
    assert "提案を提出しました" in toyama.locator(".notice").inner_text()
    proposal = Proposal.objects.get(title=TITLE)
    assert proposal.state == ProposalState.SUBMITTED and proposal.organization.name == "富山市"

    # 高岡市: finds it in the list and joins it.
    log_in(takaoka, "takaoka")
    takaoka.goto("/projects/proposals/")
    takaoka.get_by_role("link", name=TITLE).click()
    assert "誰もが移動しやすい" not in takaoka.content()  # others see the title, proposer and state only
    with takaoka.expect_navigation():
        takaoka.get_by_role("button", name="高岡市として共同提案（賛同）する").click()
    assert "共同提案（賛同）しました" in takaoka.locator(".notice").inner_text()
    assert "高岡市" in takaoka.locator("dl.facts").inner_text()

    # The secretariat: the review page from the admin's list, adopted as a new item.
    log_in(secretariat, "secretariat")
    secretariat.goto(reverse("admin:proposals_proposal_changelist"))
    secretariat.locator("tr", has_text=TITLE).get_by_role("link", name="審査する").click()
    adopt = secretariat.locator("form", has=secretariat.locator("input[name=action][value=adopt]"))
    adopt.get_by_label("農林水産部").check()
    adopt.get_by_label("選定理由").fill("広域での公共交通の維持には、県と市町村の連携が欠かせないため。")
    with secretariat.expect_navigation():
        adopt.get_by_role("button", name="採択する").click()
    assert "採択しました" in secretariat.locator(".messagelist").inner_text()
    project = Project.objects.get(title=TITLE)
    fiscal_year = proposal.call.fiscal_year
    assert [o.name for o in project.proposers.order_by("protocol_order")] == ["富山市", "高岡市"]

    # The next year's 協議事項: the new item with its four headings and both proposers.
    response = secretariat.request.get(f"/projects/proposals/{fiscal_year}.pdf")
    assert response.status == 200
    text = pdf_reading.text(response.body())
    label = jpdates.fiscal_year_short(fiscal_year)
    assert f"{TITLE}（{label}新規項目）" in text
    assert "提案市町村：富山市、高岡市" in text
    for heading in ("○目標（目指す姿）", "○現状と課題", "○具体的連携施策", "○選定理由"):
        assert heading in text
    assert (
        text.index("○目標（目指す姿）")
        < text.index("○現状と課題")
        < text.index("○具体的連携施策")
        < text.index("○選定理由")
    )

    # On a phone: the list and the proposal page fit the width.
    log_in(phone, "municipal")
    for path, name in (
        ("/projects/proposals/", "proposal-list-390"),
        (proposal.get_absolute_url(), "proposal-detail-390"),
    ):
        phone.goto(path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path
        phone.screenshot(path=screenshots_dir / f"{name}.png", full_page=True)
    toyama.goto(proposal.get_absolute_url())
    toyama.screenshot(path=screenshots_dir / "proposal-detail-1366.png", full_page=True)
    assert csp == [[], [], []]
