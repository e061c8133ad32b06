"""`toolgym data …`: synth, stats, decontam, import, export. Only CLI wiring: the work is in data/synth.py,
data/trajectories.py, data/stats.py, data/decontam.py and data/interop.py. Every command checks its arguments before it loads a model or data."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from toolgym.core.errors import InputError
from toolgym.data.stats import JSON_TYPES
from toolgym.models.registry import DEFAULT_MODEL

app = typer.Typer(no_args_is_help=True, help="Synthesize and inspect training data.")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())


@app.command("synth")
def synth(
    out: Annotated[Path, typer.Option("--out", help="Output folder (resumed when it exists).")],
    n: Annotated[int, typer.Option("--n", min=1, help="Training samples.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives identical files.")] = 0,
    mix: Annotated[str, typer.Option("--mix", help="Type weights, e.g. single=0.3,parallel=0.2.")] = "",
    n_test: Annotated[int | None, typer.Option("--n-test", min=1, help="Cases per test set (default max(300, n/25)).")] = None,
    trajectories: Annotated[int, typer.Option("--trajectories", min=0, help="Oracle episodes from train.")] = 0,
    error_rate: Annotated[float, typer.Option("--error-rate", min=0.0, max=1.0, help="Share of episodes with an erroneous call.")] = 0.17,
    failure_rate: Annotated[float, typer.Option("--failure-rate", min=0.0, max=1.0, help="Injected tool instability rate.")] = 0.0,
    engine: Annotated[str, typer.Option("--engine", help="v2 (styles, masking, fan-outs, toolsets) or v1.")] = "v2",
    styles: Annotated[bool, typer.Option("--styles/--no-styles", help="Vary description styles (v2).")] = True,
    fanout_share: Annotated[float, typer.Option("--fanout-share", min=0.0, max=1.0, help="Parallel samples as one request (v2).")] = 0.6,
    mask_functions: Annotated[float, typer.Option("--mask-functions", min=0.0, max=1.0, help="Share with opaque function names (v2).")] = 0.2,
    mask_parameters: Annotated[float, typer.Option("--mask-parameters", min=0.0, max=1.0, help="Share with opaque parameter names too (v2).")] = 0.1,
    toolset_queries: Annotated[int, typer.Option("--toolset-queries", min=1, help="Queries per shared toolset (v2).")] = 4,
    toolset_no_call: Annotated[float, typer.Option("--toolset-no-call", min=0.0, max=1.0, help="No-call share of toolset queries (v2).")] = 0.25,
    wide_parallel: Annotated[float, typer.Option("--wide-parallel", min=0.0, max=1.0, help="Share of parallel_multiple samples with 2-3 tools and 2-4 calls, fan-outs included (v2).")] = 0.0,
    toolset_size: Annotated[int, typer.Option("--toolset-size", min=0, help="Tools shown in zero_to_one / weak_to_strong samples, similar distractors filling up (GenTool: ~5); 0 = off.")] = 0,
    w2s_queries: Annotated[int, typer.Option("--w2s-queries", min=1, help="Queries per weak/strong pair (GenTool: ~10).")] = 1,
    defaults: Annotated[float, typer.Option("--defaults", min=0.0, max=1.0, help="Share of shown tools whose optional parameters state a default (v2).")] = 0.0,
    cross_fanout: Annotated[float, typer.Option("--cross-fanout", min=0.0, max=1.0, help="Share of fan-outs wanting 3+ calls asked over two parameters, every combination (v2).")] = 0.0,
    zip_fanout: Annotated[float, typer.Option("--zip-fanout", min=0.0, max=1.0, help="Share of fan-outs whose calls differ together in 2-3 parameters, in one sentence (v2).")] = 0.0,
    state_cities: Annotated[float, typer.Option("--state-cities", min=0.0, max=1.0, help="Share of records whose cities become US cities written 'City, ST', as their parameter descriptions document (v2).")] = 0.0,
) -> None:
    """Synthesize train.jsonl, four generalization test sets, dev.jsonl and (optionally) trajectories.jsonl."""
    from toolgym.data.synth import SynthOptions, parse_mix, write_dataset
    from toolgym.data.trajectories import write_trajectories

    weights = parse_mix(mix)
    if engine not in ("v1", "v2"):
        raise InputError(f"must be v1 or v2, got {engine!r}", field="--engine")
    if mask_parameters > mask_functions:
        raise InputError("must be <= --mask-functions", field="--mask-parameters")
    options = SynthOptions.v1() if engine == "v1" else SynthOptions(
        styles, fanout_share, mask_functions, mask_parameters, toolset_queries, toolset_no_call, wide_parallel,
        toolset_size, w2s_queries, defaults=defaults, cross_fanout=cross_fanout,
        zip_fanout=zip_fanout, state_cities=state_cities)
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder; pick another --out", file=str(out), field="--out")
    console = Console()
    with _progress() as bar:
        tasks: dict[str, Any] = {}

        def report(split: str, done: int, total: int) -> None:
            if split not in tasks:
                tasks[split] = bar.add_task(split, total=total)
            if done % 200 == 0 or done == total:
                bar.update(tasks[split], completed=done)

        manifest = write_dataset(out, n, seed, weights, n_test=n_test, progress=report, options=options)
        if trajectories:
            task = bar.add_task("trajectories", total=trajectories)
            written = write_trajectories(out, trajectories, seed, error_rate, failure_rate,
                                         lambda done: bar.update(task, completed=done))
            manifest["files"]["trajectories"] = {"records": written}
    for split, info in manifest["files"].items():
        console.print(f"{split}: {info['records']} records" + (f", {info['dropped']} dropped"
                                                                 if info.get("dropped") else ""))


@app.command("stats")
def stats(
    folder: Annotated[Path, typer.Argument(help="Dataset folder (written by `toolgym data synth`).")],
    model: Annotated[str, typer.Option("--model", help="Tokenizer for prompt lengths ('' to skip).")] = DEFAULT_MODEL,
    token_samples: Annotated[int, typer.Option("--token-samples", min=0, help="Prompts to tokenize (0 = all).")]
    = 2000,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first bad record (default: count and "
                                         "skip it).")] = False,
) -> None:
    """Counts per type, tools, domains, JSON-type coverage, gold calls passing the checker, prompt tokens."""
    from toolgym.data.stats import compute_stats, dataset_files, load_tokenizer

    dataset_files(folder)  # the folder first: no tokenizer is loaded for a wrong path
    tokenizer = load_tokenizer(model) if model else None
    st = compute_stats(folder, tokenizer, token_samples, strict=strict or None)
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
        rows += [("prompts tokenized (train)", pt["n"]), ("prompts the template could not render", pt["skipped"]),
                 ("median prompt tokens", pt["median"]),
                 ("p90 prompt tokens", pt["p90"]), ("max prompt tokens", pt["max"])]
    for key, value in rows:
        summary.add_row(key, str(value))
    for table in (files, types, cover, summary):
        console.print(table)


@app.command("decontam")
def decontam(
    folder: Annotated[Path, typer.Argument(help="Dataset folder (synthesized or imported), or a catalog folder; "
                                           "with --format, a file or folder in that format.")],
    fmt: Annotated[str | None, typer.Option("--format", help="Read PATH as public data: openai, sharegpt, xlam, "
                                            "toolace, hf, parquet or toolgym.")] = None,
) -> None:
    """Overlap of tool names and questions with BFCL (exact and n-gram); exit 1 on any exact overlap."""
    from toolgym.data.decontam import decontam_report

    if fmt is not None:
        from toolgym.data.interop import check_format

        check_format(fmt, field_name="--format")
        if not folder.exists():
            raise InputError("no such file or folder", file=str(folder))
    elif not folder.is_dir():
        raise InputError("not a folder (a dataset or a catalog)", file=str(folder))

    if fmt is not None:
        from toolgym.data.interop import import_overlap_report

        report = import_overlap_report(folder, fmt)
    else:
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


@app.command("diversity")
def diversity(
    file: Annotated[Path, typer.Argument(help="A toolgym JSONL file, e.g. DIR/train.jsonl.")],
    seed: Annotated[int, typer.Option("--seed", help="Seed of the equal-size samples.")] = 0,
) -> None:
    """Distinct-bigram ratios of tool descriptions and queries and mean query words, beside BFCL non-live."""
    from toolgym.data.diversity import compare_with_bfcl

    if not file.is_file():
        raise InputError("no such file", file=str(file))
    profiles = compare_with_bfcl(file, seed)
    table = Table("metric", str(file), "BFCL non-live")
    for key in profiles["dataset"]:
        table.add_row(key, str(profiles["dataset"][key]), str(profiles["bfcl_non_live"][key]))
    Console().print(table)


@app.command("import")
def import_(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="openai, sharegpt, xlam, toolace, hf, parquet or "
                                       "toolgym.")],
    path: Annotated[Path, typer.Argument(help="A file (JSONL, JSON array, parquet) or folder (save_to_disk, files).")],
    out: Annotated[Path, typer.Option("--out", help="Dataset folder to write (train.jsonl, trajectories.jsonl).")],
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first bad row (default: count and skip "
                                         "it).")] = False,
) -> None:
    """Public tool-calling data -> toolgym records, validated like synthetic ones; bad rows counted and skipped."""
    from toolgym.data.interop import check_format, import_data

    check_format(fmt)
    if not path.exists():
        raise InputError("no such file or folder", file=str(path))
    result = import_data(path, fmt, out, strict=strict or None)
    _print_transfer(result, f"{path}: {result.stats.ok} rows imported into {out}", "rows", show_files=True)


@app.command("export")
def export(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="openai, sharegpt, xlam, toolace, hf or parquet.")],
    src: Annotated[Path, typer.Argument(help="A toolgym JSONL file, or a dataset folder (its train.jsonl and "
                                        "trajectories.jsonl).")],
    out: Annotated[Path, typer.Option("--out", help="File to write (.jsonl, or .json for one JSON array; "
                                      ".parquet), or the save_to_disk folder for hf.")],
    rows: Annotated[str, typer.Option("--rows", help="Row layout of hf and parquet: openai, sharegpt, xlam or "
                                      "toolace.")] = "openai",
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first record the format cannot hold.")]
    = False,
) -> None:
    """toolgym records -> public tool-calling data; records the format cannot hold are counted and skipped."""
    from toolgym.data.interop import LAYOUTS, check_format, export_data

    check_format(fmt, allowed=(*LAYOUTS, "hf", "parquet"))
    check_format(rows, field_name="--rows", allowed=LAYOUTS)
    if not src.exists():
        raise InputError("no such file or folder", file=str(src))
    result = export_data(src, fmt, out, rows=rows, strict=strict or None)
    _print_transfer(result, f"{out}: {sum(result.files.values())} rows written", "records", show_files=False)


def _print_transfer(result: Any, headline: str, what: str, *, show_files: bool) -> None:
    """The counts on stdout; each skipped row's one-line reason on stderr."""
    console, errors = Console(soft_wrap=True), Console(stderr=True, soft_wrap=True, highlight=False)
    for reason in result.stats.errors:
        errors.print(f"skipped: {reason}", markup=False)
    console.print(headline, markup=False)
    for name, count in result.files.items() if show_files else ():
        console.print(f"  {name}: {count} records", markup=False)
    if result.stats.bad:
        more = f" (reasons shown for the first {len(result.stats.errors)})" if result.stats.bad > len(
            result.stats.errors) else ""
        console.print(f"  {result.stats.bad} bad {what} skipped{more}", markup=False)
