import json
from pathlib import Path

import pytest

from toolgym.recipes.manifest import _write, config_hash, read_manifest, run_step
from toolgym.recipes.spec import DataSpec


def test_complete_step_is_skipped_and_changed_config_reruns(tmp_path: Path) -> None:
    calls: list[int] = []

    def body(step_dir: Path) -> dict:
        calls.append(1)
        return {"metrics": {"x": len(calls)}}

    step = tmp_path / "s"
    assert run_step(step, {"a": 1}, 0, body)["metrics"] == {"x": 1}
    assert run_step(step, {"a": 1}, 0, body)["metrics"] == {"x": 1}
    assert len(calls) == 1
    run_step(step, {"a": 2}, 0, body)
    assert len(calls) == 2
    manifest = read_manifest(step)
    assert manifest["status"] == "complete" and manifest["config"] == {"a": 2}
    assert "torch" in manifest["versions"] and manifest["seconds"] >= 0


def test_interrupted_step_runs_again(tmp_path: Path) -> None:
    def crash(step_dir: Path) -> dict:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_step(tmp_path / "s", {"a": 1}, 0, crash)
    assert read_manifest(tmp_path / "s")["status"] == "running"
    out = run_step(tmp_path / "s", {"a": 1}, 0, lambda d: {"metrics": {"ok": 1}})
    assert out["metrics"] == {"ok": 1}


def test_dataclass_config_is_stored_as_json(tmp_path: Path) -> None:
    run_step(tmp_path / "s", {"data": DataSpec(n=5)}, 3, lambda d: {})
    stored = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert stored["config"]["data"]["n"] == 5 and stored["seed"] == 3


def test_changed_config_discards_old_outputs(tmp_path: Path) -> None:
    step = tmp_path / "s"
    run_step(step, {"a": 1}, 0, lambda d: (d / "checkpoint").write_text("old") and {})
    seen = []
    run_step(step, {"a": 2}, 0, lambda d: seen.append((d / "checkpoint").exists()) or {})
    assert seen == [False]


def test_other_processes_wait_for_the_main_ones_manifest(tmp_path: Path, monkeypatch) -> None:
    """Multi-process launch, rank 1: a main-only step is never run here (its outputs come from the main process's
    manifest once complete); a collective step's body runs between two barriers and writes no manifest."""
    import threading

    from toolgym.core import dist

    barriers: list[int] = []
    monkeypatch.setattr(dist, "barrier", lambda: barriers.append(1))
    main_step, shared = tmp_path / "eval", tmp_path / "sft"
    run_step(main_step, {"a": 1}, 0, lambda d: {})  # as rank 0 would, before the rerun below
    done = run_step(tmp_path / "done", {"a": 1}, 0, lambda d: {"metrics": {"m": 1}})
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")

    def main_finishes() -> None:  # rank 0 completes the step with a new config while rank 1 polls
        _write(main_step, {"status": "complete", "config_hash": config_hash({"a": 2}),
                           "outputs": {"metrics": {"m": 2}}})

    assert run_step(tmp_path / "done", {"a": 1}, 0, lambda d: pytest.fail("ran")) == done
    poll = threading.Timer(0.3, main_finishes)
    poll.start()
    assert run_step(main_step, {"a": 2}, 0, lambda d: pytest.fail("ran"))["metrics"] == {"m": 2}
    poll.join()
    out = run_step(shared, {"a": 1}, 0, lambda d: {"metrics": {"rank1": 1}}, collective=True)
    assert out == {"metrics": {"rank1": 1}} and barriers == [1, 1] and read_manifest(shared) is None
