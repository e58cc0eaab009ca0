import pytest

from partners import demo

from .browser import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_opens_aarhus_switches_to_english_and_signs_out(
    reference_data, live_server, browser_page
):
    demo.seed()
    page = browser_page
    sign_in(page, live_server.url, "koordinator-midt")
    assert page.locator("h1").inner_text().startswith("Velkommen")
    page.screenshot(path=ARTIFACTS / "dashboard-koordinator-midt.png", full_page=True)

    page.get_by_role("link", name="Kommuner", exact=True).click()
    page.get_by_label("Søg på navn eller kode").fill("Aarhus")
    page.get_by_role("button", name="Vis").click()
    page.get_by_role("link", name="Aarhus", exact=True).click()
    page.wait_for_url(f"{live_server.url}/municipalities/751/")
    assert "Aarhus Kommune" in page.locator("h1").inner_text()
    assert page.get_by_role("link", name="Rediger").is_visible()
    page.screenshot(path=ARTIFACTS / "municipality-aarhus-da.png", full_page=True)

    page.get_by_role("button", name="English").click()
    page.wait_for_url(f"{live_server.url}/municipalities/751/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Aarhus Municipality" in page.locator("h1").inner_text()
    assert "349,433" in page.content()
    page.screenshot(path=ARTIFACTS / "municipality-aarhus-en.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/municipalities/751/")
    assert "/accounts/login/" in page.url


def test_keyboard_user_can_skip_to_content(reference_data, live_server, browser_page):
    demo.seed()
    page = browser_page
    sign_in(page, live_server.url, "sekretariat")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Gå til hovedindhold")
    assert skip.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
