"""ToolDev self-evolution (stage 3): rounds of self-labelled data, retraining and best-round selection.

One round, for every query of its slice of the pool, in chunks (all queries of a chunk batched together):
(a) the current model writes candidate tools (ToolDev Fig. 7 prompt, temperature 1.0); (b) `rules.check_tools`
keeps the valid ones; (c) k invocations are sampled against them (top-k sampling; the k samples of a query
share one prefill through the generator's `n`); (d) `voting.majority_vote` labels the query; (e)
`rules.call_problem` rule-checks the winner; (f) `<query, tools, calls>` is kept. Every query's outcome (kept,
or dropped with its reason) is one line of `round_<r>/samples.jsonl`, appended chunk by chunk, so a killed round
resumes with the queries not yet on disk: none lost, none twice. Then the model is retrained from the current
adapter on tool generation + invocation over the kept samples (ToolDev eq. 6, `train.sft.train_sft`), scored on
the held-out dev set (`eval.runner.run_suite`), and `round_<r>/manifest.json` records counts, the vote agreement
histogram, QC against the engine's gold labels, tool diversity, timings and dev metrics. The best round on dev
(round 0 = the input adapter, unless disabled) is the stage's output.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from toolgym.core.formats import supports_tools
from toolgym.core.match import as_pairs, calls_equal, canonical_value
from toolgym.core.progress import progress_bar
from toolgym.core.schema import Tool, ToolCall, sanitize_name
from toolgym.data.io import JsonlAppender, iter_jsonl
from toolgym.data.tasks import TOOL_GENERATION_USER, TOOL_SIGNATURE_SYSTEM
from toolgym.evolve.config import EvolveStageConfig
from toolgym.evolve.rules import call_problem, check_tools
from toolgym.evolve.voting import majority_vote, sample_calls

console = Console(stderr=True)
SAMPLES = "samples.jsonl"
STEPS = ("tools", "invoke", "vote")


# ------------------------------------------------------------------------------------------------ prompts

def tool_generation_messages(query: str) -> list[dict[str, str]]:
    """The tool-generation prompt, exactly as the `tool_generation` training task renders it."""
    return [{"role": "system", "content": TOOL_SIGNATURE_SYSTEM},
            {"role": "user", "content": TOOL_GENERATION_USER.format(query=query)}]


def prompt_tools(tools: Sequence[Tool], sanitize: bool) -> list[Tool]:
    """Tools as the model sees them: OpenAI-safe names when the template (or server) takes `tools=`."""
    return [Tool(sanitize_name(t.name), t.description, t.parameters, dict(t.extra)) if sanitize else t
            for t in tools]


def wants_safe_names(generator: Any) -> bool:
    tokenizer = getattr(generator, "tokenizer", None)
    return True if tokenizer is None else supports_tools(tokenizer)


# ------------------------------------------------------------------------------------------------ QC

def value_signature(calls: Sequence[Any]) -> list:
    """Calls reduced to their argument values (names of tools and parameters ignored), order-free."""
    sigs = [sorted(repr(canonical_value(v, loose_strings=True)) for v in args.values())
            for _, args in as_pairs(calls)]
    return sorted(sigs)


def gold_checks(calls: list[ToolCall], gold: list[dict] | None) -> tuple[bool | None, bool | None]:
    """(exact, values): do the voted calls equal the engine's gold (BFCL string normalisation), and do their
    argument values match even where the model named its tools or parameters differently? None = no gold."""
    if gold is None:
        return None, None
    exact = calls_equal(calls, gold, loose_strings=True)
    return exact, exact or value_signature(calls) == value_signature(gold)


# ------------------------------------------------------------------------------------------------ one round

@dataclass
class RoundTimer:
    """Wall seconds and queries handled per step (tools / invoke / vote) of this process."""

    seconds: Counter = field(default_factory=Counter)
    queries: Counter = field(default_factory=Counter)

    def add(self, step: str, seconds: float, queries: int) -> None:
        self.seconds[step] += seconds
        self.queries[step] += queries

    def to_dict(self) -> dict[str, Any]:
        return {step: {"seconds": round(self.seconds[step], 3), "queries": self.queries[step],
                       "queries_per_second": round(self.queries[step] / self.seconds[step], 3)
                       if self.seconds[step] > 0 else None} for step in STEPS if self.queries[step]}


def done_ids(path: Path) -> set[str]:
    """Ids already on disk (a torn last line is cut first by JsonlAppender; read after opening it)."""
    return {record["id"] for _, record in iter_jsonl(path)} if path.is_file() else set()


def label_chunk(generator: Any, chunk: list[dict[str, Any]], config: EvolveStageConfig,
                timer: RoundTimer) -> list[dict[str, Any]]:
    """Steps (a)–(f) for a chunk of queries, batched; one outcome row per query, in order."""
    started = time.perf_counter()
    tool_texts = generator.chat([(tool_generation_messages(q["query"]), []) for q in chunk], n=1,
                                temperature=config.tool_temperature, top_p=config.tool_top_p,
                                max_new_tokens=config.tool_max_new_tokens, stop=["</tools>"])
    timer.add("tools", time.perf_counter() - started, len(chunk))

    rows, todo = [], []
    for query, texts in zip(chunk, tool_texts, strict=True):
        check = check_tools(texts[0], config.max_tools)
        row = {"id": query["id"], "query": query["query"], "raw_tools": texts[0][:4000],
               "tools_rejected": dict(check.rejected), "tools": [t.to_openai() for t in check.tools]}
        if check.tools:
            todo.append((row, query, check.tools))
        else:
            row.update(status="dropped", reason=f"tools_{check.first_reason}")
        rows.append(row)

    if todo:
        sanitize = wants_safe_names(generator)
        started = time.perf_counter()
        samples = generator.chat(
            [([{"role": "user", "content": q["query"]}], [t.to_openai() for t in prompt_tools(tools, sanitize)])
             for _, q, tools in todo],
            n=config.k, temperature=config.invoke_temperature, top_k=config.invoke_top_k,
            max_new_tokens=config.invoke_max_new_tokens)
        timer.add("invoke", time.perf_counter() - started, len(todo))
        started = time.perf_counter()
        for (row, query, tools), texts in zip(todo, samples, strict=True):
            vote_and_check(row, query, tools, texts, config)
        timer.add("vote", time.perf_counter() - started, len(todo))
    return rows


def vote_and_check(row: dict[str, Any], query: dict[str, Any], tools: list[Tool], texts: list[str],
                   config: EvolveStageConfig) -> None:
    """Steps (d)–(f): vote, rule-check the winner, and fill the row's status, reason, calls and QC fields."""
    vote = majority_vote([sample_calls(t, tools) for t in texts], config.min_agreement,
                         loose_strings=config.loose_strings)
    row.update(samples=texts, outcome=vote.outcome, votes=vote.votes, k=vote.k, abstained=vote.abstained,
               distinct=vote.distinct, calls=[c.to_openai()["function"] for c in vote.calls])
    if vote.outcome == "no_call" and config.keep_no_call:
        row.update(status="kept", reason=None, calls=[])
    elif vote.outcome != "call":
        row.update(status="dropped", reason=f"vote_{vote.outcome}")
    elif problem := call_problem(vote.calls, tools):
        row.update(status="dropped", reason=problem)
    else:
        row.update(status="kept", reason=None)
    if row["status"] == "kept":
        row["gold_exact"], row["gold_values"] = gold_checks(vote.calls, query.get("gold"))


def generate_round(generator: Any, queries: list[dict[str, Any]], path: Path, config: EvolveStageConfig, *,
                   progress: bool = True, on_chunk: Callable[[int], None] | None = None) -> RoundTimer:
    """Label every query not yet in `path` (JSONL, one outcome row per query), appending chunk by chunk.

    `on_chunk(rows_written_so_far)` runs after each flushed chunk (progress hooks; tests use it to kill a run).
    """
    timer = RoundTimer()
    with JsonlAppender(path) as sink:
        done = done_ids(path)
        todo = [q for q in queries if q["id"] not in done]
        with progress_bar(len(queries), "evolve round", enabled=progress, done=len(queries) - len(todo)) as advance:
            for start in range(0, len(todo), config.chunk_size):
                chunk = todo[start:start + config.chunk_size]
                for row in label_chunk(generator, chunk, config, timer):
                    sink.write(row)
                advance(len(chunk))
                if on_chunk is not None:
                    on_chunk(len(done) + start + len(chunk))
    return timer


# ------------------------------------------------------------------------------------------------ summaries

def summarize_round(rows: list[dict[str, Any]], k: int) -> dict[str, Any]:
    """Counts, vote agreement histogram, QC against gold and tool diversity of one round's rows."""
    kept = [r for r in rows if r.get("status") == "kept"]
    voted = [r for r in rows if "votes" in r]
    histogram = Counter(int(r["votes"]) for r in voted)
    with_gold = [r for r in kept if r.get("gold_exact") is not None]
    tools = [t["function"] for r in kept for t in r.get("tools", [])]
    all_tools = [t["function"] for r in rows for t in r.get("tools", [])]
    params = [len((t.get("parameters") or {}).get("properties") or {}) for t in tools]
    return {
        "queries": len(rows),
        "kept": len(kept),
        "dropped": len(rows) - len(kept),
        "dropped_by_reason": dict(sorted(Counter(r["reason"] for r in rows if r.get("status") != "kept").items())),
        "tools_rejected_by_reason": dict(sorted(sum((Counter(r.get("tools_rejected", {})) for r in rows),
                                                    Counter()).items())),
        "tools_accepted": len(all_tools),
        "vote_outcomes": dict(sorted(Counter(r["outcome"] for r in voted).items())),
        "vote_agreement_histogram": {f"{v}/{k}": histogram.get(v, 0) for v in range(k + 1)},
        "mean_agreement": round(sum(r["votes"] for r in voted) / (k * len(voted)), 4) if voted else None,
        "label_precision": {
            "with_gold": len(with_gold),
            "exact": round(sum(bool(r["gold_exact"]) for r in with_gold) / len(with_gold), 4) if with_gold else None,
            "values": round(sum(bool(r["gold_values"]) for r in with_gold) / len(with_gold), 4)
            if with_gold else None,
        },
        "tool_diversity": {
            "tools": len(tools),
            "distinct_names": len({t.get("name") for t in tools}),
            "distinct_name_ratio": round(len({t.get("name") for t in tools}) / len(tools), 4) if tools else None,
            "parameter_count_histogram": {str(n): c for n, c in sorted(Counter(params).items())},
            "parameter_count_mean": round(statistics.fmean(params), 3) if params else None,
            "parameter_count_stdev": round(statistics.pstdev(params), 3) if params else None,
        },
    }


def training_records(rows: list[dict[str, Any]], round_index: int) -> list[dict[str, Any]]:
    """Contract records (query, generated tools, voted calls) for retraining on the kept rows."""
    out = []
    for row in rows:
        if row.get("status") != "kept":
            continue
        calls = row.get("calls") or []
        kind = "parallel" if len(calls) > 1 else "single" if calls else "no_tool"
        out.append({"id": f"evolve-r{round_index}-{row['id']}", "type": kind,
                    "messages": [{"role": "user", "content": row["query"]}], "tools": row["tools"],
                    "gold": [{"name": c["name"], "arguments": _arguments(c)} for c in calls],
                    "meta": {"source": "evolve", "round": round_index}})
    return out


def _arguments(call: dict[str, Any]) -> dict[str, Any]:
    args = call.get("arguments") or {}
    return json.loads(args) if isinstance(args, str) else dict(args)


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [record for _, record in iter_jsonl(path)] if path.is_file() else []
