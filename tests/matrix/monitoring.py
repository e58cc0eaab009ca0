"""Monitoring's pages and actions for every role (see tests/matrix/__init__.py)."""

from . import SIGNED_IN, Case, api, only, page, public

SECRETARIAT = {"secretariat"}
IMPORTERS = {"secretariat", "administrator"}
ENTRY = {"coordinator_a", "secretariat"}  # Aarhus is in coordinator_a's DGO


def _round(**kwargs):
    from tests.monitoring.factories import make_round

    return make_round(**kwargs)


def open_round(users) -> dict:
    _round()
    return {"year": 2026}


def closed_round(users) -> dict:
    _round(year=2025, closed=True)
    return {"year": 2025}


def draft_report(users) -> dict:
    from tests.monitoring.factories import make_report

    make_report(_round(), "751")
    return {"year": 2026, "code": "751"}


def incomplete_draft(users) -> dict:
    from tests.monitoring.factories import make_report

    make_report(_round(), "751", figures=False)
    return {"year": 2026, "code": "751"}


def submitted_report(users) -> dict:
    from tests.monitoring.factories import make_report

    make_report(_round(), "751", state="submitted")
    return {"year": 2026, "code": "751"}


def approved_report(users) -> dict:
    from tests.monitoring.factories import make_report

    make_report(_round(), "751", state="approved")
    return {"year": 2026, "code": "751"}


def api_report(users) -> dict:
    approved_report(users)
    return {"key": "2026-751"}


def api_on_track(users) -> dict:
    approved_report(users)
    return {"code": "751"}


def api_round(users) -> dict:
    _round()
    return {"year": 2026}


def post(name, expect: dict, setup, data=None) -> Case:
    return Case(name, {"anonymous": 302, **expect}, method="post", setup=setup, data=data)


def roles(default: int, **overrides: int) -> dict:
    return {**dict.fromkeys(SIGNED_IN, default), **overrides}


CASES = [
    page("monitoring-round-list"),
    only("monitoring-round-create", SECRETARIAT),
    page("monitoring-national"),
    page("monitoring-dgo", {"slug": "midtjylland"}),
    page("monitoring-municipality-emissions", {"code": "751"}),
    page("monitoring-municipality-factsheet", {"code": "751"}),
    # A DGO's status pack: its coordinators and the secretariat (coordinator_a is Midtjylland's)
    Case("monitoring-dgo-status-pack",
         {"anonymous": 302, **roles(403, coordinator_a=200, secretariat=200)},
         {"slug": "midtjylland"}),
    page("monitoring-round-detail", setup=open_round),
    only("monitoring-round-export", IMPORTERS, setup=open_round),
    only("monitoring-round-template", IMPORTERS, setup=open_round),
    only("monitoring-round-import", IMPORTERS, setup=open_round),
    only("monitoring-accounts-import", IMPORTERS),
    post("monitoring-accounts-import-confirm", roles(403, secretariat=302, administrator=302),
         None, {"token": "none"}),
    post("monitoring-round-import-confirm", roles(403, secretariat=302, administrator=302),
         open_round, {"token": "none"}),
    post("monitoring-round-reminders", roles(403, secretariat=302), open_round),
    # Closing asks first (the counts by state); reopening a closed round needs a reason.
    only("monitoring-round-close", SECRETARIAT, setup=open_round),
    post("monitoring-round-close", roles(403, secretariat=302), open_round, {"confirm": "on"}),
    only("monitoring-round-reopen", SECRETARIAT, setup=closed_round),
    post("monitoring-round-reopen", roles(403, secretariat=302), closed_round,
         {"reason": "Aarhus' tal for transport skal rettes"}),
    # A draft: its DGO's coordinators and the secretariat only; to others it does not exist.
    Case("monitoring-report-detail",
         {"anonymous": 302, **roles(404, coordinator_a=200, secretariat=200)},
         setup=draft_report),
    only("monitoring-report-edit", ENTRY, setup=draft_report),
    # Writes: everyone who may not take the step gets 403 (coordinator_b included).
    # Submitting an incomplete report is allowed and answered with a message (302).
    post("monitoring-report-submit", roles(403, coordinator_a=302, secretariat=302),
         incomplete_draft),
    post("monitoring-report-approve", roles(403, secretariat=302), submitted_report),
    post("monitoring-report-withdraw", roles(403, coordinator_a=302, secretariat=302),
         submitted_report),
    post("monitoring-report-request-changes", roles(403, secretariat=302),
         submitted_report, {"comment": "Tjek tallene"}),
    # API
    api("api-monitoring-round-list"),
    api("api-monitoring-round-detail", setup=api_round),
    api("api-monitoring-report-list"),
    # A draft through the API: for those who fill it in; to the others it does not exist.
    api(
        "api-monitoring-draft",
        setup=lambda users: draft_report(users),
        **roles(404, coordinator_a=200, secretariat=200),
    ),
    Case(
        "api-monitoring-draft-submit",
        {"anonymous": 401, **roles(405)},
        setup=lambda users: draft_report(users),
    ),
    api("api-monitoring-report-detail", setup=api_report),
    # The open data per municipality: anonymous too (throttled).
    public("api-open-municipal-emissions"),
    api("api-analysis-municipality", setup=api_on_track),
]  # fmt: skip

# Approved reports and closed rounds are readable by everyone signed in.
EXTRA = [
    page("monitoring-report-detail", setup=approved_report),
    page("monitoring-round-detail", setup=closed_round),
    Case("monitoring-report-edit", {"anonymous": 302, **roles(403)}, setup=approved_report),
]


def done_document(users) -> dict:
    from monitoring.models import StatusReportDocument

    round = _round()
    document = StatusReportDocument.objects.create(
        round=round,
        language="da",
        data_snapshot_at=round.created_at,
        status=StatusReportDocument.Status.DONE,
        progress=100,
        page_count=1,
    )
    from django.core.files.base import ContentFile

    document.file.save(document.file_name, ContentFile(b"%PDF-1.7"), save=True)
    return {"pk": document.pk}


def pending_document(users) -> dict:
    from monitoring.models import StatusReportDocument

    round = _round()
    document = StatusReportDocument.objects.create(
        round=round, language="da", data_snapshot_at=round.created_at
    )
    return {"pk": document.pk}


CASES += [
    page("monitoring-status-report", setup=open_round),
    page("monitoring-status-report-status", setup=done_document),
    page("monitoring-status-report-download", setup=done_document),
    # Pending documents exist for the secretariat only.
    Case("monitoring-status-report-status",
         {"anonymous": 302, **roles(404, secretariat=200)}, setup=pending_document),
    Case("monitoring-status-report-download",
         {"anonymous": 302, **roles(404)}, setup=pending_document),
]  # fmt: skip

# The knowledge partners' text of the status report: they write, preview and publish it; the
# secretariat reads (and previews) it; nobody else opens it (the published text is on the
# status report's page for everyone signed in).
EDITION_READERS = {"knowledge_partner", "secretariat"}


def draft_edition(users) -> dict:
    from monitoring import services

    round = _round(year=2025, closed=True)
    services.edition_save(
        round=round, by=users["knowledge_partner"], foreword="Forord {antal_kommuner}",
        key_messages=["Et budskab"], chapters={"summary": "Kort"},
    )  # fmt: skip
    return {"year": 2025}


def published_edition(users) -> dict:
    from monitoring import services
    from monitoring.models import ReportEdition

    draft_edition(users)
    services.edition_publish(edition=ReportEdition.objects.get(), by=users["knowledge_partner"])
    return {"year": 2025}


def preview_document(users) -> dict:
    from django.core.files.base import ContentFile

    from monitoring.models import Round, StatusReportDocument

    draft_edition(users)
    round = Round.objects.get(year=2025)
    document = StatusReportDocument.objects.create(
        round=round, language="da", data_snapshot_at=round.created_at,
        status=StatusReportDocument.Status.DONE, progress=100, page_count=1, is_preview=True,
    )  # fmt: skip
    document.file.save(document.file_name, ContentFile(b"%PDF-1.7"), save=True)
    return {"pk": document.pk}


EDITION_TEXT = {"foreword": "Nyt forord", "key_messages": "Et\nTo", "chapter_summary": ""}
CASES += [
    only("monitoring-edition", EDITION_READERS, setup=closed_round),
    only("monitoring-edition", EDITION_READERS, setup=draft_edition),
    only("monitoring-edition", EDITION_READERS, setup=published_edition),
    post("monitoring-edition", roles(403, knowledge_partner=302), closed_round, EDITION_TEXT),
    # Published: locked for everyone; the knowledge partner is shown the service's refusal.
    post("monitoring-edition", roles(403, knowledge_partner=400), published_edition,
         EDITION_TEXT),
    post("monitoring-edition-publish", roles(403, knowledge_partner=302), draft_edition),
    post("monitoring-edition-publish", roles(403, knowledge_partner=400), published_edition),
    post("monitoring-edition-preview", roles(403, knowledge_partner=302, secretariat=302),
         draft_edition, {"language": "da"}),
    page("monitoring-status-report", setup=published_edition),
    # A preview holds the draft text: for those who read the draft only.
    Case("monitoring-status-report-status",
         {"anonymous": 302, **roles(404, knowledge_partner=200, secretariat=200)},
         setup=preview_document),
    Case("monitoring-status-report-download",
         {"anonymous": 302, **roles(404, knowledge_partner=200, secretariat=200)},
         setup=preview_document),
]  # fmt: skip

# Decision support: indicators, peers, what is due, the digest.
CATALOGUE_EDITORS = {"secretariat", "knowledge_partner"}
DUE_VIEWERS = {"coordinator_a", "coordinator_b", "secretariat"}


def indicator_value(users) -> dict:
    from monitoring.models import Indicator, IndicatorValue
    from partners.models import Municipality

    IndicatorValue.objects.create(
        indicator=Indicator.objects.get(key="electric_car_share"),
        municipality=Municipality.objects.get(code="751"),
        year=2024,
        value=12,
        data_release="test",
    )
    return {"key": "electric_car_share"}


def indicator_values(users) -> dict:
    indicator_value(users)
    return {}


CASES += [
    page("monitoring-indicator-list"),
    page("monitoring-indicator-detail", setup=indicator_value),
    only("monitoring-indicator-create", CATALOGUE_EDITORS),
    only("monitoring-indicator-edit", CATALOGUE_EDITORS, {"key": "electric_car_share"}),
    only("monitoring-indicator-import", IMPORTERS, setup=open_round),
    only("monitoring-indicator-template", IMPORTERS, setup=open_round),
    post("monitoring-indicator-import-confirm", roles(403, secretariat=302, administrator=302),
         open_round, {"token": "none"}),
    page("monitoring-municipality-peers", setup=api_on_track),
    only("monitoring-due", DUE_VIEWERS),
    page("monitoring-digest"),
    api("api-indicator-list"),
    api("api-indicator-detail", {"key": "electric_car_share"}),
    api("api-indicator-value-list", setup=indicator_values),
    api("api-analysis-peers", setup=api_on_track),
    Case("api-analysis-due", {"anonymous": 401, **roles(403, coordinator_a=200,
         coordinator_b=200, secretariat=200)}),
]  # fmt: skip
