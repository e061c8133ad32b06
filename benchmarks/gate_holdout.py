"""How well does a call-gate rule carry over to cases it did not see? Dev-only, no model needed.

Each run's saved dev margins (`eval_final/calibrate/margins.jsonl`) are split at random into halves many times:
the rule chooses a bias on one half (`eval.calibrate.calibrate`), and the other half says what that bias does
(calls on answerable cases, refusals on unanswerable ones, whether the refusal floor held). Compared: the floor
rule (the most calls at the floor), the same with a call tolerance, and the best balanced accuracy at the floor.

    python benchmarks/gate_holdout.py --floor 0.65 runs/quality/eval_final/calibrate/margins.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from toolgym.eval.calibrate import calibrate, gate_curve


def read_margins(path: Path) -> tuple[list[float], list[bool]]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [float(r["margin"]) for r in rows], [bool(r["answerable"]) for r in rows]


def choose(margins: list[float], answerable: list[bool], floor: float, rule: str, tolerance: float) -> float:
    """The bias a rule picks on these cases."""
    if rule == "balanced_at_floor":
        meeting = [p for p in gate_curve(margins, answerable) if p.refusal_recall >= floor]
        if meeting:
            return max(meeting, key=lambda p: (round(p.balanced, 4), -abs(p.bias))).bias
        rule = "most_calls"
    return calibrate(margins, answerable, min_refusal=floor,
                     call_tolerance=tolerance if rule == "tolerance" else 0.0).bias


def held_out(margins: list[float], answerable: list[bool], floor: float, rule: str, tolerance: float,
             splits: int, seed: int) -> dict[str, float]:
    """Mean held-out call and refusal rates of the rule's bias, and how often the floor held."""
    rng, index, rows = random.Random(seed), list(range(len(margins))), []
    for _ in range(splits):
        rng.shuffle(index)
        half = len(index) // 2
        pick, test = index[:half], index[half:]
        bias = choose([margins[i] for i in pick], [answerable[i] for i in pick], floor, rule, tolerance)
        point = gate_curve([margins[i] for i in test], [answerable[i] for i in test], grid=(bias,))[0]
        rows.append((point.call_recall, point.refusal_recall, point.refusal_recall >= floor))
    n = len(rows)
    return {"calls": 100 * sum(r[0] for r in rows) / n, "refusals": 100 * sum(r[1] for r in rows) / n,
            "floor_held": 100 * sum(r[2] for r in rows) / n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("margins", nargs="+", type=Path, help="margins.jsonl files (dev splits)")
    parser.add_argument("--floor", type=float, required=True, help="refusal floor, e.g. 0.65")
    parser.add_argument("--tolerance", type=float, default=0.01, help="call tolerance of the tolerant rule")
    parser.add_argument("--splits", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"floor {args.floor:.2f}, tolerance {args.tolerance:.2f}, {args.splits} random halves per file")
    print("| margins | cases | rule | bias on all cases | held-out calls (%) | held-out refusals (%) | floor held (%) |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for path in args.margins:
        margins, answerable = read_margins(path)
        for rule in ("most_calls", "tolerance", "balanced_at_floor"):
            bias = choose(margins, answerable, args.floor, rule, args.tolerance)
            out = held_out(margins, answerable, args.floor, rule, args.tolerance, args.splits, args.seed)
            print(f"| {path} | {len(margins)} | {rule} | {bias:+.1f} | {out['calls']:.1f} | {out['refusals']:.1f} | "
                  f"{out['floor_held']:.0f} |")


if __name__ == "__main__":
    main()
