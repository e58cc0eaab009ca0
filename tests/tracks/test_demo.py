"""The demo: a dozen tracks in every state, the budget in use, through the services."""

import io

from django.core.management import call_command

from governance.models import Decision
from partners.models import User
from partners.permissions import roles_of
from tests.factories import sign_in
from tracks import demo
from tracks.models import Allocation, BudgetChange, ClimateAssessment, Spending, Track
from tracks.selectors import budget_overview


def test_demo_has_every_state_and_is_idempotent(demo_data, db, settings, eager_celery):
    settings.DEBUG = True
    statuses = set(Track.objects.values_list("status", flat=True))
    assert statuses == set(Track.Status.values)
    assert Track.objects.count() == len(demo.TRACKS) >= 12
    # Approval came from adopted FU decisions about the tracks.
    approved = Track.objects.filter(status__in=["approved", "running", "evaluated", "closed"])
    for track in approved:
        assert track.transitions.filter(
            to_status="approved", decision__status=Decision.Status.ADOPTED
        ).exists(), track
    assert Decision.objects.filter(status=Decision.Status.OPEN, subject_object_id__isnull=False)
    assert set(ClimateAssessment.objects.values_list("organisation__code", flat=True)) == {
        "concito",
        "c40",
    }
    assert set(Allocation.objects.values_list("status", flat=True)) == {
        "approved",
        "pending",
        "refused",
    }
    assert Spending.objects.count() >= 4
    assert BudgetChange.objects.filter(status="pending").exists()
    assert budget_overview().total.budgeted == budget_overview().contributed
    videnspartner = User.objects.get(username="videnspartner")
    assert videnspartner.check_password("klima2030")
    assert videnspartner.organisation.code == "concito"
    assert roles_of(videnspartner).knowledge_partner
    realdania = User.objects.get(username="realdania")
    assert realdania.organisation_id in roles_of(realdania).approver_org_ids
    before = Track.objects.count(), Allocation.objects.count(), Spending.objects.count()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert (Track.objects.count(), Allocation.objects.count(), Spending.objects.count()) == before
    assert "videnspartner" in out.getvalue() and "realdania" in out.getvalue()


def test_the_demo_pages_render_for_the_demo_logins(demo_data, db, settings, client, eager_celery):
    settings.DEBUG = True
    for username in ("sekretariat", "koordinator-midt", "videnspartner", "realdania", "observator"):
        sign_in(client, User.objects.get(username=username))
        assert client.get("/").status_code == 200
        assert client.get("/tracks/").status_code == 200
        assert client.get("/budget/").status_code == 200
        for track in Track.objects.for_user(User.objects.get(username=username)):
            assert client.get(track.get_absolute_url()).status_code == 200, (username, track)
    sign_in(client, User.objects.get(username="realdania"))
    page = client.get("/").content.decode()
    assert "/budget/approvals/" in page
