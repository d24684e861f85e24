"""Analyses: screening, drill-downs, leverage, and the views built on them."""
