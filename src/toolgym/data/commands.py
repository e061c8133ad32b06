"""`toolgym data …` (owned by the data area)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Synthesize and inspect training data.")
