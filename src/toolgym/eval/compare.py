"""Paired comparison of two evaluations of the same cases: per category, the cases only one side gets right and an
exact McNemar test on them.

Two settings scored on the same cases differ by fewer cases than their separate 95% intervals suggest: the cases
both get right (or wrong) carry no information. The discordant pairs do; under "no difference" each is equally
likely to fall either way, so the two-sided p-value is the exact binomial tail on them (McNemar's exact test, as
statsmodels' `mcnemar(exact=True)` computes it; scipy and statsmodels are not dependencies, so it is written here
with `math.comb`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError
from toolgym.eval.metrics import AGGREGATE_CATEGORIES
from toolgym.eval.runner import read_results

ALL = "all"


@dataclass(frozen=True)
class PairedScore:
    """One category of a paired comparison: accuracies of both sides on the shared cases, the discordant pairs."""

    category: str
    n: int
    a_correct: int
    b_correct: int
    only_a: int
    only_b: int

    @property
    def p_value(self) -> float:
        return exact_mcnemar(self.only_a, self.only_b)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "a": self.a_correct / self.n, "b": self.b_correct / self.n, "p_value": self.p_value}


def exact_mcnemar(only_a: int, only_b: int) -> float:
    """Two-sided exact p-value of `only_a` vs `only_b` discordant pairs under a fair coin (1.0 with none)."""
    total = only_a + only_b
    if total == 0:
        return 1.0
    tail = sum(math.comb(total, k) for k in range(min(only_a, only_b) + 1)) / 2 ** total
    return min(1.0, 2 * tail)


def results_file(path: Path) -> Path:
    """A results.jsonl, or the evaluation folder that holds one (one-line error otherwise)."""
    found = path / "results.jsonl" if path.is_dir() else path
    if not found.is_file():
        raise InputError("no such results file (give a results.jsonl or the folder of one)", file=str(path))
    return found


def compare_results(a: Path, b: Path) -> list[PairedScore]:
    """Per category (in A's order), per BFCL aggregate whose categories are all there (its cases pooled, e.g.
    `non_live_ast (pooled)`: a count-weighted figure, not the 4-mean) and over all shared cases: the paired scores of A and B. Cases only one side has are left
    out; none shared is an error."""

    rows_a, rows_b = _valid_by_id(results_file(a)), _valid_by_id(results_file(b))
    shared = [key for key in rows_a if key in rows_b]
    if not shared:
        raise InputError(f"no case id in common with {b}", file=str(a))
    groups: dict[str, list[tuple[bool, bool]]] = {}
    for key in shared:
        (category, valid_a), (_, valid_b) = rows_a[key], rows_b[key]
        groups.setdefault(category, []).append((valid_a, valid_b))
    pooled = {f"{name} (pooled)": [pair for part in parts for pair in groups[part]]
              for name, parts in AGGREGATE_CATEGORIES.items()
              if len(parts) > 1 and all(part in groups for part in parts)}
    groups[ALL] = [pair for pairs in groups.values() for pair in pairs]
    groups.update(pooled)
    return [_paired(category, pairs) for category, pairs in groups.items()]


def _valid_by_id(path: Path) -> dict[str, tuple[str, bool]]:
    return {str(row["id"]): (str(row.get("category", "")), bool(row.get("valid"))) for row in read_results(path)}


def _paired(category: str, pairs: Sequence[tuple[bool, bool]]) -> PairedScore:
    return PairedScore(category=category, n=len(pairs), a_correct=sum(a for a, _ in pairs),
                       b_correct=sum(b for _, b in pairs), only_a=sum(a and not b for a, b in pairs),
                       only_b=sum(b and not a for a, b in pairs))


def render_comparison(scores: Sequence[PairedScore], names: Mapping[str, str]) -> str:
    """A markdown table: n, both accuracies, the difference, the discordant pairs and the exact p-value."""
    lines = [f"A: {names['a']}  \nB: {names['b']}", "",
             "| category | n | A | B | B − A | only A | only B | p (exact McNemar) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in scores:
        a, b = 100 * s.a_correct / s.n, 100 * s.b_correct / s.n
        label = f"**{s.category}**" if s.category == ALL else s.category
        lines.append(f"| {label} | {s.n} | {a:.2f} | {b:.2f} | {b - a:+.2f} | {s.only_a} | {s.only_b} "
                     f"| {s.p_value:.3g} |")
    return "\n".join(lines) + "\n"
