"""`toolgym eval …` (owned by the eval area)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Evaluate models (BFCL, toolgym suites).")
