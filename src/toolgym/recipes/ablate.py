"""`toolgym ablate`: the papers' ablation variants from one base recipe, at equal training budgets.

Every variant reuses the base recipe's data, model and eval settings and gets the same number of optimizer
steps at the same batch size (multi-stage variants split the steps: 25% to each preparatory stage, the rest to
the final stage), so token budgets match up to packing; the tokens each variant really trained on are reported.
An `rl` stage (TL-Training's +IRM rows) is not part of that budget: it gets `rl_steps` of its own and starts
from the adapter of the SFT variant it extends (`Variant.after`), which is therefore not trained twice.
"""

from __future__ import annotations

import copy
import fnmatch
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError
from toolgym.core.schema import NO_CALL_TYPES
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
    seeds = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if not part.isdigit():
            raise InputError(f"seed {part!r} is not a non-negative integer", field="--seeds")
        if int(part) not in seeds:
            seeds.append(int(part))
    return seeds or None


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


Cell = tuple[float, tuple[float, float] | None]  # (score, its 95% interval)


def ablation_table(title: str, rows: list[tuple[str, dict[str, Cell | float], Budget]], keys: list[str],
                   cases: dict[str, int] | None = None) -> str:
    """Markdown: one row per variant, each metric as % with its 95% interval, the case count in the header,
    tokens trained and (if any row has RL) RL completions trained on; the no-call share of each variant's training
    records where the variants' datasets differ in it. The device the rows trained on is a line
    under the table when they share one, and a column when they do not (rows resumed on another machine)."""
    cases = cases or {}
    rl = any(budget.rl_completions for _, _, budget in rows)
    devices = {"; ".join(budget.devices) for _, _, budget in rows if budget.devices}
    per_row = len(devices) > 1
    shares = len({budget.no_call_share for _, _, budget in rows}) > 1  # the variants' datasets differ there
    extra = (["no-call records"] if shares else []) + ["tokens trained"] + (["RL completions"] if rl else []) \
        + (["trained on"] if per_row else [])
    heads = [f"{k} (n={cases[k]:,})" if k in cases else k for k in keys]
    lines = [f"### {title}", "", "| variant | " + " | ".join([*heads, *extra]) + " |",
             "|---|" + "---:|" * (len(keys) + len(extra))]
    for label, metrics, budget in rows:
        cells = [_cell(metrics.get(k)) for k in keys]
        if shares:
            cells.append(_cell(budget.no_call_share))
        cells.append(f"{budget.tokens:,}")
        if rl:
            cells.append(f"{budget.rl_completions:,}")
        if per_row:
            cells.append("; ".join(budget.devices) or "–")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if len(devices) == 1:
        lines += ["", f"Every row trained on {devices.pop()}."]
    return "\n".join(lines) + "\n"


def select_metrics(keys: list[str], patterns: list[str] | None) -> list[str]:
    """The metric columns that match `patterns` (fnmatch globs), in the patterns' order; all without patterns.
    A pattern that matches nothing is a one-line error listing the metrics there are."""
    if not patterns:
        return keys
    chosen: list[str] = []
    for pattern in patterns:
        matched = [k for k in keys if fnmatch.fnmatchcase(k, pattern)]
        if keys and not matched:
            raise InputError(f"{pattern!r} matches no metric; there are {', '.join(keys)}", field="--metrics")
        chosen.extend(k for k in matched if k not in chosen)
    return chosen


def _cell(cell: Cell | float | None) -> str:
    """A score as %, with its interval when it has one (a bare number: a metric without one)."""
    if isinstance(cell, int | float):
        cell = (float(cell), None)
    if cell is None or cell[0] is None:
        return "–"
    value, interval = cell
    return f"{100 * value:.1f}" + (f" ({100 * interval[0]:.1f}–{100 * interval[1]:.1f})" if interval else "")


def final_cells(run_dir: Path, metrics: dict[str, float]) -> tuple[dict[str, Cell], dict[str, int]]:
    """Each final-eval metric with its 95% interval, and the case count behind it, from the summaries under
    eval_final/ (BFCL categories and aggregates, suites, episode suites); ToolDev's overall = (non-live + live)
    / 2 when both were run."""
    from toolgym.eval.metrics import SUITE_AGGREGATES
    from toolgym.recipes.runner import FINAL_EVAL

    cells: dict[str, Cell] = {k: (v, None) for k, v in metrics.items()}
    cases: dict[str, int] = {}
    for path in sorted((run_dir / FINAL_EVAL).glob("*/summary.json")):
        summary = json.loads(path.read_text())
        folder, categories = path.parent.name, summary.get("categories") or {}
        # a suite's aggregates (its answerable / no-call sides) and an episode suite's are named after it
        prefix = "" if folder == "bfcl" else folder.removeprefix("episodes-") + "_"
        for name, score in categories.items():
            key = name if folder == "bfcl" else (folder if name == "overall" and folder == prefix[:-1] else None)
            if key in cells and score.get("ci95"):
                cells[key], cases[key] = (cells[key][0], tuple(score["ci95"])), score["n"]
        for name, interval in (summary.get("intervals") or {}).items():
            key = prefix + name
            if key in cells and interval:
                cells[key] = (cells[key][0], tuple(interval))
                cases[key] = aggregate_cases(name, categories) if not prefix or name in SUITE_AGGREGATES \
                    else summary["n"]
    if "non_live_ast" in cells and "live_ast" in cells:
        cells["overall_tooldev"], cases["overall_tooldev"] = _mean_cell(cells["non_live_ast"], cells["live_ast"]), \
            cases.get("non_live_ast", 0) + cases.get("live_ast", 0)
    return cells, cases


def aggregate_cases(name: str, categories: dict[str, Any]) -> int:
    """The cases behind a BFCL aggregate or a suite's answerable / no-call side, from a summary's categories."""
    from toolgym.eval.metrics import AGGREGATE_CATEGORIES

    if name in AGGREGATE_CATEGORIES:
        return sum(categories[c]["n"] for c in AGGREGATE_CATEGORIES[name] if c in categories)
    no_call = sum(s["n"] for c, s in categories.items() if c in NO_CALL_TYPES)
    return no_call if name == "no_call" else categories.get("overall", {}).get("n", 0) - no_call


def _mean_cell(a: Cell, b: Cell) -> Cell:
    """The mean of two independent scores; its interval from their half-widths (normal approximation)."""
    value = (a[0] + b[0]) / 2
    if a[1] is None or b[1] is None:
        return value, None
    half = ((a[1][1] - a[1][0]) ** 2 + (b[1][1] - b[1][0]) ** 2) ** 0.5 / 4
    return value, (max(0.0, value - half), min(1.0, value + half))


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
    for seed in seeds or [None]:
        variants = variant_recipes(base_path, study, steps, batch, overrides, rl_steps=rl_steps, seed=seed)
        _run_seed(variants, study, finished_only, runs, cases)
    several = len(seeds or []) > 1
    rows = [(_row_label(label, len(runs[label]), len(seeds or [])) if several else label, *seed_mean(runs[label]))
            for label, _, _ in variants if label in runs]
    keys = select_metrics(list(dict.fromkeys(k for _, m, _ in rows for k in m)), columns)
    table = ablation_table(STUDIES[study][0], rows, keys, cases)
    if several:
        table += f"\nEach cell is the mean of the seeds' scores ({', '.join(map(str, seeds or []))}); the bracket " \
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


def _row_label(label: str, finished: int, seeds: int) -> str:
    """A row's label, saying so when fewer of its seeds than asked have finished."""
    return label if finished == seeds else f"{label} ({finished} of {seeds} seeds)"


# the paired section's default categories (`toolgym eval compare`'s names): pooled BFCL aggregates, irrelevance
DEFAULT_PAIRED = ["*(pooled)", "irrelevance"]


@dataclass(frozen=True)
class SeedRun:
    """One variant trained and evaluated under one seed."""
    seed: int
    cells: dict[str, Cell]
    budget: Budget
    run_dir: Path


def seed_mean(runs: list[SeedRun]) -> tuple[dict[str, Cell], Budget]:
    """One seed's cells and budget as they are; several seeds' as the mean score with the lowest and highest
    seed's score as its bracket, and the mean budget."""
    if len(runs) == 1:
        return runs[0].cells, runs[0].budget
    cells: dict[str, Cell] = {}
    for key in dict.fromkeys(k for run in runs for k in run.cells):
        scores = [run.cells[key][0] for run in runs if key in run.cells and run.cells[key][0] is not None]
        if scores:
            cells[key] = (sum(scores) / len(scores), (min(scores), max(scores)))
    budgets = [run.budget for run in runs]
    budget = Budget(sum(b.tokens for b in budgets) // len(budgets),
                    sum(b.rl_completions for b in budgets) // len(budgets),
                    tuple(dict.fromkeys(d for b in budgets for d in b.devices)), budgets[0].no_call_share)
    return cells, budget


def paired_table(runs: dict[str, list[SeedRun]], against: dict[str, str], patterns: list[str]) -> str:
    """Markdown: each row against its reference row on the same cases, per category matching `patterns`
    (`toolgym eval compare`'s names; suites' prefixed `<suite>:`), the discordant cases summed over the seeds both
    rows ran, the net per seed and the exact McNemar p-value of the sums. Empty when no pair shares results."""
    from toolgym.eval.compare import exact_mcnemar

    lines = []
    for label, reference in against.items():
        if label == reference or label not in runs or reference not in runs:
            continue
        sums: dict[str, list[int]] = {}  # category -> [n, reference right, row right, only reference, only row]
        nets: dict[str, list[str]] = {}
        ref_by_seed = {run.seed: run for run in runs[reference]}
        for run in runs[label]:
            if run.seed not in ref_by_seed:
                continue
            for category, score in paired_scores(ref_by_seed[run.seed].run_dir, run.run_dir, patterns):
                total = sums.setdefault(category, [0, 0, 0, 0, 0])
                for i, value in enumerate((score.n, score.a_correct, score.b_correct, score.only_a, score.only_b)):
                    total[i] += value
                nets.setdefault(category, []).append(f"{score.only_b - score.only_a:+d}")
        for category, (n, right_ref, right_row, only_ref, only_row) in sums.items():
            lines.append(f"| {label} | {reference} | {category} | {n:,} | {100 * right_ref / n:.1f} | "
                         f"{100 * right_row / n:.1f} | {only_ref} / {only_row} | {', '.join(nets[category])} | "
                         f"{exact_mcnemar(only_ref, only_row):.3g} |")
    if not lines:
        return ""
    head = ["", "### Paired: each row against the row it extends (else the first row), on the same cases", "",
            "| variant | against | category | cases (x seeds) | against (%) | variant (%) | right only against / "
            "only variant | net per seed | p (exact McNemar) |", "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    return "\n".join(head + lines) + "\n"


def paired_scores(reference: Path, run: Path, patterns: list[str]) -> list[tuple[str, Any]]:
    """(category, PairedScore) of two runs' final evals, per eval folder both wrote results to, for the
    categories matching `patterns`; a suite's categories are named `<suite>:<category>`."""
    from toolgym.eval.compare import compare_results
    from toolgym.recipes.runner import FINAL_EVAL

    out = []
    for results in sorted((reference / FINAL_EVAL).glob("*/results.jsonl")):
        other = run / FINAL_EVAL / results.parent.name / "results.jsonl"
        if not other.is_file():
            continue
        prefix = "" if results.parent.name == "bfcl" else results.parent.name + ":"
        for score in compare_results(results, other):
            name = prefix + score.category
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
                out.append((name, score))
    return out


def _run_variant(recipe: Any) -> tuple[str | None, dict[str, float]]:
    """Train and evaluate one variant (the runner skips finished steps): its final adapter and metrics."""
    from toolgym.recipes.runner import execute

    _ensure_data(recipe)
    state = execute(recipe)
    return state.adapter, state.metrics["final"]


def _finished_result(recipe: Any) -> tuple[str | None, dict[str, float]] | None:
    """The final eval's metrics of a variant that ran to the end (no adapter needed), else None."""
    from toolgym.recipes.runner import FINAL_EVAL

    manifest = read_manifest(recipe.run_dir / FINAL_EVAL) or {}
    return (None, manifest["metrics"]) if manifest.get("status") == "complete" else None


@dataclass(frozen=True)
class Budget:
    """What a variant trained on: tokens in the SFT-like stages' loss, completions in its RL stages, and the
    devices its stages trained on (`toolgym.models.hardware.capability().line()`, as their manifests say)."""
    tokens: int = 0
    rl_completions: int = 0
    devices: tuple[str, ...] = ()
    no_call_share: float | None = None  # of the training records of the variant's dataset (its manifest)

    def __add__(self, other: Budget) -> Budget:
        share = self.no_call_share if self.no_call_share is not None else other.no_call_share
        return Budget(self.tokens + other.tokens, self.rl_completions + other.rl_completions,
                      tuple(dict.fromkeys(self.devices + other.devices)), share)


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
