"""The Python API: the one front door. Every CLI command calls one function here.

One module per part of the monitor (:mod:`.trade`, :mod:`.supply`, :mod:`.report`, ...);
every function takes ``config`` (a :class:`Config`, a TOML path or None), ``store``, ``hs``,
``version`` and keyword settings (``import_hhi=0.5``, ``tiers__margin=0.2``), mapped to the
settings registry by :func:`geomon.config.keyword_settings`.
"""

from geomon.analyses.context import Context, Result, open_context
from geomon.analyses.trade.tiers import TIERS
from geomon.analyses.trade.trends import TablesResult, TrendsResult, by_tier_totals
from geomon.api.report import report, report_data, write_report
from geomon.api.supply import chain, production, risk, scenario
from geomon.api.store import check_store, datasets
from geomon.api.knowledge import ingest_ncses, knowledge
from geomon.api.infrastructure import infrastructure, infrastructure_map, ingest_cgit, ingest_smdg
from geomon.api.coercion import coercion_cases, coercion_event, coercion_exposure
from geomon.api.sources import (compare_sources, download_baci, download_comext, ingest_comext, ingest_comtrade,
                                list_sources, suppliers_period, trends_monthly)
from geomon.api.trade import (alternatives, diff_editions, groups, leverage, list_editions, save_edition, screen,
                              show_edition, suppliers, tiers, trends)
from geomon.config import Config, load_config
from geomon.errors import GeomonError
from geomon.ingest import ingest_baci
from geomon.store import Store, default_store_dir, open_store

__all__ = ["Config", "Context", "GeomonError", "Result", "Store", "TablesResult", "TrendsResult", "ingest_baci",
           "load_config", "open_context", "open_store", "default_store_dir", "TIERS", "by_tier_totals"]
__all__ += ["screen", "suppliers", "leverage", "tiers", "groups", "trends", "save_edition", "list_editions",
            "show_edition", "diff_editions"]
__all__ += ["production", "chain", "risk", "scenario"]
__all__ += ["alternatives"]
__all__ += ["datasets", "check_store"]
__all__ += ["knowledge", "ingest_ncses"]
__all__ += ["report_data", "report", "write_report"]
__all__ += ["infrastructure", "infrastructure_map", "ingest_smdg", "ingest_cgit"]
__all__ += ["ingest_comext", "ingest_comtrade", "list_sources", "compare_sources", "trends_monthly", "suppliers_period",
            "download_baci", "download_comext"]
__all__ += ["coercion_cases", "coercion_exposure", "coercion_event"]
