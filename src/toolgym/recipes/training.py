"""Recipe glue for the SFT-family stages (adapt, rank, sft): read the run's data, train, hand on the adapter."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError, ToolgymError
from toolgym.core.schema import Sample
from toolgym.data.io import ReadStats, iter_jsonl, strict_default


def stage_records(data_dir: Path, tasks: dict[str, float]) -> list[dict[str, Any]]:
    """train.jsonl, plus trajectories.jsonl when the stage trains the trajectory task.

    A bad record is skipped with one logged line naming its file and line, plus a summary count per file;
    under `toolgym --strict` it stops the stage.
    """
    files = [data_dir / "train.jsonl"]
    if "trajectory" in tasks and (data_dir / "trajectories.jsonl").is_file():
        files.append(data_dir / "trajectories.jsonl")
    return [record for path in files for record in _valid_records(path)]


def _valid_records(path: Path) -> list[dict[str, Any]]:
    """The records of `path` that parse as samples, as they are in the file (parsed here, while the line is
    known: later checks count records, not lines)."""
    strict, stats = strict_default(), ReadStats()
    kept: list[dict[str, Any]] = []
    for line, record in iter_jsonl(path, strict=strict, stats=stats):  # its summary counts the skips below too
        try:
            Sample.from_record(record, file=str(path), line=line)
        except (InputError, RecursionError) as exc:
            err = exc if isinstance(exc, InputError) else InputError("nested too deeply", file=str(path), record=line)
            if strict:
                raise err from None
            stats.ok -= 1
            stats.skip(err)
            continue
        kept.append(record)
    return kept


def run_training_stage(stage: Any, inputs: dict[str, Any], out_dir: Path, seed: int) -> dict[str, Any]:
    from toolgym.train.sft import train_sft

    config = stage.config
    records = stage_records(Path(inputs["data_dir"]), config.tasks)
    result = train_sft(config, records, model_name=inputs["model"], out_dir=out_dir, adapter=inputs["adapter"],
                       records_file=str(Path(inputs["data_dir"]) / "train.jsonl"))
    loss = result.train_loss
    if loss is not None and not math.isfinite(loss):  # diverged: its adapter must not be evaluated or built on
        raise ToolgymError(f"stage {stage.name}: training diverged (loss {loss}) by step {result.global_step}; "
                           f"lower learning_rate or check the data, then rerun (outputs in {out_dir})")
    outputs: dict[str, Any] = {
        "metrics": {"train_loss": loss, "steps": result.global_step,  # None: no loss was logged
                    "tokens_per_second": result.tokens_per_second, "train_seconds": result.train_seconds,
                    "examples_seen": result.examples_seen, "stopped_by_budget": result.stopped_by_budget,
                    "peak_rss_mb": result.peak_rss_mb,
                    **({"max_minutes": config.max_minutes} if config.max_minutes is not None else {})},
        "train": result.to_dict(),
    }
    if result.adapter_dir:
        outputs["adapter"] = result.adapter_dir
    else:
        outputs["model"], outputs["adapter"] = result.model_dir, None
    return outputs
