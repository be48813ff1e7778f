"""Steps the browser tests share."""

DEMO_PASSWORD = "onechoice-demo"  # create_demo_users


def log_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Through the login form, as a person would."""
    page.goto("/accounts/login/")
    form = page.locator("form:has([name=password])")
    form.locator("[name=username]").fill(username)
    form.locator("[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    assert "/accounts/login/" not in page.url, f"login as {username} failed: {page.url}"


def record_csp_violations(page) -> list[str]:
    """Chromium's console reports of anything the Content Security Policy blocked, on every
    page the tab opens from now on (the list fills as the tab goes)."""
    reports: list[str] = []
    page.on(
        "console", lambda m: reports.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None
    )
    return reports
