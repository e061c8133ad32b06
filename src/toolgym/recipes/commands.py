"""`toolgym run RECIPE.yaml [--set key=value]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def run(
    recipe: Annotated[Path, typer.Argument(help="Recipe YAML (see recipes/).")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override: section.key=value or "
                                                   "<stage name>.key=value (repeatable).")] = None,
) -> None:
    """Run a recipe: synthesize data, evaluate, train its stages, evaluate again, write report.md."""
    from toolgym.recipes.runner import run_recipe

    run_recipe(recipe, set_ or [])
