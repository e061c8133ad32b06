"""A run-level deadline (`deadline_minutes`): training stages get the minutes the final evaluation leaves.

The baseline evaluation is the speed probe: its summary records the prompt and generated tokens it computed and
the seconds spent on each (`eval.runner.generation_work`), so this machine's seconds per prompt token and per
generated token are known before training starts. The final evaluation's work is counted from its cases: the
rendered prompts' tokens (BFCL categories, suites and the calibration split) and, for the answers, each case's
gold answer in tokens (a no-call answer counts NO_CALL_TOKENS). What the deadline leaves after that estimate
times MARGIN, plus OVERHEAD_SECONDS, is shared by the training stages still to run. Multi-turn episodes are not
counted. Measured once (docs/quality/README.md, stop 31): prompts at the predicted rate, answers 2.1x faster than
the baseline's prose decoding predicts, so the reserve was 2.35x the real final evaluation.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

_console = Console(stderr=True)  # beside the runner's own (stderr)
NO_CALL_TOKENS = 32  # a short answer in words: the trained model's reply when no tool fits
MARGIN = 1.5  # the estimate's safety factor (constrained decoding, an unmerged adapter, other batch shapes)
OVERHEAD_SECONDS = 60.0  # loading the model and writing the report
MIN_MINUTES = 1.0  # a training stage never gets less


@dataclass(frozen=True)
class Rates:
    """Seconds per prompt token and per generated token, as an evaluation on this machine measured them."""

    prompt_s: float
    new_s: float

    @classmethod
    def from_summaries(cls, paths: Iterable[Path]) -> Rates | None:
        """From evaluations' summary.json files (`meta.generation`, summed); None when none has such a record."""
        work = dict.fromkeys(("prompt_tokens", "new_tokens", "prefill_s", "decode_s"), 0.0)
        seconds = 0.0
        for path in paths:
            meta = json.loads(path.read_text()).get("meta", {})
            if generation := meta.get("generation"):
                seconds += meta.get("seconds") or 0.0
                for key in work:
                    work[key] += generation.get(key) or 0
        prompt, new = work["prompt_tokens"], work["new_tokens"]
        if prompt <= 0 or new <= 0:
            return None
        if work["prefill_s"] > 0 and work["decode_s"] > 0:
            return cls(work["prefill_s"] / prompt, work["decode_s"] / new)
        per_token = seconds / (prompt + new)  # no split: every token at the mean rate (cautious)
        return cls(per_token, per_token) if per_token > 0 else None

    def seconds(self, prompt_tokens: int, new_tokens: int) -> float:
        return prompt_tokens * self.prompt_s + new_tokens * self.new_s


@dataclass(frozen=True)
class Work:
    prompt_tokens: int = 0
    new_tokens: int = 0

    def __add__(self, other: Work) -> Work:
        return Work(self.prompt_tokens + other.prompt_tokens, self.new_tokens + other.new_tokens)


def case_work(tokenizer: Any, cases: Iterable[Any], fmt: str, answers: bool = True, bfcl: bool = False) -> Work:
    """Prompt tokens of `cases` as the runner renders them, and (with `answers`) their gold answers' tokens
    (`bfcl`: BFCL cases, whose answers are possible values, rendered as `reference_calls`)."""
    from toolgym.core.formats import render_calls, supports_tools
    from toolgym.eval.bfcl import reference_calls
    from toolgym.eval.runner import render_or_skip

    prompt = new = 0
    sanitize = supports_tools(tokenizer)
    for case in cases:
        text = render_or_skip(tokenizer, case.id, case.messages, case.tools, sanitize, fmt, "not counted")
        prompt += len(tokenizer(text, add_special_tokens=False)["input_ids"]) if text else 0
        if answers:
            calls = reference_calls(case) if bfcl else list(case.answer or [])
            new += len(tokenizer(render_calls(calls, fmt), add_special_tokens=False)["input_ids"]) + 1 if calls \
                else NO_CALL_TOKENS
    return Work(prompt, new)


def final_eval_work(tokenizer: Any, spec: Any, data_dir: Path | None, fmt: str = "hermes") -> Work:
    """The work of the recipe's final evaluation (`spec`: its EvalSpec): BFCL categories, suites, calibration."""
    from toolgym.eval.runner import bfcl_cases
    from toolgym.eval.suites import load_suite_cases

    work = case_work(tokenizer, bfcl_cases(spec.categories, spec.limit), fmt, bfcl=True) if spec.categories \
        else Work()
    for name in spec.suites if data_dir else ():
        work += case_work(tokenizer, load_suite_cases(data_dir / name, spec.suite_limit), fmt)
    if spec.calibrate and data_dir:  # the gate's margins: one prefill per case, no answer
        work += case_work(tokenizer, load_suite_cases(data_dir / spec.calibrate, spec.calibrate_limit), fmt,
                          answers=False)
    return work


def stage_minutes(deadline_minutes: float, elapsed_s: float, reserve_s: float, stages_left: int,
                  cap_minutes: float | None = None) -> float:
    """One training stage's budget: what the deadline leaves after `reserve_s`, shared by the `stages_left`
    stages still to train; at most the stage's own `cap_minutes`, at least MIN_MINUTES."""
    left = (deadline_minutes * 60 - elapsed_s - reserve_s) / 60 / max(1, stages_left)
    if cap_minutes is not None:
        left = min(left, cap_minutes)
    return round(max(MIN_MINUTES, left), 2)


def reserve_seconds(rates: Rates, work: Work) -> float:
    """The final evaluation's estimated seconds on this machine, with MARGIN and OVERHEAD_SECONDS."""
    return math.ceil(MARGIN * rates.seconds(work.prompt_tokens, work.new_tokens) + OVERHEAD_SECONDS)


def budget_line(minutes: float, rates: Rates, work: Work, reserve_s: float, elapsed_s: float) -> str:
    return (f"deadline: {minutes:.1f} min of training (elapsed {elapsed_s / 60:.1f} min; final eval reserved "
            f"{reserve_s / 60:.1f} min for {work.prompt_tokens:,} prompt + {work.new_tokens:,} answer tokens at "
            f"{1 / rates.prompt_s:,.0f} / {1 / rates.new_s:,.0f} tok/s measured by the baseline)")


PLAN_FILE = "deadline.json"  # in the stage's folder: the plan, for the report (and to check the estimate)


def budget_stage(recipe: Any, index: int, data_dir: Path | None, elapsed_s: float, step_dir: Path) -> Any:
    """`recipe.stages[index]` with the max_minutes its share of the deadline allows (printed, written to
    `step_dir/deadline.json` and returned in the stage's config; the step's identity keeps the recipe's own value,
    so a resumed run re-plans)."""
    import dataclasses

    from transformers import AutoTokenizer

    from toolgym.core import dist
    from toolgym.core.errors import InputError
    from toolgym.models.registry import resolve_model
    from toolgym.recipes.stages import COLLECTIVE

    stage = recipe.stages[index]
    if recipe.deadline_minutes is None or stage.kind not in COLLECTIVE:
        return stage
    if dist.world_size() > 1:  # each process would plan by its own clock, and stop at another step
        raise InputError("a deadline plans one process's run; launch without accelerate, or set the stages' "
                         "max_minutes instead", file=recipe.source, record="recipe", field="deadline_minutes")
    rates = Rates.from_summaries(sorted((recipe.run_dir / "eval_baseline").glob("*/summary.json")))
    if rates is None:
        raise InputError("the baseline evaluation recorded no token counts to plan by (rerun it: delete "
                         f"{recipe.run_dir / 'eval_baseline'})", file=recipe.source, record="recipe",
                         field="deadline_minutes")
    tokenizer = AutoTokenizer.from_pretrained(str(resolve_model(recipe.model)))
    work = final_eval_work(tokenizer, recipe.eval, data_dir)
    reserve = reserve_seconds(rates, work)
    left = sum(1 for later in recipe.stages[index:] if later.kind in COLLECTIVE)
    minutes = stage_minutes(recipe.deadline_minutes, elapsed_s, reserve, left, stage.config.max_minutes)
    line = budget_line(minutes, rates, work, reserve, elapsed_s)
    _console.print(f"[bold]{stage.name}[/bold] {line}")
    plan = {"line": line, "minutes": minutes, "elapsed_s": round(elapsed_s, 1), "reserve_s": reserve,
            "estimate_s": round(rates.seconds(work.prompt_tokens, work.new_tokens), 1),
            "prompt_tokens": work.prompt_tokens, "new_tokens": work.new_tokens,
            "prompt_tok_s": round(1 / rates.prompt_s, 1), "new_tok_s": round(1 / rates.new_s, 1)}
    step_dir.mkdir(parents=True, exist_ok=True)
    (step_dir / PLAN_FILE).write_text(json.dumps(plan, indent=1))
    return dataclasses.replace(stage, config=dataclasses.replace(stage.config, max_minutes=minutes))


def plan_notes(run_dir: Path, stage_names: Iterable[str]) -> list[str]:
    """The report's line per stage a deadline planned."""
    files = [(name, run_dir / name / PLAN_FILE) for name in stage_names]
    return [f"{name}: {json.loads(path.read_text())['line']}" for name, path in files if path.is_file()]
