"""BFCL v4 multi-turn: cases, episodes against the wheel's environments, the checker, runs and summaries.

Data: `BFCL_v4_multi_turn_{base,miss_func,miss_param,long_context}.json` and `possible_answer/` of the pinned
wheel; tools are the docs in `data/multi_turn_func_doc/` of each entry's involved classes, minus the functions
that `missed_function` holds out until a later turn (that turn's user message then says more functions came).

Episode (as BFCL's inference loop, read in its base handler): per turn the user message(s) are added, the model
answers; its calls (parsed by `core.formats`) are executed and each result is fed back as a tool message, until
it answers without a call (prose, or text that does not parse) or a step cap is passed: more than `step_cap`
(BFCL: 20) steps force-quit the episode, whose later turns then never run.

Checker (BFCL's `multi_turn_checker` semantics, read in the wheel and written anew): the model's calls and the
ground truth are executed on two fresh environments, turn by turn. A turn with ground truth fails when the model
made no call in it ("empty_turn_model_response"); then every instance's public attributes must equal the ground
truth's ("instance_state_mismatch"), and the ground truth's results of this turn must be found, as a multiset, among
the model's results of all turns so far ("execution_response_mismatch"). A turn whose ground truth is empty is not
checked (the model's calls in it still run and change the state): bfcl-eval 2026.3.23 defines an irrelevance check
for such turns but never calls it. Rows count such calls (`calls_in_empty_turns`) so they can be studied.
A run whose turn count differs from the ground truth's fails ("force_terminated").
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError, ToolgymError
from toolgym.core.formats import FORMATS, render_calls, render_prompt, supports_tools
from toolgym.core.progress import progress_bar
from toolgym.core.schema import Tool, ToolCall
from toolgym.eval.bfcl import bfcl_data_dir
from toolgym.eval.metrics import CategoryScore, Summary, category_scores, mean_interval
from toolgym.eval.multiturn_env import CLASS_FILES, Call, Environment, parse_call
from toolgym.eval.runner import check_identity, decode, generator_identity, prompt_tools, read_results

CATEGORIES = ("multi_turn_base", "multi_turn_miss_func", "multi_turn_miss_param", "multi_turn_long_context")
STEP_CAP = 20  # BFCL's MAXIMUM_STEP_LIMIT
MORE_FUNCTIONS = "I have updated some more functions you can choose from. What about now?"  # BFCL's wording
RESULTS = "results.jsonl"
_STORED_RESULT_CHARS = 2000  # tool results kept per call in results.jsonl (long-context listings are huge)
_log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------- cases
@dataclass
class MultiTurnCase:
    """One BFCL multi-turn entry: user turns, environment setup, tools (and held-out ones), ground truth."""

    id: str
    category: str
    turns: list[list[dict[str, Any]]]
    classes: list[str]
    initial_config: dict[str, Any]
    functions: list[dict[str, Any]]  # BFCL docs offered from the first turn
    held_out: dict[int, list[dict[str, Any]]]  # turn -> docs added at that turn
    answer: list[list[Call]]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def long_context(self) -> bool:
        return "long_context" in self.category

    def environment(self) -> Environment:
        return Environment(self.classes, self.initial_config, self.long_context)


def expand_categories(names: str | Sequence[str]) -> list[str]:
    """Multi-turn category names (comma lists allowed; `all` = the four), in canonical order."""
    items = [names] if isinstance(names, str) else list(names)
    wanted: set[str] = set()
    for name in (p.strip() for item in items for p in item.split(",")):
        if name == "all":
            wanted.update(CATEGORIES)
        elif name in CATEGORIES:
            wanted.add(name)
        elif name:
            raise InputError(f"unknown BFCL multi-turn category {name!r}; valid: all, {', '.join(CATEGORIES)}",
                             field="categories")
    return [c for c in CATEGORIES if c in wanted]


def _jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", file=str(path)) from None
    except (UnicodeDecodeError, OSError) as exc:
        raise InputError(f"cannot read: {exc}", file=str(path)) from None
    for line_no, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                yield line_no, json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON: {exc.msg}", file=str(path), record=line_no) from None


@functools.cache
def _class_docs(class_name: str) -> tuple[dict[str, Any], ...]:
    path = bfcl_data_dir() / "multi_turn_func_doc" / f"{CLASS_FILES[class_name]}.json"
    return tuple(doc for _, doc in _jsonl(path))


@functools.cache
def _tool(class_name: str, name: str) -> Tool:
    """The toolgym Tool of one function doc (converted once: every episode offers the same docs)."""
    return Tool.from_bfcl(next(d for d in _class_docs(class_name) if d["name"] == name))


def _tools(case: MultiTurnCase, docs: Sequence[Mapping[str, Any]]) -> list[Tool]:
    owner = {d["name"]: c for c in case.classes for d in _class_docs(c)}
    return [_tool(owner[d["name"]], d["name"]) for d in docs]


def category_of(case_id: str) -> str:
    return case_id.rsplit("_", 1)[0]


def load_answers(path: Path) -> dict[str, list[list[Call]]]:
    """id -> ground truth per turn, each call string parsed (`possible_answer/` format)."""
    answers: dict[str, list[list[Call]]] = {}
    for line_no, row in _jsonl(path):
        record = row.get("id", line_no) if isinstance(row, dict) else line_no
        truth = row.get("ground_truth") if isinstance(row, dict) else None
        if not isinstance(truth, list) or not all(isinstance(t, list) for t in truth):
            raise InputError("ground_truth must be a list of turns, each a list of call strings", file=str(path),
                             record=record, field="ground_truth")
        try:
            answers[str(row.get("id"))] = [[parse_call(s) for s in turn] for turn in truth]
        except (InputError, AttributeError) as exc:
            raise InputError(str(exc), file=str(path), record=record, field="ground_truth") from None
    return answers


def load_cases(categories: str | Sequence[str] = "all", limit: int | None = None, *, data: Path | str | None = None,
               answers: Path | str | None = None) -> list[MultiTurnCase]:
    """BFCL multi-turn cases: the first `limit` of each category from the wheel, or all of a `data` file in
    BFCL's format (categories from the ids; ground truth from `answers`, else each entry's own `ground_truth`)."""
    if data is not None:
        path = Path(data)
        truth = load_answers(Path(answers)) if answers is not None else load_answers(path)
        cases = [_case(row, truth, path, n) for n, row in _jsonl(path)][:limit]
        for case in cases:  # both files decide the results (the wheel's answers are pinned with it)
            case.meta["files"] = [str(path)] + ([str(answers)] if answers is not None else [])
        return cases
    cases: list[MultiTurnCase] = []
    folder = bfcl_data_dir()
    for category in expand_categories(categories):
        path = folder / f"BFCL_v4_{category}.json"
        truth = load_answers(folder / "possible_answer" / path.name)
        rows = _jsonl(path)
        for line_no, row in rows:
            if limit is not None and sum(c.category == category for c in cases) >= limit:
                break
            cases.append(_case(row, truth, path, line_no))
    return cases


def _case(row: Any, truth: Mapping[str, list[list[Call]]], path: Path, line_no: int) -> MultiTurnCase:
    """One entry checked field by field; every error names the file, the record and the field."""
    if not isinstance(row, dict) or not isinstance(row.get("id"), str):
        raise InputError("an entry must be an object with a string 'id'", file=str(path), record=line_no, field="id")
    case_id = row["id"]

    def bad(message: str, name: str) -> InputError:
        return InputError(message, file=str(path), record=case_id, field=name)

    turns, classes = row.get("question"), row.get("involved_classes")
    config, missed = row.get("initial_config", {}), row.get("missed_function", {})
    if not isinstance(turns, list) or not all(isinstance(t, list) and all(isinstance(m, dict) for m in t)
                                              for t in turns):
        raise bad("question must be a list of turns, each a list of messages", "question")
    if not isinstance(classes, list) or not classes or not all(isinstance(c, str) for c in classes):
        raise bad("involved_classes must be a non-empty list of class names", "involved_classes")
    unknown = [c for c in classes if c not in CLASS_FILES]
    if unknown:
        raise bad(f"unknown class {unknown[0]!r}; known: {', '.join(CLASS_FILES)}", "involved_classes")
    if not isinstance(config, dict):
        raise bad("initial_config must be an object", "initial_config")
    if not isinstance(missed, dict):
        raise bad("missed_function must map a turn index to function names", "missed_function")
    if case_id not in truth:
        raise bad("no ground truth for this id", "ground_truth")
    if len(truth[case_id]) != len(turns):
        raise bad(f"{len(truth[case_id])} ground-truth turns for {len(turns)} question turns", "ground_truth")
    functions = [dict(doc) for c in classes for doc in _class_docs(c)]
    held_out: dict[int, list[dict[str, Any]]] = {}
    for turn, names in missed.items():
        if not str(turn).isdigit() or int(turn) >= len(turns) or not isinstance(names, list):
            raise bad(f"turn {turn!r} is not a turn of this entry", "missed_function")
        docs = [f for f in functions if f["name"] in names]
        if len(docs) != len(names):
            raise bad(f"holds out functions the classes lack: {sorted(set(names) - {f['name'] for f in docs})}",
                      "missed_function")
        held_out[int(turn)] = docs
        functions = [f for f in functions if f["name"] not in names]
    return MultiTurnCase(case_id, category_of(case_id), turns, classes, config, functions, held_out,
                         truth[case_id], {"file": str(path)})


# ------------------------------------------------------------------------------------------- checker
@dataclass(frozen=True)
class Verdict:
    """The checker's verdict on one episode; `turn` is the first failing turn."""

    ok: bool
    error_type: str | None = None
    turn: int | None = None
    detail: str = ""


def _differences(model: Environment, truth: Environment) -> list[str]:
    """`Class.attribute` names whose values differ (attributes of the ground truth's instances)."""
    found = []
    for name in truth.instances:
        mine = model.instances[name]
        for attr, value in truth.state(name).items():
            if not hasattr(mine, attr) or getattr(mine, attr) != value:
                found.append(f"{name}.{attr}")
    return found


def _missing(expected: Sequence[str], got: Sequence[str]) -> list[str]:
    """Items of `expected` not found in `got`, counted with multiplicity, in any order."""
    left = Counter(got)
    missing = []
    for item in expected:
        if left[item] > 0:
            left[item] -= 1
        else:
            missing.append(item)
    return missing


def check(case: MultiTurnCase, model_turns: Sequence[Sequence[Sequence[Call]]]) -> Verdict:
    """BFCL's multi-turn verdict on the model's calls: turns of steps of calls (empty steps are ignored)."""
    if len(model_turns) != len(case.answer):
        return Verdict(False, "multi_turn:force_terminated", len(model_turns),
                       f"{len(model_turns)} turns run, {len(case.answer)} expected")
    model, truth = case.environment(), case.environment()
    model_results: list[str] = []
    for turn, (steps, gold) in enumerate(zip(model_turns, case.answer, strict=True)):
        steps = [s for s in steps if s]
        for step in steps:
            model_results.extend(model.execute(c) for c in step)
        gold_results = [truth.execute(c) for c in gold]
        if not gold:
            continue
        if not steps:
            return Verdict(False, "multi_turn:empty_turn_model_response", turn, f"no call in turn {turn}")
        differing = _differences(model, truth)
        if differing:
            return Verdict(False, "multi_turn:instance_state_mismatch", turn,
                           f"turn {turn}: state differs in {', '.join(differing)}")
        missing = _missing(gold_results, model_results)
        if missing:
            return Verdict(False, "multi_turn:execution_response_mismatch", turn,
                           f"turn {turn}: {len(missing)} ground-truth results missing, first {missing[0][:200]!r}")
    return Verdict(True)


def calls_in_empty_turns(case: MultiTurnCase, model_turns: Sequence[Sequence[Sequence[Call]]]) -> int:
    """Calls the model made in turns whose ground truth is empty (BFCL's unused irrelevance rule)."""
    return sum(len(step) for turn, gold in zip(model_turns, case.answer, strict=False) if not gold
               for step in turn)


def reference_turns(case: MultiTurnCase) -> list[list[ToolCall]]:
    """The ground truth with parameter names (positional arguments bound by the methods' signatures)."""
    env = case.environment()
    return [[env.named(c) for c in turn] for turn in case.answer]


# ------------------------------------------------------------------------------------------- episodes
@dataclass
class Step:
    raw: str
    calls: list[ToolCall]
    results: list[str]


class Episode:
    """One case played turn by turn: holds the conversation, the live environment and the recorded steps."""

    def __init__(self, case: MultiTurnCase, fmt: str = "hermes", step_cap: int = STEP_CAP) -> None:
        self.case, self.fmt, self.step_cap = case, fmt, step_cap
        self.env = case.environment()
        self.functions = list(case.functions)
        self.tools = _tools(case, self.functions)
        self.messages: list[dict[str, Any]] = []
        self.turns: list[list[Step]] = []
        self.force_quit = False
        self.error: str | None = None
        self._start_turn(0)

    @property
    def turn(self) -> int:
        return len(self.turns) - 1

    @property
    def done(self) -> bool:
        return self.force_quit or self.error is not None or len(self.turns) > len(self.case.turns)

    def _start_turn(self, turn: int) -> None:
        self.turns.append([])
        if turn >= len(self.case.turns):
            return
        messages = [dict(m) for m in self.case.turns[turn]]
        if turn in self.case.held_out:  # miss_func: the held-out functions arrive with BFCL's message
            self.functions += self.case.held_out[turn]
            self.tools += _tools(self.case, self.case.held_out[turn])
            messages = [{"role": "user", "content": MORE_FUNCTIONS}]
        self.messages += messages

    def prompt(self, tokenizer: Any, sanitize: bool) -> str | None:
        """The next prompt; None (and the episode ends with an error) if the chat template cannot render it."""
        try:
            return render_prompt(tokenizer, self.messages, prompt_tools(self.tools, sanitize), fmt=self.fmt)
        except ToolgymError as exc:
            self.error = f"the prompt could not be rendered: {exc}"
            return None

    def advance(self, text: str, parse: str = "auto") -> None:
        """Take the model's answer: run its calls and feed the results back, or end the turn."""
        parsed, calls = decode(text, self.tools, parse)
        if parsed.status != "ok" or not calls:  # prose or undecodable text ends the turn (as BFCL)
            self.turns[-1].append(Step(text, [], []))
            self.messages.append({"role": "assistant", "content": text})
            self._start_turn(len(self.turns))
            return
        results = [self.env.execute(Call.of(c)) for c in calls]
        self.turns[-1].append(Step(text, calls, results))
        ids = [f"call_{self.turn}_{len(self.turns[-1])}_{i}" for i in range(len(calls))]
        self.messages.append({"role": "assistant", "content": parsed.leftover or None, "tool_calls": [
            {"id": i, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for i, c in zip(ids, calls, strict=True)]})
        self.messages += [{"role": "tool", "tool_call_id": i, "name": c.name, "content": r}
                          for i, c, r in zip(ids, calls, results, strict=True)]
        if sum(bool(s.calls) for s in self.turns[-1]) > self.step_cap:
            self.force_quit = True

    def model_turns(self) -> list[list[list[Call]]]:
        """The decoded calls per turn and step, as the checker takes them (turns never started are absent)."""
        played = self.turns[:len(self.case.turns)]
        return [[[Call.of(c) for c in s.calls] for s in turn] for turn in played]


def episode_row(episode: Episode) -> dict[str, Any]:
    """The line written to results.jsonl for a finished episode."""
    case = episode.case
    turns = episode.model_turns()
    if episode.error is not None:
        verdict = Verdict(False, "multi_turn:inference_error", episode.turn, episode.error)
    else:
        verdict = check(case, turns)
    return {"id": case.id, "category": case.category, "valid": verdict.ok, "error_type": verdict.error_type,
            "error_category": None, "failed_turn": verdict.turn, "detail": verdict.detail,
            "force_quit": episode.force_quit, "steps": sum(len(t) for t in episode.turns),
            "calls_in_empty_turns": calls_in_empty_turns(case, turns),
            "turns": [[{"raw": s.raw, "calls": [{c.name: c.arguments} for c in s.calls],
                        "results": [r[:_STORED_RESULT_CHARS] for r in s.results]} for s in turn]
                      for turn in episode.turns[:len(case.turns)]]}


# ------------------------------------------------------------------------------------------- runs
Respond = Callable[[list[Episode]], list[str | None]]


def model_responder(generator: Any, max_new_tokens: int = 256, parse_sanitize: bool | None = None) -> Respond:
    """Answers from a Generator: one batched `generate` over the next prompt of every active episode."""
    sanitize = supports_tools(generator.tokenizer) if parse_sanitize is None else parse_sanitize

    def respond(episodes: list[Episode]) -> list[str | None]:
        prompts = [e.prompt(generator.tokenizer, sanitize) for e in episodes]
        ready = [i for i, p in enumerate(prompts) if p is not None]
        texts: list[str | None] = [None] * len(episodes)
        outs = generator.generate([prompts[i] for i in ready], max_new_tokens=max_new_tokens) if ready else []
        for i, out in zip(ready, outs, strict=True):
            texts[i] = out[0]
        return texts

    return respond


def reference_responder(fmt: str = "hermes") -> Respond:
    """The ground truth as model text: a turn's calls in its first step, then an answer without calls."""
    cache: dict[str, list[list[ToolCall]]] = {}

    def respond(episodes: list[Episode]) -> list[str | None]:
        texts: list[str | None] = []
        for e in episodes:
            if e.case.id not in cache:
                cache[e.case.id] = reference_turns(e.case)
            gold = cache[e.case.id][e.turn]
            texts.append(render_calls(gold, fmt) if gold and not e.turns[-1] else "Done.")
        return texts

    return respond


def run_episodes(cases: Sequence[MultiTurnCase], out_dir: Path | str, respond: Respond, *,
                 identity: Mapping[str, Any], fmt: str = "hermes", parse: str = "auto", step_cap: int = STEP_CAP,
                 batch_size: int = 16, name: str = "bfcl multi-turn", progress: bool = True,
                 meta: dict[str, Any] | None = None) -> MultiTurnSummary:
    """Play every case not yet in `out_dir/results.jsonl` (resumable when the folder's identity matches), up to
    `batch_size` episodes at once (each round asks `respond` for one answer per active episode), score, summarize."""
    if fmt not in FORMATS:
        raise InputError(f"unknown call format {fmt!r}; choose one of {', '.join(FORMATS)}", field="format")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / RESULTS
    check_identity(out, {**identity, "format": fmt, "parse": parse, "step_cap": step_cap, "checker": "bfcl-mt-1"})
    done = read_results(path)
    _drop_torn_line(path, done)
    done_ids = {r["id"] for r in done}
    queue = [c for c in cases if c.id not in done_ids]
    started = time.perf_counter()
    with path.open("a", encoding="utf-8") as fh, progress_bar(len(cases), name, enabled=progress) as advance:
        advance(len(cases) - len(queue))
        _play(queue, respond, fh, advance, fmt=fmt, parse=parse, step_cap=step_cap, batch_size=batch_size)
    elapsed = time.perf_counter() - started
    wanted = {c.id for c in cases}
    rows = [r for r in read_results(path) if r["id"] in wanted]
    info = {"format": fmt, "parse": parse, "step_cap": step_cap, "played": len(queue), "seconds": round(elapsed, 2),
            **(meta or {})}
    summary = summarize_multiturn(rows, name, meta=info)
    summary.write(out)
    return summary


def _play(queue: list[MultiTurnCase], respond: Respond, fh: Any, advance: Callable[[int], None], *, fmt: str,
          parse: str, step_cap: int, batch_size: int) -> None:
    """Continuous batching of episodes: a finished one is written at once and the next case takes its place."""
    pending = iter(queue)
    active: list[Episode] = []
    while True:
        while len(active) < batch_size and (case := next(pending, None)) is not None:
            active.append(Episode(case, fmt, step_cap))
        if not active:
            return
        playing = [e for e in active if not e.done]
        texts = respond(playing) if playing else []
        for episode, text in zip(playing, texts, strict=True):
            if text is not None and not episode.done:
                episode.advance(text, parse)
        finished = [e for e in active if e.done]
        for episode in finished:
            fh.write(json.dumps(episode_row(episode), ensure_ascii=False) + "\n")
        if finished:
            fh.flush()
            advance(len(finished))
        active = [e for e in active if not e.done]


def _drop_torn_line(path: Path, rows: list[dict[str, Any]]) -> None:
    """Rewrite the file without a torn last line before appending (one JSON object per line)."""
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if path.exists() and path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def run_multiturn(generator: Any, categories: str | Sequence[str] = "all", limit: int | None = None,
                  out_dir: Path | str = "runs/eval/bfcl-multiturn", *, max_new_tokens: int = 256,
                  cases: Sequence[MultiTurnCase] | None = None, **kwargs: Any) -> MultiTurnSummary:
    """BFCL multi-turn with a model (the Python API; `cases` overrides the wheel's data)."""
    cases = list(cases) if cases is not None else load_cases(categories, limit)
    identity = {**(kwargs.pop("identity", None) or {}), **generator_identity(generator),
                "max_new_tokens": max_new_tokens, "data_sha256": _cases_digest(cases)}
    # read strictly in the prompted format, as single-turn BFCL; templates with native tools: any format
    kwargs["parse"] = kwargs.get("parse") or ("auto" if supports_tools(generator.tokenizer) else
                                              kwargs.get("fmt", "hermes"))
    return run_episodes(cases, out_dir, model_responder(generator, max_new_tokens), identity=identity, **kwargs)


def run_multiturn_reference(categories: str | Sequence[str] = "all", limit: int | None = None,
                            out_dir: Path | str = "runs/eval/bfcl-multiturn-reference", *, fmt: str = "hermes",
                            cases: Sequence[MultiTurnCase] | None = None, **kwargs: Any) -> MultiTurnSummary:
    """Replay the possible answers through the whole loop (rendered in `fmt`, parsed, executed, checked)."""
    cases = list(cases) if cases is not None else load_cases(categories, limit)
    identity = {"outputs": "bfcl-multiturn-reference", "data_sha256": _cases_digest(cases)}
    return run_episodes(cases, out_dir, reference_responder(fmt), identity=identity, fmt=fmt, parse=fmt,
                        name="bfcl multi-turn reference", meta={"reference": True}, **kwargs)


def _cases_digest(cases: Sequence[MultiTurnCase]) -> str:
    """Which data a folder's results belong to: the case files (same ids, other content = another run)."""
    files = sorted({f for c in cases for f in c.meta.get("files", [c.meta["file"]])})
    digest = hashlib.sha256()
    for file in files:
        digest.update(Path(file).read_bytes())
    return digest.hexdigest()[:16]


# ------------------------------------------------------------------------------------------- summary
class MultiTurnSummary(Summary):
    """Per-category accuracy with Wilson 95% intervals and BFCL's multi-turn overall (unweighted mean)."""

    def markdown(self) -> str:
        lines = [f"## {self.name}", "", "| category | n | accuracy | 95% CI |", "|---|---:|---:|---:|"]
        for cat, s in self.categories.items():
            lines.append(f"| {cat} | {s.n} | {100 * s.accuracy:.2f} | {_ci(s.ci95)} |")
        for key, value in self.aggregates.items():
            if value is not None:
                lines += ["", "| aggregate | score | 95% CI |", "|---|---:|---:|",
                          f"| {key} | {100 * value:.2f} | {_ci(self.intervals.get(key))} |"]
        if failed := self.meta.get("unsatisfiable"):
            lines += ["", f"unsatisfiable reference answers ({len(failed)}): {', '.join(failed)}"]
        if self.error_types:
            lines += ["", "| error type | count |", "|---|---:|"]
            lines += [f"| {k} | {v} |" for k, v in sorted(self.error_types.items(), key=lambda kv: -kv[1])]
        return "\n".join(lines) + "\n"


def _ci(interval: Sequence[float] | None) -> str:
    return "n/a" if interval is None else f"{100 * interval[0]:.1f}–{100 * interval[1]:.1f}"


def summarize_multiturn(rows: Sequence[Mapping[str, Any]], name: str,
                        meta: dict[str, Any] | None = None) -> MultiTurnSummary:
    """Categories in BFCL's order, `overall` over all rows, and `multi_turn` (BFCL's unweighted mean of the four
    categories, only when all four ran)."""
    cats: dict[str, CategoryScore] = category_scores(rows, CATEGORIES)
    if rows:
        correct = sum(bool(r["valid"]) for r in rows)
        cats["overall"] = CategoryScore(len(rows), correct, correct / len(rows), 0.0, 0.0, 0.0)
    aggregates: dict[str, float | None] = {"multi_turn": None}
    intervals: dict[str, tuple[float, float]] = {}
    if all(c in cats for c in CATEGORIES):
        aggregates["multi_turn"] = sum(cats[c].accuracy for c in CATEGORIES) / len(CATEGORIES)
        intervals["multi_turn"] = mean_interval([(cats[c].correct, cats[c].n) for c in CATEGORIES])
    errors = Counter(r["error_type"] for r in rows if not r["valid"] and r.get("error_type"))
    meta = dict(meta or {})
    if meta.get("reference"):  # a replayed ground truth that fails cannot be satisfied: name it
        meta["unsatisfiable"] = sorted(r["id"] for r in rows if not r["valid"])
    return MultiTurnSummary(name, cats, aggregates, dict(errors), {}, len(rows), meta, intervals)
