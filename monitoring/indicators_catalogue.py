"""The starting set of transition indicators for Danish municipalities (seeded, then data).

Each has a definition, a unit and the public statistics it is read from; there are no figures
here. `load` creates the indicators that do not exist yet and leaves existing ones alone, so
the secretariat's and the knowledge partners' edits survive every reload of reference data.
"""

from decimal import Decimal

from partners.reference import LoadResult

from .models import Indicator

G = Indicator.Group
HIGHER = Indicator.Direction.HIGHER
LOWER = Indicator.Direction.LOWER
PCT = ("%", "%", Decimal(0), Decimal(100))
COUNT = ("antal", "number", Decimal(0), None)
DST = "Danmarks Statistik, Statistikbanken"
DST_URL = "https://www.statistikbanken.dk"
ENS = "Energistyrelsen"
ENS_URL = "https://ens.dk"
LBST = "Landbrugsstyrelsen"
LBST_URL = "https://lbst.dk"
MST = "Miljøstyrelsen"
MST_URL = "https://mst.dk"

# key, group, direction, (unit da, unit en, minimum, maximum), name da, name en,
# source, source url, definition da, definition en
INDICATORS = [
    ("district_heating_share", G.ENERGY, HIGHER, PCT,
     "Andel boliger med fjernvarme", "Share of dwellings heated by district heating",
     f"{DST}: boliger efter opvarmningsform (fra BBR)", DST_URL,
     "Boliger i kommunen, hvis opvarmning i BBR er fjernvarme/blokvarme, i procent af alle "
     "boliger i kommunen pr. 1. januar.",
     "Dwellings in the municipality whose heating in the building register (BBR) is district "
     "or block heating, as a percentage of all dwellings in the municipality on 1 January."),
    ("oil_boilers", G.ENERGY, LOWER, COUNT,
     "Individuelle oliefyr i boliger", "Individual oil boilers in dwellings",
     f"{DST}: boliger efter opvarmningsform (fra BBR)", DST_URL,
     "Antal boliger i kommunen, der i BBR er registreret med et oliefyr (centralvarme med "
     "olie som opvarmningsmiddel) pr. 1. januar.",
     "Number of dwellings in the municipality registered in the building register (BBR) with "
     "an oil-fired boiler (central heating with oil as the heating fuel) on 1 January."),
    ("gas_boilers", G.ENERGY, LOWER, COUNT,
     "Individuelle gasfyr i boliger", "Individual gas boilers in dwellings",
     f"{DST}: boliger efter opvarmningsform (fra BBR)", DST_URL,
     "Antal boliger i kommunen, der i BBR er registreret med et naturgasfyr pr. 1. januar.",
     "Number of dwellings in the municipality registered in the building register (BBR) with "
     "a natural gas boiler on 1 January."),
    ("heat_pump_dwellings", G.ENERGY, HIGHER, COUNT,
     "Boliger opvarmet med varmepumpe", "Dwellings heated by a heat pump",
     f"{DST}: boliger efter opvarmningsform (fra BBR)", DST_URL,
     "Antal boliger i kommunen, der i BBR er registreret med en varmepumpe som primær "
     "varmekilde pr. 1. januar.",
     "Number of dwellings in the municipality registered in the building register (BBR) with "
     "a heat pump as the main heat source on 1 January."),
    ("renewable_electricity_gwh", G.ENERGY, HIGHER, ("GWh", "GWh", Decimal(0), None),
     "Vedvarende elproduktion i kommunen", "Renewable electricity produced in the municipality",
     f"{ENS}: Energi- og CO2-regnskabet for kommuner og stamdataregistret for vindmøller",
     ENS_URL,
     "Elproduktion i året fra vindmøller, solceller, vandkraft og biomasse-/biogasanlæg "
     "placeret i kommunen (landvindmøller; havvindmøller kun hvis regnskabet henfører dem til "
     "kommunen), i GWh.",
     "Electricity produced in the year by wind turbines, solar panels, hydropower and biomass "
     "or biogas plants located in the municipality (onshore turbines; offshore turbines only "
     "where the accounts attribute them to the municipality), in GWh."),
    ("solar_capacity_mw", G.ENERGY, HIGHER, ("MW", "MW", Decimal(0), None),
     "Installeret solcellekapacitet", "Installed solar power capacity",
     f"{ENS}: stamdata for elproducerende anlæg (Energinet)", ENS_URL,
     "Samlet installeret effekt af nettilsluttede solcelleanlæg i kommunen ved årets udgang, "
     "i MW.",
     "Total installed capacity of grid-connected solar power plants in the municipality at the "
     "end of the year, in MW."),
    ("electric_car_share", G.TRANSPORT, HIGHER, PCT,
     "Andel elbiler i personbilbestanden", "Share of electric cars in the car fleet",
     f"{DST}: bestanden af personbiler efter område og drivmiddel", DST_URL,
     "Personbiler registreret i kommunen med el som drivmiddel (rene elbiler, ikke plugin-"
     "hybrider) i procent af alle personbiler i kommunen pr. 1. januar.",
     "Passenger cars registered in the municipality with electricity as the fuel (battery "
     "electric cars, not plug-in hybrids) as a percentage of all passenger cars in the "
     "municipality on 1 January."),
    ("electric_new_car_share", G.TRANSPORT, HIGHER, PCT,
     "Andel elbiler af nyregistrerede personbiler", "Share of electric cars in new registrations",
     f"{DST}: nyregistrerede personbiler efter område og drivmiddel", DST_URL,
     "Nyregistrerede personbiler i året med ejer i kommunen og el som drivmiddel i procent af "
     "alle nyregistrerede personbiler med ejer i kommunen.",
     "New passenger cars registered in the year to owners in the municipality with electricity "
     "as the fuel, as a percentage of all new passenger cars registered to owners in the "
     "municipality."),
    ("cars_per_1000", G.TRANSPORT, LOWER, ("pr. 1.000 indb.", "per 1,000 inhabitants",
     Decimal(0), None),
     "Personbiler pr. 1.000 indbyggere", "Passenger cars per 1,000 inhabitants",
     f"{DST}: bestanden af personbiler og folketal efter område", DST_URL,
     "Antal personbiler i kommunen pr. 1. januar pr. 1.000 indbyggere samme dag.",
     "Number of passenger cars in the municipality on 1 January per 1,000 inhabitants on the "
     "same day."),
    ("lowland_soils_converted_ha", G.AGRICULTURE, HIGHER, ("ha", "ha", Decimal(0), None),
     "Udtagne kulstofrige lavbundsjorder", "Carbon-rich lowland soils taken out of production",
     f"{LBST} og {MST}: gennemførte lavbunds- og klima-lavbundsprojekter", LBST_URL,
     "Samlet areal af kulstofrige (organogene) lavbundsjorder i kommunen, der er taget ud af "
     "omdrift og vådlagt i gennemførte projekter, opgjort kumuleret ved årets udgang, i hektar.",
     "Cumulative area of carbon-rich (organic) lowland soils in the municipality taken out of "
     "cultivation and rewetted in completed projects, at the end of the year, in hectares."),
    ("organic_farmland_share", G.AGRICULTURE, HIGHER, PCT,
     "Økologisk dyrket landbrugsareal", "Organic farmland share",
     f"{LBST}: økologiske arealer og markblokke (Fællesskemaet)", LBST_URL,
     "Landbrugsareal i kommunen, der dyrkes af autoriserede økologiske jordbrugere, i procent "
     "af hele landbrugsarealet i kommunen.",
     "Agricultural area in the municipality farmed by certified organic farmers, as a "
     "percentage of the whole agricultural area in the municipality."),
    ("new_forest_ha", G.AGRICULTURE, HIGHER, ("ha", "ha", Decimal(0), None),
     "Ny skov (skovrejsning)", "New forest (afforestation)",
     f"{MST} og {LBST}: statslig skovrejsning og tilskud til privat skovrejsning", MST_URL,
     "Areal plantet med ny skov i kommunen i året (statslig skovrejsning og tilskudsordninger "
     "til privat skovrejsning), i hektar.",
     "Area planted with new forest in the municipality in the year (state afforestation and "
     "the subsidy schemes for private afforestation), in hectares."),
    ("household_waste_recycling", G.WASTE, HIGHER, PCT,
     "Genanvendelse af husholdningsaffald", "Recycling rate of household waste",
     f"{MST}: Affaldsdatasystemet", MST_URL,
     "Husholdningsaffald fra kommunen, der er sendt til genanvendelse, i procent af alt "
     "husholdningsaffald fra kommunen i året (efter vægt).",
     "Household waste from the municipality sent for recycling, as a percentage by weight of "
     "all household waste from the municipality in the year."),
    ("residual_waste_kg_per_inhabitant", G.WASTE, LOWER,
     ("kg pr. indb.", "kg per inhabitant", Decimal(0), None),
     "Restaffald pr. indbygger", "Residual waste per inhabitant",
     f"{MST}: Affaldsdatasystemet", MST_URL,
     "Husholdningernes restaffald (til forbrænding) i kommunen i året divideret med "
     "folketallet, i kg pr. indbygger.",
     "Households' residual waste (sent for incineration) in the municipality in the year "
     "divided by the population, in kg per inhabitant."),
    ("wastewater_sludge_biogas", G.WASTE, HIGHER, PCT,
     "Spildevandsslam udnyttet til biogas", "Sewage sludge used for biogas",
     f"{MST}: spildevandsslam, statistik for renseanlæg", MST_URL,
     "Spildevandsslam fra kommunens renseanlæg, der udrådnes i biogasanlæg, i procent af al "
     "slam fra kommunens renseanlæg i året (tørstof).",
     "Sewage sludge from the municipality's treatment plants that is digested in biogas "
     "plants, as a percentage (dry matter) of all sludge from the municipality's plants in the "
     "year."),
]  # fmt: skip


def load(result: LoadResult) -> None:
    """Create the indicators that are missing; existing ones (perhaps edited) stay as they are."""
    existing = set(Indicator.objects.values_list("key", flat=True))
    for position, row in enumerate(INDICATORS, start=1):
        key, group, direction, (unit_da, unit_en, low, high), *texts = row
        name_da, name_en, source, url, definition_da, definition_en = texts
        if key in existing:
            result.unchanged += 1
            continue
        Indicator.objects.create(
            key=key,
            group=group,
            direction=direction,
            unit_da=unit_da,
            unit_en=unit_en,
            minimum=low,
            maximum=high,
            name_da=name_da,
            name_en=name_en,
            source=source,
            source_url=url,
            definition_da=definition_da,
            definition_en=definition_en,
            position=position,
        )
        result.created += 1
