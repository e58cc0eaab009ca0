"""The secretariat drafts this year's project plan with an activity and puts it to FU; FU's
(only) voting member votes yes and the plan is approved and locked; a risk goes on APS's
agenda and APS's review of it is recorded, all in the browser."""

import datetime

import pytest
from django.utils import timezone

from governance import services as governance_services
from governance.models import AgendaItem, Body, Decision, SeatRole
from partners import demo as partners_demo
from partners.models import Organisation, User
from planning.models import Plan, Risk, RiskReview
from tests.browser import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretariat_drafts_fu_approves_and_aps_reviews_a_risk(
    reference_data, eager_celery, live_server, browser_page
):
    partners_demo.seed()
    secretariat, member = (
        User.objects.get(username="sekretariat"),
        User.objects.get(username="fu-medlem"),
    )
    governance_services.membership_add(
        body=Body.objects.get(code="fu"),
        person=member,
        seat_role=SeatRole.MEMBER,
        appointed_by=Organisation.objects.get(code="kl"),
        by=None,
    )
    aps = Body.objects.get(code="aps")
    meeting = governance_services.meeting_create(
        body=aps,
        by=secretariat,
        title="APS-møde i næste uge",
        starts_at=timezone.now() + datetime.timedelta(days=7),
        location="KL-huset",
    )
    year = timezone.localdate().year
    page, base = browser_page, live_server.url

    # The secretariat drafts the plan and its activity.
    sign_in(page, base, "sekretariat")
    page.get_by_role("link", name="Planer").first.click()
    page.get_by_role("link", name="Ny plan").click()
    page.get_by_label("Type").select_option("project")
    page.get_by_label("År").fill(str(year))
    page.get_by_label("Titel").fill(f"Projektplan {year}")
    page.get_by_role("button", name="Gem").click()
    assert "Planen er gemt som udkast." in page.locator("#main").inner_text()
    plan = Plan.objects.get(year=year, kind="project")
    page.get_by_role("link", name="Ny aktivitet").click()
    page.get_by_label("Titel").fill("Netværksmøder for klimakoordinatorerne")
    page.get_by_label("Starter").fill(f"{year}-03-01")
    page.get_by_label("Slutter").fill(f"{year}-02-01")  # before it starts
    page.get_by_role("button", name="Gem").click()
    main = page.locator("#main").inner_text()
    assert "Giv aktiviteten en ansvarlig" in main
    assert "Aktiviteten skal slutte samme dag som den starter eller senere." in main
    assert not plan.activities.exists()
    page.get_by_label("Ansvarlig (organisation)").select_option(
        label="KL – Kommunernes Landsforening"
    )
    page.get_by_label("Slutter").fill(f"{year}-11-30")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"{base}{plan.get_absolute_url()}")
    assert page.get_by_role("table", name="Aktiviteter").is_visible()

    page.get_by_role("link", name="Forelæg for FU").click()
    deadline = timezone.localtime() + datetime.timedelta(days=10)
    page.get_by_label("Frist for FU's stemmer").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Gem").click()
    decision = Decision.objects.get(subject_object_id=plan.pk, body__code="fu")
    page.wait_for_url(f"{base}{decision.get_absolute_url()}")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.AT_FU
    page.screenshot(path=ARTIFACTS / "planning-put-to-fu.png", full_page=True)

    # FU's member votes yes: unanimous, so the plan is approved and locked.
    page.get_by_role("button", name="Log ud").click()
    sign_in(page, base, "fu-medlem")
    page.goto(f"{base}{decision.get_absolute_url()}")
    page.get_by_role("button", name="Stem ja").click()
    page.get_by_role("button", name="Afgiv min stemme: Ja").click()
    page.get_by_role("link", name=plan.title).first.click()
    main = page.locator("#main").inner_text()
    assert "Godkendt af FU den" in main and "Planen er låst" in main
    plan.refresh_from_db()
    assert plan.status == Plan.Status.APPROVED
    assert page.get_by_role("link", name="Forelæg for FU").count() == 0
    page.screenshot(path=ARTIFACTS / "planning-approved.png", full_page=True)

    # The secretariat records a risk, puts the register on APS's agenda, records the review.
    page.get_by_role("button", name="Log ud").click()
    sign_in(page, base, "sekretariat")
    page.goto(f"{base}/risici/")
    page.get_by_role("link", name="Ny risiko").click()
    page.get_by_label("Risiko").fill("Forsinket dataindsamling")
    page.get_by_label("Sandsynlighed (1–5)").select_option("4")
    page.get_by_label("Konsekvens (1–5)").select_option("4")
    page.get_by_label("Ansvarlig").select_option(label=str(secretariat))
    page.get_by_label("Afbødning").fill("Påmindelser via DGO'erne")
    page.get_by_label("Næste gennemgang").fill(f"{year + 1}-01-15")
    page.get_by_role("button", name="Gem").click()
    risk = Risk.objects.get()
    page.wait_for_url(f"{base}{risk.get_absolute_url()}")
    assert "Score 16 af 25" in page.locator("#main").inner_text()

    page.goto(f"{base}/risici/")
    page.get_by_label("Sæt på dagsordenen for APS' møde").select_option(str(meeting.pk))
    page.get_by_role("button", name="Sæt på dagsordenen").click()
    page.wait_for_url(f"{base}{meeting.get_absolute_url()}")
    item = AgendaItem.objects.get(meeting=meeting, title="Gennemgang af risikoregistret")
    assert "/risici/" in item.description
    # The agenda item links the register (the portal's address, from its settings).
    assert page.locator("#main a[href$='/risici/']").count() >= 1
    page.goto(f"{base}/risici/")

    page.get_by_role("link", name="Forsinket dataindsamling").click()
    page.get_by_role("link", name="Registrér APS' gennemgang").click()
    page.get_by_label("APS-møde").select_option(str(meeting.pk))
    page.get_by_label("Sandsynlighed (1–5)").select_option("2")
    page.get_by_label("Konsekvens (1–5)").select_option("4")
    page.get_by_label("Næste gennemgang").fill(f"{year + 1}-03-01")
    page.get_by_label("APS' konklusion").fill("Nedjusteret efter påmindelser.")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"{base}{risk.get_absolute_url()}")
    main = page.locator("#main").inner_text()
    assert "APS' gennemgang er registreret." in main and "Score 8 af 25" in main
    assert page.get_by_role("table", name="Gennemgange i APS").is_visible()
    review = RiskReview.objects.get()
    assert review.meeting == meeting and review.score == 8
    page.screenshot(path=ARTIFACTS / "planning-risk-reviewed.png", full_page=True)
