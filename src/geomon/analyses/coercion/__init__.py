"""Economic coercion and export controls: the case registry, exposure, and trade events."""
