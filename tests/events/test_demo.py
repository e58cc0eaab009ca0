from events import demo
from events.models import Event, Registration
from partners import demo as partners_demo
from partners.models import User


def test_the_demo_shows_every_state_and_a_waiting_list_idempotently(db):
    partners_demo.seed()
    created = demo.seed()
    assert len(created) == 5 and demo.seed() == []
    assert set(Event.objects.values_list("status", flat=True)) == {
        "draft", "published", "held", "cancelled"
    }  # fmt: skip
    workshop = Event.objects.get(dgo__slug="midtjylland", status="published")
    assert workshop.created_by == User.objects.get(username="koordinator-midt")
    statuses = list(workshop.registrations.values_list("status", flat=True))
    assert statuses.count("registered") == 3 and statuses.count("waiting") == 1
    held = Event.objects.get(status="held")
    assert held.materials.count() == 1
    assert list(
        Registration.objects.filter(event=held).order_by("pk").values_list("attended", flat=True)
    ) == [True, True, False]
