"""The settings registry: every configurable value with its name, default, type, meaning and check.

One registry drives TOML loading and validation (:mod:`geomon.config`), the Python API's
keywords, the command-line options (:mod:`geomon.cli.settings_options`), the documentation
(``geomon settings``, docs/settings.md) and the tests that keep them complete. Thresholds,
windows and k are settings, never literals in analysis code. A new part adds its block at
the end of :data:`SETTINGS`, one section per part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from geomon.errors import InputError


def _unit_interval(name: str, value: Any) -> None:
    if not (0.0 <= float(value) <= 1.0):
        raise InputError(f"{name} = {value} is outside [0, 1]; give a share between 0 and 1")


def _non_negative(name: str, value: Any) -> None:
    if float(value) < 0:
        raise InputError(f"{name} = {value} is negative; give a value >= 0")


def _positive(name: str, value: Any) -> None:
    if not float(value) > 0:
        raise InputError(f"{name} = {value} must be a number > 0")


def _positive_int(name: str, value: Any) -> None:
    if int(value) < 1:
        raise InputError(f"{name} = {value} must be a whole number >= 1")


#: Upper bound of screening.window / min_years: BACI begins in 1995 (about 30 years), so 50 leaves
#: room for longer series while a typo such as 1000 is refused before any query runs.
MAX_WINDOW_YEARS = 50


def _window_years(name: str, value: Any) -> None:
    if not 1 <= int(value) <= MAX_WINDOW_YEARS:
        raise InputError(f"{name} = {value} is outside 1-{MAX_WINDOW_YEARS}; give a number of years in that range")


def _choice(*allowed: str) -> Callable[[str, Any], None]:
    def check(name: str, value: Any) -> None:
        if value not in allowed:
            raise InputError(f"{name} = {value!r} is not allowed; choose one of {', '.join(allowed)}")
    return check


@dataclass(frozen=True)
class Setting:
    """One configurable value: dotted name ``section.key``, default, type and help."""

    name: str
    default: Any
    type: type
    help: str
    check: Callable[[str, Any], None] | None = None
    #: command-line option (default ``--key`` with dashes); unique over the registry
    option: str = ""
    #: when set, the option is a switch that sets the setting to this value
    flag: Any = None

    @property
    def section(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def cli_option(self) -> str:
        return self.option or "--" + self.name.split(".", 1)[1].replace("_", "-")


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("screening.import_hhi", 0.4, float,
                "c1: a product's import concentration (HHI of the reporter's import shares by supplier) must exceed this.",
                _unit_interval),
        Setting("screening.world_hhi", 0.4, float,
                "c2: world supply concentration (HHI of world export shares by exporter) must exceed this.",
                _unit_interval),
        Setting("screening.ratio", 1.0, float,
                "c3: reporter imports / reporter exports must exceed this (9999 when exports are zero).",
                _non_negative),
        Setting("screening.window", 3, int,
                "Persistence window n: the years ending in the screened year that are looked at (1-50).",
                _window_years),
        Setting("screening.min_years", 2, int,
                "Persistence k: c1, c2 and c3 must all hold in at least k of the n window years (1-50, at most n).",
                _window_years),
        Setting("leverage.min_share", 0.5, float,
                "Leverage: the supplier's share of a partner's imports must exceed this.",
                _unit_interval, option="--min-share"),
        Setting("report.top_products", 20, int,
                "Report: besides every product with a tier other than none, the N largest imports by value get a "
                "section with charts (0 = only the tiered products).",
                _non_negative, option="--top-products"),
        Setting("report.top_suppliers", 8, int,
                "Report: suppliers (and world exporters) shown by name per product; the rest are grouped as 'other'.",
                _positive_int),
        Setting("report.history_years", 20, int,
                "Report: years of history in the trend and per-product charts, ending in the report year.",
                _positive_int),
        Setting("report.leverage_rows", 50, int,
                "Report: rows of the leverage and supply-stop tables shown in the HTML report (largest by value); "
                "the workbook has all rows.",
                _positive_int),
        Setting("report.scenario_stop", "CHN", str,
                "Report: the supplier(s) whose supply stop the report's scenario section shows (e.g. 'CHN' or "
                "'CHN,RUS'; '' = no scenario section).", option="--stop"),
        Setting("tiers.strategic_world_hhi", 0.5, float,
                "Tiers: a linked dependency is strategic when the world supply HHI (max of world-export HHI and "
                "EU CRM 2023 stage HHI) exceeds this, or tiers.min_alternative_suppliers is not reached.",
                _unit_interval),
        Setting("tiers.min_alternative_suppliers", 3, int,
                "Tiers: strategic also when fewer than this many alternative suppliers (not the top supplier, not the "
                "reporter) each export at least tiers.alternative_min_share x the reporter's imports to the rest of the world.",
                _positive_int, option="--min-alternatives"),
        Setting("tiers.alternative_min_share", 0.5, float,
                "Tiers: an alternative supplier must export to economies other than the reporter at least this share of "
                "the reporter's import value.",
                _non_negative, option="--alternative-share"),
        Setting("tiers.margin", 0.1, float,
                "Tiers: relative margin; a public-interest product within this fraction of a threshold (c1, c2, c3 or "
                "the strategic rule) is 'possible'.",
                _unit_interval),
        Setting("tiers.incomplete_quantities", True, bool,
                "Tiers: when true, a strategic verdict resting on import flows with missing quantities becomes 'possible' "
                "(only when those flows are worth at least tiers.quantity_gap_share of the imports)."),
        Setting("tiers.uncertain_links", "possible", str,
                "Tiers: how public-interest links marked 'uncertain' count: 'possible' (a strategic verdict becomes "
                "possible), 'link' (as certain) or 'ignore' (no link).",
                _choice("possible", "link", "ignore")),
        Setting("tiers.interest_map", "", str,
                "Tiers: a user public-interest map (CSV: hs_prefix,area,subarea,source,certainty,note); '' = none."),
        Setting("tiers.interest_map_mode", "extend", str,
                "Tiers: 'extend' adds the user map to the shipped one, 'replace' uses the user map only.",
                _choice("extend", "replace"), option="--replace-interest-map", flag="replace"),
        Setting("tiers.overrides", "", str,
                "Tiers: expert overrides (CSV or TOML: product or group, tier, reason, author, date, optional reporter); '' = none."),
        Setting("groups.file", "", str,
                "Substitute groups: a user groups file (CSV: group,label,product,note,source) added to the shipped groups; '' = none.",
                option="--groups"),
        Setting("groups.mode", "extend", str,
                "Substitute groups: 'extend' adds the user groups to the shipped ones, 'replace' uses the user groups only.",
                _choice("extend", "replace"), option="--replace-groups", flag="replace"),
        Setting("supply.top_n", 3, int,
                "Production, chains and scenarios: how many top producers, exporters, suppliers or alternatives are listed.",
                _positive_int, option="--top"),
        Setting("chains.dir", "", str,
                "Value chains: a folder of chain definitions (*.toml) added to the shipped ones (same name replaces); '' = none.",
                option="--chains-dir"),
        Setting("risk.missing_instability", 0.5, float,
                "GeoPolRisk: instability (0-1) of a supplier without a WGI political-stability score.",
                _unit_interval),
        Setting("risk.cf_reference", 0.409412948, float,
                "GeoPolRisk: the copper reference the characterisation factor is divided by (eq. kg-Cu/kg; "
                "Koyamparambath et al. 2024, OECD average 2017-2021).",
                _positive),
        Setting("risk.intra_bloc", "count", str,
                "GeoPolRisk for a bloc: 'count' keeps imports between members in the denominator and the price with "
                "instability 0 (as geopolrisk-py 2.x), 'drop' leaves them out.",
                _choice("count", "drop")),
        # store and ingest safety (issue 16)
        Setting("ingest.duplicates", "reject", str,
                "Ingest: a (year, exporter, importer, product) key given twice in a source file is an error naming the "
                "first repeated line ('reject'; with --lenient the later copies are dropped) or its values are added "
                "up ('sum').",
                _choice("reject", "sum")),
        # infrastructure nodes (issue 13)
        Setting("infrastructure.focus_owners", "CHN,HKG", str,
                "Infrastructure: home economies (ISO3, comma-separated) whose operators' nodes the per-member totals "
                "count when --owner is not given."),
        Setting("infrastructure.cgit_sectors", "Transport,Energy,Utilities,Logistics", str,
                "Infrastructure: CGIT sectors (comma-separated, as CGIT writes them) whose deals are listed."),
        Setting("infrastructure.nodes", "", str,
                "Infrastructure: a user node file (CSV: node_id,name,kind,country,lat,lon,operator,valid_from,valid_to,"
                "source) added to the SMDG terminals; '' = none."),
        # verdicts (issue 10): materiality, quantity gaps, trusted partners
        Setting("tiers.min_import_usd", 1_000_000.0, float,
                "Tiers: materiality; a product whose imports in the year are below this value (USD) gets tier none "
                "with the reason shown. 1 M USD: an absolute floor, because the store (a raw-materials extract) "
                "does not hold a reporter's total imports, so a share of them cannot be computed.",
                _non_negative),
        Setting("tiers.quantity_gap_share", 0.05, float,
                "Tiers: missing quantities turn a strategic verdict into possible (tiers.incomplete_quantities) only "
                "when the import flows without a quantity are worth at least this share of the product's imports.",
                _unit_interval),
        Setting("tiers.trusted_suppliers", "EU27", str,
                "Tiers: a circle of trusted economies (ISO3 codes, EU27 or blocs of the config, comma-separated; "
                "'' = none). A reporter in the circle sees supply from the circle as no third-country dependency: "
                "a dependency resting on it is 'dependency', never 'strategic'."),
        # knowledge position (issue 12)
        Setting("knowledge.trend_tolerance", 0.1, float,
                "Knowledge: a field's position measure (top-1% index; world share for counts) that changes by less than "
                "this fraction over knowledge.verdict_years is 'stable'; above it 'improving', below minus it 'declining'.",
                _unit_interval),
        Setting("knowledge.verdict_years", 5, int,
                "Knowledge: the horizon of the trend verdict, 5 or 10 years (both changes are always shown).",
                lambda name, value: _choice("5", "10")(name, str(value))),
        Setting("knowledge.strong_index", 1.0, float,
                "Knowledge: a position is 'strong' when the field's relative index (revealed technological advantage "
                "for patents, top-1% index for citations) is at least this, else 'weak'.",
                _positive),
        Setting("knowledge.report_compare", "CHN,USA,EU27", str,
                "Knowledge: the geographies (NCSES codes, comma-separated) the report's knowledge section compares "
                "the reporter with; '' = the reporter alone."),
        # coercion and export controls (issue 11)
        Setting("coercion.since", 2010, int,
                "Coercion: an economy has a record when one of its cases (as coercer) is active in or after this year "
                "(end year >= since, or no end) and started by the year looked at.",
                _positive_int, option="--record-since"),
        Setting("coercion.cases_file", "", str,
                "Coercion: a user cases file (CSV in the format of data/coercion/curated_cases.csv) added to the "
                "shipped cases; '' = none.", option="--cases"),
        Setting("coercion.gsdb_file", "", str,
                "Coercion: the Global Sanctions Data Base release 3 CSV (GSDB_V3.csv, not shipped: request it from "
                "globalsanctionsdatabase.com) whose sanctions are added as cases; '' = none.", option="--gsdb"),
        Setting("coercion.ignore_coercers", "EU27", str,
                "Coercion: coercers (ISO3 codes, EU27 or blocs of the config, comma-separated) whose cases do not count "
                "as records in the exposure, e.g. the reporter's own bloc; '' = none.", option="--ignore-coercers"),
        Setting("coercion.top_suppliers", 3, int,
                "Coercion: how many top suppliers of each tiered product the exposure table checks for a record.",
                _positive_int, option="--suppliers-checked"),
        Setting("coercion.pre_years", 3, int,
                "Coercion: years before a case's start year that form the pre-case average of an event (and the "
                "first years shown).", _positive_int, option="--pre-years"),
    ]
}


#: Settings that name a file or folder; relative paths in a config file are resolved from its folder.
PATH_SETTINGS = ("tiers.interest_map", "tiers.overrides", "groups.file", "chains.dir", "infrastructure.nodes",
                 "coercion.cases_file", "coercion.gsdb_file")
