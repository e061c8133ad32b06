"""Rule checks of self-generated tools and voted calls: every rejection reason, and what passes."""

from __future__ import annotations

import json

from toolgym.core.schema import Tool, ToolCall
from toolgym.evolve.rules import (
    DUPLICATE_NAME,
    INVALID_SCHEMA,
    NO_TOOLS,
    NOT_A_TOOL,
    UNDESCRIBED_PARAMETER,
    UNPARSABLE_JSON,
    call_problem,
    check_tools,
    undescribed_parameter,
)


def tool(name: str = "get_weather", **props) -> dict:
    props = props or {"city": {"type": "string", "description": "City name"}}
    return {"name": name, "description": "Weather.", "parameters": {"type": "object", "properties": props,
                                                                      "required": list(props)[:1]}}


def block(*lines: str) -> str:
    return "<tools>\n" + "\n".join(lines) + "\n</tools>"


def test_good_tools_pass_one_per_line_and_as_list():
    one = check_tools(block(json.dumps(tool()), json.dumps(tool("get_time"))))
    assert [t.name for t in one.tools] == ["get_weather", "get_time"] and not one.rejected
    listed = check_tools(block(json.dumps([tool(), {"type": "function", "function": tool("x")}])))
    assert [t.name for t in listed.tools] == ["get_weather", "x"]


def test_unterminated_block_still_reads():
    assert check_tools("<tools>\n" + json.dumps(tool())).tools[0].name == "get_weather"


def test_rejections_are_counted_by_reason():
    bad_schema = tool(city={"type": "strng", "description": "City"})
    no_desc = tool(city={"type": "string"})
    blank_desc = tool(city={"type": "string", "description": "  "})
    missing_required = {"name": "f", "description": "", "parameters": {"type": "object", "properties": {},
                                                                       "required": ["q"]}}
    text = block('{"name": "broken", "parameters": {', json.dumps(bad_schema), json.dumps(no_desc),
                 json.dumps(blank_desc), json.dumps(missing_required), json.dumps(["not", "a tool"]),
                 json.dumps(tool()), json.dumps(tool()))
    check = check_tools(text)
    assert [t.name for t in check.tools] == ["get_weather"]
    assert dict(check.rejected) == {UNPARSABLE_JSON: 1, INVALID_SCHEMA: 2, UNDESCRIBED_PARAMETER: 2,
                                    NOT_A_TOOL: 1, DUPLICATE_NAME: 1}


def test_nested_parameters_need_descriptions():
    nested = {"type": "object", "description": "Where", "properties": {"lat": {"type": "number"}}}
    assert undescribed_parameter({"properties": {"loc": nested}}) == "parameters.properties.loc.properties.lat"
    items = {"type": "array", "description": "Stops", "items": {"type": "object", "properties": {
        "name": {"type": "string"}}}}
    assert undescribed_parameter({"properties": {"stops": items}}) == "parameters.properties.stops.items.properties.name"
    assert check_tools(block(json.dumps(tool(loc=nested)))).first_reason == UNDESCRIBED_PARAMETER


def test_nothing_parsed_is_no_tools_and_max_tools_cuts():
    empty = check_tools("I cannot think of a tool.")
    assert not empty.tools and empty.first_reason == UNPARSABLE_JSON
    assert check_tools("<tools>\n</tools>").first_reason == NO_TOOLS
    many = check_tools(block(*(json.dumps(tool(f"t{i}")) for i in range(7))), max_tools=3)
    assert [t.name for t in many.tools] == ["t0", "t1", "t2"]


def test_call_rule_check():
    tools = [Tool.from_openai(tool(city={"type": "string", "description": "City"},
                                   days={"type": "integer", "description": "Days"}))]
    assert call_problem([ToolCall("get_weather", {"city": "Paris", "days": 3})], tools) is None
    assert call_problem([ToolCall("get_wether", {"city": "Paris"})], tools) == "call_tool_hallucination"
    assert call_problem([ToolCall("get_weather", {"city": "Paris", "zip": "1"})], tools) == \
        "call_parameter_hallucination"
    assert call_problem([ToolCall("get_weather", {"days": 3})], tools) == "call_parameter_missing"
    assert call_problem([ToolCall("get_weather", {"city": "Paris", "days": "3"})], tools) == "call_wrong_type"
