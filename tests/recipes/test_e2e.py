"""End to end: the installed `toolgym run recipes/ci.yaml` on the embedded model, in a subprocess.

Synthesis (recipes/runner.py), the baseline and final evaluation (recipes/evaluation.py), two LoRA SFT steps
(recipes/training.py) and the report (recipes/report.write_report) all run for real; the test reads only what
the run leaves on disk. About 1-2 minutes on a free 2-core CPU (most of it imports and model loads).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "recipes" / "ci.yaml"
STEPS = ("data", "eval_baseline", "sft", "eval_final")  # the step folders, in run order
# eval step -> results folder -> rows (recipes/ci.yaml: 2 BFCL categories x limit 2, baseline_limit 1;
# the dev suite with suite_limit 2 in both, and 2 dev cases played as multi-turn episodes)
RESULT_ROWS = {"eval_baseline": {"bfcl": 2, "dev": 2, "episodes-dev": 2},
               "eval_final": {"bfcl": 4, "dev": 2, "episodes-dev": 2}}
RUN_TIMEOUT = 3600  # seconds: generous; on a CPU shared with other jobs one run took 34 minutes


def toolgym_entry() -> list[str]:
    """The installed `toolgym` entry point (or the module, where no script was installed)."""
    script = Path(sys.executable).with_name("toolgym")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "toolgym.cli"]


def toolgym_command(output_dir: Path, *overrides: str) -> list[str]:
    """`toolgym run recipes/ci.yaml` into `output_dir`, through the installed entry point."""
    return [*toolgym_entry(), "run", str(RECIPE), "--set", f"output_dir={output_dir}",
            *[arg for item in overrides for arg in ("--set", item)]]


@dataclass
class Run:
    dir: Path  # runs/<name>: the step folders and report.md
    seconds: float
    log: str


def run_ci(output_dir: Path, *overrides: str) -> Run:
    """Run the CI recipe to completion; fail the test with the run's log tail if it does not exit 0."""
    started = time.perf_counter()
    proc = subprocess.run(toolgym_command(output_dir, *overrides), cwd=output_dir, capture_output=True,
                          text=True, timeout=RUN_TIMEOUT, env=os.environ.copy())
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"toolgym run exited {proc.returncode}:\n{log[-4000:]}"
    return Run(output_dir / "ci", time.perf_counter() - started, log)


_REFERENCE: dict[str, Run] = {}


def reference_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One uninterrupted run of the CI recipe per test session (test_crash_safety compares against it)."""
    if "run" not in _REFERENCE:
        _REFERENCE["run"] = run_ci(tmp_path_factory.mktemp("ci_reference"))
    return _REFERENCE["run"]


def manifest(step_dir: Path) -> dict[str, Any]:
    return json.loads((step_dir / "manifest.json").read_text())


def result_rows(path: Path) -> list[dict[str, Any]]:
    """Every line of a results.jsonl parsed (a torn or blank line fails the test)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert all(line.strip() for line in lines), f"blank line in {path}"
    return [json.loads(line) for line in lines]


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@pytest.fixture(scope="module")
def ci(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return reference_run(tmp_path_factory)


def test_every_step_has_a_complete_manifest(ci: Run) -> None:
    for step in STEPS:
        m = manifest(ci.dir / step)
        assert m["status"] == "complete", step
        assert m["step"] == step and m["seed"] == 0 and len(m["config_hash"]) == 16
        assert isinstance(m["config"], dict) and m["config"]
        assert {"python", "torch", "transformers", "trl", "peft"} <= set(m["versions"])
        assert is_number(m["seconds"]) and m["seconds"] >= 0
        time.strptime(m["started"], "%Y-%m-%dT%H:%M:%S")
        assert isinstance(m["metrics"], dict) and isinstance(m["outputs"], dict)
    data = manifest(ci.dir / "data")["outputs"]
    dataset = Path(data["data_dir"])
    assert (dataset / "train.jsonl").read_text().count("\n") == 40  # data.n
    assert (dataset / "dev.jsonl").is_file()


def test_eval_results_hold_each_case_once_and_metrics_are_numbers(ci: Run) -> None:
    for step, folders in RESULT_ROWS.items():
        for folder, expected in folders.items():
            rows = result_rows(ci.dir / step / folder / "results.jsonl")
            ids = [row["id"] for row in rows]
            assert len(ids) == expected and len(set(ids)) == expected, (step, folder, ids)
            summary = json.loads((ci.dir / step / folder / "summary.json").read_text())
            assert summary["n"] == expected
        bfcl_ids = {row["id"] for row in result_rows(ci.dir / step / "bfcl" / "results.jsonl")}
        per_category = 1 if step == "eval_baseline" else 2  # baseline_limit / limit
        assert bfcl_ids == {f"{cat}_{i}" for cat in ("simple_python", "irrelevance") for i in range(per_category)}
        metrics = manifest(ci.dir / step)["metrics"]
        assert {"simple_python", "irrelevance", "dev", "bfcl_ts", "dev_ts", "dev_va"} <= set(metrics)
        for key, value in metrics.items():
            assert is_number(value) and 0 <= value <= 1, (step, key, value)
        summary = json.loads((ci.dir / step / "bfcl" / "summary.json").read_text())
        for category in ("simple_python", "irrelevance"):
            assert metrics[category] == summary["categories"][category]["accuracy"]
    base = manifest(ci.dir / "eval_baseline")["metrics"]
    assert base["irrelevance"] == 1.0 and base["simple_python"] == 0.0  # the untrained model never calls a tool


def test_final_eval_calibrates_the_gate_and_decodes_constrained(ci: Run) -> None:
    gate = json.loads((ci.dir / "eval_final" / "calibrate" / "calibration.json").read_text())
    assert gate["cases"] == 4 and gate["answerable"] + gate["unanswerable"] == 4  # calibrate_limit
    for folder in ("bfcl", "dev"):
        identity = json.loads((ci.dir / "eval_final" / folder / "run_identity.json").read_text())
        assert identity["constrain"] is True and identity["call_bias"] == gate["bias"]
        assert identity["copy_bias"] == 1.5 and identity["distinct_calls"] is True  # eval.copy_bias, .distinct_calls
    assert not (ci.dir / "eval_baseline" / "calibrate").exists()  # the base model decodes plainly


def test_eval_run_scores_the_trained_model_as_the_run_did(ci: Run, tmp_path: Path) -> None:
    """`toolgym eval bfcl --run` takes the run's model, adapter, budget, decoding and dev-chosen call bias: on the
    cases the run scored it writes the run's own answers, and its identity is the run's."""
    def eval_bfcl(out: Path, *options: str) -> dict[str, Any]:
        proc = subprocess.run([*toolgym_entry(), "eval", "bfcl", "--run", str(ci.dir), "--out", str(out), *options],
                              cwd=ci.dir.parent, capture_output=True, text=True, timeout=RUN_TIMEOUT,
                              env=os.environ.copy())
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
        return json.loads((out / "run_identity.json").read_text())

    final = ci.dir / "eval_final" / "bfcl"
    identity = json.loads((final / "run_identity.json").read_text())
    assert eval_bfcl(tmp_path / "again", "--categories", "simple_python,irrelevance", "--limit", "2") == identity
    raw = {row["id"]: row["raw"] for row in result_rows(final / "results.jsonl")}
    assert {row["id"]: row["raw"] for row in result_rows(tmp_path / "again" / "results.jsonl")} == raw
    typed = eval_bfcl(tmp_path / "typed", "--categories", "irrelevance", "--limit", "1", "--call-bias", "5")
    assert typed["call_bias"] == 5 and typed["constrain"] is True  # a typed option wins, the rest is the run's
    assert typed["adapter_sha256"] == identity["adapter_sha256"]


def test_sft_manifest_records_the_training(ci: Run) -> None:
    m = manifest(ci.dir / "sft")
    metrics = m["metrics"]
    assert metrics["steps"] == 2  # max_steps
    assert isinstance(metrics["examples_seen"], int) and metrics["examples_seen"] >= 2  # >= one per step
    assert is_number(metrics["peak_rss_mb"]) and metrics["peak_rss_mb"] > 100
    assert is_number(metrics["train_loss"]) and metrics["train_loss"] > 0
    assert is_number(metrics["tokens_per_second"]) and metrics["tokens_per_second"] > 0
    assert metrics["stopped_by_budget"] is False  # 2 steps end long before max_minutes
    assert m["config"]["config"]["max_tokens_per_batch"] == 1024
    adapter = Path(m["outputs"]["adapter"])
    assert (adapter / "adapter_config.json").is_file() and (adapter / "adapter_model.safetensors").is_file()
    train = json.loads((ci.dir / "sft" / "train_result.json").read_text())
    assert train["global_step"] == 2 and train["examples_seen"] == metrics["examples_seen"]
    # the final eval scored the trained adapter, not the base model
    assert manifest(ci.dir / "eval_final")["config"]["adapter"] == str(adapter)


def test_report_has_the_before_after_table(ci: Run) -> None:
    report = (ci.dir / "report.md").read_text()
    assert report.startswith("# toolgym run: ci\n")
    assert "| metric | before (%) | after (%) | Δ (points) |" in report
    base, final = manifest(ci.dir / "eval_baseline")["metrics"], manifest(ci.dir / "eval_final")["metrics"]
    for key in ("simple_python", "irrelevance", "dev"):
        row = f"| {key} | {100 * base[key]:.1f} | {100 * final[key]:.1f} | {100 * (final[key] - base[key]):+.1f} |"
        assert row in report, row
    assert "examples_seen=" in report and "peak_rss_mb=" in report  # the sft stage's note
    assert (ci.dir / "report.png").stat().st_size > 1000


def test_a_rerun_skips_every_step_and_writes_the_same_report(ci: Run) -> None:
    before = {step: (ci.dir / step / "manifest.json").stat().st_mtime_ns for step in STEPS}
    report = (ci.dir / "report.md").read_text()
    again = run_ci(ci.dir.parent)
    for step in STEPS:
        assert f"skip {step}: already complete" in again.log
    assert {step: (ci.dir / step / "manifest.json").stat().st_mtime_ns for step in STEPS} == before
    assert (ci.dir / "report.md").read_text() == report  # rows in the same order as the fresh run's


def test_a_deadline_trains_for_what_the_baseline_speed_leaves(tmp_path: Path) -> None:
    from toolgym.recipes.deadline import MIN_MINUTES

    run = run_ci(tmp_path, "deadline_minutes=30")
    work = json.loads((run.dir / "eval_baseline" / "bfcl" / "summary.json").read_text())["meta"]["generation"]
    assert work["prompt_tokens"] > 0 and work["new_tokens"] > 0 and work["prefill_s"] > 0 and work["decode_s"] > 0
    sft = manifest(run.dir / "sft")
    before_sft = sum(manifest(run.dir / step)["seconds"] for step in ("data", "eval_baseline")) / 60
    assert MIN_MINUTES <= sft["metrics"]["max_minutes"] < 30 - before_sft  # planned, less the final eval's reserve
    assert sft["config"]["config"]["max_minutes"] is None  # the step's identity keeps the recipe's own value
    assert "deadline:" in run.log and "final eval reserved" in run.log
    plan = json.loads((run.dir / "sft" / "deadline.json").read_text())
    assert plan["minutes"] == sft["metrics"]["max_minutes"] and plan["reserve_s"] > plan["estimate_s"] > 0
    assert plan["line"] in (run.dir / "report.md").read_text()
