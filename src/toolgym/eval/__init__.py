"""toolgym.eval."""
