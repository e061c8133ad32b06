"""The run report: a before/after table and a bar chart per category."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def comparison_rows(before: dict[str, float], after: dict[str, float]) -> list[tuple[str, float | None, float | None]]:
    keys = list(dict.fromkeys([*before, *after]))
    return [(key, before.get(key), after.get(key)) for key in keys]


def write_report(run_dir: Path, title: str, before: dict[str, float], after: dict[str, float],
                 notes: list[str] | None = None, extra: dict[str, Any] | None = None,
                 sections: list[str] | None = None) -> Path:
    """Write report.md and report.png (grouped bars, before vs after) into `run_dir`; `sections` are markdown
    blocks appended at the end (e.g. each RL stage's reward trend)."""
    rows = comparison_rows(before, after)
    chart = run_dir / "report.png"
    plot_comparison(rows, chart, title)
    lines = [f"# {title}", "", "| metric | before (%) | after (%) | Δ (points) |", "|---|---:|---:|---:|"]
    for key, b, a in rows:
        delta = "–" if a is None or b is None else f"{100 * (a - b):+.1f}"
        lines.append(f"| {key} | {_fmt(b)} | {_fmt(a)} | {delta} |")
    lines += ["", f"![before vs after]({chart.name})", ""]
    for note in notes or []:
        lines.append(f"- {note}")
    for key, value in (extra or {}).items():
        lines.append(f"- **{key}**: {value}")
    for section in sections or []:
        lines += ["", section]
    path = run_dir / "report.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def plot_comparison(rows: list[tuple[str, float | None, float | None]], out: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [r[0] for r in rows]
    before = [100 * (r[1] or 0.0) for r in rows]
    after = [100 * (r[2] or 0.0) for r in rows]
    width = 0.4
    xs = range(len(rows))
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(rows)), 4))
    ax.bar([x - width / 2 for x in xs], before, width, label="before")
    ax.bar([x + width / 2 for x in xs], after, width, label="after")
    ax.set_xticks(list(xs), labels, rotation=30, ha="right")
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 100)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
