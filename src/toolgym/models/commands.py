"""`toolgym models …`, `toolgym demo`, `toolgym call` (owned by the models area)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Fetch and inspect models.")


def demo() -> None:
    """Load the embedded model and answer a tool query."""
    raise NotImplementedError


def call() -> None:
    """Ask a model to call tools from a tools.json file; print the parsed calls and the checker's verdict."""
    raise NotImplementedError
