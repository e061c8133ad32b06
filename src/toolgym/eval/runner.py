"""The evaluation runner: cases in, generations, verdicts and a summary out.

For any list of `EvalCase`s (BFCL or a toolgym JSONL suite) it renders prompts with the model's chat
template (`core.formats.render_prompt`), generates in batches through a `models.generate.Generator`,
parses the text (`core.formats.parse_calls`), maps sanitized tool names back, scores each case with its
own scorer and streams one JSON line per case to `results.jsonl`. A rerun skips ids already there, so an
interrupted run resumes without losing or duplicating records, but only when the folder's `run_identity.json`
(model, adapter and model weight hashes, dtype, call format, parse, max_new_tokens, chat template, …) matches
this run's: results of another configuration are never mixed in. `summary.json` and `summary.md` close it.

BFCL runs give each category its own `max_new_tokens` (`gold_budgets`): room for the longest gold answer of
the category plus a margin, never more than the caller's `max_new_tokens`. It is derived from the answers'
lengths in tokens, not from model outputs or scores (BFCL is a test set). Generation stops at the model's end
token; no stop string cuts a completion short (a second call after the first must still count against it).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from toolgym.core.checker import ErrorCategory
from toolgym.core.errors import InputError, ToolgymError
from toolgym.core.formats import (
    FORMATS,
    PROMPT_VERSION,
    ParseResult,
    parse_calls,
    render_calls,
    render_prompt,
    supports_tools,
    tool_json,
)
from toolgym.core.match import to_bfcl_decoded
from toolgym.core.progress import progress_bar
from toolgym.core.schema import Tool, ToolCall, unsanitize_name
from toolgym.eval.bfcl import CATEGORIES, category_size, expand_categories, load_bfcl_cases, reference_calls
from toolgym.eval.cases import EvalCase, unparsable_score
from toolgym.eval.metrics import SUITE_AGGREGATES, Summary, call_rates, summarize
from toolgym.eval.suites import load_suite_cases

RESULTS = "results.jsonl"
IDENTITY = "run_identity.json"
STREAM_CHUNKS = 4  # a streaming call holds this many chunks: its cache is planned for its longest prompt
FLUSH_SECONDS = 5.0
_WEIGHTS = ("*.safetensors", "*.bin", "*.gguf", "*.pt", "*.pth")
_log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------- one case
def prompt_tools(tools: Sequence[Tool], sanitize: bool) -> list[Tool]:
    """Tools as the model sees them: with OpenAI-safe names when the chat template takes `tools=`."""
    if not sanitize:
        return list(tools)
    return [Tool(t.safe_name, t.description, t.parameters, dict(t.extra)) for t in tools]


def decode(text: str, tools: Sequence[Tool], fmt: str = "auto") -> tuple[ParseResult, list[ToolCall]]:
    """Parse model text into calls and map sanitized names back to the tools' own names."""
    parsed = parse_calls(text, fmt)
    calls = [ToolCall(unsanitize_name(c.name, tools), c.arguments, c.id) for c in parsed.calls]
    return parsed, calls


def result_row(case: EvalCase, raw: str, prompt: str | None = None, fmt: str = "auto") -> dict[str, Any]:
    """Score one generation (parsed as `fmt`, or any format with "auto"): the line written to results.jsonl."""
    parsed, calls = decode(raw, case.tools, fmt)
    score = case.score(calls)
    if not score.ok and parsed.status == "unparsable":
        score = unparsable_score(f"could not parse the model output: {parsed.leftover[:200]!r}")
    return {
        "id": case.id, "category": case.category, "prompt": prompt, "raw": raw, "parse_format": fmt,
        "parse_status": parsed.status,
        "decoded": to_bfcl_decoded(calls), "valid": score.ok, "error_type": score.error_type,
        "error_category": None if score.category is None else str(score.category),
        "ts": score.ts, "pi": score.pi, "cf": score.cf, "detail": score.detail, "param": score.param,
        "gold_calls": gold_calls(case),
    }


def gold_calls(case: EvalCase) -> int | None:
    """How many calls the case's answer makes (0 where no call is the answer); None for answers that are not a
    list of calls (multi-turn turns)."""
    if case.answer is None:
        return 0
    if isinstance(case.answer, list) and all(not isinstance(a, list) for a in case.answer):
        return len(case.answer)
    return None


# ------------------------------------------------------------------------------------------- files
def read_results(path: Path) -> list[dict[str, Any]]:
    """Rows of a results.jsonl; a truncated last line (an interrupted write) is dropped."""
    rows: list[dict[str, Any]] = []
    if not path.exists():
        return rows
    with path.open(encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    for line_no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            if line_no == len(lines):
                break
            raise InputError(f"invalid JSON: {exc.msg}", file=str(path), record=line_no) from None
        if not isinstance(row, dict) or "id" not in row:
            raise InputError("a result row must be an object with an 'id'", file=str(path), record=line_no,
                             field="id")
        rows.append(row)
    return rows


def rewrite_clean(path: Path, rows: list[dict[str, Any]]) -> None:
    """Drop a torn last line before appending, so the file stays one JSON object per line."""
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if path.exists() and path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _render(tokenizer: Any, case: EvalCase, sanitize: bool, fmt: str) -> str | None:
    """The prompt of one case; None (the case is counted wrong and skipped) if its messages cannot be rendered."""
    return render_or_skip(tokenizer, case.id, case.messages, case.tools, sanitize, fmt, "skipped")


def render_or_skip(tokenizer: Any, case_id: Any, messages: Any, tools: Sequence[Tool], sanitize: bool, fmt: str,
                   outcome: str) -> str | None:
    """The prompt of `messages` with `tools`, or None (logged with `outcome`) if it cannot be rendered."""
    try:
        return render_prompt(tokenizer, messages, prompt_tools(tools, sanitize), fmt=fmt)
    except ToolgymError as exc:
        _log.warning("case %s: cannot render the prompt, %s: %s", case_id, outcome, exc)
        return None


def _skipped_row(case: EvalCase) -> dict[str, Any]:
    return {"id": case.id, "category": case.category, "prompt": None, "raw": None, "parse_format": None,
            "parse_status": None, "decoded": None, "valid": False, "error_type": "runner:prompt_error",
            "error_category": str(ErrorCategory.others), "ts": False, "pi": False, "cf": False,
            "detail": "the prompt could not be rendered"}


# ------------------------------------------------------------------------------------------- identity
def files_digest(folder: Path | str, patterns: Sequence[str]) -> str:
    """sha256 over the names and bytes of the files in `folder` matching `patterns` (sorted by name)."""
    digest = hashlib.sha256()
    files = sorted({f for pattern in patterns for f in Path(folder).glob(pattern) if f.is_file()})
    for file in files:
        digest.update(file.name.encode() + b"\0")
        with file.open("rb") as fh:
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def adapter_digest(adapter: Path | str | None) -> str | None:
    """sha256 of a LoRA adapter folder's weight files and adapter_config.json (None without an adapter)."""
    if adapter is None or str(adapter) == "":
        return None
    folder = Path(adapter).expanduser()
    if not any(folder.glob("adapter_model.*")):
        raise InputError("no adapter weights (adapter_model.*) in this folder", file=str(folder), field="adapter")
    return files_digest(folder, ("adapter_model.*", "adapter_config.json"))


def model_identity(model: str, adapter: Path | str | None = None, dtype: str = "auto",
                   backend: str = "transformers") -> dict[str, Any]:
    """What the caller knows about the weights: the model's name (plus a content hash when it is a local
    folder, e.g. a stage's `model/` or `merged/`), the adapter's content hash, the requested dtype and, when it
    is not transformers (so identities stored before backends existed still match), the backend."""
    path = Path(model).expanduser()
    identity = {"model": model, "adapter_sha256": adapter_digest(adapter), "dtype": dtype,
                "model_sha256": files_digest(path, (*_WEIGHTS, "config.json")) if path.is_dir() else None}
    return identity if backend == "transformers" else {**identity, "backend": backend}


def identity_hash(identity: Mapping[str, Any]) -> str:
    """A short hash of a run identity, for default folder names (two adapters never share a folder)."""
    return hashlib.sha256(json.dumps(dict(identity), sort_keys=True, default=str).encode()).hexdigest()[:8]


def generator_identity(generator: Any) -> dict[str, Any]:
    """What the loaded generator adds: its class, chat template, weight and autocast dtypes (all change text)."""
    if generator is None:
        return {}
    template = getattr(generator.tokenizer, "chat_template", None)
    model = getattr(generator, "model", None)
    policy = getattr(generator, "policy", None)
    return {**(policy.identity() if policy is not None else {}), "generator": type(generator).__name__,
            "prompt_version": PROMPT_VERSION,
            "chat_template_sha256": hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:16],
            "weights_dtype": str(getattr(model, "dtype", None)),
            "autocast_dtype": str(getattr(generator, "autocast_dtype", None))}


def check_identity(out: Path, identity: Mapping[str, Any]) -> None:
    """Write `identity` into `out` on a first run; refuse a folder that holds another configuration's results."""
    path = out / IDENTITY
    current = json.loads(json.dumps(dict(identity), sort_keys=True, default=str))
    if path.is_file():
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg}", file=str(path)) from None
        differing = sorted(k for k in {*stored, *current} if stored.get(k) != current.get(k))
        if differing:
            raise ToolgymError(f"{out} holds results of another configuration (differs in {', '.join(differing)}); "
                               "choose another --out or delete the folder")
        return
    if read_results(out / RESULTS):
        raise ToolgymError(f"{out} holds results without a {IDENTITY} (made by an older toolgym?), so they cannot "
                           "be resumed safely; choose another --out or delete the folder")
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)


# ------------------------------------------------------------------------------------------- runs
def run_cases(cases: Sequence[EvalCase], out_dir: Path | str, *, generator: Any = None,
              outputs: Callable[[list[EvalCase]], list[str]] | None = None, fmt: str = "hermes",
              max_new_tokens: int = 256, chunk_size: int = 64, name: str = "eval", bfcl: bool = False,
              order: Sequence[str] = (), progress: bool = True, meta: dict[str, Any] | None = None,
              parse: str | Callable[[EvalCase], str] | None = None,
              identity: Mapping[str, Any] | None = None, budgets: Mapping[str, int] | None = None) -> Summary:
    """Generate (with `generator`, or take texts from `outputs(cases)`), score, stream rows, summarize.

    `budgets` maps a category to its own max_new_tokens (capped by `max_new_tokens`; see `gold_budgets`).

    `identity` names what produced the texts (`model_identity(...)` for a model; the source of `outputs`);
    the runner adds the format, parse, max_new_tokens, name sanitizing and the generator's own settings.
    Ids already in `out_dir/results.jsonl` are skipped if the folder's identity matches (else ToolgymError). Cases go to the generator in chunks of
    `chunk_size` (the generator batches inside a chunk); each finished chunk is appended and flushed.
    Model text is parsed strictly in the prompted `fmt` (as BFCL decodes a model's output in its own
    format), or with `parse` ("auto" accepts any format); templates with native tools always parse "auto".
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown call format {fmt!r}; choose one of {', '.join(FORMATS)}", field="format")
    if parse is not None and not callable(parse) and parse not in (*FORMATS, "auto"):
        raise InputError(f"unknown parse format {parse!r}; choose auto or one of {', '.join(FORMATS)}", field="parse")
    if (generator is None) == (outputs is None):
        raise ValueError("give exactly one of generator= or outputs=")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / RESULTS
    sanitize = generator is not None and supports_tools(generator.tokenizer)
    limits = {c: min(max_new_tokens, n) for c, n in sorted((budgets or {}).items())}
    check_identity(out, {**(identity or {}), "format": fmt, "max_new_tokens": max_new_tokens, "sanitize": sanitize,
                         "parse": "per-case" if callable(parse) else parse, **generator_identity(generator),
                         **({"max_new_tokens_by_category": limits} if limits else {})})
    wanted = {c.id for c in cases}
    done = read_results(path)
    rewrite_clean(path, done)
    done_ids = {r["id"] for r in done}
    todo = [c for c in cases if c.id not in done_ids]
    started, work_before = time.perf_counter(), generation_work(generator)
    parse_of = parse if callable(parse) else (lambda _case, p=parse or ("auto" if sanitize else fmt): p)
    rendered: dict[str, str | None] = {}
    streams = generator is not None and hasattr(generator, "stream")
    if generator is not None:
        rendered = {c.id: _render(generator.tokenizer, c, sanitize, fmt) for c in todo}
        if streams:
            todo = stream_order(todo, rendered)
        else:  # chunked by budget (one max_new_tokens each), longest first inside a budget
            todo.sort(key=lambda c: (limits.get(c.category, max_new_tokens), -len(rendered[c.id] or "")))

    def write(case: EvalCase, prompt: str | None, text: str | None) -> None:
        row = result_row(case, text, prompt, parse_of(case)) if text is not None else _skipped_row(case)
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")

    with path.open("a", encoding="utf-8") as fh, progress_bar(len(cases), name, enabled=progress) as advance:
        advance(len(cases) - len(todo))
        if streams:  # each result is written as it finishes; a chunk only bounds the decoder's cache plan
            for chunk in _chunks(todo, chunk_size * STREAM_CHUNKS, lambda c: 0):
                _stream_chunk(generator, chunk, rendered, sanitize, limits, max_new_tokens, write, fh, advance)
        else:  # texts given, or a generator without `stream`: one call per chunk of one budget
            for chunk in _chunks(todo, chunk_size, lambda c: limits.get(c.category, max_new_tokens)):
                prompts, texts = _chunk_texts(generator, outputs, chunk, rendered, sanitize,
                                              limits.get(chunk[0].category, max_new_tokens))
                for case, prompt, text in zip(chunk, prompts, texts, strict=True):
                    write(case, prompt, text)
                fh.flush()
                advance(len(chunk))
    elapsed = time.perf_counter() - started
    rows = [r for r in read_results(path) if r["id"] in wanted]
    info = {"format": fmt, "parse": parse if isinstance(parse, str) else None, "max_new_tokens": max_new_tokens,
            **({"max_new_tokens_by_category": limits} if limits else {}), "generated": len(todo), "seconds": round(elapsed, 2),
            "cases_per_second": round(len(todo) / elapsed, 3) if todo and elapsed > 0 else None, **(meta or {})}
    work = generation_work(generator)
    if work and todo:  # what this run computed, for speed estimates (recipes.deadline)
        info["generation"] = {k: round(v - work_before.get(k, 0), 3) for k, v in work.items()}
    totals = {c: category_size(c) for c in {r["category"] for r in rows} if c in CATEGORIES} if bfcl else None
    summary = summarize(rows, name, order, bfcl=bfcl, meta=info, totals=totals)
    summary.write(out)
    return summary


def _chunk_texts(generator: Any, outputs: Callable[[list[EvalCase]], list[str]] | None, chunk: list[EvalCase],
                 rendered: Mapping[str, str | None], sanitize: bool,
                 budget: int) -> tuple[list[str | None], list[str | None]]:
    """(prompts, texts) of one chunk: from `outputs`, or one `generator.generate` call (None: not rendered)."""
    if generator is None:
        return [None] * len(chunk), list(outputs(chunk))
    prompts = [rendered[c.id] for c in chunk]
    ready = [i for i, p in enumerate(prompts) if p is not None]
    texts: list[str | None] = [None] * len(chunk)
    extra = _policy_tools(generator, [chunk[i] for i in ready], sanitize)
    generated = generator.generate([prompts[i] for i in ready], max_new_tokens=budget, **extra) if ready else []
    for i, outs in zip(ready, generated, strict=True):
        texts[i] = outs[0]
    return prompts, texts


def _stream_chunk(generator: Any, chunk: list[EvalCase], rendered: Mapping[str, str | None], sanitize: bool,
                  limits: Mapping[str, int], max_new_tokens: int, write: Callable[..., None], fh: Any,
                  advance: Callable[[int], None]) -> None:
    """One `generator.stream` call over a chunk of cases (each with its category's budget), each result written
    as it finishes and flushed at least every FLUSH_SECONDS, so an interrupted run keeps what it finished."""
    unrendered = [c for c in chunk if rendered[c.id] is None]
    for case in unrendered:
        write(case, None, None)
    ready = [c for c in chunk if rendered[c.id] is not None]
    advance(len(unrendered))
    extra = _policy_tools(generator, ready, sanitize)
    flushed = time.perf_counter()
    results = generator.stream([rendered[c.id] for c in ready],
                               max_new_tokens=[limits.get(c.category, max_new_tokens) for c in ready], **extra)
    for i, text in results:
        write(ready[i], rendered[ready[i].id], text)
        advance(1)
        if time.perf_counter() - flushed > FLUSH_SECONDS:
            fh.flush()
            flushed = time.perf_counter()
    fh.flush()


def _policy_tools(generator: Any, cases: list[EvalCase], sanitize: bool) -> dict[str, Any]:
    """`tools=` (each case's prompt tools) for a generator that decodes under an active call policy, else nothing."""
    policy = getattr(generator, "policy", None)
    if policy is None or not policy.active:
        return {}
    return {"tools": [prompt_tools(c.tools, sanitize) for c in cases]}


def stream_order(cases: list[EvalCase], rendered: Mapping[str, str | None]) -> list[EvalCase]:
    """The order cases stream to the decoder in: longest prompt first (similar lengths share a decode batch), and
    cases with the same tools next to each other (one chunk, one shared prefill of the tools)."""
    return same_tools_together(sorted(cases, key=lambda c: -len(rendered[c.id] or "")))


def same_tools_together(cases: list[EvalCase]) -> list[EvalCase]:
    """`cases` with those that offer the same tools next to each other, each group where its first case was
    (BFCL's live categories repeat tool lists: the decoder prefills a shared tool block once per chunk)."""
    groups: dict[str, list[EvalCase]] = {}
    for case in cases:
        groups.setdefault("\n".join(tool_json(t) for t in case.tools), []).append(case)
    return [case for group in groups.values() for case in group]


def _chunks(cases: list[EvalCase], size: int, key: Callable[[EvalCase], int]) -> list[list[EvalCase]]:
    """Consecutive runs of at most `size` cases with the same `key` (the max_new_tokens they get)."""
    chunks: list[list[EvalCase]] = []
    for case in cases:
        if chunks and len(chunks[-1]) < size and key(chunks[-1][0]) == key(case):
            chunks[-1].append(case)
        else:
            chunks.append([case])
    return chunks


# Margin over the longest gold answer: other allowed values (BFCL lists several per parameter, the reference
# renders the first), spacing and number formatting differ from the reference's rendering.
BUDGET_FACTOR, BUDGET_EXTRA = 1.25, 16
# Categories without gold calls: an answer there is at most the calls a single-call category's tools take.
_BUDGET_FROM = {"irrelevance": ("simple_python", "multiple"), "live_irrelevance": ("live_simple", "live_multiple"),
                "live_relevance": ("live_simple", "live_multiple")}


WORK_FIELDS = ("prompt_tokens", "prefill_tokens", "new_tokens", "prefill_s", "decode_s")


def generation_work(generator: Any) -> dict[str, float]:
    """The generator's running totals of prompt and generated tokens and of prefill / decode seconds (empty for a
    generator without `stats`, e.g. vLLM or an OpenAI endpoint)."""
    stats = getattr(generator, "stats", None)
    return {k: getattr(stats, k) for k in WORK_FIELDS} if stats is not None else {}


def gold_budgets(tokenizer: Any, fmt: str = "hermes", categories: Sequence[str] | str = "all") -> dict[str, int]:
    """max_new_tokens per BFCL category: ceil(1.25 x the longest gold answer of the whole category, rendered
    in `fmt` and tokenized, plus its end token) + 16. Derived from the answers alone, never from model output,
    and the same for a `--limit` subset as for the full category. Empty for a generator without a tokenizer."""
    if not callable(tokenizer):
        return {}
    wanted = expand_categories(categories)
    sources = {c: _BUDGET_FROM.get(c, (c,)) for c in wanted}
    longest = {src: _longest_gold(tokenizer, fmt, src) for srcs in sources.values() for src in srcs}
    return {c: math.ceil(BUDGET_FACTOR * max(longest[s] for s in srcs)) + BUDGET_EXTRA for c, srcs in sources.items()}


@functools.lru_cache(maxsize=16)
def _longest_gold(tokenizer: Any, fmt: str, category: str) -> int:
    """Tokens of the category's longest reference answer (`reference_calls` rendered in `fmt`) + 1 end token."""
    texts = [render_calls(reference_calls(c), fmt) for c in load_bfcl_cases(category)]
    return 1 + max(len(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts)


def bfcl_cases(categories: Sequence[str] | str = "all", limit: int | None = None) -> list[EvalCase]:
    """The cases of several BFCL categories (`limit` applies per category)."""
    return [case for cat in expand_categories(categories) for case in load_bfcl_cases(cat, limit)]


def run_bfcl(generator: Any, categories: Sequence[str] | str = "all", limit: int | None = None,
             out_dir: Path | str = "runs/eval/bfcl", budgets: Mapping[str, int] | str | None = "gold",
             **kwargs: Any) -> Summary:
    """BFCL with a model: the Python API the recipe runner calls. `budgets="gold"`: each category's
    max_new_tokens from its gold answers (`gold_budgets`, capped by `max_new_tokens`); None: one for all."""
    cases = bfcl_cases(categories, limit)
    if budgets == "gold":
        budgets = gold_budgets(generator.tokenizer, kwargs.get("fmt", "hermes"), categories)
    elif isinstance(budgets, str):
        raise ValueError(f"budgets must be 'gold', a mapping or None, not {budgets!r}")
    return run_cases(cases, out_dir, generator=generator, name=kwargs.pop("name", "bfcl"), bfcl=True,
                     order=CATEGORIES, budgets=budgets, **kwargs)


REFERENCE_IDENTITY = {"outputs": "bfcl-reference"}


def run_bfcl_reference(categories: Sequence[str] | str = "all", limit: int | None = None,
                       out_dir: Path | str = "runs/eval/bfcl-reference", fmt: str = "hermes",
                       progress: bool = True) -> Summary:
    """Score the possible answers themselves (rendered as model text in `fmt`, then parsed back)."""
    cases = bfcl_cases(categories, limit)
    return run_cases(cases, out_dir, outputs=lambda chunk: [render_calls(reference_calls(c), fmt) for c in chunk],
                     fmt=fmt, name="bfcl-reference", bfcl=True, order=CATEGORIES, progress=progress,
                     meta={"reference": True}, identity=REFERENCE_IDENTITY)


def rescore(results_file: Path | str, out_dir: Path | str, *, suite: Path | str | None = None,
            parse: str | None = None, progress: bool = True) -> Summary:
    """Rescore saved outputs (the `raw` texts of a results.jsonl) without a model, parsing each as it was
    parsed before (its `parse_format`) unless `parse` says otherwise."""
    rows = read_results(Path(results_file))
    if not rows:
        raise InputError("no result rows to rescore", file=str(results_file))
    for line_no, row in enumerate(rows, 1):
        if not isinstance(row.get("raw"), str) and row.get("raw", "") is not None:
            raise InputError("missing 'raw' model text", file=str(results_file), record=line_no, field="raw")
    raw = {r["id"]: r["raw"] for r in rows}
    parse_formats = {r["id"]: parse or r.get("parse_format") or "auto" for r in rows}
    if suite is not None:
        cases = [c for c in load_suite_cases(suite) if c.id in raw]
        bfcl, order, name = False, (), f"rescored {Path(suite).stem}"
    else:
        cats = sorted({r.get("category", "") for r in rows}, key=lambda c: (c not in CATEGORIES, c))
        unknown = [c for c in cats if c not in CATEGORIES]
        if unknown:
            raise InputError(f"unknown BFCL category {unknown[0]!r} (rescore a suite with --suite)",
                             file=str(results_file), field="category")
        cases = [c for c in bfcl_cases(cats) if c.id in raw]
        bfcl, order, name = True, CATEGORIES, "bfcl (rescored)"
    out = Path(out_dir)
    if (out / RESULTS).resolve() == Path(results_file).resolve():
        raise InputError("--out must differ from the folder of the results being rescored", field="out")
    source = {"outputs": "rescore", "results_sha256": file_sha256(results_file), "parse_formats": parse or "per-row",
              "suite_sha256": None if suite is None else file_sha256(suite)}
    return run_cases(cases, out, outputs=lambda chunk: [raw[c.id] for c in chunk], name=name, bfcl=bfcl,
                     order=order, progress=progress, meta={"rescored_from": str(results_file)},
                     parse=lambda case: parse_formats[case.id], identity=source)


def run_suite(generator: Any, path: Path | str, out_dir: Path | str, limit: int | None = None,
              cases: list[EvalCase] | None = None, **kwargs: Any) -> Summary:
    """A toolgym JSONL test set (messages + tools + gold calls), scored by canonical equality; `cases`: the
    file's cases already read (`toolgym eval suite` reads them before the model loads)."""
    cases = cases if cases is not None else load_suite_cases(path, limit)
    kwargs["identity"] = {**(kwargs.get("identity") or {}), "suite_sha256": file_sha256(path)}  # gold answers
    return run_cases(cases, out_dir, generator=generator, name=kwargs.pop("name", Path(path).stem), **kwargs)


def file_sha256(path: Path | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def bfcl_metrics(generator: Any, categories: Sequence[str], out_dir: Path, *, identity: Mapping[str, Any],
                 settings: Mapping[str, Any]) -> dict[str, float]:
    """A recipe's BFCL categories in `out_dir/bfcl`: accuracy per category and aggregate, plus bfcl_ts/pi/cf."""
    summary = run_bfcl(generator, list(categories), settings.get("limit"), Path(out_dir) / "bfcl",
                       max_new_tokens=settings["max_new_tokens"], identity=dict(identity))
    metrics = {cat: score.accuracy for cat, score in summary.categories.items()}
    metrics.update({name: value for name, value in summary.aggregates.items() if value is not None})
    return {**metrics, **call_rates("bfcl", summary)}


def suite_metrics(generator: Any, suites: Sequence[str], out_dir: Path, *, identity: Mapping[str, Any],
                  settings: Mapping[str, Any]) -> dict[str, float]:
    """Each of a recipe's suite files in `out_dir/<stem>`: `<stem>` accuracy plus `<stem>_ts/_pi/_cf` and its
    answerable and no-call sides, `<stem>_answerable` / `<stem>_no_call` (`metrics.suite_aggregates`)."""
    metrics: dict[str, float] = {}
    for suite in suites:
        stem = Path(suite).stem
        summary = run_suite(generator, suite, Path(out_dir) / stem, limit=settings.get("suite_limit"),
                            max_new_tokens=settings["max_new_tokens"], identity=dict(identity))
        metrics[stem] = summary.accuracy
        metrics.update(call_rates(stem, summary))
        metrics.update({f"{stem}_{side}": summary.aggregates[side] for side in SUITE_AGGREGATES
                        if summary.aggregates.get(side) is not None})
    return metrics
