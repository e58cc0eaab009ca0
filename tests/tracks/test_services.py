"""The track life cycle and the budget rules, through the services."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from governance import services as governance_services
from governance.models import Body, Decision, SeatRole
from governance.services import Conflict
from tests.governance.factories import seat
from tracks import services
from tracks.models import (
    Allocation,
    BudgetChange,
    BudgetLine,
    ClimateAssessment,
    KnowledgeProduct,
    Principle,
    Track,
    TrackTransition,
)

from .factories import (
    advance,
    allocation,
    aps_decides,
    draft,
    focus_area,
    fu_adopts,
    judge_all_met,
    participants,
    pool,
    put_to_fu,
)

S = Track.Status
D = Decimal


@pytest.fixture(autouse=True)
def english():
    """The messages are asserted in English (the msgids); the portal itself is Danish first."""
    with translation.override("en"):
        yield


# --- Proposals and the principles ------------------------------------------------------------


def test_a_coordinator_proposes_a_draft_with_participants_and_funding(people):
    track = services.track_create(
        by=people.coordinator,
        dgos=[people.coordinator.role_assignments.get().dgo],
        title="Biochar",
        participants=participants("751", "740", "region-midtjylland", lead=2),
        funding_requests=[
            {"year": 2026, "source": "pool", "pool": pool(), "amount": D("250000.50"), "note": ""}
        ],
        external_funding=[
            {"funder": "EU", "programme": "LIFE", "amount": D("1000000"), "status": "sought"}
        ],
        contacts=[{"name": "Mette", "organisation": "", "role": "", "email": "", "phone": ""}],
    )
    assert track.status == S.DRAFT and track.submitted_at is None
    assert track.participants.count() == 3
    assert track.participants.get(is_lead=True).region.code == "region-midtjylland"
    assert track.funding_requests.get().amount == D("250000.50")
    assert track.external_funding.get().programme == "LIFE"
    step = track.transitions.get()
    assert (step.from_status, step.to_status, step.by) == ("", S.DRAFT, people.coordinator)


def test_a_coordinator_proposes_only_for_their_own_dgo(people):
    with pytest.raises(ValidationError) as error:
        draft(people.coordinator, dgos=("hovedstaden",))
    assert "dgos" in error.value.message_dict
    assert not Track.objects.exists()


@pytest.mark.parametrize("who", ["observer", "knowledge_partner", "aps", "realdania"])
def test_only_coordinators_and_the_secretariat_propose(people, who):
    with pytest.raises(PermissionDenied):
        draft(getattr(people, who))


def test_participants_are_unique_with_one_lead(people):
    rows = participants("751", "751", "740")
    with pytest.raises(ValidationError, match="named twice"):
        services.track_create(by=people.secretariat, dgos=[], participants=rows, title="X")
    rows = participants("751", "740", "657")
    rows[1]["is_lead"] = True
    with pytest.raises(ValidationError, match="Only one participant"):
        services.track_create(by=people.secretariat, dgos=[], participants=rows, title="X")


def test_submit_lists_every_failing_principle_with_its_message(people):
    track = draft(people.coordinator, codes=("751", "740"), complete=False)
    with pytest.raises(ValidationError) as error:
        services.track_submit(track=track, by=people.coordinator)
    codes = [item.code for item in error.value.error_list]
    assert codes == [
        "participants",
        "ambition",
        "development_element",
        "knowledge_sharing_plan",
        "evaluation_plan",
        "focus_area",
    ]
    assert "at least 3 participating municipalities or regions; this one has 2" in str(
        error.value.messages[0]
    )
    track.refresh_from_db()
    assert track.status == S.DRAFT and track.transitions.count() == 1


def test_submit_needs_a_lead_among_three_participants(people):
    track = draft(people.coordinator)
    track.participants.update(is_lead=False)
    with pytest.raises(ValidationError) as error:
        services.track_submit(track=track, by=people.coordinator)
    assert [item.code for item in error.value.error_list] == ["lead"]


def test_submit_records_who_when_and_mails_the_secretariat(
    people, django_capture_on_commit_callbacks
):
    track = draft(people.coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.track_submit(track=track, by=people.coordinator, reason="Klar til APS.")
    track.refresh_from_db()
    assert track.status == S.SUBMITTED and track.submitted_at is not None
    step = track.transitions.last()
    assert (step.from_status, step.to_status, step.by, step.reason) == (
        S.DRAFT, S.SUBMITTED, people.coordinator, "Klar til APS."
    )  # fmt: skip
    assert len(callbacks) == 1  # one mail to the one secretariat user, after commit


def test_a_submitted_track_can_no_longer_be_edited(people):
    track = advance(draft(people.coordinator), S.SUBMITTED, people)
    with pytest.raises(Conflict):
        services.track_update(track=track, by=people.coordinator, title="Ny titel")
    with pytest.raises(Conflict):
        services.track_submit(track=track, by=people.coordinator)


def test_update_replaces_participants_of_a_draft(people):
    track = draft(people.coordinator)
    services.track_update(
        track=track,
        by=people.coordinator,
        title="Nyt navn",
        participants=participants("751", "740", "657", "region-midtjylland"),
    )
    track.refresh_from_db()
    assert track.title == "Nyt navn" and track.participants.count() == 4


def test_another_dgos_coordinator_cannot_touch_the_draft(people):
    track = draft(people.coordinator)
    with pytest.raises(PermissionDenied):
        services.track_update(track=track, by=people.other_coordinator, title="X")
    with pytest.raises(PermissionDenied):
        services.track_submit(track=track, by=people.other_coordinator)


# --- Qualification, assessment, recommendation -------------------------------------------------


def test_qualification_is_an_aps_decision_put_by_the_secretariat_or_apss_chair(people):
    track = advance(draft(people.coordinator), S.SUBMITTED, people)
    for user in (people.aps_observer, people.aps, people.coordinator, people.knowledge_partner):
        with pytest.raises(PermissionDenied):
            services.track_start_qualification(track=track, by=user)
    decision = services.track_start_qualification(track=track, by=people.secretariat)
    assert decision.body.code == "aps" and decision.subject == track
    track.refresh_from_db()
    assert track.status == S.SUBMITTED  # nothing moves on one click: APS decides
    with pytest.raises(Conflict):
        services.track_start_qualification(track=track, by=people.secretariat)
    governance_services.vote_cast(decision=decision, by=people.aps, choice="yes")
    track.refresh_from_db()
    assert track.status == S.IN_QUALIFICATION
    step = track.transitions.last()
    assert step.decision == decision and step.event == "qualification"


def test_a_unanimous_aps_is_needed_one_no_leaves_the_track_on_the_long_list(people):
    second = seat(Body.objects.get(code="aps"), appointed_by="danske-regioner").person
    track = advance(draft(people.coordinator), S.SUBMITTED, people)
    decision = services.track_start_qualification(track=track, by=people.secretariat)
    governance_services.vote_cast(decision=decision, by=people.aps, choice="yes")
    track.refresh_from_db()
    assert track.status == S.SUBMITTED  # the second voting seat has not voted
    governance_services.vote_cast(decision=decision, by=second, choice="no")
    decision.refresh_from_db()
    track.refresh_from_db()
    assert decision.status == Decision.Status.REJECTED
    assert track.status == S.SUBMITTED
    assert track.transitions.last().event == "aps_decided"
    assert SeatRole.OBSERVER not in {second.memberships.get().seat_role}
    # It may be put to APS again.
    services.track_start_qualification(track=track, by=people.secretariat)


def test_recommendation_needs_every_principle_judged_met(people):
    track = advance(draft(people.coordinator), S.ASSESSED, people)
    with pytest.raises(ValidationError, match="not yet judged met"):
        services.track_recommend(track=track, by=people.secretariat)
    judgements = {principle: (True, "") for principle in Principle.values}
    judgements["development"] = (False, "")
    with pytest.raises(ValidationError) as error:  # "not met" needs the reason
        services.principles_judge(track=track, by=people.aps, judgements=judgements)
    assert "development" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.principles_judge(
            track=track, by=people.aps_observer, judgements={"problem": (True, "")}
        )
    judgements["development"] = (False, "Ruller en kendt løsning ud.")
    services.principles_judge(track=track, by=people.aps, judgements=judgements)
    with pytest.raises(ValidationError, match="development, test or demonstration"):
        services.track_recommend(track=track, by=people.secretariat)
    services.principles_judge(
        track=track, by=people.aps, judgements={"development": (True, "Nyt: ladehubs.")}
    )
    assert track.judgements.count() == 5  # a new judgement replaces the last
    decision = services.track_recommend(track=track, by=people.secretariat)
    governance_services.vote_cast(decision=decision, by=people.aps, choice="yes")
    track.refresh_from_db()
    assert track.status == S.RECOMMENDED


def test_only_concito_or_c40_write_the_assessment(people):
    track = advance(draft(people.coordinator), S.IN_QUALIFICATION, people)
    for user in (people.secretariat, people.aps, people.coordinator, people.fake_partner):
        with pytest.raises(PermissionDenied):
            services.assessment_publish(track=track, by=user, text="X", conclusion="supported")
    assert not ClimateAssessment.objects.exists()
    assessment = services.assessment_publish(
        track=track, by=people.c40, text="C40's vurdering.", conclusion="conditional"
    )
    assert assessment.organisation.code == "c40" and assessment.version == 1
    track.refresh_from_db()
    assert track.status == S.ASSESSED
    assert track.transitions.last().by == people.c40


def test_a_published_assessment_never_changes_and_new_versions_keep_the_old(people):
    track = advance(draft(people.coordinator), S.ASSESSED, people)
    first = track.assessments.get()
    published_at = first.published_at
    # A draft for the next version: it is a new row, the published one stays as it was.
    services.assessment_draft_save(
        track=track, by=people.c40, text="Udkast til ny version.", conclusion="conditional"
    )
    first.refresh_from_db()
    assert (first.text, first.published_at) == ("Vurdering.", published_at)
    second = services.assessment_publish(
        track=track, by=people.knowledge_partner, text="Version 2.", conclusion="supported"
    )
    assert second.version == 2 and track.assessments.count() == 2
    first.refresh_from_db()
    assert first.text == "Vurdering." and first.is_published
    track.refresh_from_db()
    assert track.status == S.ASSESSED  # a new version does not move the track again
    # The secretariat cannot write a version either, nor can anyone once FU has decided.
    with pytest.raises(PermissionDenied):
        services.assessment_draft_save(
            track=track, by=people.secretariat, text="Ændret.", conclusion="supported"
        )
    advance(track, S.APPROVED, people)
    with pytest.raises(Conflict):
        services.assessment_publish(
            track=track, by=people.knowledge_partner, text="Sent.", conclusion="supported"
        )


def test_no_service_edits_a_published_assessment():
    editing = [name for name in dir(services) if name.startswith("assessment_")]
    assert sorted(editing) == ["assessment_draft_save", "assessment_publish"]


def test_recommend_needs_a_published_assessment(people):
    track = advance(draft(people.coordinator), S.IN_QUALIFICATION, people)
    services.assessment_draft_save(
        track=track, by=people.knowledge_partner, text="Udkast.", conclusion="supported"
    )
    judge_all_met(track, people)
    with pytest.raises(Conflict):
        services.track_recommend(track=track, by=people.secretariat)
    services.assessment_publish(
        track=track, by=people.knowledge_partner, text="Endelig.", conclusion="supported"
    )
    assert track.assessments.get().text == "Endelig."  # the draft became version 1
    aps_decides(track, "recommendation", people)
    track.refresh_from_db()
    assert track.status == S.RECOMMENDED


# --- FU's decision --------------------------------------------------------------------------


def test_fu_approves_only_through_an_adopted_unanimous_decision(people):
    track = advance(draft(people.coordinator), S.RECOMMENDED, people)
    decision = put_to_fu(track, people)
    assert decision.subject == track and decision.body.code == "fu"
    governance_services.vote_cast(decision=decision, by=people.fu_chair, choice="yes")
    track.refresh_from_db()
    assert track.status == S.RECOMMENDED  # one seat still to vote: nothing happens yet
    governance_services.vote_cast(decision=decision, by=people.fu_member, choice="yes")
    track.refresh_from_db()
    assert track.status == S.APPROVED
    step = track.transitions.last()
    assert step.decision == decision and step.to_status == S.APPROVED
    assert step.by == people.fu_member  # who closed it with the last vote


def test_one_no_in_fu_rejects_the_track(people):
    track = advance(draft(people.coordinator), S.RECOMMENDED, people)
    decision = fu_adopts(track, people, choice="no")
    assert decision.status == Decision.Status.REJECTED
    track.refresh_from_db()
    assert track.status == S.REJECTED
    with pytest.raises(Conflict):
        services.track_start(track=track, by=people.coordinator)


def test_a_lapsed_decision_leaves_the_track_recommended_for_a_new_one(people):
    track = advance(draft(people.coordinator), S.RECOMMENDED, people)
    decision = put_to_fu(track, people)
    with pytest.raises(Conflict):
        put_to_fu(track, people)  # one open decision at a time
    Decision.objects.filter(pk=decision.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    governance_services.decision_close(decision=decision, by=people.secretariat)
    track.refresh_from_db()
    assert track.status == S.RECOMMENDED
    assert track.transitions.last().decision_id == decision.pk
    put_to_fu(track, people)


def test_only_fu_managers_put_a_track_to_fu(people):
    track = advance(draft(people.coordinator), S.RECOMMENDED, people)
    deadline = timezone.now() + datetime.timedelta(days=3)
    for user in (people.aps, people.coordinator, people.fu_member, people.knowledge_partner):
        with pytest.raises(PermissionDenied):
            services.track_put_to_fu(track=track, by=user, deadline=deadline)
    assert not Decision.objects.filter(body__code="fu").exists()
    decision = services.track_put_to_fu(track=track, by=people.fu_chair, deadline=deadline)
    assert decision.opened_by == people.fu_chair


def test_a_decision_of_another_body_about_a_track_approves_nothing(people):
    track = advance(draft(people.coordinator), S.RECOMMENDED, people)
    member = seat("pug", appointed_by="kl").person
    decision = governance_services.decision_open(
        body=Body.objects.get(code="pug"),
        title="PUG om sporet",
        text="X",
        deadline=timezone.now() + datetime.timedelta(days=2),
        by=people.secretariat,
        subject=track,
    )
    governance_services.vote_cast(decision=decision, by=member, choice="yes")
    decision.refresh_from_db()
    assert decision.status == Decision.Status.ADOPTED
    track.refresh_from_db()
    assert track.status == S.RECOMMENDED


def test_withdraw_needs_a_reason_and_is_refused_while_fu_decides(people):
    track = advance(draft(people.coordinator), S.RECOMMENDED, people)
    with pytest.raises(ValidationError):
        services.track_withdraw(track=track, by=people.coordinator, reason=" ")
    put_to_fu(track, people)
    with pytest.raises(Conflict):
        services.track_withdraw(track=track, by=people.coordinator, reason="Vi trækker det.")
    other = advance(draft(people.coordinator, title="Andet"), S.SUBMITTED, people)
    services.track_withdraw(track=other, by=people.coordinator, reason="Dobbelt forslag.")
    other.refresh_from_db()
    assert other.status == S.WITHDRAWN
    assert other.transitions.last().reason == "Dobbelt forslag."


def test_no_withdrawal_after_approval(people):
    track = advance(draft(people.coordinator), S.APPROVED, people)
    with pytest.raises(Conflict):
        services.track_withdraw(track=track, by=people.secretariat, reason="For sent.")


# --- Running, evaluating, closing --------------------------------------------------------------


def test_the_whole_life_is_on_the_timeline(people):
    track = advance(draft(people.coordinator), S.CLOSED, people)
    steps = list(TrackTransition.objects.filter(track=track).values_list("to_status", flat=True))
    assert steps == [
        S.DRAFT, S.SUBMITTED,
        S.SUBMITTED,  # put to APS: long list and qualification
        S.IN_QUALIFICATION, S.ASSESSED,
        S.ASSESSED,  # put to APS: recommendation
        S.RECOMMENDED,
        S.RECOMMENDED,  # put to FU
        S.APPROVED, S.RUNNING, S.EVALUATED, S.CLOSED,
    ]  # fmt: skip
    assert track.evaluation.text == "Evaluering."


def test_status_updates_and_products_while_running(people):
    track = advance(draft(people.coordinator), S.APPROVED, people)
    with pytest.raises(Conflict):
        services.status_update_add(
            track=track, by=people.coordinator, date=timezone.localdate(), progress="For tidligt."
        )
    advance(track, S.RUNNING, people)
    update = services.status_update_add(
        track=track, by=people.coordinator, date=timezone.localdate(), progress="Godt i gang."
    )
    assert update.author == people.coordinator
    with pytest.raises(PermissionDenied):
        services.status_update_add(
            track=track, by=people.other_coordinator, date=timezone.localdate(), progress="X"
        )
    link = services.knowledge_product_add(
        track=track, by=people.knowledge_partner, title="Notat", url="https://example.dk/notat"
    )
    assert link.kind == KnowledgeProduct.Kind.LINK
    upload = SimpleUploadedFile("rapport.pdf", b"%PDF-1.7\nrapport", content_type="application/pdf")
    product = services.knowledge_product_add(
        track=track, by=people.coordinator, title="Rapport", upload=upload
    )
    assert (product.kind, product.content_type, product.size) == ("file", "application/pdf", 16)


def test_a_product_file_is_checked_by_its_content(people):
    track = advance(draft(people.coordinator), S.RUNNING, people)
    fake = SimpleUploadedFile(
        "rapport.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    with pytest.raises(ValidationError, match="does not match its name"):
        services.knowledge_product_add(track=track, by=people.coordinator, title="X", upload=fake)
    script = SimpleUploadedFile("x.html", b"<script>", content_type="text/html")
    with pytest.raises(ValidationError, match="not accepted"):
        services.knowledge_product_add(track=track, by=people.coordinator, title="X", upload=script)
    assert not KnowledgeProduct.objects.exists()


def test_evaluation_and_closing_roles(people):
    track = advance(draft(people.coordinator), S.RUNNING, people)
    with pytest.raises(PermissionDenied):
        services.track_evaluate(track=track, by=people.coordinator, text="Selvros.")
    services.track_evaluate(track=track, by=people.knowledge_partner, text="Evaluering.")
    with pytest.raises(PermissionDenied):
        services.track_close(track=track, by=people.knowledge_partner)
    services.track_close(track=track, by=people.secretariat)
    track.refresh_from_db()
    assert track.status == S.CLOSED


# --- Allocations -------------------------------------------------------------------------------


def test_an_allocation_counts_only_once_the_party_approves(people):
    track = advance(draft(people.coordinator), S.APPROVED, people)
    requested = allocation(track, people, "1000000.00")
    totals = services.pool_totals(pool())
    assert totals == {"approved": D("0"), "pending": D("1000000.00"), "left": D("5000000.00")}
    with pytest.raises(PermissionDenied):
        services.allocation_approve(allocation=requested, by=people.regions)  # another party
    with pytest.raises(PermissionDenied):
        services.allocation_approve(allocation=requested, by=people.secretariat)
    approved = services.allocation_approve(allocation=requested, by=people.realdania)
    assert approved.decided_by == people.realdania and approved.decided_at is not None
    assert services.pool_totals(pool())["left"] == D("4000000.00")
    with pytest.raises(Conflict):
        services.allocation_refuse(allocation=approved, by=people.realdania)


def test_a_pool_is_never_allocated_beyond_its_size(people):
    track = advance(draft(people.coordinator), S.RUNNING, people)
    with pytest.raises(ValidationError, match="never be allocated beyond its size"):
        allocation(track, people, "5000000.01")
    first = allocation(track, people, "3000000.00")
    second = allocation(track, people, "2500000.00")  # fits while nothing is approved
    services.allocation_approve(allocation=first, by=people.realdania)
    with pytest.raises(ValidationError, match="never be allocated beyond its size"):
        services.allocation_approve(allocation=second, by=people.realdania)
    second.refresh_from_db()
    assert second.status == Allocation.Status.PENDING
    assert services.pool_totals(pool())["approved"] == D("3000000.00")


def test_funds_go_only_to_tracks_fu_approved(people):
    recommended = advance(draft(people.coordinator), S.RECOMMENDED, people)
    with pytest.raises(Conflict):
        allocation(recommended, people)  # FU has not approved it yet
    track = advance(draft(people.coordinator, title="B"), S.RUNNING, people)
    requested = allocation(track, people)
    services.track_evaluate(track=track, by=people.secretariat, text="Slut.")
    with pytest.raises(ValidationError, match="approved and running tracks"):
        services.allocation_approve(allocation=requested, by=people.realdania)


def test_allocation_year_within_the_pool(people):
    track = advance(draft(people.coordinator), S.APPROVED, people)
    with pytest.raises(ValidationError) as error:
        services.allocation_request(
            track=track, pool=pool(), by=people.coordinator, year=2024, amount=D("1")
        )
    assert "year" in error.value.message_dict


def test_refusal_is_recorded_and_mailed(people, django_capture_on_commit_callbacks, eager_celery):
    track = advance(draft(people.coordinator), S.APPROVED, people)
    requested = allocation(track, people)
    with django_capture_on_commit_callbacks(execute=True):
        services.allocation_refuse(allocation=requested, by=people.realdania, note="For tidligt.")
    requested.refresh_from_db()
    assert requested.status == Allocation.Status.REFUSED
    assert requested.decision_note == "For tidligt."
    assert [message.to for message in mail.outbox] == [[people.coordinator.email]]
    assert "afvist" in mail.outbox[0].subject  # sent in the portal's language


# --- Budget lines, spending, changes ----------------------------------------------------------


def line(key: str) -> BudgetLine:
    return BudgetLine.objects.get(key=key)


def test_spending_never_exceeds_the_line_without_an_approved_change(people):
    target, source = line("realdania-videnspartnere-2026"), line("realdania-videnspartnere-2027")
    assert target.amount == D("3420000.00")
    services.spending_add(
        budget_line=target, by=people.secretariat, date=timezone.localdate(),
        amount=D("3420000.00"), description="Videnspartnere", document_reference="F-1",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="needs an approved budget change"):
        services.spending_add(
            budget_line=target, by=people.secretariat, date=timezone.localdate(),
            amount=D("0.01"), description="Én øre for meget", document_reference="F-2",
        )  # fmt: skip
    change = services.budget_change_request(
        from_line=source, to_line=target, amount=D("500000"), reason="Flyttes frem.",
        by=people.secretariat,
    )  # fmt: skip
    with pytest.raises(ValidationError):  # still pending: no more room yet
        services.spending_add(
            budget_line=target, by=people.secretariat, date=timezone.localdate(),
            amount=D("1"), description="X", document_reference="F-3",
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.budget_change_approve(change=change, by=people.regions)
    services.budget_change_approve(change=change, by=people.realdania)
    services.spending_add(
        budget_line=target, by=people.secretariat, date=timezone.localdate(),
        amount=D("500000"), description="Statusrapport", document_reference="F-4",
    )  # fmt: skip
    assert services.line_budget(source) == D("2920000.00")


def test_budget_moves_only_within_one_contribution(people):
    with pytest.raises(ValidationError, match="same contribution"):
        services.budget_change_request(
            from_line=line("kl-kkr-2026"), to_line=line("realdania-likvide-2026"),
            amount=D("1"), reason="X", by=people.secretariat,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.budget_change_request(
            from_line=line("kl-kkr-2026"), to_line=line("kl-kkr-2027"),
            amount=D("1"), reason="X", by=people.coordinator,
        )  # fmt: skip


def test_a_change_cannot_move_money_already_spent(people):
    source, target = line("regioner-2023"), line("regioner-2024")
    services.spending_add(
        budget_line=source, by=people.secretariat, date=datetime.date(2023, 6, 30),
        amount=D("4900000"), description="Drift", document_reference="F-9",
    )  # fmt: skip
    change = services.budget_change_request(
        from_line=source, to_line=target, amount=D("200000"), reason="X", by=people.secretariat
    )
    with pytest.raises(ValidationError, match="unspent"):
        services.budget_change_approve(change=change, by=people.regions)
    change.refresh_from_db()
    assert change.status == BudgetChange.Status.PENDING


def test_spending_only_by_the_secretariat_and_only_on_approved_tracks(people):
    track = advance(draft(people.coordinator), S.SUBMITTED, people)
    with pytest.raises(PermissionDenied):
        services.spending_add(
            budget_line=line("kl-kkr-2026"), by=people.coordinator, date=timezone.localdate(),
            amount=D("1"), description="X", document_reference="F",
        )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.spending_add(
            budget_line=line("kl-kkr-2026"), by=people.secretariat, date=timezone.localdate(),
            amount=D("1"), description="X", document_reference="F", track=track,
        )  # fmt: skip
    assert "track" in error.value.message_dict


def test_focus_areas_only_by_the_secretariat_or_pugs_chair(people):
    with pytest.raises(PermissionDenied):
        services.focus_area_save(by=people.aps, year=2026, name_da="Transport")
    chair = seat("pug", role=SeatRole.CHAIR, appointed_by="kl").person
    area = services.focus_area_save(by=chair, year=2026, name_da="Klimatilpasning")
    assert area.name == "Klimatilpasning"
    with pytest.raises(ValidationError):  # one name per year
        services.focus_area_save(by=people.secretariat, year=2026, name_da="Klimatilpasning")
    assert focus_area(2027, "Nyt").year == 2027


def test_no_mail_leaves_when_the_submit_fails(people, django_capture_on_commit_callbacks):
    track = draft(people.coordinator, complete=False)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        services.track_submit(track=track, by=people.coordinator)
    assert callbacks == [] and mail.outbox == []
