"""Reward on a finished `rl` stage's own training prompts, before vs after: completions sampled as in its rollouts
(the stage's temperature and top-k, seeded), scored with the IRM table. Separates "the optimiser raised the reward
it optimised" from "the held-out / BFCL scores moved". New runs get the same numbers from the `train_eval` key.

Run from the folder the run was made in (its manifest keeps relative adapter paths):
`python benchmarks/rl_train_reward.py runs/quickstart_ppo_fixed8/rl --samples 64`.
"""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from toolgym.core.errors import ToolgymError
from toolgym.train.rl import rescore_training_prompts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage_dirs", nargs="+", help="finished rl stage folders (runs/NAME/STAGE)")
    parser.add_argument("--samples", type=int, default=64, help="completions per measurement (prompts cycled)")
    args = parser.parse_args()
    table = Table(title=f"IRM reward on the training prompts ({args.samples} sampled completions)")
    for column in ("stage", "before", "after", "correct before (%)", "correct after (%)"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for stage_dir in args.stage_dirs:
        try:
            scores = rescore_training_prompts(stage_dir, args.samples)
        except (ToolgymError, OSError, KeyError) as exc:
            raise SystemExit(f"error: {stage_dir}: {exc}") from None
        before, after = scores["before"], scores["after"]
        table.add_row(stage_dir, f"{before['reward_mean']:+.3f}", f"{after['reward_mean']:+.3f}",
                      f"{100 * before['categories'].get('correct', 0):.1f}",
                      f"{100 * after['categories'].get('correct', 0):.1f}")
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
