"""The invitation journey in a real browser: the secretariat invites a contact person, the
e-mail lands in the outbox, the person opens the link, chooses a password and signs in."""

import re

import pytest

from core.models import OutboxEmail
from partners import demo
from partners.models import User
from tests.browser import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Grøn omstilling 2030!"


def test_secretariat_invites_and_the_person_signs_in(reference_data, live_server, browser_page):
    demo.seed()
    page = browser_page
    base = live_server.url
    sign_in(page, base, "sekretariat")

    page.get_by_role("link", name="Personer", exact=True).click()
    page.wait_for_url(f"{base}/people/")
    page.get_by_role("link", name="Invitér en person").click()
    page.get_by_label("E-mailadresse").fill("mette.klimasen@aarhus.dk")
    page.get_by_label("Fornavn").fill("Mette")
    page.get_by_label("Efternavn").fill("Klimasen")
    page.get_by_label("Stillingsbetegnelse").fill("Klimakoordinator")
    page.get_by_label("Rolle").select_option(label="Kontaktperson i en kommune")
    page.get_by_label(re.compile(r"^Kommune")).select_option(label="Aarhus")
    page.get_by_label("Begrundelse").fill("Ny klimakoordinator i Aarhus")
    page.screenshot(path=ARTIFACTS / "people-invite-form.png", full_page=True)
    page.get_by_role("button", name="Send invitationen").click()
    page.wait_for_load_state()
    assert "mette.klimasen@aarhus.dk er inviteret som" in page.content()
    page.screenshot(path=ARTIFACTS / "people-invite-sent.png", full_page=True)

    # The municipality's people page lists her, waiting for her invitation.
    page.goto(f"{base}/municipalities/751/people/")
    assert "Mette Klimasen" in page.content()
    assert "invitation venter" in page.content()
    page.screenshot(path=ARTIFACTS / "people-aarhus.png", full_page=True)

    page.goto(f"{base}/bodies/fu/people/")
    assert page.get_by_role("link", name="Invitér et medlem").is_visible()
    page.screenshot(path=ARTIFACTS / "people-body-fu.png", full_page=True)

    mail = OutboxEmail.objects.get(to=["mette.klimasen@aarhus.dk"])
    assert mail.subject == "Invitation til Klimaalliancens portal"
    path = re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", mail.body).group(1)

    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(f"{base}/accounts/login/")
    page.goto(base + path)
    assert page.locator("h1").inner_text() == "Velkommen til Klimaalliancen"
    page.get_by_label("Din e-mailadresse").fill("mette.klimasen@aarhus.dk")
    page.get_by_label("Vælg en adgangskode").fill(PASSWORD)
    page.get_by_label("Adgangskoden igen").fill(PASSWORD)
    page.get_by_label("Mit navn, min rolle, organisation og e-mailadresse").check()
    page.screenshot(path=ARTIFACTS / "people-invitation-accept.png", full_page=True)
    page.get_by_role("button", name="Gem min adgangskode").click()
    page.wait_for_url(f"{base}/accounts/login/")
    assert "Din adgangskode er gemt" in page.content()

    page.get_by_label("Brugernavn").fill("mette.klimasen@aarhus.dk")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{base}/")
    assert "Mette Klimasen" in page.locator("header").inner_text()
    page.screenshot(path=ARTIFACTS / "people-first-sign-in.png", full_page=True)

    # She is in the contact directory with her e-mail, as she chose.
    page.get_by_role("link", name="Kontakter", exact=True).click()
    page.get_by_label("Kommune").select_option(label="Aarhus")
    page.get_by_role("button", name="Vis").click()
    row = page.get_by_role("row", name=re.compile("Mette Klimasen"))
    assert "mette.klimasen@aarhus.dk" in row.inner_text()
    page.screenshot(path=ARTIFACTS / "people-directory.png", full_page=True)

    # The link is single use.
    page.get_by_role("button", name="Log ud").click()
    page.goto(base + path)
    assert "allerede brugt" in page.content()
    page.screenshot(path=ARTIFACTS / "people-invitation-used.png", full_page=True)
    assert User.objects.get(email="mette.klimasen@aarhus.dk").has_usable_password()
