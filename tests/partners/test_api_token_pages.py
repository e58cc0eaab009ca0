"""The page that shows a new token's secret is the answer to a POST, so the matrix walks
(tests/test_html_validity.py, tests/test_accessibility.py) cannot reach it: it is checked here,
with the Nu checker and with axe in a browser, together with the form sent back with errors."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from tests.browser import DESKTOP, session_cookie, use_cookies
from tests.test_accessibility import WCAG_AA, describe, real_incomplete
from tests.test_html_validity import describe as describe_vnu
from tests.test_html_validity import vnu_errors


def test_the_new_token_page_and_the_rejected_form_are_valid_html(client_for, tmp_path):
    client = client_for("coordinator_a")
    for language in ("da", "en"):
        client.cookies["django_language"] = language
        made = client.post(reverse("api-token-create"), {"name": "ESG", "read_only": "on"})
        refused = client.post(reverse("api-token-create"), {"name": ""})
        assert made.status_code == refused.status_code == 200
        (tmp_path / f"created-{language}.html").write_text(made.content.decode())
        (tmp_path / f"refused-{language}.html").write_text(refused.content.decode())
    errors = vnu_errors(tmp_path)
    assert not errors, describe_vnu(errors, tmp_path)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["da", "en"])
def test_making_a_token_in_the_browser_has_no_axe_violations(
    reference_data, live_server, module_page, role_users, language
):
    page = module_page
    use_cookies(
        page, live_server.url, language=language, session=session_cookie(role_users["member"])
    )
    page.set_viewport_size(DESKTOP)
    assert page.goto(live_server.url + reverse("profile")).status == 200
    name = "Navn" if language == "da" else "Name"
    page.locator("#api-tokens").locator("..").get_by_label(name, exact=True).fill("ESG-system")
    button = "Opret nøglen" if language == "da" else "Make the token"
    page.get_by_role("button", name=button).click()
    page.wait_for_selector("#token-value")
    secret = page.locator("#token-value").input_value()
    assert secret.startswith("ka_")
    results = Axe().run(page, options=WCAG_AA).response
    violations = results["violations"] + real_incomplete(results["incomplete"])
    assert not violations, describe(violations)
