"""Tiers: from screened dependencies to the monitor's verdicts, with their reasons.

- :mod:`.rules`: the one implementation of the tier rules (pure, column-wise) and ``TIERS``
- :mod:`.evidence`: third-country view, quantity gap, world supply concentration
- :mod:`.alternatives`: alternative-supplier counts
- :mod:`.overrides`: expert overrides applied (files read by :mod:`geomon.sources.overrides`)
- :mod:`.classify`: :func:`classify` (rows -> tiers) and :func:`tiers` (the analysis)
"""

from geomon.analyses.trade.tiers.alternatives import alternatives_frame
from geomon.analyses.trade.tiers.classify import TIER_COLUMNS, classify, group_links, tier_inputs, tiers, window_missing
from geomon.analyses.trade.tiers.overrides import apply_overrides, read_overrides, resolve_overrides
from geomon.analyses.trade.tiers.rules import TIER_ORDER, TIERS, TierRules, apply_rules
from geomon.sources.overrides import Override

__all__ = ["TIERS", "TIER_ORDER", "TIER_COLUMNS", "TierRules", "Override", "alternatives_frame", "apply_rules",
           "apply_overrides", "classify", "group_links", "read_overrides", "resolve_overrides", "tier_inputs", "tiers",
           "window_missing"]
