"""Events URLs × roles. coordinator_a coordinates DGO Midtjylland, so arranges its events; the
secretariat arranges every event, national or a DGO's. Every signed-in person sees published
events and registers for them; drafts only their arrangers (others get a 404, as for a missing
event).

State-changing cases run the roles in order against one event: once a role has moved it, the
later roles meet the new state (a redirect back to the event with the service's message)."""

from . import SIGNED_IN, Case, only, page, public

ARRANGERS = {"coordinator_a", "secretariat"}


def expect(default: int, anonymous: int = 302, **per_role: int) -> dict[str, int]:
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, default), **per_role}


def _event(users, state: str = "published", dgo_slug: str | None = "midtjylland", **kw):
    from tests.events.factories import make_event

    return make_event(users["secretariat"], state=state, dgo_slug=dgo_slug, **kw)


def published(users) -> dict:
    return {"pk": _event(users).pk}


def draft(users) -> dict:
    return {"pk": _event(users, "draft").pk}


def held(users) -> dict:
    return {"pk": _event(users, "held").pk}


def material(users) -> dict:
    from tests.events.factories import add_material

    return {"pk": add_material(_event(users, "held"), users["secretariat"]).pk}


def registered_everyone(users) -> dict:
    """A published event every signed-in role is registered for (so each may cancel)."""
    from events import services

    event = _event(users, capacity=3)
    for role in SIGNED_IN:
        services.registration_create(event=event, by=users[role])
    return {"pk": event.pk}


CASES = [
    page("event-list"),
    Case("event-list", expect(200), query="?when=past&kind=workshop&dgo=national"),
    only("event-create", {"coordinator_a", "coordinator_b", "secretariat"}),
    # A form sent back with its Danish errors; nothing is written.
    Case(
        "event-create",
        expect(403, coordinator_a=400, coordinator_b=400, secretariat=400),
        method="post",
        data={
            "title": "Workshop",
            "kind": "workshop",
            "starts_at": "2030-01-01T10:00",
            "ends_at": "2030-01-01T09:00",
            "location": "",
        },
    ),
    page("event-detail", setup=published),
    Case("event-detail", expect(404, coordinator_a=200, secretariat=200), setup=draft),
    page("event-detail", setup=held),
    Case("event-edit", expect(403, coordinator_a=200, secretariat=200), setup=published),
    Case("event-edit", expect(404, coordinator_a=200, secretariat=200), setup=draft),
    # coordinator_a publishes; the later roles see a published event (403 for non-arrangers,
    # the secretariat is sent back with "only a draft is published").
    Case(
        "event-publish",
        expect(403, observer=404, member=404, coordinator_a=302, secretariat=302),
        method="post",
        setup=draft,
    ),
    # Not started: refused with the service's reason (302 back) for the arrangers.
    Case(
        "event-held",
        expect(403, coordinator_a=302, secretariat=302),
        method="post",
        setup=published,
    ),
    Case(
        "event-cancel",
        expect(403, coordinator_a=302, secretariat=302),
        method="post",
        setup=published,
        data={"reason": "Aflyst"},
    ),
    # Everyone signed in registers (the later ones join the waiting list).
    Case("event-register", expect(302), method="post", setup=published),
    Case(
        "event-register",
        expect(404, coordinator_a=302, secretariat=302),
        method="post",
        setup=draft,
    ),
    Case("event-unregister", expect(302), method="post", setup=registered_everyone),
    Case("event-attendance", expect(403, coordinator_a=200, secretariat=200), setup=held),
    # Before it is held the arrangers are sent back to the event with a note.
    Case("event-attendance", expect(403, coordinator_a=302, secretariat=302), setup=published),
    Case("event-material-add", expect(403, coordinator_a=200, secretariat=200), setup=held),
    page("event-material-download", setup=material),
    # The open pages: published and held events for everyone, drafts for nobody.
    public("public-event-list"),
    Case("public-event-list", public("x").expect, query="?when=past"),
    Case("public-event-detail", public("x").expect, setup=published),
    Case("public-event-detail", public("x", status=404).expect, setup=draft),
]
