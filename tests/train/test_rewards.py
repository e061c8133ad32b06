"""IRM reward: every row of TL-Training's table, the parallel and no-call extensions, malformed output."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolgym.core.schema import Tool
from toolgym.train.rewards import (
    IRMCategory,
    compute_score,
    irm_category,
    irm_reward,
    irm_reward_func,
    irm_score,
)

TOOLS = [
    {"type": "function", "function": {
        "name": "get_weather", "description": "Weather for a city.",
        "parameters": {"type": "object", "properties": {
            "city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]},
            "days": {"type": "integer"}},
            "required": ["city"]}}},
    {"type": "function", "function": {
        "name": "get_time", "description": "Time in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
]
GOLD = [{"name": "get_weather", "arguments": {"city": "Paris", "unit": "c"}}]


def call(name: str, **args: object) -> str:
    return "<tool_call>\n" + json.dumps({"name": name, "arguments": args}) + "\n</tool_call>"


@pytest.mark.parametrize(("completion", "reward", "category"), [
    ("<tool_call>{\"name\": \"get_weather\", \"argum", -2.0, "unparsable"),
    (call("book_flight", city="Paris", unit="c"), -2.0, "unknown_tool"),
    (call("get_time", city="Paris"), -1.5, "wrong_tool"),
    # hallucinated (country) + redundant (days) + missing (unit)
    (call("get_weather", city="Paris", days=2, country="FR"), -1.8, "halluc_redundant_missing"),
    (call("get_weather", city="Paris", unit="c", days=2, country="FR"), -1.3, "halluc_redundant_or_missing"),
    (call("get_weather", city="Paris", country="FR"), -1.3, "halluc_redundant_or_missing"),
    (call("get_weather", city="Paris", days=3), -1.0, "redundant_missing"),
    (call("get_weather", city="Paris", unit="c", country="FR"), -0.8, "halluc"),
    (call("get_weather", city="Paris", unit="c", days=3), -0.5, "redundant_or_missing"),
    (call("get_weather", city="Paris"), -0.5, "redundant_or_missing"),
    (call("get_weather", city="London", unit="c"), -0.25, "wrong_values"),
    (call("get_weather", city="Paris", unit="c"), 1.0, "correct"),
    (call("get_weather", unit="c", city="paris "), 1.0, "correct"),  # BFCL string normalisation, any key order
])
def test_irm_table_rows(completion: str, reward: float, category: str) -> None:
    assert irm_reward(completion, TOOLS, GOLD) == pytest.approx(reward)
    assert irm_category(completion, TOOLS, GOLD) == category


def test_numbers_compare_canonically() -> None:
    gold = [{"name": "get_weather", "arguments": {"city": "Paris", "days": 3}}]
    assert irm_reward(call("get_weather", city="Paris", days=3.0), TOOLS, gold) == 1.0
    assert irm_reward(call("get_weather", city="Paris", days="3"), TOOLS, gold) == -0.25


def test_text_answer_when_a_call_is_expected() -> None:
    assert irm_score("It is sunny in Paris.", TOOLS, GOLD).category is IRMCategory.no_call
    assert irm_reward("It is sunny in Paris.", TOOLS, GOLD) == -2.0


def test_no_call_gold() -> None:
    assert irm_reward("I cannot help with that using these tools.", TOOLS, []) == 1.0
    assert irm_category("I cannot help with that using these tools.", TOOLS, []) == "correct_no_call"
    assert irm_reward(call("get_time", city="Paris"), TOOLS, []) == -1.5
    assert irm_reward(call("get_time", city="Paris") + call("get_time", city="Rome"), TOOLS, []) == -1.5


def test_parallel_calls_are_matched_in_any_order() -> None:
    gold = [{"name": "get_weather", "arguments": {"city": "Paris"}},
            {"name": "get_time", "arguments": {"city": "Rome"}}]
    right = call("get_time", city="Rome") + "\n" + call("get_weather", city="Paris")
    assert irm_reward(right, TOOLS, gold) == 1.0
    half = call("get_time", city="Rome") + "\n" + call("get_weather", city="Oslo")
    assert irm_reward(half, TOOLS, gold) == pytest.approx((1.0 - 0.25) / 2)
    # the assignment maximises the summed reward: Rome/Paris are paired with the same-tool golds
    swapped = call("get_weather", city="Rome") + "\n" + call("get_time", city="Paris")
    assert irm_reward(swapped, TOOLS, gold) == pytest.approx(-0.25)


def test_parallel_missing_and_surplus_calls() -> None:
    gold = [{"name": "get_weather", "arguments": {"city": "Paris"}},
            {"name": "get_time", "arguments": {"city": "Rome"}}]
    one = call("get_time", city="Rome")
    assert irm_score(one, TOOLS, gold).slots == [IRMCategory.correct, IRMCategory.missing_call]
    assert irm_reward(one, TOOLS, gold) == pytest.approx((1.0 - 2.0) / 2)
    surplus = call("get_weather", city="Paris", unit="c") + call("get_time", city="Paris")
    result = irm_score(surplus, TOOLS, GOLD)
    assert result.reward == pytest.approx((1.0 - 1.5) / 2)
    assert result.category is IRMCategory.surplus_call


def test_parallel_beyond_brute_force_uses_greedy() -> None:
    gold = [{"name": "get_time", "arguments": {"city": f"c{i}"}} for i in range(9)]
    text = "".join(call("get_time", city=f"c{i}") for i in reversed(range(9)))
    assert irm_reward(text, TOOLS, gold) == 1.0


def test_sanitized_tool_names_are_in_the_toolset() -> None:
    tools = [{"name": "math.add", "description": "Add.", "parameters": {
        "type": "dict", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]}}]
    gold = [{"name": "math.add", "arguments": {"a": 1, "b": 2}}]
    safe = Tool.from_dict(tools[0]).safe_name
    assert safe != "math.add"
    assert irm_reward(call(safe, a=1, b=2), tools, gold) == 1.0
    assert irm_reward("[math.add(a=1, b=2)]", tools, gold) == 1.0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_malformed_output_never_raises(text: str) -> None:
    reward = irm_reward(text, TOOLS, GOLD)
    assert -2.0 <= reward <= 1.0
    assert irm_reward("<tool_call>" + text, TOOLS, GOLD) in (-2.0, -1.5, -1.8, -1.3, -1.0, -0.8, -0.5, -0.25, 1.0)


def test_trl_reward_func_reads_dataset_columns() -> None:
    completions = [call("get_weather", city="Paris", unit="c"), [{"role": "assistant", "content": "no idea"}]]
    rewards = irm_reward_func(["p1", "p2"], completions, tools=[json.dumps(TOOLS), TOOLS],
                              gold=[json.dumps(GOLD), GOLD], trainer_state=None)
    assert rewards == [1.0, -2.0]
    with pytest.raises(ValueError, match="tools"):
        irm_reward_func(["p"], ["x"])


def test_verl_compute_score() -> None:
    extra = {"tools": json.dumps(TOOLS)}
    assert compute_score("toolgym", call("get_weather", city="Paris", unit="c"), json.dumps(GOLD), extra) == 1.0
    assert compute_score("toolgym", call("get_time", city="Paris"), json.dumps(GOLD), extra) == -1.5
    assert compute_score("toolgym", "anything", "{not json", extra) == -2.0
