"""Trade dependencies: screening, suppliers, tiers, substitute groups, trends, editions, leverage."""
