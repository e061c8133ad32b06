"""Per-step manifests: `runs/<name>/<step>/manifest.json` with config, versions, seed, timings and metrics."""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from toolgym.core import dist
from toolgym.core.runs import MANIFEST

_log = logging.getLogger(__name__)
PACKAGES = ("toolgym", "torch", "transformers", "trl", "peft", "datasets", "accelerate")


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def jsonable(value: Any) -> Any:
    """Dataclasses (also nested in dicts and lists) as plain JSON values."""
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def config_hash(config: Any) -> str:
    text = json.dumps(jsonable(config), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_manifest(step_dir: Path) -> dict[str, Any] | None:
    path = step_dir / MANIFEST
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError:
        return None


def run_step(step_dir: Path, config: Any, seed: int, body: Callable[[Path], dict[str, Any]],
             *, on_skip: Callable[[str], None] | None = None, collective: bool = False) -> dict[str, Any]:
    """Run `body(step_dir)` unless a complete manifest with the same config exists; return its outputs.

    A half-finished step (no complete manifest) runs again; the bodies resume from their own checkpoints.
    Multi-process launch (toolgym.core.dist): the main process alone writes the folder and the manifest; a
    `collective` step's body (SFT) runs in every process, any other step in the main process only.
    """
    digest = config_hash(config)
    done = read_manifest(step_dir)
    if (finished := _complete(done, digest)) is not None:
        if on_skip and dist.is_main():
            on_skip(step_dir.name)
        return finished.get("outputs", {})
    if not dist.is_main():
        return _follow(step_dir, digest, body if collective else None)
    if done and done.get("config_hash") != digest:
        shutil.rmtree(step_dir)  # made with another config: its checkpoints must not be resumed
    elif step_dir.is_dir():
        drop_torn_checkpoints(step_dir)  # half-finished: the body resumes from its newest whole checkpoint
    step_dir.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "step": step_dir.name, "status": "running", "config": jsonable(config), "config_hash": digest,
        "seed": seed, "versions": versions(), "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    _write(step_dir, manifest)
    if collective:
        dist.barrier()  # the folder is ready: the other processes start the body too
    start = time.perf_counter()
    outputs = body(step_dir)
    manifest.update(status="complete", seconds=round(time.perf_counter() - start, 2),
                    metrics=outputs.get("metrics", {}), outputs=outputs)
    _write(step_dir, manifest)
    if collective:
        dist.barrier()
    return outputs


def _complete(manifest: dict[str, Any] | None, digest: str) -> dict[str, Any] | None:
    """The manifest if it is complete and made with this config, else None."""
    if manifest and manifest.get("status") == "complete" and manifest.get("config_hash") == digest:
        return manifest
    return None


def _follow(step_dir: Path, digest: str, body: Callable[[Path], dict[str, Any]] | None) -> dict[str, Any]:
    """A non-main process: run a collective body between the main process's two barriers, or wait for the main
    process's complete manifest (polling: an evaluation can outlast a barrier's timeout)."""
    if body is not None:
        dist.barrier()
        outputs = body(step_dir)
        dist.barrier()
        return outputs
    return dist.wait_until(lambda: _complete(read_manifest(step_dir), digest)).get("outputs", {})


_CHECKPOINT = re.compile(r"checkpoint-\d+")
TRAINER_STATE = "trainer_state.json"


def drop_torn_checkpoints(step_dir: Path) -> list[Path]:
    """Remove the `checkpoint-N` folders (transformers Trainer checkpoints, at any depth of `step_dir`) that a
    kill left half-written, and return them.

    Trainer._save_checkpoint writes the weights, optimizer, scheduler and RNG state first and trainer_state.json
    last, not atomically; transformers.trainer_utils.get_last_checkpoint (checked in 5.24) picks the highest N
    without looking inside, so without this every rerun would fail on the torn folder ("No such file or
    directory: …/trainer_state.json") instead of resuming from the newest whole one.
    """
    torn = [folder for folder in sorted(step_dir.rglob("checkpoint-*"))
            if folder.is_dir() and _CHECKPOINT.fullmatch(folder.name) and not _is_json(folder / TRAINER_STATE)]
    for folder in torn:
        _log.warning("%s: half-written checkpoint (no readable %s), removed before resuming", folder,
                     TRAINER_STATE)
        shutil.rmtree(folder)
    return torn


def _is_json(path: Path) -> bool:
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return True


def _write(step_dir: Path, manifest: dict[str, Any]) -> None:
    # keys in the order the step produced them: a skipped step hands on its metrics in the same order as a
    # fresh run (the report's rows), not alphabetically
    tmp = step_dir / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, default=str))
    tmp.replace(step_dir / MANIFEST)
