"""Scores under RoTBench's noise environments (Ye et al., EMNLP 2024): one run per level, one table across them.

Every case of a suite (a toolgym JSONL test set or BFCL categories) is perturbed at each level with
`toolgym.data.noise`: its tools' and parameters' names change, and its answer follows (the gold calls of a
suite, BFCL's possible answers and function docs), so a model that reads descriptions can still be right. Each
level runs through `eval.runner.run_cases` into its own sub-folder (`<out>/<level>/results.jsonl`,
`summary.json`, `summary.md`; resumable like any run) and `robust_summary.json` / `robust_summary.md` compare
TS, PI and CF (TL-Training's tool selection, parameter identification, content filling; RoTBench scores the
same three) across the levels, with the change from `clean`.

`reference=True` scores the perturbed answers themselves (rendered as model text, parsed back): it must be
100% at every level wherever the clean reference is (BFCL's live categories hold 4 unsatisfiable official
answers, see README), which checks that the perturbation kept every case solvable.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError
from toolgym.core.formats import render_calls
from toolgym.core.schema import ToolCall
from toolgym.data.noise import (
    NOISE_LEVELS,
    check_levels,
    rename_answer,
    rename_call,
    rename_message,
    rename_tool,
    toolset_renaming,
)
from toolgym.eval.bfcl import CATEGORIES, bfcl_tools, expand_categories, reference_calls
from toolgym.eval.cases import EvalCase
from toolgym.eval.metrics import Summary, wilson_interval
from toolgym.eval.runner import BUDGET_EXTRA, BUDGET_FACTOR, bfcl_cases, gold_budgets, run_cases
from toolgym.eval.suites import load_suite_cases

ROBUST_SUMMARY = "robust_summary"


# ------------------------------------------------------------------------------------------------ cases

def source_kind(source: str | Path) -> str:
    """"suite" for an existing JSONL file, "bfcl" for BFCL categories/groups; InputError naming SOURCE else."""
    text = str(source)
    if Path(text).is_file():
        return "suite"
    if Path(text).suffix or "/" in text or "\\" in text:
        raise InputError("no such file", file=text, field="SOURCE")
    try:
        if not expand_categories(text):
            raise InputError("names no BFCL category", field="SOURCE")
    except InputError as exc:
        reason = str(exc).split(": ", 1)[-1]
        raise InputError(f"neither a file nor BFCL categories ({reason})", field="SOURCE") from None
    return "bfcl"


def load_cases(source: str | Path, limit: int | None = None) -> tuple[list[EvalCase], bool]:
    """The clean cases of `source` (a suite file, or BFCL categories with `limit` per category) and whether
    they are BFCL's."""
    if source_kind(source) == "suite":
        return load_suite_cases(Path(source), limit), False
    return bfcl_cases(str(source), limit), True


def perturb_case(case: EvalCase, level: str, seed: int = 0) -> tuple[EvalCase, bool]:
    """`case` at noise `level` (deterministic per seed and case id) and whether any name changed."""
    functions = case.meta.get("functions")
    meta = dict(case.meta)
    if isinstance(functions, list):  # BFCL: the docs the scorer reads and the possible answer
        renaming = toolset_renaming(functions, level, seed, case.id)
        docs = [rename_tool(doc, renaming) for doc in functions]
        tools = bfcl_tools(docs, case.category)  # Java/JavaScript docs as BFCL shows them
        answer = None if case.answer is None else rename_answer(case.answer, renaming)
        meta["functions"] = docs
    else:  # a toolgym suite: exact gold calls
        renaming = toolset_renaming(case.tools, level, seed, case.id)
        tools = [rename_tool(tool, renaming) for tool in case.tools]
        answer = [rename_call(call, renaming) for call in case.answer or []]
    meta["noise"] = {"level": level, "seed": seed, "changed": renaming.changed}
    messages = [rename_message(m, renaming) for m in case.messages]
    return EvalCase(case.id, case.category, messages, tools, answer, case.scorer, meta), renaming.changed


def reference_answer(case: EvalCase) -> list[ToolCall]:
    """The calls that must score right: BFCL's reference calls, or a suite's gold."""
    return reference_calls(case) if isinstance(case.meta.get("functions"), list) else list(case.answer or [])


def perturbed_budgets(tokenizer: Any, cases: Sequence[EvalCase], fmt: str) -> dict[str, int]:
    """max_new_tokens per BFCL category: the clean `gold_budgets`, raised where the perturbed answers of these
    cases are longer (nonsense names can take more tokens than the names they replace)."""
    if not callable(tokenizer):
        return {}
    categories = sorted({c.category for c in cases}, key=CATEGORIES.index)
    budgets = gold_budgets(tokenizer, fmt, categories)
    for case in cases:
        calls = reference_answer(case)
        if calls:
            tokens = 1 + len(tokenizer(render_calls(calls, fmt), add_special_tokens=False)["input_ids"])
            budgets[case.category] = max(budgets[case.category], math.ceil(BUDGET_FACTOR * tokens) + BUDGET_EXTRA)
    return budgets


# ------------------------------------------------------------------------------------------------ summary

@dataclass
class LevelScore:
    """One level's overall scores (rates in [0, 1]), the share of cases whose names changed, its aggregates."""

    n: int
    accuracy: float
    ts: float
    pi: float
    cf: float
    perturbed: float
    categories: dict[str, float] = field(default_factory=dict)  # category -> accuracy
    aggregates: dict[str, float] = field(default_factory=dict)  # BFCL aggregates that were computed


@dataclass
class RobustSummary:
    """`robust_summary.json`: per level scores; `markdown()` is `robust_summary.md`."""

    name: str
    source: str
    seed: int
    levels: dict[str, LevelScore]
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def write(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / f"{ROBUST_SUMMARY}.json").write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        (out_dir / f"{ROBUST_SUMMARY}.md").write_text(self.markdown(), encoding="utf-8")

    def markdown(self) -> str:
        """One row per level (TS/PI/CF, CF's Wilson 95% interval, the CF change from clean), then accuracy per
        category and level."""
        base = self.levels.get("clean")
        lines = [f"## {self.name}: robustness (RoTBench levels, seed {self.seed})", "",
                 "| level | n | perturbed | accuracy | TS | PI | CF | CF 95% CI | CF vs clean |",
                 "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for level, s in self.levels.items():
            delta = "n/a" if base is None else f"{100 * (s.cf - base.cf):+.2f}"
            low, high = wilson_interval(round(s.cf * s.n), s.n)
            lines.append(f"| {level} | {s.n} | {_pct(s.perturbed)} | {_pct(s.accuracy)} | {_pct(s.ts)} | "
                         f"{_pct(s.pi)} | {_pct(s.cf)} | {100 * low:.1f}–{100 * high:.1f} | {delta} |")
        names = list(dict.fromkeys(k for s in self.levels.values() for k in (*s.categories, *s.aggregates)))
        if len(names) > 1:
            lines += ["", "| category | " + " | ".join(self.levels) + " |",
                      "|---|" + "---:|" * len(self.levels)]
            for name in names:
                cells = [_pct(s.categories.get(name, s.aggregates.get(name))) for s in self.levels.values()]
                lines.append(f"| {name} | " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}"


def level_score(summary: Summary, perturbed: float) -> LevelScore:
    overall = summary.categories.get("overall")
    if overall is None:
        return LevelScore(0, 0.0, 0.0, 0.0, 0.0, perturbed)
    return LevelScore(overall.n, overall.accuracy, overall.ts, overall.pi, overall.cf, perturbed,
                      {c: s.accuracy for c, s in summary.categories.items() if c != "overall"},
                      {k: v for k, v in summary.aggregates.items() if v is not None})


# ------------------------------------------------------------------------------------------------ runs

REFERENCE_IDENTITY = {"outputs": "robust-reference"}


def run_robust(source: str | Path, levels: Sequence[str] | str, out_dir: Path | str, *, seed: int = 0,
               generator: Any = None, reference: bool = False, limit: int | None = None, fmt: str = "hermes",
               parse: str | None = None, max_new_tokens: int = 256, chunk_size: int = 64,
               meta: Mapping[str, Any] | None = None, identity: Mapping[str, Any] | None = None,
               progress: bool = True, loaded: tuple[list[EvalCase], bool] | None = None) -> RobustSummary:
    """Score `source` at every noise level (with `generator`, or the perturbed answers with `reference`).

    `loaded`: what `load_cases(source, limit)` returned, when the caller loaded the cases already."""
    names = check_levels(levels)
    if reference == (generator is not None):
        raise ValueError("give exactly one of generator= or reference=True")
    cases, bfcl = loaded if loaded is not None else load_cases(source, limit)
    out = Path(out_dir)
    source_id = (hashlib.sha256(Path(source).read_bytes()).hexdigest() if not bfcl else f"bfcl:{source}")
    label = Path(source).stem if not bfcl else f"bfcl {source}"
    scores: dict[str, LevelScore] = {}
    for level in names:
        perturbed = [perturb_case(c, level, seed) for c in cases]
        level_cases = [c for c, _ in perturbed]
        share = sum(changed for _, changed in perturbed) / len(perturbed) if perturbed else 0.0
        common: dict[str, Any] = dict(fmt=fmt, chunk_size=chunk_size, name=f"{label} [{level}]", bfcl=bfcl,
                                      order=CATEGORIES if bfcl else (), progress=progress,
                                      meta={**(meta or {}), "noise_level": level, "noise_seed": seed,
                                            "perturbed": round(share, 4)})
        run_id = {**(identity or {}), **(REFERENCE_IDENTITY if reference else {}), "noise_level": level,
                  "noise_seed": seed, "source": source_id}
        if reference:
            summary = run_cases(level_cases, out / level, identity=run_id, meta={**common.pop("meta"), "reference": True},
                                outputs=lambda chunk: [render_calls(reference_answer(c), fmt) for c in chunk],
                                **common)
        else:
            budgets = perturbed_budgets(generator.tokenizer, level_cases, fmt) if bfcl else None
            summary = run_cases(level_cases, out / level, generator=generator, parse=parse,
                                max_new_tokens=max_new_tokens, identity=run_id, budgets=budgets, **common)
        scores[level] = level_score(summary, share)
    result = RobustSummary(label, str(source), seed, scores, {**(meta or {}), "levels": names,
                                                              "reference": reference, "limit": limit})
    result.write(out)
    return result


def run_robust_reference(source: str | Path, levels: Sequence[str] | str, out_dir: Path | str,
                         **kwargs: Any) -> RobustSummary:
    """`run_robust` on the perturbed answers themselves (the benchmark registry's reference run)."""
    return run_robust(source, levels, out_dir, reference=True, **kwargs)


__all__ = ["NOISE_LEVELS", "LevelScore", "RobustSummary", "load_cases", "perturb_case", "perturbed_budgets",
           "reference_answer", "run_robust", "run_robust_reference", "source_kind"]
