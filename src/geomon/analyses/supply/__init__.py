"""Supply: mine production, value chains, GeoPolRisk supply risk, supply-stop scenarios."""
