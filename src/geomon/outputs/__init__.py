"""Outputs render tables that analyses return; they never compute an indicator."""
