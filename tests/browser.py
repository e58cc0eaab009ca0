"""Helpers for the browser tests: Playwright driving Debian's Chromium (no downloaded browser).

One Chromium per test process (`_chromium`, started by the first browser test and closed at the
end of the session); each test gets a fresh context of it (its own cookies, storage and cache), so
the tests stay as independent as with a browser each, without a launch (1–2 s) per test."""

import asyncio
import shutil
from contextlib import contextmanager
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
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 360, "height": 780}


class SessionChromium:
    """Playwright and one Chromium, kept for the whole test process.

    Playwright's sync API runs its event loop in a greenlet of this thread and leaves that loop
    marked as running in the thread between its calls. Kept for the session, that mark would make
    every later test in the process look async to Django (SynchronousOnlyOperation) and refuse
    asyncio.run(). So the mark is lifted whenever no browser test runs (`pause`) and set again
    before Playwright is used (`resume`); Playwright's loop itself is only suspended meanwhile."""

    def __init__(self) -> None:
        self._playwright = None
        self._loop = None
        self.browser = None

    def resume(self):
        if self._playwright is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._loop = asyncio.get_running_loop()
        else:
            asyncio._set_running_loop(self._loop)
        if self.browser is None or not self.browser.is_connected():
            self.browser = self._playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
        return self.browser

    def pause(self) -> None:
        if self._playwright is not None:
            asyncio._set_running_loop(None)

    def stop(self) -> None:
        if self._playwright is None:
            return
        asyncio._set_running_loop(self._loop)
        try:
            if self.browser is not None and self.browser.is_connected():
                self.browser.close()
        finally:
            self._playwright.stop()  # ends Playwright's loop, which clears the mark itself
            self._playwright = self._loop = self.browser = None

    @contextmanager
    def context(self, **options):
        """A fresh browser context: nothing of an earlier test's cookies or storage."""
        browser = self.resume()
        try:
            context = browser.new_context(locale="en-US", **options)
            try:
                yield context
            finally:
                context.close()
        finally:
            self.pause()


@pytest.fixture(scope="session")
def _chromium():
    chromium = SessionChromium()
    yield chromium
    chromium.stop()


def _new_page(context):
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def browser_page(live_server, monkeypatch, settings, _chromium):
    # The browser journeys sign in as the demo users, which a demo installation exempts from
    # two-factor authentication (tests/test_mfa.py covers the real flow).
    settings.MFA_EXEMPT_DEMO_USERS = True
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # test itself are synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with _chromium.context(viewport=DESKTOP) as context:
        yield _new_page(context)


def sign_in(page, base_url: str, username: str, password: str = "klima2030") -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{base_url}/")


@pytest.fixture(scope="module")
def module_page(live_server, _chromium):
    """One browser context for a whole test module (the walks visit hundreds of pages): sign in
    by setting cookies on its context, see `browser_cookies`."""
    ARTIFACTS.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with _chromium.context(viewport=DESKTOP) as context:
            yield _new_page(context)


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
