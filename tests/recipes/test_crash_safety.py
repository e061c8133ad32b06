"""Crash safety: a run killed with SIGKILL at any point and rerun ends as an uninterrupted run does.

The fast tests check the step machinery (recipes/manifest.py) on hand-made folders. The slow one kills the
real `toolgym run recipes/ci.yaml` during synthesis, twice during training (the first kill as soon as
checkpoint-1 appears, so usually in the middle of writing it; the second as soon as checkpoint-2 appears, so
the rerun resumes from checkpoint-1), during the final evaluation and while the report is written, reruns it
each time, and compares the result with an uninterrupted run (tests/recipes/test_e2e.py). That takes about
5-7 minutes on a free 2-core CPU (six process starts plus the reference run), hence `slow`; CI runs the same
test with two of the kills (mid-save of checkpoint-2, final evaluation), which shares the reference run with
test_e2e.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.recipes.test_e2e import (
    RESULT_ROWS,
    RUN_TIMEOUT,
    STEPS,
    manifest,
    reference_run,
    result_rows,
    run_ci,
    toolgym_command,
)
from toolgym.recipes.manifest import read_manifest, run_step

# ------------------------------------------------------------------ the step machinery, on hand-made folders


def _checkpoint(folder: Path, state: str | None) -> Path:
    folder.mkdir(parents=True)
    (folder / "adapter_model.safetensors").write_bytes(b"weights")
    if state is not None:
        (folder / "trainer_state.json").write_text(state)
    return folder


def test_a_resumed_step_drops_half_written_checkpoints(tmp_path: Path) -> None:
    """A kill inside transformers' checkpoint save leaves checkpoint-N without trainer_state.json (written last);
    get_last_checkpoint would hand that folder to every rerun, and every rerun would fail on it."""
    from transformers.trainer_utils import get_last_checkpoint

    step = tmp_path / "sft"

    def killed(step_dir: Path) -> dict[str, Any]:
        ckpts = step_dir / "checkpoints"
        _checkpoint(ckpts / "checkpoint-1", '{"global_step": 1}')
        _checkpoint(ckpts / "checkpoint-2", None)  # killed before trainer_state.json
        _checkpoint(ckpts / "checkpoint-3", '{"global_st')  # killed while writing it
        _checkpoint(step_dir / "round_1" / "train" / "checkpoints" / "checkpoint-4", None)  # evolve's rounds
        _checkpoint(step_dir / "checkpoint", None)  # not a Trainer checkpoint (toolgym's PPO): left alone
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_step(step, {"a": 1}, 0, killed)
    assert get_last_checkpoint(str(step / "checkpoints")).endswith("checkpoint-3")  # what a rerun would resume

    seen: list[str | None] = []
    out = run_step(step, {"a": 1}, 0, lambda d: seen.append(get_last_checkpoint(str(d / "checkpoints")))
                   or {"metrics": {"ok": 1}})
    assert out["metrics"] == {"ok": 1}
    assert seen == [str(step / "checkpoints" / "checkpoint-1")]
    assert sorted(p.name for p in (step / "checkpoints").iterdir()) == ["checkpoint-1"]
    assert not (step / "round_1" / "train" / "checkpoints" / "checkpoint-4").exists()
    assert (step / "checkpoint" / "adapter_model.safetensors").is_file()


def test_a_complete_step_is_not_touched(tmp_path: Path) -> None:
    step = tmp_path / "sft"
    run_step(step, {"a": 1}, 0, lambda d: _checkpoint(d / "checkpoints" / "checkpoint-9", None) and {})
    assert run_step(step, {"a": 1}, 0, lambda d: pytest.fail("a complete step ran again")) == {}
    assert (step / "checkpoints" / "checkpoint-9").is_dir()  # only a resumed step is cleaned


def test_a_skipped_step_hands_on_its_metrics_in_the_order_they_were_made(tmp_path: Path) -> None:
    """The report lists metrics in the order the steps made them; after a rerun (e.g. one killed while writing
    the report) the skipped steps' metrics come from their manifests, and must keep that order."""
    metrics = {"simple_python": 0.5, "irrelevance": 1.0, "overall": 0.75, "dev": 0.0}
    first = run_step(tmp_path / "eval", {"a": 1}, 0, lambda d: {"metrics": dict(metrics)})
    again = run_step(tmp_path / "eval", {"a": 1}, 0, lambda d: pytest.fail("ran again"))
    assert list(first["metrics"]) == list(again["metrics"]) == list(metrics)
    assert list(read_manifest(tmp_path / "eval")["metrics"]) == list(metrics)


# ------------------------------------------------------------------ SIGKILL the real run

POLL_SECONDS = 0.02


def _status(step_dir: Path) -> str | None:
    try:
        return json.loads((step_dir / "manifest.json").read_text()).get("status")
    except (OSError, ValueError):
        return None


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except OSError:
        return 0


@dataclass
class KillPoint:
    phase: str
    reached: Callable[[Path], bool]  # run folder -> the run is in this phase: kill it now


KILL_POINTS = [
    KillPoint("synthesis", lambda run: (run / "data" / "dataset" / "train.jsonl").is_file()
              and _status(run / "data") == "running"),
    KillPoint("training, saving checkpoint-1", lambda run: (run / "sft" / "checkpoints" / "checkpoint-1").is_dir()),
    KillPoint("training, saving checkpoint-2", lambda run: (run / "sft" / "checkpoints" / "checkpoint-2").is_dir()),
    KillPoint("final evaluation", lambda run: _lines(run / "eval_final" / "bfcl" / "results.jsonl") >= 1),
    KillPoint("report", lambda run: _status(run / "eval_final") == "complete"),
]


def run_until_killed(output_dir: Path, point: KillPoint, log: Path) -> str:
    """Start `toolgym run`, SIGKILL its process group as soon as `point` is reached; what the folder held then."""
    run = output_dir / "ci"
    assert not point.reached(run), f"{point.phase}: reached before the run started"
    with log.open("w") as out:
        proc = subprocess.Popen(toolgym_command(output_dir), cwd=output_dir, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, env=os.environ.copy())
    deadline = time.monotonic() + RUN_TIMEOUT
    try:
        while not point.reached(run):
            if proc.poll() is not None:
                pytest.fail(f"{point.phase}: the run exited {proc.returncode} before it could be killed there:\n"
                            f"{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"{point.phase}: not reached in {RUN_TIMEOUT} s")
            time.sleep(POLL_SECONDS)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, f"{point.phase}: exited {proc.returncode} instead"
    return _describe(run)


def _describe(run: Path) -> str:
    """Where the killed run stood, for the test's output."""
    torn = [p.name for p in sorted(run.glob("sft/checkpoints/checkpoint-*"))
            if p.is_dir() and not (p / "trainer_state.json").is_file()]
    train = run / "data" / "dataset" / "train.jsonl"
    tail = train.read_bytes()[-1:] if train.is_file() else b""
    torn_line = " + a torn one" if tail not in (b"", b"\n") else ""
    return (f"steps {[(s, _status(run / s)) for s in STEPS if _status(run / s)]}; "
            f"train.jsonl {_lines(train)} lines{torn_line}; "
            f"half-written checkpoints {torn or '-'}; "
            f"eval_final bfcl rows {_lines(run / 'eval_final' / 'bfcl' / 'results.jsonl')}")


def _stamp(run: Path) -> dict[str, Any]:
    """What a rerun must leave alone once training is done: step start times, training outputs' mtimes."""
    stamp: dict[str, Any] = {s: (manifest(run / s)["started"], manifest(run / s)["seconds"])
                             for s in ("data", "eval_baseline", "sft")}
    for path in ("sft/train_result.json", "sft/adapter/adapter_model.safetensors", "data/dataset/train.jsonl",
                 "eval_baseline/bfcl/results.jsonl"):
        stamp[path] = (run / path).stat().st_mtime_ns
    return stamp


def _whole_rows(path: Path) -> list[dict[str, Any]]:
    """The rows a killed run left complete (its last line may be torn: rows are flushed once per chunk)."""
    data = path.read_bytes()
    return [json.loads(line) for line in data[:data.rfind(b"\n") + 1].splitlines()]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _adapter_weights(run: Path) -> dict[str, Any]:
    from safetensors.torch import load_file

    return load_file(str(run / "sft" / "adapter" / "adapter_model.safetensors"))


def _table(report: Path) -> list[str]:
    return [line for line in report.read_text().splitlines() if line.startswith("|")]


# CI kills twice: mid-save of checkpoint-2 (the rerun drops the torn folder and resumes from checkpoint-1), then
# during the final evaluation; three process starts instead of six. The slow variant kills at every point.
CI_KILL_POINTS = [KILL_POINTS[2], KILL_POINTS[3]]


@pytest.mark.parametrize("points", [pytest.param(CI_KILL_POINTS, id="ci"),
                                    pytest.param(KILL_POINTS, id="every-point", marks=pytest.mark.slow)])
def test_killed_runs_resume_to_the_uninterrupted_result(tmp_path: Path, tmp_path_factory,
                                                        points: list[KillPoint]) -> None:
    reference = reference_run(tmp_path_factory)
    output_dir = tmp_path / "runs"
    output_dir.mkdir()
    run = output_dir / "ci"
    seen: list[str] = []
    trained: dict[str, Any] | None = None
    final_rows_at_kill: list[dict[str, Any]] = []
    for i, point in enumerate(points):
        seen.append(f"killed during {point.phase}: {run_until_killed(output_dir, point, tmp_path / f'run{i}.log')}")
        if point.phase == "final evaluation":  # training finished in an earlier process: a rerun must keep it
            trained = _stamp(run)
            final_rows_at_kill = _whole_rows(run / "eval_final" / "bfcl" / "results.jsonl")
    last = run_ci(output_dir)
    print("\n".join(seen))

    assert trained is not None and _stamp(run) == trained  # no step re-ran after it was complete
    assert "skip sft: already complete" in last.log and "skip eval_baseline: already complete" in last.log
    logs = "\n".join(p.read_text() for p in sorted(tmp_path.glob("run*.log")))
    assert "Traceback" not in logs + last.log

    for step in STEPS:
        assert manifest(run / step)["status"] == "complete", step

    # the data: the same deterministic files, each record once (a torn line was cut and rewritten)
    ref_data, data = reference.dir / "data" / "dataset", run / "data" / "dataset"
    names = sorted(p.name for p in ref_data.glob("*.jsonl"))
    assert names == sorted(p.name for p in data.glob("*.jsonl"))
    for name in names:
        assert _sha256(data / name) == _sha256(ref_data / name), name

    # the training: the same number of steps and (up to float noise) the same adapter after a resume. Not
    # compared: train_loss, examples_seen, tokens: the resumed process reports the steps it ran itself
    # (transformers averages the loss over this process's steps: 0.333 resumed vs 0.484 in one go, measured)
    assert manifest(run / "sft")["metrics"]["steps"] == manifest(reference.dir / "sft")["metrics"]["steps"] == 2
    assert json.loads((run / "sft" / "train_result.json").read_text())["resumed_from"], "the rerun did not resume"
    ref_weights, weights = _adapter_weights(reference.dir), _adapter_weights(run)
    assert sorted(weights) == sorted(ref_weights)
    for name, tensor in weights.items():
        assert tensor.allclose(ref_weights[name], rtol=1e-4, atol=1e-6), name

    # the evaluations: every case exactly once, the same verdicts and metrics
    for step, folders in RESULT_ROWS.items():
        assert manifest(run / step)["metrics"] == manifest(reference.dir / step)["metrics"], step
        for folder, expected in folders.items():
            rows = result_rows(run / step / folder / "results.jsonl")
            ref_rows = {r["id"]: r for r in result_rows(reference.dir / step / folder / "results.jsonl")}
            ids = [r["id"] for r in rows]
            assert len(ids) == len(set(ids)) == expected and set(ids) == set(ref_rows), (step, folder, ids)
            for row in rows:
                ref = ref_rows[row["id"]]  # (episode rows carry a verdict instead of an error type)
                assert (row["valid"], row.get("error_type"), row.get("verdict")) == \
                    (ref["valid"], ref.get("error_type"), ref.get("verdict")), row["id"]
            summary = json.loads((run / step / folder / "summary.json").read_text())
            ref_summary = json.loads((reference.dir / step / folder / "summary.json").read_text())
            assert summary["categories"] == ref_summary["categories"], (step, folder)
    kept = {r["id"]: r for r in result_rows(run / "eval_final" / "bfcl" / "results.jsonl")}
    for row in final_rows_at_kill:  # rows written before the kill were kept, not generated again
        assert kept[row["id"]] == row

    # the report: the same before/after table
    assert _table(run / "report.md") == _table(reference.dir / "report.md")
    assert (run / "report.png").is_file()
