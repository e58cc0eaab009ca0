"""Demo content for `make run`: last year's project plan (approved, its activities reported),
this year's in draft with activities and CONCITO's comment (the secretariat can put it to
FU), this year's communication plan with one communication that leaves a party out, and a
risk register of three risks, one of them reviewed at APS's latest meeting.

Runs after partners', governance's and tracks' demos. Everything goes through the services,
except last year's approval: the demo does not stage FU's vote of a past year (the decision
machinery is shown with this year's plan).
Idempotent: once any plan exists, nothing is added.
"""

import datetime

from django.utils import timezone

from governance.models import Meeting
from partners.models import DGO, Organisation, User
from tracks.models import BudgetLine

from . import selectors, services
from .models import Activity, Communication, Plan


def _line(year: int, key: str) -> BudgetLine | None:
    return BudgetLine.objects.filter(year=year, contribution__key=key).first()


def _activities(plan: Plan, by: User, people: dict[str, User]) -> list[Activity]:
    year = plan.year
    kl = Organisation.objects.filter(code="kl").first()
    concito = Organisation.objects.filter(code="concito").first()
    midt = DGO.objects.filter(slug="midtjylland").first()
    rows = [
        ("Årlig dataindsamling til statusrapporten", people.get("videnspartner"), concito,
         (2, 1), (6, 30), "kl-kkr", []),
        ("Netværksmøder for klimakoordinatorerne", people.get("koordinator-midt"), None,
         (3, 1), (11, 30), "regioner", [midt] if midt else []),
        ("Årskonference og kommunikation om resultaterne", by, kl,
         (8, 1), (12, 31), "kl-kkr", []),
    ]  # fmt: skip
    made = []
    for title, person, organisation, start, end, line_key, dgos in rows:
        made.append(
            services.activity_save(
                plan=plan,
                by=by,
                title=title,
                description="(Demo-aktivitet.)",
                owner_person=person,
                owner_organisation=organisation,
                starts_on=datetime.date(year, *start),
                ends_on=datetime.date(year, *end),
                budget_line=_line(year, line_key),
                dgos=dgos,
            )
        )
    return made


def seed() -> list[str]:
    people = {u.username: u for u in User.objects.filter(username__in=(
        "sekretariat", "videnspartner", "koordinator-midt", "fu-medlem",
    ))}  # fmt: skip
    if "sekretariat" not in people or Plan.objects.exists():
        return []
    secretariat = people["sekretariat"]
    year = timezone.localdate().year
    created = []

    last = services.plan_create(
        by=secretariat,
        kind=Plan.Kind.PROJECT,
        year=year - 1,
        title=f"Projektplan {year - 1}",
        summary="Sidste års projektplan, godkendt af FU. (Demo.)",
    )
    done, late, going = _activities(last, secretariat, people)
    Plan.objects.filter(pk=last.pk).update(
        status=Plan.Status.APPROVED, approved_at=timezone.now() - datetime.timedelta(days=300)
    )
    services.activity_status_set(activity=done, by=secretariat, status=Activity.Status.DONE)
    services.activity_status_set(
        activity=late,
        by=secretariat,
        status=Activity.Status.DELAYED,
        note="To netværksmøder flyttet til næste år. (Demo.)",
    )
    services.activity_status_set(activity=going, by=secretariat, status=Activity.Status.DONE)
    created.append(f"plan:{last.pk}")

    this = services.plan_create(
        by=secretariat,
        kind=Plan.Kind.PROJECT,
        year=year,
        title=f"Projektplan {year}",
        summary="Udkast til årets projektplan med aktiviteter, ansvarlige og budgetlinjer. (Demo.)",
    )
    _activities(this, secretariat, people)
    if "videnspartner" in people:
        services.plan_comment_add(
            plan=this,
            by=people["videnspartner"],
            text="Vi foreslår, at dataindsamlingen starter en måned tidligere. (Demo.)",
        )
    created.append(f"plan:{this.pk}")

    communication = services.plan_create(
        by=secretariat,
        kind=Plan.Kind.COMMUNICATION,
        year=year,
        title=f"Kommunikationsplan {year}",
        summary="Nyheder, pressemeddelelser og rapporter nævner alle parter. (Demo.)",
    )
    parties = list(selectors.required_parties(involves_knowledge_partners=True))
    services.communication_record(
        plan=communication,
        by=secretariat,
        kind=Communication.Kind.REPORT,
        title=f"Statusrapport {year - 1} offentliggjort",
        published_on=datetime.date(year, 1, 15),
        involves_knowledge_partners=True,
        named_parties=parties,
    )
    services.communication_record(
        plan=communication,
        by=secretariat,
        kind=Communication.Kind.NEWS,
        title="Nyt klimaudviklingsspor om landbrugets restudledninger",
        published_on=datetime.date(year, 1, 20),
        named_parties=[p for p in parties if p.code not in ("realdania", "concito", "c40")],
    )
    created.append(f"plan:{communication.pk}")

    risks = [
        (
            "Forsinket dataindsamling fra kommunerne",
            3,
            4,
            "Tidlig udmelding og påmindelser via DGO'erne; frist i portalen.",
        ),
        ("Lav deltagelse i klimaudviklingssporene", 2, 3, "Tæt dialog med DGO'erne om behov."),
        ("Nøglepersoner skifter job", 3, 2, "Overdragelse og fælles dokumentation i portalen."),
    ]
    made = [
        services.risk_create(
            by=secretariat,
            title=title,
            likelihood=likelihood,
            impact=impact,
            owner=secretariat,
            mitigation=f"{mitigation} (Demo.)",
            review_on=timezone.localdate() + datetime.timedelta(days=60),
        )
        for title, likelihood, impact, mitigation in risks
    ]
    created += [f"risk:{risk.pk}" for risk in made]
    meeting = (
        Meeting.objects.filter(body__code="aps", starts_at__lte=timezone.now())
        .order_by("-starts_at")
        .first()
    )
    if meeting is not None:
        services.risk_review(
            risk=made[0],
            by=secretariat,
            meeting=meeting,
            likelihood=3,
            impact=4,
            note="Fastholdes; DGO'erne følger op. (Demo.)",
            review_on=timezone.localdate(meeting.starts_at) + datetime.timedelta(days=90),
        )
    return created
