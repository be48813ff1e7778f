"""Japanese login and logout, and the lockout after repeated failed logins (django-axes)."""

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def officer(db):
    return get_user_model().objects.create_user("officer", password="correct-horse-battery")


def test_login_and_logout_in_japanese(client, officer):
    page = client.get("/accounts/login/").text
    assert "<h1>ログイン</h1>" in page and '<label for="id_username">ユーザー名</label>' in page
    response = client.post("/accounts/login/", {"username": "officer", "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "ログアウト（officer）" in client.get("/").text
    assert client.post("/accounts/logout/").status_code == 302
    assert "ログアウト（officer）" not in client.get("/").text


def test_wrong_password_says_so_in_japanese(client, officer):
    page = client.post("/accounts/login/", {"username": "officer", "password": "wrong"}).text
    assert "ユーザー名またはパスワードが正しくありません。" in page


def test_five_failures_lock_the_account_out_even_with_the_right_password(client, officer):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "officer", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "officer", "password": "correct-horse-battery"})
    assert locked.status_code == 429
    assert "30分間ログインできません" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_account_page_shows_the_users_organisation_divisions_and_role(client, db):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from onechoice import roles
    from onechoice.models import Affiliation, Department, Division, Organization

    prefecture = Organization.objects.create(name="富山県", kind="prefecture", protocol_order=0, lg_code="160008")
    division = Division.objects.create(department=Department.objects.create(name="生活環境文化部", protocol_order=1),
                                       name="自然保護課")  # fmt: skip
    user = get_user_model().objects.create_user("division-user", email="d@example.jp", is_staff=True)
    user.groups.add(roles.ensure_role_groups()[roles.Role.DIVISION])
    Affiliation.objects.create(user=user, organization=prefecture).divisions.set([division])
    assert client.get(reverse("account")).status_code == 302  # the public: to the login
    client.force_login(user)
    page = client.get(reverse("account")).content.decode()
    for text in ("division-user", "d@example.jp", "県担当課", "富山県", "自然保護課", reverse("password_change")):
        assert text in page
    assert f'href="{reverse("account")}"' in client.get("/").content.decode()  # in the account menu
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


def test_the_secretariat_invites_users_with_a_one_time_link_that_sets_the_password(client, db, settings):
    import re

    from django.contrib.auth import get_user_model
    from django.core import mail
    from django.urls import reverse

    from onechoice import roles
    from onechoice.models import Affiliation, Organization

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_URL = "https://portal.example.jp"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    groups = roles.ensure_role_groups()
    city = Organization.objects.create(name="富山市", kind="municipality", protocol_order=1, lg_code="162019")
    User = get_user_model()
    invited = User.objects.create_user(
        "toyama-new", email="new@city.toyama.example", last_name="富山", first_name="花子"
    )
    invited.groups.add(groups[roles.Role.MUNICIPAL])
    nobody = User.objects.create_user("no-address")
    rows = [Affiliation.objects.create(user=u, organization=city) for u in (invited, nobody)]
    secretariat = User.objects.create_user("sec", is_staff=True)
    secretariat.groups.add(groups[roles.Role.SECRETARIAT])
    client.force_login(secretariat)

    response = client.post(
        reverse("admin:onechoice_affiliation_changelist"),
        {"action": "send_invitations", "_selected_action": [r.pk for r in rows]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 人に招待メールを送りました。" in page and "no-address" in page
    (message,) = mail.outbox
    assert message.to == ["new@city.toyama.example"] and "アカウントのご案内" in message.subject
    assert "ユーザー名: toyama-new" in message.body and "所属団体: 富山市" in message.body
    link = re.search(r"https://portal\.example\.jp(/accounts/password/reset/\S+)", message.body)[1]
    from meetings.models import SentMail

    recorded = SentMail.objects.get()  # 送信メール lists it (meetings registers the recorder)
    assert (recorded.kind, recorded.to, recorded.result) == ("invitation", "new@city.toyama.example", "sent")

    client.logout()
    form_page = client.get(link, follow=True)  # Django moves the token into the session
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    password = {"new_password1": "Toyama-2026-xyz", "new_password2": "Toyama-2026-xyz"}
    done = client.post(form_page.redirect_chain[-1][0], password)
    assert done.status_code == 302
    invited.refresh_from_db()
    assert invited.check_password("Toyama-2026-xyz")  # the password the invitation set
    again = client.get(link, follow=True)  # used once: the link no longer works
    assert "new_password1" not in again.content.decode()
