"""`toolgym eval bfcl|suite --run`: reading a recipe run's final evaluation (the end-to-end check that it
reproduces the run's own answers is tests/recipes/test_e2e.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from toolgym.cli import main
from toolgym.eval.from_run import run_evaluation

EVAL = {"categories": ["simple_python"], "limit": 50, "batch_size": 16, "max_new_tokens": 400, "dtype": "auto",
        "constrain": True, "call_bias": 0.0, "calibrate": "dev.jsonl", "copy_bias": 1.5, "distinct_calls": True}


def make_run(root: Path, evaluation: dict[str, Any], bias: float | None = 1.7, name: str = "qs") -> Path:
    """A run folder as `toolgym run` leaves it (recipes/runner.py): the final eval's manifest names the
    adapter by the path the run was started from, and its gate's choice is in calibrate/calibration.json."""
    run = root / name
    (run / "sft" / "adapter").mkdir(parents=True)
    (run / "eval_final" / "calibrate").mkdir(parents=True)
    config = {"eval": evaluation, "model": "smollm2-135m", "adapter": f"runs/{name}/sft/adapter", "upstream": "x"}
    (run / "eval_final" / "manifest.json").write_text(json.dumps({"step": "eval_final", "status": "complete",
                                                                   "config": config}))
    if bias is not None:
        (run / "eval_final" / "calibrate" / "calibration.json").write_text(json.dumps({"bias": bias, "auc": 0.9}))
    return run


def test_the_run_s_decoding_and_its_dev_chosen_bias(tmp_path: Path) -> None:
    settings = run_evaluation(make_run(tmp_path, EVAL))
    assert settings.model == "smollm2-135m"
    assert settings.adapter == tmp_path / "qs" / "sft" / "adapter"  # found again where the run folder is now
    assert settings.options == {"dtype": "auto", "batch_size": 16, "max_new_tokens": 400, "constrain": True,
                                "copy_bias": 1.5, "distinct_calls": True, "call_bias": 1.7}


def test_a_run_that_cut_prose_answers_is_scored_the_same_way(tmp_path: Path) -> None:
    settings = run_evaluation(make_run(tmp_path, {**EVAL, "prose_tokens": 16}))
    assert settings.options["prose_tokens"] == 16


def test_without_a_calibration_split_the_recipe_s_own_bias(tmp_path: Path) -> None:
    settings = run_evaluation(make_run(tmp_path, {**EVAL, "calibrate": None, "call_bias": -0.5}, bias=None))
    assert settings.options["call_bias"] == -0.5


def test_the_eval_step_folder_names_the_run_too(tmp_path: Path) -> None:
    run = make_run(tmp_path, EVAL)
    assert run_evaluation(run / "eval_final") == run_evaluation(run)


def invoke(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    return int(exit_.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize(("command", "make", "extra", "needle"), [
    ("bfcl", lambda p: p / "missing", [], "not a recipe run that reached its final evaluation"),
    ("bfcl", lambda p: make_run(p, EVAL, bias=None), [], "the run's call gate was never chosen"),
    ("bfcl", lambda p: make_run(p, EVAL), ["--reference"], "field --run: --run and --reference exclude each other"),
    ("suite", lambda p: make_run(p, EVAL), ["--from-results", "x.jsonl"], "--run and --from-results exclude"),
    ("bfcl", lambda p: make_run(p, {**EVAL, "calibrate": None}, name="other"), [], "runs/other/sft/adapter is gone"),
])
def test_bad_runs_end_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, make: Any,
                                  extra: list[str], needle: str) -> None:
    run = make(tmp_path)
    if run.name == "other":  # the run folder renamed after the run: its recorded adapter path names nothing now
        run = run.rename(tmp_path / "renamed")
    target = ["bfcl", "-c", "simple_python"] if command == "bfcl" else ["suite", str(tmp_path / "dev.jsonl")]
    code, err = invoke(["eval", *target, "--run", str(run), *extra], capsys)
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1 and needle in err, err
