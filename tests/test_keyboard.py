"""Keyboard-only journeys in the browser: the skip link, visible focus, a logical tab order,
every control reachable, forms' error summary, the confirmation dialog, the language switch."""

import pytest
from django.urls import reverse

from tests.browser import ARTIFACTS, session_cookie, use_cookies
from tests.matrix import tracks as tracks_cases

RUNNING = tracks_cases.at("running")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Describe the focused element; whether it shows focus (outline or ring); its place in the
# document relative to the previously focused one.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  const box = e.getBoundingClientRect();
  return {
    tag: e.tagName.toLowerCase(),
    id: e.id,
    text: (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 60),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    ring: style.boxShadow !== 'none',
    visible: box.width > 0 && box.height > 0,
    main: !!e.closest('main'),
    footer: !!e.closest('footer'),
    header: !!e.closest('header') || e.classList.contains('skip-link'),
  };
}"""

MARK_FOCUSED = """() => { const e = document.activeElement;
  if (e && e !== document.body) e.setAttribute('data-reached', '1'); }"""

# Every control a mouse user could use, that a keyboard user must reach.
UNREACHED = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]')]
  .filter(e => !e.closest('dialog:not([open])') && !e.disabled && e.tabIndex >= 0)
  .filter(e => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0; })
  .filter(e => !e.hasAttribute('data-reached'))
  .map(e => e.outerHTML.slice(0, 120))"""


def sign_in_as(page, live_server, user, language: str = "da") -> None:
    use_cookies(page, live_server.url, language=language, session=session_cookie(user))


def tab_through(page, limit: int = 400) -> list[dict]:
    """Press Tab until focus leaves the page or comes round again; the stops in order."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.evaluate("() => window.scrollTo(0, 0)")
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop is None or (stops and stop == stops[0]):
            break
        page.evaluate(MARK_FOCUSED)
        stops.append(stop)
    return stops


def test_skip_link_comes_first_and_moves_focus_to_the_content(
    reference_data, live_server, module_page, role_users
):
    page = module_page
    sign_in_as(page, live_server, role_users["coordinator_a"])
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first["text"] == "Gå til hovedindhold" and first["visible"] and first["outline"]
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0  # shown on focus, not left off-screen
    page.screenshot(path=ARTIFACTS / "keyboard-skip-link.png")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["main"]  # the next stop is in the content, past the menu


@pytest.mark.parametrize(
    "role, url",
    [
        ("coordinator_a", lambda users: "/"),
        ("secretariat", lambda users: reverse("track-create")),
        ("secretariat", lambda users: reverse("track-detail", kwargs=RUNNING(users))),
        ("coordinator_a", lambda users: reverse("municipality-edit", args=["751"])),
        ("member", lambda users: reverse("body-detail", args=["fu"])),
    ],
    ids=["dashboard", "track-create", "track-detail", "municipality-edit", "body-detail"],
)  # fmt: skip
def test_every_control_is_reached_in_order_with_visible_focus(
    role, url, reference_data, live_server, module_page, role_users
):
    page = module_page
    path = url(role_users)
    sign_in_as(page, live_server, role_users[role])
    page.goto(live_server.url + path)
    stops = tab_through(page)
    assert stops, path
    invisible = [stop for stop in stops if not (stop["outline"] or stop["ring"])]
    assert not invisible, f"{path}: focus not shown on {invisible[:5]}"
    hidden = [stop for stop in stops if not stop["visible"]]
    assert not hidden, f"{path}: focus on something not shown: {hidden[:5]}"
    # Header, then the content, then the footer: never back up.
    regions = [0 if s["header"] else 2 if s["footer"] else 1 for s in stops]
    assert regions == sorted(regions), f"{path}: tab order jumps between regions: {regions}"
    assert stops[0]["text"].startswith("Gå til")
    unreached = page.evaluate(UNREACHED)
    assert not unreached, f"{path}: not reachable by keyboard: {unreached}"
    assert page.locator("[tabindex]:not([tabindex='0']):not([tabindex='-1'])").count() == 0


def test_a_form_with_errors_is_fixed_by_keyboard(
    reference_data, live_server, module_page, role_users
):
    """Submit empty, land on the error summary, follow its link to the field, fix, submit."""
    page = module_page
    sign_in_as(page, live_server, role_users["secretariat"])
    page.goto(live_server.url + reverse("focus-area-create"))
    page.locator("main form button[type=submit]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    page.screenshot(path=ARTIFACTS / "keyboard-error-summary.png", full_page=True)
    page.keyboard.press("Tab")
    link = page.evaluate(FOCUSED)
    assert link["tag"] == "a" and "Navn (dansk)" in link["text"], link
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "id_name_da"
    page.keyboard.type("Energi og varme")
    page.keyboard.press("Enter")  # Enter in a text field submits its form
    page.wait_for_url(live_server.url + reverse("focus-area-list"))
    assert "Energi og varme" in page.locator("main").inner_text()


def test_the_confirmation_dialog_keeps_and_returns_focus(
    reference_data, live_server, module_page, role_users
):
    page = module_page
    track = tracks_cases.at("evaluated")(role_users)
    sign_in_as(page, live_server, role_users["secretariat"])
    page.goto(live_server.url + reverse("track-detail", kwargs=track))
    close = page.get_by_role("button", name="Afslut sporet")
    close.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#confirm-dialog")
    assert dialog.is_visible()
    page.screenshot(path=ARTIFACTS / "keyboard-confirm-dialog.png")
    # Focus starts on Cancel and cycles inside the dialog both ways.
    assert page.evaluate(FOCUSED)["text"] == "Annuller"
    seen = set()
    for key in ["Tab", "Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab"]:
        page.keyboard.press(key)
        assert page.evaluate("() => !!document.activeElement.closest('dialog')"), key
        seen.add(page.evaluate(FOCUSED)["text"])
    assert seen == {"Ja, fortsæt", "Annuller"}
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Afslut sporet"
    # Confirm by keyboard: the track is closed.
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED)["text"] == "Annuller"
    page.keyboard.press("Shift+Tab")
    # The dialog closes before the form is sent: wait for the answer to the form itself, not
    # for the dialog (checked right after the key press, the track was sometimes not closed yet).
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    from tracks.models import Track

    assert not page.locator("#confirm-dialog[open]").count()
    assert Track.objects.get(pk=track["pk"]).status == Track.Status.CLOSED


def test_the_language_switch_works_by_keyboard(
    reference_data, live_server, module_page, role_users
):
    page = module_page
    sign_in_as(page, live_server, role_users["observer"])
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "da"
    page.get_by_role("button", name="English").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.title().startswith("Overview")
