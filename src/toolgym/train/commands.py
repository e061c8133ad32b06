"""`toolgym export …` (owned by the train area): `verl` writes the RL prompts for verl's distributed PPO."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from toolgym.core.errors import InputError

app = typer.Typer(no_args_is_help=True, help="Export training data for other frameworks.")


@app.callback()
def export() -> None:
    """Export training data for other frameworks."""


@app.command("verl")
def verl(
    data: Annotated[Path, typer.Argument(help="Dataset folder (train.jsonl, trajectories.jsonl) or a JSONL file.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    model: Annotated[str, typer.Option("--model", help="Model path for the launch script (the SFT model).")]
    = "<path-to-sft-model>",
    sources: Annotated[str, typer.Option("--sources", help="Prompt sources: invocation,trajectory.")]
    = "invocation,trajectory",
    test_size: Annotated[int, typer.Option("--test-size", min=0, help="Held-out prompts in test.parquet.")] = 64,
    n_gpus: Annotated[int, typer.Option("--n-gpus", min=1, help="GPUs per node in the launch script.")] = 8,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the train/test split.")] = 0,
) -> None:
    """Write train/test parquet (verl layout), reward_fn.py (IRM compute_score) and run_verl_ppo.sh."""
    from toolgym.train.export_verl import export_verl as run_export
    from toolgym.train.export_verl import read_records
    from toolgym.train.rl_config import RLStageConfig

    if not data.exists():
        raise InputError("no such file or folder", file=str(data))
    config = RLStageConfig.from_dict({"algorithm": "ppo", "seed": seed,
                                      "sources": [s.strip() for s in sources.split(",") if s.strip()]})
    records, records_file = read_records(data)
    summary = run_export(records, out, model=model, config=config, test_size=test_size, records_file=records_file,
                         n_gpus=n_gpus)
    console = Console()
    console.print(f"train: {summary['train']} prompts, test: {summary['test']} ({summary['prompts']}; "
                  f"{summary['bad_records']} bad records skipped)")
    console.print(f"reward: {summary['compute_score']} (custom_reward_function.path={summary['files']['reward_fn']})")
    console.print(f"launch: bash {summary['files']['launch']}")
