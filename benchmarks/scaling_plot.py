"""BFCL non-live AST (4-mean) and irrelevance against training examples seen: `docs/quality/scaling.png`.

Each point is one trained adapter: its `train_result.json` (examples_seen) and the `summary.json` of its BFCL
evaluation. The error bars are the summaries' Wilson 95% intervals (irrelevance) and a normal interval of the
4-category mean (non-live, `eval.metrics.mean_interval`); hollow markers are subsets (fewer cases than the full categories), filled ones full
sets. A point with no train result is the untrained model (0 examples); a model trained in several runs, each
continuing from the last, joins their train results with `+` (examples summed).

    python benchmarks/scaling_plot.py --out docs/quality/scaling.png \
        --point runs/quality/sft/train_result.json:runs/quality/eval_final/bfcl/summary.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from toolgym.eval.metrics import mean_interval

NON_LIVE = ("simple_python", "multiple", "parallel", "parallel_multiple")
FULL_SIZES = {"simple_python": 400, "multiple": 200, "parallel": 200, "parallel_multiple": 200, "irrelevance": 240}


def read_point(spec: str) -> dict:
    """`TRAIN_RESULT[+TRAIN_RESULT...]:SUMMARY` (TRAIN_RESULT `base` for the untrained model) -> one point."""
    train, summary_file = spec.split(":", 1)
    seen = 0 if train == "base" else sum(int(json.loads(Path(part).read_text())["examples_seen"])
                                         for part in train.split("+"))
    cats = json.loads(Path(summary_file).read_text())["categories"]
    mean = sum(cats[c]["accuracy"] for c in NON_LIVE) / 4
    low, high = mean_interval([(cats[c]["correct"], cats[c]["n"]) for c in NON_LIVE])
    irr = cats["irrelevance"]
    full = all(cats[c]["n"] == FULL_SIZES[c] for c in FULL_SIZES)
    return {"examples_seen": seen, "non_live": mean, "non_live_ci": (low, high),
            "irrelevance": irr["accuracy"], "irrelevance_ci": tuple(irr["ci95"]), "full": full,
            "n": {c: cats[c]["n"] for c in FULL_SIZES}}


def plot(points: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for key, color, label in (("non_live", "tab:blue", "non-live AST (4-mean)"),
                              ("irrelevance", "tab:orange", "irrelevance")):
        pts = sorted(points, key=lambda p: p["examples_seen"])
        xs = [p["examples_seen"] for p in pts]
        ys = [100 * p[key] for p in pts]
        ax.plot(xs, ys, color=color, alpha=0.5)
        for p, x, y in zip(pts, xs, ys, strict=True):
            lo, hi = (100 * v for v in p[f"{key}_ci"])
            ax.errorbar([x], [y], yerr=[[y - lo], [hi - y]], fmt="o", color=color, capsize=3,
                        markerfacecolor=color if p["full"] else "white")
        ax.plot([], [], "o-", color=color, label=label)
    ax.plot([], [], "o", color="gray", markerfacecolor="white", label="subset of each category")
    ax.plot([], [], "o", color="gray", label="full sets (1,240 cases)")
    ax.set_xlabel("training examples seen")
    ax.set_ylabel("BFCL accuracy (%)")
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--point", action="append", required=True, help="TRAIN_RESULT.json:SUMMARY.json (or base:SUMMARY)")
    parser.add_argument("--out", default="docs/quality/scaling.png")
    args = parser.parse_args()
    points = [read_point(spec) for spec in args.point]
    for p in points:
        print(f"{p['examples_seen']:>6} examples  non-live {100 * p['non_live']:.1f} "
              f"({100 * p['non_live_ci'][0]:.1f}-{100 * p['non_live_ci'][1]:.1f})  irrelevance "
              f"{100 * p['irrelevance']:.1f} ({100 * p['irrelevance_ci'][0]:.1f}-{100 * p['irrelevance_ci'][1]:.1f})"
              f"  {'full sets' if p['full'] else 'subset ' + str(p['n'])}")
    plot(points, Path(args.out))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
