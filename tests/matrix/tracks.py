"""Tracks and budget URLs × roles. In the fixtures coordinator_a coordinates DGO Midtjylland
(the tracks here involve it), knowledge_partner acts for CONCITO, `member` is FU's only voting
seat, and nobody among the roles approves for a party (so every approval is refused).

State-changing cases run the roles in order against one track: once a role has moved it, the
later roles meet the new state (a redirect with a message on pages, 409 in the API)."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from . import SIGNED_IN, Case, api, only, page

PROPOSERS = {"coordinator_a", "secretariat"}


def expect(default: int, anonymous: int = 302, **per_role: int) -> dict[str, int]:
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, default), **per_role}


def draft_only(ok: int = 200) -> dict[str, int]:
    """A draft of coordinator_a's: the proposers get `ok`, everyone else a 404."""
    return expect(404, coordinator_a=ok, secretariat=ok)


def _aps_voter(secretariat):
    """APS's one voting seat here: a person with no other role, so the roles of the matrix
    keep what they see."""
    from governance import services as governance_services
    from governance.models import Body, Membership
    from partners.models import Organisation, User

    body = Body.objects.get(code="aps")
    voter = Membership.objects.filter(body=body, seat_role="member").first()
    if voter is None:
        voter = governance_services.membership_add(
            body=body,
            person=User.objects.create_user(username="aps-voter", email="aps@example.dk"),
            seat_role="member",
            appointed_by=Organisation.objects.get(code="kl"),
            starts_on=datetime.date(2023, 4, 1),
            by=secretariat,
        )
    return voter.person


def _aps_decides(track, step: str, secretariat) -> None:
    """APS decides one of its steps unanimously (its one voting seat votes yes)."""
    from governance import services as governance_services
    from tracks import services

    decision = services.track_put_to_aps(track=track, by=secretariat, step=step)
    governance_services.vote_cast(decision=decision, by=_aps_voter(secretariat), choice="yes")


def _track(users, state: str):
    from governance import services as governance_services
    from partners.models import DGO, Municipality, Organisation
    from tracks import services
    from tracks.models import FocusArea, Principle, Track

    S = Track.Status
    coordinator, secretariat = users["coordinator_a"], users["secretariat"]
    _aps_voter(secretariat)  # APS can decide: its steps are its decisions
    area, _created = FocusArea.objects.get_or_create(
        year=2026, name_da="Tung transport", defaults={"status": FocusArea.Status.ADOPTED}
    )
    rows = [
        {"municipality": Municipality.objects.get(code=code), "region": None, "is_lead": i == 0}
        for i, code in enumerate(("751", "740"))
    ]
    rows.append(
        {"municipality": None, "region": Organisation.objects.get(code="region-midtjylland"),
         "is_lead": False}
    )  # fmt: skip
    track = services.track_create(
        by=coordinator,
        dgos=[DGO.objects.get(slug="midtjylland")],
        title="Ladehubs",
        problem="Tung transport udleder meget.",
        ambition="Fossilfri lastbiler i 2030.",
        development_element="Test af fælles ladehubs.",
        knowledge_sharing_plan="Webinarer for alle kommuner.",
        evaluation_plan="Slutevaluering ved videnspartnerne.",
        focus_area=area,
        participants=rows,
    )
    order = [S.DRAFT, S.SUBMITTED, S.IN_QUALIFICATION, S.ASSESSED, S.RECOMMENDED, S.APPROVED,
             S.RUNNING, S.EVALUATED]  # fmt: skip
    steps = {
        S.SUBMITTED: lambda: services.track_submit(track=track, by=coordinator),
        S.IN_QUALIFICATION: lambda: _aps_decides(track, "qualification", secretariat),
        S.ASSESSED: lambda: services.assessment_publish(
            track=track, by=users["knowledge_partner"], text="V.", conclusion="supported"
        ),
        S.RECOMMENDED: lambda: (
            services.principles_judge(
                track=track,
                by=secretariat,
                judgements={principle: (True, "") for principle in Principle.values},
            ),
            _aps_decides(track, "recommendation", secretariat),
        ),
        S.APPROVED: lambda: governance_services.vote_cast(
            decision=services.track_put_to_fu(
                track=track,
                by=secretariat,
                deadline=timezone.now() + datetime.timedelta(days=7),
            ),
            by=users["member"],
            choice="yes",
        ),
        S.RUNNING: lambda: services.track_start(track=track, by=coordinator),
        S.EVALUATED: lambda: services.track_evaluate(track=track, by=secretariat, text="E."),
    }
    for target in order[1 : order.index(state) + 1]:
        steps[target]()
    track.refresh_from_db()
    assert track.status == state, track.status
    return track


def at(state: str):
    def setup(users) -> dict:
        return {"pk": _track(users, state).pk}

    return setup


def planned_external_funding(users) -> dict:
    """A submitted track with one application for external funding still planned."""
    from tracks.models import ExternalFunding

    track = _track(users, "submitted")
    funding = ExternalFunding.objects.create(
        track=track, funder="EU", programme="LIFE", amount=Decimal("2000000")
    )
    return {"pk": track.pk, "funding": funding.pk}


def judged(users) -> dict:
    """An assessed track with every principle judged met: ready for APS's recommendation."""
    from tracks import services
    from tracks.models import Principle

    track = _track(users, "assessed")
    services.principles_judge(
        track=track,
        by=users["secretariat"],
        judgements={principle: (True, "") for principle in Principle.values},
    )
    return {"pk": track.pk}


def focus_area(users) -> dict:
    from tracks.models import FocusArea

    return {"pk": FocusArea.objects.create(year=2026, name_da="Energi").pk}


def product(users) -> dict:
    from tracks import services

    track = _track(users, "running")
    upload = SimpleUploadedFile("notat.pdf", b"%PDF-1.4\n%demo\n", content_type="application/pdf")
    return {
        "pk": services.knowledge_product_add(
            track=track, by=users["secretariat"], title="Notat", upload=upload
        ).pk
    }


def booked_spending(users) -> dict:
    """One booking on KL's 2026 line, by the secretariat."""
    from tracks import services
    from tracks.models import BudgetLine

    return {
        "pk": services.spending_add(
            budget_line=BudgetLine.objects.get(key="kl-kkr-2026"),
            by=users["secretariat"],
            date=datetime.date(2026, 1, 15),
            amount=Decimal("1000"),
            description="Mødeforplejning",
            document_reference="F-1",
        ).pk
    }


def pending_allocation(users) -> dict:
    from tracks import services
    from tracks.models import LiquidPool

    track = _track(users, "approved")
    return {
        "pk": services.allocation_request(
            track=track,
            pool=LiquidPool.objects.get(key="realdania-likvide"),
            by=users["secretariat"],
            year=2026,
            amount=Decimal("100000"),
        ).pk
    }


def assessment(users) -> dict:
    return {"pk": _track(users, "assessed").assessments.get().pk}


def pending_change(users) -> dict:
    from tracks import services
    from tracks.models import BudgetLine

    return {
        "pk": services.budget_change_request(
            from_line=BudgetLine.objects.get(key="kl-kkr-2027"),
            to_line=BudgetLine.objects.get(key="kl-kkr-2026"),
            amount=Decimal("1000"),
            reason="Frem.",
            by=users["secretariat"],
        ).pk
    }


def kl_rate(users) -> dict:
    """KL's hourly rate for 2026, set by the secretariat."""
    from partners.models import Organisation
    from tracks import services

    return {
        "pk": services.hourly_rate_set(
            party=Organisation.objects.get(code="kl"),
            year=2026,
            rate=Decimal("600"),
            by=users["secretariat"],
        ).pk
    }


def midtjylland_cofinancing(users) -> dict:
    """Region Midtjylland's co-financing of its DGO (coordinator_a's), one line for 2026."""
    from partners.models import DGO, Organisation
    from tracks import services

    dgo = DGO.objects.get(slug="midtjylland")
    return {
        "pk": services.dgo_contribution_add(
            dgo=dgo,
            party=Organisation.objects.get(pk=dgo.region_id),
            name="Regionens medfinansiering",
            kind="cash",
            lines=[{"year": 2026, "purpose": "Klimakoordinator", "amount": Decimal("300000")}],
            by=users["secretariat"],
        ).pk
    }


REALDANIA_POOL = {"key": "realdania-likvide"}
MIDTJYLLAND = {"slug": "midtjylland"}
DGO_KEEPERS = {"secretariat", "coordinator_a"}
NOBODY = expect(403)  # only a party's approver, and none of the roles is one

CASES = [
    page("track-list"),
    only("track-create", {"coordinator_a", "coordinator_b", "secretariat"}),
    page("focus-area-list"),
    only("focus-area-create", {"secretariat"}),
    only("focus-area-edit", {"secretariat"}, setup=focus_area),
    Case("focus-area-put-to-pug", expect(403, secretariat=302), method="post", setup=focus_area),
    Case("track-detail", draft_only(), setup=at("draft")),
    page("track-detail", setup=at("submitted")),
    page("track-detail", setup=at("running")),
    Case("track-proposal", draft_only(), setup=at("draft")),
    page("track-proposal", setup=at("approved")),
    Case("track-edit", draft_only(), setup=at("draft")),
    Case(  # submitted redirects to its page for its proposers; others may not
        "track-edit", expect(403, coordinator_a=302, secretariat=302), setup=at("submitted")
    ),
    Case(
        "track-submit",
        {**draft_only(302), "coordinator_b": 403, "knowledge_partner": 403, "administrator": 403},
        method="post",
        setup=at("draft"),
    ),
    Case(
        "track-withdraw",
        expect(403, coordinator_a=302, secretariat=302),
        method="post",
        data={"reason": "Dublet."},
        setup=at("submitted"),
    ),
    Case(
        "track-start-qualification",
        expect(403, secretariat=302),
        method="post",
        setup=at("submitted"),
    ),
    Case("track-recommend", expect(403, secretariat=302), method="post", setup=judged),
    Case(
        "track-start",
        expect(403, coordinator_a=302, secretariat=302),
        method="post",
        setup=at("approved"),
    ),
    Case(
        "track-revise",
        expect(403, coordinator_a=302, secretariat=302),
        method="post",
        data={"reason": "Nyt forsøg."},
        setup=at("approved"),
    ),
    Case("track-close", expect(403, secretariat=302), method="post", setup=at("evaluated")),
    Case(
        "external-funding-status",
        expect(403, coordinator_a=302, secretariat=302),
        method="post",
        data={"status": "sought"},
        setup=planned_external_funding,
    ),
    only("track-put-to-fu", {"secretariat"}, setup=at("recommended")),
    only("assessment-write", {"knowledge_partner"}, setup=at("in_qualification")),
    only("track-evaluate", {"knowledge_partner", "secretariat"}, setup=at("running")),
    only("track-principles", {"secretariat"}, setup=at("in_qualification")),
    only("status-update-create", PROPOSERS, setup=at("running")),
    only("product-create", PROPOSERS | {"knowledge_partner"}, setup=at("running")),
    only("allocation-request", PROPOSERS, setup=at("approved")),
    page("product-download", setup=product),
    page("budget-overview"),
    page("budget-export-csv"),
    page("budget-export-xlsx"),
    page("pool-detail", REALDANIA_POOL),
    Case("pool-detail", expect(404), {"key": "no-such-pool"}),
    only("allocation-approvals", {"secretariat"}),
    Case("allocation-approve", NOBODY, method="post", setup=pending_allocation),
    Case("allocation-refuse", NOBODY, method="post", setup=pending_allocation),
    only("spending-create", {"secretariat"}),
    page("ledger"),
    only("spending-reverse", {"secretariat"}, setup=booked_spending),
    only("budget-change-create", {"secretariat"}),
    Case("budget-change-approve", NOBODY, method="post", setup=pending_change),
    Case("budget-change-refuse", NOBODY, method="post", setup=pending_change),
    page("hourly-rates"),
    # Only the secretariat sets a rate; an incomplete form is a 400 for it, nothing written.
    Case("hourly-rates", expect(403, secretariat=400), method="post", data={"year": "2026"}),
    page("dgo-budget", MIDTJYLLAND),
    Case("dgo-budget", expect(404), {"slug": "no-such-dgo"}),
    only("dgo-contribution-create", DGO_KEEPERS, MIDTJYLLAND),
    only("dgo-budget-line-create", DGO_KEEPERS, setup=midtjylland_cofinancing),
    # API
    api("api-track-list"),
    api("api-track-detail", setup=at("submitted")),
    Case(
        "api-track-detail",
        expect(404, anonymous=401, coordinator_a=200, secretariat=200),
        setup=at("draft"),
    ),
    Case(
        "api-track-submit",
        expect(403, anonymous=401, observer=404, member=404, coordinator_a=200, secretariat=409),
        method="post",
        setup=at("draft"),
    ),
    Case(
        "api-track-withdraw",
        expect(403, anonymous=401, coordinator_a=200, secretariat=409),
        method="post",
        data={"reason": "Dublet."},
        setup=at("submitted"),
    ),
    Case(
        "api-track-start-qualification",
        expect(403, anonymous=401, secretariat=200),
        method="post",
        setup=at("submitted"),
    ),
    Case(
        "api-track-recommend",
        expect(403, anonymous=401, secretariat=200),
        method="post",
        setup=judged,
    ),
    Case(
        "api-track-start",
        expect(403, anonymous=401, coordinator_a=200, secretariat=409),
        method="post",
        setup=at("approved"),
    ),
    Case(
        "api-track-close",
        expect(403, anonymous=401, secretariat=200),
        method="post",
        setup=at("evaluated"),
    ),
    api("api-assessment-list"),
    api("api-assessment-detail", setup=assessment),
    api("api-allocation-list"),
    api("api-allocation-detail", setup=pending_allocation),
    Case(
        "api-allocation-approve",
        expect(403, anonymous=401),
        method="post",
        setup=pending_allocation,
    ),
    Case(
        "api-allocation-refuse",
        expect(403, anonymous=401),
        method="post",
        setup=pending_allocation,
    ),
    api("api-budget-overview"),
    api("api-spending-list"),
    api("api-spending-detail", setup=booked_spending),
    Case(
        "api-spending-reverse",
        expect(403, anonymous=401, secretariat=201),
        method="post",
        data={"reason": "Bogført to gange."},
        setup=booked_spending,
    ),
    api("api-hourly-rate-list"),
    api("api-hourly-rate-detail", setup=kl_rate),
    Case(
        "api-hourly-rate-list",
        expect(403, anonymous=401, secretariat=201),
        method="post",
        data={"party": "kl", "year": 2026, "rate": "650,00"},
    ),
]
