"""The track journey in a real browser: a coordinator proposes and submits a track, the
knowledge partner publishes the climate assessment, and Realdania approves an allocation.
The steps in between (APS, FU's unanimous vote) run through the services."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from governance import demo as governance_demo
from governance import services as governance_services
from partners import demo as partners_demo
from partners.models import User
from tests.browser import ARTIFACTS, sign_in
from tracks import demo as tracks_demo
from tracks import services
from tracks.models import Allocation, LiquidPool, Principle, Track

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_proposal_assessment_and_allocation(
    reference_data, eager_celery, live_server, browser_page
):
    partners_demo.seed()
    governance_demo.seed()
    people = {u.username: u for u in User.objects.all()}
    tracks_demo.pug_adopts(services.focus_area_save(
        by=people["sekretariat"], year=2026, name_da="Tung transport og mobilitet",
        name_en="Heavy transport and mobility",
    ), people["sekretariat"])  # fmt: skip
    page = browser_page
    base = live_server.url

    # 1. The coordinator proposes a track and submits it.
    sign_in(page, base, "koordinator-midt")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Udviklingsspor"
    ).click()
    page.get_by_role("link", name="Foreslå et spor").click()
    page.get_by_label("Titel", exact=True).fill("Fossilfri tung transport i Østjylland")
    page.get_by_label("Fokusområde").select_option(label="Tung transport og mobilitet (2026)")
    page.get_by_label("Problemstilling").fill("Lastbiler kører på diesel.")
    page.get_by_label("Ambition").fill("Fossilfri lastbiler i tre kommuner inden 2028.")
    page.get_by_label("Udviklings-, test- eller demonstrationselement").fill(
        "Demonstration af fælles ladehubs."
    )
    page.get_by_label("Plan for vidensdeling").fill("Webinarer for alle kommuner.")
    page.get_by_label("Evalueringsplan").fill("Slutevaluering ved videnspartnerne.")
    page.get_by_label("Deltager 1", exact=True).select_option(label="Aarhus")
    page.get_by_label("Deltager 1 er tovholder").check()
    page.get_by_label("Deltager 2", exact=True).select_option(label="Randers")
    page.get_by_label("Deltager 3", exact=True).select_option(label="Region Midtjylland")
    page.get_by_label("År, finansieringsrække 1").select_option("2026")
    page.get_by_label("Kilde, finansieringsrække 1").select_option(
        label="Likvide midler til spor (en pulje)"
    )
    page.get_by_label("Pulje, finansieringsrække 1").select_option(
        label="Realdanias likvide midler til klimaudviklingsspor"
    )
    page.get_by_label("Beløb, finansieringsrække 1").fill("400.000,00")
    page.get_by_label("Navn, kontaktperson 1").fill("Mads Midtgaard (demo)")
    page.screenshot(path=ARTIFACTS / "tracks-proposal-form.png", full_page=True)
    page.get_by_role("button", name="Gem udkastet").click()
    page.wait_for_load_state()
    page.screenshot(path=ARTIFACTS / "tracks-after-save.png", full_page=True)
    page.wait_for_url(re.compile(r"/tracks/\d+/$"))
    track = Track.objects.get()
    assert page.url == f"{base}{track.get_absolute_url()}"
    assert "opfylder alle principper" in page.locator("#main").inner_text()
    page.screenshot(path=ARTIFACTS / "tracks-draft.png", full_page=True)
    page.get_by_role("button", name="Indsend til APS' bruttoliste").click()
    page.wait_for_url(f"{base}{track.get_absolute_url()}")
    assert "Sporet er indsendt" in page.get_by_role("status").inner_text()
    track.refresh_from_db()
    assert track.status == Track.Status.SUBMITTED
    page.get_by_role("button", name="Log ud").click()

    # APS takes it onto its long list and into qualification (a unanimous APS decision).
    tracks_demo.aps_decides(track, "qualification", people["sekretariat"])

    # 2. The knowledge partner publishes the climate assessment.
    sign_in(page, base, "videnspartner")
    panel = page.get_by_role("region", name="Vurderinger, der skal skrives")
    panel.get_by_role("link", name=track.title).click()
    page.get_by_label("Konklusion").select_option(label="Anbefales med forbehold")
    page.get_by_label("Klimafaglig vurdering").fill(
        "Sporet har et tydeligt demonstrationselement. Videnspartnerne anbefaler målbare delmål."
    )
    page.screenshot(path=ARTIFACTS / "tracks-assessment-form.png", full_page=True)
    page.get_by_role("button", name="Offentliggør").click()
    page.wait_for_url(f"{base}{track.get_absolute_url()}")
    assert "Anbefales med forbehold" in page.locator("#main").inner_text()
    page.screenshot(path=ARTIFACTS / "tracks-assessed.png", full_page=True)
    page.get_by_role("button", name="Log ud").click()
    track.refresh_from_db()
    assert track.status == Track.Status.ASSESSED

    # APS judges the principles and recommends; FU approves unanimously; the track starts.
    services.principles_judge(
        track=track,
        by=people["sekretariat"],
        judgements={principle: (True, "") for principle in Principle.values},
    )
    tracks_demo.aps_decides(track, "recommendation", people["sekretariat"])
    decision = services.track_put_to_fu(
        track=track, by=people["sekretariat"], deadline=timezone.now() + datetime.timedelta(days=7)
    )
    for username in ("demo-karin", "demo-rikke", "demo-steen", "demo-rasmus", "fu-medlem"):
        governance_services.vote_cast(decision=decision, by=people[username], choice="yes")
    track.refresh_from_db()
    assert track.status == Track.Status.APPROVED
    services.track_start(track=track, by=people["koordinator-midt"])
    allocation = services.allocation_request(
        track=track,
        pool=LiquidPool.objects.get(key="realdania-likvide"),
        by=people["koordinator-midt"],
        year=2026,
        amount=Decimal("400000.00"),
        purpose="Ladehubs i to kommuner",
    )

    # 3. Realdania's approver approves the allocation.
    sign_in(page, base, "realdania")
    panel = page.get_by_role("region", name="Bevillinger, der afventer min parts godkendelse")
    assert panel.locator(".badge").first.inner_text() == "1"
    page.screenshot(path=ARTIFACTS / "tracks-dashboard-realdania.png", full_page=True)
    panel.get_by_role("link", name="Gå til godkendelser").click()
    page.screenshot(path=ARTIFACTS / "tracks-approvals.png", full_page=True)
    page.get_by_role("button", name="Godkend 400.000,00 kr.").click()
    page.wait_for_url(f"{base}/budget/approvals/")
    assert "godkendt" in page.get_by_role("status").inner_text()
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.APPROVED
    assert allocation.decided_by.username == "realdania"
    page.goto(f"{base}/budget/pools/realdania-likvide/")
    assert "4.600.000,00 kr." in page.locator("#main").inner_text()  # left
    page.screenshot(path=ARTIFACTS / "tracks-pool.png", full_page=True)
    page.goto(f"{base}{track.get_absolute_url()}")
    page.screenshot(path=ARTIFACTS / "tracks-running.png", full_page=True)
    page.goto(f"{base}/tracks/?dgo=midtjylland")
    assert track.title in page.locator("table").inner_text()
    page.screenshot(path=ARTIFACTS / "tracks-list.png", full_page=True)
    page.goto(f"{base}/budget/")
    assert "82.100.000,00 kr." in page.locator("#main").inner_text()
    page.screenshot(path=ARTIFACTS / "tracks-budget.png", full_page=True)


def test_the_funding_table_stays_inside_its_card(reference_data, module_page, live_server):
    """At 1280 px the track's funding sits in the narrow side column, at 360 px in the only
    one: in Danish and in English the table never runs past its card (the long pool name and
    "DKK 2,500,000.00" once made it 105 px too wide) and the page never scrolls sideways."""
    from tests.browser import DESKTOP, MOBILE, session_cookie, use_cookies
    from tests.tracks.factories import People, advance, allocation, draft

    people = People()
    track = advance(draft(people.coordinator), Track.Status.APPROVED, people)
    allocation(track, people, "2500000.00")
    approved = allocation(track, people, "1200000.00")
    services.allocation_approve(allocation=approved, by=people.realdania, note="")
    page, base = module_page, live_server.url
    session = session_cookie(people.secretariat)
    measure = """() => {
        const card = document.getElementById('funding').closest('.card').getBoundingClientRect();
        const cells = [...document.querySelectorAll('#funding ~ * td, #funding ~ * th')]
            .filter(cell => cell.offsetParent !== null);
        return {
            cells: cells.length,
            past: Math.max(...cells.map(c => c.getBoundingClientRect().right - card.right)),
            sideways: document.documentElement.scrollWidth
                - document.documentElement.clientWidth,
        };
    }"""
    for language, amount in (("da", "2.500.000,00 kr."), ("en", "DKK 2,500,000.00")):
        use_cookies(page, base, language=language, session=session)
        for viewport in (DESKTOP, MOBILE):
            page.set_viewport_size(viewport)
            page.goto(f"{base}/tracks/{track.pk}/")
            assert amount in page.locator("#funding").locator("..").inner_text()
            layout = page.evaluate(measure)
            assert layout["cells"] >= 6
            assert layout["past"] <= 0 and layout["sideways"] == 0, (language, viewport, layout)
            page.locator("#funding").locator("..").screenshot(
                path=ARTIFACTS / f"track-funding-{language}-{viewport['width']}.png"
            )
    page.set_viewport_size(DESKTOP)
