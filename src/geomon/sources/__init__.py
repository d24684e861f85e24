"""Readers per source format. Only this package knows file formats."""
