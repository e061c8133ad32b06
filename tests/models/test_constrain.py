"""models.constrain: grammar-constrained calls and the call gate, on the embedded model."""

from __future__ import annotations

import jsonschema
import pytest

from toolgym.core.errors import ToolgymError
from toolgym.core.formats import parse_calls, render_prompt
from toolgym.models.constrain import CALL_OPEN, CallPolicy, call_format, check_policy, drop_repeated_calls
from toolgym.models.generate import TransformersGenerator

pytest.importorskip("xgrammar")

BOOK = {"type": "function", "function": {
    "name": "book_table", "description": "Book a restaurant table.",
    "parameters": {"type": "object", "properties": {
        "restaurant": {"type": "string", "description": "Restaurant name."},
        "guests": {"type": "integer", "description": "Number of guests."},
        "time": {"type": "string", "enum": ["18:00", "19:00", "20:00"]}},
        "required": ["restaurant", "guests"]}}}
WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
TOOLS = [BOOK, WEATHER]
QUERY = [{"role": "user", "content": "Book a table for 4 at Chez Anna at 19:00, please."}]


def _gen(smol, **policy):
    model, tokenizer = smol
    return TransformersGenerator(model, tokenizer, batch_size=4, dtype="float32", progress=False,
                                 policy=CallPolicy(**policy))


@pytest.fixture(scope="module")
def prompt(smol):
    return render_prompt(smol[1], QUERY, TOOLS)


def _valid_calls(text):
    parsed = parse_calls(text, "hermes")
    schemas = {t["function"]["name"]: t["function"]["parameters"] for t in TOOLS}
    assert parsed.calls, text
    for call in parsed.calls:
        jsonschema.validate(call.arguments, schemas[call.name])  # required keys, types, enums
    return parsed.calls


def test_formats_by_choice():
    funcs = [{"name": "a", "parameters": {"type": "object"}}, {"name": "b", "parameters": {"type": "object"}}]
    plain = lambda schema: {"type": "json_schema", "json_schema": schema}  # noqa: E731
    assert call_format(funcs, "none", plain)["type"] == "any_text"
    assert call_format(funcs, "auto", plain)["type"] == "or"
    required = call_format(funcs, "required", plain)
    assert required["type"] == "tags_with_separator" and len(required["tags"]) == 2
    named = call_format(funcs, "b", plain)
    assert [t["begin"] for t in named["tags"]] == [f'{CALL_OPEN}\n{{"name": "b", "arguments": ']
    with pytest.raises(ToolgymError, match="not among the tools"):
        call_format(funcs, "c", plain)
    with pytest.raises(ToolgymError, match="at least one tool"):
        call_format([], "required", plain)
    with pytest.raises(ToolgymError, match="hermes"):
        check_policy(CallPolicy(constrain=True), "python")


def test_required_gives_schema_valid_calls_where_the_base_model_writes_prose(smol, prompt):
    free = _gen(smol).generate([prompt], max_new_tokens=60)[0][0]
    assert CALL_OPEN not in free  # the untrained model answers in prose
    text = _gen(smol, constrain=True, tool_choice="required").generate([prompt], max_new_tokens=80,
                                                                       tools=[TOOLS])[0][0]
    calls = _valid_calls(text)
    assert {c.name for c in calls} <= {"book_table", "get_weather"}
    order = ["restaurant", "guests", "time"]  # core.schema.parameter_order: required first, not alphabetical
    for call in calls:
        if call.name == "book_table":
            assert list(call.arguments) == [k for k in order if k in call.arguments], text


def test_the_grammar_asks_for_parameters_in_the_prompts_order():
    from toolgym.models.constrain import json_parameters

    schema = json_parameters(BOOK["function"]["parameters"])
    assert list(schema["properties"]) == ["restaurant", "guests", "time"]  # alphabetically: guests first


def test_named_choice_and_sampling_path(smol, prompt):
    gen = _gen(smol, constrain=True, tool_choice="get_weather")
    samples = gen.generate([prompt], n=3, temperature=1.0, max_new_tokens=60, seed=3, tools=[TOOLS])[0]
    assert len(samples) == 3
    for text in samples:  # model.generate() with the logits processor, not the greedy decoder
        assert {c.name for c in _valid_calls(text)} == {"get_weather"}


def test_none_never_calls_even_when_pushed(smol, prompt):
    text = _gen(smol, constrain=True, tool_choice="none", call_bias=50.0).generate(
        [prompt], max_new_tokens=40, tools=[TOOLS])[0][0]
    assert CALL_OPEN not in text and text.strip()


def test_call_margin_is_the_greedy_decision_and_the_bias_moves_it(smol, prompt):
    plain = _gen(smol)
    other = render_prompt(smol[1], [{"role": "user", "content": "What's the weather in Oslo?"}], TOOLS)
    margins = plain.call_margins([prompt, other])
    texts = [t[0] for t in plain.generate([prompt, other], max_new_tokens=4)]
    for margin, text in zip(margins, texts, strict=True):
        assert (margin > 0) == text.startswith("<")
    # a bias just past the margin flips the first token to the call opener; constrained, the call is valid
    pushed = _gen(smol, constrain=True, call_bias=-margins[0] + 0.5)
    assert _valid_calls(pushed.generate([prompt], max_new_tokens=80, tools=[TOOLS])[0][0])
    held = _gen(smol, call_bias=-margins[0] - 0.5).generate([prompt], max_new_tokens=4)[0][0]
    assert not held.startswith("<")


def test_policy_without_tools_is_plain_decoding(smol, prompt):
    assert _gen(smol, constrain=True).generate([prompt], max_new_tokens=12) == \
        _gen(smol).generate([prompt], max_new_tokens=12)
    with pytest.raises(ToolgymError, match="tool lists"):
        _gen(smol, constrain=True).generate([prompt], max_new_tokens=4, tools=[TOOLS, TOOLS])


def _block(name: str, arguments: str) -> str:
    return f'{CALL_OPEN}\n{{"name": "{name}", "arguments": {arguments}}}\n</tool_call>'


def test_repeated_calls_are_dropped_word_for_word_only():
    a, b = _block("a", '{"x": 1, "y": [2]}'), _block("b", "{}")
    a_reordered = '<tool_call>\n{"arguments": {"y": [2], "x": 1}, "name": "a"}\n</tool_call>'
    assert drop_repeated_calls(f"{a}\n{b}\n{a_reordered}\n{a}") == f"{a}\n{b}"
    near = _block("a", '{"x": 2, "y": [2]}')  # another value: another call
    assert drop_repeated_calls(f"{a}\n{near}") == f"{a}\n{near}"
    broken = f"{CALL_OPEN}\n{{not json}}\n</tool_call>"
    assert drop_repeated_calls(f"{broken}\n{broken}") == f"{broken}\n{broken}"  # unparsed blocks are kept
    assert drop_repeated_calls(f"{a}\n") == f"{a}\n" and drop_repeated_calls("prose") == "prose"


def test_distinct_calls_policy_applies_to_generated_answers(smol, prompt):
    looping = _gen(smol, constrain=True, tool_choice="get_weather")
    text = looping.generate([prompt], max_new_tokens=120, tools=[TOOLS])[0][0]
    once = _gen(smol, constrain=True, tool_choice="get_weather", distinct_calls=True).generate(
        [prompt], max_new_tokens=120, tools=[TOOLS])[0][0]
    assert once == drop_repeated_calls(text)
    assert CallPolicy(distinct_calls=True).identity()["distinct_calls"] is True
    assert "distinct_calls" not in CallPolicy(constrain=True).identity()


def test_prose_tokens_end_a_prose_answer_and_leave_calls_whole(smol, prompt):
    full = _gen(smol, constrain=True).generate([prompt], max_new_tokens=40, tools=[TOOLS])[0][0]
    assert CALL_OPEN not in full  # the untrained model commits to prose at the gate
    capped = _gen(smol, constrain=True, prose_tokens=5).generate([prompt], max_new_tokens=40, tools=[TOOLS])[0][0]
    assert full.startswith(capped) and len(capped) < len(full)
    assert len(smol[1](capped, add_special_tokens=False)["input_ids"]) <= 5
    sampled = _gen(smol, constrain=True, prose_tokens=3).generate([prompt], n=2, temperature=1.0, max_new_tokens=40,
                                                                  seed=1, tools=[TOOLS])[0]
    for text in sampled:  # model.generate() with the logits processor: capped the same way
        assert CALL_OPEN not in text and len(smol[1](text, add_special_tokens=False)["input_ids"]) <= 3
    # an answer the gate sends to calls is not capped: the call block is whole and valid
    called = _gen(smol, constrain=True, tool_choice="required", prose_tokens=2).generate(
        [prompt], max_new_tokens=80, tools=[TOOLS])[0][0]
    assert _valid_calls(called)
    with pytest.raises(ToolgymError, match="prose_tokens"):
        check_policy(CallPolicy(prose_tokens=4), "hermes")
    assert CallPolicy(constrain=True, prose_tokens=4).identity()["prose_tokens"] == 4
    assert "prose_tokens" not in CallPolicy(constrain=True).identity()  # earlier runs keep their identity
