"""toolgym.evolve."""
