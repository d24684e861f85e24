"""Words of the report in English (default) and Dutch.

Every language has the same keys (a test checks it). Texts may hold ``{name}``
fields filled by the renderer. The sections of the monitor's other parts keep their labels in
``templates/parts/PART.labels.toml`` beside their template, read once by :func:`part_file_labels`. Country names (CLDR), public-interest areas and the tier
reasons written by :mod:`geomon.analyses.trade.tiers` are translated from the data by
:mod:`geomon.outputs.report.localize`; product descriptions (CEPII's HS texts) stay English.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from geomon.errors import DataError, InputError

EN: dict[str, str] = {
    # page
    "title": "Geo-economic monitor: {reporter_name} ({reporter}), {year}",
    "subtitle": "Strategic dependencies in imports, screened on {source} {hs_revision} ({data_version}). Generated {generated_at} by geomon {geomon_version}.",
    "nav_summary": "Summary", "nav_products": "Products", "nav_details": "Product details", "nav_trends": "Trends",
    "nav_leverage": "Leverage", "nav_methods": "Methods",
    "back_to_table": "Back to the product table",
    # summary
    "summary": "Summary",
    "summary_intro": "{rows} imported products screened for {year}: {dependent} meet all criteria (c1 import concentration, c2 world concentration, c3 low substitutability) in at least {persistence} years.",
    "products_screened": "products screened",
    "dependent_products": "meet the criteria",
    "import_value_tiered": "imports of products with a tier (USD)",
    "largest": "Largest dependencies by import value",
    "supplier_countries": "Main supplier countries of the dependencies",
    "changes_previous": "What changed since {previous}",
    "changes_none": "No product changed tier between {previous} and {year}.",
    "no_previous": "{year} is the first year of the data: there is no previous year to compare with.",
    "changes_since": "What changed since edition {edition} (saved {created_at}, data year {ed_year})",
    "since_none": "No product changed tier since edition {edition}.",
    "since_config": "Configuration hash then {then}, now {now}.",
    "none_tiered": "No product has a tier other than none.",
    # tiers and events
    "tier_strategic": "strategic", "tier_possible": "possibly strategic", "tier_dependency": "dependency", "tier_none": "none",
    "event_entered": "entered", "event_left": "left", "event_tier changed": "tier changed",
    "other": "other",
    "yes": "yes", "no": "no",
    "no_exports": "no exports",
    # columns
    "col_product": "HS6", "col_description": "Description", "col_tier": "Tier", "col_computed_tier": "Computed tier",
    "col_import_value": "Imports (USD)", "col_top_supplier": "Top supplier", "col_top_share": "Top share",
    "col_import_hhi": "Import HHI", "col_world_hhi": "World HHI", "col_ratio": "Imports / exports",
    "col_years_met": "Years met", "col_dependent": "Meets criteria", "col_areas": "Public interest",
    "col_supplier": "Supplier", "col_country": "Country", "col_share": "Share", "col_value": "Value (USD)",
    "col_quantity": "Quantity (t)", "col_rank": "#", "col_dependencies": "Dependencies",
    "col_dependent_value": "Their imports (USD)", "col_year": "Year", "col_event": "Change",
    "col_before": "Before", "col_after": "After", "col_products": "Products", "col_entered": "Entered",
    "col_left": "Left", "col_partner": "Partner", "col_partner_share": "Share of partner's imports",
    "col_partner_hhi": "Partner import HHI", "col_world_share": "{reporter} share of world exports",
    "col_years_dependent": "Years dependent", "col_since": "Dependent since", "col_longest": "Longest run",
    "col_setting": "Setting", "col_value_setting": "Value",
    # product table
    "products": "All screened products",
    "products_intro": "Click a column header to sort. Products with a section of their own link to it.",
    "filter_tier": "Tier", "filter_supplier": "Top supplier", "filter_area": "Public interest", "filter_all": "all",
    "search": "Search code or description", "shown_count": "{shown} of {total} products shown",
    # details
    "details": "Product details",
    "details_intro": "A section for every product with a tier other than none, and for the {top} largest imports by value ({n} sections).",
    "import_value": "Imports {year}", "quantity": "Quantity", "quantity_incomplete": "some flows lack quantities",
    "top_supplier": "Top supplier", "suppliers_count": "Suppliers", "alternatives": "Alternative suppliers",
    "public_interest": "Public interest", "criteria_met": "Criteria met in {k} of the window years {window} (needed: {min_years})",
    "c1": "c1 import concentration: HHI {value} {op} {threshold}",
    "c2": "c2 world concentration: HHI {value} {op} {threshold}",
    "c3": "c3 low substitutability: imports / exports {value} {op} {threshold}",
    "chart_suppliers": "Supplier shares {year}", "chart_indicators": "Concentration over the years",
    "chart_ratio": "Imports / exports (log scale)",
    "world_exporters": "Largest world exporters {year}",
    "diversification": "Diversification options: alternative suppliers ranked by their exports to the rest of the world",
    "col_world_export_share": "World export share", "col_wgi": "Political stability (WGI)", "col_agreement": "EU trade agreement",
    "col_terms": "Terms",
    "verdict": "Verdict", "reasons": "Reasons", "override": "Expert override",
    "override_text": "Computed tier {computed}, set to {tier} by {author} ({date}): {reason}",
    "legend_threshold": "threshold",
    "ind_import_hhi": "import HHI", "ind_world_hhi": "world-export HHI", "ind_ratio": "imports / exports",
    # trends
    "trends": "Trends",
    "trends_intro": "Each year screened as if it were the report year ({history}).",
    "chart_trend_tiers": "Products per tier and year (tier none left out)",
    "chart_trend_suppliers": "Dependencies per year by main supplier country",
    "trend_events": "Products per year that entered or left the dependencies",
    "durations": "How long the current dependencies have lasted",
    "censored": "at least",
    # leverage
    "leverage": "Leverage",
    "leverage_intro": "Where partners depend on {reporter}: it is their largest supplier with more than {share} of their imports of a product ({rows} product-partner pairs, {partners} partners; the {shown} largest by value are listed).",
    "leverage_none": "{reporter} is nowhere the largest supplier with more than {share} of a partner's imports.",
    "chart_leverage": "Products per partner (largest 15 partners)",
    # supply
    "nav_supply": "Supply chains",
    "supply": "Value chains, supply risk and a supply stop",
    "supply_intro": "Where extraction and processing sit, how risky the supply of raw materials is, and what a supply stop would cost. World Mining Data gives mine production; trade data the rest.",
    "supply_chains": "Value chains", "supply_risk": "Supply risk (GeoPolRisk)",
    "supply_scenario": "If {stop} stopped delivering ({year})",
    "chains_intro": "Per stage, the world supply concentration (HHI of mine production for extraction, of exports otherwise) and the reporter's imports; the most concentrated stage is the chokepoint.",
    "risk_intro": "Score = production HHI x WTA, where WTA weights the imported tonnes by the supplier's political instability (WGI, 0-1, higher = less stable) over imports plus own production; CF = score x price / copper reference (Koyamparambath et al. 2024).",
    "scenario_intro": "Imports at risk: {value} USD in {products} products ({shown} largest listed). The covering share is how much of that the other exporters could replace from what they export today.",
    "chokepoint": "chokepoint", "basis_production": "production", "basis_exports": "exports",
    "basis_EU CRM 2023 processing": "processing (EU CRM 2023)", "basis_EU CRM 2023 extraction": "extraction (EU CRM 2023)",
    "col_stage": "Stage", "col_kind": "Kind", "col_concentration": "Concentration (HHI)", "col_top_world": "Top producers / exporters",
    "col_top_suppliers": "Top suppliers", "col_note": "Note", "col_commodity": "Commodity", "col_production_hhi": "Production HHI",
    "col_score": "Score", "col_price": "Price (USD/kg)", "col_import_t": "Imports (t)", "col_at_risk": "At risk (USD)",
    "col_at_risk_share": "Share of imports", "col_covering": "Covering share", "col_top_alternatives": "Largest alternatives",
    # methods
    "methods": "Methods and provenance",
    "criteria_title": "Criteria",
    "criteria_text": "A product is a dependency when, in at least {k} of the {n} years ending in the report year, all three criteria hold: c1 the Herfindahl-Hirschman index (HHI, the sum of squared shares) of the reporter's imports by supplier exceeds {t1}; c2 the HHI of world exports by exporter exceeds {t2}; c3 the reporter's imports divided by its exports exceed {t3} (zero exports count as 9999). Thresholds follow the European Commission (2021) and CEPII GeoDep; all are settings.",
    "tiers_text": "Tiers (Dutch pilot monitor, 2022): strategic = a dependency linked to a public interest with limited short-term room to diversify; possibly strategic = linked to a public interest and nearly qualifying, or resting on incomplete data; dependency = meets the criteria without that; none = the rest. Expert overrides replace the computed tier and are shown beside it.",
    "provenance": "Data and run",
    "caveats": "Caveats",
    "caveat_consignment": "BACI records the country of consignment, reconciled from both partners' declarations, not the country of origin: supplier shares can differ from national statistics (e.g. CBS reports by origin).",
    "caveat_reexports": "Re-exports through Dutch ports (Rotterdam, Amsterdam) inflate Dutch imports and exports; goods that only pass through the Netherlands appear as Dutch trade.",
    "caveat_hs_revisions": "HS revisions (HS92, HS96 ... HS22) change product scopes; a six-digit code can cover different goods in another revision, so series are comparable only within one revision.",
    "caveat_ratio_no_exports": "An imports/exports ratio of 9999 means the reporter exports none of the product (CEPII GeoDep convention).",
    "caveat_persistence": "A year counts only when all three criteria hold; verdicts look at the {n} years ending in the report year.",
    "caveat_embedded": "This report uses the data embedded in geomon, an extract of raw-material products only (see the note below); ingest the full BACI release to screen all products.",
    "prov_source": "Source", "prov_dataset": "Dataset", "prov_hs": "HS revision", "prov_version": "Data version",
    "prov_years": "Years in the data", "prov_licence": "Licence", "prov_citation": "Cite", "prov_note": "Note",
    "prov_config": "Configuration", "prov_config_hash": "Configuration hash", "prov_generated": "Generated",
    "prov_engine": "Engine", "prov_version_geomon": "geomon version", "prov_window": "Window",
    "prov_history": "History shown",
    "settings": "Settings",
    "software": "Charts: Vega {vega}, Vega-Lite {vegalite} and vega-embed {embed} (BSD-3-Clause, University of Washington Interactive Data Lab), embedded in this file.",
}

NL: dict[str, str] = {
    "title": "Geo-economische monitor: {reporter_name} ({reporter}), {year}",
    "subtitle": "Strategische afhankelijkheden in de invoer, gescreend op {source} {hs_revision} ({data_version}). Gemaakt {generated_at} met geomon {geomon_version}.",
    "nav_summary": "Samenvatting", "nav_products": "Producten", "nav_details": "Per product", "nav_trends": "Trends",
    "nav_leverage": "Hefboom", "nav_methods": "Methode",
    "back_to_table": "Terug naar de producttabel",
    "summary": "Samenvatting",
    "summary_intro": "{rows} ingevoerde producten gescreend voor {year}: {dependent} voldoen aan alle criteria (c1 invoerconcentratie, c2 wereldconcentratie, c3 lage vervangbaarheid) in ten minste {persistence} jaren.",
    "products_screened": "producten gescreend",
    "dependent_products": "voldoen aan de criteria",
    "import_value_tiered": "invoer van producten met een niveau (USD)",
    "largest": "Grootste afhankelijkheden naar invoerwaarde",
    "supplier_countries": "Belangrijkste leverancierslanden van de afhankelijkheden",
    "changes_previous": "Wat veranderde sinds {previous}",
    "changes_none": "Geen product veranderde van niveau tussen {previous} en {year}.",
    "no_previous": "{year} is het eerste jaar in de data: er is geen vorig jaar om mee te vergelijken.",
    "changes_since": "Wat veranderde sinds editie {edition} (opgeslagen {created_at}, datajaar {ed_year})",
    "since_none": "Geen product veranderde van niveau sinds editie {edition}.",
    "since_config": "Configuratiehash toen {then}, nu {now}.",
    "none_tiered": "Geen enkel product heeft een ander niveau dan geen.",
    "tier_strategic": "strategisch", "tier_possible": "mogelijk strategisch", "tier_dependency": "afhankelijkheid", "tier_none": "geen",
    "event_entered": "erbij", "event_left": "eraf", "event_tier changed": "ander niveau",
    "other": "overig",
    "yes": "ja", "no": "nee",
    "no_exports": "geen uitvoer",
    "col_product": "HS6", "col_description": "Omschrijving", "col_tier": "Niveau", "col_computed_tier": "Berekend niveau",
    "col_import_value": "Invoer (USD)", "col_top_supplier": "Grootste leverancier", "col_top_share": "Aandeel",
    "col_import_hhi": "Invoer-HHI", "col_world_hhi": "Wereld-HHI", "col_ratio": "Invoer / uitvoer",
    "col_years_met": "Jaren voldaan", "col_dependent": "Voldoet", "col_areas": "Publiek belang",
    "col_supplier": "Leverancier", "col_country": "Land", "col_share": "Aandeel", "col_value": "Waarde (USD)",
    "col_quantity": "Hoeveelheid (t)", "col_rank": "#", "col_dependencies": "Afhankelijkheden",
    "col_dependent_value": "Hun invoer (USD)", "col_year": "Jaar", "col_event": "Verandering",
    "col_before": "Voor", "col_after": "Na", "col_products": "Producten", "col_entered": "Erbij",
    "col_left": "Eraf", "col_partner": "Partner", "col_partner_share": "Aandeel in invoer partner",
    "col_partner_hhi": "Invoer-HHI partner", "col_world_share": "Aandeel {reporter} in wereldexport",
    "col_years_dependent": "Jaren afhankelijk", "col_since": "Afhankelijk sinds", "col_longest": "Langste reeks",
    "col_setting": "Instelling", "col_value_setting": "Waarde",
    "products": "Alle gescreende producten",
    "products_intro": "Klik op een kolomkop om te sorteren. Producten met een eigen paragraaf linken daarheen.",
    "filter_tier": "Niveau", "filter_supplier": "Grootste leverancier", "filter_area": "Publiek belang", "filter_all": "alle",
    "search": "Zoek code of omschrijving", "shown_count": "{shown} van {total} producten getoond",
    "details": "Per product",
    "details_intro": "Een paragraaf voor elk product met een ander niveau dan geen, en voor de {top} grootste invoerproducten naar waarde ({n} paragrafen).",
    "import_value": "Invoer {year}", "quantity": "Hoeveelheid", "quantity_incomplete": "hoeveelheid ontbreekt bij sommige stromen",
    "top_supplier": "Grootste leverancier", "suppliers_count": "Leveranciers", "alternatives": "Alternatieve leveranciers",
    "public_interest": "Publiek belang", "criteria_met": "Criteria voldaan in {k} van de vensterjaren {window} (nodig: {min_years})",
    "c1": "c1 invoerconcentratie: HHI {value} {op} {threshold}",
    "c2": "c2 wereldconcentratie: HHI {value} {op} {threshold}",
    "c3": "c3 lage vervangbaarheid: invoer / uitvoer {value} {op} {threshold}",
    "chart_suppliers": "Aandelen leveranciers {year}", "chart_indicators": "Concentratie door de jaren",
    "chart_ratio": "Invoer / uitvoer (logaritmische schaal)",
    "world_exporters": "Grootste exporteurs ter wereld {year}",
    "diversification": "Spreidingsopties: alternatieve leveranciers, gerangschikt naar hun export naar de rest van de wereld",
    "col_world_export_share": "Aandeel wereldexport", "col_wgi": "Politieke stabiliteit (WGI)", "col_agreement": "EU-handelsakkoord",
    "col_terms": "Voorwaarden",
    "verdict": "Oordeel", "reasons": "Redenen", "override": "Oordeel van experts",
    "override_text": "Berekend niveau {computed}, gezet op {tier} door {author} ({date}): {reason}",
    "legend_threshold": "drempel",
    "ind_import_hhi": "invoer-HHI", "ind_world_hhi": "wereldexport-HHI", "ind_ratio": "invoer / uitvoer",
    "trends": "Trends",
    "trends_intro": "Elk jaar gescreend alsof het het rapportjaar is ({history}).",
    "chart_trend_tiers": "Producten per niveau en jaar (niveau geen weggelaten)",
    "chart_trend_suppliers": "Afhankelijkheden per jaar naar belangrijkste leverancierland",
    "trend_events": "Producten per jaar die afhankelijk werden of niet meer waren",
    "durations": "Hoe lang de huidige afhankelijkheden al duren",
    "censored": "ten minste",
    "leverage": "Hefboom",
    "leverage_intro": "Waar partners van {reporter} afhangen: {reporter} is hun grootste leverancier met meer dan {share} van hun invoer van een product ({rows} combinaties van product en partner, {partners} partners; de {shown} grootste naar waarde staan hieronder).",
    "leverage_none": "{reporter} is nergens de grootste leverancier met meer dan {share} van de invoer van een partner.",
    "chart_leverage": "Producten per partner (grootste 15 partners)",
    "nav_supply": "Ketens",
    "supply": "Waardeketens, leveringsrisico en een leveringsstop",
    "supply_intro": "Waar winning en verwerking zitten, hoe riskant de aanvoer van grondstoffen is, en wat een leveringsstop zou kosten. World Mining Data geeft de mijnproductie; handelsdata de rest.",
    "supply_chains": "Waardeketens", "supply_risk": "Leveringsrisico (GeoPolRisk)",
    "supply_scenario": "Als {stop} niet meer zou leveren ({year})",
    "chains_intro": "Per schakel de concentratie van het wereldaanbod (HHI van de mijnproductie bij winning, anders van de export) en de invoer van de rapporteur; de meest geconcentreerde schakel is het knelpunt.",
    "risk_intro": "Score = productie-HHI x WTA, waarbij WTA de ingevoerde tonnen weegt met de politieke instabiliteit van de leverancier (WGI, 0-1, hoger = minder stabiel) gedeeld door invoer plus eigen productie; CF = score x prijs / koperreferentie (Koyamparambath e.a. 2024).",
    "scenario_intro": "Invoer met risico: {value} USD in {products} producten (de {shown} grootste staan hieronder). Het dekkingsaandeel is hoeveel daarvan andere exporteurs kunnen vervangen met wat ze nu uitvoeren.",
    "chokepoint": "knelpunt", "basis_production": "productie", "basis_exports": "export",
    "basis_EU CRM 2023 processing": "verwerking (EU CRM 2023)", "basis_EU CRM 2023 extraction": "winning (EU CRM 2023)",
    "col_stage": "Schakel", "col_kind": "Soort", "col_concentration": "Concentratie (HHI)", "col_top_world": "Grootste producenten / exporteurs",
    "col_top_suppliers": "Grootste leveranciers", "col_note": "Opmerking", "col_commodity": "Grondstof", "col_production_hhi": "Productie-HHI",
    "col_score": "Score", "col_price": "Prijs (USD/kg)", "col_import_t": "Invoer (t)", "col_at_risk": "Met risico (USD)",
    "col_at_risk_share": "Aandeel in invoer", "col_covering": "Dekkingsaandeel", "col_top_alternatives": "Grootste alternatieven",
    "methods": "Methode en herkomst",
    "criteria_title": "Criteria",
    "criteria_text": "Een product is een afhankelijkheid als in ten minste {k} van de {n} jaren tot en met het rapportjaar alle drie criteria gelden: c1 de Herfindahl-Hirschman-index (HHI, de som van gekwadrateerde aandelen) van de invoer per leverancier is groter dan {t1}; c2 de HHI van de wereldexport per exporteur is groter dan {t2}; c3 de invoer gedeeld door de uitvoer is groter dan {t3} (geen uitvoer telt als 9999). De drempels volgen de Europese Commissie (2021) en CEPII GeoDep; alle zijn instellingen.",
    "tiers_text": "Niveaus (Nederlandse pilotmonitor, 2022): strategisch = een afhankelijkheid met een publiek belang en weinig ruimte om op korte termijn te spreiden; mogelijk strategisch = met een publiek belang en bijna voldoend, of steunend op onvolledige data; afhankelijkheid = voldoet aan de criteria zonder dat; geen = de rest. Een oordeel van experts vervangt het berekende niveau en staat ernaast.",
    "provenance": "Data en run",
    "caveats": "Kanttekeningen",
    "caveat_consignment": "BACI registreert het land van verzending, afgestemd tussen de aangiften van beide partners, niet het land van oorsprong: aandelen van leveranciers kunnen afwijken van nationale statistieken (het CBS rapporteert naar oorsprong).",
    "caveat_reexports": "Wederuitvoer via Nederlandse havens (Rotterdam, Amsterdam) vergroot de Nederlandse in- en uitvoer; goederen die alleen door Nederland gaan, tellen als Nederlandse handel.",
    "caveat_hs_revisions": "Herzieningen van het HS (HS92, HS96 ... HS22) veranderen wat een productcode omvat; een zescijferige code kan in een andere herziening andere goederen dekken, dus reeksen zijn alleen binnen één herziening vergelijkbaar.",
    "caveat_ratio_no_exports": "Een verhouding invoer/uitvoer van 9999 betekent dat de rapporteur het product niet uitvoert (conventie van CEPII GeoDep).",
    "caveat_persistence": "Een jaar telt alleen als alle drie criteria gelden; het oordeel kijkt naar de {n} jaren tot en met het rapportjaar.",
    "caveat_embedded": "Dit rapport gebruikt de data die met geomon meekomt, een uittreksel met alleen grondstofproducten (zie de opmerking hieronder); lees de volledige BACI-release in om alle producten te screenen.",
    "prov_source": "Bron", "prov_dataset": "Dataset", "prov_hs": "HS-herziening", "prov_version": "Dataversie",
    "prov_years": "Jaren in de data", "prov_licence": "Licentie", "prov_citation": "Citeer", "prov_note": "Opmerking",
    "prov_config": "Configuratie", "prov_config_hash": "Configuratiehash", "prov_generated": "Gemaakt",
    "prov_engine": "Rekenmachine", "prov_version_geomon": "geomon-versie", "prov_window": "Venster",
    "prov_history": "Getoonde reeks",
    "settings": "Instellingen",
    "software": "Grafieken: Vega {vega}, Vega-Lite {vegalite} en vega-embed {embed} (BSD-3-Clause, University of Washington Interactive Data Lab), opgenomen in dit bestand.",
}

LABELS: dict[str, dict[str, str]] = {"en": EN, "nl": NL}

#: Number formatting per language: decimal mark, thousands separator, USD magnitudes.
NUMBERS: dict[str, dict] = {
    "en": {"decimal": ".", "thousands": ",", "units": ((1e9, " bn"), (1e6, " M"), (1e3, " k"))},
    "nl": {"decimal": ",", "thousands": ".", "units": ((1e9, " mld"), (1e6, " mln"), (1e3, " k"))},
}


def labels(lang: str) -> dict[str, str]:
    """The label dict for ``lang`` (en or nl)."""
    if lang not in LABELS:
        raise InputError(f"unknown language '{lang}'; choose one of {', '.join(LABELS)}")
    return LABELS[lang]


#: Where the parts' label files live (beside their templates).
PART_LABELS = Path(__file__).resolve().parent / "templates" / "parts"


@lru_cache(maxsize=None)
def part_file_labels(part: str) -> dict[str, dict[str, str]]:
    """The labels of report section ``part``: language -> key -> text, from
    ``templates/parts/PART.labels.toml`` (one TOML table per key, holding one text per report
    language). Raises :class:`DataError` when a key lacks a language, names another one, or does
    not start with ``PART_``, so every language has the same keys."""
    path = PART_LABELS / f"{part}.labels.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    out: dict[str, dict[str, str]] = {lang: {} for lang in LABELS}
    for key, texts in doc.items():
        langs = set(texts) if isinstance(texts, dict) else set()
        if not key.startswith(f"{part}_") or langs != set(LABELS) or not all(isinstance(t, str) for t in texts.values()):
            raise DataError(f"{path}: label '{key}' must start with '{part}_' and have one text for each of "
                            f"{', '.join(LABELS)}; it has {', '.join(sorted(langs)) or 'none'}")
        for lang in LABELS:
            out[lang][key] = texts[lang]
    return out
