"""An external data request: recorded, decided by APS (possibly narrowed), delivered with its
terms; the delivered file holds exactly the approved fields and scope."""

import csv
import datetime
import hashlib
import io

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from core.models import Notification
from data_requests import notices, services
from data_requests.models import DataDelivery, DataRequest
from governance import services as governance_services

from .factories import approve, deadline, make_request, official

pytestmark = pytest.mark.django_db
S = DataRequest.Status
APPROVED = ["municipality_code", "year", "tonnes_co2e"]


@pytest.fixture
def figures(db):
    """Aarhus (751) and Silkeborg (740) are in Midtjylland; København (101) is not."""
    official("751", 2023, "energy", "1111.25")
    official("751", 2022, "energy", "2222.50")  # a year not asked for
    official("740", 2023, "transport", "333")
    official("101", 2023, "energy", "4444")  # outside the scope


def _deliver(request, people, **overrides):
    values = {
        "format": "csv",
        "licence": "Dataaftale 2026-7",
        "permitted_use": "Kun forskning; ingen videregivelse.",
        "delete_by": timezone.localdate() + datetime.timedelta(days=365),
        **overrides,
    }
    return services.delivery_record(request=request, by=people.secretariat, **values)


def _csv_rows(delivery: DataDelivery) -> list[list[str]]:
    text = delivery.file.open("rb").read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_aps_narrows_the_fields_and_the_export_holds_only_those_and_the_scope(people, figures):
    request = make_request(people.secretariat)
    request = approve(request, people, APPROVED)
    assert request.status == S.APPROVED
    assert request.approved_fields == APPROVED

    delivery = _deliver(request, people)
    rows = _csv_rows(delivery)
    assert rows[0] == APPROVED
    assert sorted(rows[1:]) == [["740", "2023", "333.00"], ["751", "2023", "1111.25"]]
    raw = delivery.file.open("rb").read()
    # Asked for but not approved: the data source and the sector never reach the file.
    assert b"Energistyrelsen" not in raw and b"energy" not in raw and b"transport" not in raw
    # Out of scope: København, and the year not asked for.
    assert b"4444" not in raw and b"2222" not in raw
    assert delivery.sha256 == hashlib.sha256(raw).hexdigest()
    assert delivery.row_count == 2 and delivery.fields == APPROVED
    request.refresh_from_db()
    assert request.status == S.DELIVERED


def test_the_excel_delivery_has_the_same_columns(people, figures):
    request = approve(make_request(people.secretariat), people, APPROVED)
    delivery = _deliver(request, people, format="xlsx")
    sheet = load_workbook(delivery.file.open("rb")).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == APPROVED
    assert len(values) == 3


def test_each_delivery_is_audited_and_aps_is_told(people, figures):
    request = approve(make_request(people.secretariat), people, APPROVED)
    with set_actor(people.secretariat):  # the middleware's part in a request
        delivery = _deliver(request, people)
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(DataDelivery), object_pk=str(delivery.pk)
    )
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == people.secretariat
    assert Notification.objects.filter(kind=notices.DELIVERED, user=people.aps).exists()
    assert Notification.objects.filter(kind=notices.DECIDED, user=people.secretariat).exists()


def test_a_refused_request_is_never_delivered(people, figures):
    request = make_request(people.secretariat)
    decision = services.request_put_to_aps(
        request=request, by=people.secretariat, fields=APPROVED, deadline=deadline()
    )
    governance_services.vote_cast(decision=decision, by=people.aps, choice="no")
    request.refresh_from_db()
    assert request.status == S.REFUSED and request.approved_fields == []
    with pytest.raises(ValidationError):
        _deliver(request, people)
    assert not DataDelivery.objects.exists()


def test_a_request_before_aps_decides_is_not_delivered(people, figures):
    request = make_request(people.secretariat)
    services.request_put_to_aps(
        request=request, by=people.secretariat, fields=APPROVED, deadline=deadline()
    )
    request.refresh_from_db()
    with pytest.raises(ValidationError):
        _deliver(request, people)
    assert not DataDelivery.objects.exists()


def test_aps_cannot_be_asked_for_a_field_the_party_did_not_ask_for(people):
    request = make_request(people.secretariat, requested_fields=["municipality_code", "year"])
    with pytest.raises(ValidationError) as error:
        services.request_put_to_aps(
            request=request,
            by=people.secretariat,
            fields=["municipality_code", "tonnes_co2e"],
            deadline=deadline(),
        )
    assert "fields" in error.value.message_dict
    request.refresh_from_db()
    assert request.status == S.RECEIVED and request.decision is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"requested_fields": ["plan_status"]}, "requested_fields"),  # another dataset's
        ({"requested_fields": []}, "requested_fields"),
        ({"years": []}, "years"),
        ({"years": [1850]}, "years"),
        ({"dgos": [], "municipalities": []}, "municipalities"),
        ({"contact_email": "ikke-en-adresse"}, "contact_email"),
        ({"dataset": "cpr_numbers"}, "dataset"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_written(people, overrides, field):
    with pytest.raises(ValidationError) as error:
        make_request(people.secretariat, **overrides)
    assert field in error.value.message_dict
    assert not DataRequest.objects.exists()


def test_bad_delivery_terms_are_refused_and_nothing_is_written(people, figures):
    request = approve(make_request(people.secretariat), people, APPROVED)
    with pytest.raises(ValidationError) as error:
        _deliver(request, people, licence=" ", delete_by=timezone.localdate())
    assert {"licence", "delete_by"} <= set(error.value.message_dict)
    assert not DataDelivery.objects.exists()


def test_only_the_secretariat_records_and_delivers(people, figures):
    with pytest.raises(PermissionDenied):
        make_request(people.aps)
    request = approve(make_request(people.secretariat), people, APPROVED)
    with pytest.raises(PermissionDenied):
        services.delivery_record(
            request=request, by=people.aps, format="csv", licence="x", permitted_use="y",
            delete_by=timezone.localdate() + datetime.timedelta(days=30),
        )  # fmt: skip
    assert not DataDelivery.objects.exists()
