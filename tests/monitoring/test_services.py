import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from core.models import Notification, OutboxEmail
from monitoring import services
from monitoring.models import (
    Action,
    ChecklistAnswer,
    ChecklistRequirement,
    EmissionFigure,
    Round,
    Sector,
    StatusReport,
)
from partners.models import Municipality, RoleAssignment
from tests.factories import make_user

from .factories import complete_fields, make_report, make_round, snapshot

State = StatusReport.State
Role = RoleAssignment.Role


@pytest.fixture
def round(db):
    return make_round()


@pytest.fixture
def aarhus(db):
    return Municipality.objects.get(code="751")


@pytest.fixture
def coordinator(db):
    return make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland", username="mads")


@pytest.fixture
def secretariat(db):
    return make_user(Role.SECRETARIAT, username="sara")


def emissions(value=100):
    return [
        services.EmissionInput(sector, Decimal(value + i))
        for i, sector in enumerate(Sector.objects.filter(is_active=True))
    ]


def checklist(met=True):
    return [services.ChecklistInput(r, met, "") for r in ChecklistRequirement.objects.all()]


def save(round, municipality, by, version=0, **overrides):
    return services.report_save(
        round=round,
        municipality=municipality,
        by=by,
        expected_version=version,
        fields=complete_fields(**overrides),
        emissions=emissions(),
        checklist=checklist(),
        actions=[services.ActionInput(None, "Elbusser", None, "started")] if not version else None,
    )


def test_first_save_creates_the_report_with_figures_checklist_and_actions(
    round, aarhus, coordinator
):
    report = save(round, aarhus, coordinator)
    assert report.version == 1 and report.state == State.DRAFT
    assert report.updated_by == coordinator
    figures = EmissionFigure.objects.filter(report=report)
    assert figures.count() == Sector.objects.count()
    assert {f.data_release for f in figures} == {"2026-1"}
    assert {f.year for f in figures} == {round.emissions_year}
    assert ChecklistAnswer.objects.filter(report=report, met=True).count() == 6
    assert list(report.actions.values_list("name", "status")) == [("Elbusser", "started")]


def test_saving_again_bumps_the_version_and_updates_in_place(round, aarhus, coordinator):
    report = save(round, aarhus, coordinator)
    action = report.actions.get()
    report = services.report_save(
        round=round,
        municipality=aarhus,
        by=coordinator,
        expected_version=1,
        fields={"net_zero_year": 2045},
        emissions=[services.EmissionInput(Sector.objects.first(), Decimal("5.5"))]
        + [services.EmissionInput(s, None) for s in Sector.objects.all()[1:]],
        actions=[services.ActionInput(action.pk, "Elbusser", None, "completed")],
    )
    assert report.version == 2 and report.net_zero_year == 2045
    assert EmissionFigure.objects.filter(report=report).count() == 1  # blanks removed
    assert report.actions.get().status == "completed"


def test_a_new_release_is_stored_beside_an_earlier_one(round, aarhus, coordinator):
    sector = Sector.objects.first()
    EmissionFigure.objects.create(
        municipality=aarhus,
        year=round.emissions_year,
        sector=sector,
        tonnes_co2e=999,
        data_release="2025-1",
    )
    save(round, aarhus, coordinator)
    releases = EmissionFigure.objects.filter(municipality=aarhus, sector=sector)
    assert sorted(releases.values_list("data_release", flat=True)) == ["2025-1", "2026-1"]
    latest = EmissionFigure.objects.latest_releases().get(municipality=aarhus, sector=sector)
    assert latest.data_release == "2026-1"


def test_stale_version_raises_conflict_with_the_other_users_values(round, aarhus, coordinator):
    other = make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland", username="other")
    save(round, aarhus, coordinator)
    save(round, aarhus, other, version=1, net_zero_year=2040)
    before = snapshot()
    with pytest.raises(services.ConflictError) as conflict:
        save(round, aarhus, coordinator, version=1, net_zero_year=2045)
    assert conflict.value.report.updated_by == other
    assert conflict.value.differences["net_zero_year"] == (2040, 2045)
    assert snapshot() == before  # nothing overwritten
    assert StatusReport.objects.get().net_zero_year == 2040


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"plan_revised_on": datetime.date(2020, 1, 1)}, "plan_revised_on"),
        ({"target_2030_reduction_pct": Decimal("101")}, "target_2030_reduction_pct"),
        ({"baseline_emissions": Decimal("-1")}, "baseline_emissions"),
        ({"net_zero_year": 2200}, "net_zero_year"),
        ({"baseline_year": 1800}, "baseline_year"),
        ({"data_release": "last year"}, "data_release"),
    ],
)
def test_invalid_values_are_refused_with_the_field_named(
    round, aarhus, coordinator, overrides, field
):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        save(round, aarhus, coordinator, **overrides)
    assert field in error.value.message_dict
    assert snapshot() == before


def test_coordinator_of_another_dgo_may_not_save(round, aarhus):
    other = make_user(Role.DGO_COORDINATOR, dgo_slug="hovedstaden")
    with pytest.raises(PermissionDenied):
        save(round, aarhus, other)
    assert not StatusReport.objects.exists()


def test_closed_round_is_read_only(aarhus, coordinator):
    closed = make_round(2025, closed=True)
    with pytest.raises(PermissionDenied, match="closed"):
        save(closed, aarhus, coordinator)


def test_workflow_submit_request_changes_approve(
    round, aarhus, coordinator, secretariat, django_capture_on_commit_callbacks
):
    report = save(round, aarhus, coordinator)
    report = services.report_submit(report=report, by=coordinator)
    assert report.state == State.SUBMITTED and report.submitted_by == coordinator
    with pytest.raises(PermissionDenied):  # no edits while with the secretariat
        save(round, aarhus, coordinator, version=report.version)
    with pytest.raises(PermissionDenied):
        services.report_approve(report=report, by=coordinator)
    with pytest.raises(ValidationError):
        services.report_request_changes(report=report, by=secretariat, comment="  ")
    report = services.report_request_changes(
        report=report, by=secretariat, comment="Kilden mangler"
    )
    assert report.state == State.CHANGES_REQUESTED
    [mail] = OutboxEmail.objects.filter(subject__contains=str(report))
    assert mail.to == ["mads@example.dk"]
    assert "Kilden mangler" in mail.body
    # The link is absolute, like the other e-mails' links.
    assert f"{settings.PORTAL_BASE_URL}/monitoring/2026/751/" in mail.body
    # The coordinator sees it on the notifications page too (one path for every message).
    assert Notification.objects.get(user=coordinator, kind="monitoring.changes_requested")
    report = save(round, aarhus, coordinator, version=report.version, data_source="DST")
    report = services.report_submit(report=report, by=coordinator)
    report = services.report_approve(report=report, by=secretariat)
    assert report.state == State.APPROVED and report.approved_at and report.is_published
    with pytest.raises(ValidationError):
        services.report_approve(report=report, by=secretariat)


def test_submit_requires_a_complete_report(round, aarhus, coordinator):
    report = services.report_save(
        round=round,
        municipality=aarhus,
        by=coordinator,
        expected_version=0,
        fields=complete_fields(),
        emissions=emissions()[:3] + [services.EmissionInput(s, None) for s in []],
        checklist=[services.ChecklistInput(r, None) for r in ChecklistRequirement.objects.all()],
    )
    with pytest.raises(ValidationError) as error:
        services.report_submit(report=report, by=coordinator)
    text = " ".join(error.value.messages)
    assert "Emissions are missing" in text or "mangler" in text
    assert StatusReport.objects.get().state == State.DRAFT


def test_closing_the_round_locks_every_report(round, secretariat, coordinator):
    approved = make_report(round, "751", state=State.APPROVED)
    draft = make_report(round, "101")
    with pytest.raises(PermissionDenied):
        services.round_close(round=round, by=coordinator, confirmed=True)
    with pytest.raises(ValidationError):  # not without the confirmation
        services.round_close(round=round, by=secretariat, confirmed=False)
    services.round_close(round=round, by=secretariat, confirmed=True)
    approved.refresh_from_db()
    draft.refresh_from_db()
    assert approved.state == draft.state == State.LOCKED
    assert approved.is_published and not draft.is_published
    round.refresh_from_db()
    assert round.status == Round.Status.CLOSED and round.closed_by == secretariat
    with pytest.raises(ValidationError):
        services.round_close(round=round, by=secretariat, confirmed=True)


def test_reminders_go_to_coordinators_of_dgos_with_missing_reports(round, coordinator):
    make_user(Role.DGO_COORDINATOR, dgo_slug="hovedstaden", username="hanne")
    for municipality in Municipality.objects.filter(dgo__slug="hovedstaden"):
        make_report(round, municipality, state=State.SUBMITTED, figures=False, checklist=False)
    requested = timezone.now()
    sent = services.round_send_reminders(round=round, requested_at=requested)
    again = services.round_send_reminders(round=round, requested_at=requested)
    assert again == 0  # the same request is served once (a redelivered task sends nothing)
    recipients = [mail.to for mail in OutboxEmail.objects.all()]
    assert ["mads@example.dk"] in recipients
    assert ["hanne@example.dk"] not in recipients  # Hovedstaden has submitted everything
    body = OutboxEmail.objects.get(to=["mads@example.dk"]).body
    assert "Aarhus" in body
    # The link is absolute (it was a bare path once).
    assert settings.PORTAL_BASE_URL + round.get_absolute_url() in body
    assert sent == len(recipients)  # one DGO with missing reports, one coordinator


def test_round_create_checks_years(secretariat, db):
    with pytest.raises(ValidationError):
        services.round_create(
            by=secretariat,
            year=2027,
            emissions_year=2028,
            opens_on=datetime.date(2027, 9, 1),
            deadline=datetime.date(2027, 12, 1),
        )
    round = services.round_create(
        by=secretariat,
        year=2027,
        emissions_year=2025,
        opens_on=datetime.date(2027, 9, 1),
        deadline=datetime.date(2027, 12, 1),
    )
    assert round.is_open


def test_history_shows_who_changed_what(round, aarhus, coordinator):
    from auditlog.context import set_actor

    from monitoring.selectors import report_history

    with set_actor(coordinator):
        report = save(round, aarhus, coordinator)
        save(round, aarhus, coordinator, version=1, net_zero_year=2040)
        action = report.actions.get()
        services.report_save(
            round=round,
            municipality=aarhus,
            by=coordinator,
            expected_version=2,
            fields={},
            actions=[services.ActionInput(action.pk, "Elbusser", None, "started", delete=True)],
        )
    history = report_history(report=report)
    assert all(entry.actor == coordinator for entry in history)
    changed = [e for e in history if any(c[0].lower() == "net-zero year" for c in e.changes)]
    assert changed and ("net-zero year", "2050", "2040") in [
        (c[0].lower(), c[1], c[2]) for c in changed[0].changes
    ]
    assert any("Elbusser" in entry.object_label for entry in history)  # even though deleted
    assert len(history) <= 50


# --- two requests at the same time ---------------------------------------------------------


def run_together(*jobs):
    """Run each job in its own thread and database connection; return results/exceptions."""
    results = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs))

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_saving_at_once_one_gets_a_conflict(reference_data):
    round = make_round()
    aarhus = Municipality.objects.get(code="751")
    first = make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland", username="first")
    second = make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland", username="second")
    save(round, aarhus, first)

    def slow_save(user, year):
        def job():
            with transaction.atomic():
                report = save(round, aarhus, user, version=1, net_zero_year=year)
                time.sleep(0.3)  # hold the row lock while the other request waits
                return report

        return job

    results = run_together(slow_save(first, 2040), slow_save(second, 2045))
    conflicts = [r for r in results if isinstance(r, services.ConflictError)]
    saved = [r for r in results if isinstance(r, StatusReport)]
    assert len(conflicts) == 1 and len(saved) == 1, results
    report = StatusReport.objects.get()
    assert report.version == 2
    assert report.net_zero_year == saved[0].net_zero_year
    assert conflicts[0].differences["net_zero_year"][0] == saved[0].net_zero_year


@pytest.mark.django_db(transaction=True)
def test_two_first_saves_at_once_create_one_report(reference_data):
    round = make_round()
    aarhus = Municipality.objects.get(code="751")
    users = [
        make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland", username=f"u{n}") for n in (1, 2)
    ]

    def job(user):
        return lambda: save(round, aarhus, user)

    results = run_together(*(job(user) for user in users))
    assert sum(isinstance(r, services.ConflictError) for r in results) == 1, results
    assert StatusReport.objects.count() == 1
    assert Action.objects.count() == 1
