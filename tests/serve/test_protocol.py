"""Pure logic of the wire format: request conversion, choices from model text, responses and SSE chunks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from toolgym.core.formats import render_calls
from toolgym.core.schema import ToolCall
from toolgym.serve.protocol import (
    SSE_DONE,
    ChatCompletionRequest,
    Choice,
    ServeError,
    build_choice,
    completion_response,
    merge_retry,
    prepare,
    sse_stream,
    stream_chunks,
    validation_error,
)

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
TIME = {"type": "function", "function": {
    "name": "get_time", "description": "Local time in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
USER = [{"role": "user", "content": "Weather in Paris?"}]


def req(**kw: Any) -> ChatCompletionRequest:
    return ChatCompletionRequest.model_validate({"messages": USER, **kw})


def test_defaults_and_sampling() -> None:
    p = prepare(req(), default_max_tokens=99)
    assert p.tool_choice == "none" and p.offered == [] and p.sampling.max_new_tokens == 99
    assert p.sampling.temperature == 0.0 and p.sampling.n == 1 and p.sampling.stop == ()
    p = prepare(req(tools=[WEATHER], temperature=0.5, top_p=0.9, max_tokens=7, n=3, stop="END"))
    assert p.tool_choice == "auto" and [t.name for t in p.offered] == ["get_weather"]
    assert (p.sampling.temperature, p.sampling.top_p, p.sampling.max_new_tokens, p.sampling.n, p.sampling.stop) \
        == (0.5, 0.9, 7, 3, ("END",))
    assert prepare(req(max_tokens=5, max_completion_tokens=6)).sampling.max_new_tokens == 6
    assert prepare(req(stream=True, stream_options={"include_usage": True})).include_usage


def test_tool_choice_modes() -> None:
    assert prepare(req(tools=[WEATHER, TIME], tool_choice="none")).offered == []
    required = prepare(req(tools=[WEATHER, TIME], tool_choice="required"))
    assert required.must_call and len(required.offered) == 2
    named = prepare(req(tools=[WEATHER, TIME], tool_choice={"type": "function", "function": {"name": "get_time"}}))
    assert named.tool_choice == "named" and named.forced == "get_time" and [t.name for t in named.offered] == ["get_time"]
    with pytest.raises(ServeError) as err:
        prepare(req(tools=[WEATHER], tool_choice={"type": "function", "function": {"name": "nope"}}))
    assert err.value.param == "tool_choice.function.name" and "'nope'" in err.value.message
    with pytest.raises(ServeError, match="requires tools"):
        prepare(req(tool_choice="required"))


def test_conversation_with_tool_turns_converts() -> None:
    messages = [*USER,
                {"role": "assistant", "content": None, "tool_calls": [
                    {"id": "call_1", "type": "function",
                     "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": '{"temp_c": 21}'},
                {"role": "developer", "content": [{"type": "text", "text": "Be brief."}]}]
    p = prepare(ChatCompletionRequest.model_validate({"messages": messages, "tools": [WEATHER]}))
    assert p.messages[1].tool_calls == [ToolCall("get_weather", {"city": "Paris"}, id="call_1")]
    assert p.messages[2].role == "tool" and p.messages[2].tool_call_id == "call_1"
    assert p.messages[3].role == "system" and p.messages[3].content == "Be brief."


def test_bad_tool_schema_names_tool_and_field() -> None:
    bad = {"type": "function", "function": {"name": "book_hotel", "parameters": {
        "type": "object", "properties": {"nights": {"description": "no type"}}}}}
    with pytest.raises(ServeError) as err:
        prepare(req(tools=[WEATHER, bad]))
    assert "'book_hotel'" in err.value.message and "tools[1]" in err.value.message
    assert err.value.param == "tools[1].function.parameters.properties.nights"
    assert err.value.status == 400 and err.value.body()["error"]["type"] == "invalid_request_error"
    with pytest.raises(ServeError, match="duplicate tool name 'get_weather'"):
        prepare(req(tools=[WEATHER, WEATHER]))


def test_bad_message_names_the_field() -> None:
    with pytest.raises(ServeError) as err:
        prepare(req(messages=[{"role": "assistant", "tool_calls": [
            {"type": "function", "function": {"name": "f", "arguments": "{not json"}}]}]))
    assert err.value.param == "messages[0].tool_calls[0].arguments" and "not valid JSON" in err.value.message


def test_validation_errors_become_openai_400s() -> None:
    for body, param in (({"messages": []}, "messages"), ({"messages": [{"role": "robot"}]}, "messages[0].role"),
                        ({"messages": USER, "temperature": "hot"}, "temperature"),
                        ({"messages": USER, "tool_choice": "always"}, "tool_choice"),
                        ({"messages": USER, "n": 0}, "n"),
                        ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
                        ({"messages": USER, "tool_choice": {"type": "function"}}, "tool_choice.function")):
        with pytest.raises(ValidationError) as exc:
            ChatCompletionRequest.model_validate(body)
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.value.errors()]
        err = validation_error(errors)
        assert err.status == 400 and err.param == param, (body, err.param)
        assert err.message.startswith(param)
    err = validation_error([{"type": "json_invalid", "loc": ("body", 3), "msg": "JSON decode error",
                             "ctx": {"error": "Expecting value"}}])
    assert err.param is None and "not valid JSON" in err.message
    err = validation_error([{"type": "model_attributes_type", "loc": ("body",), "msg": "Input should be ..."}])
    assert err.param is None and "must be a JSON object" in err.message


def test_deeply_nested_input_is_a_400_not_a_crash() -> None:
    deep = '{"a": ' * 3000 + "1" + "}" * 3000
    with pytest.raises(ServeError, match="nested too deeply"):
        prepare(req(messages=[{"role": "assistant", "tool_calls": [
            {"type": "function", "function": {"name": "f", "arguments": deep}}]}]))


def test_build_choice_reads_calls_of_offered_tools() -> None:
    p = prepare(req(tools=[WEATHER, TIME], max_tokens=100))
    text = "Let me check.\n" + render_calls([ToolCall("get_weather", {"city": "Paris"}),
                                             ToolCall("get_time", {"city": "Paris"})])
    c = build_choice(0, text, p, completion_tokens=30)
    assert c.finish_reason == "tool_calls" and c.content == "Let me check."
    assert [t.name for t in c.tool_calls] == ["get_weather", "get_time"]
    assert all(t.id and t.id.startswith("call_") for t in c.tool_calls) and c.tool_calls[0].id != c.tool_calls[1].id
    # a call of a tool that was not offered stays text
    c = build_choice(0, render_calls([ToolCall("launch_rocket", {})]), p, completion_tokens=10)
    assert c.tool_calls == [] and c.finish_reason == "stop" and "launch_rocket" in c.content
    # plain text; all of max_tokens used -> length
    assert build_choice(0, "Sunny.", p, 3).finish_reason == "stop"
    assert build_choice(0, "<tool_call>\n{\"name\": \"get_w", p, 100).finish_reason == "length"


def test_build_choice_named_parallel_and_none() -> None:
    named = prepare(req(tools=[WEATHER, TIME], tool_choice={"type": "function", "function": {"name": "get_time"}}))
    both = render_calls([ToolCall("get_weather", {"city": "A"}), ToolCall("get_time", {"city": "B"})])
    c = build_choice(0, both, named, 20)
    assert [t.name for t in c.tool_calls] == ["get_time"] and "get_weather" in (c.content or "")
    single = prepare(req(tools=[WEATHER, TIME], parallel_tool_calls=False))
    assert [t.name for t in build_choice(0, both, single, 20).tool_calls] == ["get_weather"]
    none = prepare(req(tools=[WEATHER], tool_choice="none"))
    c = build_choice(0, both, none, 20)
    assert c.tool_calls == [] and c.content == both


def test_merge_retry_fills_only_missing_calls() -> None:
    call = [ToolCall("f", {}, id="call_x")]
    first = [Choice(0, "text", [], "stop"), Choice(1, None, call, "tool_calls"), Choice(2, "more", [], "stop")]
    retry = [Choice(0, "still text", [], "stop"), Choice(1, None, [ToolCall("f", {"a": 1}, id="call_y")], "tool_calls")]
    merged = merge_retry(first, retry)
    assert [c.index for c in merged] == [0, 1, 2]
    assert merged[0].tool_calls[0].id == "call_y" and merged[1].tool_calls == call and merged[2].content == "more"


def test_completion_response_shape() -> None:
    choices = [Choice(0, None, [ToolCall("get_weather", {"city": "Zürich"}, id="call_1")], "tool_calls", 12)]
    r = completion_response("chatcmpl-1", "m", choices, prompt_tokens=40, created=5)
    assert r["object"] == "chat.completion" and r["usage"] == {"prompt_tokens": 40, "completion_tokens": 12,
                                                               "total_tokens": 52}
    msg = r["choices"][0]["message"]
    assert msg["content"] is None and r["choices"][0]["finish_reason"] == "tool_calls"
    assert msg["tool_calls"] == [{"id": "call_1", "type": "function",
                                  "function": {"name": "get_weather", "arguments": '{"city": "Zürich"}'}}]
    assert "tool_calls" not in completion_response("c", "m", [Choice(0, "hi")], 1)["choices"][0]["message"]


def test_sse_chunks_accumulate_like_a_client() -> None:
    choices = [Choice(0, "Checking.", [ToolCall("get_weather", {"city": "Paris"}, id="call_1"),
                                       ToolCall("get_time", {"city": "Paris"}, id="call_2")], "tool_calls", 9),
               Choice(1, "Just text.", [], "length", 4)]
    events = list(sse_stream(stream_chunks("chatcmpl-1", "m", choices, 7, include_usage=True, created=1)))
    assert events[-1] == SSE_DONE and all(e.startswith("data: ") and e.endswith("\n\n") for e in events)
    chunks = [json.loads(e[len("data: "):]) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" and c["id"] == "chatcmpl-1" for c in chunks)
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] == 7 + 13
    got: dict[int, dict[str, Any]] = {}
    for c in chunks[:-1]:
        (ch,) = c["choices"]
        acc = got.setdefault(ch["index"], {"role": None, "content": "", "calls": {}, "finish": None})
        delta = ch["delta"]
        acc["role"] = delta.get("role", acc["role"])
        acc["content"] += delta.get("content") or ""
        for tc in delta.get("tool_calls", []):
            slot = acc["calls"].setdefault(tc["index"], {"id": None, "name": "", "arguments": ""})
            slot["id"] = tc.get("id", slot["id"])
            slot["name"] += tc.get("function", {}).get("name", "")
            slot["arguments"] += tc.get("function", {}).get("arguments", "")
        acc["finish"] = ch["finish_reason"] or acc["finish"]
    assert got[0]["role"] == "assistant" and got[0]["content"] == "Checking." and got[0]["finish"] == "tool_calls"
    assert [(s["id"], s["name"], json.loads(s["arguments"])) for s in got[0]["calls"].values()] == [
        ("call_1", "get_weather", {"city": "Paris"}), ("call_2", "get_time", {"city": "Paris"})]
    assert got[1]["content"] == "Just text." and got[1]["calls"] == {} and got[1]["finish"] == "length"
