"""Stage kinds a recipe can list: kind → (config dataclass, runner). Later issues add `evolve` and `rl`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from toolgym.core.config import unknown_key_error

# kind → ("module:ConfigClass", "module:function(stage_config, inputs, out_dir, seed) -> outputs")
STAGES: dict[str, tuple[str, str]] = {
    "adapt": ("toolgym.train.config:AdaptStageConfig", "toolgym.recipes.training:run_training_stage"),
    "rank": ("toolgym.train.config:RankStageConfig", "toolgym.recipes.training:run_training_stage"),
    "sft": ("toolgym.train.config:SFTStageConfig", "toolgym.recipes.training:run_training_stage"),
    "rl": ("toolgym.train.rl_config:RLStageConfig", "toolgym.train.rl:run"),
    "evolve": ("toolgym.evolve.config:EvolveStageConfig", "toolgym.evolve.loop:run_evolve_stage"),
}
# kinds whose runner trains with every process of a multi-process launch (the others run in the main process)
COLLECTIVE = frozenset({"adapt", "rank", "sft"})


def _load(ref: str) -> Any:
    module, attr = ref.split(":")
    return getattr(importlib.import_module(module), attr)


def stage_config_class(kind: str, *, file: str | None = None, where: str = "stages") -> type:
    if kind not in STAGES:
        raise unknown_key_error(kind, STAGES, file=file, where=where)
    return _load(STAGES[kind][0])


def run_stage(stage: Any, inputs: dict[str, Any], out_dir: Path, seed: int) -> dict[str, Any]:
    runner: Callable[..., dict[str, Any]] = _load(STAGES[stage.kind][1])
    return runner(stage, inputs, out_dir, seed)
