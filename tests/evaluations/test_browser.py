"""The evaluation journey in a real browser: the secretariat drafts the mid-term evaluation and
puts its terms of reference to APS; APS recommends them (its votes through the service), which
opens FU's decision; an FU member votes yes on the decision page and FU approves; the
secretariat attaches the report and turns a recommendation into a follow-up action, whose
owner reports it under way."""

import datetime

import pytest
from django.utils import timezone

from core.models import Notification
from evaluations import notices
from evaluations.models import Evaluation, FollowUpAction
from governance import demo as governance_demo
from governance import services as governance_services
from governance.models import Membership
from partners import demo as partners_demo
from tests.browser import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n%Midtvejsevaluering\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _others_vote_yes(decision, but: str = "") -> None:
    seats = Membership.objects.active().voting().filter(body=decision.body)
    for seat in seats.select_related("person"):
        decision.refresh_from_db()
        if decision.is_open and seat.person.username != but:
            governance_services.vote_cast(decision=decision, by=seat.person, choice="yes")


def test_aps_recommends_and_fu_approves_the_terms_then_the_report_is_followed_up(
    reference_data, eager_celery, live_server, browser_page, tmp_path
):
    partners_demo.seed()
    governance_demo.seed()
    page, base = browser_page, live_server.url
    deadline = (timezone.localtime() + datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")

    sign_in(page, base, "sekretariat")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Evalueringer"
    ).click()
    page.get_by_role("link", name="Ny evaluering").click()
    page.get_by_label("Titel").fill("Midtvejsevaluering af Klimaalliancen")
    page.get_by_label("Kommissorium").fill("Evalueringen ser på organisering og spor.")
    page.get_by_role("button", name="Gem").click()
    # Bad input comes back in Danish, nothing written: kind and arranger are missing.
    assert "Dette felt er påkrævet." in page.locator("#main").inner_text()
    assert not Evaluation.objects.exists()
    page.get_by_label("Type").select_option("midterm")
    page.get_by_label("Forestås af").select_option(label="Realdania")
    page.get_by_role("button", name="Gem").click()
    evaluation = Evaluation.objects.get()
    page.wait_for_url(f"{base}{evaluation.get_absolute_url()}")
    assert "Evalueringen er oprettet" in page.locator("#main").inner_text()

    page.get_by_label("Frist for afstemningen").fill(deadline)
    page.get_by_role("button", name="Forelæg kommissoriet for APS").click()
    page.wait_for_url(f"{base}{evaluation.get_absolute_url()}")
    assert page.locator("#evaluation-status").inner_text() == "Kommissorium til behandling i APS"
    evaluation.refresh_from_db()
    aps = evaluation.aps_decision
    assert aps.body.code == "aps" and aps.is_open

    # APS's members vote through the service; the last yes closes APS's decision and opens FU's.
    _others_vote_yes(aps)
    page.reload()
    assert page.locator("#evaluation-status").inner_text() == "Kommissorium til behandling i FU"
    evaluation.refresh_from_db()
    fu = evaluation.fu_decision
    page.screenshot(path=ARTIFACTS / "evaluation-terms-at-fu.png", full_page=True)

    # An FU member votes on the decision page; the others through the service.
    page.get_by_role("button", name="Log ud").click()
    sign_in(page, base, "fu-medlem")
    page.goto(f"{base}{fu.get_absolute_url()}")
    page.get_by_role("button", name="Stem ja").click()
    page.get_by_role("button", name="Afgiv min stemme: Ja").click()
    page.wait_for_url(f"{base}{fu.get_absolute_url()}")
    _others_vote_yes(fu, but="fu-medlem")
    fu.refresh_from_db()
    assert fu.status == "adopted"
    # The decision names its subject: the FU member follows it to the evaluation.
    page.reload()
    page.get_by_role("link", name="Midtvejsevaluering af Klimaalliancen").click()
    page.wait_for_url(f"{base}{evaluation.get_absolute_url()}")
    assert page.locator("#evaluation-status").inner_text() == "Kommissorium godkendt af FU"

    # The secretariat attaches the report (a fake PDF is refused first) and adds an action.
    page.get_by_role("button", name="Log ud").click()
    sign_in(page, base, "sekretariat")
    page.goto(f"{base}{evaluation.get_absolute_url()}")
    fake = tmp_path / "rapport.pdf"
    fake.write_bytes(b"MZ not a pdf at all")
    page.locator("#id_file").set_input_files(str(fake))
    page.get_by_role("button", name="Vedhæft rapporten").click()
    assert "Kommissorium godkendt af FU" in page.locator("#evaluation-status").inner_text()
    evaluation.refresh_from_db()
    assert not evaluation.report
    real = tmp_path / "midtvejsevaluering.pdf"
    real.write_bytes(PDF)
    page.locator("#id_file").set_input_files(str(real))
    page.get_by_role("button", name="Vedhæft rapporten").click()
    page.wait_for_url(f"{base}{evaluation.get_absolute_url()}")
    assert page.locator("#evaluation-status").inner_text() == "Rapport modtaget"
    assert Notification.objects.filter(
        kind=notices.REPORT_RECEIVED, user__username="fu-medlem"
    ).exists()

    page.get_by_label("Anbefaling", exact=True).fill("Styrk vidensdelingen mellem DGO'erne.")
    page.get_by_label("Opfølgningspunkt", exact=True).fill("Netværksmøde for DGO-sekretariaterne.")
    page.get_by_label("Ansvarlig", exact=True).select_option(label="Frederik Udvalgsen (demo)")
    page.get_by_label("Frist", exact=True).fill(
        (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    )
    page.get_by_role("button", name="Tilføj punktet").click()
    page.wait_for_url(f"{base}{evaluation.get_absolute_url()}")
    action = FollowUpAction.objects.get()
    assert action.owner.username == "fu-medlem"

    # The owner reports it under way.
    page.get_by_role("button", name="Log ud").click()
    sign_in(page, base, "fu-medlem")
    page.goto(f"{base}{evaluation.get_absolute_url()}")
    page.get_by_label("Status", exact=True).select_option("under_way")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"{base}{evaluation.get_absolute_url()}")
    action.refresh_from_db()
    assert action.status == FollowUpAction.Status.UNDER_WAY
    page.screenshot(path=ARTIFACTS / "evaluation-follow-up.png", full_page=True)
