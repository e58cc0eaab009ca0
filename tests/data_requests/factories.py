"""Data requests for tests, made through the services as in production."""

import datetime
from decimal import Decimal

from django.utils import timezone

from data_requests import services
from data_requests.models import DataRequest
from governance import services as governance_services
from monitoring.models import DataRelease, EmissionFigure, Sector
from partners.models import DGO, Municipality


def official(code: str, year: int, sector: str, tonnes: str, release: str = "2025-1") -> None:
    DataRelease.objects.get_or_create(
        name=release, defaults={"source": f"Energistyrelsen {release}"}
    )
    EmissionFigure.objects.create(
        municipality=Municipality.objects.get(code=code),
        year=year,
        sector=Sector.objects.get(key=sector),
        tonnes_co2e=Decimal(tonnes),
        data_release=release,
        data_source=f"Energistyrelsen {release}",
    )


def deadline() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=14)


def make_request(by, **overrides) -> DataRequest:
    values = {
        "organisation": "Aarhus Universitet",
        "contact_name": "Forsker Hansen",
        "contact_email": "hansen@example.dk",
        "purpose": "Forskning i kommunernes udledninger.",
        "dataset": "municipal_emissions",
        "requested_fields": ["municipality_code", "year", "sector_key", "tonnes_co2e",
                             "data_source"],
        "years": [2023],
        "dgos": list(DGO.objects.filter(slug="midtjylland")),
        "municipalities": [],
        **overrides,
    }  # fmt: skip
    return services.request_record(by=by, **values)


def approve(request: DataRequest, people, fields: list[str]) -> DataRequest:
    decision = services.request_put_to_aps(
        request=request, by=people.secretariat, fields=fields, deadline=deadline()
    )
    governance_services.vote_cast(decision=decision, by=people.aps, choice="yes")
    request.refresh_from_db()
    return request
