"""Evaluations URLs × roles: APS's and FU's seats and the secretariat read them (`observer`
observes in FU, `member` votes in FU); only the secretariat runs them; a follow-up action's
owner (`member` here) reports its status. Everyone else is refused."""

from . import SIGNED_IN, Case

READERS = {"observer", "member", "secretariat"}


def expect(allowed: dict[str, int], denied: int = 403) -> dict[str, int]:
    return {"anonymous": 302, **{r: allowed.get(r, denied) for r in SIGNED_IN}}


def readers(status: int = 200) -> dict[str, int]:
    return expect(dict.fromkeys(READERS, status))


def secretariat(status: int = 200) -> dict[str, int]:
    return expect({"secretariat": status})


def draft(users) -> dict:
    from tests.evaluations.factories import make_evaluation

    return {"pk": make_evaluation(users["secretariat"]).pk}


def _reported(users):
    from evaluations import services
    from governance import services as governance_services
    from governance.models import Body
    from governance.selectors import body_voting_seats
    from tests.evaluations.factories import deadline, make_evaluation, report_upload
    from tests.governance.factories import seat

    seat("aps")  # APS needs a voting seat before a decision is put to it
    evaluation = make_evaluation(users["secretariat"])
    aps = services.terms_put_to_aps(
        evaluation=evaluation, by=users["secretariat"], deadline=deadline()
    )
    # Every voting seat votes: a walk that keeps earlier cases' data has seated more than one.
    for body, decision in (("aps", aps), ("fu", None)):
        if decision is None:
            evaluation.refresh_from_db()
            decision = evaluation.fu_decision
        for membership in body_voting_seats(body=Body.objects.get(code=body)):
            governance_services.vote_cast(decision=decision, by=membership.person, choice="yes")
    return services.report_attach(
        evaluation=evaluation, by=users["secretariat"], upload=report_upload()
    )


def reported(users) -> dict:
    return {"pk": _reported(users).pk}


def with_action(users) -> dict:
    import datetime

    from django.utils import timezone

    from evaluations import services

    evaluation = _reported(users)
    action = services.action_add(
        evaluation=evaluation,
        by=users["secretariat"],
        recommendation="Styrk vidensdelingen.",
        action="Netværksmøde hvert halvår.",
        owner=users["member"],
        due_on=timezone.localdate() + datetime.timedelta(days=60),
    )
    return {"pk": evaluation.pk, "action_pk": action.pk}


CASES = [
    Case("evaluation-list", readers()),
    Case("evaluation-create", secretariat()),
    # A form sent back with its Danish errors; nothing is written.
    Case(
        "evaluation-create",
        secretariat(400),
        method="post",
        data={"kind": "final", "title": "Slutevaluering", "terms_of_reference": ""},
    ),
    Case("evaluation-detail", readers(), setup=draft),
    Case("evaluation-detail", readers(), setup=reported),
    Case("evaluation-edit", secretariat(), setup=draft),
    # Once decided, the terms no longer change: the secretariat is sent back with a note.
    Case("evaluation-edit", secretariat(302), setup=reported),
    Case("evaluation-to-aps", secretariat(400), method="post", data={}, setup=draft),
    # Only recommended terms go to FU: the service's reason on the page.
    Case(
        "evaluation-to-fu",
        secretariat(400),
        method="post",
        data={"deadline": "2030-01-01T10:00"},
        setup=draft,
    ),
    Case("evaluation-report", secretariat(400), method="post", data={}, setup=draft),
    Case("evaluation-report-download", readers(), setup=reported),
    Case("evaluation-action-add", secretariat(400), method="post", data={}, setup=reported),
    Case(
        "evaluation-action-status",
        expect({"member": 302, "secretariat": 302}),
        method="post",
        data={"status": "under_way", "note": ""},
        setup=with_action,
    ),
]
