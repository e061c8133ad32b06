"""`toolgym data …` (owned by the data area): synth, stats, decontam."""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from toolgym.core.errors import InputError

app = typer.Typer(no_args_is_help=True, help="Synthesize and inspect training data.")
JSON_TYPES = ("string", "integer", "number", "boolean", "enum", "array", "object")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())


@app.command("synth")
def synth(
    out: Annotated[Path, typer.Option("--out", help="Output folder (resumed when it exists).")],
    n: Annotated[int, typer.Option("--n", min=1, help="Training samples.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives identical files.")] = 0,
    mix: Annotated[str, typer.Option("--mix", help="Type weights, e.g. single=0.3,parallel=0.2.")] = "",
    n_test: Annotated[int | None, typer.Option("--n-test", help="Cases per test set (default max(300, n/25)).")] = None,
    trajectories: Annotated[int, typer.Option("--trajectories", min=0, help="Oracle episodes from train.")] = 0,
    error_rate: Annotated[float, typer.Option("--error-rate", help="Share of episodes with an erroneous call.")] = 0.17,
    failure_rate: Annotated[float, typer.Option("--failure-rate", help="Injected tool instability rate.")] = 0.0,
) -> None:
    """Synthesize train.jsonl, four generalization test sets and (optionally) trajectories.jsonl."""
    from toolgym.data.synth import parse_mix, write_dataset

    weights = parse_mix(mix)
    console = Console()
    with _progress() as bar:
        tasks: dict[str, Any] = {}

        def report(split: str, done: int, total: int) -> None:
            if split not in tasks:
                tasks[split] = bar.add_task(split, total=total)
            if done % 200 == 0 or done == total:
                bar.update(tasks[split], completed=done)

        manifest = write_dataset(out, n, seed, weights, n_test=n_test, progress=report)
        if trajectories:
            task = bar.add_task("trajectories", total=trajectories)
            written = write_trajectories(out, trajectories, seed, error_rate, failure_rate,
                                         lambda done: bar.update(task, completed=done))
            manifest["files"]["trajectories"] = {"records": written}
    for split, info in manifest["files"].items():
        console.print(f"{split}: {info['records']} records" + (f", {info['dropped']} dropped"
                                                                 if info.get("dropped") else ""))


def write_trajectories(out: Path, count: int, seed: int, error_rate: float, failure_rate: float,
                       progress: Any = None) -> int:
    """Oracle episodes for the first `count` training records into trajectories.jsonl (resumable)."""
    from itertools import islice

    from toolgym.data.archetypes import load_catalog
    from toolgym.data.io import JsonlAppender, iter_jsonl
    from toolgym.data.trajectories import OraclePolicy, run_episodes
    from toolgym.envs.simulator import Simulator

    records = (r for _, r in islice(iter_jsonl(out / "train.jsonl", strict=True), count))
    with JsonlAppender(out / "trajectories.jsonl") as sink, \
            Simulator(load_catalog(), failure_rate=failure_rate, seed=seed) as sim:
        skip = sink.skip
        todo = (r for i, r in enumerate(records) if i >= skip)
        for i, episode in enumerate(run_episodes(todo, OraclePolicy(error_rate=error_rate), sim, seed=seed), 1):
            sink.write(episode)
            if progress is not None and i % 50 == 0:
                progress(skip + i)
        if progress is not None:
            progress(skip + sink.written)
        return skip + sink.written


# ---------------------------------------------------------------- stats


def dataset_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise InputError("not a dataset folder", file=str(folder))
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise InputError("no *.jsonl files in folder", file=str(folder))
    return files


def compute_stats(folder: Path, tokenizer: Any = None, token_samples: int = 2000) -> dict[str, Any]:
    """Counts per type, tools, domains, JSON-type coverage, checker pass rate and prompt token lengths."""
    from toolgym.core.checker import check_calls
    from toolgym.data.io import ReadStats, read_samples

    out: dict[str, Any] = {"files": {}, "types": Counter(), "domains": set(), "gold_tools": set(),
                           "toolset_tools": set(), "json_types": Counter(), "gold_calls": 0, "gold_pass": 0,
                           "bad_records": 0, "toolset_sizes": []}
    prompts: list[tuple[list, list]] = []
    for path in dataset_files(folder):
        read = ReadStats()
        samples = list(read_samples(path, stats=read))
        out["files"][path.name] = len(samples)
        out["bad_records"] += read.bad
        if path.name.startswith("trajectories"):  # episodes repeat train samples: listed, not recounted
            continue
        for s in samples:
            out["types"][s.type] += 1
            out["domains"].add(s.meta.get("domain"))
            out["toolset_tools"].update(t.name for t in s.tools)
            out["toolset_sizes"].append(len(s.tools))
            tools = {t.name: t for t in s.tools}
            for call in s.gold:
                out["gold_tools"].add(call.name)
                if call.name in tools:
                    _count_json_types(tools[call.name].properties, call.arguments, out["json_types"])
            if s.gold:
                verdict = check_calls(s.gold, s.tools)
                out["gold_calls"] += len(s.gold)
                out["gold_pass"] += len(s.gold) if verdict.ok else len(s.gold) - len(
                    {e.call_index for e in verdict.errors})
            if path.name == "train.jsonl":
                prompts.append((s.messages[:1], s.tools))
    if tokenizer is not None and prompts:
        out["prompt_tokens"] = _prompt_tokens(tokenizer, prompts, token_samples)
    return out


def _count_json_types(props: dict[str, Any], arguments: dict[str, Any], counter: Counter) -> None:
    for key in arguments:
        schema = props.get(key) or {}
        counter["enum" if "enum" in schema else str(schema.get("type", "any"))] += 1
        items = schema.get("items") if isinstance(schema.get("items"), dict) else None
        if items and "enum" in items:
            counter["enum"] += 1
        if schema.get("type") == "object" and isinstance(arguments[key], dict):
            _count_json_types(schema.get("properties") or {}, arguments[key], counter)


def _prompt_tokens(tokenizer: Any, prompts: list[tuple[list, list]], limit: int) -> dict[str, Any]:
    from toolgym.core.formats import render_prompt

    step = max(1, len(prompts) // limit) if limit else 1
    chosen = prompts[::step]
    lengths = sorted(len(tokenizer(render_prompt(tokenizer, m, t), add_special_tokens=False)["input_ids"])
                     for m, t in chosen)
    return {"n": len(lengths), "median": statistics.median(lengths),
            "p90": lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))], "max": lengths[-1]}


def load_tokenizer(name: str = "smollm2-135m") -> Any:
    """The tokenizer of model `name` (the embedded default, fetched and converted once by the registry)."""
    from transformers import AutoTokenizer

    from toolgym.core.errors import AssetError
    from toolgym.models.registry import resolve_model

    location = resolve_model(name)
    try:
        return AutoTokenizer.from_pretrained(str(location))
    except (OSError, ValueError) as exc:
        raise AssetError(f"tokenizer of {name!r} at {location}: {' '.join(str(exc).split())[:200]}") from None


@app.command("stats")
def stats(
    folder: Annotated[Path, typer.Argument(help="Dataset folder (written by `toolgym data synth`).")],
    model: Annotated[str, typer.Option("--model", help="Tokenizer for prompt lengths ('' to skip).")] = "smollm2-135m",
    token_samples: Annotated[int, typer.Option("--token-samples", help="Prompts to tokenize (0 = all).")] = 2000,
) -> None:
    """Counts per type, tools, domains, JSON-type coverage, gold calls passing the checker, prompt tokens."""
    tokenizer = load_tokenizer(model) if model else None
    st = compute_stats(folder, tokenizer, token_samples)
    print_stats(st, Console())


def print_stats(st: dict[str, Any], console: Console) -> None:
    files = Table(title="files")
    files.add_column("file")
    files.add_column("records", justify="right")
    for name, count in st["files"].items():
        files.add_row(name, str(count))
    types = Table(title="sample types")
    types.add_column("type")
    types.add_column("records", justify="right")
    for name, count in sorted(st["types"].items()):
        types.add_row(name, str(count))
    cover = Table(title="JSON types of gold arguments")
    cover.add_column("type")
    cover.add_column("values", justify="right")
    for name in JSON_TYPES:
        cover.add_row(name, str(st["json_types"].get(name, 0)))
    summary = Table(title="summary")
    summary.add_column("measure")
    summary.add_column("value", justify="right")
    passed = 100.0 * st["gold_pass"] / st["gold_calls"] if st["gold_calls"] else 0.0
    sizes = st["toolset_sizes"]
    rows = [("domains", len(st["domains"] - {None})), ("tools used (gold)", len(st["gold_tools"])),
            ("tools in toolsets", len(st["toolset_tools"])),
            ("JSON types covered", f"{sum(st['json_types'].get(t, 0) > 0 for t in JSON_TYPES)}/{len(JSON_TYPES)}"),
            ("gold calls", st["gold_calls"]), ("gold calls passing checker", f"{passed:.2f}%"),
            ("median toolset size", statistics.median(sizes) if sizes else 0),
            ("bad records skipped", st["bad_records"])]
    if "prompt_tokens" in st:
        pt = st["prompt_tokens"]
        rows += [("prompts tokenized (train)", pt["n"]), ("median prompt tokens", pt["median"]),
                 ("p90 prompt tokens", pt["p90"]), ("max prompt tokens", pt["max"])]
    for key, value in rows:
        summary.add_row(key, str(value))
    for table in (files, types, cover, summary):
        console.print(table)


@app.command("decontam")
def decontam(folder: Annotated[Path, typer.Argument(help="Dataset folder, or a catalog folder.")]) -> None:
    """Overlap of tool names and questions with BFCL (exact and n-gram); exit 1 on any exact overlap."""
    from toolgym.data.decontam import decontam_report

    report = decontam_report(folder)
    console = Console()
    table = Table(title=f"BFCL decontamination ({report.get('source', '')})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in report.items():
        if isinstance(value, float):
            value = f"{value:.4f}"
        elif isinstance(value, (list, tuple)):
            value = "; ".join(map(str, value)) or "-"
        table.add_row(str(key), str(value))
    console.print(table)
    if report.get("exact_name_overlap") or report.get("exact_question_overlap"):
        console.print("[red]exact overlap with BFCL found[/red]")
        raise typer.Exit(1)
