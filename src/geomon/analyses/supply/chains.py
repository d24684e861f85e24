"""Value chains: per stage, where the world's supply sits and where the reporter buys.

For each stage of a chain (ordered, from the chain definition files) in year y:

- production HHI and top producers (World Mining Data), where the stage names a
  production series (usually the extraction stage);
- world-export HHI = sum_e x(e)^2 / (sum_e x(e))^2 over the stage's HS codes summed,
  with the top exporters and their shares;
- the reporter's imports of those codes: value, tonnes, import HHI = sum_s m(s)^2 and
  the top suppliers;
- the stage's shares of world supply from the EU CRM study 2023 where its codes map to a
  material and stage (:mod:`geomon.analyses.supply.crm`): HHI = sum of squared shares,
  the top countries (e.g. lithium chemicals: processing, CHN 56.2 %);
- concentration = the largest of the stage's production HHI, CRM stage HHI and
  world-export HHI, ``concentration_basis`` naming its source; the chokepoint is the stage
  with the highest concentration.

A stage whose codes have no data in the store says so in ``note`` and shows no
numbers (never zero). Codes are those of the dataset's HS revision
(``hs_by_revision`` in the chain file, else ``hs``).
"""

from __future__ import annotations

import pandas as pd

from geomon.analyses.supply import crm
from geomon.analyses.supply import reference as ref
from geomon.analyses.context import Context, Result
from geomon.analyses.supply.production import concentration_table, export_concentration
from geomon.engine import indicators as ind
from geomon.engine import supply

COLUMNS = [
    "chain", "stage_order", "stage", "stage_name", "kind", "hs_codes", "year", "wmd_commodity", "production_hhi",
    "top_producers", "crm_stage", "crm_hhi", "crm_top_country", "crm_top_share", "crm_top",
    "world_export_value_usd", "world_export_hhi", "top_exporters", "reporter", "import_value_usd",
    "import_tonnes", "import_hhi", "top_suppliers", "concentration", "concentration_basis", "chokepoint", "note",
]


def chain_list(ctx: Context) -> Result:
    """The available chains (shipped and the user's ``chains.dir``) with their stages."""
    rows = [{"chain": c.name, "title": c.title, "stages": len(c.stages),
             "stage_names": " -> ".join(s.name for s in c.stages), "file": c.path}
            for c in ref.chains(ctx).values()]
    return Result(pd.DataFrame(rows, columns=["chain", "title", "stages", "stage_names", "file"]),
                  ctx.meta(analysis="chains", chains_dir=ctx.config["chains.dir"]))


def chain(ctx: Context, name: str, reporter: str = "NLD", year: int | None = None) -> Result:
    """One row per stage of chain ``name`` for ``reporter`` in ``year`` (default: the
    latest year with production and trade data); see the module docstring."""
    return chains(ctx, [name], reporter, year)[0]


def chains(ctx: Context, names: list[str], reporter: str = "NLD", year: int | None = None) -> list[Result]:
    """:func:`chain` of each of ``names``, with one query of each kind for all of them
    (their stages are groups of codes keyed by chain and stage; a code may sit in several)."""
    chs = [ref.get_chain(ctx, n) for n in names]
    econ = ctx.economy(reporter)
    year = ctx.check_year(year) if year is not None else ref.default_production_year(ctx)
    stage_codes = {_key(ch, s): list(s.codes(ctx.dataset.hs)) for ch in chs for s in ch.stages}
    groups = pd.DataFrame([(c, k) for k, codes in stage_codes.items() for c in codes], columns=["product", "group"])
    data = _data(ctx, chs, econ, groups, year)
    return [_result(ctx, ch, econ.name, year, stage_codes, data) for ch in chs]


def _key(ch, st) -> str:
    """The group key of a stage: chain and stage id (unit separator between them)."""
    return f"{ch.name}\x1f{st.id}"


def _data(ctx: Context, chs: list, econ, groups: pd.DataFrame, year: int) -> dict:
    """Every number the stages of ``chs`` need, each kind in one query: world exports per
    stage, which codes have flows, the reporter's imports and suppliers, production."""
    econ_t = ctx.econ_table(econ)
    flows = ref.code_flows(ctx, groups["product"].tolist(), [year])  # one read of the store for every sum below
    data = {
        "world": export_concentration(ctx, groups, [year], econ=econ_t, flows=flows.table).set_index("group"),
        "present": flows.present[year],
        "prod": {_key(ch, s): ref.wmd_commodity(s.production, where=f"chain {ch.name} stage {s.id}: ")
                 for ch in chs for s in ch.stages if s.production},
        "has_prod": year in ref.production_years(),
        "stage": crm.product_stage(groups["product"], ctx.config["supply.top_n"]),
    }
    data["imports"], data["suppliers"] = _reporter_imports(ctx, econ.name, econ_t, groups, year, flows.table)
    data["conc"] = pd.DataFrame()
    if data["prod"] and data["has_prod"]:
        cmap = ref.commodity_map()
        rows = cmap[cmap["wmd_commodity"].isin(data["prod"].values())]
        data["conc"] = concentration_table(ctx, rows, [year]).set_index("commodity")
    return data


def _result(ctx: Context, ch, reporter: str, year: int, stage_codes: dict, data: dict) -> Result:
    """The table of one chain (a row per stage, the chokepoint marked) and its metadata."""
    out = [_stage_record(ctx, ch, st, order, stage_codes[_key(ch, st)], reporter, year, data)
           for order, st in enumerate(ch.stages, start=1)]
    df = _concentration(pd.DataFrame(out).reindex(columns=COLUMNS))
    choke = df[df["chokepoint"]]

    def first(col: str):
        return choke[col].iloc[0] if not choke.empty else ""

    meta = ctx.meta(analysis="chain", chain=ch.name, title=ch.title, description=ch.description, reporter=reporter,
                    year=year, chain_file=ch.path, chokepoint=first("stage"), chokepoint_name=first("stage_name"),
                    chokepoint_kind=first("kind"),
                    chokepoint_concentration=float(choke["concentration"].iloc[0]) if not choke.empty else None,
                    chokepoint_basis=first("concentration_basis"), stage_source=crm.CITATION,
                    **ref.reference_meta())
    return Result(df, meta)


def _stage_record(ctx: Context, ch, st, order: int, codes: list[str], reporter: str, year: int, data: dict) -> dict:
    """The numbers of one stage: production (WMD), stage shares (EU CRM 2023), world exports and
    the reporter's imports, with notes on what is missing."""
    key = _key(ch, st)
    rec = {"chain": ch.name, "stage_order": order, "stage": st.id, "stage_name": st.name, "kind": st.kind,
           "hs_codes": ";".join(codes), "year": year, "reporter": reporter, "wmd_commodity": data["prod"].get(key, "")}
    notes = []
    if key in data["prod"]:
        if not data["has_prod"]:
            notes.append(f"no production data for {year} (World Mining Data covers "
                         f"{ref.reference_meta()['production_years']})")
        elif data["prod"][key] in data["conc"].index:
            c = data["conc"].loc[data["prod"][key]]
            rec.update(production_hhi=c["production_hhi"], top_producers=c["top_producers"])
    stage = data["stage"][data["stage"]["product"].isin(codes)]
    if len(stage):
        top = stage.sort_values(["crm_hhi", "product"], ascending=[False, True]).iloc[0]
        rec.update(crm_stage=top["basis"].removeprefix("EU CRM 2023: "), crm_hhi=top["crm_hhi"],
                   crm_top_country=top["crm_top_country"], crm_top_share=top["crm_top_share"], crm_top=top["crm_top"])
    gap = ref.missing_codes_note(ctx, codes, data["present"], year)
    if gap:
        notes.append(gap)
    if set(codes) & data["present"]:
        _trade(rec, key, data, notes, reporter, year)
    if st.note:
        notes.append(st.note)
    rec["note"] = "; ".join(notes)
    return rec


def _trade(rec: dict, sid: str, data: dict, notes: list[str], reporter: str, year: int) -> None:
    """World-export concentration and the reporter's imports of one stage, into ``rec``."""
    world, imports = data["world"], data["imports"]
    if sid in world.index:
        w = world.loc[sid]
        rec.update(world_export_value_usd=w["world_export_value_usd"], world_export_hhi=w["world_export_hhi"],
                   top_exporters=w["top_exporters"])
    if sid in imports.index:
        i = imports.loc[sid]
        rec.update(import_value_usd=i["import_value_usd"], import_hhi=i["import_hhi"],
                   import_tonnes=i["import_quantity_t"], top_suppliers=data["suppliers"].get(sid, ""))
        if not i["quantity_complete"]:
            notes.append("some import quantities unknown: import tonnes are a lower bound")
    else:
        rec.update(import_value_usd=0.0, import_tonnes=0.0)
        notes.append(f"{reporter} imported none of these codes in {year}")


def _concentration(df: pd.DataFrame) -> pd.DataFrame:
    """concentration = max(production HHI, world-export HHI, CRM stage HHI), its basis (the
    source of the largest; ties: production, then the CRM stage, then exports) and the
    chokepoint (the stage with the highest concentration)."""
    hhis = df[["production_hhi", "crm_hhi", "world_export_hhi"]].astype("float64")
    df["concentration"] = hhis.max(axis=1, skipna=True)
    basis = []
    for (_, r), c in zip(hhis.iterrows(), df["concentration"]):
        if pd.isna(c):
            basis.append("")
        elif not pd.isna(r["production_hhi"]) and r["production_hhi"] >= c:
            basis.append("production")
        elif not pd.isna(r["crm_hhi"]) and r["crm_hhi"] >= c:
            basis.append("EU CRM 2023 " + ("processing" if "processing" in str(df.loc[_, "crm_stage"]) else "extraction"))
        else:
            basis.append("exports")
    df["concentration_basis"] = basis
    df["chokepoint"] = False
    if df["concentration"].notna().any():
        df.loc[df["concentration"].idxmax(), "chokepoint"] = True
    return df


def _reporter_imports(ctx: Context, reporter: str, econ_t, groups: pd.DataFrame, year: int, flows):
    """Per stage: the reporter's import indicators, and its top suppliers as text (from
    ``flows``, every flow of the stages' codes in ``year``)."""
    f = flows
    f = f.filter(f.year == year, f["product"].isin(sorted(set(groups["product"]))))
    ef = ind.economy_flows(f, econ_t)
    ef = ef.filter(ef.importer == reporter)
    gf = supply.group_flows(ef, ctx.engine.table(groups, name="geomon_stage_groups"))
    imports = ctx.engine.execute(ind.import_indicators(gf)).set_index("product")
    top = ctx.engine.execute(supply.top_shares(gf, ["product"], "exporter", "value", ctx.config["supply.top_n"]))
    return imports, ref.top_texts(top, ["product"], key="exporter")
