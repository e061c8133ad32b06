"""The `toolgym` command. Each area owns its sub-commands in `<area>/commands.py`; this file wires them."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from toolgym.core.errors import ToolgymError
from toolgym.data import commands as data_commands
from toolgym.eval import commands as eval_commands
from toolgym.models import commands as model_commands
from toolgym.recipes import commands as recipe_commands
from toolgym.serve import commands as serve_commands
from toolgym.train import commands as train_commands

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Train language models to call tools, and measure them.")
app.add_typer(model_commands.app, name="models")
app.add_typer(train_commands.app, name="export")
app.add_typer(eval_commands.app, name="eval")
app.add_typer(data_commands.app, name="data")
app.command("demo")(model_commands.demo)
app.command("call")(model_commands.call)
app.command("run")(recipe_commands.run)
app.command("ablate")(recipe_commands.ablate)
app.command("serve")(serve_commands.serve)


def main() -> None:
    """Entry point: user-facing errors print one red line and exit 2, never a traceback."""
    try:
        app()
    except ToolgymError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
