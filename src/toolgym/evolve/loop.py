"""The self-evolution stage end to end: pool and dev set, rounds with resume, retraining, best-round choice.

Layout of a stage folder: `pool.jsonl` and `dev.jsonl` (written once, so a resumed run uses the same queries),
`round_0/` (dev score of the input adapter), `round_<r>/{samples.jsonl, train/, dev/, manifest.json}`, and
`evolve.json` (every round's manifest and the best round). A round with a manifest is complete and skipped.
"""

from __future__ import annotations

import gc
import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from toolgym.data.io import iter_jsonl
from toolgym.evolve.config import EvolveStageConfig
from toolgym.evolve.pool import (
    dataset_queries,
    load_or_write,
    load_pool_file,
    record_query,
    round_slices,
    synthetic_dev,
    synthetic_pool,
)
from toolgym.evolve.rounds import SAMPLES, generate_round, read_rows, summarize_round, training_records

console = Console(stderr=True)
MANIFEST = "manifest.json"


class GeneratorCache:
    """One open generator at a time, for one adapter: the model that scores round r also labels round r+1."""

    def __init__(self, config: EvolveStageConfig, model: str, progress: bool,
                 factory: Callable[[str | None], Any] | None = None) -> None:
        self.config, self.model, self.progress = config, model, progress
        self.factory = factory or self.backend_generator
        self.adapter: str | None = None
        self.generator: Any = None

    def backend_generator(self, adapter: str | None) -> Any:
        from toolgym.models.backends import make_generator

        return make_generator(self.config.backend, self.model, adapter, batch_size=self.config.batch_size,
                              base_url=self.config.base_url, served_model=self.config.served_model,
                              progress=self.progress, dtype=self.config.dtype)

    def get(self, adapter: str | None) -> Any:
        if self.generator is None or adapter != self.adapter:
            self.close()
            self.generator = self.factory(adapter)
            self.adapter = adapter
        return self.generator

    def close(self) -> None:
        self.generator = None
        gc.collect()


def prepare_sets(config: EvolveStageConfig, out: Path, seed: int, data_dir: Path | None
                 ) -> tuple[Path, list[list[dict[str, Any]]]]:
    """The dev suite file and the per-round query slices (both written once and reread on resume)."""
    exclude = dataset_queries(data_dir)
    if config.dev_file:
        dev_path = Path(config.dev_file)
    else:
        dev_path = out / "dev.jsonl"
        load_or_write(dev_path, lambda: synthetic_dev(config.dev_size, seed + config.pool_seed_offset + 1, exclude))
    dev_queries = {(record_query(r) or "").strip() for _, r in iter_jsonl(dev_path)}
    total = config.rounds * config.queries_per_round
    if config.pool_file:
        pool = load_or_write(out / "pool.jsonl", lambda: load_pool_file(config.pool_file)[:total])
    else:
        pool = load_or_write(out / "pool.jsonl", lambda: synthetic_pool(
            total, seed + config.pool_seed_offset, exclude | dev_queries))
    if len(pool) < total:
        console.print(f"[yellow]query pool holds {len(pool)} queries, fewer than {config.rounds} rounds × "
                      f"{config.queries_per_round}[/yellow]")
    return dev_path, round_slices(pool, config.rounds, config.queries_per_round)


def dev_accuracy(summary: Any) -> float:
    """Share of dev cases answered right: the `overall` row when the summary has one (several types)."""
    cats = summary.categories
    if "overall" in cats:
        return round(cats["overall"].accuracy, 4)
    return round(sum(s.correct for s in cats.values()) / summary.n, 4) if summary.n else 0.0


def evaluate_round(generator: Any, config: EvolveStageConfig, dev_path: Path, out: Path,
                   progress: bool) -> dict[str, Any]:
    """Dev accuracy (and optional BFCL scores) of the generator's model; results stream to `out`."""
    from toolgym.eval.runner import run_bfcl, run_suite

    summary = run_suite(generator, dev_path, out / "dev", max_new_tokens=config.dev_max_new_tokens,
                        progress=progress, name="dev")
    metrics: dict[str, Any] = {"dev": dev_accuracy(summary),
                               "dev_by_type": {c: round(s.accuracy, 4) for c, s in summary.categories.items()}}
    if config.bfcl_categories:
        bfcl = run_bfcl(generator, config.bfcl_categories, config.bfcl_limit, out / "bfcl",
                        max_new_tokens=config.dev_max_new_tokens, progress=progress)
        metrics["bfcl"] = {c: round(s.accuracy, 4) for c, s in bfcl.categories.items()}
        metrics["bfcl"].update({k: round(v, 4) for k, v in bfcl.aggregates.items() if v is not None})
    return metrics


def replay(data_dir: Path | None, n: int, seed: int) -> list[dict[str, Any]]:
    """`n` seeded records of the original train.jsonl (mixed into a round's data when replay is on)."""
    path = Path(data_dir or "") / "train.jsonl"
    if n <= 0 or not path.is_file():
        return []
    records = [r for _, r in iter_jsonl(path)]
    return random.Random(seed).sample(records, min(n, len(records)))


def run_round(r: int, queries: list[dict[str, Any]], adapter: str | None, cache: GeneratorCache, *,
              config: EvolveStageConfig, model: str, out: Path, seed: int, dev_path: Path,
              data_dir: Path | None, progress: bool, known: dict[str | None, dict[str, Any]]) -> dict[str, Any]:
    """Label, retrain, score one round; write and return its manifest. `known` maps an adapter to its dev
    metrics: a round that kept nothing leaves the adapter as it was, and its (greedy) score is reused."""
    from toolgym.train.sft import train_sft

    rdir = out / f"round_{r}"
    started = time.perf_counter()
    timer = generate_round(cache.get(adapter), queries, rdir / SAMPLES, config, progress=progress)
    rows = read_rows(rdir / SAMPLES)
    summary = summarize_round(rows, config.k)
    records = training_records(rows, r) + replay(data_dir, config.replay_records, seed + r)
    new_adapter, train = adapter, None
    if records:
        cache.close()  # free the generation model before training loads its own copy
        result = train_sft(config.sft_config(seed + r), records, model_name=model, out_dir=rdir / "train",
                           adapter=adapter, progress=progress, records_file=str(rdir / SAMPLES))
        new_adapter = result.adapter_dir or result.model_dir
        train = {"loss": result.train_loss, "steps": result.global_step, "examples": result.examples,
                 "seconds": result.train_seconds}
    if new_adapter in known:
        metrics = {**known[new_adapter], "reused_from_adapter": True}
    else:
        metrics = evaluate_round(cache.get(new_adapter), config, dev_path, rdir, progress)
    manifest = {"round": r, "adapter": new_adapter, "start_adapter": adapter, **summary,
                "timings": timer.to_dict(), "train": train, "metrics": metrics,
                "seconds": round(time.perf_counter() - started, 2), "complete": True}
    (rdir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def round_line(m: dict[str, Any], base: dict[str, Any]) -> str:
    """One console line per round: kept/dropped, label precision against gold, agreement, dev (+ BFCL)."""
    precision = m["label_precision"]
    bfcl = m["metrics"].get("bfcl") or {}
    return (f"round {m['round']}: kept {m['kept']}/{m['queries']}, dropped {m['dropped_by_reason']}; "
            f"label precision exact {precision['exact']} values {precision['values']} (n={precision['with_gold']}); "
            f"mean agreement {m['mean_agreement']}; dev {m['metrics']['dev']:.3f} (round 0 {base['metrics']['dev']:.3f})"
            + (f"; bfcl {bfcl}" if bfcl else ""))


def read_manifest(rdir: Path) -> dict[str, Any] | None:
    path = rdir / MANIFEST
    if not path.is_file():
        return None
    manifest = json.loads(path.read_text())
    return manifest if manifest.get("complete") else None


def run_evolution(config: EvolveStageConfig, *, model: str, adapter: str | None, out_dir: str | Path,
                  seed: int = 0, data_dir: str | Path | None = None, progress: bool = True,
                  generator_factory: Callable[[str | None], Any] | None = None) -> dict[str, Any]:
    """All rounds (resuming finished and half-finished ones); returns the summary written to evolve.json.

    `generator_factory(adapter)` builds the Generator for a round (default: the config's backend).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = Path(data_dir) if data_dir else None
    dev_path, slices = prepare_sets(config, out, seed, data)
    cache = GeneratorCache(config, model, progress, generator_factory)
    rounds: list[dict[str, Any]] = []
    base = read_manifest(out / "round_0")
    if base is None:
        base = {"round": 0, "adapter": adapter, "complete": True,
                "metrics": evaluate_round(cache.get(adapter), config, dev_path, out / "round_0", progress)}
        (out / "round_0").mkdir(exist_ok=True)
        (out / "round_0" / MANIFEST).write_text(json.dumps(base, indent=2) + "\n")
    rounds.append(base)
    current = adapter
    known: dict[str | None, dict[str, Any]] = {adapter: base["metrics"]}
    for r, queries in enumerate(slices, 1):
        manifest = read_manifest(out / f"round_{r}")
        if manifest is None:
            manifest = run_round(r, queries, current, cache, config=config, model=model, out=out, seed=seed,
                                 dev_path=dev_path, data_dir=data, progress=progress, known=known)
        rounds.append(manifest)
        current = manifest["adapter"]
        known.setdefault(current, {k: v for k, v in manifest["metrics"].items() if k != "reused_from_adapter"})
        console.print(round_line(manifest, base))
    cache.close()
    candidates = rounds if config.keep_input_if_best else rounds[1:]
    best = max(candidates, key=lambda m: (m["metrics"]["dev"], -m["round"]))
    result = {"best_round": best["round"], "adapter": best["adapter"], "rounds": rounds}
    (out / "evolve.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def stage_metrics(result: dict[str, Any]) -> dict[str, float]:
    """Flat numbers for the recipe report: dev per round, kept per round, label precision, the best round."""
    metrics: dict[str, float] = {"best_round": float(result["best_round"])}
    for m in result["rounds"]:
        r = m["round"]
        metrics[f"r{r}_dev"] = m["metrics"]["dev"]
        if r:
            metrics[f"r{r}_kept"] = float(m["kept"])
            metrics[f"r{r}_dropped"] = float(m["dropped"])
            if m["label_precision"]["exact"] is not None:
                metrics[f"r{r}_label_precision"] = m["label_precision"]["exact"]
        for name, value in (m["metrics"].get("bfcl") or {}).items():
            metrics[f"r{r}_{name}"] = value
    return metrics


def run_evolve_stage(stage: Any, inputs: dict[str, Any], out_dir: Path, seed: int) -> dict[str, Any]:
    """Recipe runner entry (`kind: evolve`): the best round's adapter becomes the next stage's input."""
    from toolgym.evolve.report import REPORT, evolve_report

    result = run_evolution(stage.config, model=inputs["model"], adapter=inputs.get("adapter"),
                           out_dir=out_dir, seed=seed, data_dir=inputs.get("data_dir"))
    (Path(out_dir) / REPORT).write_text(evolve_report(stage.name, result))
    return {"adapter": result["adapter"], "metrics": stage_metrics(result), "best_round": result["best_round"]}

