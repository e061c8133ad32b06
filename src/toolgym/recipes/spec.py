"""Recipe files: parsing, validation and `--set key=value` overrides.

A recipe is YAML with top-level sections `name`, `model`, `seed`, `output_dir`, `data`, `eval` and a list of
`stages`; each stage has a `kind` (adapt, rank, sft, …), an optional `name`, and the keys of its config dataclass.

`load_recipe` checks the whole recipe before the first step runs: keys and value types (pydantic, through
`core.config.from_dict`), sample-type mixes, BFCL categories, suites and the files it names. Every error is
one line naming the file, the section or stage, and the key.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib.util
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from toolgym.core.config import (
    StageConfig,
    bare_message,
    check_value,
    field_types,
    fits,
    from_dict,
    load_yaml,
    nearest_key,
    type_name,
    unknown_key_error,
)
from toolgym.core.errors import InputError
from toolgym.data.interop import FORMATS as DATA_FORMATS
from toolgym.data.synth import SAMPLE_TYPES, SPLITS
from toolgym.eval.bfcl import CATEGORIES, GROUPS
from toolgym.models.backends import MODEL_BACKENDS, missing_backend
from toolgym.models.hardware import GENERATION_DTYPES
from toolgym.models.registry import DEFAULT_MODEL

# Step folders the runner writes beside the stages' (recipes/runner.py); a stage may not take their names.
RESERVED_STAGE_NAMES = ("data", "eval_baseline", "eval_final")


def _fail(message: str, where: str, key: str) -> InputError:
    return InputError(message, record=where, field=key)  # file added by from_dict


def _choice(name: str, valid: typing.Sequence[str], what: str, where: str, key: str) -> None:
    if name not in valid:
        close = nearest_key(name, valid)
        hint = f"; did you mean '{close}'?" if close else f"; valid: {', '.join(valid)}"
        raise _fail(f"unknown {what} {name!r}{hint}", where, key)


def _at_least(value: int | float | None, low: int | float, where: str, key: str) -> None:
    if value is not None and value < low:
        raise _fail(f"must be >= {low}, got {value}", where, key)


def check_categories(names: list[str], *, where: str, key: str) -> None:
    """Each name a BFCL category or group (eval.bfcl), with the nearest one for a typo."""
    for name in names:
        _choice(name, [*GROUPS, *CATEGORIES], "BFCL category", where, key)


EXTRA_KEYS = ("path", "format")


@dataclass
class DataSpec(StageConfig):
    """Synthetic training data for the run (`toolgym data synth`)."""

    stage: ClassVar[str] = "data"

    n: int = 2000
    mix: dict[str, float] = field(default_factory=dict)  # sample type -> weight; {} = the default mix
    trajectories: int = 0
    error_rate: float = 0.17
    path: str | None = None  # an existing dataset folder instead of synthesizing
    # data engine v2 (toolgym.data.synth.SynthOptions); `engine: v1` restores the first engine's stream
    engine: Literal["v1", "v2"] = "v2"
    description_styles: bool = True  # catalog / third-person / terse / long descriptions per tool
    fanout_share: float = 0.6  # parallel samples phrased as one request over several values
    mask_functions: float = 0.2  # share of records with opaque function names (Hammer)
    mask_parameters: float = 0.1  # share of records with opaque parameter names as well
    toolset_queries: int = 4  # queries per shared toolset (`toolset` samples)
    toolset_no_call: float = 0.25  # share of a toolset's queries that no member can answer
    wide_parallel: float = 0.0  # share of parallel_multiple samples with 2-3 tools and 2-4 calls (fan-outs included)
    toolset_size: int = 0  # GenTool: zero_to_one / weak_to_strong toolsets of this many tools (paper ~5); 0 = off
    w2s_queries: int = 1  # GenTool: queries per weak/strong pair (paper ~10)
    defaults: float = 0.0  # share of shown tools whose optional parameters state a default (gold omits unasked ones)
    cross_fanout: float = 0.0  # share of 3+-call fan-outs over two parameters, every combination (2 x 2 calls)
    zip_fanout: float = 0.0  # share of fan-outs whose calls differ together in 2-3 parameters ("A in X and B in Y")
    state_cities: float = 0.0  # share of records whose cities are US "City, ST", documented so (data.conventions)
    # imported data merged into train.jsonl / trajectories.jsonl, which every training stage reads:
    # [{path: FILE_OR_FOLDER, format: openai|sharegpt|xlam|toolace|hf|parquet|toolgym}] (format default toolgym,
    # e.g. a `toolgym data import` folder); their content hash joins the data step's hash, so a change retrains
    extra: list[dict[str, str]] = field(default_factory=list)

    def synth_options(self) -> Any:
        from toolgym.data.synth import SynthOptions

        if self.engine == "v1":
            return SynthOptions.v1()
        return SynthOptions(self.description_styles, self.fanout_share, self.mask_functions,
                            self.mask_parameters, self.toolset_queries, self.toolset_no_call, self.wide_parallel,
                            self.toolset_size, self.w2s_queries, defaults=self.defaults, cross_fanout=self.cross_fanout,
                            zip_fanout=self.zip_fanout, state_cities=self.state_cities)

    def __post_init__(self) -> None:
        _at_least(self.n, 1, "data", "n")
        _at_least(self.trajectories, 0, "data", "trajectories")
        if not 0 <= self.error_rate <= 1:
            raise _fail(f"must be in [0, 1], got {self.error_rate}", "data", "error_rate")
        for name, weight in self.mix.items():
            _choice(name, SAMPLE_TYPES, "sample type", "data", f"mix.{name}")
            _at_least(weight, 0, "data", f"mix.{name}")
        if self.mix and sum(self.mix.values()) <= 0:
            raise _fail("weights sum to 0: no sample type would be drawn", "data", "mix")
        if self.path == "":
            raise _fail("must name a dataset folder (or be left out)", "data", "path")
        for key in ("fanout_share", "mask_functions", "mask_parameters", "toolset_no_call", "wide_parallel",
                    "defaults", "cross_fanout", "zip_fanout", "state_cities"):
            if not 0 <= getattr(self, key) <= 1:
                raise _fail(f"must be in [0, 1], got {getattr(self, key)}", "data", key)
        if self.mask_parameters > self.mask_functions:
            raise _fail(f"must be <= mask_functions ({self.mask_functions}): parameters are masked only in "
                        "records whose functions are", "data", "mask_parameters")
        _at_least(self.toolset_queries, 1, "data", "toolset_queries")
        _at_least(self.toolset_size, 0, "data", "toolset_size")
        _at_least(self.w2s_queries, 1, "data", "w2s_queries")
        for i, item in enumerate(self.extra):
            for key in item:
                if key not in EXTRA_KEYS:
                    close = nearest_key(key, EXTRA_KEYS)
                    hint = f"; did you mean '{close}'?" if close else f"; valid keys: {', '.join(EXTRA_KEYS)}"
                    raise _fail(f"unknown key '{key}'{hint}", "data", f"extra[{i}].{key}")
            if not item.get("path", "").strip() or "\0" in item["path"]:
                raise _fail("must name a file or folder of data to import", "data", f"extra[{i}].path")
            _choice(item.get("format", "toolgym"), DATA_FORMATS, "data format", "data", f"extra[{i}].format")

    def extra_sources(self) -> list[tuple[str, str]]:
        """(path, format) of each `extra` entry."""
        return [(item["path"], item.get("format", "toolgym")) for item in self.extra]

    def written_files(self) -> list[str]:
        """The JSONL files the data step writes (when `path` is not given)."""
        return [f"{split}.jsonl" for split in SPLITS] + (["trajectories.jsonl"] if self.trajectories else [])


@dataclass
class EvalSpec(StageConfig):
    """Evaluation before the first and after the last stage."""

    stage: ClassVar[str] = "eval"

    categories: list[str] = field(default_factory=lambda: list(GROUPS["non_live"]))
    limit: int | None = 50
    batch_size: int = 32
    max_new_tokens: int = 160
    dtype: str = "auto"  # generation: auto | float32 | bfloat16 (autocast) | bf16-weights (fastest on CPU)
    backend: str = "transformers"  # generation backend: transformers | vllm (GPU, `pip install 'toolgym[vllm]'`)
    suites: list[str] = field(default_factory=list)  # toolgym test sets (file names in the data folder)
    suite_limit: int | None = 100
    baseline: bool = True
    # cases per BFCL category for the baseline (the untrained model), None = `limit`: the embedded model's
    # baseline is known (0% on every AST category), so a short one saves CPU time for training
    baseline_limit: int | None = None
    # decoding of the trained model (models/constrain.py): calls constrained to the tools' schemas, and the
    # call gate's bias; `calibrate` names a dev split (a file in the data folder) on which the final eval first
    # chooses the bias (`toolgym eval calibrate` on at most `calibrate_limit` cases), overriding `call_bias`;
    # by the best balanced accuracy, or the most calls that keep `calibrate_min_refusal` refusals (0..1), the
    # lowest bias within `calibrate_call_tolerance` of those calls (held-out dev halves: docs/quality/README.md)
    constrain: bool = False
    call_bias: float = 0.0
    calibrate: str | None = None
    calibrate_limit: int | None = 300
    calibrate_min_refusal: float | None = None
    calibrate_call_tolerance: float = 0.0
    # logit bonus, inside argument values, for tokens that continue a span of the question (models/copybias.py)
    copy_bias: float = 0.0
    # drop a call block that repeats an earlier one of the same answer word for word
    distinct_calls: bool = False
    # logit bonus on the comma after a top-level argument value: another (optional) parameter rather than closing
    continue_bias: float = 0.0
    # logit bonus on opening another call block after one closes, rather than ending the answer
    next_call_bias: float = 0.0
    # end an answer the constrained grammar committed to prose after this many tokens (no call can follow, so
    # scores are unchanged; an untrained model's essays stop costing decode time)
    prose_tokens: int | None = None
    # TL-Training's multi-turn episodes (eval/episodes.py: DE, CE, VA) on these data-folder suites, at most
    # `episodes_limit` cases each, `max_turns` model turns per episode; metrics `<suite>_de`, `_ce`, `_va`
    episodes: list[str] = field(default_factory=list)
    episodes_limit: int | None = 50
    max_turns: int = 9

    def __post_init__(self) -> None:
        check_categories(self.categories, where="eval", key="categories")
        if (self.constrain or self.call_bias or self.copy_bias or self.distinct_calls or self.continue_bias
                or self.next_call_bias or self.calibrate) and self.backend != "transformers":
            raise _fail("constrain, call_bias, copy_bias, continue_bias, next_call_bias, distinct_calls and "
                        "calibrate need the transformers backend", "eval", "backend")
        for key in ("copy_bias", "continue_bias", "next_call_bias"):
            if getattr(self, key) < 0:
                raise _fail(f"must be >= 0, not {getattr(self, key)}", "eval", key)
        if self.constrain and importlib.util.find_spec("xgrammar") is None:  # checked before the first step
            raise _fail("constrained decoding needs xgrammar: pip install 'toolgym[constrain]'", "eval", "constrain")
        if self.calibrate is not None and not self.calibrate.strip():
            raise _fail("must name a JSONL file in the data folder", "eval", "calibrate")
        for key in ("limit", "batch_size", "max_new_tokens", "suite_limit", "baseline_limit", "calibrate_limit",
                    "episodes_limit", "max_turns", "prose_tokens"):
            _at_least(getattr(self, key), 1, "eval", key)
        if self.prose_tokens is not None and not self.constrain:
            raise _fail("ends answers the grammar committed to prose: it needs constrain: true", "eval",
                        "prose_tokens")
        if self.calibrate_min_refusal is not None and not 0 <= self.calibrate_min_refusal <= 1:
            raise _fail(f"must be a share between 0 and 1, not {self.calibrate_min_refusal}", "eval",
                        "calibrate_min_refusal")
        if not 0 <= self.calibrate_call_tolerance < 1:
            raise _fail(f"must be a share in [0, 1), not {self.calibrate_call_tolerance}", "eval",
                        "calibrate_call_tolerance")
        _choice(self.dtype, GENERATION_DTYPES, "generation dtype", "eval", "dtype")
        _choice(self.backend, MODEL_BACKENDS, "generation backend", "eval", "backend")
        if reason := missing_backend(self.backend):  # the whole recipe is checked before its first step
            raise _fail(reason, "eval", "backend")
        for key in ("suites", "episodes"):
            for i, suite in enumerate(getattr(self, key)):
                if not suite.strip():
                    raise _fail("must name a JSONL file", "eval", f"{key}[{i}]")


@dataclass
class StageSpec:
    kind: str
    name: str
    config: Any


@dataclass
class Recipe:
    name: str
    model: str = DEFAULT_MODEL
    adapter: str | None = None  # start from this LoRA adapter folder (e.g. an earlier run's SFT stage)
    seed: int = 0
    output_dir: str = "runs"
    data: DataSpec = field(default_factory=DataSpec)
    eval: EvalSpec = field(default_factory=EvalSpec)
    stages: list[StageSpec] = field(default_factory=list)
    # the whole run should end within this many minutes: the SFT-family stages train for what the final
    # evaluation leaves, estimated from the baseline evaluation's measured speed (recipes/deadline.py);
    # a stage's own max_minutes is then an upper bound
    deadline_minutes: float | None = None
    source: str = ""

    def __post_init__(self) -> None:
        for key in ("name", "model", "output_dir"):
            text = getattr(self, key)
            if not text.strip() or "\0" in text:
                raise _fail("must be a non-empty name", "recipe", key)
        if ".." in Path(self.name).parts or Path(self.name).is_absolute():
            raise _fail(f"must be a folder name inside output_dir, got {self.name!r}", "recipe", "name")
        _at_least(self.seed, 0, "recipe", "seed")
        if self.deadline_minutes is not None and self.deadline_minutes <= 0:
            raise _fail(f"must be > 0, got {self.deadline_minutes}", "recipe", "deadline_minutes")

    @property
    def run_dir(self) -> Path:
        return Path(self.output_dir) / self.name


TOP_KEYS = ("name", "model", "adapter", "seed", "output_dir", "deadline_minutes", "data", "eval", "stages")
SECTIONS: dict[str, type] = {"data": DataSpec, "eval": EvalSpec}
STAGE_KEYS = ("kind", "name")


def load_recipe(path: str | Path, overrides: list[str] | None = None) -> Recipe:
    """Read, override and validate a recipe file, and the files it names; every error names the file and key."""
    raw = apply_overrides(read_recipe(path), overrides or [], file=str(path))
    recipe = parse_recipe(raw, file=str(path))
    check_files(recipe)
    return recipe


def read_recipe(path: str | Path) -> dict[str, Any]:
    """The recipe file as a plain mapping (not yet validated)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("recipe file not found", file=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    raw = load_yaml(text, file=str(path))
    if not isinstance(raw, dict):
        raise InputError("a recipe must be a YAML mapping of keys", file=str(path))
    return raw


def parse_recipe(raw: dict[str, Any], *, file: str) -> Recipe:
    """Validate a recipe mapping (keys, types, values, cross-references); the files it names are not opened."""
    if not isinstance(raw, dict):
        raise InputError("a recipe must be a YAML mapping of keys", file=file)
    for key in raw:
        if key not in TOP_KEYS:
            raise unknown_key_error(key, TOP_KEYS, file=file, where="recipe")
    head = {k: v for k, v in raw.items() if k not in ("data", "eval", "stages")}
    recipe = from_dict(Recipe, head, file=file, where="recipe")
    recipe.data = from_dict(DataSpec, raw.get("data"), file=file, where="data")
    recipe.eval = from_dict(EvalSpec, raw.get("eval"), file=file, where="eval")
    recipe.stages = _parse_stages(raw.get("stages"), file=file)
    recipe.source = file
    if recipe.deadline_minutes is not None:
        _check_deadline(recipe)
    if not recipe.data.path:  # the data step synthesizes: a suite must be one of the files it writes
        written = recipe.data.written_files()
        for key, suite in data_files_read(recipe.eval):
            if suite not in written and not Path(suite).is_absolute():
                close = nearest_key(suite, written)
                hint = f"did you mean '{close}'?" if close else f"it writes {', '.join(written)}"
                raise InputError(f"the data step writes no suite {suite!r}; {hint}", file=file, record="eval",
                                 field=key)
    return recipe


def _check_deadline(recipe: Recipe) -> None:
    """A deadline needs the baseline evaluation (it measures this machine's speed), the transformers backend
    (whose generator counts its tokens) and a step cap on each SFT-family stage (the time-aware schedule's)."""
    from toolgym.recipes.stages import COLLECTIVE

    if not recipe.eval.baseline or recipe.eval.backend != "transformers":
        raise InputError("needs eval.baseline: true and the transformers backend (the baseline evaluation measures "
                         "this machine's speed)", file=recipe.source, record="recipe", field="deadline_minutes")
    for index, stage in enumerate(recipe.stages):
        if stage.kind in COLLECTIVE and stage.config.max_steps <= 0:
            raise InputError("a deadline budgets this stage by time, which needs max_steps > 0 (the schedule's "
                             "step cap)", file=recipe.source, record=f"stages[{index}]", field="max_steps")


def data_files_read(spec: EvalSpec) -> list[tuple[str, str]]:
    """(key, file name) of each data-folder file the evaluation reads: suites, episode suites, calibration split."""
    named = [(f"{key}[{i}]", suite) for key in ("suites", "episodes") for i, suite in enumerate(getattr(spec, key))]
    return named + ([("calibrate", spec.calibrate)] if spec.calibrate else [])


def _parse_stages(entries: Any, *, file: str) -> list[StageSpec]:
    from toolgym.recipes.stages import stage_config_class

    if entries is None:
        return []
    if not isinstance(entries, list):
        raise InputError(f"expected a list of stages, got {type(entries).__name__}", file=file, record="recipe",
                         field="stages")
    stages: list[StageSpec] = []
    for index, entry in enumerate(entries):
        where = f"stages[{index}]"
        if not isinstance(entry, dict) or "kind" not in entry:
            raise InputError("each stage needs a 'kind'", file=file, record=where, field="kind")
        entry = dict(entry)
        kind = check_value(entry.pop("kind"), str, file=file, where=where, key="kind")
        name = check_value(entry.pop("name", kind), str, file=file, where=where, key="name")
        if not name.strip() or "/" in name or "\\" in name or name.startswith(".") or "\0" in name:
            raise InputError(f"must be a plain folder name, got {name!r}", file=file, record=where, field="name")
        if name in RESERVED_STAGE_NAMES or name in TOP_KEYS:
            raise InputError(f"{name!r} is taken (by the runner's own steps or a recipe key); pick another",
                             file=file, record=where, field="name")
        if name in {s.name for s in stages}:
            raise InputError(f"stage names must be unique; {name!r} is used twice", file=file, record=where,
                             field="name")
        config_cls = stage_config_class(kind, file=file, where=where)
        config = from_dict(config_cls, entry, file=file, where=f"stage '{name}'")
        _check_stage(config, file=file, where=f"stage '{name}'")
        stages.append(StageSpec(kind, name, config))
    return stages


def _check_stage(config: Any, *, file: str, where: str) -> None:
    """What a stage config names that its own dataclass cannot check: BFCL categories, nested train keys."""
    categories = getattr(config, "bfcl_categories", None)
    if isinstance(categories, list):
        try:
            check_categories(categories, where=where, key="bfcl_categories")
        except InputError as exc:
            raise InputError(bare_message(exc), file=file, record=where, field=exc.field) from None
    if isinstance(getattr(config, "train", None), dict) and hasattr(config, "sft_config"):
        try:  # the evolve stage's retraining keys are an SFT stage config
            config.sft_config(0)
        except InputError as exc:
            key = f"train.{exc.field}" if exc.field else "train"
            raise InputError(bare_message(exc), file=file, record=where, field=key) from None


def check_files(recipe: Recipe) -> None:
    """The files and folders a recipe reads exist: the dataset folder, its suites, a stage's input files.

    (The starting adapter is checked when the run starts: an earlier recipe may still be training it.)
    """
    file = recipe.source or None
    for key, folder in (("output_dir", Path(recipe.output_dir)), ("name", recipe.run_dir)):
        if folder.exists() and not folder.is_dir():  # the run could not make its folder
            raise InputError(f"{str(folder)!r} is a file, not a folder", file=file, record="recipe", field=key)
    data = recipe.data.path
    if data:
        if not Path(data).is_dir():
            raise InputError(f"no dataset folder {data!r}", file=file, record="data", field="path")
        if not any(Path(data).glob("*.jsonl")):
            raise InputError(f"no *.jsonl files in {data!r}", file=file, record="data", field="path")
        for key, suite in data_files_read(recipe.eval):
            if not (Path(data) / suite).is_file():
                present = sorted(p.name for p in Path(data).glob("*.jsonl"))
                close = nearest_key(suite, present)
                hint = f"; did you mean '{close}'?" if close else f"; present: {', '.join(present)}"
                raise InputError(f"no suite {suite!r} in {data}{hint}", file=file, record="eval", field=key)
    for i, (path, _) in enumerate(recipe.data.extra_sources()):
        if not Path(path).exists():
            raise InputError(f"no such file or folder {path!r}", file=file, record="data", field=f"extra[{i}].path")
    for stage in recipe.stages:
        for key in ("pool_file", "dev_file"):
            path = getattr(stage.config, key, None)
            if isinstance(path, str) and not Path(path).is_file():
                raise InputError(f"no such file {path!r}", file=file, record=f"stage '{stage.name}'", field=key)


# ---------------------------------------------------------------- --set overrides


def apply_overrides(raw: dict[str, Any], overrides: list[str], *, file: str) -> dict[str, Any]:
    """Apply `section.key=value` / `<stage name>.key=value` overrides.

    A value is read as YAML, except where the key is declared as text and the YAML value does not fit
    (`--set model=123` is the name '123'). Each key is checked against the declared fields as it is set, so a
    typo names the override and the nearest key; values are validated with the whole recipe afterwards.

    The dotted walk is written here (checked: OmegaConf's `from_dotlist`/`update`): a stage is addressed by its
    name inside the `stages` list, which OmegaConf paths cannot express, and its errors carry no nearest key.
    """
    raw = copy.deepcopy(raw)
    for item in overrides:
        dotted, sep, text = item.partition("=")
        where = f"--set {dotted.strip()}"
        parts = [p.strip() for p in dotted.split(".")]
        if not sep or not all(parts):
            raise InputError(f"override {item!r} is not key=value", file=file, record="--set")
        target, hint = _override_target(raw, parts[0], file=file)
        if target is not raw:  # a stage: drop its name; top-level keys (model=…, data.n=…) keep theirs
            parts = parts[1:]
        if not parts:
            raise InputError("names a stage but no key of it", file=file, record=where)
        for depth, part in enumerate(parts):
            hint = _field_hint(hint, part, ".".join(parts[:depth]), file=file, where=where)
            if depth == len(parts) - 1:
                target[part] = _override_value(text, hint, file=file, where=where)
                break
            if target.get(part) is None:
                target[part] = {}
            target = target[part]
            if not isinstance(target, dict):
                raise InputError(f"{'.'.join(parts[:depth + 1])} is {type(target).__name__} {target!r} in the "
                                 "recipe, not a mapping", file=file, record=where)
    return raw


def _override_target(raw: dict[str, Any], head: str, *, file: str) -> tuple[dict[str, Any], Any]:
    """The mapping an override writes into (the recipe, or a stage entry) and the type that declares it."""
    if head in TOP_KEYS:
        return raw, Recipe
    stages = raw.get("stages") if isinstance(raw.get("stages"), list) else []
    for stage in stages:
        if isinstance(stage, dict) and str(stage.get("name", stage.get("kind"))) == head:
            return stage, _stage_class(stage)
    names = [str(s.get("name", s.get("kind"))) for s in stages if isinstance(s, dict)]
    raise unknown_key_error(head, [*TOP_KEYS, *names], file=file, where="--set")


def _stage_class(stage: dict[str, Any]) -> Any:
    from toolgym.recipes.stages import STAGES, stage_config_class

    kind = stage.get("kind")
    return stage_config_class(kind) if isinstance(kind, str) and kind in STAGES else Any


def _declared(cls: type) -> dict[str, Any]:
    """The keys a recipe may set on dataclass `cls`, with their declared types."""
    hints = field_types(cls)
    keys = {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    if cls is Recipe:
        return {k: SECTIONS.get(k, keys[k]) for k in TOP_KEYS}
    is_stage = issubclass(cls, StageConfig) and cls not in SECTIONS.values()
    return {**dict.fromkeys(STAGE_KEYS, str), **keys} if is_stage else keys


def _field_hint(hint: Any, key: str, owner: str, *, file: str, where: str) -> Any:
    """The declared type of `key` inside a value of type `hint` (a dataclass field, or a mapping's values)."""
    if hint is Any:
        return Any
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        valid = _declared(hint)
        if key not in valid:
            raise unknown_key_error(key, valid, file=file, where=where)
        return valid[key]
    for member in (hint, *typing.get_args(hint)):  # dict[str, float], or the dict member of a union
        if typing.get_origin(member) is dict:
            return typing.get_args(member)[1]
    raise InputError(f"{owner} is declared {type_name(hint)}, which has no keys", file=file, record=where,
                     field=key)


def _override_value(text: str, hint: Any, *, file: str, where: str) -> Any:
    """The YAML value of an override; the plain text where the key takes text and the YAML value does not fit."""
    takes_text = hint is str or str in typing.get_args(hint)
    try:
        value = load_yaml(text, file=file, record=where)
    except InputError:
        if takes_text:
            return text
        raise
    return text if takes_text and not fits(value, hint) else value
