"""The package version (one place; the package, provenance and outputs read it)."""

__version__ = "0.1.0"
