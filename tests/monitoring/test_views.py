import io

import pytest
from django.core import mail
from django.urls import reverse

from monitoring import exports
from monitoring.models import Action, Round, Sector, StatusReport
from monitoring.views.rounds import IMPORT_SESSION_KEY

from .factories import make_report, make_round, snapshot
from .test_import import as_file, filled_rows

State = StatusReport.State
EDIT = "/monitoring/2026/751/edit/"


@pytest.fixture
def round(db):
    return make_round()


def form_data(client, url=EDIT, **changes):
    """What the browser would post: the form as rendered, with changes."""
    response = client.get(url)
    assert response.status_code == 200
    context = response.context
    data = {"version": context["form"]["version"].value()}
    for name, _field in context["form"].fields.items():
        if name == "version":
            continue
        value = context["form"][name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    for formset in ("emission_forms", "checklist_forms", "action_forms", "indicator_forms"):
        forms = context[formset]
        for key, value in forms.management_form.initial.items():
            data[f"{forms.prefix}-{key}"] = value
        for form in forms:
            for name in form.fields:
                value = form[name].value()
                if value not in (None, False):
                    data[form[name].html_name] = value
    data.update(changes)
    return data


def fill(data):
    # the eleven finer sectors (a group's own row stays empty: its parts are known)
    parts = 0
    for index, sector in enumerate(Sector.objects.filter(is_active=True)):
        if sector.parent_id is not None:
            data[f"emissions-{index}-tonnes_co2e"] = str(1000 + parts)
            parts += 1
    for index in range(6):
        data[f"checklist-{index}-met"] = "yes"
    data.update(
        {
            "plan_status": "adopted",
            "plan_adopted_on": "2021-05-01",
            "adaptation_plan_status": "adopted",
            "data_release": "2026-1",
            "data_source": "Energistyrelsen",
            "actions-0-name": "Elbusser",
            "actions-0-status": "started",
        }
    )
    return data


def test_coordinator_fills_in_saves_and_submits(client_for, round):
    client = client_for("coordinator_a")
    data = fill(form_data(client))
    response = client.post(EDIT, data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    report = StatusReport.objects.get()
    assert report.state == State.DRAFT and report.version == 1
    assert report.emission_figures.count() == 11
    assert list(Action.objects.values_list("name", flat=True)) == ["Elbusser"]

    data = form_data(client, net_zero_year="2045", submit="1")
    response = client.post(EDIT, data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == State.SUBMITTED and report.net_zero_year == 2045
    assert client.get(EDIT).status_code == 403  # no more edits while with the secretariat


def test_field_errors_are_shown_next_to_the_field_and_nothing_changes(client_for, round):
    client = client_for("coordinator_a")
    data = fill(form_data(client))
    data.update(
        {
            "plan_adopted_on": "2022-01-01",
            "plan_revised_on": "2021-01-01",
            "target_2030_reduction_pct": "140",
            "baseline_year": "1800",
            "emissions-2-tonnes_co2e": "-5",
        }
    )
    before = snapshot()
    response = client.post(EDIT, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"plan_revised_on", "target_2030_reduction_pct", "baseline_year"}
    assert response.context["emission_forms"][2].errors
    content = response.content.decode()
    assert 'id="id_plan_revised_on_error"' in content
    assert "error-summary" in content
    assert snapshot() == before


def test_second_coordinator_gets_a_conflict_with_the_others_values(client, role_users, round):
    from tests.factories import make_user

    other = make_user("dgo_coordinator", dgo_slug="midtjylland", username="kollega")
    client.force_login(role_users["coordinator_a"])
    mine = fill(form_data(client))  # loaded before the colleague saves
    client.force_login(other)
    theirs = fill(form_data(client))
    theirs["net_zero_year"] = "2040"
    assert client.post(EDIT, theirs).status_code == 302

    client.force_login(role_users["coordinator_a"])
    mine["net_zero_year"] = "2045"
    before = snapshot()
    response = client.post(EDIT, mine)
    assert response.status_code == 200
    conflict = response.context["conflict"]
    assert conflict["by"] == other
    assert {"label": "År for netto-nul", "theirs": "2040", "yours": "2045"} in [  # Danish page
        {k: str(v) for k, v in row.items()} for row in conflict["differences"]
    ]
    assert "kollega" in response.content.decode() or str(other) in response.content.decode()
    assert snapshot() == before  # nothing silently overwritten
    # Saving again after seeing the conflict is deliberate and allowed.
    response = client.post(EDIT, {**mine, "version": str(StatusReport.objects.get().version)})
    assert response.status_code == 302
    assert StatusReport.objects.get().net_zero_year == 2045


def test_secretariat_approves_or_requests_changes(client_for, round, role_users):
    report = make_report(round, "751", state=State.SUBMITTED)
    base = "/monitoring/2026/751/"
    assert client_for("coordinator_a").post(base + "approve/").status_code == 403
    client = client_for("secretariat")
    page = client.get(base)
    assert b"request-changes" in page.content
    response = client.post(base + "request-changes/", {"comment": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == State.SUBMITTED  # a comment is required
    client.post(base + "request-changes/", {"comment": "Tjek vejtransporten"})
    report.refresh_from_db()
    assert report.state == State.CHANGES_REQUESTED and report.review_comment
    report.state = State.SUBMITTED
    report.save()
    client.post(base + "approve/", {"comment": ""})
    report.refresh_from_db()
    assert report.state == State.APPROVED


def test_report_page_shows_history(client_for, round):
    client = client_for("coordinator_a")
    client.post(EDIT, fill(form_data(client)))
    page = client.get("/monitoring/2026/751/")
    assert page.status_code == 200
    history = page.context["history"]
    assert history and history[-1].actor.username == "coord-a"


def test_drafts_of_other_dgos_are_404(client_for, round):
    make_report(round, "751")
    assert client_for("coordinator_b").get("/monitoring/2026/751/").status_code == 404
    assert client_for("observer").get("/monitoring/2026/751/").status_code == 404
    assert client_for("coordinator_a").get("/monitoring/2026/751/").status_code == 200


def test_round_overview_filters_and_paginates(client_for, round):
    make_report(round, "751", state=State.SUBMITTED)
    client = client_for("secretariat")
    page = client.get("/monitoring/2026/")
    assert page.context["page"].paginator.count == 98
    assert len(page.context["page"].object_list) == 50
    midt = next(row for row in page.context["progress"] if row.dgo.slug == "midtjylland")
    assert (midt.total, midt.submitted, midt.not_started) == (19, 1, 18)
    assert client.get("/monitoring/2026/?state=submitted").context["page"].paginator.count == 1
    assert client.get("/monitoring/2026/?state=not_started").context["page"].paginator.count == 97
    assert client.get("/monitoring/2026/?state=bogus&dgo=nowhere").status_code == 200


def test_open_round_and_close_it(client_for, db):
    client = client_for("secretariat")
    response = client.post(
        "/monitoring/new/",
        {"year": 2027, "emissions_year": 2028, "opens_on": "2027-09-01", "deadline": "2027-12-1"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(
        "/monitoring/new/",
        {"year": 2027, "emissions_year": 2025, "opens_on": "2027-09-01", "deadline": "2027-12-01"},
    )
    assert response.status_code == 302
    refused = client.post("/monitoring/2027/close/")  # the confirm page again, with the reason
    assert refused.status_code == 200 and refused.context["form"].errors
    assert Round.objects.get(year=2027).status == "open"  # not without the confirmation
    assert client.post("/monitoring/2027/close/", {"confirm": "yes"}).status_code == 302
    assert Round.objects.get(year=2027).status == "closed"
    assert client_for("coordinator_a").get("/monitoring/2027/751/edit/").status_code == 403


def test_reminders_button_queues_mail_after_commit(
    client_for, round, role_users, django_capture_on_commit_callbacks, monkeypatch
):
    from monitoring import tasks

    calls = []
    monkeypatch.setattr(tasks.send_round_reminders, "delay", lambda **kw: calls.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("secretariat").post("/monitoring/2026/reminders/")
    assert response.status_code == 302
    assert calls and calls[0]["round_id"] == round.pk
    assert client_for("coordinator_a").post("/monitoring/2026/reminders/").status_code == 403
    assert not mail.outbox  # sent by the worker, not the request


def test_import_dry_run_then_confirm(client_for, round):
    client = client_for("secretariat")
    content = as_file(*filled_rows(round))
    upload = io.BytesIO(content)
    upload.name = "runde.xlsx"
    before = snapshot()
    response = client.post("/monitoring/2026/import/", {"file": upload})
    assert response.status_code == 200
    result = response.context["result"]
    assert result.counts["new"] == 98 and not result.written
    assert snapshot() == before
    token = response.context["token"]
    assert client.session[IMPORT_SESSION_KEY]["token"] == token
    response = client.post("/monitoring/2026/import/confirm/", {"token": "wrong"})
    assert response.status_code == 302 and snapshot() == before
    response = client.post("/monitoring/2026/import/confirm/", {"token": token})
    assert response.status_code == 302
    assert StatusReport.objects.filter(round=round).count() == 98


def test_import_page_shows_row_errors(client_for, round):
    spec, rows = filled_rows(round)
    rows[0]["t_co2e_electricity"] = "-3"
    upload = io.BytesIO(as_file(spec, rows, "csv"))
    upload.name = "runde.csv"
    response = client_for("administrator").post("/monitoring/2026/import/", {"file": upload})
    assert response.status_code == 200
    assert response.context["token"] is None
    content = response.content.decode()
    assert "t_co2e_electricity" in content and "row-error" in content


def test_export_and_template_downloads(client_for, round):
    make_report(round, "751")
    client = client_for("secretariat")
    response = client.get("/monitoring/2026/export/?format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="monitoring-2026.csv"'
    assert response.content == exports.round_export_file(round=round, file_format="csv")
    assert client.get("/monitoring/2026/export/?format=pdf").status_code == 400
    response = client.get("/monitoring/2026/template/?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxml")


def test_municipality_page_has_the_monitoring_section_and_chart(client_for, db):
    closed = make_round(2025, closed=True)
    make_report(closed, "751", state=State.LOCKED)
    make_round(2026)
    response = client_for("coordinator_a").get("/municipalities/751/")
    content = response.content.decode()
    assert 'role="img"' in content and "<desc" in content and "<table" in content
    assert reverse("monitoring-report-edit", args=[2026, "751"]) in content
    response = client_for("observer").get("/municipalities/751/")
    assert reverse("monitoring-report-edit", args=[2026, "751"]) not in response.content.decode()


def test_aggregate_pages(client_for, db):
    closed = make_round(2025, closed=True)
    make_report(closed, "751", state=State.LOCKED)
    make_report(closed, "101", state=State.LOCKED, plan_status="none", plan_adopted_on=None)
    client = client_for("observer")
    response = client.get("/monitoring/national/")
    figures = response.context["figures"]
    assert figures.municipality_count == 98 and figures.with_plan == 1 and figures.reported == 2
    response = client.get("/monitoring/dgo/midtjylland/?year=2025")
    assert response.context["figures"].with_plan == 1
    assert response.context["figures"].municipality_count == 19
    assert client.get("/monitoring/dgo/nowhere/").status_code == 404


def test_coordinator_of_another_dgo_gets_403_on_every_write(client_for, round):
    make_report(round, "751")
    client = client_for("coordinator_b")
    before = snapshot()
    writes = [
        ("get", EDIT),
        ("post", EDIT),
        ("post", "/monitoring/2026/751/submit/"),
        ("post", "/monitoring/2026/751/approve/"),
        ("post", "/monitoring/2026/751/request-changes/"),
        ("get", "/monitoring/2026/import/"),
        ("post", "/monitoring/2026/import/"),
        ("post", "/monitoring/2026/import/confirm/"),
        ("get", "/monitoring/2026/template/"),
        ("get", "/monitoring/2026/export/"),
        ("post", "/monitoring/2026/reminders/"),
        ("post", "/monitoring/2026/close/"),
        ("post", "/monitoring/new/"),
    ]
    for method, url in writes:
        response = getattr(client, method)(url, {"comment": "x", "confirm": "yes"})
        assert response.status_code == 403, (method, url, response.status_code)
    assert snapshot() == before
