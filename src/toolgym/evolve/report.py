"""Markdown section of a run report for the `evolve` stage: one row per round (counts, QC, dev and BFCL)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REPORT = "evolve_report.md"


def _pct(value: Any) -> str:
    return f"{100 * value:.1f}" if isinstance(value, int | float) else "–"


def _rate(step: Mapping[str, Any] | None) -> str:
    return f"{step['queries_per_second']:.2f}" if step and step.get("queries_per_second") else "–"


def round_row(m: Mapping[str, Any]) -> str:
    """One table row; round 0 (the input adapter) has only its dev and BFCL scores."""
    metrics = m.get("metrics") or {}
    bfcl = metrics.get("bfcl") or {}
    if not m["round"]:
        counts = "| – | – | – | – | – | – |"
    else:
        precision, diversity = m["label_precision"], m["tool_diversity"]
        dropped = ", ".join(f"{reason} {n}" for reason, n in m["dropped_by_reason"].items()) or "–"
        counts = (f"| {m['kept']}/{m['queries']} | {dropped} | {_pct(m['mean_agreement'])} | "
                  f"{_pct(precision['exact'])} / {_pct(precision['values'])} (n={precision['with_gold']}) | "
                  f"{diversity['distinct_names']}/{diversity['tools']}, "
                  f"{diversity['parameter_count_mean']}±{diversity['parameter_count_stdev']} | "
                  f"{m['seconds']:.0f} |")
    return f"| {m['round']} {counts} {_pct(metrics.get('dev'))} | {_pct(bfcl.get('non_live_ast'))} |"


def evolve_report(name: str, result: Mapping[str, Any]) -> str:
    """Per-round table, generation speed per step, and the round kept."""
    lines = [f"## Self-evolution stage `{name}`", "",
             "Round 0 is the input adapter. Label precision: kept samples whose voted calls equal the synthetic "
             "engine's gold exactly / with the same argument values (tool or parameter names may differ). "
             "Tools: distinct names / tools kept, parameters per tool mean±sd.", "",
             "| round | kept | dropped by reason | mean vote agreement (%) | label precision (%) | tools | "
             "seconds | dev (%) | BFCL non-live AST (%) |",
             "|---:|---:|---|---:|---:|---|---:|---:|---:|"]
    lines += [round_row(m) for m in result["rounds"]]
    lines += ["", "| round | tools q/s | invoke q/s | vote q/s |", "|---:|---:|---:|---:|"]
    lines += [f"| {m['round']} | {_rate(m['timings'].get('tools'))} | {_rate(m['timings'].get('invoke'))} | "
              f"{_rate(m['timings'].get('vote'))} |" for m in result["rounds"] if m["round"]]
    lines += ["", f"Kept: round {result['best_round']} (best on the dev set)."]
    return "\n".join(lines) + "\n"
