"""instrument layer."""
