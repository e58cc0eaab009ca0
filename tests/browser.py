"""Helpers for the browser tests: Playwright driving Debian's Chromium (no downloaded browser)."""

import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser_page(live_server, monkeypatch, settings):
    # The browser journeys sign in as the demo users, which a demo installation exempts from
    # two-factor authentication (tests/test_mfa.py covers the real flow).
    settings.MFA_EXEMPT_DEMO_USERS = True
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # test itself are synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


def sign_in(page, base_url: str, username: str, password: str = "klima2030") -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{base_url}/")


@pytest.fixture(scope="module")
def module_page(live_server):
    """One browser for a whole test module (the walks visit hundreds of pages): sign in by
    setting cookies on its context, see `browser_cookies`."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport=DESKTOP, locale="en-US")
            page = context.new_page()
            page.set_default_timeout(15_000)
            yield page
            context.close()
            browser.close()


DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 360, "height": 780}


def session_cookie(user) -> str:
    """A session for the user past two-factor authentication, for a browser's cookie jar."""
    from django.conf import settings
    from django.test import Client

    from tests.factories import verify_mfa

    client = Client()
    client.force_login(user)
    verify_mfa(client, user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def use_cookies(page, base_url: str, *, language: str, session: str | None = None) -> None:
    """Start afresh as a visitor in `language`, signed in with `session` if given."""
    from django.conf import settings

    page.context.clear_cookies()
    jar = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}]
    if session:
        jar.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url})
    page.context.add_cookies(jar)
