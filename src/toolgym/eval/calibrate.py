"""Choose the call gate's bias on a dev split: how well does the model's first token separate the cases a tool
answers from those it does not, and which logit offset balances the two?

A model trained on the ToolDev format decides "call or not" at its first answer token (the call opener, or
prose). `call_margin` is logit(opener) − max(other logits) there, from one prefill per case; the model calls
iff margin + bias > 0. So one pass over a dev split gives the whole trade-off: for every bias, the share of
answerable cases that call (call recall) and of unanswerable ones that do not (refusal recall). The chosen
bias maximises their mean (balanced accuracy; a dev split's own mix of no-call cases then does not decide it),
or, with `min_refusal` R, gives the most calls among the biases that still refuse at least R of the unanswerable
cases (an operating point stated as a target, like a precision floor); with `call_tolerance` t, the lowest of the
biases whose calls are within t of that most (the last answerable case or two can sit among the unanswerable
ones, and reaching them gives up refusals the floor does not need); it goes to `toolgym eval … --call-bias`.
Never run this on the test set.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError
from toolgym.eval.cases import EvalCase
from toolgym.eval.runner import prompt_tools

CALIBRATION, MARGINS = "calibration.json", "margins.jsonl"
MIN_AUC = 0.6  # below it the margin does not separate the two kinds of case: a bias would only pick an extreme
BIAS_GRID = tuple(round(x / 10, 1) for x in range(-120, 121))  # -12 .. 12 in steps of 0.1


@dataclass
class GatePoint:
    bias: float
    call_recall: float  # answerable cases whose first token opens a call
    refusal_recall: float  # unanswerable cases whose first token does not

    @property
    def balanced(self) -> float:
        return (self.call_recall + self.refusal_recall) / 2


@dataclass
class Calibration:
    cases: int
    answerable: int
    unanswerable: int
    auc: float | None  # P(margin of an answerable case > margin of an unanswerable one)
    bias: float  # the chosen point
    curve: list[GatePoint] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def point(self, bias: float) -> GatePoint:
        return min(self.curve, key=lambda p: abs(p.bias - bias))

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["curve"] = [{**asdict(p), "balanced": round(p.balanced, 4)} for p in self.curve]
        return out

    def rule_line(self) -> str:
        if self.meta.get("rule") == "no_separation":
            return f"Chosen: bias 0, the model's own decision (AUC below {_pct(self.meta['min_auc'])}: no bias helps)."
        if self.meta.get("rule") == "min_refusal":
            tolerance = self.meta.get("call_tolerance") or 0.0
            within = f" (the lowest bias within {_pct(tolerance)} points of them)" if tolerance else ""
            return f"Chosen: the most calls with at least {_pct(self.meta['min_refusal'])}% refusals{within}."
        return "Chosen: the best balanced accuracy."

    def markdown(self) -> str:
        chosen, zero = self.point(self.bias), self.point(0.0)
        lines = [f"# Call gate calibration ({self.cases} cases: {self.answerable} answerable, "
                 f"{self.unanswerable} without a fitting tool)", "",
                 f"AUC of the first-token call margin: {_pct(self.auc)}", "", self.rule_line(), "",
                 "| bias | calls on answerable (%) | refusals on unanswerable (%) | balanced (%) |",
                 "|---:|---:|---:|---:|"]
        moving = [p for p in self.curve if 0 < p.call_recall < 1 or 0 < p.refusal_recall < 1]
        low, high = (moving[0].bias - 1, moving[-1].bias + 1) if moving else (-1.0, 1.0)
        for p in self.curve:  # every half point where the curve moves, one beyond each end, the chosen one and 0
            if (low <= p.bias <= high and round(p.bias * 2) == p.bias * 2) or p in (chosen, zero):
                mark = " **(chosen)**" if p is chosen else ""
                lines.append(f"| {p.bias:+.1f}{mark} | {_pct(p.call_recall)} | {_pct(p.refusal_recall)} | "
                             f"{_pct(p.balanced)} |")
        return "\n".join(lines) + "\n"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}"


def gate_curve(margins: Sequence[float], answerable: Sequence[bool],
               grid: Sequence[float] = BIAS_GRID) -> list[GatePoint]:
    """Call and refusal recall at each bias of `grid` (a case calls iff margin + bias > 0)."""
    pos = [m for m, a in zip(margins, answerable, strict=True) if a]
    neg = [m for m, a in zip(margins, answerable, strict=True) if not a]
    points = []
    for bias in grid:
        calls = sum(m + bias > 0 for m in pos) / len(pos) if pos else 0.0
        refusals = sum(m + bias <= 0 for m in neg) / len(neg) if neg else 0.0
        points.append(GatePoint(bias, round(calls, 4), round(refusals, 4)))
    return points


def auc(margins: Sequence[float], answerable: Sequence[bool]) -> float | None:
    """Mann–Whitney AUC (ties count half); None without both kinds of case."""
    pos = [m for m, a in zip(margins, answerable, strict=True) if a]
    neg = [m for m, a in zip(margins, answerable, strict=True) if not a]
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return round(wins / (len(pos) * len(neg)), 4)


def calibrate(margins: Sequence[float], answerable: Sequence[bool], meta: dict[str, Any] | None = None,
              min_refusal: float | None = None, call_tolerance: float = 0.0) -> Calibration:
    """The gate curve and the chosen bias: 0 when the AUC is under `MIN_AUC`; else the best balanced accuracy
    (the one nearest 0 among ties), or with `min_refusal` the most calls among the points refusing at least that
    share of unanswerable cases (the smallest bias among ties, or among the points within `call_tolerance` of
    the most calls; the most refusing point when none reaches the floor)."""
    curve = gate_curve(margins, answerable)
    area = auc(margins, answerable)
    if area is None or area < MIN_AUC:  # no separation (e.g. a barely trained adapter): keep the model's own choice
        bias, rule = 0.0, {"rule": "no_separation", "min_auc": MIN_AUC}
    elif min_refusal is None:
        bias, rule = max(curve, key=lambda p: (round(p.balanced, 4), -abs(p.bias))).bias, {"rule": "balanced"}
    else:
        meeting = [p for p in curve if p.refusal_recall >= min_refusal]
        if meeting:
            most = max(p.call_recall for p in meeting)
            best = min((p for p in meeting if p.call_recall >= most - call_tolerance - 1e-9), key=lambda p: p.bias)
        else:
            best = max(curve, key=lambda p: (p.refusal_recall, p.call_recall))
        bias, rule = best.bias, {"rule": "min_refusal", "min_refusal": min_refusal, "call_tolerance": call_tolerance}
    n_pos = sum(bool(a) for a in answerable)
    return Calibration(len(margins), n_pos, len(margins) - n_pos, area, bias, curve, {**rule, **(meta or {})})


def case_margins(generator: Any, cases: Sequence[EvalCase], fmt: str = "hermes") -> list[float]:
    """The first-token call margin of each case's prompt (rendered as the evaluation renders it)."""
    from toolgym.core.formats import render_prompt, supports_tools

    sanitize = supports_tools(generator.tokenizer)
    prompts = [render_prompt(generator.tokenizer, c.messages, prompt_tools(c.tools, sanitize), fmt=fmt) for c in cases]
    return generator.call_margins(prompts)


def run_calibration(generator: Any, cases: Sequence[EvalCase], out_dir: Path | str, fmt: str = "hermes",
                    meta: dict[str, Any] | None = None, min_refusal: float | None = None,
                    call_tolerance: float = 0.0) -> Calibration:
    """Margins for `cases` (answerable = has gold calls), the calibration, and its files in `out_dir`."""
    margins = case_margins(generator, cases, fmt)
    rows = [{"id": c.id, "category": c.category, "answerable": bool(c.answer),
             "margin": round(m, 4) if math.isfinite(m) else m} for c, m in zip(cases, margins, strict=True)]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARGINS).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return write_calibration(rows, out, meta, min_refusal, call_tolerance)


def write_calibration(rows: Sequence[dict[str, Any]], out_dir: Path, meta: dict[str, Any] | None = None,
                      min_refusal: float | None = None, call_tolerance: float = 0.0) -> Calibration:
    """The calibration of margin rows (`margins.jsonl`'s), written as calibration.json and calibration.md."""
    result = calibrate([float(r["margin"]) for r in rows], [bool(r["answerable"]) for r in rows], meta, min_refusal,
                       call_tolerance)
    (out_dir / CALIBRATION).write_text(json.dumps(result.as_dict(), indent=2) + "\n", encoding="utf-8")
    (out_dir / "calibration.md").write_text(result.markdown(), encoding="utf-8")
    return result


def recalibrate(margins_file: Path | str, out_dir: Path | str, min_refusal: float | None = None,
                call_tolerance: float = 0.0) -> Calibration:
    """The calibration again from a saved margins.jsonl, without a model."""
    from toolgym.data.io import iter_jsonl

    rows = []
    for line, row in iter_jsonl(margins_file, strict=True):
        for key, kind in (("answerable", bool), ("margin", (int, float))):
            if not isinstance(row.get(key), kind):
                raise InputError(f"needs a {key!r} of type {getattr(kind, '__name__', 'number')}",
                                 file=str(margins_file), record=line, field=key)
        rows.append(row)
    if not rows:
        raise InputError("no margin rows", file=str(margins_file))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return write_calibration(rows, out, {"from_margins": str(margins_file)}, min_refusal, call_tolerance)
