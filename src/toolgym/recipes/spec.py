"""Recipe files: parsing, validation and `--set key=value` overrides.

A recipe is YAML with top-level sections `name`, `model`, `seed`, `output_dir`, `data`, `eval` and a list of
`stages`; each stage has a `kind` (adapt, rank, sft, …), an optional `name`, and the keys of its config dataclass.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from toolgym.core.config import from_dict, unknown_key_error
from toolgym.core.errors import InputError

NON_LIVE = ["simple_python", "multiple", "parallel", "parallel_multiple"]


@dataclass
class DataSpec:
    """Synthetic training data for the run (`toolgym data synth`)."""

    n: int = 2000
    mix: dict[str, float] = field(default_factory=dict)
    trajectories: int = 0
    error_rate: float = 0.17
    path: str | None = None  # an existing dataset folder instead of synthesizing


@dataclass
class EvalSpec:
    """Evaluation before the first and after the last stage."""

    categories: list[str] = field(default_factory=lambda: [*NON_LIVE, "irrelevance"])
    limit: int | None = 50
    batch_size: int = 32
    max_new_tokens: int = 160
    dtype: str = "auto"  # generation: auto | float32 | bfloat16 (autocast) | bf16-weights (fastest on CPU)
    suites: list[str] = field(default_factory=list)  # toolgym test sets (file names in the data folder)
    suite_limit: int | None = 100
    baseline: bool = True


@dataclass
class StageSpec:
    kind: str
    name: str
    config: Any


@dataclass
class Recipe:
    name: str
    model: str = "smollm2-135m"
    adapter: str | None = None  # start from this LoRA adapter folder (e.g. an earlier run's SFT stage)
    seed: int = 0
    output_dir: str = "runs"
    data: DataSpec = field(default_factory=DataSpec)
    eval: EvalSpec = field(default_factory=EvalSpec)
    stages: list[StageSpec] = field(default_factory=list)
    source: str = ""

    @property
    def run_dir(self) -> Path:
        return Path(self.output_dir) / self.name


TOP_KEYS = ("name", "model", "adapter", "seed", "output_dir", "data", "eval", "stages")


def load_recipe(path: str | Path, overrides: list[str] | None = None) -> Recipe:
    """Read, override and validate a recipe file; every error names the file and the key."""
    raw = apply_overrides(read_recipe(path), overrides or [], file=str(path))
    return parse_recipe(raw, file=str(path))


def read_recipe(path: str | Path) -> dict[str, Any]:
    """The recipe file as a plain mapping (not yet validated)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("recipe file not found", file=str(path))
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}" if mark else None
        raise InputError(f"invalid YAML: {getattr(exc, 'problem', exc)}", file=str(path), record=line) from None
    if not isinstance(raw, dict):
        raise InputError("a recipe must be a YAML mapping", file=str(path))
    return raw


def parse_recipe(raw: dict[str, Any], *, file: str) -> Recipe:
    from toolgym.recipes.stages import stage_config_class

    for key in raw:
        if key not in TOP_KEYS:
            raise unknown_key_error(key, TOP_KEYS, file=file, where="recipe")
    if not raw.get("name"):
        raise InputError("missing required key", file=file, record="recipe", field="name")
    stages: list[StageSpec] = []
    for index, entry in enumerate(raw.get("stages") or []):
        where = f"stages[{index}]"
        if not isinstance(entry, dict) or "kind" not in entry:
            raise InputError("each stage needs a 'kind'", file=file, record=where, field="kind")
        entry = dict(entry)
        kind = str(entry.pop("kind"))
        name = str(entry.pop("name", kind))
        config_cls = stage_config_class(kind, file=file, where=where)
        stages.append(StageSpec(kind, name, from_dict(config_cls, entry, file=file, where=f"stage '{name}'")))
    names = [s.name for s in stages]
    if len(set(names)) != len(names):
        raise InputError(f"stage names must be unique, got {names}", file=file, record="stages", field="name")
    return Recipe(
        name=str(raw["name"]),
        model=str(raw.get("model", "smollm2-135m")),
        adapter=str(raw["adapter"]) if raw.get("adapter") else None,
        seed=int(raw.get("seed", 0)),
        output_dir=str(raw.get("output_dir", "runs")),
        data=from_dict(DataSpec, raw.get("data"), file=file, where="data"),
        eval=from_dict(EvalSpec, raw.get("eval"), file=file, where="eval"),
        stages=stages,
        source=file,
    )


def apply_overrides(raw: dict[str, Any], overrides: list[str], *, file: str) -> dict[str, Any]:
    """Apply `section.key=value` / `<stage name>.key=value` overrides; values are parsed as YAML."""
    raw = copy.deepcopy(raw)
    for item in overrides:
        if "=" not in item:
            raise InputError(f"override '{item}' is not key=value", file="--set")
        dotted, text = item.split("=", 1)
        value = yaml.safe_load(text)
        parts = dotted.strip().split(".")
        target = _override_target(raw, parts[0], file=file)
        if target is not raw:  # a stage: drop its name; top-level keys (model=…, data.n=…) keep theirs
            parts = parts[1:]
        if not parts:
            raise InputError(f"override '{item}' names no key", file="--set")
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return raw


def _override_target(raw: dict[str, Any], head: str, *, file: str) -> dict[str, Any]:
    if head in TOP_KEYS:
        return raw
    for stage in raw.get("stages") or []:
        if isinstance(stage, dict) and str(stage.get("name", stage.get("kind"))) == head:
            return stage
    stage_names = [str(s.get("name", s.get("kind"))) for s in raw.get("stages") or [] if isinstance(s, dict)]
    raise unknown_key_error(head, [*TOP_KEYS, *stage_names], file=file, where="--set")
