"""Value chains: per stage, where the world's supply sits and where the reporter buys.

For each stage of a chain (ordered, from the chain definition files) in year y:

- production HHI and top producers (World Mining Data), where the stage names a
  production series (usually the extraction stage);
- world-export HHI = sum_e x(e)^2 / (sum_e x(e))^2 over the stage's HS codes summed,
  with the top exporters and their shares;
- the reporter's imports of those codes: value, tonnes, import HHI = sum_s m(s)^2 and
  the top suppliers;
- concentration = the larger of the stage's production HHI and world-export HHI;
  the chokepoint is the stage with the highest concentration.

A stage whose codes have no data in the store says so in ``note`` and shows no
numbers (never zero). Codes are those of the dataset's HS revision
(``hs_by_revision`` in the chain file, else ``hs``).
"""

from __future__ import annotations

import pandas as pd

from geomon.analyses.supply import reference as ref
from geomon.analyses.context import Context, Result
from geomon.analyses.supply.production import concentration_table, export_concentration
from geomon.engine import indicators as ind
from geomon.engine import supply

COLUMNS = [
    "chain", "stage_order", "stage", "stage_name", "kind", "hs_codes", "year", "wmd_commodity", "production_hhi",
    "top_producers", "world_export_value_usd", "world_export_hhi", "top_exporters", "reporter", "import_value_usd",
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
    ch = ref.get_chain(ctx, name)
    econ = ctx.economy(reporter)
    year = ctx.check_year(year) if year is not None else ref.default_production_year(ctx)
    hs = ctx.dataset.hs
    stage_codes = {s.id: list(s.codes(hs)) for s in ch.stages}
    groups = pd.DataFrame([(c, sid) for sid, codes in stage_codes.items() for c in codes], columns=["product", "group"])
    econ_t = ctx.econ_table(econ)

    world = export_concentration(ctx, groups, [year], econ=econ_t).set_index("group")
    imports, suppliers = _reporter_imports(ctx, econ.name, econ_t, groups, year)
    present = ref.codes_with_flows(ctx, sorted(set(groups["product"])), [year])[year]

    prod_rows = {s.id: ref.wmd_commodity(s.production, where=f"chain {ch.name} stage {s.id}: ") for s in ch.stages if s.production}
    has_prod = year in ref.production_years()
    conc = pd.DataFrame()
    if prod_rows and has_prod:
        cmap = ref.commodity_map()
        conc = concentration_table(ctx, cmap[cmap["wmd_commodity"].isin(prod_rows.values())], [year]).set_index("commodity")

    out = []
    for order, st in enumerate(ch.stages, start=1):
        codes = stage_codes[st.id]
        rec = {"chain": ch.name, "stage_order": order, "stage": st.id, "stage_name": st.name, "kind": st.kind,
               "hs_codes": ";".join(codes), "year": year, "reporter": econ.name,
               "wmd_commodity": prod_rows.get(st.id, "")}
        notes = []
        if st.id in prod_rows:
            if not has_prod:
                notes.append(f"no production data for {year} (World Mining Data covers {ref.reference_meta()['production_years']})")
            elif prod_rows[st.id] in conc.index:
                c = conc.loc[prod_rows[st.id]]
                rec.update(production_hhi=c["production_hhi"], top_producers=c["top_producers"])
        gap = ref.missing_codes_note(ctx, codes, present, year)
        if gap:
            notes.append(gap)
        if set(codes) & present:
            if st.id in world.index:
                w = world.loc[st.id]
                rec.update(world_export_value_usd=w["world_export_value_usd"], world_export_hhi=w["world_export_hhi"],
                           top_exporters=w["top_exporters"])
            if st.id in imports.index:
                i = imports.loc[st.id]
                rec.update(import_value_usd=i["import_value_usd"], import_hhi=i["import_hhi"],
                           import_tonnes=i["import_quantity_t"], top_suppliers=suppliers.get(st.id, ""))
                if not i["quantity_complete"]:
                    notes.append("some import quantities unknown: import tonnes are a lower bound")
            else:
                rec.update(import_value_usd=0.0, import_tonnes=0.0)
                notes.append(f"{econ.name} imported none of these codes in {year}")
        if st.note:
            notes.append(st.note)
        rec["note"] = "; ".join(notes)
        out.append(rec)
    df = pd.DataFrame(out).reindex(columns=COLUMNS)
    both = df[["production_hhi", "world_export_hhi"]].astype("float64")
    df["concentration"] = both.max(axis=1, skipna=True)
    df["concentration_basis"] = [
        "" if pd.isna(c) else ("production" if (not pd.isna(p) and p >= c) else "exports")
        for p, c in zip(both["production_hhi"], df["concentration"])]
    df["chokepoint"] = False
    if df["concentration"].notna().any():
        df.loc[df["concentration"].idxmax(), "chokepoint"] = True
    choke = df[df["chokepoint"]]
    meta = ctx.meta(analysis="chain", chain=ch.name, title=ch.title, description=ch.description, reporter=econ.name,
                    year=year, chain_file=ch.path,
                    chokepoint=choke["stage"].iloc[0] if not choke.empty else "",
                    chokepoint_name=choke["stage_name"].iloc[0] if not choke.empty else "",
                    chokepoint_concentration=float(choke["concentration"].iloc[0]) if not choke.empty else None,
                    chokepoint_basis=choke["concentration_basis"].iloc[0] if not choke.empty else "",
                    **ref.reference_meta())
    return Result(df, meta)


def _reporter_imports(ctx: Context, reporter: str, econ_t, groups: pd.DataFrame, year: int):
    """Per stage: the reporter's import indicators, and its top suppliers as text."""
    f = ctx.flows
    f = f.filter(f.year == year, f["product"].isin(sorted(set(groups["product"]))))
    ef = ind.economy_flows(f, econ_t)
    ef = ef.filter(ef.importer == reporter)
    gf = supply.group_flows(ef, ctx.engine.table(groups, name="geomon_stage_groups"))
    imports = ctx.engine.execute(ind.import_indicators(gf)).set_index("product")
    top = ctx.engine.execute(supply.top_shares(gf, ["product"], "exporter", "value", ctx.config["supply.top_n"]))
    texts = {k: ref.top_text(g.sort_values("rank"), key="exporter") for k, g in top.groupby("product")}
    return imports, texts
