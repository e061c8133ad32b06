"""The rule checker (calls vs toolset) and the tool-feedback classifier."""

from __future__ import annotations

import pytest

from toolgym.core.checker import ErrorCategory, Verdict, check_calls, check_text, classify_feedback
from toolgym.core.schema import Tool, ToolCall

E = ErrorCategory

FACTORIAL = Tool.from_bfcl({
    "name": "math.factorial", "description": "Factorial.",
    "parameters": {"type": "dict", "properties": {"number": {"type": "integer"}}, "required": ["number"]}})
SEARCH = Tool.from_bfcl({
    "name": "hotel.search", "description": "Find hotels.",
    "parameters": {"type": "dict", "required": ["city"], "properties": {
        "city": {"type": "string"},
        "price": {"type": "float"},
        "stars": {"type": "integer", "enum": [3, 4, 5]},
        "sort": {"type": "string", "enum": ["price", "rating"]},
        "amenities": {"type": "array", "items": {"type": "string"}, "enum": ["wifi", "pool", "gym"]},
        "dates": {"type": "tuple", "items": {"type": "string"}},
        "guests": {"type": "dict", "required": ["adults"], "properties": {
            "adults": {"type": "integer"}, "children": {"type": "integer"}}},
        "filters": {"type": "array", "items": {"type": "dict", "properties": {
            "name": {"type": "string"}, "value": {"type": "any"}}}},
        "extra": {"type": "any"},
        "flag": {"type": "boolean"},
    }}})
TOOLS = [FACTORIAL, SEARCH]


def verdict(name: str, args: dict) -> Verdict:
    return check_calls([ToolCall(name, args)], TOOLS)


def summary(v: Verdict) -> list[tuple[str, str | None]]:
    return [(e.category.value, e.field) for e in v.errors]


def test_category_names_match_the_contract():
    assert [c.value for c in ErrorCategory] == [
        "tool_hallucination", "parameter_hallucination", "parameter_missing", "wrong_type", "enum_violation",
        "unparsable", "tool_instability", "tool_call_failure", "others"]
    assert ErrorCategory("wrong_type") is E.wrong_type and E.others == "others"


def test_valid_calls_pass_with_original_or_sanitized_name():
    args = {"city": "Oslo", "price": 120, "stars": 4, "sort": "price", "amenities": ["wifi", "gym"],
            "dates": ["2024-01-01", "2024-01-03"], "guests": {"adults": 2}, "flag": False,
            "filters": [{"name": "view", "value": [1, {"x": None}]}], "extra": {"anything": 1}}
    for name in ("hotel.search", SEARCH.safe_name):
        v = verdict(name, args)
        assert v.ok and v.errors == [] and v.categories == [], summary(v)
    assert verdict("math.factorial", {"number": 5}).ok


def test_tool_hallucination():
    v = verdict("math.fact", {"number": 5})
    assert not v.ok and summary(v) == [("tool_hallucination", None)]
    assert v.errors[0].tool == "math.fact" and v.errors[0].call_index == 0


def test_parameter_hallucination_and_missing():
    v = verdict("math.factorial", {"n": 5})
    assert summary(v) == [("parameter_hallucination", "n"), ("parameter_missing", "number")]
    assert v.categories == [E.parameter_hallucination, E.parameter_missing]


@pytest.mark.parametrize(("args", "field"), [
    ({"number": 5.0}, "number"),       # a float is not an integer, even when whole
    ({"number": True}, "number"),      # a bool is not an integer
    ({"number": "5"}, "number"),
    ({"number": None}, "number"),
])
def test_wrong_type_integer(args, field):
    assert summary(verdict("math.factorial", args)) == [("wrong_type", field)]


def test_int_is_a_number_but_bool_is_not():
    assert verdict("hotel.search", {"city": "x", "price": 3}).ok
    assert summary(verdict("hotel.search", {"city": "x", "price": True})) == [("wrong_type", "price")]
    assert summary(verdict("hotel.search", {"city": "x", "flag": 0})) == [("wrong_type", "flag")]


def test_enum_violations_scalar_and_per_array_element():
    assert summary(verdict("hotel.search", {"city": "x", "sort": "name"})) == [("enum_violation", "sort")]
    assert summary(verdict("hotel.search", {"city": "x", "stars": 2})) == [("enum_violation", "stars")]
    v = verdict("hotel.search", {"city": "x", "amenities": ["wifi", "spa"]})
    assert summary(v) == [("enum_violation", "amenities[1]")]


def test_nested_objects_and_arrays():
    v = verdict("hotel.search", {"city": "x", "guests": {"children": 1}})
    assert summary(v) == [("parameter_missing", "guests.adults")]
    v = verdict("hotel.search", {"city": "x", "guests": {"adults": 2, "pets": 1}})
    assert summary(v) == [("parameter_hallucination", "guests.pets")]
    v = verdict("hotel.search", {"city": "x", "guests": {"adults": "two"}})
    assert summary(v) == [("wrong_type", "guests.adults")]
    v = verdict("hotel.search", {"city": "x", "filters": [{"name": 3}], "dates": "2024"})
    assert sorted(summary(v)) == [("wrong_type", "dates"), ("wrong_type", "filters[0].name")]


def test_several_calls_report_their_index():
    v = check_calls([ToolCall("math.factorial", {"number": 1}), ToolCall("nope", {}),
                     ToolCall("hotel.search", {})], TOOLS)
    assert [(e.call_index, e.category) for e in v.errors] == [(1, E.tool_hallucination), (2, E.parameter_missing)]


def test_tools_may_be_openai_dicts_and_bad_ones_are_ignored():
    tools = [FACTORIAL.to_openai(), {"function": "garbage"}]
    assert check_calls([ToolCall("math.factorial", {"number": 3})], tools).ok
    assert check_calls([ToolCall("x", {})], tools).categories == [E.tool_hallucination]


def test_bfcl_docs_are_recognised_as_tools():
    doc = FACTORIAL.to_bfcl()
    assert check_calls([ToolCall("math.factorial", {"number": 3})], [doc]).ok
    assert check_calls([ToolCall("math.factorial", {"number": 3.5})], [doc]).categories == [E.wrong_type]


def test_additional_properties_respected():
    open_tool = Tool(name="log", parameters={"type": "object", "properties": {}, "additionalProperties": True})
    typed = Tool(name="tag", parameters={"type": "object", "properties": {},
                                         "additionalProperties": {"type": "string"}})
    assert check_calls([ToolCall("log", {"anything": [1]})], [open_tool]).ok
    assert check_calls([ToolCall("tag", {"k": 1})], [typed]).categories == [E.wrong_type]


def test_a_broken_schema_does_not_crash_the_checker():
    weird = Tool(name="w", parameters={"type": "object", "properties": {"a": {"type": "dict"}}})
    v = check_calls([ToolCall("w", {"a": {}})], [weird])
    assert v.categories == [E.others]


# ------------------------------------------------------------------ check_text

def test_check_text_parses_and_checks():
    v = check_text('<tool_call>{"name": "math.factorial", "arguments": {"number": 5}}</tool_call>', TOOLS)
    assert v.ok and v.calls == [ToolCall("math.factorial", {"number": 5})] and v.parse.status == "ok"
    v = check_text("[math.factorial(number='5')]", TOOLS)
    assert v.categories == [E.wrong_type]


def test_check_text_unparsable_partial_and_prose():
    v = check_text('<tool_call>{"name": "math.factorial", "arguments": {"number": 5</tool_call>', TOOLS)
    assert not v.ok and v.categories == [E.unparsable] and v.errors[0].call_index == -1
    v = check_text("[math.factorial(number=5), hotel.search('Oslo')]", TOOLS)
    assert v.categories == [E.unparsable] and len(v.calls) == 1
    v = check_text("[math.factorial(n=5), hotel.search('Oslo')]", TOOLS)
    assert v.categories == [E.unparsable, E.parameter_hallucination, E.parameter_missing]
    v = check_text("The factorial of 5 is 120.", TOOLS)
    assert v.ok and v.calls == [] and v.parse.status == "no_call"


# ------------------------------------------------------------------ feedback

@pytest.mark.parametrize(("text", "category"), [
    ("NameError: name 'get_wether' is not defined", E.tool_hallucination),
    ("Error: function 'foo' not found", E.tool_hallucination),
    ("TypeError: search() got an unexpected keyword argument 'town'", E.parameter_hallucination),
    ("TypeError: search() missing 1 required positional argument: 'city'", E.parameter_missing),
    ("Missing required parameter: city", E.parameter_missing),
    ("This operation is not supported for the given account.", E.tool_call_failure),
    ('{"error": "city must be a valid city name"}', E.tool_call_failure),
    ("Invalid API call: wrong date format", E.tool_call_failure),
    ("Response error: empty body", E.tool_call_failure),
    ("400 Client Error: Bad Request for url: https://api.example.com", E.tool_call_failure),
    ("404 Client Error: Not Found for url", E.tool_call_failure),
    ("requests.exceptions.ConnectionError: Max retries exceeded", E.tool_instability),
    ("503 Server Error: Service Unavailable", E.tool_instability),
    ("The request timed out after 30s", E.tool_instability),
    ("ReadTimeout: HTTPSConnectionPool", E.tool_instability),
    ("Rate limit exceeded, retry later", E.tool_instability),
    ('{"error": "ConnectionError: refused"}', E.tool_instability),
    ("ValueError: could not convert", E.others),
    ("Operation failed.", E.others),
    ("Traceback (most recent call last):\n  ...", E.others),
])
def test_classify_feedback_errors(text, category):
    assert classify_feedback(text) is category


@pytest.mark.parametrize("text", [
    '{"temperature": 21, "unit": "c"}', "120", "", '{"result": [1, 2], "error": null}',
    '{"status": "ok", "timeout": 30}', "Booked room 12 for 2 adults.", '{"errors": []}', None,
])
def test_classify_feedback_success(text):
    assert classify_feedback(text) is None
