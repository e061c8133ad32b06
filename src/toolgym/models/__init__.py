"""toolgym.models."""
