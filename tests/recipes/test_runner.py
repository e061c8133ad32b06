"""recipes.runner: which steps rerun when the recipe changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import toolgym.recipes.runner as runner
from toolgym.recipes.spec import load_recipe


def test_baseline_eval_reruns_after_a_new_seed(tmp_path: Path, monkeypatch) -> None:
    """`--set seed=…` writes new test files; the baseline must score them, not report the old ones."""
    evaluated: list[str] = []

    def synthesize(recipe: Any, step_dir: Path) -> dict[str, Any]:
        (step_dir / "dataset").mkdir(parents=True, exist_ok=True)
        return {"data_dir": str(step_dir / "dataset"), "files": {"test.jsonl": f"seed {recipe.seed}"}}

    def evaluate(state: Any, step_dir: Path, baseline: bool = False) -> dict[str, Any]:
        assert baseline == (step_dir.name == "eval_baseline")  # the baseline may use eval.baseline_limit
        evaluated.append(step_dir.name)
        return {"metrics": {"irrelevance": 0.5}}

    monkeypatch.setattr(runner, "_synthesize", synthesize)
    monkeypatch.setattr(runner, "_evaluate", evaluate)
    monkeypatch.setattr(runner, "write_report", lambda run_dir, *a, **k: _report(run_dir))
    path = tmp_path / "r.yaml"
    path.write_text(f"name: r\noutput_dir: {tmp_path}\nseed: 0\neval:\n  categories: [irrelevance]\nstages: []\n")
    runner.execute(load_recipe(path))
    runner.execute(load_recipe(path))
    assert evaluated == ["eval_baseline"]  # unchanged: skipped
    runner.execute(load_recipe(path, ["seed=1"]))
    assert evaluated == ["eval_baseline", "eval_baseline"]
    # a new prompt rendering (core.formats.PROMPT_VERSION) scores again too, on the same data
    monkeypatch.setattr(runner, "PROMPT_VERSION", runner.PROMPT_VERSION + 1)
    runner.execute(load_recipe(path, ["seed=1"]))
    assert evaluated == ["eval_baseline"] * 3


def _report(run_dir: Path) -> Path:
    (run_dir / "report.md").write_text("report\n")
    return run_dir / "report.md"


def test_a_multi_process_launch_refuses_stages_it_cannot_share(tmp_path: Path, monkeypatch) -> None:
    import pytest

    from toolgym.core.errors import InputError

    path = tmp_path / "r.yaml"
    path.write_text(f"name: r\noutput_dir: {tmp_path}\nseed: 0\neval:\n  categories: [irrelevance]\n"
                    "stages:\n  - {kind: sft, name: sft}\n  - {kind: rl, name: irm}\n")
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(InputError, match="irm cannot run under a 2-process launch"):
        runner.execute(load_recipe(path))
    assert not (tmp_path / "r").exists()  # refused before any step


def test_the_final_eval_cuts_prose_only_where_the_recipe_asks(tmp_path: Path) -> None:
    """`eval.prose_tokens` reaches the trained model's decoding (and so its run identity); unset, nothing changes."""
    path = tmp_path / "r.yaml"
    path.write_text("name: r\neval:\n  constrain: true\n  prose_tokens: 16\nstages: []\n")
    assert runner.decoding_options(load_recipe(path).eval, None)["prose_tokens"] == 16
    path.write_text("name: r\neval:\n  constrain: true\nstages: []\n")
    assert "prose_tokens" not in runner.decoding_options(load_recipe(path).eval, None)
