"""Analyses, one package per part of the monitor.

- :mod:`~geomon.analyses.trade`: trade dependencies (screening, suppliers, tiers, groups,
  trends, editions, leverage);
- :mod:`~geomon.analyses.supply`: production, value chains, supply risk, scenarios;
- :mod:`~geomon.analyses.coercion`, :mod:`~geomon.analyses.knowledge`,
  :mod:`~geomon.analyses.infrastructure`: the monitor's other parts;
- shared by all: :mod:`~geomon.analyses.context` (dataset, engine, configuration) and
  :mod:`~geomon.analyses.results` (the result types); :mod:`~geomon.analyses.report_data`
  assembles the report's tables from every part.
"""
