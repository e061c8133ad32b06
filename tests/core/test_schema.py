"""Tool / ToolCall / Message / Sample: conversions, validation, errors; BFCL and OpenAI round trips."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolgym.core.errors import InputError
from toolgym.core.schema import (
    BFCL_TYPE_KEY,
    OPENAI_NAME,
    Message,
    Sample,
    Tool,
    ToolCall,
    ToolSchemaError,
    sanitize_name,
    unsanitize_name,
)

BFCL_DOC = {
    "name": "math.factorial",
    "description": "Calculate the factorial of a given number.",
    "parameters": {
        "type": "dict",
        "properties": {
            "number": {"type": "integer", "description": "The number."},
            "scale": {"type": "float", "description": "A factor.", "default": 1.0},
            "point": {"type": "tuple", "items": {"type": "float"}, "description": "x, y"},
            "anything": {"type": "any", "description": "free"},
            "opts": {"type": "dict", "properties": {"fast": {"type": "boolean"}}, "required": ["fast"]},
            "unit": {"type": "string", "enum": ["m", "ft"]},
        },
        "required": ["number"],
    },
}


# ------------------------------------------------------------------ BFCL <-> JSON Schema

def test_from_bfcl_gives_json_schema_types():
    tool = Tool.from_bfcl(BFCL_DOC)
    props = tool.parameters["properties"]
    assert tool.parameters["type"] == "object"
    assert props["scale"]["type"] == "number" and BFCL_TYPE_KEY not in props["scale"]
    assert props["point"]["type"] == "array" and props["point"][BFCL_TYPE_KEY] == "tuple"
    assert props["point"]["items"]["type"] == "number"
    assert "type" not in props["anything"] and props["anything"][BFCL_TYPE_KEY] == "any"
    assert props["opts"]["type"] == "object"
    assert tool.validate() is tool


@pytest.mark.parametrize(("bfcl_type", "json_type", "annotation"), [
    ("dict", "object", None), ("float", "number", None), ("integer", "integer", None), ("string", "string", None),
    ("boolean", "boolean", None), ("array", "array", None), ("tuple", "array", "tuple"), ("any", None, "any"),
    ("HashMap", None, "HashMap"), ("String", None, "String"), ("", None, ""), ("object", "object", "object"),
])
def test_bfcl_type_mapping(bfcl_type, json_type, annotation):
    doc = {"name": "f", "description": "", "parameters": {"type": "dict", "properties": {
        "p": {"type": bfcl_type, "description": "d"}}}}
    prop = Tool.from_bfcl(doc).parameters["properties"]["p"]
    assert prop.get("type") == json_type and prop.get(BFCL_TYPE_KEY) == annotation
    assert Tool.from_bfcl(doc).to_bfcl() == doc


def test_to_bfcl_is_exact_including_key_order():
    tool = Tool.from_bfcl(BFCL_DOC)
    assert tool.to_bfcl() == BFCL_DOC
    assert json.dumps(tool.to_bfcl()) == json.dumps(BFCL_DOC)
    assert BFCL_DOC["parameters"]["type"] == "dict"  # the input was not mutated


def test_openai_wrapped_and_bare_forms():
    tool = Tool.from_bfcl(BFCL_DOC)
    wrapped = tool.to_openai()
    assert wrapped["type"] == "function" and wrapped["function"]["name"] == "math.factorial"
    assert Tool.from_openai(wrapped) == tool
    assert Tool.from_openai(wrapped["function"]) == tool
    assert Tool.from_openai(wrapped).to_bfcl() == BFCL_DOC


def test_from_dict_recognises_bfcl_and_openai():
    assert Tool.from_dict(BFCL_DOC) == Tool.from_bfcl(BFCL_DOC)
    openai = Tool.from_bfcl(BFCL_DOC).to_openai()
    assert Tool.from_dict(openai) == Tool.from_openai(openai)
    assert Tool.from_dict(openai["function"]).to_bfcl() == BFCL_DOC


def test_openai_tool_keeps_extra_keys_and_missing_description():
    fn = {"name": "get_time", "parameters": {"type": "object", "properties": {}}, "strict": True}
    tool = Tool.from_openai({"type": "function", "function": fn})
    assert tool.to_openai()["function"] == fn
    assert tool.to_bfcl() == {"name": "get_time", "parameters": {"type": "dict", "properties": {}}, "strict": True}


def test_prompt_function_drops_annotations_only():
    fn = Tool.from_bfcl(BFCL_DOC).to_function(annotations=False)
    assert BFCL_TYPE_KEY not in json.dumps(fn)
    assert set(fn["parameters"]["properties"]) == set(BFCL_DOC["parameters"]["properties"])


# ------------------------------------------------------------------ names

@pytest.mark.parametrize("name", ["math.factorial", "a.b.c", "get-weather", "x.-y", "Division API", "été.ß", "a--b",
                                  "plain_name", "a" * 64])
def test_sanitized_name_is_openai_safe_and_reversible(name):
    safe = sanitize_name(name)
    assert OPENAI_NAME.fullmatch(safe), safe
    assert unsanitize_name(safe) == name


def test_sanitize_keeps_plain_names_and_encodes_dots():
    assert sanitize_name("get_weather") == "get_weather"
    assert sanitize_name("math.factorial") == "math--factorial"


@given(st.text(min_size=1, max_size=30))
@settings(max_examples=300, deadline=None)
def test_sanitize_is_injective_and_reversible(name):
    safe = sanitize_name(name)
    assert OPENAI_NAME.fullmatch(safe)
    if len(safe) < 55 or "-h" not in safe[55:]:
        assert unsanitize_name(safe) == name


def test_long_names_are_shortened_and_reversed_through_the_toolset():
    name = "website_configuration_api.WebsiteConfigurationApi.rename_website"
    tool = Tool(name=name)
    assert len(tool.safe_name) <= 64 and OPENAI_NAME.fullmatch(tool.safe_name)
    assert unsanitize_name(tool.safe_name, [Tool(name="other"), tool]) == name


def test_unsanitize_leaves_foreign_text_alone():
    assert unsanitize_name("a-b") == "a-b"
    assert unsanitize_name("x-u12") == "x-u12"


# ------------------------------------------------------------------ validation

@pytest.mark.parametrize(("params", "field", "words"), [
    ({"type": "dict", "properties": {}}, "parameters.type", "not valid"),
    ({"type": "array"}, "parameters.type", "must be 'object'"),
    ({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a", "b"]},
     "parameters.required[1]", "'b' is not in properties"),
    ({"type": "object", "properties": {"a": {"description": "no type"}}}, "parameters.properties.a", "no 'type'"),
    ({"type": "object", "properties": {"a": {"type": "strnig"}}}, "parameters.properties.a.type", "invalid JSON Schema"),
    ({"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "integer"}},
                                             "required": ["c"]}}},
     "parameters.properties.a.required[0]", "'c'"),
    ({"type": "object", "properties": {"a": {"type": "array", "items": {"description": "?"}}}},
     "parameters.properties.a.items", "no 'type'"),
    ({"type": "object", "required": "a"}, "parameters.required", "invalid JSON Schema"),
])
def test_validate_names_tool_and_field(params, field, words):
    with pytest.raises(ToolSchemaError) as info:
        Tool(name="bad_tool", description="d", parameters=params).validate()
    assert info.value.field == field
    message = str(info.value)
    assert "bad_tool" in message and field in message and words in message
    assert isinstance(info.value, InputError) and "\n" not in message


def test_validate_accepts_untyped_alternatives():
    params = {"type": "object", "properties": {"a": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                                               "b": {"enum": [1, "x"]}}}
    Tool(name="ok", parameters=params).validate()


def test_from_openai_rejects_bad_shapes():
    with pytest.raises(ToolSchemaError, match="name"):
        Tool.from_openai({"type": "function", "function": {"description": "x"}})
    with pytest.raises(ToolSchemaError, match="parameters"):
        Tool.from_openai({"name": "f", "parameters": [1]})
    with pytest.raises(ToolSchemaError):
        Tool.from_bfcl("not a dict")


# ------------------------------------------------------------------ ToolCall and Message

def test_tool_call_accepts_string_arguments_and_parameters_key():
    wrapped = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
    call = ToolCall.from_openai(wrapped)
    assert call == ToolCall("f", {"a": 1}, id="c1")
    assert ToolCall.from_openai({"name": "f", "parameters": {"b": 2}}).arguments == {"b": 2}
    assert call.to_openai() == {"id": "c1", "type": "function", "function": {"name": "f", "arguments": {"a": 1}}}
    assert ToolCall.from_openai(call.to_openai()) == call
    assert call.to_dict() == {"name": "f", "arguments": {"a": 1}}


@pytest.mark.parametrize("bad", [{"function": {"arguments": "{}"}}, {"name": "f", "arguments": "{oops"},
                                 {"name": "f", "arguments": [1]}, "f(a=1)"])
def test_tool_call_bad_input_is_input_error(bad):
    with pytest.raises(InputError):
        ToolCall.from_openai(bad)


def test_message_round_trip_with_calls_and_tool_turns():
    msgs = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": None, "feedback_category": "tool_call_failure",
         "tool_calls": [{"id": "1", "type": "function", "function": {"name": "f", "arguments": {"x": 1}}}]},
        {"role": "tool", "content": "{\"error\": \"no\"}", "tool_call_id": "1", "name": "f"},
    ]
    parsed = [Message.from_openai(m) for m in msgs]
    assert parsed[1].tool_calls == [ToolCall("f", {"x": 1}, id="1")]
    assert parsed[1].feedback_category == "tool_call_failure"
    assert [m.to_openai() for m in parsed] == msgs


def test_message_content_parts_and_bad_role():
    assert Message.from_openai({"role": "user", "content": [{"type": "text", "text": "a"},
                                                            {"type": "text", "text": "b"}]}).content == "ab"
    with pytest.raises(InputError, match="role"):
        Message.from_openai({"role": "robot", "content": "x"})


# ------------------------------------------------------------------ Sample

def _record() -> dict:
    return {
        "id": "synth-000001", "type": "single",
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "tools": [{"type": "function", "function": {
            "name": "get_weather", "description": "Weather for a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
        "gold": [{"name": "get_weather", "arguments": {"city": "Paris"}}],
        "ranking": ["get_weather"],
        "meta": {"domain": "weather", "split": "train"},
    }


def test_sample_round_trip():
    record = _record()
    sample = Sample.from_record(record, file="x.jsonl", line=1)
    assert sample.gold == [ToolCall("get_weather", {"city": "Paris"})]
    assert sample.tools[0].name == "get_weather"
    assert sample.to_record() == record
    assert Sample.from_record(json.loads(json.dumps(sample.to_record()))) == sample


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda r: r.pop("id"), "id"),
    (lambda r: r.update(messages=[]), "messages"),
    (lambda r: r.update(messages=[{"role": "bot", "content": "x"}]), "messages[0].role"),
    (lambda r: r["tools"][0]["function"]["parameters"].update(required=["town"]),
     "tools[0].function.parameters.required[0]"),
    (lambda r: r["tools"][0]["function"]["parameters"].update(type="dict"), "tools[0].function.parameters.type"),
    (lambda r: r.update(gold=[{"name": "get_weather", "arguments": "{bad json"}]), "gold[0].arguments"),
    (lambda r: r.update(gold={"name": "x"}), "gold"),
    (lambda r: r.update(ranking=[1]), "ranking[0]"),
    (lambda r: r.update(meta=[]), "meta"),
])
def test_sample_errors_name_file_record_and_field(mutate, field):
    record = _record()
    mutate(record)
    with pytest.raises(InputError) as info:
        Sample.from_record(record, file="data/train.jsonl", line=17)
    err = info.value
    assert (err.file, err.record, err.field) == ("data/train.jsonl", 17, field)
    assert str(err).startswith(f"file data/train.jsonl, record 17, field {field}: ")
    assert "\n" not in str(err)


def test_sample_rejects_non_object_record():
    with pytest.raises(InputError, match="record must be a JSON object"):
        Sample.from_record([1, 2], file="f.jsonl", line=3)


# ------------------------------------------------------------------ BFCL wheel: every function doc

def test_every_bfcl_doc_round_trips_and_validates(bfcl_docs):
    """BFCL -> toolgym -> BFCL and OpenAI -> toolgym -> OpenAI are exact on every doc; all validate."""
    total = 0
    validated: set[str] = set()
    for fname, docs in bfcl_docs.items():
        assert docs, fname
        for doc in docs:
            tool = Tool.from_bfcl(doc)
            assert tool.to_bfcl() == doc, (fname, doc["name"])
            openai = tool.to_openai()
            back = Tool.from_openai(json.loads(json.dumps(openai)))
            assert back.to_openai() == openai, (fname, doc["name"])
            assert back.to_bfcl() == doc, (fname, doc["name"])
            assert back.safe_name == tool.safe_name and OPENAI_NAME.fullmatch(tool.safe_name)
            assert unsanitize_name(tool.safe_name, [tool]) == doc["name"]
            key = json.dumps(doc, sort_keys=True)
            if key not in validated:
                tool.validate()
                validated.add(key)
            total += 1
    print(f"\nBFCL docs round-tripped: {total} ({len(validated)} distinct) over {len(bfcl_docs)} files")
    assert total > 8000


# ------------------------------------------------------------------------------------------------ parameter order

ORDER_SCHEMA = {"type": "object", "required": ["time", "from_zone", "to_zone"], "properties": {
    "format": {"type": "string"}, "from_zone": {"type": "string"}, "time": {"type": "string"},
    "to_zone": {"type": "string"}, "dst": {"type": "boolean"},
    "window": {"type": "object", "required": ["start"], "properties": {"end": {"type": "string"},
                                                                        "start": {"type": "string"}}}}}


def test_parameter_order_puts_required_first_in_their_listed_order_then_the_rest_by_name():
    from toolgym.core.schema import parameter_order

    assert parameter_order(ORDER_SCHEMA) == ["time", "from_zone", "to_zone", "dst", "format", "window"]
    # a required name the properties lack, a repeat and a missing `required` list change nothing else
    assert parameter_order({**ORDER_SCHEMA, "required": ["to_zone", "ghost", "to_zone"]})[:2] == ["to_zone", "dst"]
    assert parameter_order({"properties": {"b": {}, "a": {}}}) == ["a", "b"]
    assert parameter_order({"type": "string"}) == []


def test_order_arguments_follows_the_schema_at_every_depth_and_sorts_what_it_does_not_know():
    from toolgym.core.schema import order_arguments

    args = {"window": {"start": "9", "end": "17"}, "zz_extra": 1, "dst": True, "to_zone": "UTC", "time": "3pm",
            "aa_extra": {"y": 1, "x": 2}}
    ordered = order_arguments(args, ORDER_SCHEMA)
    assert list(ordered) == ["time", "to_zone", "dst", "window", "aa_extra", "zz_extra"]
    assert list(ordered["window"]) == ["start", "end"]
    assert list(ordered["aa_extra"]) == ["x", "y"]  # no schema: sorted
    assert ordered == args  # the same values
    items = {"type": "array", "items": ORDER_SCHEMA["properties"]["window"]}
    assert [list(d) for d in order_arguments([{"end": "1", "start": "0"}], items)] == [["start", "end"]]


def test_canonical_schema_sorts_keys_but_lists_properties_in_parameter_order():
    from toolgym.core.schema import canonical_schema

    shuffled = {"properties": dict(reversed(list(ORDER_SCHEMA["properties"].items()))), "type": "object",
                "required": ORDER_SCHEMA["required"]}
    out = canonical_schema(shuffled)
    assert list(out) == ["properties", "required", "type"]
    assert list(out["properties"]) == ["time", "from_zone", "to_zone", "dst", "format", "window"]
    assert list(out["properties"]["window"]["properties"]) == ["start", "end"]
    assert canonical_schema(ORDER_SCHEMA) == canonical_schema(shuffled)
