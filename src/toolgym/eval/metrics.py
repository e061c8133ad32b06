"""Scores from result rows: per-category accuracy, BFCL v4 aggregates, TL-Training TS/PI/CF, error counts.

BFCL v4 aggregation (bfcl_eval/eval_checker/eval_runner_helper.py): non-live AST is the unweighted mean of
simple, multiple, parallel and parallel_multiple. BFCL's "simple" there is the mean of simple_python,
simple_java and simple_javascript; toolgym's `non_live_ast` keeps simple_python alone, so that it stays
comparable across runs (the Java and JavaScript categories are scored and reported on their own); live AST is weighted by case count; the
irrelevance_detection bucket is the unweighted mean of irrelevance and live_irrelevance; relevance is live_relevance.

When a category was cut short (`--limit`), the aggregates over it are marked in `Summary.subset` (with the case
count; summary.md says "(subset of N cases)"), and the count-weighted live AST is named `live_ast_subset`: weighted
by the subset's counts it is not BFCL's live AST.

Every category carries a Wilson 95% interval of its accuracy, every aggregate a 95% interval too (see
`mean_interval`). Hand-written: neither scipy nor statsmodels is installed in toolgym's environment (checked).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolgym.core.schema import NO_CALL_TYPES, SAMPLE_TYPES
from toolgym.eval.bfcl import LIVE_AST, NON_LIVE_AST

Z95 = 1.959963984540054  # the standard normal's 97.5% quantile
TOP_PARAMS = 10  # rows of the summary's table of parameters named by first errors


def wilson_interval(correct: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (statsmodels' proportion_confint(method="wilson"))."""
    if n <= 0:
        return (0.0, 1.0)
    p, z2 = correct / n, z * z
    center = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (max(0.0, center - half), min(1.0, center + half))


def mean_interval(scores: Sequence[tuple[int, int]], z: float = Z95) -> tuple[float, float]:
    """95% interval of the unweighted mean of several categories' accuracies, from (correct, n) each.

    The mean's variance is sum(var_i) / k^2 over independent categories; each var_i is the Agresti-Coull
    variance p~(1 - p~) / (n + z^2) with p~ = (correct + z^2/2) / (n + z^2), which matches the Wilson
    interval's width and stays above zero at 0% or 100%. Normal interval around the plain mean, clipped to [0, 1].
    """
    k = len(scores)
    if not k or any(n <= 0 for _, n in scores):
        return (0.0, 1.0)
    mean = sum(c / n for c, n in scores) / k
    var = 0.0
    for c, n in scores:
        adjusted = (c + z * z / 2) / (n + z * z)
        var += adjusted * (1 - adjusted) / (n + z * z)
    half = z * math.sqrt(var) / k
    return (max(0.0, mean - half), min(1.0, mean + half))


@dataclass
class CategoryScore:
    """Accuracy and TS/PI/CF rates of one category (rates in [0, 1]) and the accuracy's Wilson 95% interval."""

    n: int
    correct: int
    accuracy: float
    ts: float
    pi: float
    cf: float
    # answers by the number of calls decoded from them: [no call, 1 call, 2+ calls] (over-refusal and
    # over-calling show here, not in the accuracy); None for rows without `decoded` (multi-turn)
    calls: list[int] | None = None
    # answers by their call count against the gold's: [fewer, as many, more] calls (a call-count error shows
    # here even when the calls made are right); None for rows without `gold_calls` (written before it existed)
    versus_gold: list[int] | None = None
    ci95: tuple[float, float] = field(init=False)

    def __post_init__(self) -> None:
        self.ci95 = wilson_interval(self.correct, self.n)


@dataclass
class Summary:
    """Everything `summary.json` holds; aggregates are None when one of their categories was not run."""

    name: str
    categories: dict[str, CategoryScore]
    aggregates: dict[str, float | None]
    error_types: dict[str, int]
    error_categories: dict[str, int]
    n: int
    meta: dict[str, Any] = field(default_factory=dict)
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)  # aggregate -> 95% interval
    subset: dict[str, int] = field(default_factory=dict)  # aggregate over a cut-short category -> its case count
    # parameter -> wrong answers whose first error is about it (rows written before `param` existed count none)
    error_params: dict[str, int] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        """Accuracy over all cases (the `overall` row; categories are weighted by their size)."""
        return self.categories["overall"].accuracy if "overall" in self.categories else 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def write(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "summary.json").write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        (out_dir / "summary.md").write_text(self.markdown(), encoding="utf-8")

    def markdown(self) -> str:
        """A markdown table per category, the aggregates and the error counts."""
        lines = [f"## {self.name}", "", "| category | n | accuracy | 95% CI | TS | PI | CF | answers: no call / 1 / 2+ calls "
                 "| calls vs gold: fewer / as many / more |", "|---|---:|---:|---:|---:|---:|---:|---|---|"]
        for cat, s in self.categories.items():
            shape = " / ".join(map(str, s.calls)) if s.calls else "n/a"
            versus = " / ".join(map(str, s.versus_gold)) if s.versus_gold else "n/a"
            lines.append(f"| {cat} | {s.n} | {_pct(s.accuracy)} | {_ci(s.ci95)} | {_pct(s.ts)} | {_pct(s.pi)} | "
                         f"{_pct(s.cf)} | {shape} | {versus} |")
        if any(v is not None for v in self.aggregates.values()):
            lines += ["", "| aggregate | score | 95% CI |", "|---|---:|---:|"]
            for k, v in self.aggregates.items():
                if v is not None:
                    label = f"{k} (subset of {self.subset[k]} cases)" if k in self.subset else k
                    lines.append(f"| {label} | {_pct(v)} | {_ci(self.intervals.get(k))} |")
        if self.error_categories:
            lines += ["", "| error category | count |", "|---|---:|"]
            lines += [f"| {k} | {v} |" for k, v in sorted(self.error_categories.items(), key=lambda kv: -kv[1])]
        if self.error_types:
            lines += ["", "| error type | count |", "|---|---:|"]
            lines += [f"| {k} | {v} |" for k, v in sorted(self.error_types.items(), key=lambda kv: -kv[1])]
        if self.error_params:
            top = sorted(self.error_params.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_PARAMS]
            lines += ["", f"| parameter of the first error (top {TOP_PARAMS}) | count |", "|---|---:|"]
            lines += [f"| {k} | {v} |" for k, v in top]
        return "\n".join(lines) + "\n"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}"


def _ci(interval: Sequence[float] | None) -> str:
    return "n/a" if interval is None else f"{100 * interval[0]:.1f}–{100 * interval[1]:.1f}"


def _rate(rows: Sequence[Mapping[str, Any]], key: str) -> float:
    return sum(bool(r.get(key)) for r in rows) / len(rows) if rows else 0.0


def _calls_shape(rows: Sequence[Mapping[str, Any]]) -> list[int] | None:
    if not all(isinstance(r.get("decoded"), list) for r in rows):
        return None
    counts = [len(r["decoded"]) for r in rows]
    return [counts.count(0), counts.count(1), sum(n >= 2 for n in counts)]


def _versus_gold(rows: Sequence[Mapping[str, Any]]) -> list[int] | None:
    if not all(isinstance(r.get("decoded"), list) and isinstance(r.get("gold_calls"), int) for r in rows):
        return None
    signs = [(len(r["decoded"]) > r["gold_calls"]) - (len(r["decoded"]) < r["gold_calls"]) for r in rows]
    return [signs.count(-1), signs.count(0), signs.count(1)]


def score_rows(rows: Sequence[Mapping[str, Any]]) -> CategoryScore:
    """Accuracy, TS/PI/CF and the calls-per-answer counts (alone and against the gold's) of a list of rows."""
    return CategoryScore(len(rows), sum(bool(r["valid"]) for r in rows), _rate(rows, "valid"), _rate(rows, "ts"),
                         _rate(rows, "pi"), _rate(rows, "cf"), _calls_shape(rows), _versus_gold(rows))


def category_scores(rows: Iterable[Mapping[str, Any]], order: Sequence[str] = ()) -> dict[str, CategoryScore]:
    """Per-category scores, in `order` first and then by first appearance."""
    grouped: dict[str, list[Mapping[str, Any]]] = {cat: [] for cat in order}
    for row in rows:
        grouped.setdefault(row["category"], []).append(row)
    return {cat: score_rows(rs) for cat, rs in grouped.items() if rs}


# name -> (categories, count-weighted?); "irrelevance_detection", not "irrelevance": that is a category, and
# recipes merge both into one metrics dict
_AGGREGATES: dict[str, tuple[tuple[str, ...], bool]] = {
    "non_live_ast": (NON_LIVE_AST, False), "live_ast": (LIVE_AST, True),
    "irrelevance_detection": (("irrelevance", "live_irrelevance"), False), "relevance": (("live_relevance",), True),
}


AGGREGATE_CATEGORIES: dict[str, tuple[str, ...]] = {name: names for name, (names, _) in _AGGREGATES.items()}
SUITE_AGGREGATES = ("answerable", "no_call")  # a toolgym suite's cases with a gold call / with "no call" as gold


def suite_aggregates(cats: Mapping[str, CategoryScore]) -> dict[str, tuple[float, tuple[float, float], int]]:
    """(accuracy, Wilson 95% interval, cases) pooled over a suite's answerable record types and over its no-call
    ones (`core.schema.NO_CALL_TYPES`): the two sides of the call / no-call trade-off; a side without cases is
    left out, and so is a run with a category that is not a toolgym record type (BFCL's, under noise)."""
    if any(name not in SAMPLE_TYPES for name in cats if name != "overall"):
        return {}
    sides: dict[str, list[CategoryScore]] = {name: [] for name in SUITE_AGGREGATES}
    for name, score in cats.items():
        if name != "overall":
            sides["no_call" if name in NO_CALL_TYPES else "answerable"].append(score)
    out = {}
    for side, scores in sides.items():
        correct, total = sum(s.correct for s in scores), sum(s.n for s in scores)
        if total:
            out[side] = (correct / total, wilson_interval(correct, total), total)
    return out


def bfcl_aggregates(cats: Mapping[str, CategoryScore]) -> dict[str, float | None]:
    """BFCL v4's non-live AST (unweighted), live AST (count-weighted), irrelevance and relevance buckets."""
    return {name: score for name, (score, _) in _aggregates(cats).items()}


def _aggregates(cats: Mapping[str, CategoryScore]) -> dict[str, tuple[float | None, tuple[float, float] | None]]:
    """(score, 95% interval) per aggregate; (None, None) when one of its categories was not run."""
    out: dict[str, tuple[float | None, tuple[float, float] | None]] = {}
    for name, (names, weighted) in _AGGREGATES.items():
        if not all(n in cats and cats[n].n for n in names):
            out[name] = (None, None)
        elif weighted:  # pooled: one proportion over all cases
            correct, total = sum(cats[n].correct for n in names), sum(cats[n].n for n in names)
            out[name] = (correct / total, wilson_interval(correct, total))
        else:
            out[name] = (sum(cats[n].accuracy for n in names) / len(names),
                         mean_interval([(cats[n].correct, cats[n].n) for n in names]))
    return out


def summarize(rows: Sequence[Mapping[str, Any]], name: str, order: Sequence[str] = (), *,
              bfcl: bool = False, meta: dict[str, Any] | None = None,
              totals: Mapping[str, int] | None = None) -> Summary:
    """The summary of a run's result rows: BFCL's aggregates for BFCL runs, a suite's answerable and no-call
    sides (`suite_aggregates`) otherwise.

    `totals` (category -> its full case count) marks the aggregates over a category with fewer rows as subsets;
    without it every category counts as complete.
    """
    cats = category_scores(rows, order)
    if rows:
        cats["overall"] = score_rows(rows)
    computed = _aggregates(cats) if bfcl else {}
    cut = {c for c, s in cats.items() if totals is not None and c in totals and s.n < totals[c]}
    aggregates: dict[str, float | None] = {}
    intervals: dict[str, tuple[float, float]] = {}
    subset: dict[str, int] = {}
    for agg, (score, interval) in computed.items():
        members = _AGGREGATES[agg][0]
        limited = score is not None and bool(cut & set(members))
        key = "live_ast_subset" if limited and agg == "live_ast" else agg  # not BFCL's count-weighted live AST
        aggregates[key] = score
        if interval is not None:
            intervals[key] = interval
        if limited:
            subset[key] = sum(cats[m].n for m in members)
    if not bfcl:
        for agg, (score, interval, _) in suite_aggregates(cats).items():
            aggregates[agg], intervals[agg] = score, interval
    error_types = Counter(r["error_type"] for r in rows if not r["valid"] and r.get("error_type"))
    error_cats = Counter(r["error_category"] for r in rows if not r["valid"] and r.get("error_category"))
    error_params = Counter(r["param"] for r in rows if not r["valid"] and r.get("param"))
    return Summary(name, cats, aggregates, dict(error_types), dict(error_cats), len(rows), meta or {},
                   intervals, subset, dict(error_params))


def call_rates(prefix: str, summary: Summary) -> dict[str, float]:
    """TS (tool selection), PI (parameter identification) and CF (content filling) over all of a run's cases,
    as recipe metrics `<prefix>_ts`, `<prefix>_pi`, `<prefix>_cf`."""
    overall = summary.categories.get("overall")
    if overall is None:
        return {}
    return {f"{prefix}_ts": overall.ts, f"{prefix}_pi": overall.pi, f"{prefix}_cf": overall.cf}
