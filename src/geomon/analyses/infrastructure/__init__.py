"""Infrastructure nodes: ports, terminals and energy assets, their operators and ultimate owners."""
