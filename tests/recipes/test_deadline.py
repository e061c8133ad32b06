"""recipes/deadline.py: rates from a baseline summary, the final evaluation's work, and a stage's share."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolgym.recipes.deadline import (
    MARGIN,
    MIN_MINUTES,
    NO_CALL_TOKENS,
    OVERHEAD_SECONDS,
    Rates,
    Work,
    case_work,
    reserve_seconds,
    stage_minutes,
)


def summary(path: Path, seconds: float, **generation: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": {"seconds": seconds, **({"generation": generation} if generation else {})}}))
    return path


def test_rates_use_the_decoders_split_summed_over_summaries(tmp_path: Path) -> None:
    a = summary(tmp_path / "bfcl" / "summary.json", 60, prompt_tokens=8000, new_tokens=1000, prefill_s=8.0,
                decode_s=40.0)
    b = summary(tmp_path / "dev" / "summary.json", 20, prompt_tokens=2000, new_tokens=1000, prefill_s=2.0,
                decode_s=10.0)
    rates = Rates.from_summaries([a, b])
    assert rates == Rates(prompt_s=10.0 / 10000, new_s=50.0 / 2000)
    assert rates.seconds(1000, 100) == pytest.approx(1.0 + 2.5)


def test_rates_without_a_split_take_the_mean_rate_and_none_without_counts(tmp_path: Path) -> None:
    plain = summary(tmp_path / "a" / "summary.json", 30, prompt_tokens=2000, new_tokens=1000, prefill_s=0.0,
                    decode_s=0.0)
    assert Rates.from_summaries([plain]) == Rates(0.01, 0.01)  # 30 s over 3000 tokens, both kinds
    bare = summary(tmp_path / "b" / "summary.json", 30)  # an OpenAI/vLLM evaluation: no token counts
    assert Rates.from_summaries([bare]) is None
    assert Rates.from_summaries([]) is None


def test_a_stage_gets_what_the_final_eval_leaves_shared_capped_and_floored() -> None:
    # 28 min deadline, 3 min gone, 5 min reserved: 20 min for one stage, 10 each for two
    assert stage_minutes(28, 180, 300, 1) == 20.0
    assert stage_minutes(28, 180, 300, 2) == 10.0
    assert stage_minutes(28, 180, 300, 1, cap_minutes=12) == 12.0  # the stage's own max_minutes bounds it
    assert stage_minutes(10, 500, 300, 1) == MIN_MINUTES  # past the deadline: the floor, not a negative budget


def test_the_reserve_is_the_estimate_with_margin_and_overhead() -> None:
    rates = Rates(prompt_s=0.001, new_s=0.01)
    assert reserve_seconds(rates, Work(100_000, 5_000)) == pytest.approx(MARGIN * (100 + 50) + OVERHEAD_SECONDS)


def test_case_work_counts_rendered_prompts_and_gold_answers() -> None:
    from transformers import AutoTokenizer

    from toolgym.core.formats import render_calls
    from toolgym.eval.bfcl import load_bfcl_cases, reference_calls
    from toolgym.eval.runner import render_or_skip
    from toolgym.models.registry import resolve_model

    tokenizer = AutoTokenizer.from_pretrained(str(resolve_model("smollm2-135m")))
    simple, irrelevant = load_bfcl_cases("simple_python", 1)[0], load_bfcl_cases("irrelevance", 1)[0]

    def tokens(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    prompts = [render_or_skip(tokenizer, c.id, c.messages, c.tools, False, "hermes", "x") for c in (simple, irrelevant)]
    work = case_work(tokenizer, [simple, irrelevant], "hermes", bfcl=True)
    assert work.prompt_tokens == sum(tokens(p) for p in prompts) > 200
    assert work.new_tokens == tokens(render_calls(reference_calls(simple), "hermes")) + 1 + NO_CALL_TOKENS
    assert case_work(tokenizer, [simple], "hermes", answers=False) == Work(tokens(prompts[0]), 0)


def test_case_work_renders_a_suites_gold_calls(tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    from toolgym.core.formats import render_calls
    from toolgym.data.synth import write_dataset
    from toolgym.eval.suites import load_suite_cases
    from toolgym.models.registry import resolve_model

    tokenizer = AutoTokenizer.from_pretrained(str(resolve_model("smollm2-135m")))
    write_dataset(tmp_path, n=10, seed=0)
    cases = load_suite_cases(tmp_path / "dev.jsonl", 6)
    expected = sum(len(tokenizer(render_calls(c.answer, "hermes"), add_special_tokens=False)["input_ids"]) + 1
                   if c.answer else NO_CALL_TOKENS for c in cases)
    assert case_work(tokenizer, cases, "hermes").new_tokens == expected
    assert any(c.answer for c in cases) and any(c.category in ("multiple", "parallel") for c in cases)
