"""`toolgym run RECIPE.yaml [--set key=value]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolgym.recipes.ablate_table import DEFAULT_PAIRED


def run(
    recipe: Annotated[Path, typer.Argument(help="Recipe YAML (see recipes/).")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override: section.key=value or "
                                                   "<stage name>.key=value (repeatable).")] = None,
    check: Annotated[bool, typer.Option("--check", help="Validate the recipe (keys, types, categories, suites, "
                                        "files) and exit without running a step.")] = False,
) -> None:
    """Run a recipe: synthesize data, evaluate, train its stages, evaluate again, write report.md."""
    if check:
        from toolgym.recipes.spec import load_recipe

        loaded = load_recipe(recipe, set_ or [])
        print(f"{recipe}: ok ({len(loaded.stages)} stages: {', '.join(s.name for s in loaded.stages) or '-'})")
        return
    from toolgym.recipes.runner import run_recipe

    run_recipe(recipe, set_ or [])


def ablate(
    recipe: Annotated[Path, typer.Argument(help="Base recipe YAML: its model, data and eval settings are shared.")],
    study: Annotated[str, typer.Option(help="tooldev (Table 3), tl (Table 5: 8 rows, DE/CE/VA columns), gentool (ranking on/off), gentool_data (zero-to-one / weak-to-strong shares), no_call (the no-call share of the training records, 0-20%) or masking (Hammer's opaque names: none / base / half / two thirds; scored on the base dataset's suites).")] = "tooldev",
    steps: Annotated[int, typer.Option(min=1, help="Optimizer steps per variant (equal budgets).")] = 100,
    batch: Annotated[int, typer.Option(min=1, help="Per-device batch size for every variant.")] = 8,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override the base recipe (repeatable).")] = None,
    rl_steps: Annotated[int | None, typer.Option(min=1, help="Steps of the +IRM rows' RL stage (default steps/4), "
                                                     "on top of the SFT variant they extend.")] = None,
    finished_only: Annotated[bool, typer.Option("--finished-only", help="Train nothing: print the table of the "
                                                "variants that already finished.")] = False,
    metrics: Annotated[str, typer.Option("--metrics", help="Columns to print: comma-separated glob patterns, in "
                                         "order, e.g. 'non_live_ast,irrelevance,test_*_query' (default: all).")] = "",
    seeds: Annotated[str, typer.Option("--seeds", help="Train and evaluate every variant under each of these seeds, "
                                       "e.g. '0,1,2': cells are seed means with the lowest and highest seed, "
                                       "paired counts are summed (default: the recipe's seed).")] = "",
    paired: Annotated[str, typer.Option("--paired", help="Categories of the paired section (each row against the "
                                        "row it extends, else the first), glob patterns over `toolgym eval "
                                        "compare`'s names; suites' as '<suite>:<category>'.")]
    = ",".join(DEFAULT_PAIRED),
) -> None:
    """Run a paper's ablation variants from one base recipe and print the table."""
    from rich.console import Console
    from rich.markdown import Markdown

    from toolgym.recipes.ablate import parse_seeds, run_ablation

    patterns = [p.strip() for p in metrics.split(",") if p.strip()]
    table = run_ablation(recipe, study, steps, batch, set_ or [], rl_steps, finished_only, patterns,
                         parse_seeds(seeds), [p.strip() for p in paired.split(",") if p.strip()])
    console = Console()
    if console.is_terminal:
        console.print(Markdown(table))
    else:  # piped or redirected: the Markdown itself, ready for docs
        print(table)
