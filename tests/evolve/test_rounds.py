"""Round generation: outcomes per query, resume after a kill mid-round (no duplicates, no losses), summaries,
training records; plus one real tiny round with the embedded model.

`ScriptedGenerator` is a deterministic implementation of the `Generator` protocol (not a mock of transformers):
it answers the tool-generation prompt and the invocation prompt from a script keyed on the query, so the
resume and voting logic can be checked exactly. The real model is exercised by `test_real_tiny_round`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolgym.core.formats import render_calls
from toolgym.core.schema import ToolCall
from toolgym.data.io import iter_jsonl
from toolgym.evolve.config import EvolveStageConfig
from toolgym.evolve.rounds import (
    SAMPLES,
    generate_round,
    read_rows,
    summarize_round,
    tool_generation_messages,
    training_records,
)

WEATHER = {"name": "get_weather", "description": "Weather of a city.", "parameters": {
    "type": "object", "properties": {"city": {"type": "string", "description": "City name"}}, "required": ["city"]}}


def hermes(city: str) -> str:
    return render_calls([ToolCall("get_weather", {"city": city})], "hermes")


# query kind -> (tool answer, k invocation answers)
SCRIPT = {
    "good": ("<tools>\n" + json.dumps(WEATHER) + "\n</tools>", [hermes("{c}")] * 4 + ["no idea"]),
    "tie": ("<tools>\n" + json.dumps(WEATHER) + "\n</tools>", [hermes("{c}")] * 2 + [hermes("Oslo")] * 2 + ["?"]),
    "badtool": ("<tools>\n{\"name\": \"get_weather\", \"parameters\": {\n</tools>", []),
    "nocall": ("<tools>\n" + json.dumps(WEATHER) + "\n</tools>", ["I can't."] * 3 + [hermes("{c}")] * 2),
    "halluc": ("<tools>\n" + json.dumps(WEATHER) + "\n</tools>",
               [render_calls([ToolCall("get_weather", {"city": "{c}", "zip": "1"})], "hermes")] * 5),
}


class ScriptedGenerator:
    """Deterministic Generator: answers from SCRIPT; raises after `fail_after` tool-generation queries."""

    tokenizer = None

    def __init__(self, fail_after: int | None = None) -> None:
        self.fail_after = fail_after
        self.tool_queries = 0
        self.invocations: list[int] = []

    def generate(self, prompts, **kwargs):  # not used by rounds (chat is)
        raise NotImplementedError

    def chat(self, batch, *, n=1, temperature=0.0, top_k=None, top_p=None, max_new_tokens=256, stop=None):
        out = []
        for messages, tools in batch:
            if messages[0]["role"] == "system":  # tool generation
                self.tool_queries += 1
                if self.fail_after is not None and self.tool_queries > self.fail_after:
                    raise RuntimeError("killed")
                out.append([self._script(messages[1]["content"])[0]])
            else:
                assert tools and n == 5 and top_k == 50
                kind_texts = self._script(messages[0]["content"])[1]
                city = messages[0]["content"].split()[-1]
                out.append([t.replace("{c}", city) for t in kind_texts])
                self.invocations.append(n)
        return out

    @staticmethod
    def _script(text: str):
        kind = next(k for k in SCRIPT if f"[{k}]" in text)
        return SCRIPT[kind]


KINDS = ["good", "tie", "badtool", "nocall", "halluc", "good", "good", "tie", "good", "badtool", "good"]


def queries() -> list[dict]:
    return [{"id": f"q{i:03d}", "query": f"[{kind}] weather in City{i}",
             "gold": [{"name": "get_weather", "arguments": {"city": f"City{i}" if i % 2 else "Elsewhere"}}]}
            for i, kind in enumerate(KINDS)]


def config(**kw) -> EvolveStageConfig:
    return EvolveStageConfig(**{"chunk_size": 3, **kw})


def test_outcomes_per_query(tmp_path: Path):
    generate_round(ScriptedGenerator(), queries(), tmp_path / SAMPLES, config(), progress=False)
    rows = {r["id"]: r for r in read_rows(tmp_path / SAMPLES)}
    reasons = [rows[f"q{i:03d}"]["reason"] for i in range(len(KINDS))]
    assert reasons == [None, "vote_tie", "tools_unparsable_json", "vote_no_call", "call_parameter_hallucination",
                       None, None, "vote_tie", None, "tools_unparsable_json", None]
    good = rows["q000"]
    assert good["calls"] == [{"name": "get_weather", "arguments": {"city": "City0"}}]
    assert (good["votes"], good["k"], good["abstained"]) == (4, 5, 0)
    assert good["gold_exact"] is False and rows["q005"]["gold_exact"] is True


def test_keep_no_call_makes_a_text_sample(tmp_path: Path):
    generate_round(ScriptedGenerator(), queries()[3:4], tmp_path / SAMPLES, config(keep_no_call=True),
                   progress=False)
    (row,) = read_rows(tmp_path / SAMPLES)
    assert row["status"] == "kept" and row["calls"] == []
    (record,) = training_records([row], 1)
    assert record["gold"] == [] and record["type"] == "no_tool"


def test_resume_after_kill_mid_round(tmp_path: Path):
    path = tmp_path / SAMPLES
    with pytest.raises(RuntimeError, match="killed"):
        generate_round(ScriptedGenerator(fail_after=7), queries(), path, config(), progress=False)
    first = [r["id"] for _, r in iter_jsonl(path)]
    assert first == [f"q{i:03d}" for i in range(6)]  # two whole chunks of 3; the third died before writing
    with path.open("a") as fh:  # a kill while writing leaves a torn line
        fh.write('{"id": "q006", "status": "ke')
    resumed = ScriptedGenerator()
    generate_round(resumed, queries(), path, config(), progress=False)
    ids = [r["id"] for _, r in iter_jsonl(path, strict=True)]
    assert sorted(ids) == [q["id"] for q in queries()]  # nothing lost
    assert len(ids) == len(set(ids))  # nothing twice
    assert resumed.tool_queries == len(KINDS) - 6  # only the missing queries were generated again
    # a rerun of a finished round does no work
    again = ScriptedGenerator(fail_after=0)
    generate_round(again, queries(), path, config(), progress=False)
    assert again.tool_queries == 0


def test_summary_counts_histogram_qc_and_diversity(tmp_path: Path):
    generate_round(ScriptedGenerator(), queries(), tmp_path / SAMPLES, config(), progress=False)
    summary = summarize_round(read_rows(tmp_path / SAMPLES), k=5)
    assert summary["queries"] == 11 and summary["kept"] == 5 and summary["dropped"] == 6
    assert summary["dropped_by_reason"] == {"call_parameter_hallucination": 1, "tools_unparsable_json": 2,
                                            "vote_no_call": 1, "vote_tie": 2}
    assert summary["vote_agreement_histogram"] == {"0/5": 0, "1/5": 0, "2/5": 2, "3/5": 1, "4/5": 5, "5/5": 1}
    assert summary["tools_rejected_by_reason"] == {"unparsable_json": 2}
    # gold city is City<i> for odd i: kept good queries are 0, 5, 6, 8, 10 -> only q005 matches
    assert summary["label_precision"] == {"with_gold": 5, "exact": 0.2, "values": 0.2}
    assert summary["tool_diversity"]["distinct_names"] == 1
    assert summary["tool_diversity"]["parameter_count_histogram"] == {"1": 5}


def test_training_records_feed_tool_generation_and_invocation(tmp_path: Path):
    from toolgym.data.tasks import build_examples

    generate_round(ScriptedGenerator(), queries(), tmp_path / SAMPLES, config(), progress=False)
    records = training_records(read_rows(tmp_path / SAMPLES), 2)
    assert len(records) == 5 and records[0]["id"] == "evolve-r2-q000"
    examples, stats = build_examples(records, {"invocation": 1.0, "tool_generation": 1.0})
    assert stats.bad_records == 0
    assert dict(stats.examples) == {"invocation": 5, "tool_generation": 5}
    generation = next(e for e in examples if e.task == "tool_generation")
    assert generation.messages[:2] == tool_generation_messages(records[0]["messages"][0]["content"])


def test_real_tiny_round(tmp_path: Path):
    """Two queries through the embedded model: every query gets exactly one outcome row."""
    from toolgym.models.generate import TransformersGenerator
    from toolgym.models.registry import load_model

    model, tokenizer = load_model("smollm2-135m")
    generator = TransformersGenerator(model, tokenizer, batch_size=16, progress=False)
    pool = [{"id": "a", "query": "What is the weather in Paris tomorrow?", "gold": None},
            {"id": "b", "query": "Convert 20 US dollars to euros.", "gold": None}]
    cfg = config(tool_max_new_tokens=48, invoke_max_new_tokens=24, k=3)
    timer = generate_round(generator, pool, tmp_path / SAMPLES, cfg, progress=False)
    rows = read_rows(tmp_path / SAMPLES)
    assert [r["id"] for r in rows] == ["a", "b"]
    for row in rows:
        assert row["status"] in ("kept", "dropped") and row["raw_tools"]
        assert (row["status"] == "kept") == (row["reason"] is None)
        if "samples" in row:
            assert len(row["samples"]) == 3
    assert timer.queries["tools"] == 2
