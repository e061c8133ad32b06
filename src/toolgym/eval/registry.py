"""Benchmarks by name, lm-evaluation-harness style: each names its case loader, its model run, its reference run
and its recipe metrics as lazy "module:function" paths, so the CLI and recipes look a benchmark up instead of
hard-coding it, and nothing is imported until a benchmark is used. A recipe's eval section runs every benchmark
with a `recipe_key` whose list it fills (`eval.categories` -> bfcl, `eval.suites` -> suite, `eval.episodes` ->
tl_episodes), in registration order.

    >>> get_benchmark("bfcl_multi_turn").kind
    'multi_turn'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from toolgym.core.errors import InputError


@dataclass(frozen=True)
class Benchmark:
    """A named benchmark: `loader(categories, limit, ...) -> cases`, `runner(generator, ...)`, `reference(...)`
    (scores the gold answers themselves, which checks the scorer) and `metrics(generator, sources, out_dir, *,
    identity, settings) -> {name: value}` for the recipe eval key `recipe_key`."""

    name: str
    kind: str  # "single_turn" or "multi_turn"
    loader: str
    runner: str
    reference: str | None = None
    description: str = ""
    metrics: str | None = None
    recipe_key: str | None = None

    def resolve(self, attribute: str) -> Callable[..., Any]:
        path = getattr(self, attribute)
        if path is None:
            raise InputError(f"benchmark {self.name!r} has no {attribute}", field="benchmark")
        module, _, name = path.partition(":")
        return getattr(importlib.import_module(module), name)


BENCHMARKS: dict[str, Benchmark] = {}


def register(name: str, *, kind: str, loader: str, runner: str, reference: str | None = None,
             description: str = "", metrics: str | None = None, recipe_key: str | None = None) -> Benchmark:
    """Add a benchmark (a name may be registered once, and a recipe key belongs to one benchmark)."""
    if name in BENCHMARKS:
        raise ValueError(f"benchmark {name!r} is already registered")
    if recipe_key is not None and any(b.recipe_key == recipe_key for b in BENCHMARKS.values()):
        raise ValueError(f"recipe key {recipe_key!r} already names a benchmark")
    BENCHMARKS[name] = Benchmark(name, kind, loader, runner, reference, description, metrics, recipe_key)
    return BENCHMARKS[name]


def recipe_benchmarks() -> list[Benchmark]:
    """The benchmarks a recipe's eval section can run, in registration order."""
    return [b for b in BENCHMARKS.values() if b.recipe_key is not None]


def get_benchmark(name: str, kind: str | None = None) -> Benchmark:
    """The benchmark called `name` (of `kind`, if given); the error lists the ones there are."""
    bench = BENCHMARKS.get(name)
    if bench is None or (kind is not None and bench.kind != kind):
        known = [b for b, v in BENCHMARKS.items() if kind is None or v.kind == kind]
        raise InputError(f"unknown benchmark {name!r}; available: {', '.join(known)}", field="benchmark")
    return bench


register("bfcl", kind="single_turn", loader="toolgym.eval.runner:bfcl_cases", runner="toolgym.eval.runner:run_bfcl",
         reference="toolgym.eval.runner:run_bfcl_reference", description="BFCL v4 single-turn AST categories",
         metrics="toolgym.eval.runner:bfcl_metrics", recipe_key="categories")
register("suite", kind="single_turn", loader="toolgym.eval.suites:load_suite_cases",
         runner="toolgym.eval.runner:run_suite", description="a toolgym JSONL test set",
         metrics="toolgym.eval.runner:suite_metrics", recipe_key="suites")
register("bfcl_multi_turn", kind="multi_turn", loader="toolgym.eval.multiturn:load_cases",
         runner="toolgym.eval.multiturn:run_multiturn", reference="toolgym.eval.multiturn:run_multiturn_reference",
         description="BFCL v4 multi-turn (base, miss_func, miss_param, long_context), state and response checks")
register("robust", kind="single_turn", loader="toolgym.eval.robust:load_cases", runner="toolgym.eval.robust:run_robust",
         reference="toolgym.eval.robust:run_robust_reference",
         description="a suite or BFCL categories under RoTBench's noise levels, TS/PI/CF per level")
register("tl_episodes", kind="multi_turn", loader="toolgym.eval.suites:load_suite_cases",
         runner="toolgym.eval.episodes:run_episode_eval", reference="toolgym.eval.episodes:run_episode_reference",
         description="TL-Training's DE/CE/VA: a toolgym JSONL suite played as episodes of up to 9 turns against the "
                     "simulated tools",
         metrics="toolgym.eval.episodes:episode_metrics", recipe_key="episodes")
