"""`toolgym ablate`'s tables: each variant's cells (a score with its 95% interval or, over several seeds, the
seeds' range), the case counts behind them, and each row paired against its reference row on the same cases."""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError
from toolgym.core.runs import FINAL_EVAL
from toolgym.core.schema import NO_CALL_TYPES
from toolgym.eval.compare import PairedScore, compare_results

Cell = tuple[float, tuple[float, float] | None]  # (score, its 95% interval)


def ablation_table(title: str, rows: list[tuple[str, dict[str, Cell | float], Budget]], keys: list[str],
                   cases: dict[str, int] | None = None) -> str:
    """Markdown: one row per variant, each metric as % with its 95% interval, the case count in the header,
    tokens trained and (if any row has RL) RL completions trained on; the no-call share of each variant's training
    records where the variants' datasets differ in it. The device the rows trained on is a line
    under the table when they share one, and a column when they do not (rows resumed on another machine)."""
    cases = cases or {}
    rl = any(budget.rl_completions for _, _, budget in rows)
    devices = {"; ".join(budget.devices) for _, _, budget in rows if budget.devices}
    per_row = len(devices) > 1
    shares = len({budget.no_call_share for _, _, budget in rows}) > 1  # the variants' datasets differ there
    extra = (["no-call records"] if shares else []) + ["tokens trained"] + (["RL completions"] if rl else []) \
        + (["trained on"] if per_row else [])
    heads = [f"{k} (n={cases[k]:,})" if k in cases else k for k in keys]
    lines = [f"### {title}", "", "| variant | " + " | ".join([*heads, *extra]) + " |",
             "|---|" + "---:|" * (len(keys) + len(extra))]
    for label, metrics, budget in rows:
        cells = [_cell(metrics.get(k)) for k in keys]
        if shares:
            cells.append(_cell(budget.no_call_share))
        cells.append(f"{budget.tokens:,}")
        if rl:
            cells.append(f"{budget.rl_completions:,}")
        if per_row:
            cells.append("; ".join(budget.devices) or "–")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if len(devices) == 1:
        lines += ["", f"Every row trained on {devices.pop()}."]
    return "\n".join(lines) + "\n"


def select_metrics(keys: list[str], patterns: list[str] | None) -> list[str]:
    """The metric columns that match `patterns` (fnmatch globs), in the patterns' order; all without patterns.
    A pattern that matches nothing is a one-line error listing the metrics there are."""
    if not patterns:
        return keys
    chosen: list[str] = []
    for pattern in patterns:
        matched = [k for k in keys if fnmatch.fnmatchcase(k, pattern)]
        if keys and not matched:
            raise InputError(f"{pattern!r} matches no metric; there are {', '.join(keys)}", field="--metrics")
        chosen.extend(k for k in matched if k not in chosen)
    return chosen


def _cell(cell: Cell | float | None) -> str:
    """A score as %, with its interval when it has one (a bare number: a metric without one)."""
    if isinstance(cell, int | float):
        cell = (float(cell), None)
    if cell is None or cell[0] is None:
        return "–"
    value, interval = cell
    return f"{100 * value:.1f}" + (f" ({100 * interval[0]:.1f}–{100 * interval[1]:.1f})" if interval else "")


def final_cells(run_dir: Path, metrics: dict[str, float]) -> tuple[dict[str, Cell], dict[str, int]]:
    """Each final-eval metric with its 95% interval, and the case count behind it, from the summaries under
    eval_final/ (BFCL categories and aggregates, suites, episode suites); ToolDev's overall = (non-live + live)
    / 2 when both were run."""
    from toolgym.eval.metrics import SUITE_AGGREGATES

    cells: dict[str, Cell] = {k: (v, None) for k, v in metrics.items()}
    cases: dict[str, int] = {}
    for path in sorted((run_dir / FINAL_EVAL).glob("*/summary.json")):
        summary = json.loads(path.read_text())
        folder, categories = path.parent.name, summary.get("categories") or {}
        # a suite's aggregates (its answerable / no-call sides) and an episode suite's are named after it
        prefix = "" if folder == "bfcl" else folder.removeprefix("episodes-") + "_"
        for name, score in categories.items():
            key = name if folder == "bfcl" else (folder if name == "overall" and folder == prefix[:-1] else None)
            if key in cells and score.get("ci95"):
                cells[key], cases[key] = (cells[key][0], tuple(score["ci95"])), score["n"]
        for name, interval in (summary.get("intervals") or {}).items():
            key = prefix + name
            if key in cells and interval:
                cells[key] = (cells[key][0], tuple(interval))
                cases[key] = aggregate_cases(name, categories) if not prefix or name in SUITE_AGGREGATES \
                    else summary["n"]
    if "non_live_ast" in cells and "live_ast" in cells:
        cells["overall_tooldev"], cases["overall_tooldev"] = _mean_cell(cells["non_live_ast"], cells["live_ast"]), \
            cases.get("non_live_ast", 0) + cases.get("live_ast", 0)
    return cells, cases


def aggregate_cases(name: str, categories: dict[str, Any]) -> int:
    """The cases behind a BFCL aggregate or a suite's answerable / no-call side, from a summary's categories."""
    from toolgym.eval.metrics import AGGREGATE_CATEGORIES

    if name in AGGREGATE_CATEGORIES:
        return sum(categories[c]["n"] for c in AGGREGATE_CATEGORIES[name] if c in categories)
    no_call = sum(s["n"] for c, s in categories.items() if c in NO_CALL_TYPES)
    return no_call if name == "no_call" else categories.get("overall", {}).get("n", 0) - no_call


def _mean_cell(a: Cell, b: Cell) -> Cell:
    """The mean of two independent scores; its interval from their half-widths (normal approximation)."""
    value = (a[0] + b[0]) / 2
    if a[1] is None or b[1] is None:
        return value, None
    half = ((a[1][1] - a[1][0]) ** 2 + (b[1][1] - b[1][0]) ** 2) ** 0.5 / 4
    return value, (max(0.0, value - half), min(1.0, value + half))


def row_label(label: str, finished: int, seeds: int) -> str:
    """A row's label, saying so when fewer of its seeds than asked have finished."""
    return label if finished == seeds else f"{label} ({finished} of {seeds} seeds)"


# the paired section's default categories (`toolgym eval compare`'s names): pooled BFCL aggregates, irrelevance
DEFAULT_PAIRED = ["*(pooled)", "irrelevance"]


@dataclass(frozen=True)
class SeedRun:
    """One variant trained and evaluated under one seed."""
    seed: int
    cells: dict[str, Cell]
    budget: Budget
    run_dir: Path


def seed_mean(runs: list[SeedRun]) -> tuple[dict[str, Cell], Budget]:
    """One seed's cells and budget as they are; several seeds' as the mean score with the lowest and highest
    seed's score as its bracket, and the mean budget."""
    if len(runs) == 1:
        return runs[0].cells, runs[0].budget
    cells: dict[str, Cell] = {}
    for key in dict.fromkeys(k for run in runs for k in run.cells):
        scores = [run.cells[key][0] for run in runs if key in run.cells and run.cells[key][0] is not None]
        if scores:
            cells[key] = (sum(scores) / len(scores), (min(scores), max(scores)))
    budgets = [run.budget for run in runs]
    budget = Budget(sum(b.tokens for b in budgets) // len(budgets),
                    sum(b.rl_completions for b in budgets) // len(budgets),
                    tuple(dict.fromkeys(d for b in budgets for d in b.devices)), budgets[0].no_call_share)
    return cells, budget


def paired_table(runs: dict[str, list[SeedRun]], against: dict[str, str], patterns: list[str]) -> str:
    """Markdown: each row against its reference row on the same cases, per category matching `patterns`
    (`toolgym eval compare`'s names; suites' prefixed `<suite>:`), the discordant cases summed over the seeds both
    rows ran, the net per seed and the exact McNemar p-value of the sums. Empty when no pair shares results."""
    lines = []
    for label, reference in against.items():
        if label == reference or label not in runs or reference not in runs:
            continue
        totals: dict[str, PairedScore] = {}
        nets: dict[str, list[str]] = {}
        ref_by_seed = {run.seed: run for run in runs[reference]}
        for run in (r for r in runs[label] if r.seed in ref_by_seed):
            for category, score in paired_scores(ref_by_seed[run.seed].run_dir, run.run_dir, patterns):
                totals[category] = _summed(totals.get(category), score)
                nets.setdefault(category, []).append(f"{score.only_b - score.only_a:+d}")
        for category, t in totals.items():
            lines.append(f"| {label} | {reference} | {category} | {t.n:,} | {100 * t.a_correct / t.n:.1f} | "
                         f"{100 * t.b_correct / t.n:.1f} | {t.only_a} / {t.only_b} | {', '.join(nets[category])} | "
                         f"{t.p_value:.3g} |")
    if not lines:
        return ""
    head = ["", "### Paired: each row against the row it extends (else the first row), on the same cases", "",
            "| variant | against | category | cases (x seeds) | against (%) | variant (%) | right only against / "
            "only variant | net per seed | p (exact McNemar) |", "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    return "\n".join(head + lines) + "\n"


def _summed(total: PairedScore | None, score: PairedScore) -> PairedScore:
    """Two seeds' paired counts of one category added up."""
    if total is None:
        return score
    return PairedScore(score.category, total.n + score.n, total.a_correct + score.a_correct,
                       total.b_correct + score.b_correct, total.only_a + score.only_a, total.only_b + score.only_b)


def paired_scores(reference: Path, run: Path, patterns: list[str]) -> list[tuple[str, PairedScore]]:
    """(category, PairedScore) of two runs' final evals, per eval folder both wrote results to, for the
    categories matching `patterns`; a suite's categories are named `<suite>:<category>`."""

    out = []
    for results in sorted((reference / FINAL_EVAL).glob("*/results.jsonl")):
        other = run / FINAL_EVAL / results.parent.name / "results.jsonl"
        if not other.is_file() or _suite_hash(results) != _suite_hash(other):  # a variant's own suite: other cases
            continue
        prefix = "" if results.parent.name == "bfcl" else results.parent.name + ":"
        for score in compare_results(results, other):
            name = prefix + score.category
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
                out.append((name, score))
    return out


def _suite_hash(results: Path) -> str | None:
    """The content hash of the suite file an evaluation scored (its run identity), None for BFCL or none."""
    try:
        return json.loads((results.parent / "run_identity.json").read_text()).get("suite_sha256")
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class Budget:
    """What a variant trained on: tokens in the SFT-like stages' loss, completions in its RL stages, and the
    devices its stages trained on (`toolgym.models.hardware.capability().line()`, as their manifests say)."""
    tokens: int = 0
    rl_completions: int = 0
    devices: tuple[str, ...] = ()
    no_call_share: float | None = None  # of the training records of the variant's dataset (its manifest)

    def __add__(self, other: Budget) -> Budget:
        share = self.no_call_share if self.no_call_share is not None else other.no_call_share
        return Budget(self.tokens + other.tokens, self.rl_completions + other.rl_completions,
                      tuple(dict.fromkeys(self.devices + other.devices)), share)
