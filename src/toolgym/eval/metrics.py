"""Scores from result rows: per-category accuracy, BFCL v4 aggregates, TL-Training TS/PI/CF, error counts.

BFCL v4 aggregation (bfcl_eval/eval_checker/eval_runner_helper.py): non-live AST is the unweighted mean of
simple, multiple, parallel and parallel_multiple (BFCL's "simple" also averages Java and JavaScript, which
toolgym does not run yet, so here it is simple_python); live AST is weighted by case count; the
irrelevance_detection bucket is the unweighted mean of irrelevance and live_irrelevance; relevance is live_relevance.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolgym.eval.bfcl import LIVE_AST, NON_LIVE_AST


@dataclass
class CategoryScore:
    """Accuracy and TS/PI/CF rates of one category (rates in [0, 1])."""

    n: int
    correct: int
    accuracy: float
    ts: float
    pi: float
    cf: float


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
        lines = [f"## {self.name}", "", "| category | n | accuracy | TS | PI | CF |", "|---|---:|---:|---:|---:|---:|"]
        for cat, s in self.categories.items():
            lines.append(f"| {cat} | {s.n} | {_pct(s.accuracy)} | {_pct(s.ts)} | {_pct(s.pi)} | {_pct(s.cf)} |")
        if any(v is not None for v in self.aggregates.values()):
            lines += ["", "| aggregate | score |", "|---|---:|"]
            lines += [f"| {k} | {_pct(v)} |" for k, v in self.aggregates.items() if v is not None]
        if self.error_categories:
            lines += ["", "| error category | count |", "|---|---:|"]
            lines += [f"| {k} | {v} |" for k, v in sorted(self.error_categories.items(), key=lambda kv: -kv[1])]
        if self.error_types:
            lines += ["", "| error type | count |", "|---|---:|"]
            lines += [f"| {k} | {v} |" for k, v in sorted(self.error_types.items(), key=lambda kv: -kv[1])]
        return "\n".join(lines) + "\n"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}"


def _rate(rows: Sequence[Mapping[str, Any]], key: str) -> float:
    return sum(bool(r.get(key)) for r in rows) / len(rows) if rows else 0.0


def category_scores(rows: Iterable[Mapping[str, Any]], order: Sequence[str] = ()) -> dict[str, CategoryScore]:
    """Per-category scores, in `order` first and then by first appearance."""
    grouped: dict[str, list[Mapping[str, Any]]] = {cat: [] for cat in order}
    for row in rows:
        grouped.setdefault(row["category"], []).append(row)
    return {cat: CategoryScore(len(rs), sum(bool(r["valid"]) for r in rs), _rate(rs, "valid"), _rate(rs, "ts"),
                               _rate(rs, "pi"), _rate(rs, "cf"))
            for cat, rs in grouped.items() if rs}


def bfcl_aggregates(cats: Mapping[str, CategoryScore]) -> dict[str, float | None]:
    """BFCL v4's non-live AST (unweighted), live AST (count-weighted), irrelevance and relevance buckets."""
    def unweighted(names: Sequence[str]) -> float | None:
        return sum(cats[n].accuracy for n in names) / len(names) if all(n in cats for n in names) else None

    def weighted(names: Sequence[str]) -> float | None:
        if not all(n in cats for n in names):
            return None
        total = sum(cats[n].n for n in names)
        return sum(cats[n].correct for n in names) / total if total else None

    return {
        "non_live_ast": unweighted(NON_LIVE_AST),
        "live_ast": weighted(LIVE_AST),
        "irrelevance_detection": unweighted(("irrelevance", "live_irrelevance")),  # not "irrelevance": a category
        "relevance": cats["live_relevance"].accuracy if "live_relevance" in cats else None,
    }


def summarize(rows: Sequence[Mapping[str, Any]], name: str, order: Sequence[str] = (), *,
              bfcl: bool = False, meta: dict[str, Any] | None = None) -> Summary:
    """The summary of a run's result rows (BFCL aggregates only for BFCL runs)."""
    cats = category_scores(rows, order)
    if rows:
        cats["overall"] = CategoryScore(len(rows), sum(bool(r["valid"]) for r in rows), _rate(rows, "valid"),
                                        _rate(rows, "ts"), _rate(rows, "pi"), _rate(rows, "cf"))
    aggregates = bfcl_aggregates(cats) if bfcl else {}
    error_types = Counter(r["error_type"] for r in rows if not r["valid"] and r.get("error_type"))
    error_cats = Counter(r["error_category"] for r in rows if not r["valid"] and r.get("error_category"))
    return Summary(name, cats, aggregates, dict(error_types), dict(error_cats), len(rows), meta or {})
