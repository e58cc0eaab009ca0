"""The bodies' composition rules (§8) as data, checked on seeded and on broken bodies."""

import datetime

import pytest

from governance import demo, reference
from governance.composition import check_composition
from governance.models import Body, SeatRole, SeatRule
from partners import demo as partners_demo

from .factories import seat

R = SeatRole


def states(composition) -> dict[str, str]:
    """{rule key (+ geography): state} for the rules not met."""
    return {
        status.rule.key + (f":{status.geography.slug}" if status.geography else ""): status.state
        for status in composition.problems
    }


def test_reference_data_seeds_thirteen_bodies_idempotently(db):
    assert Body.objects.filter(kind=Body.Kind.NATIONAL).count() == 3
    assert Body.objects.exclude(kind=Body.Kind.NATIONAL).count() == 10
    assert Body.objects.get(code="aps").meetings_per_year == 6
    assert Body.objects.get(code="dgo-midtjylland-adm").meetings_per_year == 4
    again = reference.load()
    assert again.created == 0 and again.updated == 0


def test_reference_restores_national_rules_but_keeps_a_geographys_own(db):
    kl_rule = SeatRule.objects.get(body__code="fu", key="kl-political")
    SeatRule.objects.filter(pk=kl_rule.pk).update(max_count=5)
    local = SeatRule.objects.get(body__code="dgo-midtjylland-adm", key="municipal-reps")
    SeatRule.objects.filter(pk=local.pk).update(min_count=3, max_count=3)
    Body.objects.filter(code="dgo-midtjylland-adm").update(meetings_per_year=6)
    reference.load()
    assert SeatRule.objects.get(pk=kl_rule.pk).max_count == 2
    assert SeatRule.objects.get(pk=local.pk).max_count == 3
    assert Body.objects.get(code="dgo-midtjylland-adm").meetings_per_year == 6


def test_empty_body_reports_every_seat_vacant(db):
    composition = check_composition(body=Body.objects.get(code="fu"))
    assert composition.vacancies == 1 + 1 + 2 + 2 + 1 + 1 + 1 + 1
    pug = check_composition(body=Body.objects.get(code="pug"))
    # 5 KKR + 5 regions + 2 FU reps + chair + 3 observers
    assert pug.vacancies == 16
    assert len([s for s in pug.statuses if s.rule.key == "kkr-political"]) == 5


def seat_fu_properly():
    fu = Body.objects.get(code="fu")
    chair = seat(fu, role=R.CHAIR, appointed_by="kl")
    seat(fu, role=R.MEMBER, appointed_by="kl")
    vice = seat(fu, role=R.VICE_CHAIR, appointed_by="danske-regioner")
    seat(fu, role=R.MEMBER, appointed_by="danske-regioner")
    seat(fu, role=R.MEMBER, appointed_by="realdania")
    seat(fu, role=R.OBSERVER, appointed_by="realdania")
    seat(fu, role=R.OBSERVER, appointed_by="concito")
    seat(fu, role=R.OBSERVER, appointed_by="c40")
    return fu, chair, vice


def test_a_properly_seated_fu_is_complete(db):
    fu, *_ = seat_fu_properly()
    composition = check_composition(body=fu)
    assert composition.is_complete, states(composition)
    kl = next(s for s in composition.statuses if s.rule.key == "kl-political")
    assert kl.count == 2  # the chair counts as one of KL's two


def test_broken_fu(db):
    fu, _chair, _vice = seat_fu_properly()
    seat(fu, role=R.MEMBER, appointed_by="kl")  # a third KL representative
    seat(fu, role=R.MEMBER, appointed_by="c40")  # C40 only observes
    composition = check_composition(body=fu)
    assert states(composition) == {"kl-political": "over"}
    assert [m.appointed_by.code for m in composition.unmatched] == ["c40"]
    assert not composition.is_complete


def test_fu_chair_from_the_regions_breaks_two_rules(db):
    fu = Body.objects.get(code="fu")
    seat(fu, role=R.CHAIR, appointed_by="danske-regioner")
    seat(fu, role=R.MEMBER, appointed_by="danske-regioner")
    result = states(check_composition(body=fu))
    assert result["chair-kl"] == "vacant"
    assert result["vice-chair-regions"] == "vacant"
    assert result["kl-political"] == "vacant"
    assert "dr-political" not in result  # the two DR seats count, whatever their role


def test_ended_seats_leave_a_vacancy(db):
    fu, chair, _vice = seat_fu_properly()
    from governance import services

    services.membership_end(membership=chair, by=None, ends_on=datetime.date(2024, 6, 30))
    result = states(check_composition(body=fu))
    assert result == {"kl-political": "vacant", "chair-kl": "vacant"}


def test_pug_geographies_and_fu_representatives(db):
    _fu, chair, vice = seat_fu_properly()
    pug = Body.objects.get(code="pug")
    seat(pug, person=chair.person, role=R.CHAIR, appointed_by="kl")
    seat(pug, person=vice.person, role=R.MEMBER, appointed_by="danske-regioner")
    for geography in ("nordjylland", "midtjylland", "syddanmark", "hovedstaden", "sjaelland"):
        seat(pug, appointed_by=f"region-{geography}", geography=geography)
        if geography != "sjaelland":
            seat(pug, appointed_by=f"kkr-{geography}", geography=geography)
    seat(pug, appointed_by="kkr-midtjylland", geography="midtjylland")  # a second for Midt
    for code in ("realdania", "concito", "c40"):
        seat(pug, role=R.OBSERVER, appointed_by=code)
    composition = check_composition(body=pug)
    assert states(composition) == {
        "kkr-political:sjaelland": "vacant",
        "kkr-political:midtjylland": "over",
    }
    assert not composition.unmatched


def test_pug_fu_representative_must_sit_in_fu(db):
    pug = Body.objects.get(code="pug")
    seat(pug, role=R.MEMBER, appointed_by="danske-regioner")  # not in FU
    composition = check_composition(body=pug)
    assert states(composition)["fu-dr"] == "vacant"
    assert len(composition.unmatched) == 1


def test_dgo_group_seats_come_from_their_own_geography(db):
    group = Body.objects.get(code="dgo-midtjylland-pol")
    seat(group, appointed_by="region-midtjylland")
    seat(group, appointed_by="kkr-midtjylland")
    seat(group, appointed_by="kkr-midtjylland")
    assert check_composition(body=group).is_complete
    seat(group, appointed_by="region-hovedstaden")  # another geography's region
    composition = check_composition(body=group)
    assert [m.appointed_by.code for m in composition.unmatched] == ["region-hovedstaden"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [("fu", {}), ("aps", {}), ("pug", {"kkr-political:sjaelland": "vacant"})],
)
def test_demo_bodies_meet_the_agreement_but_for_one_vacancy(db, code, expected):
    partners_demo.seed()
    demo.seed()
    composition = check_composition(body=Body.objects.get(code=code))
    assert states(composition) == expected
    assert not composition.unmatched
