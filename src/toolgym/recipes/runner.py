"""`toolgym run RECIPE.yaml`: synthesize data, evaluate the base model, run the stages, evaluate, report.

Every step writes `runs/<name>/<step>/manifest.json`; a rerun skips complete steps (same config) and the
half-finished one resumes from its own checkpoints. Under `accelerate launch` every process runs this: the SFT
stages train on all of them, every other step runs in the main process while the rest wait (manifest.run_step).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from toolgym.core import dist
from toolgym.core.errors import InputError
from toolgym.core.formats import PROMPT_VERSION
from toolgym.core.runs import FINAL_EVAL
from toolgym.recipes.deadline import budget_stage, plan_notes
from toolgym.recipes.manifest import config_hash, run_step
from toolgym.recipes.report import write_report
from toolgym.recipes.spec import Recipe, load_recipe

console = Console(stderr=True)


@dataclass
class RunState:
    """What flows from step to step: the dataset folder and the newest adapter / checkpoint."""

    recipe: Recipe
    data_dir: Path | None = None
    adapter: str | None = None
    model: str = ""
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    report: Path | None = None
    lineage: str = ""  # hash of every config upstream of the current step


def run_recipe(path: str | Path, overrides: list[str] | None = None) -> RunState:
    return execute(load_recipe(path, overrides))


def execute(recipe: Recipe) -> RunState:
    """Run every step of `recipe` and write report.md; the returned state holds every step's metrics."""
    if recipe.adapter and not (Path(recipe.adapter) / "adapter_config.json").is_file():
        raise InputError(f"no adapter_config.json in {recipe.adapter} (run the recipe that trains it first)",
                         file=recipe.source, record="recipe", field="adapter")
    _check_launch(recipe)
    started = time.monotonic()  # a deadline counts from here
    run_dir = recipe.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    state = RunState(recipe=recipe, model=recipe.model, adapter=recipe.adapter)
    skip = _announce_skip
    if dist.is_main():
        console.rule(f"[bold]toolgym run[/bold] {recipe.name} → {run_dir}")

    data_out = run_step(run_dir / "data", _data_config(recipe), recipe.seed,
                        lambda d: _synthesize(recipe, d), on_skip=skip)
    state.data_dir = Path(data_out["data_dir"])
    start = _adapter_identity(recipe.adapter)
    # the prompt rendering is upstream of every evaluation and stage: a new PROMPT_VERSION retrains and rescores
    state.lineage = config_hash({**_data_config(recipe), "adapter": start, "prompt_version": PROMPT_VERSION})

    if recipe.eval.baseline:
        # upstream: data lineage and seed (new test files must be rescored); data_out: the files written
        base = run_step(run_dir / "eval_baseline", {**_eval_config(recipe, recipe.adapter), "adapter_identity": start,
                                                    "upstream": state.lineage, "data": data_out}, recipe.seed,
                        lambda d: _evaluate(state, d, baseline=True), on_skip=skip)
        state.metrics["baseline"] = base["metrics"]

    from toolgym.recipes.stages import COLLECTIVE, run_stage

    def planned(index: int, step_dir: Path) -> Any:  # the stage, with its share of a deadline
        return budget_stage(recipe, index, state.data_dir, time.monotonic() - started, step_dir)

    for index, stage in enumerate(recipe.stages):
        inputs = {"model": state.model, "adapter": state.adapter, "data_dir": str(state.data_dir),
                  "upstream": state.lineage}  # new data or an earlier stage's change retrains this one
        config = {"kind": stage.kind, "config": stage.config, "inputs": inputs}
        state.lineage = config_hash(config)
        out = run_step(run_dir / stage.name, config, recipe.seed,
                       lambda d, i=index: run_stage(planned(i, d), state_inputs(state), d, recipe.seed), on_skip=skip,
                       collective=stage.kind in COLLECTIVE)
        state.adapter = out.get("adapter", state.adapter)
        state.model = out.get("model", state.model)
        if out.get("metrics"):
            state.metrics[stage.name] = out["metrics"]

    if "baseline" in state.metrics and not recipe.stages:
        state.metrics["final"] = state.metrics["baseline"]  # nothing was trained: the baseline is final
    else:
        final_config = {**_eval_config(recipe, state.adapter, state.model), "upstream": state.lineage}
        final = run_step(run_dir / FINAL_EVAL, final_config, recipe.seed,
                         lambda d: _evaluate(state, d), on_skip=skip)
        state.metrics["final"] = final["metrics"]
    if not dist.is_main():
        return state  # the main process writes the report
    report = write_report(run_dir, f"toolgym run: {recipe.name}", state.metrics.get("baseline", {}),
                          state.metrics["final"], notes=_notes(state), sections=_stage_sections(recipe))
    console.print(f"[green]report[/green] {report}")
    console.print(report.read_text())
    state.report = report
    return state


def _check_launch(recipe: Recipe) -> None:
    """A multi-process launch trains SFT-family stages only: an rl or evolve stage would start a trainer of its
    own in the main process, which would wait forever for the other processes."""
    from toolgym.recipes.stages import COLLECTIVE

    single = [stage.name for stage in recipe.stages if stage.kind not in COLLECTIVE]
    if dist.world_size() > 1 and single:
        raise InputError(f"stages {', '.join(single)} cannot run under a {dist.world_size()}-process launch "
                         f"(only {', '.join(sorted(COLLECTIVE))} stages can); run this recipe as one process",
                         file=recipe.source, record="recipe", field="stages")


def state_inputs(state: RunState) -> dict[str, Any]:
    return {"model": state.model, "adapter": state.adapter, "data_dir": state.data_dir}


def _stage_sections(recipe: Recipe) -> list[str]:
    """Stage reports written beside their manifests (`<kind>_report.md`: rl, evolve), in stage order."""
    files = [recipe.run_dir / stage.name / f"{stage.kind}_report.md" for stage in recipe.stages]
    return [path.read_text() for path in files if path.is_file()]


def _announce_skip(step: str) -> None:
    console.print(f"[dim]skip {step}: already complete[/dim]")


# data keys added after runs were published, with the value that leaves the synthesized stream unchanged
LATER_DATA_KEYS = {"wide_parallel": 0.0, "toolset_size": 0, "w2s_queries": 1, "defaults": 0.0,
                   "cross_fanout": 0.0, "zip_fanout": 0.0, "state_cities": 0.0}


def _data_config(recipe: Recipe) -> dict[str, Any]:
    """The data step's config; with `data.extra`, the imported files' content hashes too (every later step's
    hash builds on this one, so changed extra data retrains). Without it, the hash of earlier runs is kept."""
    from toolgym.recipes.manifest import jsonable

    data = jsonable(recipe.data)
    for key, off in LATER_DATA_KEYS.items():  # off: the stream and the hash of earlier runs stay as they were
        if data.get(key) == off:
            data.pop(key)
    if not data.pop("extra", None):
        return {"data": data, "seed": recipe.seed}
    from toolgym.data.interop import content_hash

    extra = [{"path": path, "format": fmt, "sha256": content_hash(path)} for path, fmt in recipe.data.extra_sources()]
    return {"data": data, "seed": recipe.seed, "extra": extra}


def _adapter_identity(adapter: str | None) -> str | None:
    """The starting adapter's path plus its weights' size and mtime: a retrained adapter re-runs what follows."""
    if adapter is None:
        return None
    weights = sorted(Path(adapter).glob("adapter_model.*"))
    stats = [(w.name, w.stat().st_size, int(w.stat().st_mtime)) for w in weights]
    return f"{Path(adapter).resolve()}:{stats}"


# eval keys added after runs were published; without episodes they change nothing
LATER_EVAL_KEYS = ("episodes", "episodes_limit", "max_turns")
# eval keys added later with the value that changes nothing: left out of the hash at that value
LATER_EVAL_OFF = {"calibrate_call_tolerance": 0.0}


def _eval_config(recipe: Recipe, adapter: str | None, model: str | None = None) -> dict[str, Any]:
    from toolgym.recipes.manifest import jsonable

    evaluation = jsonable(recipe.eval)
    if not evaluation.get("episodes"):  # no episodes: the hash of earlier runs' eval steps is kept
        for key in LATER_EVAL_KEYS:
            evaluation.pop(key, None)
    for key, off in LATER_EVAL_OFF.items():  # off: earlier runs' hashes are kept
        if evaluation.get(key) == off:
            evaluation.pop(key)
    return {"eval": evaluation, "model": model or recipe.model, "adapter": adapter}


def _synthesize(recipe: Recipe, step_dir: Path) -> dict[str, Any]:
    out = _base_data(recipe, step_dir)
    if recipe.data.extra:
        from toolgym.data.decontam import overlap_line
        from toolgym.data.interop import write_merged

        merged = write_merged(out["data_dir"], recipe.data.extra_sources(), step_dir / "merged")
        console.print(f"data.extra: {merged['extra_records']} imported records merged, {merged['bad_rows']} bad rows "
                      "skipped" + "".join(f"\n  skipped: {r}" for r in merged["reasons"]), markup=False)
        console.print(overlap_line(merged["decontam"], "data.extra"), markup=False)
        out = {**out, "data_dir": str((step_dir / "merged").resolve()), "merged": merged}
    return out


def _base_data(recipe: Recipe, step_dir: Path) -> dict[str, Any]:
    """The dataset folder given by `data.path`, or the synthesized one."""
    if recipe.data.path:
        return {"data_dir": str(Path(recipe.data.path).resolve())}
    from toolgym.data.synth import write_dataset
    from toolgym.data.trajectories import write_trajectories

    out = step_dir / "dataset"
    manifest = write_dataset(out, n=recipe.data.n, seed=recipe.seed, mix=recipe.data.mix or None,
                             options=recipe.data.synth_options())
    if recipe.data.trajectories:
        write_trajectories(out, recipe.data.trajectories, recipe.seed, recipe.data.error_rate, 0.0)
    return {"data_dir": str(out.resolve()), "files": manifest.get("files", {})}


def _evaluate(state: RunState, step_dir: Path, baseline: bool = False) -> dict[str, Any]:
    from toolgym.recipes.evaluation import evaluate_model

    spec = state.recipe.eval
    limit = spec.baseline_limit if baseline and spec.baseline_limit is not None else spec.limit
    suites = [str(state.data_dir / name) for name in spec.suites] if state.data_dir else []
    episodes = [str(state.data_dir / name) for name in spec.episodes] if state.data_dir else []
    metrics = evaluate_model(model=state.model, adapter=state.adapter, categories=spec.categories,
                             limit=limit, out_dir=step_dir, batch_size=spec.batch_size,
                             max_new_tokens=spec.max_new_tokens, suites=suites, suite_limit=spec.suite_limit,
                             dtype=spec.dtype, backend=spec.backend,
                             decoding=None if baseline else decoding_options(spec, state.data_dir),
                             episodes=episodes, episodes_limit=spec.episodes_limit, max_turns=spec.max_turns)
    return {"metrics": metrics}


def decoding_options(spec: Any, data_dir: Path | None) -> dict[str, Any]:
    """The trained model's decoding: constrained calls, the gate's bias, and the dev split that chooses it."""
    calibrate = str(data_dir / spec.calibrate) if spec.calibrate and data_dir else None
    return {"constrain": spec.constrain, "call_bias": spec.call_bias, "copy_bias": spec.copy_bias,
            "distinct_calls": spec.distinct_calls, "calibrate": calibrate,
            **{k: getattr(spec, k) for k in ("continue_bias", "next_call_bias", "prose_tokens") if getattr(spec, k)},
            "calibrate_limit": spec.calibrate_limit, "calibrate_min_refusal": spec.calibrate_min_refusal,
            "calibrate_call_tolerance": spec.calibrate_call_tolerance}


def _notes(state: RunState) -> list[str]:
    recipe = state.recipe
    from toolgym.models.hardware import capability

    notes = [f"model: {recipe.model}; adapter: {state.adapter}", f"recipe: {recipe.source}",
             f"device: {capability().line()}",
             f"eval: {', '.join(recipe.eval.categories)} (limit {recipe.eval.limit} per category"
             + (f"; baseline limit {recipe.eval.baseline_limit}" if recipe.eval.baseline_limit else "") + ")"]
    notes += plan_notes(recipe.run_dir, [stage.name for stage in recipe.stages])
    for name, metrics in state.metrics.items():
        if name not in ("baseline", "final"):
            notes.append(f"{name}: " + ", ".join(f"{k}={v:.4g}" for k, v in metrics.items()
                                                  if isinstance(v, int | float)))
    return notes
