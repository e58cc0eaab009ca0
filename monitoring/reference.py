"""Monitoring's reference data: the emission sectors and the DK2020/CAPF checklist.

Kept as data, matched on stable keys, so `load_reference_data` is idempotent and the knowledge
partners can rename or add rows in the admin without a release.
"""

from django.db import transaction

from partners.reference import LoadResult, _upsert

from . import indicators_catalogue
from .models import ChecklistRequirement, Sector

G = Sector.Group
SECTORS = [
    # key, Danish, English, GPC group
    ("electricity", "El", "Electricity", G.STATIONARY_ENERGY),
    ("district_heating", "Fjernvarme", "District heating", G.STATIONARY_ENERGY),
    ("individual_heating", "Individuel opvarmning", "Individual heating", G.STATIONARY_ENERGY),
    ("process_energy", "Procesenergi", "Process energy (industry, agriculture)",
     G.STATIONARY_ENERGY),
    ("road_transport", "Vejtransport", "Road transport", G.TRANSPORT),
    ("other_transport", "Anden transport (bane, sø, luft, ikke-vej)",
     "Other transport (rail, sea, air, off-road)", G.TRANSPORT),
    ("agriculture_livestock", "Landbrug: husdyr og gødning", "Agriculture: livestock and manure",
     G.AFOLU),
    ("agriculture_soils", "Landbrug: jorder og handelsgødning",
     "Agriculture: soils and fertiliser", G.AFOLU),
    ("land_use", "Arealanvendelse (LULUCF)", "Land use (LULUCF)", G.AFOLU),
    ("waste_wastewater", "Affald og spildevand", "Waste and wastewater", G.WASTE),
    ("industrial_processes", "Industrielle processer og F-gasser",
     "Industrial processes and F-gases", G.IPPU),
]  # fmt: skip

CHECKLIST = [
    # key, Danish, English
    ("net_zero_2050", "Netto-nul senest i 2050", "Net zero by 2050 at the latest"),
    ("interim_target_2030", "Delmål for 2030", "A 2030 interim target"),
    ("emissions_gap", "Redegørelse for reduktionsgabet, der ikke er dækket af handlinger",
     "The emissions gap not covered by actions is accounted for"),
    ("actions_quantified", "Handlinger kvantificeret i CO2e", "Actions quantified in CO2e"),
    ("climate_risk_adaptation", "Klimarisiko og klimatilpasning vurderet",
     "Climate risk and adaptation assessed"),
    ("monitoring_described", "Monitorering beskrevet", "Monitoring described"),
]  # fmt: skip


@transaction.atomic
def load() -> LoadResult:
    result = LoadResult()
    for position, (key, name_da, name_en, group) in enumerate(SECTORS, start=1):
        _upsert(
            Sector,
            result,
            {"key": key},
            {"name_da": name_da, "name_en": name_en, "group": group, "position": position},
        )
    for position, (key, name_da, name_en) in enumerate(CHECKLIST, start=1):
        _upsert(
            ChecklistRequirement,
            result,
            {"key": key},
            {"name_da": name_da, "name_en": name_en, "position": position},
        )
    indicators_catalogue.load(result)
    return result
