"""The open pages (åben viden): what is public is there, and nothing unpublished leaks — not on
any page, not in any download. Each test builds public data next to data that must stay private
(drafts, proposals, rejected and withdrawn tracks, unapproved reports, unpublished or pending
status reports, e-mail addresses) and reads every open page and file as an anonymous visitor."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from governance.models import SeatRole
from monitoring import services as monitoring_services
from monitoring.models import Sector, StatusReportDocument
from tests.factories import UserFactory
from tests.governance.factories import seat
from tests.matrix.tracks import _track
from tests.monitoring.factories import make_report, make_round
from tests.public_data import public_track, published_document
from tracks.models import KnowledgeProduct, Track

S = Track.Status
SECRET = "HEMMELIG"


def open_urls() -> list[str]:
    urls = [
        reverse("public-home"),
        reverse("public-body-list"),
        reverse("public-track-list"),
        reverse("public-track-list") + "?q=SPOR",
        reverse("public-report-list"),
        reverse("public-figures"),
        reverse("public-open-data"),
    ]
    urls += [reverse("public-body-detail", kwargs={"code": c}) for c in ("fu", "pug", "aps")]
    urls += [
        reverse("public-figures-dgo", kwargs={"slug": s}) for s in ("midtjylland", "hovedstaden")
    ]
    for dataset in ("emissioner", "planer"):
        for fmt in ("csv", "json"):
            urls.append(reverse("public-open-data-file", kwargs={"dataset": dataset, "fmt": fmt}))
    return urls


def everything_public(client) -> str:
    """Every open page and open-data file, read anonymously, as one text."""
    client.logout()
    texts = []
    for url in open_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.content.decode())
    return "\n".join(texts)


def private_track(users, state: str, title: str) -> Track:
    """A track in a state that is never public. States past 'recommended' that FU did not
    approve are set directly: the read rule is what is tested here, not the workflow."""
    if state in (S.DRAFT, S.SUBMITTED, S.IN_QUALIFICATION, S.ASSESSED, S.RECOMMENDED):
        track = _track(users, state)
    else:
        track = _track(users, S.RECOMMENDED)
        Track.objects.filter(pk=track.pk).update(status=state)
    Track.objects.filter(pk=track.pk).update(title=title)
    track.refresh_from_db()
    return track


@pytest.mark.parametrize(
    "state", [S.DRAFT, S.SUBMITTED, S.IN_QUALIFICATION, S.RECOMMENDED, S.REJECTED, S.WITHDRAWN]
)
def test_tracks_that_fu_has_not_approved_never_show(state, client, role_users):
    public = public_track(role_users, with_file=True)
    hidden = private_track(role_users, state, f"{SECRET}-SPOR-{state}")
    # A product on the private track (written directly: the service refuses it before running).
    product = KnowledgeProduct.objects.create(
        track=hidden,
        title=f"{SECRET}-PRODUKT",
        kind=KnowledgeProduct.Kind.FILE,
        file=ContentFile(b"%PDF-1.4 secret", name="hemmelig.pdf"),
        original_name="hemmelig.pdf",
        content_type="application/pdf",
        added_by=role_users["secretariat"],
    )
    text = everything_public(client)
    assert public.title in text
    assert SECRET not in text
    assert client.get(reverse("public-track-detail", kwargs={"pk": hidden.pk})).status_code == 404
    download = reverse("public-product-download", kwargs={"pk": product.pk})
    assert client.get(download).status_code == 404
    # Signed in makes no difference on the open pages.
    client.force_login(role_users["coordinator_a"])
    assert client.get(reverse("public-track-detail", kwargs={"pk": hidden.pk})).status_code == 404


def test_a_public_track_shows_its_products_and_participants(client, role_users):
    track = public_track(role_users, with_file=True)
    response = client.get(reverse("public-track-detail", kwargs={"pk": track.pk}))
    text = response.content.decode()
    assert "Vidensnotat om ladehubs" in text and "https://example.dk/notat" in text
    assert "Aarhus" in text and "Region Midtjylland" in text
    file_product = track.products.get(kind="file")
    download = client.get(reverse("public-product-download", kwargs={"pk": file_product.pk}))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_an_evaluated_track_stays_public_with_its_evaluation(client, role_users):
    track = public_track(role_users, state=S.EVALUATED)
    response = client.get(reverse("public-track-detail", kwargs={"pk": track.pk}))
    assert response.status_code == 200
    assert "Evaluering" in response.content.decode() or "Evaluation" in response.content.decode()


def test_the_tracks_contacts_funding_and_assessments_are_not_on_the_open_page(client, role_users):
    track = public_track(role_users)
    track.contacts.create(name="Kontakt Person", email="kontakt@example.dk", phone="12345678")
    text = client.get(reverse("public-track-detail", kwargs={"pk": track.pk})).content.decode()
    assert "kontakt@example.dk" not in text and "12345678" not in text
    assert "Kontakt Person" not in text


def test_bodies_show_names_and_seats_but_no_personal_data(client, role_users):
    person = UserFactory(
        first_name="Birgitte", last_name="Bestyrelse", email="birgitte.privat@example.dk"
    )
    seat("fu", person=person, role=SeatRole.CHAIR, appointed_by="kl")
    ended = UserFactory(first_name="Tidligere", last_name="Medlem", email="tidl@example.dk")
    seat("fu", person=ended, appointed_by="kl", ends_on=datetime.date(2024, 6, 1))
    text = client.get(reverse("public-body-detail", kwargs={"code": "fu"})).content.decode()
    assert "Birgitte Bestyrelse" in text
    assert "Chair" in text or "Formand" in text
    assert "Kommunernes Landsforening" in text or "KL" in text
    assert "@" not in text.split("<main", 1)[1].split("</main>", 1)[0]  # no address at all
    assert "Tidligere Medlem" not in text  # former seats are not listed
    assert person.username not in text
    assert client.get(reverse("public-body-detail", kwargs={"code": "nope"})).status_code == 404


def test_meetings_and_decisions_of_bodies_are_not_public(client, role_users):
    from tests.governance.factories import open_decision, plan_meeting

    plan_meeting("fu", publish=True).__class__.objects.update(title=f"{SECRET}-MØDE")
    decision = open_decision("fu", title=f"{SECRET}-BESLUTNING")
    text = everything_public(client)
    assert SECRET not in text
    assert client.get(decision.get_absolute_url()).status_code == 302  # to sign-in


def _sector_rows(rows, geography: str) -> dict[str, Decimal]:
    return {
        row["sector_code"]: Decimal(row["tonnes_co2e"])
        for row in rows
        if row["geography_code"] == geography
    }


@pytest.mark.parametrize("state", ["draft", "submitted", "changes_requested"])
def test_aggregates_and_open_data_hold_approved_data_only(state, client, role_users):
    round = make_round(2025, closed=False)
    make_report(round, "751", state="approved")  # Aarhus, Midtjylland
    make_report(round, "740", state=state, actions=5)  # Silkeborg: not approved
    make_report(round, "101", state=state)  # København, Hovedstaden: not approved
    sectors = list(Sector.objects.filter(is_active=True, parent__isnull=False))

    response = client.get(reverse("public-open-data-file", args=["emissioner", "csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    approved = {s.key: Decimal(1000 + i * 10) for i, s in enumerate(sectors)}
    assert _sector_rows(rows, "midtjylland") == approved
    assert _sector_rows(rows, "dk") == approved
    assert _sector_rows(rows, "hovedstaden") == {}

    plans = json.loads(
        client.get(reverse("public-open-data-file", args=["planer", "json"])).content
    )["data"]
    by_geo = {row["geography_code"]: row for row in plans if row["round"] == 2025}
    assert by_geo["dk"]["approved_reports"] == 1
    assert by_geo["midtjylland"]["with_adopted_plan"] == 1
    assert by_geo["hovedstaden"]["approved_reports"] == 0

    page = client.get(reverse("public-figures-dgo", args=["midtjylland"]) + "?year=2025")
    figures = page.context["figures"]
    assert figures.reported == 1
    assert dict((k, n) for k, _label, n in figures.action_counts)["not_started"] == 2


def test_locked_reports_count_only_if_they_were_approved(client, role_users):
    round = make_round(2025)
    report = make_report(round, "751", state="locked")
    type(report).objects.filter(pk=report.pk).update(approved_at=None)
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    reverse("public-open-data-file", args=["emissioner", "csv"])
                ).content.decode()
            )
        )
    )
    assert rows == []


def test_only_published_status_reports_are_listed_and_downloadable(client, role_users):
    published = published_document(role_users)
    round = published.round
    finished = StatusReportDocument.objects.create(
        round=round,
        language="en",
        data_snapshot_at=round.created_at,
        status=StatusReportDocument.Status.DONE,
        progress=100,
    )
    finished.file.save(finished.file_name, ContentFile(b"%PDF-1.7 unpublished"), save=True)
    pending = StatusReportDocument.objects.create(
        round=round, language="da", data_snapshot_at=finished.requested_at
    )
    response = client.get(reverse("public-report-list"))
    assert [d.pk for d in response.context["documents"]] == [published.pk]
    ok = client.get(reverse("public-report-download", kwargs={"pk": published.pk}))
    assert ok.status_code == 200 and ok["Content-Type"] == "application/pdf"
    for document in (finished, pending):
        url = reverse("public-report-download", kwargs={"pk": document.pk})
        assert client.get(url).status_code == 404
    # Withdrawn again: gone from the open pages.
    monitoring_services.status_report_unpublish(document=published, by=role_users["secretariat"])
    assert client.get(reverse("public-report-list")).context["documents"] == []
    url = reverse("public-report-download", kwargs={"pk": published.pk})
    assert client.get(url).status_code == 404


def test_publishing_is_for_the_secretariat_and_finished_documents(client_for, role_users):
    from django.core.exceptions import PermissionDenied, ValidationError

    round = make_round(2025)
    pending = StatusReportDocument.objects.create(
        round=round, language="da", data_snapshot_at=round.created_at
    )
    with pytest.raises(ValidationError):
        monitoring_services.status_report_publish(document=pending, by=role_users["secretariat"])
    done = published_document(role_users)
    monitoring_services.status_report_unpublish(document=done, by=role_users["secretariat"])
    with pytest.raises(PermissionDenied):
        monitoring_services.status_report_publish(document=done, by=role_users["coordinator_a"])

    client = client_for("secretariat")
    url = reverse("public-report-publishing")
    assert client.get(url).status_code == 200
    response = client.post(url, {"document": done.pk, "action": "publish"})
    assert response.status_code == 302
    assert StatusReportDocument.objects.get(pk=done.pk).publication is not None
    response = client.post(url, {"document": pending.pk, "action": "publish"}, follow=True)
    assert not StatusReportDocument.objects.filter(
        pk=pending.pk, publication__isnull=False
    ).exists()
    assert client.post(url, {"document": "x"}).status_code == 404
    assert client.post(url, {"document": done.pk, "action": "unpublish"}).status_code == 302
    assert not StatusReportDocument.objects.filter(pk=done.pk, publication__isnull=False).exists()
    other = client_for("coordinator_a")
    assert other.post(url, {"document": done.pk, "action": "publish"}).status_code == 403


def test_open_data_states_its_licence_and_neutralises_cells(client, role_users):
    round = make_round(2025)
    make_report(round, "751", state="approved")
    reported = Sector.objects.filter(parent__isnull=False).first()  # make_report's sectors
    Sector.objects.filter(key=reported.key).update(name_da="=HYPERLINK(1)")
    page = client.get(reverse("public-open-data")).content.decode()
    assert "CC BY 4.0" in page and "https://creativecommons.org/licenses/by/4.0/" in page
    csv_response = client.get(reverse("public-open-data-file", args=["emissioner", "csv"]))
    assert 'rel="license"' in csv_response["Link"]
    assert "creativecommons.org/licenses/by/4.0" in csv_response["Link"]
    assert "attachment" in csv_response["Content-Disposition"]
    body = csv_response.content.decode()
    assert "'=HYPERLINK(1)" in body
    assert ",=HYPERLINK" not in body
    payload = json.loads(
        client.get(reverse("public-open-data-file", args=["emissioner", "json"])).content
    )
    assert payload["licence"]["name"] == "CC BY 4.0"
    assert payload["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert {f["name"] for f in payload["fields"]} >= {"geography_code", "tonnes_co2e"}
    assert client.get("/aaben/data/emissioner.xml").status_code == 404
    assert client.get("/aaben/data/andet.csv").status_code == 404


def test_the_sign_in_page_and_footer_lead_to_the_open_pages(client):
    home = reverse("public-home")
    assert f'href="{home}"' in client.get(reverse("login")).content.decode()
    assert f'href="{home}"' in client.get(reverse("accessibility")).content.decode()


def test_open_pages_are_cacheable_for_anonymous_and_private_for_signed_in(client, client_for):
    anonymous = client.get(reverse("public-home"))
    assert "no-store" not in anonymous.get("Cache-Control", "")
    signed_in = client_for("observer").get(reverse("public-home"))
    assert "no-store" in signed_in["Cache-Control"]


def test_publishing_a_status_report_is_in_the_audit_trail(role_users):
    from auditlog.models import LogEntry

    document = published_document(role_users)
    monitoring_services.status_report_unpublish(document=document, by=role_users["secretariat"])
    actions = list(
        LogEntry.objects.filter(content_type__model="statusreportpublication")
        .order_by("timestamp")
        .values_list("action", flat=True)
    )
    assert actions == [LogEntry.Action.CREATE, LogEntry.Action.DELETE]
