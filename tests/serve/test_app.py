"""The app over a scripted generator (no model weights), through the real `openai` client and raw HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.serve.helpers import ScriptedGenerator, running
from toolgym.core.formats import render_calls
from toolgym.core.schema import ToolCall
from toolgym.serve.app import create_app

openai = pytest.importorskip("openai")

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
USER = [{"role": "user", "content": "Weather in Paris?"}]
CALL = render_calls([ToolCall("get_weather", {"city": "Paris"})])


def reply(prompt: str, temperature: float) -> str:
    """A call when the tools are in the prompt and the user mentions Paris; sampling 'finds' it for Rome."""
    if "get_weather" not in prompt:
        return "No tools here."
    if "Paris" in prompt or ("Rome" in prompt and temperature >= 0.7):
        return "Sure.\n" + CALL
    return "I would rather chat."


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, ScriptedGenerator]]:
    gen = ScriptedGenerator(reply=reply)
    with running(create_app(gen, "fake", api_key="sekrit", batch_window_s=0.005)) as url:
        yield url, gen


@pytest.fixture(scope="module")
def client(served: tuple[str, ScriptedGenerator]) -> Any:
    return openai.OpenAI(base_url=served[0], api_key="sekrit", max_retries=0, timeout=30)


def post(url: str, body: bytes, key: str | None = "sekrit") -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_tool_calls_come_back_as_tool_calls(client: Any) -> None:
    r = client.chat.completions.create(model="fake", messages=USER, tools=[WEATHER], max_tokens=50)
    (choice,) = r.choices
    assert choice.finish_reason == "tool_calls" and choice.message.content == "Sure."
    (call,) = choice.message.tool_calls
    assert call.id.startswith("call_") and call.type == "function" and call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris"}
    assert r.usage.prompt_tokens > 0 and r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


def test_streamed_tool_calls_accumulate(client: Any) -> None:
    stream = client.chat.completions.create(model="fake", messages=USER, tools=[WEATHER], max_tokens=50, stream=True,
                                            stream_options={"include_usage": True})
    content, name, args, finish, usage = "", "", "", None, None
    for chunk in stream:
        usage = chunk.usage or usage
        for ch in chunk.choices:
            content += ch.delta.content or ""
            for tc in ch.delta.tool_calls or []:
                name += tc.function.name or ""
                args += tc.function.arguments or ""
            finish = ch.finish_reason or finish
    assert (content, name, json.loads(args), finish) == ("Sure.", "get_weather", {"city": "Paris"}, "tool_calls")
    assert usage is not None and usage.total_tokens > 0


def test_n_choices_come_from_one_generate_call(client: Any, served: tuple[str, ScriptedGenerator]) -> None:
    gen = served[1]
    before = len(gen.calls)
    r = client.chat.completions.create(model="fake", messages=USER, tools=[WEATHER], n=3, temperature=0.9)
    assert [c.index for c in r.choices] == [0, 1, 2] and len(gen.calls) - before == 1
    assert gen.calls[-1]["n"] == 3 and gen.calls[-1]["temperature"] == 0.9
    assert all(c.finish_reason == "tool_calls" and c.message.tool_calls[0].function.name == "get_weather"
               for c in r.choices)
    assert len({c.message.tool_calls[0].id for c in r.choices}) == 3  # every call has its own id
    stream = client.chat.completions.create(model="fake", messages=USER, n=2, stream=True)
    finished = {ch.index: ch.finish_reason for chunk in stream for ch in chunk.choices if ch.finish_reason}
    assert finished == {0: "stop", 1: "stop"}


def test_tool_choice_none_hides_the_tools(client: Any, served: tuple[str, ScriptedGenerator]) -> None:
    r = client.chat.completions.create(model="fake", messages=USER, tools=[WEATHER], tool_choice="none")
    assert r.choices[0].message.content == "No tools here." and r.choices[0].message.tool_calls is None
    assert "get_weather" not in served[1].calls[-1]["prompts"][0]


def test_required_retries_once_with_sampling_then_answers_honestly(client: Any,
                                                                   served: tuple[str, ScriptedGenerator]) -> None:
    gen = served[1]
    before = len(gen.calls)
    rome = [{"role": "user", "content": "Weather in Rome?"}]
    r = client.chat.completions.create(model="fake", messages=rome, tools=[WEATHER], tool_choice="required")
    assert r.choices[0].finish_reason == "tool_calls"
    assert [c["temperature"] for c in gen.calls[before:]] == [0.0, 0.7]
    before = len(gen.calls)
    r = client.chat.completions.create(model="fake", messages=[{"role": "user", "content": "Hi"}], tools=[WEATHER],
                                       tool_choice={"type": "function", "function": {"name": "get_weather"}})
    assert r.choices[0].finish_reason == "stop" and r.choices[0].message.content == "I would rather chat."
    assert r.choices[0].message.tool_calls is None and len(gen.calls) - before == 2
    # auto never retries
    before = len(gen.calls)
    client.chat.completions.create(model="fake", messages=rome, tools=[WEATHER])
    assert len(gen.calls) - before == 1


def test_errors_are_openai_shaped(client: Any, served: tuple[str, ScriptedGenerator]) -> None:
    url = served[0]
    with pytest.raises(openai.BadRequestError) as exc:
        client.chat.completions.create(model="fake", messages=[{"role": "robot", "content": "x"}])
    assert exc.value.status_code == 400 and exc.value.body["param"] == "messages[0].role"
    assert exc.value.body["type"] == "invalid_request_error"
    status, body = post(f"{url}/chat/completions", b'{"messages": [')
    assert status == 400 and "not valid JSON" in body["error"]["message"]
    for raw in (b'{"messages": [{"role": "user", "content": "\xff"}]}', b"[" * 100_000 + b"]" * 100_000):
        status, body = post(f"{url}/chat/completions", raw)
        assert status == 400 and "not valid JSON" in body["error"]["message"]
    status, body = post(f"{url}/chat/completions", b'[1, 2]')
    assert status == 400 and set(body["error"]) == {"message", "type", "param", "code"}
    with pytest.raises(openai.NotFoundError) as exc:
        client.chat.completions.create(model="gpt-9", messages=USER)
    assert exc.value.body["code"] == "model_not_found"
    status, body = post(f"{url}/nowhere", b"{}")
    assert status == 404 and body["error"]["message"] == "Invalid URL (POST /v1/nowhere)"
    status, body = post(f"{url}/chat/completions", json.dumps({"messages": USER}).encode(), key=None)
    assert status == 401 and body["error"]["code"] == "invalid_api_key"
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=url, api_key="wrong", max_retries=0).models.list()
    assert [m.id for m in client.models.list().data] == ["fake"]


def test_a_failing_generator_is_a_500_with_an_error_body() -> None:
    def broken(prompt: str, temperature: float) -> str:
        raise RuntimeError("CUDA out of memory")

    with running(create_app(ScriptedGenerator(reply=broken), "fake")) as url:
        status, body = post(f"{url}/chat/completions", json.dumps({"messages": USER}).encode(), key=None)
    assert status == 500 and body["error"]["type"] == "server_error" and "out of memory" in body["error"]["message"]
