"""Demo content for `make run`: the mid-term evaluation (Realdania's), its terms recommended by
APS and approved by FU, the report attached and three follow-up actions; and the final
evaluation's terms in draft, for the secretariat to put to APS.

Runs after governance's demo (APS and FU have their seats). Through the services, as in
production; the demo's APS and FU members cast the votes. Idempotent: once any evaluation
exists, nothing is added.
"""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from governance import services as governance_services
from governance.models import Decision, Membership
from partners.models import Organisation, User

from . import services
from .models import Evaluation, FollowUpAction

REPORT = b"%PDF-1.4\n%Klimaalliancen demo\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MIDTERM_TERMS = """Evalueringen efter andet år (§10.1) ser på:
1. Om partnerskabets organisering (FU, PUG, APS og DGO'erne) virker efter hensigten.
2. Om klimaudviklingssporene lever op til principperne i §6.
3. Om monitoreringssystemet giver kommunerne og partnerskabet brugbar viden.
Metode: interview med parterne, spørgeskema til kommunerne og gennemgang af statusrapporterne.
Tidsplan: rapport til APS og FU inden udgangen af året."""
FINAL_TERMS = """Den afsluttende evaluering ser på partnerskabets samlede effekt: kommunernes
reduktioner, sporenes resultater og erfaringerne til et eventuelt næste partnerskab.
Rammerne for effektmålingen aftales i APS."""


def _everyone_votes_yes(decision: Decision) -> None:
    seats = Membership.objects.active().voting().filter(body=decision.body).select_related("person")
    for seat in seats:
        decision.refresh_from_db()
        if decision.is_open:
            governance_services.vote_cast(decision=decision, by=seat.person, choice="yes")


def seed() -> list[str]:
    secretariat = User.objects.filter(username="sekretariat").first()
    member = User.objects.filter(username="fu-medlem").first()
    if secretariat is None or Evaluation.objects.exists():
        return []
    if not Membership.objects.active().voting().filter(body__code="aps").exists():
        return []
    realdania = Organisation.objects.get(code="realdania")
    deadline = timezone.now() + datetime.timedelta(days=14)
    midterm = services.evaluation_create(
        by=secretariat,
        kind=Evaluation.Kind.MIDTERM,
        title="Midtvejsevaluering af Klimaalliancen",
        terms_of_reference=MIDTERM_TERMS,
        arranged_by=realdania,
    )
    _everyone_votes_yes(
        services.terms_put_to_aps(evaluation=midterm, by=secretariat, deadline=deadline)
    )
    midterm.refresh_from_db()
    if midterm.fu_decision is not None:
        _everyone_votes_yes(midterm.fu_decision)
    midterm.refresh_from_db()
    created = [f"evaluation:{midterm.pk}"]
    if midterm.status == Evaluation.Status.APPROVED:
        services.report_attach(
            evaluation=midterm,
            by=secretariat,
            upload=ContentFile(REPORT, name="midtvejsevaluering.pdf"),
        )
        today = timezone.localdate()
        owner = member or secretariat
        for days, recommendation, action, by_owner, status in (
            (60, "Gør vidensdelingen mellem DGO'erne mere systematisk.",
             "Fælles netværksmøde for DGO-sekretariaterne hvert halvår.", secretariat,
             FollowUpAction.Status.UNDER_WAY),
            (120, "Kortere vej fra idé til godkendt klimaudviklingsspor.",
             "APS behandler bruttolisten på hvert møde.", owner, FollowUpAction.Status.OPEN),
            (30, "Statusrapporten skal udkomme tidligere på året.",
             "Dataindsamlingen starter en måned tidligere.", secretariat,
             FollowUpAction.Status.DONE),
        ):  # fmt: skip
            follow_up = services.action_add(
                evaluation=midterm,
                by=secretariat,
                recommendation=recommendation,
                action=action,
                owner=by_owner,
                due_on=today + datetime.timedelta(days=days),
            )
            if status != FollowUpAction.Status.OPEN:
                services.action_set_status(action=follow_up, by=secretariat, status=status)
            created.append(f"follow-up:{follow_up.pk}")
    final = services.evaluation_create(
        by=secretariat,
        kind=Evaluation.Kind.FINAL,
        title="Afsluttende evaluering af Klimaalliancen",
        terms_of_reference=FINAL_TERMS,
        arranged_by=Organisation.objects.get(code="kl"),
    )
    created.append(f"evaluation:{final.pk}")
    return created
