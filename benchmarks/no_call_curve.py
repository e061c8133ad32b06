"""Issue 14's no-call trade-off curve: dev answerable accuracy and dev refusals against the measured no-call share
of each variant's training records, from the runs of `toolgym ablate RECIPE --study no_call` (same arguments).

Each point is one variant: its dataset's no-call share (`recipes.ablate.no_call_share`) and its final eval's
suite summary (`<suite>`'s `answerable` and `no_call` sides with their Wilson 95% intervals). The variants'
suite files are checked to be one file (their manifests' sha256), so every point is scored on the same cases.

    python benchmarks/no_call_curve.py recipes/quickstart.yaml --steps 200 --batch 4 --suite dev \
        --set eval.categories=[] --set eval.suites=[dev.jsonl] ... \
        --json docs/quality/stop34/no_call_curve.json --out docs/quality/stop34/no_call_curve.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from toolgym.recipes.ablate import aggregate_cases, no_call_share, variant_recipes
from toolgym.recipes.manifest import read_manifest
from toolgym.recipes.runner import FINAL_EVAL


def curve_points(recipe: str, steps: int, batch: int, overrides: list[str], suite: str) -> list[dict]:
    """One point per variant whose final eval of `suite` is on disk, in the study's order."""
    points, digests = [], set()
    for label, variant, _ in variant_recipes(recipe, "no_call", steps, batch, overrides):
        summary_file = variant.run_dir / FINAL_EVAL / suite / "summary.json"
        if not summary_file.is_file():
            continue
        summary = json.loads(summary_file.read_text())
        dataset = Path(variant.data.path)
        digests.add(((read_manifest(dataset) or {}).get("files") or {}).get(suite, {}).get("sha256"))
        sides = {side: {"accuracy": summary["aggregates"][side], "ci95": summary["intervals"][side],
                        "n": aggregate_cases(side, summary["categories"])} for side in ("answerable", "no_call")}
        points.append({"variant": label, "no_call_share": no_call_share(dataset), **sides,
                       "overall": summary["categories"]["overall"]["accuracy"]})
    if len(digests) > 1:
        raise SystemExit(f"the variants' {suite} files differ ({len(digests)} digests): the points are not comparable")
    return points


def plot(points: list[dict], out: Path, suite: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    xs = [100 * p["no_call_share"] for p in points]
    for side, color, label in (("answerable", "tab:blue", f"{suite}: answerable cases right"),
                               ("no_call", "tab:orange", f"{suite}: no-call cases refused")):
        ys = [100 * p[side]["accuracy"] for p in points]
        errs = [[y - 100 * p[side]["ci95"][0] for y, p in zip(ys, points, strict=True)],
                [100 * p[side]["ci95"][1] - y for y, p in zip(ys, points, strict=True)]]
        ax.errorbar(xs, ys, yerr=errs, color=color, marker="o", capsize=3,
                    label=f"{label} (n={points[0][side]['n']})")
    ax.axhline(65, color="grey", linestyle=":", linewidth=1, label="issue 14's irrelevance floor (65%)")
    ax.set_xlabel("no-call share of the training records (%)")
    ax.set_ylabel("% (95% Wilson interval)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe")
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--suite", default="dev", help="the suite folder of eval_final/ to plot")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    points = curve_points(args.recipe, args.steps, args.batch, args.overrides, args.suite)
    for p in points:
        print(f"{p['variant']:>20}  no-call records {100 * p['no_call_share']:5.1f}%  "
              f"answerable {100 * p['answerable']['accuracy']:5.1f}  no-call refused {100 * p['no_call']['accuracy']:5.1f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(points, indent=2) + "\n")
    if args.out and points:
        plot(points, args.out, args.suite)


if __name__ == "__main__":
    main()
