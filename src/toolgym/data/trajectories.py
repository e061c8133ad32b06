"""Multi-turn tool-use episodes against the simulator: query → call → feedback → … → final answer.

Two acting policies share one lock-step driver, which runs the calls of every live episode of a batch in
one sandboxed simulator batch:
- `OraclePolicy` replays the gold calls. With `error_rate` (default 0.17: the share of teacher trajectories
  with errors in TL-Training) an episode first makes one erroneous call (hallucinated tool, hallucinated
  parameter, missing parameter or wrong type), gets the simulator's error and then makes the right call;
  injected instability makes it retry.
- `ModelPolicy` lets any `models.generate.Generator` act, parsing its text with `core.formats.parse_calls`,
  for at most `max_turns` assistant turns.

Every assistant turn that calls carries `feedback_category`: None on success, else the `ErrorCategory` value
its feedback reported (what MAE masks).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from toolgym.core.schema import Tool
from toolgym.envs.simulator import Simulator

DEFAULT_ERROR_RATE = 0.17
ERROR_KINDS = ("tool_hallucination", "parameter_hallucination", "parameter_missing", "wrong_type")
_EXTRA_PARAMS = (("format", "json"), ("verbose", True), ("api_key", "demo-key"), ("language", "en"),
                 ("limit", 10), ("include_details", True), ("page_size", 20), ("region", "global"))
_VERB_SWAPS = {"get": "fetch", "fetch": "get", "search": "find", "find": "search", "list": "get",
               "create": "make", "update": "set", "set": "update", "delete": "remove", "check": "verify"}
PARALLEL_TYPES = ("parallel", "parallel_multiple")


@dataclass
class Episode:
    """One episode in progress: its source record, the chat so far and the policy's private plan."""

    record: dict[str, Any]
    tools: list[Tool]
    messages: list[dict[str, Any]]
    rng: random.Random
    plan: list[list[dict[str, Any]]] = field(default_factory=list)
    inject_before: int = -1
    inject_kind: str | None = None
    injected: str | None = None
    retries: int = 0
    groups_done: int = 0
    turns: int = 0
    done: bool = False
    final: bool = False

    @property
    def names(self) -> set[str]:
        return {t.name for t in self.tools}


class Policy(Protocol):
    """Chooses the next assistant message for each live episode."""

    source: str

    def start(self, episode: Episode) -> None: ...

    def act(self, episodes: list[Episode]) -> list[dict[str, Any]]: ...


# ---------------------------------------------------------------- erroneous calls


def erroneous_call(kind: str, call: dict[str, Any], tool: Tool, names: set[str],
                   rng: random.Random) -> dict[str, Any] | None:
    """A bad version of `call` of the given kind, or None when `call` cannot carry that error."""
    args = dict(call["arguments"])
    if kind == "tool_hallucination":
        return {"name": hallucinated_name(call["name"], names, rng), "arguments": args}
    if kind == "parameter_hallucination":
        free = [(k, v) for k, v in _EXTRA_PARAMS if k not in tool.properties]
        key, value = rng.choice(free)
        return {"name": call["name"], "arguments": {**args, key: value}}
    if kind == "parameter_missing":
        present = [p for p in tool.required if p in args]
        if not present:
            return None
        args.pop(rng.choice(present))
        return {"name": call["name"], "arguments": args}
    if kind == "wrong_type":
        if not args:
            return None
        key = rng.choice(sorted(args))
        args[key] = _mistyped(args[key])
        return {"name": call["name"], "arguments": args}
    raise ValueError(f"unknown error kind {kind!r}")


def hallucinated_name(name: str, names: set[str], rng: random.Random) -> str:
    """A plausible tool name that is not in the toolset (swapped verb, plural, or a version suffix)."""
    for sep in ("_", ".", " "):
        head, found, tail = name.partition(sep)
        if found and head.lower() in _VERB_SWAPS:
            swapped = _VERB_SWAPS[head.lower()]
            swapped = swapped.capitalize() if head[:1].isupper() else swapped
            candidate = f"{swapped}{sep}{tail}"
            if candidate not in names:
                return candidate
    for suffix in ("s", "_v2", "2", "_all"):
        if name + suffix not in names:
            return name + suffix
    return f"{name}_{rng.randrange(1000)}"


def _mistyped(value: Any) -> Any:
    """The same value in a wrong JSON type, as a confused model would write it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


# ---------------------------------------------------------------- the oracle


@dataclass
class OraclePolicy:
    """Replays gold calls; with `error_rate` an episode makes one erroneous call first (then recovers)."""

    error_rate: float = DEFAULT_ERROR_RATE
    kinds: Sequence[str] = ERROR_KINDS
    max_retries: int = 2
    source: str = "oracle"

    def start(self, episode: Episode) -> None:
        gold = episode.record.get("gold") or []
        if episode.record.get("type") in PARALLEL_TYPES:
            episode.plan = [list(gold)] if gold else []
        else:
            episode.plan = [[g] for g in gold]
        if episode.plan and episode.rng.random() < self.error_rate:
            episode.inject_before = episode.rng.randrange(len(episode.plan))
            episode.inject_kind = episode.rng.choice(list(self.kinds))

    def act(self, episodes: list[Episode]) -> list[dict[str, Any]]:
        return [self._next(e) for e in episodes]

    def _next(self, e: Episode) -> dict[str, Any]:
        last = e.messages[-1]
        if last["role"] == "tool":
            self._advance(e)
        if not e.plan:
            return {"role": "assistant", "content": _final_answer(e)}
        if e.inject_before == e.groups_done:
            e.inject_before = -1
            bad = self._bad_turn(e)
            if bad is not None:
                return call_message(bad, e.turns)
        return call_message(e.plan[0], e.turns)

    def _bad_turn(self, e: Episode) -> list[dict[str, Any]] | None:
        group = e.plan[0]
        index = e.rng.randrange(len(group))
        tool = next(t for t in e.tools if t.name == group[index]["name"])
        kinds = [e.inject_kind, *(k for k in self.kinds if k != e.inject_kind)]
        for kind in kinds:
            bad = erroneous_call(str(kind), group[index], tool, e.names, e.rng)
            if bad is not None:
                e.injected = str(kind)
                return [*group[:index], bad, *group[index + 1:]]
        return None

    def _advance(self, e: Episode) -> None:
        """After feedback: drop the planned group when the last turn was it and it went through."""
        assistant = next(m for m in reversed(e.messages) if m["role"] == "assistant")
        sent = [{"name": c["function"]["name"], "arguments": c["function"]["arguments"]}
                for c in assistant.get("tool_calls") or []]
        if not e.plan or sent != e.plan[0]:
            return
        if assistant.get("feedback_category") in ("tool_instability", "tool_call_failure") and \
                e.retries < self.max_retries:
            e.retries += 1
            return
        e.retries = 0
        e.plan.pop(0)
        e.groups_done += 1


def call_message(calls: list[dict[str, Any]], turn: int) -> dict[str, Any]:
    return {"role": "assistant", "content": None, "feedback_category": None,
            "tool_calls": [{"id": f"call_{turn}_{j}", "type": "function",
                            "function": {"name": c["name"], "arguments": c["arguments"]}}
                           for j, c in enumerate(calls)]}


def _final_answer(e: Episode) -> str:
    if not e.record.get("gold"):
        return str(e.record.get("meta", {}).get("answer") or "I can't help with that using these tools.")
    results = [m["content"] for m in e.messages if m["role"] == "tool"][-len(e.record["gold"]):]
    shown = "; ".join(r if len(r) <= 160 else r[:157] + "..." for r in results)
    return f"Here is what I found: {shown}"


# ---------------------------------------------------------------- a generator as the actor


@dataclass
class ModelPolicy:
    """Any `Generator` acts: its text is parsed into calls (`core.formats.parse_calls`), or ends the episode."""

    generator: Any
    fmt: str = "auto"
    max_new_tokens: int = 256
    temperature: float = 0.0
    source: str = "model"

    def start(self, episode: Episode) -> None:
        return None

    def act(self, episodes: list[Episode]) -> list[dict[str, Any]]:
        from toolgym.core.formats import parse_calls

        batch = [(_chat_messages(e.messages), [t.to_openai() for t in e.tools]) for e in episodes]
        outs = self.generator.chat(batch, n=1, temperature=self.temperature, max_new_tokens=self.max_new_tokens)
        messages = []
        for e, texts in zip(episodes, outs, strict=True):
            text = texts[0] if texts else ""
            parsed = parse_calls(text, fmt=self.fmt)
            if parsed.calls:
                msg = call_message([c.to_dict() for c in parsed.calls], e.turns)
                msg["content"] = parsed.leftover.strip() or None
            elif parsed.status == "unparsable":
                msg = {"role": "assistant", "content": text, "feedback_category": "unparsable"}
            else:
                msg = {"role": "assistant", "content": text}
            messages.append(msg)
        return messages


def _chat_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chat as a template expects it (without toolgym's `feedback_category` labels)."""
    return [{k: v for k, v in m.items() if k != "feedback_category"} for m in messages]


# ---------------------------------------------------------------- the driver


def run_episodes(records: Iterable[dict[str, Any]], policy: Any, simulator: Simulator, *, seed: int = 0,
                 max_turns: int = 8, batch_size: int = 64) -> Iterator[dict[str, Any]]:
    """Play one episode per record with `policy`; yield trajectory records in input order."""
    chunk: list[dict[str, Any]] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == batch_size:
            yield from _run_batch(chunk, policy, simulator, seed, max_turns)
            chunk = []
    if chunk:
        yield from _run_batch(chunk, policy, simulator, seed, max_turns)


def _run_batch(records: list[dict[str, Any]], policy: Any, simulator: Simulator, seed: int,
               max_turns: int) -> list[dict[str, Any]]:
    episodes = [_start(r, policy, seed) for r in records]
    for _ in range(max_turns):
        live = [e for e in episodes if not e.done]
        if not live:
            break
        for e, msg in zip(live, policy.act(live), strict=True):
            e.messages.append(msg)
            e.turns += 1
            if not msg.get("tool_calls"):
                e.done, e.final = True, msg.get("feedback_category") is None
        _execute_turns([e for e in live if e.messages[-1].get("tool_calls")], simulator)
    return [_finish(e, policy.source) for e in episodes]


def _start(record: dict[str, Any], policy: Any, seed: int) -> Episode:
    tools = [Tool.from_openai(t) for t in record.get("tools") or []]
    messages = [dict(m) for m in record["messages"]]
    episode = Episode(record, tools, messages, random.Random(f"toolgym-traj:{seed}:{record.get('id')}"))
    policy.start(episode)
    return episode


def _execute_turns(episodes: list[Episode], simulator: Simulator) -> None:
    """Run every call of this turn of every episode as one simulator batch; append the tool messages."""
    calls, toolsets, keys, owners = [], [], [], []
    for e in episodes:
        for call in e.messages[-1]["tool_calls"]:
            calls.append((call["function"]["name"], call["function"]["arguments"]))
            toolsets.append(e.tools)
            keys.append(f"{e.record.get('id')}:{call['id']}")
            owners.append((e, call))
    results = simulator.execute_many(calls, toolsets, keys)
    labels: dict[int, str | None] = {}
    for (e, call), result in zip(owners, results, strict=True):
        e.messages.append({"role": "tool", "tool_call_id": call["id"], "name": call["function"]["name"],
                           "content": result.content})
        if labels.get(id(e)) is None:
            labels[id(e)] = result.category
    for e in episodes:  # the turn's label: the first error category its feedback reported
        turn = max(i for i, m in enumerate(e.messages) if m["role"] == "assistant")
        e.messages[turn]["feedback_category"] = labels.get(id(e))


def _finish(e: Episode, source: str) -> dict[str, Any]:
    r = e.record
    categories = [m.get("feedback_category") for m in e.messages if m["role"] == "assistant"]
    meta = {**r.get("meta", {}), "trajectory": {
        "source": source, "turns": e.turns, "final": e.final,
        "errors": sum(c is not None for c in categories), "categories": [c for c in categories if c],
        "injected": e.injected}}
    return {"id": f"traj-{r.get('id')}", "type": r.get("type"), "messages": e.messages,
            "tools": r.get("tools") or [], "gold": r.get("gold") or [], "ranking": r.get("ranking") or [],
            "meta": meta}


def write_trajectories(out: Path, count: int, seed: int, error_rate: float, failure_rate: float,
                       progress: Callable[[int], Any] | None = None) -> int:
    """Oracle episodes for the first `count` records of `out/train.jsonl` into trajectories.jsonl (resumable)."""
    from toolgym.data.archetypes import load_catalog
    from toolgym.data.io import JsonlAppender, iter_jsonl

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
