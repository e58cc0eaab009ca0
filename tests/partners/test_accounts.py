import datetime

from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from partners import services
from partners.models import RoleAssignment
from partners.permissions import can_edit_municipality
from tests.factories import make_user

Role = RoleAssignment.Role


def test_deactivating_ends_sessions_and_roles_but_keeps_the_person(
    db, django_capture_on_commit_callbacks
):
    from partners.models import Municipality, User

    person = make_user(Role.DGO_COORDINATOR, dgo_slug="midtjylland")
    other = make_user()
    browser_a, browser_b, bystander = Client(), Client(), Client()
    browser_a.force_login(person)
    browser_b.force_login(person)
    bystander.force_login(other)
    assert Session.objects.count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        services.user_deactivate(user=person, by=None, reason="Left DGO Midtjylland")

    assert Session.objects.count() == 1  # only the bystander's
    assert browser_a.get("/").status_code == 302
    assert bystander.get("/").status_code == 200
    person = User.objects.get(pk=person.pk)
    assert not person.is_active
    assert not RoleAssignment.objects.active().filter(user=person).exists()
    assert RoleAssignment.objects.filter(user=person).count() == 1  # history kept
    assert not can_edit_municipality(person, Municipality.objects.get(code="751"))


def test_idle_timeout_is_eight_hours_and_moves_with_activity(settings, client, db):
    from portal.middleware import SessionRefreshMiddleware

    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    client.force_login(make_user())
    client.get("/")
    first = Session.objects.get().expire_date
    assert first > timezone.now() + datetime.timedelta(hours=7, minutes=59)

    # A minute later the next page moves the expiry forward; within the minute it does not.
    Session.objects.update(expire_date=first - datetime.timedelta(minutes=5))
    client.get("/dgo/")
    assert Session.objects.get().expire_date == first - datetime.timedelta(minutes=5)
    session = client.session
    session[SessionRefreshMiddleware.REFRESH_KEY] -= 61
    session.save()
    client.get("/dgo/")
    assert Session.objects.get().expire_date > first
