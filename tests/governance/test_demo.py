import io

from django.core.management import call_command
from django.utils import timezone

from governance.models import Body, Decision, Meeting, Membership, SeatRole
from governance.permissions import can_vote
from governance.selectors import decisions_awaiting_vote
from partners.models import User


def test_seed_demo_fills_the_national_bodies_idempotently(demo_data, db, settings):
    settings.DEBUG = True
    counts = {body.code: body.memberships.count() for body in Body.objects.filter(kind="national")}
    call_command("seed_demo", stdout=io.StringIO())
    assert counts == {
        body.code: body.memberships.count() for body in Body.objects.filter(kind="national")
    }
    assert counts == {"fu": 8, "pug": 14, "aps": 7}
    assert (
        not User.objects.filter(username__startswith="demo-")
        .exclude(last_name__endswith="(demo)")
        .exists()
    )

    member = User.objects.get(username="fu-medlem")
    observer = User.objects.get(username="observator")
    assert Membership.objects.get(person=member).seat_role == SeatRole.MEMBER
    assert set(
        Membership.objects.filter(person=observer).values_list("body__code", "seat_role")
    ) == {("fu", "observer"), ("pug", "observer")}

    year = timezone.localdate().year
    for code, cadence in (("fu", 2), ("pug", 2), ("aps", 6)):
        meetings = Meeting.objects.filter(body__code=code, starts_at__year=year)
        assert meetings.count() == cadence
        assert all(m.agenda_items.count() == 4 for m in meetings)

    # Other apps' demos put their own matters to FU (the tracks demo: decisions about tracks).
    fu_decisions = Decision.objects.filter(body__code="fu", subject_content_type__isnull=True)
    assert set(fu_decisions.values_list("status", flat=True)) == {"open", "adopted"}
    open_decision = fu_decisions.get(status="open")
    assert open_decision.mode == Decision.Mode.IN_WRITING
    awaiting = decisions_awaiting_vote(user=member).filter(subject_content_type__isnull=True)
    assert list(awaiting) == [open_decision]
    assert can_vote(member, open_decision)
    assert not can_vote(observer, open_decision)


def test_seed_demo_seats_every_dgo_steering_group_by_its_rules(demo_data, db):
    from governance.composition import check_composition

    groups = Body.objects.exclude(kind="national")
    assert groups.count() == 10
    for body in groups:
        composition = check_composition(body=body)
        assert body.memberships.exists(), body.code
        assert composition.is_complete, (body.code, [s.rule.key for s in composition.problems])
