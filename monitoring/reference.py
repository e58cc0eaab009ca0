"""Monitoring's reference data: the emission sectors and the DK2020/CAPF checklist.

Kept as data, matched on stable keys, so `load_reference_data` is idempotent and the knowledge
partners can rename or add rows in the admin without a release.
"""

from django.db import transaction

from partners.reference import LoadResult, _upsert

from . import indicators_catalogue
from .models import ChecklistRequirement, Sector

G = Sector.Group
# The sector groups as the national energy and CO2 accounts (Energistyrelsen's Energi- og
# CO2-regnskab) publish them, each with its GPC group; their finer parts follow. The accounts'
# header of a group is its Danish name. See docs/sectors.md.
SECTOR_GROUPS = [
    # key, Danish (= the accounts' column), English, GPC group, may be negative
    ("energy", "Energi", "Energy", G.STATIONARY_ENERGY, False),
    ("transport", "Transport", "Transport", G.TRANSPORT, False),
    # Landbrug nets land use (LULUCF) in: negative where the land removes more than it emits.
    ("agriculture", "Landbrug", "Agriculture and land use", G.AFOLU, True),
    ("waste", "Affald", "Waste (landfill and wastewater)", G.WASTE, False),
    ("industry", "Industri", "Industry (chemical processes)", G.IPPU, False),
]
SECTORS = [
    # key, Danish, English, group key, may be negative
    ("electricity", "El", "Electricity", "energy", False),
    ("district_heating", "Fjernvarme", "District heating", "energy", False),
    ("individual_heating", "Individuel opvarmning", "Individual heating", "energy", False),
    ("process_energy", "Procesenergi", "Process energy (industry, agriculture)", "energy", False),
    ("road_transport", "Vejtransport", "Road transport", "transport", False),
    ("other_transport", "Anden transport (bane, sø, luft, ikke-vej)",
     "Other transport (rail, sea, air, off-road)", "transport", False),
    ("agriculture_livestock", "Landbrug: husdyr og gødning", "Agriculture: livestock and manure",
     "agriculture", False),
    ("agriculture_soils", "Landbrug: jorder og handelsgødning",
     "Agriculture: soils and fertiliser", "agriculture", False),
    ("land_use", "Arealanvendelse (LULUCF)", "Land use (LULUCF)", "agriculture", True),
    ("waste_wastewater", "Affald og spildevand", "Waste and wastewater", "waste", False),
    ("industrial_processes", "Industrielle processer og F-gasser",
     "Industrial processes and F-gases", "industry", False),
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
    # Each group comes first, then its parts: the order of every sector table.
    position = 0
    for group_key, name_da, name_en, gpc, negative in SECTOR_GROUPS:
        position += 1
        group = _upsert(
            Sector,
            result,
            {"key": group_key},
            {
                "name_da": name_da,
                "name_en": name_en,
                "group": gpc,
                "parent": None,
                "may_be_negative": negative,
                "position": position,
            },
        )
        for key, name_da, name_en, parent_key, negative in SECTORS:
            if parent_key != group_key:
                continue
            position += 1
            _upsert(
                Sector,
                result,
                {"key": key},
                {
                    "name_da": name_da,
                    "name_en": name_en,
                    "group": gpc,
                    "parent": group,
                    "may_be_negative": negative,
                    "position": position,
                },
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
