"""toolgym.train."""
