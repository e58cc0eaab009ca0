"""External data request URLs × roles: APS's seats and the secretariat read them (none of the
role users sits in APS), the secretariat records, puts to APS and delivers; everyone else is
refused."""

from . import SIGNED_IN, Case


def secretariat(status: int = 200) -> dict[str, int]:
    return {"anonymous": 302, **{r: status if r == "secretariat" else 403 for r in SIGNED_IN}}


def received(users) -> dict:
    from tests.data_requests.factories import make_request

    return {"pk": make_request(users["secretariat"]).pk}


def delivered(users) -> dict:
    import datetime

    from django.utils import timezone

    from data_requests import services
    from governance import services as governance_services
    from governance.models import Body
    from governance.selectors import body_voting_seats
    from tests.data_requests.factories import deadline, make_request
    from tests.governance.factories import seat

    seat("aps")  # APS needs a voting seat before a decision is put to it
    request = make_request(users["secretariat"])
    decision = services.request_put_to_aps(
        request=request,
        by=users["secretariat"],
        fields=["municipality_code", "year"],
        deadline=deadline(),
    )
    # Every voting seat votes: a walk that keeps earlier cases' data has seated more than one.
    for membership in body_voting_seats(body=Body.objects.get(code="aps")):
        governance_services.vote_cast(decision=decision, by=membership.person, choice="yes")
    request.refresh_from_db()
    delivery = services.delivery_record(
        request=request,
        by=users["secretariat"],
        format="csv",
        licence="CC BY 4.0",
        permitted_use="Forskning",
        delete_by=timezone.localdate() + datetime.timedelta(days=90),
    )
    return {"pk": request.pk, "delivery_pk": delivery.pk}


def delivered_request(users) -> dict:
    return {"pk": delivered(users)["pk"]}


CASES = [
    Case("data-request-list", secretariat()),
    Case("data-request-create", secretariat()),
    Case(
        "data-request-create",
        secretariat(400),
        method="post",
        data={"organisation": "Firma", "dataset": "municipal_emissions", "years": "20x3"},
    ),
    Case("data-request-detail", secretariat(), setup=received),
    Case("data-request-detail", secretariat(), setup=delivered_request),
    Case("data-request-to-aps", secretariat(400), method="post", data={}, setup=received),
    # Not approved yet: the delivery is refused with the service's reason on the page.
    Case(
        "data-request-deliver",
        secretariat(400),
        method="post",
        data={
            "format": "csv",
            "licence": "CC BY 4.0",
            "permitted_use": "Forskning",
            "delete_by": "2030-01-01",
        },
        setup=received,
    ),
    Case("data-delivery-download", secretariat(), setup=delivered),
]
