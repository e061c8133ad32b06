"""`toolgym ablate`: the papers' ablation variants from one base recipe, at equal training budgets.

Every variant reuses the base recipe's data, model and eval settings and gets the same number of optimizer
steps at the same batch size (multi-stage variants split the steps: 25% to each preparatory stage, the rest to
the final stage), so token budgets match up to packing; the tokens each variant really trained on are reported.
An `rl` stage (TL-Training's +IRM rows) is not part of that budget: it gets `rl_steps` of its own and starts
from the adapter of the SFT variant it extends (`Variant.after`), which is therefore not trained twice.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError
from toolgym.core.runs import FINAL_EVAL
from toolgym.core.schema import NO_CALL_TYPES
from toolgym.recipes.ablate_table import (
    DEFAULT_PAIRED,
    Budget,
    SeedRun,
    ablation_table,
    final_cells,
    paired_table,
    row_label,
    seed_mean,
    select_metrics,
)
from toolgym.recipes.manifest import read_manifest
from toolgym.recipes.spec import apply_overrides, parse_recipe, read_recipe

INVOCATION = {"invocation": 1.0}
TRAJECTORY = {"invocation": 1.0, "trajectory": 1.0}
IRM = {"kind": "rl", "name": "irm", "sources": ["invocation", "trajectory"]}


@dataclass(frozen=True)
class Variant:
    label: str
    stages: tuple[dict[str, Any], ...]  # stage entries without budget keys
    after: str | None = None  # continue from this variant's final adapter (its stages are not repeated)
    mix_scale: tuple[tuple[str, float], ...] = ()  # sample-type weights scaled (a composition study): own data
    data_set: tuple[tuple[str, Any], ...] = ()  # data options set (e.g. toolset_no_call): own data too

    @property
    def own_data(self) -> bool:
        """Whether the variant trains on a dataset of its own rather than the shared one."""
        return bool(self.mix_scale or self.data_set)


def _stage(kind: str, name: str, **keys: Any) -> dict[str, Any]:
    return {"kind": kind, "name": name, **keys}


def _sft(tasks: dict[str, float], mae: bool = False, pkt: bool = False) -> dict[str, Any]:
    """An SFT variant; MAE/PKT are explicit so a base recipe's own setting never leaks into a row."""
    return _stage("sft", "sft", tasks=tasks, mae=mae, pkt=pkt)


STUDIES: dict[str, tuple[str, tuple[Variant, ...]]] = {
    "tooldev": ("ToolDev Table 3", (
        Variant("Raw", ()),
        Variant("Adaption", (_stage("adapt", "adapt"),)),
        Variant("Invo.", (_sft(INVOCATION),)),
        Variant("Invo. w. Adaption", (_stage("adapt", "adapt"), _sft(INVOCATION))),
        Variant("Invo.+Gen. w. Adaption", (_stage("adapt", "adapt"),
                                           _sft({"invocation": 1.0, "tool_generation": 1.0}))),
    )),
    # the paper's 8 rows: None, MAE, PKT, IRM, MAE&PKT, MAE&IRM, PKT&IRM, All
    "tl": ("TL-Training Table 5", (
        Variant("standard SFT", (_sft(TRAJECTORY),)),
        Variant("+MAE", (_sft(TRAJECTORY, mae=True),)),
        Variant("+PKT", (_sft(TRAJECTORY, pkt=True),)),
        Variant("+IRM", (IRM,), after="standard SFT"),
        Variant("+MAE+PKT", (_sft(TRAJECTORY, mae=True, pkt=True),)),
        Variant("+MAE+IRM", (IRM,), after="+MAE"),
        Variant("+PKT+IRM", (IRM,), after="+PKT"),
        Variant("+MAE+PKT+IRM", (IRM,), after="+MAE+PKT"),
    )),
    "gentool": ("GenTool ranking stage", (
        Variant("selection only", (_sft(INVOCATION),)),
        Variant("ranking → selection", (_stage("rank", "rank"), _sft(INVOCATION))),
    )),
    # GenTool's data composition: the zero-to-one and weak-to-strong shares (each variant its own dataset)
    "gentool_data": ("GenTool data composition", (
        Variant("no zero-to-one, no weak-to-strong", (_sft(INVOCATION),),
                mix_scale=(("zero_to_one", 0.0), ("weak_to_strong", 0.0))),
        Variant("no weak-to-strong", (_sft(INVOCATION),), mix_scale=(("weak_to_strong", 0.0),)),
        Variant("no zero-to-one", (_sft(INVOCATION),), mix_scale=(("zero_to_one", 0.0),)),
        Variant("base mix", (_sft(INVOCATION),)),
        Variant("zero-to-one and weak-to-strong x2", (_sft(INVOCATION),),
                mix_scale=(("zero_to_one", 2.0), ("weak_to_strong", 2.0))),
    )),
    # the no-call trade-off (issue 14): the no-call record sources scaled together, from none to about 1.5x the
    # base mix's; against the quickstart's mix the shares of training records are ~0 / 5 / 10 / 14 / 20%
    # (the table's "no-call records" column gives each variant's measured share)
    "no_call": ("No-call share of the training records", (
        Variant("no no-call records", (_sft(INVOCATION),), mix_scale=(("no_tool", 0.0), ("zero_to_one", 0.0)),
                data_set=(("toolset_no_call", 0.0),)),
        Variant("low", (_sft(INVOCATION),), mix_scale=(("no_tool", 0.25), ("zero_to_one", 0.5)),
                data_set=(("toolset_no_call", 0.04),)),
        Variant("medium", (_sft(INVOCATION),), mix_scale=(("no_tool", 0.75), ("zero_to_one", 0.85)),
                data_set=(("toolset_no_call", 0.07),)),
        Variant("base mix", (_sft(INVOCATION),)),
        Variant("high", (_sft(INVOCATION),), mix_scale=(("no_tool", 1.67),),
                data_set=(("toolset_no_call", 0.2),)),
    )),
    # Hammer's function masking (issue 14): opaque function and parameter names in a share of the training
    # records, so that selection has to come from the descriptions; scored on the base dataset's suites, since
    # masking changes the dev and test splits too
    "masking": ("Opaque names in the training records (Hammer)", (
        Variant("real names", (_sft(INVOCATION),), data_set=(("mask_functions", 0.0), ("mask_parameters", 0.0))),
        Variant("base data", (_sft(INVOCATION),)),
        Variant("half masked", (_sft(INVOCATION),), data_set=(("mask_functions", 0.5), ("mask_parameters", 0.25))),
        Variant("two thirds masked (Hammer)", (_sft(INVOCATION),),
                data_set=(("mask_functions", 0.67), ("mask_parameters", 0.67))),
    )),
}
# studies whose variants' own datasets differ in their suites too: every variant is scored on the base dataset's
SHARED_SUITES = {"masking"}
# the study's episode suite when the base recipe plays none (TL-Training's DE/CE/VA columns)
STUDY_EPISODES = {"tl": "test_unseen_tool_unseen_query.jsonl"}



def budgeted(stages: tuple[dict[str, Any], ...], steps: int, batch: int, extra: dict[str, Any],
             rl_steps: int | None = None) -> list[dict]:
    """Give the training stages `steps` optimizer steps in all: 25% to each preparatory stage, the rest to the
    last; an `rl` stage gets `rl_steps` (default steps // 4) of its own."""
    out = []
    trained = [s for s in stages if s["kind"] != "rl"]
    prep = max(1, steps // 4) if len(trained) > 1 else 0
    for stage in stages:
        if stage["kind"] == "rl":  # its own batch (rollouts per step) and steps
            budget = {"max_steps": rl_steps or max(1, steps // 4)}
        else:
            share = steps - prep * (len(trained) - 1) if stage is trained[-1] else prep
            budget = {"max_steps": share, "per_device_train_batch_size": batch}
        out.append({**copy.deepcopy(stage), **extra, **budget})
    return out


def variant_recipes(base_path: str | Path, study: str, steps: int, batch: int,
                    overrides: list[str] | None = None, stage_keys: dict[str, Any] | None = None,
                    rl_steps: int | None = None, seed: int | None = None) -> list[tuple]:
    """(label, Recipe, Variant) per variant; all share the base recipe's data folder and eval settings. A `seed`
    other than the recipe's own gives every variant that seed's data, initialisation and batch order, in folders
    named `-seed<N>` (the recipe's own seed keeps the plain names, so runs made before seeds existed resume)."""
    if study not in STUDIES:
        raise InputError(f"unknown study {study!r}; choose one of {', '.join(STUDIES)}", field="study")
    raw = apply_overrides(read_recipe(base_path), overrides or [], file=str(base_path))
    suffix = seed_suffix(raw, seed)
    if suffix:
        raw["seed"] = seed
    base_name = str(raw.get("name", "base"))
    ablate_dir = Path(raw.get("output_dir", "runs")) / f"{base_name}-ablate"
    shared = dict(raw.get("data") or {})  # a dataset the recipe names is shared by every seed
    shared.setdefault("path", str(ablate_dir / f"data{suffix}" / "dataset"))
    _, variants = STUDIES[study]
    inherited = _base_stage_keys(raw.get("stages") or [])
    recipes = []
    for index, variant in enumerate(variants):
        data = _variant_data(raw, shared, variant, ablate_dir / f"data-{study}-{index}{suffix}" / "dataset")
        evaluation = {**(raw.get("eval") or {}), "baseline": False}  # the Raw row is the baseline
        if study in SHARED_SUITES and variant.own_data:
            evaluation.update(_shared_suites(evaluation, Path(shared["path"])))
        if study in STUDY_EPISODES and not evaluation.get("episodes"):
            evaluation["episodes"] = [STUDY_EPISODES[study]]
        # equal step budgets, not a deadline each variant would plan by its own clock
        variant_raw = {**copy.deepcopy(raw), "deadline_minutes": None, "data": data, "eval": evaluation,
                       "name": f"{base_name}-ablate/{study}-{index}{suffix}",
                       "stages": budgeted(tuple({**inherited.get(st["kind"], {}), **st} for st in variant.stages),
                                          steps, batch, stage_keys or {}, rl_steps)}
        recipes.append((variant.label, parse_recipe(variant_raw, file=str(base_path)), variant))
    return recipes


def parse_seeds(text: str) -> list[int] | None:
    """'0,1,2' -> [0, 1, 2]; empty -> None (the recipe's own seed). A bad entry is a one-line error."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    for part in parts:
        if not part.isdigit():
            raise InputError(f"seed {part!r} is not a non-negative integer", field="--seeds")
    return list(dict.fromkeys(int(p) for p in parts)) or None


def seed_suffix(raw: dict[str, Any], seed: int | None) -> str:
    """The folder suffix of a seed's runs: none for the recipe's own seed."""
    return "" if seed is None or seed == int(raw.get("seed", 0)) else f"-seed{seed}"


def _variant_data(raw: dict[str, Any], shared: dict[str, Any], variant: Variant, own: Path) -> dict[str, Any]:
    """The shared data section, or for a variant that scales sample types (of the base recipe's mix, else the
    default mix) or sets data options a dataset of its own."""
    if not variant.own_data:
        return shared
    from toolgym.data.synth import DEFAULT_MIX

    data = {k: v for k, v in (raw.get("data") or {}).items() if k != "path"}
    mix = dict(data.get("mix") or DEFAULT_MIX)
    for name, scale in variant.mix_scale:
        mix[name] = mix.get(name, 0.0) * scale
    return {**data, **dict(variant.data_set), "mix": mix, "path": str(own)}


def _shared_suites(evaluation: dict[str, Any], shared: Path) -> dict[str, Any]:
    """The eval section's suite, episode and calibration files, named inside the shared dataset's folder."""
    out: dict[str, Any] = {key: [str(shared / name) for name in evaluation.get(key) or []]
                           for key in ("suites", "episodes")}
    if evaluation.get("calibrate"):
        out["calibrate"] = str(shared / evaluation["calibrate"])
    return out


def _base_stage_keys(stages: list[Any]) -> dict[str, dict[str, Any]]:
    """Per stage kind, the base recipe's settings (learning rate, RL algorithm, …) that variants inherit;
    budgets, names and the variant-defining keys (tasks, mae, pkt) come from the variant."""
    own = {"kind", "name", "max_steps", "num_train_epochs", "per_device_train_batch_size", "tasks", "mae", "pkt"}
    keys: dict[str, dict[str, Any]] = {}
    for stage in stages:
        if isinstance(stage, dict) and stage.get("kind") not in keys:
            keys[str(stage.get("kind"))] = {k: v for k, v in stage.items() if k not in own}
    return keys


def run_ablation(base_path: str | Path, study: str, steps: int, batch: int,
                 overrides: list[str] | None = None, rl_steps: int | None = None,
                 finished_only: bool = False, columns: list[str] | None = None,
                 seeds: list[int] | None = None, paired: list[str] | None = None) -> str:
    """Run every variant under every seed (finished ones are skipped by the runner) and return the table, then
    each row paired against the row it extends (else the first row) on the `paired` categories; with
    `finished_only`, train nothing and tabulate the runs whose final eval is on disk; `columns` (glob patterns
    over the metric names) picks and orders the columns. With several seeds a cell is the mean of the seeds'
    scores, its bracket the lowest and highest of them, and the paired counts are summed over seeds."""
    runs: dict[str, list[SeedRun]] = {}
    cases: dict[str, int] = {}
    for seed in seeds or [None]:  # None: the recipe's own seed
        variants = variant_recipes(base_path, study, steps, batch, overrides, rl_steps=rl_steps, seed=seed)
        _run_seed(variants, study, finished_only, runs, cases)
    asked = seeds or [None]
    rows = [(row_label(label, len(runs[label]), len(asked)), *seed_mean(runs[label]))
            for label, _, _ in variants if label in runs]
    keys = select_metrics(list(dict.fromkeys(k for _, m, _ in rows for k in m)), columns)
    table = ablation_table(STUDIES[study][0], rows, keys, cases)
    if len(asked) > 1:
        table += f"\nEach cell is the mean of the seeds' scores ({', '.join(map(str, asked))}); the bracket " \
                 "is the lowest and highest seed's score, not a 95% interval.\n"
    against = {label: variant.after or variants[0][0] for label, _, variant in variants}
    table += paired_table(runs, against, paired if paired is not None else DEFAULT_PAIRED)
    if not finished_only:
        recipe = variants[0][1]
        out = Path(recipe.output_dir) / recipe.name.split("/")[0] / f"{study}.md"
        out.write_text(table)
    return table


def _run_seed(variants: list[tuple], study: str, finished_only: bool, runs: dict[str, list[SeedRun]],
              cases: dict[str, int]) -> None:
    """Run (or, `finished_only`, read) one seed's variants in order, adding each finished one to `runs`."""
    if study in SHARED_SUITES and not finished_only:  # every variant is scored on the shared dataset's suites
        _ensure_data(next(recipe for _, recipe, variant in variants if not variant.own_data))
    done: dict[str, tuple[str | None, Budget]] = {}
    for label, recipe, variant in variants:
        before = Budget()
        if variant.after is not None:  # e.g. +IRM: RL on top of the SFT variant trained above
            if variant.after not in done:
                if finished_only:  # its base row is not on disk: nothing to extend
                    continue
                raise InputError(f"variant {label!r} extends {variant.after!r}, which did not run", field="study")
            recipe.adapter, before = done[variant.after]
        result = _finished_result(recipe) if finished_only else _run_variant(recipe)
        if result is None:
            continue
        adapter, metrics = result
        budget = before + budget_trained(recipe)
        done[label] = (adapter, budget)
        cells, counts = final_cells(recipe.run_dir, metrics)
        cases.update(counts)
        runs.setdefault(label, []).append(SeedRun(recipe.seed, cells, budget, recipe.run_dir))


def _run_variant(recipe: Any) -> tuple[str | None, dict[str, float]]:
    """Train and evaluate one variant (the runner skips finished steps): its final adapter and metrics."""
    from toolgym.recipes.runner import execute

    _ensure_data(recipe)
    state = execute(recipe)
    return state.adapter, state.metrics["final"]


def _finished_result(recipe: Any) -> tuple[str | None, dict[str, float]] | None:
    """The final eval's metrics of a variant that ran to the end (no adapter needed), else None."""

    manifest = read_manifest(recipe.run_dir / FINAL_EVAL) or {}
    return (None, manifest["metrics"]) if manifest.get("status") == "complete" else None


def budget_trained(recipe: Any) -> Budget:
    """Read from the stages' manifests: SFT-like stages report train_tokens; an RL stage trained on
    steps × batch × accumulation completions (PPO: one per prompt; GRPO: the batch counts completions). The
    no-call share comes from the dataset's manifest."""
    total = Budget(no_call_share=no_call_share(Path(recipe.data.path)))
    for stage in recipe.stages:
        train = (read_manifest(recipe.run_dir / stage.name) or {}).get("outputs", {}).get("train", {})
        devices = (str(train["device"]),) if train.get("device") else ()
        if stage.kind == "rl":
            config = stage.config
            batch = config.per_device_train_batch_size * config.gradient_accumulation_steps
            total += Budget(rl_completions=int(train.get("global_step", 0) or 0) * batch, devices=devices)
        else:
            total += Budget(tokens=int(train.get("train_tokens", 0) or 0), devices=devices)
    return total


def no_call_share(dataset: Path) -> float | None:
    """The share of a dataset's training records whose gold is "no call", from its manifest (None without one)."""
    train = ((read_manifest(dataset) or {}).get("files") or {}).get("train") or {}
    by_type, records = train.get("by_type") or {}, train.get("records") or 0
    return sum(by_type.get(t, 0) for t in NO_CALL_TYPES) / records if records else None


def _ensure_data(recipe: Any) -> None:
    """Synthesize the shared dataset once, into the folder every variant reads."""
    path = Path(recipe.data.path)
    if (path / "manifest.json").is_file():
        return
    from toolgym.data.synth import write_dataset

    write_dataset(path, n=recipe.data.n, seed=recipe.seed, mix=recipe.data.mix or None,
                  options=recipe.data.synth_options())
    if recipe.data.trajectories:
        from toolgym.data.trajectories import write_trajectories

        write_trajectories(path, recipe.data.trajectories, recipe.seed, recipe.data.error_rate, 0.0)
