"""`toolgym eval …` (owned by the eval area): BFCL and toolgym JSONL suites."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markdown import Markdown

from toolgym.core.errors import InputError
from toolgym.eval.bfcl import CATEGORIES, GROUPS
from toolgym.eval.metrics import Summary

app = typer.Typer(no_args_is_help=True, help="Evaluate models (BFCL, toolgym suites).")

_CATEGORY_HELP = (f"Comma-separated BFCL categories or groups. Groups: {', '.join(GROUPS)}. Categories: "
                  f"{', '.join(CATEGORIES)}.")


DtypeOption = Annotated[str, typer.Option("--dtype", help="Generation dtype: auto, float32, bfloat16 (autocast) "
                                        "or bf16-weights (adapter merged, weights cast: fastest on CPU).")]
MaxNewTokens = Annotated[int, typer.Option("--max-new-tokens", min=1)]
ModelOption = Annotated[str, typer.Option("--model", "-m", help="Registry name, HF id or local path.")]
AdapterOption = Annotated[Path | None, typer.Option("--adapter", help="LoRA adapter folder to put on top of the model.")]
FormatOption = Annotated[str, typer.Option("--format", help="Call format the prompt asks for: hermes, python, json "
                                           "(ignored by chat templates with native tools).")]
ParseOption = Annotated[str | None, typer.Option("--parse", help="How to read model text: auto (any format) or "
                                                 "hermes/python/json. Default: the --format the prompt asked for "
                                                 "(auto for chat templates with native tools); with --from-results, "
                                                 "as each row was parsed.")]
BackendOption = Annotated[str, typer.Option("--backend", help="Generation backend: transformers (CPU or GPU) or "
                                            "vllm (GPU; pip install 'toolgym[vllm]').")]
ConstrainOption = Annotated[bool, typer.Option("--constrain/--no-constrain", help="Constrain call blocks to the "
                                               "offered tools' names and JSON schemas (xgrammar; hermes format).")]
CallBiasOption = Annotated[float, typer.Option("--call-bias", help="Logit offset on opening a call at the answer's "
                                               "first token: > 0 calls more, < 0 refuses more (choose it on a dev "
                                               "split: toolgym eval calibrate).")]
CopyBiasOption = Annotated[float, typer.Option("--copy-bias", min=0.0, help="Logit bonus, inside argument values, "
                                               "for tokens that continue a span of the question (0: off; choose it "
                                               "on a dev split).")]
ContinueBiasOption = Annotated[float, typer.Option("--continue-bias", min=0.0, help="Logit bonus on the comma "
                                                   "after an argument value: another (optional) parameter rather "
                                                   "than closing the call (0: off; choose it on a dev split).")]
NextCallBiasOption = Annotated[float, typer.Option("--next-call-bias", min=0.0, help="Logit bonus on opening "
                                                   "another call block after one closes, rather than ending the "
                                                   "answer (0: off; choose it on a dev split).")]
ProseTokensOption = Annotated[int | None, typer.Option("--prose-tokens", min=1, help="With --constrain: end an "
                                                     "answer the gate committed to prose after N tokens (it can "
                                                     "hold no call, so scores are unchanged; stops a weak model's "
                                                     "essays costing decode time). Default: the answer budget.")]
DistinctOption = Annotated[bool, typer.Option("--distinct-calls", help="Drop a call block that repeats an earlier "
                                             "one of the same answer word for word.")]
RunOption = Annotated[Path | None, typer.Option("--run", help="A recipe run folder (runs/<name>): its trained model "
                                          "scored as the run's final evaluation scored it: model, adapter, dtype, "
                                          "batch size, answer budget, decoding, and the call bias the run chose on "
                                          "its dev split. Options typed beside it win.")]
ToolChoiceOption = Annotated[str, typer.Option("--tool-choice", help="auto (call or prose), required (calls only), "
                                               "none (prose only); needs --constrain for required/none.")]


# the options --run sets (eval/from_run.py), in the order _from_run returns them
RUN_KEYS = ("model", "adapter", "dtype", "batch_size", "max_new_tokens", "constrain", "call_bias", "copy_bias",
            "distinct_calls", "continue_bias", "next_call_bias", "prose_tokens")


def _from_run(ctx: typer.Context, run: Path, excluded: dict[str, Any]) -> tuple[Any, ...]:
    """The RUN_KEYS values: the run's final evaluation's, except where the option was typed on the command line
    (then the command's own value, from `ctx.params`)."""
    from toolgym.eval.from_run import run_evaluation

    for option, value in excluded.items():
        if value:
            raise InputError(f"--run and {option} exclude each other", field="--run")
    settings = run_evaluation(run)
    taken = {"model": settings.model, "adapter": settings.adapter, **settings.options}
    # by name: typer (0.29) vendors its own click, whose ParameterSource is not click's
    typed = {key for key in RUN_KEYS if getattr(ctx.get_parameter_source(key), "name", "") == "COMMANDLINE"}
    Console().print(f"--run {run}: " + "; ".join(settings.notes)
                  + (f" (typed here instead: {', '.join(sorted(typed))})" if typed else ""), markup=False)
    return tuple(ctx.params[key] if key in typed or key not in taken else taken[key] for key in RUN_KEYS)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "model"


def _identity(model: str, adapter: Path | None, dtype: str, backend: str = "transformers",
              **settings: Any) -> tuple[dict[str, Any], str]:
    """The run identity the runner stores (model, adapter hash, dtype, backend) and the short hash of it plus the
    other output-changing settings, for the default folder name (so two adapters named `adapter` never collide)."""
    from toolgym.eval.runner import identity_hash, model_identity

    identity = model_identity(model, adapter, dtype, backend)
    return identity, identity_hash({**identity, **settings})


def _generator(model: str, adapter: Path | None, batch_size: int, dtype: str, backend: str = "transformers",
               policy: Any = None, progress: bool = False) -> Any:
    from toolgym.models.backends import make_generator

    return make_generator(backend, model, str(adapter) if adapter else None, batch_size=batch_size,
                          dtype=dtype, progress=progress, policy=policy)


def _policy(constrain: bool, call_bias: float, tool_choice: str, fmt: str, backend: str,
            copy_bias: float = 0.0, distinct_calls: bool = False, continue_bias: float = 0.0,
            next_call_bias: float = 0.0, prose_tokens: int | None = None) -> Any:
    """The call policy of the options, checked before a model loads (one-line errors naming the option)."""
    from toolgym.models.constrain import TOOL_CHOICES, CallPolicy

    if tool_choice not in TOOL_CHOICES:
        raise InputError(f"unknown value {tool_choice!r}; choose one of {', '.join(TOOL_CHOICES)}",
                         field="--tool-choice")
    if tool_choice != "auto" and not constrain:
        raise InputError(f"{tool_choice!r} is enforced by the grammar: add --constrain", field="--tool-choice")
    if prose_tokens is not None and not constrain:
        raise InputError("ends answers the grammar committed to prose: add --constrain", field="--prose-tokens")
    policy = CallPolicy(constrain=constrain, tool_choice=tool_choice, call_bias=call_bias, copy_bias=copy_bias,
                        distinct_calls=distinct_calls, continue_bias=continue_bias, next_call_bias=next_call_bias,
                        prose_tokens=prose_tokens)
    if policy.active and backend != "transformers":
        raise InputError("--constrain, --call-bias, --copy-bias, --continue-bias, --next-call-bias, --distinct-calls "
                         "and --tool-choice need the "
                         f"transformers backend, not {backend!r}",
                         field="--backend")
    if policy.constrain and fmt != "hermes":
        raise InputError(f"constrained decoding needs the hermes call format, not {fmt!r}", field="--format")
    return policy


def _run_options(model: str, adapter: Path | None, fmt: str, parse: str | None, max_new_tokens: int,
                 batch_size: int, identity: dict[str, Any]) -> dict[str, Any]:
    """The keyword options `run_bfcl` and `run_suite` share."""
    return {"fmt": fmt, "parse": parse, "max_new_tokens": max_new_tokens, "chunk_size": max(batch_size * 2, 16),
            "meta": {"model": model, "adapter": str(adapter or "")}, "identity": identity}


def _check_args(*, fmt: str, parse: str | None, dtype: str, adapter: Path | None,
                from_results: Path | None, categories: str | None = None, suite: Path | None = None,
                backend: str = "transformers") -> None:
    """Every argument checked before a model or data is loaded: each error is one line naming the option."""
    from toolgym.core.formats import FORMATS
    from toolgym.eval.bfcl import expand_categories
    from toolgym.models.backends import MODEL_BACKENDS, missing_backend
    from toolgym.models.hardware import GENERATION_DTYPES

    if backend not in MODEL_BACKENDS:
        raise InputError(f"unknown value {backend!r}; choose one of {', '.join(MODEL_BACKENDS)}", field="--backend")
    if reason := missing_backend(backend):
        raise InputError(reason, field="--backend")

    if categories is not None and not expand_categories(categories):
        raise InputError("names no BFCL category", field="--categories")
    for option, value, valid in (("--format", fmt, FORMATS), ("--parse", parse, ("auto", *FORMATS)),
                                 ("--dtype", dtype, GENERATION_DTYPES)):
        if value is not None and value not in valid:
            raise InputError(f"unknown value {value!r}; choose one of {', '.join(valid)}", field=option)
    if adapter is not None and not (adapter / "adapter_config.json").is_file():
        raise InputError("not a LoRA adapter folder (no adapter_config.json)", file=str(adapter), field="--adapter")
    if from_results is not None and not from_results.is_file():
        raise InputError("no such file", file=str(from_results), field="--from-results")
    if suite is not None and not suite.is_file():
        raise InputError("no such file", file=str(suite), field="FILE")


def _show(summary: Summary, out: Path) -> None:
    console = Console()
    console.print(Markdown(summary.markdown()))
    console.print(f"results: {out / 'results.jsonl'}  summary: {out / 'summary.json'}, {out / 'summary.md'}")


@app.command("bfcl", help="Score a model on BFCL v4 single-turn categories, Python, Java and JavaScript "
                          "(AST checker semantics).")
def bfcl(
    ctx: typer.Context,
    model: ModelOption = "smollm2-135m",
    adapter: AdapterOption = None,
    categories: Annotated[str, typer.Option("--categories", "-c", help=_CATEGORY_HELP)] = "all",
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N cases per category.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Run folder (default runs/eval/bfcl-<model>[-<adapter>]-<identity hash>).")] = None,
    reference: Annotated[bool, typer.Option("--reference", help="Score BFCL's possible answers themselves "
                                   "(checks the scorer; no model).")] = False,
    from_results: Annotated[Path | None, typer.Option("--from-results", help="Rescore the raw texts of a results.jsonl "
                                      "without a model.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Generation batch size.")] = 32,
    max_new_tokens: MaxNewTokens = 256,
    fmt: FormatOption = "hermes",
    dtype: DtypeOption = "auto",
    backend: BackendOption = "transformers",
    parse: ParseOption = None,
    constrain: ConstrainOption = False,
    call_bias: CallBiasOption = 0.0,
    copy_bias: CopyBiasOption = 0.0,
    distinct_calls: DistinctOption = False,
    continue_bias: ContinueBiasOption = 0.0,
    next_call_bias: NextCallBiasOption = 0.0,
    prose_tokens: ProseTokensOption = None,
    tool_choice: ToolChoiceOption = "auto",
    run: RunOption = None,
) -> None:
    from toolgym.eval.runner import rescore, run_bfcl, run_bfcl_reference

    if run is not None:
        (model, adapter, dtype, batch_size, max_new_tokens, constrain, call_bias, copy_bias, distinct_calls,
         continue_bias, next_call_bias, prose_tokens) = _from_run(ctx, run, {"--reference": reference, "--from-results": from_results})
    _check_args(fmt=fmt, parse=parse, dtype=dtype, adapter=adapter, from_results=from_results, categories=categories,
                backend=backend)
    policy = _policy(constrain, call_bias, tool_choice, fmt, backend, copy_bias, distinct_calls, continue_bias,
                     next_call_bias, prose_tokens)
    if reference and from_results:
        raise InputError("--reference and --from-results exclude each other", field="reference")
    if reference:
        folder = out or Path("runs/eval/bfcl-reference")
        summary = run_bfcl_reference(categories, limit, folder, fmt=fmt)
    elif from_results:
        folder = out or Path(from_results).parent / "rescored"
        summary = rescore(from_results, folder, parse=parse)
    else:
        identity, digest = _identity(model, adapter, dtype, backend, fmt=fmt, parse=parse,
                                     max_new_tokens=max_new_tokens, **policy.identity())
        folder = out or Path("runs/eval") / f"bfcl-{_slug(model)}{'-' + _slug(adapter.name) if adapter else ''}-{digest}"
        summary = run_bfcl(_generator(model, adapter, batch_size, dtype, backend, policy), categories, limit, folder,
                           **_run_options(model, adapter, fmt, parse, max_new_tokens, batch_size, identity))
    _show(summary, folder)


@app.command("suite", help="Score a model on a toolgym JSONL test set (messages + tools + gold calls), e.g. "
                           "the four generalization scenarios of `toolgym data`.")
def suite(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="toolgym JSONL test set.")],
    model: ModelOption = "smollm2-135m",
    adapter: AdapterOption = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N cases.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Run folder (default runs/eval/<file>-<model>-<identity hash>).")] = None,
    from_results: Annotated[Path | None, typer.Option("--from-results", help="Rescore saved outputs without a model.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 32,
    max_new_tokens: MaxNewTokens = 256,
    fmt: FormatOption = "hermes",
    dtype: DtypeOption = "auto",
    backend: BackendOption = "transformers",
    parse: ParseOption = None,
    constrain: ConstrainOption = False,
    call_bias: CallBiasOption = 0.0,
    copy_bias: CopyBiasOption = 0.0,
    distinct_calls: DistinctOption = False,
    continue_bias: ContinueBiasOption = 0.0,
    next_call_bias: NextCallBiasOption = 0.0,
    prose_tokens: ProseTokensOption = None,
    tool_choice: ToolChoiceOption = "auto",
    run: RunOption = None,
) -> None:
    from toolgym.eval.runner import rescore, run_suite
    from toolgym.eval.suites import load_suite_cases

    if run is not None:
        (model, adapter, dtype, batch_size, max_new_tokens, constrain, call_bias, copy_bias, distinct_calls,
         continue_bias, next_call_bias, prose_tokens) = _from_run(ctx, run, {"--from-results": from_results})
    _check_args(fmt=fmt, parse=parse, dtype=dtype, adapter=adapter, from_results=from_results, suite=file,
                backend=backend)
    policy = _policy(constrain, call_bias, tool_choice, fmt, backend, copy_bias, distinct_calls, continue_bias,
                     next_call_bias, prose_tokens)
    if from_results:
        folder = out or Path(from_results).parent / "rescored"
        summary = rescore(from_results, folder, suite=file, parse=parse)
    else:
        cases = load_suite_cases(file, limit)  # a file without one good case fails before the model loads
        identity, digest = _identity(model, adapter, dtype, backend, fmt=fmt, parse=parse,
                                     max_new_tokens=max_new_tokens, **policy.identity(),
                                     suite=hashlib.sha256(file.read_bytes()).hexdigest() if file.is_file() else None)
        folder = out or Path("runs/eval") / f"{_slug(file.stem)}-{_slug(model)}-{digest}"
        summary = run_suite(_generator(model, adapter, batch_size, dtype, backend, policy), file, folder, limit,
                            cases=cases, **_run_options(model, adapter, fmt, parse, max_new_tokens, batch_size, identity))
    _show(summary, folder)


@app.command("calibrate", help="Choose the call gate's --call-bias on a dev split (a toolgym JSONL file with "
                                "answerable and unanswerable cases): AUC of the first-token call margin, the trade-off "
                                "curve, and the bias with the best balanced accuracy. Never on the test set.")
def calibrate(
    file: Annotated[Path | None, typer.Argument(help="toolgym JSONL dev split, e.g. "
                                                "runs/<recipe>/data/dataset/dev.jsonl.")] = None,
    model: ModelOption = "smollm2-135m",
    adapter: AdapterOption = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N cases.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder (default runs/eval/calibrate-<file>-<model>-"
                                             "<identity hash>).")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 16,
    fmt: FormatOption = "hermes",
    dtype: DtypeOption = "auto",
    from_margins: Annotated[Path | None, typer.Option("--from-margins", help="Recompute the curve from a saved "
                                                      "margins.jsonl without a model (instead of FILE).")] = None,
    min_refusal: Annotated[float | None, typer.Option("--min-refusal", min=0.0, max=1.0, help="Choose the bias with "
                           "the most calls among those refusing at least this share of the unanswerable cases "
                           "(default: the best balanced accuracy).")] = None,
    call_tolerance: Annotated[float, typer.Option("--call-tolerance", min=0.0, max=1.0, help="With --min-refusal: "
                              "the lowest bias whose calls are within this share of the most (e.g. 0.01).")] = 0.0,
) -> None:
    from toolgym.eval.calibrate import recalibrate, run_calibration
    from toolgym.eval.suites import load_suite_cases

    if from_margins is not None:
        if not from_margins.is_file():
            raise InputError("no such file", file=str(from_margins), field="--from-margins")
        folder = out or from_margins.parent
        result = recalibrate(from_margins, folder, min_refusal, call_tolerance)
    else:
        if file is None:
            raise InputError("give a dev split FILE, or --from-margins", field="FILE")
        _check_args(fmt=fmt, parse=None, dtype=dtype, adapter=adapter, from_results=None, suite=file)
        identity, digest = _identity(model, adapter, dtype, fmt=fmt,
                                     suite=hashlib.sha256(file.read_bytes()).hexdigest())
        folder = out or Path("runs/eval") / f"calibrate-{_slug(file.stem)}-{_slug(model)}-{digest}"
        cases = load_suite_cases(file, limit)
        result = run_calibration(_generator(model, adapter, batch_size, dtype, progress=True), cases, folder, fmt,
                                 meta={**identity, "file": str(file), "limit": limit}, min_refusal=min_refusal,
                                 call_tolerance=call_tolerance)
    Console().print(Markdown(result.markdown()))
    Console().print(f"chosen: --call-bias {result.bias:g}   files: {folder / 'calibration.json'}, "
                    f"{folder / 'margins.jsonl'}")


@app.command("robust", help="Score a model under RoTBench's noise levels (clean, slight, medium, heavy, union: "
                            "tool and parameter names edited, reversed or made nonsense, exchanged, all of them), "
                            "one sub-folder per level plus robust_summary.md/json with TS/PI/CF across levels.")
def robust(
    source: Annotated[str, typer.Argument(help="A toolgym JSONL test set, or BFCL categories/groups (comma list).")],
    levels: Annotated[str, typer.Option("--levels", help="Comma-separated noise levels: clean, slight, medium, "
                                        "heavy, union.")] = "clean,slight,medium,heavy,union",
    seed: Annotated[int, typer.Option("--seed", help="Noise seed (the perturbation is deterministic per seed).")] = 0,
    model: ModelOption = "smollm2-135m",
    adapter: AdapterOption = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N cases (per BFCL category).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Run folder (default runs/eval/robust-<source>-"
                                             "<model>-<identity hash>).")] = None,
    reference: Annotated[bool, typer.Option("--reference", help="Score the perturbed gold answers themselves "
                                            "(checks the perturbation; no model).")] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 32,
    max_new_tokens: MaxNewTokens = 256,
    fmt: FormatOption = "hermes",
    dtype: DtypeOption = "auto",
    backend: BackendOption = "transformers",
    parse: ParseOption = None,
    constrain: ConstrainOption = False,
    call_bias: CallBiasOption = 0.0,
    copy_bias: CopyBiasOption = 0.0,
    distinct_calls: DistinctOption = False,
    continue_bias: ContinueBiasOption = 0.0,
    next_call_bias: NextCallBiasOption = 0.0,
) -> None:
    from toolgym.data.noise import check_levels
    from toolgym.eval.robust import load_cases, run_robust, source_kind

    _check_args(fmt=fmt, parse=parse, dtype=dtype, adapter=adapter, from_results=None, backend=backend)
    policy = _policy(constrain, call_bias, "auto", fmt, backend, copy_bias, distinct_calls, continue_bias,
                     next_call_bias)
    names = check_levels(levels, field_name="--levels")
    kind = source_kind(source)
    stem = _slug(Path(source).stem if kind == "suite" else source)
    if reference:
        folder = out or Path("runs/eval") / f"robust-{stem}-reference-s{seed}"
        report = run_robust(source, names, folder, seed=seed, reference=True, limit=limit, fmt=fmt)
    else:
        suite_sha = hashlib.sha256(Path(source).read_bytes()).hexdigest() if kind == "suite" else None
        identity, digest = _identity(model, adapter, dtype, backend, fmt=fmt, parse=parse,
                                     max_new_tokens=max_new_tokens, source=suite_sha or source, seed=seed,
                                     **policy.identity())
        folder = out or Path("runs/eval") / f"robust-{stem}-{_slug(model)}-{digest}"
        loaded = load_cases(source, limit)  # bad data fails here, before the model loads
        generator = _generator(model, adapter, batch_size, dtype, backend, policy)
        report = run_robust(source, names, folder, seed=seed, generator=generator, limit=limit, fmt=fmt,
                            parse=parse, max_new_tokens=max_new_tokens, chunk_size=max(batch_size * 2, 16),
                            meta={"model": model, "adapter": str(adapter or "")}, identity=identity,
                            loaded=loaded)
    console = Console()
    console.print(Markdown(report.markdown()))
    console.print(f"levels: {', '.join(str(folder / n) for n in names)}  summary: {folder / 'robust_summary.md'}")


@app.command("multiturn", help="Multi-turn episodes. With a SUITE file: TL-Training's protocol, each case played "
                               "for up to --max-turns turns against the simulated tools (real error feedback), "
                               "scored by DE (documentation errors per call), CE (other call errors per call) and VA "
                               "(valid final answers). With --bfcl: BFCL v4 multi-turn categories against BFCL's own "
                               "environments (the wheel's classes), up to --step-cap steps per turn, checked by "
                               "state and execution response after each turn (BFCL's multi-turn checker semantics).")
def multiturn(
    suite: Annotated[Path | None, typer.Argument(metavar="SUITE", help="toolgym JSONL test set (e.g. a test_*.jsonl or dev.jsonl "
                                                 "of `toolgym data synth`) for TL-Training's episodes.")] = None,
    bfcl: Annotated[bool, typer.Option("--bfcl", help="The BFCL v4 multi-turn benchmark (instead of a SUITE).")] = False,
    categories: Annotated[str, typer.Option("--categories", "-c", help="With --bfcl, comma-separated: all, "
                                            "multi_turn_base, multi_turn_miss_func, multi_turn_miss_param, "
                                            "multi_turn_long_context.")] = "all",
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N cases (per category with "
                                              "--bfcl).")] = None,
    reference: Annotated[bool, typer.Option("--reference", help="Replay the gold answers through the loop (checks "
                                            "the environment and the scoring; no model).")] = False,
    data: Annotated[Path | None, typer.Option("--data", help="With --bfcl: a JSONL file of entries in BFCL's "
                                              "multi-turn format instead of the wheel's (ground truth in each entry "
                                              "or --answers).")] = None,
    answers: Annotated[Path | None, typer.Option("--answers", help="possible_answer-format JSONL for --data.")] = None,
    model: ModelOption = "smollm2-135m",
    adapter: AdapterOption = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Run folder (default runs/eval/multiturn-"
                                             "[<suite>-]<model>[-<adapter>]-<identity hash>).")] = None,
    max_turns: Annotated[int, typer.Option("--max-turns", min=1, help="With a SUITE: assistant turns per episode "
                                           "(TL-Training: 9).")] = 9,
    step_cap: Annotated[int, typer.Option("--step-cap", min=1, help="With --bfcl: steps with calls per turn before "
                                          "the episode is force-quit (BFCL: 20).")] = 20,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Episodes played at once.")] = 16,
    max_new_tokens: MaxNewTokens = 256,
    fmt: FormatOption = "hermes",
    dtype: DtypeOption = "auto",
    backend: BackendOption = "transformers",
    parse: ParseOption = None,
) -> None:
    from toolgym.eval.registry import get_benchmark

    _check_args(fmt=fmt, parse=parse, dtype=dtype, adapter=adapter, from_results=None, suite=suite, backend=backend)
    _check_multiturn_mode(suite, bfcl, categories=categories, data=data, answers=answers, max_turns=max_turns,
                          step_cap=step_cap)
    if suite is not None:
        bench = get_benchmark("tl_episodes", kind="multi_turn")
        cases = bench.resolve("loader")(suite, limit)  # a file without one good case fails before the model loads
        options = {"cases": cases, "max_turns": max_turns, "fmt": fmt, "batch_size": batch_size, "progress": True}
        if reference:
            folder = out or Path("runs/eval") / f"multiturn-{_slug(suite.stem)}-reference"
            summary = bench.resolve("reference")(suite, folder, **options)
        else:
            identity, digest = _identity(model, adapter, dtype, backend, fmt=fmt, parse=parse, max_turns=max_turns,
                                         max_new_tokens=max_new_tokens,
                                         suite=hashlib.sha256(suite.read_bytes()).hexdigest())
            folder = out or Path("runs/eval") / (f"multiturn-{_slug(suite.stem)}-{_slug(model)}"
                                                 f"{'-' + _slug(adapter.name) if adapter else ''}-{digest}")
            generator = _generator(model, adapter, batch_size, dtype, backend)
            summary = bench.resolve("runner")(generator, suite, folder, parse=parse, max_new_tokens=max_new_tokens,
                                              identity=identity, meta={"model": model, "adapter": str(adapter or "")},
                                              **options)
        _show(summary, folder)
        return
    bench = get_benchmark("bfcl_multi_turn", kind="multi_turn")
    cases = bench.resolve("loader")(categories, limit, data=data, answers=answers)  # bad data fails before a model
    if not cases:
        raise InputError("no cases to run", field="--categories")
    settings = {"step_cap": step_cap, "progress": True}
    if reference:
        folder = out or Path("runs/eval/multiturn-reference")
        summary = bench.resolve("reference")(cases=cases, out_dir=folder, fmt=fmt, **settings)
    else:
        identity, digest = _identity(model, adapter, dtype, backend, fmt=fmt, parse=parse,
                                     max_new_tokens=max_new_tokens, step_cap=step_cap, data=str(data or ""))
        folder = out or Path("runs/eval") / f"multiturn-{_slug(model)}{'-' + _slug(adapter.name) if adapter else ''}-{digest}"
        generator = _generator(model, adapter, batch_size, dtype, backend)
        summary = bench.resolve("runner")(generator, cases=cases, out_dir=folder, fmt=fmt, parse=parse,
                                          max_new_tokens=max_new_tokens, batch_size=batch_size, identity=identity,
                                          meta={"model": model, "adapter": str(adapter or "")}, **settings)
    _show(summary, folder)


def _check_multiturn_mode(suite: Path | None, bfcl: bool, *, categories: str, data: Path | None,
                          answers: Path | None, max_turns: int, step_cap: int) -> None:
    """One benchmark, and only its own options (one-line errors naming the option)."""
    if suite is None and not bfcl:
        raise InputError("name the benchmark: a SUITE.jsonl (TL-Training episodes) or --bfcl (BFCL v4 multi-turn)",
                         field="--bfcl")
    if suite is not None and bfcl:
        raise InputError("give a SUITE file or --bfcl, not both", field="--bfcl")
    if suite is not None:
        given = [name for name, used in (("--categories", categories != "all"), ("--data", data is not None),
                                         ("--answers", answers is not None), ("--step-cap", step_cap != 20)) if used]
        if given:
            raise InputError(f"{given[0]} is a --bfcl option; a SUITE is played as TL-Training episodes",
                             field=given[0])
        return
    if max_turns != 9:
        raise InputError("--max-turns is for a SUITE; BFCL episodes are capped by --step-cap", field="--max-turns")
    for option, file in (("--data", data), ("--answers", answers)):
        if file is not None and not file.is_file():
            raise InputError("no such file", file=str(file), field=option)
    if answers is not None and data is None:
        raise InputError("--answers needs --data", field="--answers")


@app.command("compare", help="Paired comparison of two evaluations of the same cases (two results.jsonl files or "
                             "their folders): per category both accuracies, the cases only one side gets right, and "
                             "an exact McNemar p-value on those. Use it to tell two adapters or decoding settings "
                             "apart on one dev or test set.")
def compare(
    a: Annotated[Path, typer.Argument(metavar="A", help="results.jsonl (or its folder) of the first evaluation.")],
    b: Annotated[Path, typer.Argument(metavar="B", help="results.jsonl (or its folder) of the second.")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the figures here.")] = None,
) -> None:
    import json

    from toolgym.eval.compare import compare_results, render_comparison

    scores = compare_results(a, b)
    Console().print(Markdown(render_comparison(scores, {"a": str(a), "b": str(b)})))
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps({"a": str(a), "b": str(b), "categories": [s.as_dict() for s in scores]},
                                       indent=2) + "\n", encoding="utf-8")
