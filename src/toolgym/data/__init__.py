"""toolgym.data."""
