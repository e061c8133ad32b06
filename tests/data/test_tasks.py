"""Samples -> training examples per task, rendered through the embedded model's chat template."""

from __future__ import annotations

import json

import pytest

from toolgym.core.errors import InputError
from toolgym.core.formats import parse_calls
from toolgym.core.schema import Sample
from toolgym.data.tasks import (
    NO_CALL_ANSWER,
    TASKS,
    build_examples,
    examples_for,
    parse_tools_block,
    render_example,
)


def _tool(name: str, description: str, props: dict) -> dict:
    return {"type": "function", "function": {"name": name, "description": description, "parameters": {
        "type": "object", "properties": props, "required": list(props)}}}


WEATHER = _tool("get_weather", "Current weather in a city.", {"city": {"type": "string", "description": "City"}})
FORECAST = _tool("get_weather_forecast", "Forecast for a city.",
                 {"city": {"type": "string", "description": "City"}, "days": {"type": "integer", "description": "Days"}})
RECORD = {"id": "r1", "type": "weak_to_strong", "messages": [{"role": "user", "content": "Forecast for Paris, 3 days"}],
          "tools": [WEATHER, FORECAST], "gold": [{"name": "get_weather_forecast", "arguments": {"city": "Paris", "days": 3}}],
          "ranking": ["get_weather_forecast", "get_weather"]}
NO_TOOL = {"id": "r2", "type": "no_tool", "messages": [{"role": "user", "content": "Tell me a joke"}],
           "tools": [WEATHER], "gold": []}
TRAJECTORY = {"id": "t1", "type": "single", "tools": [WEATHER], "gold": [], "messages": [
    {"role": "user", "content": "Weather in Rome?"},
    {"role": "assistant", "content": None, "feedback_category": "parameter_hallucination",
     "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": {"town": "Rome"}}}]},
    {"role": "tool", "tool_call_id": "c1", "content": "TypeError: unexpected keyword argument 'town'"},
    {"role": "assistant", "content": None, "feedback_category": None,
     "tool_calls": [{"id": "c2", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Rome"}}}]},
    {"role": "tool", "tool_call_id": "c2", "content": "{\"temp\": 21}"},
    {"role": "assistant", "content": "It is 21 degrees in Rome."}]}


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from toolgym.models.registry import resolve_model

    return AutoTokenizer.from_pretrained(str(resolve_model("smollm2-135m")))


def _span_texts(example, tokenizer) -> list[str]:
    rendered = render_example(example, tokenizer)
    return [rendered.text[lo:hi] for lo, hi, _ in rendered.spans]


def test_invocation_target_is_hermes_calls(tokenizer) -> None:
    [ex] = examples_for(Sample.from_record(RECORD), "invocation")
    [target] = _span_texts(ex, tokenizer)
    assert target.endswith(tokenizer.eos_token)
    parsed = parse_calls(target.removesuffix(tokenizer.eos_token), "hermes")
    assert parsed.status == "ok" and [(c.name, c.arguments) for c in parsed.calls] == [
        ("get_weather_forecast", {"city": "Paris", "days": 3})]
    text = render_example(ex, tokenizer).text
    assert "<tools>" in text and '"name":"get_weather"' in text  # tools reach the prompt (fallback system prompt)
    assert ex.call_names == {1: ["get_weather_forecast"]} and ex.candidates == ["get_weather", "get_weather_forecast"]


def test_no_call_gold_trains_a_text_answer(tokenizer) -> None:
    [ex] = examples_for(Sample.from_record(NO_TOOL), "invocation")
    assert _span_texts(ex, tokenizer) == [NO_CALL_ANSWER + tokenizer.eos_token]


def test_doc_adaption_and_tool_generation_targets_round_trip(tokenizer) -> None:
    sample = Sample.from_record(RECORD)
    docs = examples_for(sample, "doc_adaption")
    assert [d.messages[1]["content"].split(": ", 1)[1] for d in docs] == [
        "Current weather in a city.", "Forecast for a city."]
    assert parse_tools_block(docs[1].messages[-1]["content"]) == [FORECAST["function"]]
    [gen] = examples_for(sample, "tool_generation")
    assert "Forecast for Paris, 3 days" in gen.messages[1]["content"]
    [target] = _span_texts(gen, tokenizer)
    assert parse_tools_block(target) == [WEATHER["function"], FORECAST["function"]]  # the candidate toolset T
    assert examples_for(Sample.from_record(NO_TOOL), "tool_generation") == []


def test_tool_generation_targets_candidates_by_default_and_used_on_request(tokenizer) -> None:
    """ToolDev eqs. 3 and 6: query -> the candidate toolset T; "used" keeps toolgym's first target."""
    sample = Sample.from_record(RECORD)
    [candidates] = examples_for(sample, "tool_generation", tool_generation_target="candidates")
    [used] = examples_for(sample, "tool_generation", tool_generation_target="used")
    assert [t["name"] for t in parse_tools_block(candidates.messages[-1]["content"])] == [
        "get_weather", "get_weather_forecast"]
    assert parse_tools_block(_span_texts(used, tokenizer)[0]) == [FORECAST["function"]]
    made, _ = build_examples([RECORD], {"tool_generation": 1.0}, tool_generation_target="used")
    assert made[0].messages[-1]["content"] == used.messages[-1]["content"]
    made, _ = build_examples([RECORD], {"tool_generation": 1.0})
    assert made[0].messages[-1]["content"] == candidates.messages[-1]["content"]
    hallucinated = dict(RECORD, gold=[{"name": "not_a_tool", "arguments": {}}])
    assert examples_for(Sample.from_record(hallucinated), "tool_generation") == []  # T does not solve the query
    with pytest.raises(InputError, match="tool_generation_target"):
        build_examples([RECORD], {"tool_generation": 1.0}, tool_generation_target="all")


def test_ranking_target_from_record(tokenizer) -> None:
    [ex] = examples_for(Sample.from_record(RECORD), "ranking")
    [target] = _span_texts(ex, tokenizer)
    assert json.loads(target.removesuffix(tokenizer.eos_token)) == ["get_weather_forecast", "get_weather"]
    bad = dict(RECORD, ranking=["get_weather_forecast", "nope"])
    examples, stats = build_examples([bad, RECORD], {"ranking": 1.0})
    assert len(examples) == 1 and stats.bad_records == 1 and "ranking" in stats.errors[0]


def test_trajectory_keeps_feedback_per_turn(tokenizer) -> None:
    [ex] = examples_for(Sample.from_record(TRAJECTORY), "trajectory")
    assert ex.targets == [1, 3, 5]
    assert ex.feedback == {1: "parameter_hallucination", 3: None, 5: None}
    spans = _span_texts(ex, tokenizer)
    assert '"town": "Rome"' in spans[0] and '"city": "Rome"' in spans[1]
    assert spans[2] == "It is 21 degrees in Rome." + tokenizer.eos_token
    text = render_example(ex, tokenizer).text
    assert "unexpected keyword" in text and all("unexpected keyword" not in s for s in spans)


def _unlabelled(record: dict) -> dict:
    return dict(record, messages=[{k: v for k, v in m.items() if k != "feedback_category"} for m in record["messages"]])


def test_unlabelled_trajectory_is_labelled_from_its_tool_replies() -> None:
    """MAE for user-supplied trajectories: no `feedback_category` anywhere, so the tool replies are classified."""
    [ex] = examples_for(Sample.from_record(_unlabelled(TRAJECTORY)), "trajectory")
    assert ex.feedback == {1: "parameter_hallucination", 3: None, 5: None}
    replies = [{"role": "user", "content": "Weather in Oslo and Rome?"},
               {"role": "assistant", "content": None, "tool_calls": [
                   {"id": "a", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Oslo"}}},
                   {"id": "b", "type": "function", "function": {"name": "get_wether", "arguments": {"city": "Rome"}}}]},
               {"role": "tool", "tool_call_id": "a", "content": "{\"temp\": 3}"},
               {"role": "tool", "tool_call_id": "b", "content": "NameError: name 'get_wether' is not defined"},
               {"role": "assistant", "content": None, "tool_calls": [
                   {"id": "c", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Rome"}}}]},
               {"role": "tool", "tool_call_id": "c", "content": "503 Service Unavailable"},
               {"role": "user", "content": "And now?"},
               {"role": "assistant", "content": "Sorry."}]
    [multi] = examples_for(Sample.from_record(dict(TRAJECTORY, messages=replies)), "trajectory")
    assert multi.feedback == {1: "tool_hallucination", 4: "tool_instability", 7: None}


def test_stored_labels_win_over_the_classifier() -> None:
    # a labelled trajectory keeps its labels, even where a reply reads like an error
    [ex] = examples_for(Sample.from_record(TRAJECTORY), "trajectory")
    assert ex.feedback[3] is None
    # toolgym's own episodes (meta.trajectory) are labelled even when every call succeeded
    made = dict(_unlabelled(TRAJECTORY), meta={"trajectory": {"source": "oracle"}})
    [own] = examples_for(Sample.from_record(made), "trajectory")
    assert own.feedback == {1: None, 3: None, 5: None}


def test_task_mix_rates_are_seeded() -> None:
    records = [dict(RECORD, id=f"r{i}") for i in range(40)]
    full, _ = build_examples(records, {"invocation": 1.0})
    half, _ = build_examples(records, {"invocation": 0.5}, seed=3)
    again, _ = build_examples(records, {"invocation": 0.5}, seed=3)
    double, _ = build_examples(records, {"invocation": 2.0})
    assert len(full) == 40 and len(double) == 80
    assert 10 < len(half) < 30 and [e.id for e in half] == [e.id for e in again]


def test_bad_record_is_counted_and_named() -> None:
    broken = {"id": "b1", "type": "single", "messages": [{"role": "user", "content": "x"}],
              "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "array"}}}]}
    examples, stats = build_examples([broken, RECORD], list(TASKS), file="train.jsonl")
    assert stats.bad_records == 1 and "train.jsonl" in stats.errors[0] and "tools[0]" in stats.errors[0]
    assert {e.task for e in examples} == {"invocation", "doc_adaption", "tool_generation", "ranking"}
