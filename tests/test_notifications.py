"""The one message path (core.notifications.notify): in-app notice + e-mail after commit,
preferences per person and kind, digests, the pages, and expired htmx sessions."""

import ast
import pathlib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import (
    Delivery,
    Notification,
    NotificationPreference,
    NotificationSettings,
    OutboxEmail,
)
from core.notifications import (
    kinds,
    notify,
    preferences_set,
    send_digests,
    unread_count,
)
from governance import notices as governance_notices
from monitoring import notices as monitoring_notices
from partners import notices as partners_notices

VOTE = governance_notices.VOTE_REQUESTED  # asks for action
CLOSED = governance_notices.DECISION_CLOSED  # informs only


def tell(users, kind=CLOSED, title="Projektplan", url="/beslutninger/1/"):
    from governance.models import Body

    fu = Body.objects.get(code="fu")

    class DecisionLike:  # what the templates read of a decision
        pk = 1
        text = "Forslag."
        deadline = timezone.now()

        def __init__(self):
            self.title = title

        def get_mode_display(self):
            return "Skriftlig"

        def get_status_display(self):
            return "Vedtaget"

    return notify(
        kind=kind,
        users=users,
        subject="%(body)s: %(title)s",
        subject_values={"body": fu.short_name, "title": title},
        context={"decision": DecisionLike(), "body": fu},
        url=url,
    )


def test_notify_writes_the_notice_and_queues_one_email_each_after_commit(
    db, role_users, django_capture_on_commit_callbacks
):
    people = [role_users["member"], role_users["observer"]]
    with django_capture_on_commit_callbacks() as callbacks:
        sent = tell(people)
    assert len(sent) == 2 and len(callbacks) == 2  # delivery waits for the commit
    assert sorted(n.user_id for n in Notification.objects.filter(kind=CLOSED)) == sorted(
        p.pk for p in people
    )
    emails = OutboxEmail.objects.order_by("pk")
    assert [e.to for e in emails] == [[p.email] for p in people]  # nobody sees the others
    notice = Notification.objects.filter(kind=CLOSED).first()
    assert notice.url == settings.PORTAL_BASE_URL + "/beslutninger/1/"  # absolute
    assert notice.emailed_at is not None
    assert f"{settings.PORTAL_BASE_URL}/beslutninger/1/" in emails[0].body


def test_inactive_people_get_nothing(db, role_users):
    member = role_users["member"]
    member.is_active = False
    member.save()
    assert tell([member]) == []
    assert not OutboxEmail.objects.exists()


def test_each_person_reads_their_own_language(db, role_users):
    member, observer = role_users["member"], role_users["observer"]
    preferences_set(user=observer, choices={}, language="en")
    tell([member, observer])
    danish = OutboxEmail.objects.get(to=[member.email]).body
    english = OutboxEmail.objects.get(to=[observer.email]).body
    assert "er lukket" in danish and "is closed" not in danish
    assert "is closed" in english


def test_in_app_only_sends_no_email_but_keeps_the_notice(db, role_users):
    member = role_users["member"]
    preferences_set(user=member, choices={CLOSED: Delivery.IN_APP})
    tell([member])
    assert not OutboxEmail.objects.exists()
    assert Notification.objects.get(user=member).delivery == Delivery.IN_APP


def test_action_kinds_cannot_be_switched_off(db, role_users):
    member = role_users["member"]
    with pytest.raises(ValidationError) as error:
        preferences_set(user=member, choices={VOTE: Delivery.IN_APP})
    assert VOTE in error.value.error_dict
    assert not NotificationPreference.objects.exists()  # nothing written
    with pytest.raises(ValidationError):
        preferences_set(user=member, choices={"no.such.kind": Delivery.DAILY})
    with pytest.raises(ValidationError):
        preferences_set(user=member, choices={}, language="de")
    # A digest is allowed: the message still reaches the inbox.
    preferences_set(user=member, choices={VOTE: Delivery.DAILY})
    # A row that says otherwise (written around the service) is not obeyed.
    NotificationPreference.objects.filter(user=member, kind=VOTE).update(delivery=Delivery.IN_APP)
    tell([member], kind=VOTE)
    assert OutboxEmail.objects.filter(to=[member.email]).count() == 1


def test_secret_account_mail_keeps_its_link_out_of_the_portal(db, role_users):
    from partners.services import invitation_send

    person = role_users["observer"]
    person.set_unusable_password()
    person.save()
    invitation_send(user=person, by=role_users["secretariat"], roles="FU")
    email = OutboxEmail.objects.get(to=[person.email])
    notice = Notification.objects.get(user=person, kind=partners_notices.INVITATION)
    link = next(line for line in email.body.splitlines() if "://" in line).strip()
    assert link.startswith(settings.PORTAL_BASE_URL)  # absolute
    assert notice.url == "" and link not in notice.body  # the link is in the e-mail only
    assert "/invitations/" in link
    assert notice.title == email.subject


@pytest.mark.parametrize("delivery", [Delivery.DAILY, Delivery.WEEKLY])
def test_digest_groups_everything_since_the_last_once(db, role_users, delivery):
    member, observer = role_users["member"], role_users["observer"]
    for person in (member, observer):
        preferences_set(user=person, choices={CLOSED: delivery})
    preferences_set(user=observer, choices={}, language="en")
    tell([member, observer], title="Første")
    tell([member, observer], title="Anden")
    tell([member], kind=VOTE, title="Stem")  # immediate: not in the digest
    assert OutboxEmail.objects.count() == 1
    other = Delivery.WEEKLY if delivery == Delivery.DAILY else Delivery.DAILY
    assert send_digests(delivery=other) == 0

    assert send_digests(delivery=delivery) == 2
    assert send_digests(delivery=delivery) == 0  # the second run sends nothing
    danish = OutboxEmail.objects.filter(to=[member.email]).exclude(subject__contains="Stem").get()
    assert "Første" in danish.body and "Anden" in danish.body and "Stem" not in danish.body
    assert ("daglige" if delivery == Delivery.DAILY else "ugentlige") in danish.subject
    assert danish.body.count(settings.PORTAL_BASE_URL + "/beslutninger/1/") == 2
    english = OutboxEmail.objects.get(to=[observer.email])
    assert "summary" in english.subject and "2 messages" in english.body

    tell([member], title="Tredje")  # the next digest has only what came since
    assert send_digests(delivery=delivery) == 1
    latest = OutboxEmail.objects.filter(to=[member.email]).latest("pk")
    assert "Tredje" in latest.body and "Første" not in latest.body
    assert Notification.objects.filter(delivery=delivery, emailed_at__isnull=True).count() == 0


def test_every_kind_has_a_template_in_danish_and_english(db):
    from django.template.loader import get_template

    assert len(kinds()) >= 20
    for kind in kinds().values():
        get_template(kind.template)  # exists and parses
        assert str(kind.label)


def test_unread_count_in_header_and_mark_read(client_for, role_users):
    member, observer = role_users["member"], role_users["observer"]
    tell([member], title="Dagsorden", url="/dgo/")
    tell([member, observer], title="Referat")
    client = client_for("member")
    page = client.get("/").content.decode()
    assert 'class="count">2<' in page

    mine = Notification.objects.get(user=member, title__contains="Dagsorden")
    theirs = Notification.objects.get(user=observer)
    response = client.post(reverse("notification-read"), {"id": mine.pk, "next": "/dgo/"})
    assert response.status_code == 302 and response.url == "/dgo/"
    assert unread_count(member) == 1

    # Someone else's id does nothing.
    client.post(reverse("notification-read"), {"id": theirs.pk})
    assert unread_count(observer) == 1

    client.post(reverse("notification-read"))
    assert unread_count(member) == 0
    assert 'class="count"' not in client.get("/").content.decode()
    history = client.get(reverse("notification-list")).content.decode()
    assert "Dagsorden" in history and "Referat" in history  # read ones stay in the history


def test_open_redirect_is_refused(client_for, role_users):
    tell([role_users["member"]])
    response = client_for("member").post(
        reverse("notification-read"), {"next": "https://evil.example/"}
    )
    assert response.url == reverse("notification-list")


def test_preferences_page_saves_and_refuses_switching_off_action_kinds(client_for, role_users):
    client = client_for("member")
    url = reverse("notification-preferences")
    page = client.get(url).content.decode()
    assert f'name="{VOTE}"' in page and f'name="{CLOSED}"' in page
    assert f'name="{partners_notices.INVITATION}"' not in page  # account mail: no choice
    form = {key: kind.default for key, kind in kinds().items() if not kind.secret}
    form.update({"language": "en", CLOSED: Delivery.WEEKLY, VOTE: Delivery.IN_APP})
    response = client.post(url, form)
    assert response.status_code == 200  # re-rendered with the error, nothing written
    assert not NotificationPreference.objects.filter(user=role_users["member"]).exists()
    form[VOTE] = Delivery.DAILY
    response = client.post(url, form)
    assert response.status_code == 302
    chosen = dict(
        NotificationPreference.objects.filter(user=role_users["member"]).values_list(
            "kind", "delivery"
        )
    )
    assert chosen[CLOSED] == Delivery.WEEKLY and chosen[VOTE] == Delivery.DAILY
    assert NotificationSettings.objects.get(user=role_users["member"]).language == "en"


def test_expired_session_on_htmx_request_redirects_the_whole_page(client):
    response = client.get(
        reverse("monitoring-due") + "?panel=1",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/monitoring/2026/"},
    )
    assert response.status_code == 401
    assert response["HX-Redirect"] == reverse("login") + "?next=%2Fmonitoring%2F2026%2F"
    assert response.content == b""  # no sign-in page to swap into the page
    # A plain request is still redirected as before.
    plain = client.get(reverse("monitoring-due"))
    assert plain.status_code == 302 and plain.url.startswith(reverse("login"))
    # Another site's page as the current URL is not followed back.
    response = client.get(
        reverse("dashboard"),
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/x"},
    )
    assert response["HX-Redirect"] == reverse("login") + "?next=%2F"


APPS = ["partners", "governance", "tracks", "monitoring", "portal", "klimaalliancen"]


def test_no_app_sends_mail_itself():
    """Besides the import contract (core.mail): nothing outside core uses Django's mail."""
    root = pathlib.Path(settings.BASE_DIR)
    offenders = []
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                if any(n.startswith(("django.core.mail", "core.mail")) for n in names):
                    offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_changes_requested_is_an_action_kind():
    assert kinds()[monitoring_notices.CHANGES_REQUESTED].action
    assert kinds()[VOTE].action and not kinds()[CLOSED].action


def test_notification_pages_keep_their_query_count_as_messages_grow(client_for, role_users):
    from tests.flat import assert_flat, measure

    member = role_users["member"]
    urls = [reverse("notification-list"), reverse("notification-preferences")]
    tell([member])
    small = measure(client_for, ["member"], urls)
    for number in range(40):
        tell([member], kind=VOTE if number % 2 else CLOSED, title=f"Besked {number}")
    preferences_set(user=member, choices={CLOSED: Delivery.WEEKLY}, language="en")
    large = measure(client_for, ["member"], urls)
    assert_flat(small, large)
