"""Demo content for `make run`: a university's request for the municipal emissions of DGO
Midtjylland, approved by APS with fewer fields than asked for and delivered as CSV; and a
consultancy's request for status report fields, received and waiting to be put to APS.

Runs after governance's demo (APS has its seats). Through the services, as in production; the
demo's APS members cast the votes. Idempotent: once any request exists, nothing is added.
"""

import datetime

from django.utils import timezone

from governance import services as governance_services
from governance.models import Membership
from partners.models import DGO, Municipality, User

from . import services
from .models import DataRequest


def seed() -> list[str]:
    secretariat = User.objects.filter(username="sekretariat").first()
    if secretariat is None or DataRequest.objects.exists():
        return []
    aps_seats = list(
        Membership.objects.active().voting().filter(body__code="aps").select_related("person")
    )
    if not aps_seats:
        return []
    year = timezone.localdate().year
    university = services.request_record(
        by=secretariat,
        organisation="Aarhus Universitet, Institut for Miljøvidenskab",
        contact_name="Lektor Mette Holm (demo)",
        contact_email="mette.holm@example.dk",
        purpose="Et forskningsprojekt om udledninger fra transport i midtjyske kommuner.",
        dataset="municipal_emissions",
        requested_fields=["municipality_code", "municipality", "year", "sector", "tonnes_co2e",
                          "data_source"],
        years=[year - 3, year - 2],
        dgos=list(DGO.objects.filter(slug="midtjylland")),
    )  # fmt: skip
    decision = services.request_put_to_aps(
        request=university,
        by=secretariat,
        fields=["municipality_code", "municipality", "year", "sector", "tonnes_co2e"],
        deadline=timezone.now() + datetime.timedelta(days=14),
    )
    for seat in aps_seats:
        decision.refresh_from_db()
        if decision.is_open:
            governance_services.vote_cast(decision=decision, by=seat.person, choice="yes")
    university.refresh_from_db()
    created = [f"data-request:{university.pk}"]
    if university.status == DataRequest.Status.APPROVED:
        delivery = services.delivery_record(
            request=university,
            by=secretariat,
            format="csv",
            licence="Dataaftale med Klimaalliancen (demo)",
            permitted_use="Kun til forskningsprojektet; ingen videregivelse af rådata.",
            delete_by=timezone.localdate() + datetime.timedelta(days=365),
        )
        created.append(f"data-delivery:{delivery.pk}")
    consultancy = services.request_record(
        by=secretariat,
        organisation="Klimarådgivning ApS (demo)",
        contact_name="Jens Berg",
        contact_email="jens@example.dk",
        purpose="En rapport om kommunernes klimamål til en fond.",
        dataset="municipal_reports",
        requested_fields=["municipality", "year", "target_2030_reduction_pct", "net_zero_year"],
        years=[year - 1],
        municipalities=list(Municipality.objects.filter(code__in=("751", "740", "101"))),
    )
    created.append(f"data-request:{consultancy.pk}")
    return created
