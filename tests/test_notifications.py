from django.urls import reverse

from core.models import Notification, OutboxEmail
from core.notifications import notify, unread_count


def test_notify_creates_notices_and_emails(db, role_users, django_capture_on_commit_callbacks):
    people = [role_users["member"], role_users["observer"]]
    with django_capture_on_commit_callbacks():
        assert (
            notify(users=people, subject="Ny beslutning", body="Stem senest fredag", url="/") == 2
        )
    assert Notification.objects.filter(title="Ny beslutning").count() == 2
    assert sorted(e.to[0] for e in OutboxEmail.objects.all()) == sorted(p.email for p in people)


def test_unread_count_in_header_and_mark_read(client_for, role_users):
    member, observer = role_users["member"], role_users["observer"]
    notify(users=[member], subject="Dagsorden offentliggjort", body="", url="/dgo/")
    notify(users=[member, observer], subject="Referat godkendt", body="")
    client = client_for("member")
    page = client.get("/").content.decode()
    assert 'class="count">2<' in page

    mine = Notification.objects.get(user=member, title="Dagsorden offentliggjort")
    theirs = Notification.objects.get(user=observer)
    response = client.post(reverse("notification-read"), {"id": mine.pk, "next": mine.url})
    assert response.status_code == 302 and response.url == "/dgo/"
    assert unread_count(member) == 1

    # Someone else's id does nothing.
    client.post(reverse("notification-read"), {"id": theirs.pk})
    assert unread_count(observer) == 1

    client.post(reverse("notification-read"))
    assert unread_count(member) == 0
    assert 'class="count"' not in client.get("/").content.decode()


def test_open_redirect_is_refused(client_for, role_users):
    notify(users=[role_users["member"]], subject="x", body="")
    response = client_for("member").post(
        reverse("notification-read"), {"next": "https://evil.example/"}
    )
    assert response.url == reverse("notification-list")
