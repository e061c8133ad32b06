"""recipes.evaluation: the recipe's eval passes a run identity, so a resumed folder never mixes models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import toolgym.models.backends as backends
from tests.eval.test_runner import FakeGenerator, adapter_folder
from toolgym.core.errors import ToolgymError
from toolgym.eval.runner import bfcl_cases
from toolgym.recipes.ablate import Budget, ablation_table
from toolgym.recipes.evaluation import evaluate_model
from toolgym.recipes.report import write_report


def test_recipe_eval_refuses_another_adapters_results(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(backends, "make_generator", lambda *a, **k: FakeGenerator())
    kwargs = {"model": "smollm2-135m", "categories": ["irrelevance"], "limit": 1, "out_dir": tmp_path / "eval",
              "batch_size": 1, "max_new_tokens": 8, "suites": [], "suite_limit": None}
    first = adapter_folder(tmp_path / "a", b"\x01")
    assert evaluate_model(adapter=str(first), **kwargs)["irrelevance"] == 1.0
    assert evaluate_model(adapter=str(first), **kwargs)["irrelevance"] == 1.0  # same adapter: resumes
    with pytest.raises(ToolgymError, match="adapter_sha256"):
        evaluate_model(adapter=str(adapter_folder(tmp_path / "b", b"\x02")), **kwargs)


class RightToolNoArguments(FakeGenerator):
    """Calls the right function of simple_python_0 with no arguments: TS right, PI and CF wrong."""

    def generate(self, prompts, **_kwargs):
        name = bfcl_cases("simple_python", 1)[0].tools[0].name
        return [[f'<tool_call>{{"name": "{name}", "arguments": {{}}}}</tool_call>'] for _ in prompts]


def test_ts_pi_cf_reach_the_report_and_the_ablation_table(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(backends, "make_generator", lambda *a, **k: RightToolNoArguments())
    suite = tmp_path / "test_seen.jsonl"
    suite.write_text(json.dumps({"id": "s0", "type": "single", "messages": [{"role": "user", "content": "Hi"}],
                                 "tools": [], "gold": []}) + "\n")
    metrics = evaluate_model(model="smollm2-135m", adapter=None, categories=["simple_python"], limit=1,
                             out_dir=tmp_path / "eval", batch_size=1, max_new_tokens=8, suites=[str(suite)],
                             suite_limit=None)
    assert (metrics["bfcl_ts"], metrics["bfcl_pi"], metrics["bfcl_cf"]) == (1.0, 0.0, 0.0)
    assert {"test_seen_ts", "test_seen_pi", "test_seen_cf"} <= set(metrics)
    report = write_report(tmp_path, "t", {}, metrics).read_text()
    assert "| bfcl_ts | – | 100.0 |" in report and "| bfcl_cf | – | 0.0 |" in report
    table = ablation_table("T", [("v", metrics, Budget(1))], list(metrics))
    assert "bfcl_ts" in table.splitlines()[2] and "bfcl_pi" in table.splitlines()[2]


def test_recipe_eval_runs_the_benchmarks_the_registry_names(tmp_path: Path, monkeypatch) -> None:
    """A recipe eval key reaches its benchmark through eval.registry, and a key names one benchmark only."""
    from toolgym.eval import registry

    assert {b.recipe_key: b.name for b in registry.recipe_benchmarks()} == {
        "categories": "bfcl", "suites": "suite", "episodes": "tl_episodes"}
    with pytest.raises(ValueError, match="recipe key 'suites' already names a benchmark"):
        registry.register("suite_again", kind="single_turn", loader="x:y", runner="x:y", recipe_key="suites")
    TALLIED.clear()
    tally = registry.Benchmark("tally", "single_turn", "x:y", "x:y", metrics=f"{__name__}:tally_metrics",
                               recipe_key="suites")
    monkeypatch.setitem(registry.BENCHMARKS, "suite", tally)
    monkeypatch.setattr(backends, "make_generator", lambda *a, **k: FakeGenerator())
    metrics = evaluate_model(model="smollm2-135m", adapter=None, categories=[], limit=None, out_dir=tmp_path,
                             batch_size=1, max_new_tokens=8, suites=["a.jsonl", "b.jsonl"], suite_limit=None)
    assert TALLIED == [(["a.jsonl", "b.jsonl"], 8)] and metrics == {"tallied": 2.0}


TALLIED: list[tuple[list[str], int]] = []


def tally_metrics(generator, sources, out_dir, *, identity, settings) -> dict[str, float]:
    """A recipe benchmark's metrics function: records what it was given."""
    TALLIED.append((list(sources), settings["max_new_tokens"]))
    return {"tallied": float(len(sources))}
