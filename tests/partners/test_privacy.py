import csv
import datetime
import io
import json

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from partners import services
from partners.models import User
from partners.tasks import anonymise_expired_accounts
from tests.factories import make_user


def test_secretariat_exports_a_persons_data_as_json_and_csv(client_for, role_users):
    person = role_users["coordinator_a"]
    client = client_for("secretariat")
    url = reverse("person-personal-data", args=[person.pk])
    data = json.loads(client.get(url).content)
    assert data["profile"]["email"] == person.email
    assert data["roles"][0]["role"] == "dgo_coordinator"
    rows = list(csv.reader(io.StringIO(client.get(url, {"format": "csv"}).content.decode())))
    assert ["profile", "1", "email", person.email] in rows


def test_csv_export_neutralises_formulas(client_for, role_users):
    person = role_users["member"]
    person.title = '=HYPERLINK("http://evil")'
    person.save()
    content = (
        client_for("secretariat")
        .get(reverse("person-personal-data", args=[person.pk]), {"format": "csv"})
        .content.decode()
    )
    assert "'=HYPERLINK" in content


def test_anonymising_keeps_records_but_erases_the_person(db, role_users):
    person = make_user(first_name="Karen", last_name="Hansen", email="karen@example.dk")
    person.title = "Klimachef"
    person.save()
    with pytest.raises(ValidationError):
        services.user_anonymise(user=person, by=None)  # still active
    services.user_deactivate(user=person, by=None)
    services.user_anonymise(user=person, by=None)
    person = User.objects.get(pk=person.pk)
    assert (person.first_name, person.last_name, person.email, person.title) == ("", "", "", "")
    assert person.username == f"anonymised-{person.pk}"
    assert not person.has_usable_password()
    for entry in LogEntry.objects.get_for_object(person):
        assert "Karen" not in entry.object_repr and "karen@" not in str(entry.changes)
    with pytest.raises(ValidationError):
        services.user_reactivate(user=person, by=None)


def test_the_daily_job_anonymises_only_expired_accounts(db, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    old, recent, active = make_user(), make_user(), make_user()
    for person in (old, recent):
        services.user_deactivate(user=person, by=None)
    User.objects.filter(pk=old.pk).update(
        deactivated_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert anonymise_expired_accounts() == 1
    assert User.objects.get(pk=old.pk).anonymised_at is not None
    assert User.objects.get(pk=recent.pk).anonymised_at is None
    assert User.objects.get(pk=active.pk).anonymised_at is None


def test_others_cannot_export_or_anonymise(client_for, role_users):
    person = role_users["member"]
    for role in ("coordinator_a", "observer", "knowledge_partner"):
        client = client_for(role)
        assert client.get(reverse("person-personal-data", args=[person.pk])).status_code == 403
        assert client.post(reverse("person-anonymise", args=[person.pk])).status_code == 403
