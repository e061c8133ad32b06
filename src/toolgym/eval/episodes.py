"""TL-Training's multi-turn protocol (DE / CE / VA) on toolgym's executable simulator.

Each case of a toolgym JSONL suite (the four generalization test sets `test_*.jsonl` of `toolgym data synth`,
`dev.jsonl`, a user set) becomes an episode: the model acts for at most `max_turns` (TL-Training: 9) assistant
turns. A turn's text is decoded (`runner.decode`); its calls run against `envs.simulator` (catalog tools render
their results, other tools of the case's toolset echo their arguments; calls bind as CPython binds keyword
arguments, so a bad call gets the real error text) and every result goes back as a tool message. The episode ends
when a turn holds no call (its text is the final answer), when a turn looks like a call but cannot be read
("unparsable"), or at the turn cap. The lock-step driver is `data.trajectories.run_episodes`: all live episodes'
next turn is one generate call.

Every call's feedback is classified by `envs.feedback.classify` (the categories MAE masks); a turn that looks like a
call but cannot be read, or that holds fragments that cannot be read beside good calls, adds one call of category
`unparsable`:
- DE, documentation-understanding errors: `tool_hallucination`, `parameter_hallucination`, `parameter_missing`,
  as a share of all calls;
- CE, every other call error (`wrong_type`, `enum_violation`, `unparsable`, `tool_call_failure`,
  `tool_instability`, `others`), as a share of all calls;
- VA, the share of episodes that end in a valid final answer within `max_turns`. Valid: the episode ends in a
  non-empty text answer, and, when the gold has calls, every gold tool was called successfully (feedback without
  an error) before it; when the gold is empty (no tool fits), no call was made at all.

Intervals are Wilson 95% intervals (`metrics.wilson_interval`); DE and CE treat the calls as independent, though
calls within one episode are not. Runs resume by case id under a stored run identity (`runner.check_identity`).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolgym.core.checker import ErrorCategory
from toolgym.core.errors import InputError
from toolgym.core.formats import check_call_format, render_calls, supports_tools
from toolgym.core.progress import progress_bar
from toolgym.data.archetypes import load_catalog
from toolgym.data.trajectories import PARALLEL_TYPES, Episode, call_message, run_episodes
from toolgym.envs.feedback import classify
from toolgym.envs.simulator import Simulator
from toolgym.eval.cases import EvalCase
from toolgym.eval.metrics import CategoryScore, Summary, category_scores, wilson_interval
from toolgym.eval.runner import (
    RESULTS,
    check_identity,
    decode,
    file_sha256,
    generator_identity,
    read_results,
    render_or_skip,
    rewrite_clean,
)
from toolgym.eval.suites import load_suite_cases

MAX_TURNS = 9  # TL-Training's episode length
PROTOCOL = "tl-episodes-1"  # bump when the verdict or the metrics change: old folders then do not resume
DOC_ERRORS = frozenset({ErrorCategory.tool_hallucination.value, ErrorCategory.parameter_hallucination.value,
                        ErrorCategory.parameter_missing.value})
UNPARSABLE = ErrorCategory.unparsable.value
PROMPT_ERROR = "prompt_error"  # the chat template could not render the episode (not a call error)
_NON_CHAT_KEYS = ("feedback_category", "raw", "parse_status")
_STORED_FEEDBACK_CHARS = 2000
_log = logging.getLogger(__name__)

Respond = Callable[[list[Episode]], list[str | None]]


# ------------------------------------------------------------------------------------------- acting
def case_record(case: EvalCase) -> dict[str, Any]:
    """The record `data.trajectories.run_episodes` plays: the case's chat, toolset and gold."""
    return {"id": case.id, "type": case.category, "messages": [dict(m) for m in case.messages],
            "tools": [t.to_openai() for t in case.tools], "gold": [c.to_dict() for c in case.answer],
            "meta": dict(case.meta)}


def chat_messages(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The chat as a template takes it (without the labels this module adds)."""
    return [{k: v for k, v in m.items() if k not in _NON_CHAT_KEYS} for m in messages]


def assistant_message(text: str | None, episode: Episode, parse: str) -> dict[str, Any]:
    """One turn's model text as an assistant message: calls, a final answer, or an unparsable/unrendered turn."""
    if text is None:
        return {"role": "assistant", "content": None, "feedback_category": PROMPT_ERROR, "raw": None}
    parsed, calls = decode(text, episode.tools, parse)
    if calls:
        message = call_message([c.to_dict() for c in calls], episode.turns)
        message["content"] = parsed.leftover.strip() or None
    elif parsed.status == "unparsable":
        message = {"role": "assistant", "content": text, "feedback_category": UNPARSABLE}
    else:
        message = {"role": "assistant", "content": text}
    return {**message, "raw": text, "parse_status": parsed.status}


@dataclass
class TextPolicy:
    """A `data.trajectories.Policy` over text: `respond` writes one text per live episode, decoded as `parse`."""

    respond: Respond
    parse: str = "auto"
    source: str = "model"

    def start(self, episode: Episode) -> None:
        return None

    def act(self, episodes: list[Episode]) -> list[dict[str, Any]]:
        texts = self.respond(episodes)
        return [assistant_message(t, e, self.parse) for e, t in zip(episodes, texts, strict=True)]


def model_responder(generator: Any, fmt: str = "hermes", max_new_tokens: int = 256) -> Respond:
    """Texts from a Generator: one batched `generate` over the next prompt of every live episode."""
    sanitize = supports_tools(generator.tokenizer)

    def respond(episodes: list[Episode]) -> list[str | None]:
        prompts = [_prompt(generator.tokenizer, e, sanitize, fmt) for e in episodes]
        ready = [i for i, p in enumerate(prompts) if p is not None]
        texts: list[str | None] = [None] * len(episodes)
        outs = generator.generate([prompts[i] for i in ready], max_new_tokens=max_new_tokens) if ready else []
        for i, out in zip(ready, outs, strict=True):
            texts[i] = out[0] if out else ""
        return texts

    return respond


def _prompt(tokenizer: Any, episode: Episode, sanitize: bool, fmt: str) -> str | None:
    return render_or_skip(tokenizer, episode.record.get("id"), chat_messages(episode.messages), episode.tools,
                          sanitize, fmt, "episode ended")


def gold_turns(record: Mapping[str, Any]) -> list[list[dict[str, Any]]]:
    """The gold as turns: all calls at once for parallel types, else one call a turn (as `OraclePolicy`)."""
    gold = list(record.get("gold") or [])
    if record.get("type") in PARALLEL_TYPES:
        return [gold] if gold else []
    return [[g] for g in gold]


def reference_responder(fmt: str = "hermes") -> Respond:
    """The gold as model text (rendered in `fmt`), one turn after another, then a final answer."""

    def respond(episodes: list[Episode]) -> list[str | None]:
        texts: list[str | None] = []
        for e in episodes:
            turns = gold_turns(e.record)
            texts.append(render_calls(turns[e.turns], fmt) if e.turns < len(turns) else "Done.")
        return texts

    return respond


# ------------------------------------------------------------------------------------------- scoring
def call_outcomes(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every call of the played turns with its feedback and category (None = success); an unparsable turn is
    one call of category `unparsable`."""
    feedback = {m.get("tool_call_id"): m.get("content") or "" for m in messages if m.get("role") == "tool"}
    outcomes: list[dict[str, Any]] = []
    turn = 0
    for message in messages:
        if message.get("role") != "assistant":
            continue
        for call in message.get("tool_calls") or []:
            text = feedback.get(call["id"], "")
            category = classify(text)
            outcomes.append({"turn": turn, "name": call["function"]["name"],
                             "arguments": call["function"]["arguments"],
                             "category": None if category is None else str(category),
                             "feedback": text[:_STORED_FEEDBACK_CHARS]})
        if message.get("feedback_category") == UNPARSABLE or message.get("parse_status") == "partial":
            outcomes.append({"turn": turn, "name": None, "arguments": None, "category": UNPARSABLE,
                             "feedback": ""})
        turn += 1
    return outcomes


def ending(messages: Sequence[Mapping[str, Any]]) -> str:
    """How an episode ended: `answer`, `unparsable`, `prompt_error` or `turn_cap` (still calling)."""
    last = next((m for m in reversed(messages) if m.get("role") == "assistant"), None)
    if last is None or last.get("tool_calls"):
        return "turn_cap"
    return str(last.get("feedback_category") or "answer")


def verdict(outcomes: Sequence[Mapping[str, Any]], ended: str, answer: str | None,
            gold_tools: Iterable[str]) -> tuple[bool, str | None]:
    """(valid, why not): the VA rule of the module docstring (`gold_tools`: the names the gold calls)."""
    needed = set(gold_tools)
    if ended != "answer":
        return False, ended
    if not (answer or "").strip():
        return False, "empty_answer"
    if not needed:
        return (True, None) if not outcomes else (False, "called_without_need")
    succeeded = {o["name"] for o in outcomes if o["category"] is None}
    return (True, None) if needed <= succeeded else (False, "gold_tool_not_called")


def episode_row(case: EvalCase, trajectory: Mapping[str, Any]) -> dict[str, Any]:
    """The results.jsonl line of one played episode: its turns, calls with feedback categories and verdict."""
    played = list(trajectory["messages"])[len(case.messages):]
    outcomes = call_outcomes(played)
    ended = ending(played)
    final = played[-1].get("content") if ended == "answer" else None
    valid, reason = verdict(outcomes, ended, final, (c.name for c in case.answer))
    texts = [m.get("raw") for m in played if m.get("role") == "assistant"]
    turns = [{"raw": raw, "calls": [o for o in outcomes if o["turn"] == i]} for i, raw in enumerate(texts)]
    return {"id": case.id, "category": case.category, "valid": valid, "verdict": reason, "ended": ended,
            "final_answer": final, "n_turns": len(turns), "n_calls": len(outcomes),
            "doc_errors": sum(o["category"] in DOC_ERRORS for o in outcomes),
            "other_errors": sum(o["category"] is not None and o["category"] not in DOC_ERRORS for o in outcomes),
            "turns": turns}


# ------------------------------------------------------------------------------------------- summary
@dataclass
class EpisodeRates:
    """DE, CE (shares of calls) and VA (share of episodes) of a group of episodes, with Wilson 95% intervals."""

    episodes: int
    valid: int
    calls: int
    doc_errors: int
    other_errors: int
    de: float | None = field(init=False)
    ce: float | None = field(init=False)
    va: float | None = field(init=False)
    de_ci: tuple[float, float] = field(init=False)
    ce_ci: tuple[float, float] = field(init=False)
    va_ci: tuple[float, float] = field(init=False)

    def __post_init__(self) -> None:
        self.de = self.doc_errors / self.calls if self.calls else None
        self.ce = self.other_errors / self.calls if self.calls else None
        self.va = self.valid / self.episodes if self.episodes else None
        self.de_ci = wilson_interval(self.doc_errors, self.calls)
        self.ce_ci = wilson_interval(self.other_errors, self.calls)
        self.va_ci = wilson_interval(self.valid, self.episodes)


def episode_rates(rows: Iterable[Mapping[str, Any]]) -> EpisodeRates:
    rows = list(rows)
    return EpisodeRates(len(rows), sum(bool(r["valid"]) for r in rows), sum(r["n_calls"] for r in rows),
                        sum(r["doc_errors"] for r in rows), sum(r["other_errors"] for r in rows))


@dataclass
class EpisodeSummary(Summary):
    """`Summary` plus DE/CE/VA per category and overall (`rates`); the aggregates are the overall de, ce, va."""

    rates: dict[str, EpisodeRates] = field(default_factory=dict)

    def markdown(self) -> str:
        lines = [f"## {self.name}", "", f"TL-Training episodes, at most {self.meta.get('max_turns', MAX_TURNS)} "
                 "turns. DE: documentation errors (hallucinated tool or parameter, missing required parameter) "
                 "per call; CE: other call errors per call; VA: episodes ending in a valid final answer (a text "
                 "answer after a successful call of every gold tool, or with no call when no tool fits).", "",
                 "| category | episodes | calls | DE | 95% CI | CE | 95% CI | VA | 95% CI |",
                 "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for cat, r in self.rates.items():
            lines.append(f"| {cat} | {r.episodes} | {r.calls} | {_pct(r.de)} | {_ci(r.de_ci, r.calls)} | "
                         f"{_pct(r.ce)} | {_ci(r.ce_ci, r.calls)} | {_pct(r.va)} | {_ci(r.va_ci, r.episodes)} |")
        for title, counts in (("call error category", self.error_categories), ("invalid because", self.error_types)):
            if counts:
                lines += ["", f"| {title} | count |", "|---|---:|"]
                lines += [f"| {k} | {v} |" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])]
        return "\n".join(lines) + "\n"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}"


def _ci(interval: Sequence[float], n: int) -> str:
    return "n/a" if not n else f"{100 * interval[0]:.1f}–{100 * interval[1]:.1f}"


def summarize_episodes(rows: Sequence[Mapping[str, Any]], name: str,
                       meta: dict[str, Any] | None = None) -> EpisodeSummary:
    """Per-category and overall DE/CE/VA; `categories` carry VA as accuracy (as other summaries do)."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["category"], []).append(row)
    rates = {cat: episode_rates(rs) for cat, rs in groups.items()}
    cats: dict[str, CategoryScore] = category_scores(rows)
    if rows:
        rates["overall"] = episode_rates(rows)
        correct = rates["overall"].valid
        cats["overall"] = CategoryScore(len(rows), correct, correct / len(rows), 0.0, 0.0, 0.0)
    overall = rates.get("overall")
    aggregates = {"de": overall.de if overall else None, "ce": overall.ce if overall else None,
                  "va": overall.va if overall else None}
    intervals = {k: getattr(overall, f"{k}_ci") for k in aggregates if overall and aggregates[k] is not None}
    calls = Counter(c["category"] for r in rows for t in r["turns"] for c in t["calls"] if c["category"])
    reasons = Counter(r["verdict"] for r in rows if not r["valid"] and r.get("verdict"))
    return EpisodeSummary(name, cats, aggregates, dict(reasons), dict(calls), len(rows), dict(meta or {}),
                          intervals, rates=rates)


# ------------------------------------------------------------------------------------------- runs
def play(cases: Sequence[EvalCase], out_dir: Path | str, respond: Respond, *, identity: Mapping[str, Any],
         parse: str, max_turns: int = MAX_TURNS, batch_size: int = 16, name: str = "episodes",
         progress: bool = True, meta: dict[str, Any] | None = None) -> EpisodeSummary:
    """Play every case not yet in `out_dir/results.jsonl` (resumable when the folder's identity matches),
    `batch_size` episodes in lock step, stream one row per episode, summarize."""
    if max_turns < 1:
        raise InputError(f"max_turns must be >= 1, got {max_turns}", field="--max-turns")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / RESULTS
    check_identity(out, {**identity, "parse": parse, "max_turns": max_turns, "protocol": PROTOCOL})
    done = read_results(path)
    rewrite_clean(path, done)
    done_ids = {r["id"] for r in done}
    todo = [c for c in cases if c.id not in done_ids]
    started = time.perf_counter()
    # no user code runs (toolsets are JSON schemas; catalog tools are trusted), so no sandbox worker is forked
    with path.open("a", encoding="utf-8") as fh, progress_bar(len(cases), name, enabled=progress) as advance, \
            Simulator(load_catalog(), sandbox=False) as simulator:
        advance(len(cases) - len(todo))
        played = run_episodes((case_record(c) for c in todo), TextPolicy(respond, parse), simulator,
                              max_turns=max_turns, batch_size=batch_size)
        for case, trajectory in zip(todo, played, strict=True):
            fh.write(json.dumps(episode_row(case, trajectory), ensure_ascii=False) + "\n")
            fh.flush()
            advance(1)
    elapsed = time.perf_counter() - started
    wanted = {c.id for c in cases}
    rows = [r for r in read_results(path) if r["id"] in wanted]
    info = {"parse": parse, "max_turns": max_turns, "played": len(todo), "seconds": round(elapsed, 2),
            **(meta or {})}
    summary = summarize_episodes(rows, name, info)
    summary.write(out)
    return summary


def run_episode_eval(generator: Any, path: Path | str, out_dir: Path | str = "runs/eval/episodes", *,
                     cases: Sequence[EvalCase] | None = None, limit: int | None = None, max_turns: int = MAX_TURNS,
                     max_new_tokens: int = 256, fmt: str = "hermes", parse: str | None = None,
                     batch_size: int = 16, identity: Mapping[str, Any] | None = None, progress: bool = True,
                     meta: dict[str, Any] | None = None) -> EpisodeSummary:
    """A model on the suite at `path` (`cases`: its cases already read, as the CLI does before the model loads)."""
    check_call_format(fmt, "format")
    cases = list(cases) if cases is not None else load_suite_cases(path, limit)
    # read strictly in the prompted format, as the single-turn runner; templates with native tools: any format
    parse = parse or ("auto" if supports_tools(generator.tokenizer) else fmt)
    full = {**(identity or {}), **generator_identity(generator), "format": fmt, "max_new_tokens": max_new_tokens,
            "suite_sha256": file_sha256(path)}
    return play(cases, out_dir, model_responder(generator, fmt, max_new_tokens), identity=full, parse=parse,
                max_turns=max_turns, batch_size=batch_size, name=f"episodes {Path(path).stem}", progress=progress,
                meta=meta)


def run_episode_reference(path: Path | str, out_dir: Path | str = "runs/eval/episodes-reference", *,
                          cases: Sequence[EvalCase] | None = None, limit: int | None = None,
                          max_turns: int = MAX_TURNS, fmt: str = "hermes", batch_size: int = 64,
                          progress: bool = True) -> EpisodeSummary:
    """Replay the gold calls as model text through the whole loop (render, parse, simulate, score): DE = CE = 0
    and VA = 100% unless a gold answer needs more turns than `max_turns` or does not bind."""
    check_call_format(fmt, "format")
    cases = list(cases) if cases is not None else load_suite_cases(path, limit)
    identity = {"outputs": "episodes-reference", "format": fmt, "suite_sha256": file_sha256(path)}
    return play(cases, out_dir, reference_responder(fmt), identity=identity, parse=fmt, max_turns=max_turns,
                batch_size=batch_size, name=f"episodes reference {Path(path).stem}", progress=progress,
                meta={"reference": True})


def episode_metrics(generator: Any, suites: Sequence[str], out_dir: Path, *, identity: Mapping[str, Any],
                    settings: Mapping[str, Any]) -> dict[str, float]:
    """Each of a recipe's episode suites in `out_dir/episodes-<stem>`: `<stem>_de`, `<stem>_ce` (shares of calls)
    and `<stem>_va` (share of episodes)."""
    metrics: dict[str, float] = {}
    for suite in suites:
        stem = Path(suite).stem
        summary = run_episode_eval(generator, suite, Path(out_dir) / f"episodes-{stem}",
                                   limit=settings.get("episodes_limit"), max_turns=settings["max_turns"],
                                   max_new_tokens=settings["max_new_tokens"], identity=dict(identity), progress=False)
        metrics.update({f"{stem}_{key}": value for key, value in summary.aggregates.items() if value is not None})
    return metrics
