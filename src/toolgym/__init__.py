"""toolgym: train language models to call tools, and measure them."""

__version__ = "0.1.0"
