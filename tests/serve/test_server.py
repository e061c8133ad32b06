"""`toolgym serve`'s app on the embedded model (smollm2-135m), through the real `openai` client.

One uvicorn server on a free 127.0.0.1 port for the module; max_tokens stay at 4-8 so it runs in seconds.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.serve.helpers import running
from toolgym.core.formats import render_calls
from toolgym.core.schema import ToolCall
from toolgym.serve.app import create_app

openai = pytest.importorskip("openai")

KEY = "test-key"
MODEL = "smollm2-135m"
WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"}},
                   "required": ["city"]}}}


class Recording:
    """The real generator, recording the prompts it is given."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.prompts: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def generate(self, prompts: list[str], **kwargs: Any) -> list[list[str]]:
        self.prompts.extend(prompts)
        return self.inner.generate(prompts, **kwargs)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Any, Recording]]:
    from toolgym.models.backends import make_generator

    gen = Recording(make_generator("transformers", MODEL, batch_size=8, progress=False))
    app = create_app(gen, MODEL, api_key=KEY, batch_window_s=0.05)
    with running(app) as url:
        yield url, app, gen


@pytest.fixture(scope="module")
def client(server: tuple[str, Any, Recording]) -> Any:
    return openai.OpenAI(base_url=server[0], api_key=KEY, max_retries=0, timeout=120)


def test_tiny_max_tokens(client: Any) -> None:
    r = client.chat.completions.create(model=MODEL, max_tokens=4, messages=[
        {"role": "user", "content": "Write a long story about a dragon who learns to bake bread."}])
    (choice,) = r.choices
    assert choice.finish_reason == "length" and choice.message.content and choice.message.tool_calls is None
    assert 1 <= r.usage.completion_tokens <= 4 and r.usage.prompt_tokens > 10
    assert r.model == MODEL and r.id.startswith("chatcmpl-")


def test_tool_call_round_trip(client: Any, server: tuple[str, Any, Recording]) -> None:
    messages = [
        {"role": "user", "content": "What is the weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_abc", "type": "function", "function": {
            "name": "get_weather", "arguments": json.dumps({"city": "Paris"})}}]},
        {"role": "tool", "tool_call_id": "call_abc", "content": json.dumps({"temperature_c": 21, "sky": "sunny"})},
    ]
    r = client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER], max_tokens=8)
    (choice,) = r.choices
    assert choice.finish_reason in ("stop", "length", "tool_calls")
    assert choice.message.content or choice.message.tool_calls
    for call in choice.message.tool_calls or []:
        assert call.function.name == "get_weather" and isinstance(json.loads(call.function.arguments), dict)
    prompt = server[2].prompts[-1]  # the tools, the earlier call and its result were all rendered
    assert '{"description":"Get the current weather in a city.","name":"get_weather"' in prompt  # sorted keys
    assert render_calls([ToolCall("get_weather", {"city": "Paris"})]) in prompt
    assert '<tool_response>\n{"temperature_c": 21, "sky": "sunny"}\n</tool_response>' in prompt


def test_streamed_reply_matches_the_plain_one(client: Any) -> None:
    messages = [{"role": "user", "content": "Name three colours."}]
    plain = client.chat.completions.create(model=MODEL, messages=messages, max_tokens=6)
    chunks = list(client.chat.completions.create(model=MODEL, messages=messages, max_tokens=6, stream=True))
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert text == plain.choices[0].message.content and finish == [plain.choices[0].finish_reason]


def test_malformed_request_is_a_400(client: Any) -> None:
    with pytest.raises(openai.BadRequestError) as exc:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}], n=0, max_tokens=4)
    assert exc.value.status_code == 400
    assert exc.value.body["type"] == "invalid_request_error" and exc.value.body["param"] == "n"
    assert set(exc.value.body) == {"message", "type", "param", "code"}


def test_bad_tools_schema_names_the_tool(client: Any) -> None:
    bad = {"type": "function", "function": {"name": "book_flight", "parameters": {
        "type": "object", "properties": {"date": {"type": "string"}}, "required": ["date", "seat"]}}}
    with pytest.raises(openai.BadRequestError) as exc:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "fly me"}],
                                       tools=[WEATHER, bad], max_tokens=4)
    assert "'book_flight'" in exc.value.body["message"] and "seat" in exc.value.body["message"]
    assert exc.value.body["param"] == "tools[1].function.parameters.required[1]"


def test_api_key_required(server: tuple[str, Any, Recording]) -> None:
    for key in ("wrong", ""):
        with pytest.raises(openai.AuthenticationError) as exc:
            openai.OpenAI(base_url=server[0], api_key=key or "x", max_retries=0).chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "hi"}], max_tokens=4)
        assert exc.value.status_code == 401 and exc.value.body["code"] == "invalid_api_key"
    ok = openai.OpenAI(base_url=server[0], api_key=KEY, max_retries=0).models.list()
    assert [m.id for m in ok.data] == [MODEL]


def test_concurrent_clients_are_batched(server: tuple[str, Any, Recording]) -> None:
    url, app, _ = server
    batcher = app.state.batcher
    batches, requests = batcher.batches_run, batcher.requests_run
    clients = 8
    barrier = threading.Barrier(clients)

    def ask(i: int) -> Any:
        client = openai.OpenAI(base_url=url, api_key=KEY, max_retries=0, timeout=120)
        barrier.wait()
        return client.chat.completions.create(model=MODEL, max_tokens=4, messages=[
            {"role": "user", "content": f"Count from {i} to {i + 5}."}])

    with ThreadPoolExecutor(clients) as pool:
        replies = list(pool.map(ask, range(clients)))
    assert all(r.choices[0].message.content and r.choices[0].finish_reason in ("stop", "length") for r in replies)
    assert batcher.requests_run - requests == clients
    assert 1 <= batcher.batches_run - batches < clients


def test_constrained_server_enforces_tool_choice_and_schemas() -> None:
    """With --constrain the grammar, not a retry, makes the untrained model call: required, named and none."""
    pytest.importorskip("xgrammar")
    import jsonschema

    from toolgym.models.backends import make_generator
    from toolgym.models.constrain import CallPolicy

    book = {"type": "function", "function": {"name": "book_table", "description": "Book a restaurant table.",
            "parameters": {"type": "object", "properties": {"restaurant": {"type": "string"},
                                                            "guests": {"type": "integer"}},
                           "required": ["restaurant", "guests"]}}}
    gen = Recording(make_generator("transformers", MODEL, batch_size=8, progress=False,
                                   policy=CallPolicy(constrain=True)))
    app = create_app(gen, MODEL, batch_window_s=0.05)
    messages = [{"role": "user", "content": "Book a table for 4 at Chez Anna."}]
    with running(app) as url:
        client = openai.OpenAI(base_url=url, api_key="none", max_retries=0, timeout=120)
        schemas = {t["function"]["name"]: t["function"]["parameters"] for t in (WEATHER, book)}
        for choice, names in (("required", {"get_weather", "book_table"}),
                              ({"type": "function", "function": {"name": "get_weather"}}, {"get_weather"})):
            r = client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER, book],
                                               tool_choice=choice, max_tokens=60)
            calls = r.choices[0].message.tool_calls
            assert calls and r.choices[0].finish_reason == "tool_calls", r.choices[0]
            for call in calls:
                assert call.function.name in names
                jsonschema.validate(json.loads(call.function.arguments), schemas[call.function.name])
        r = client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER, book],
                                           tool_choice="none", max_tokens=12)
        assert r.choices[0].message.tool_calls is None and r.choices[0].message.content
    assert len(gen.prompts) == 3  # one generation per request: no retries


def test_server_decodes_with_the_copy_bias() -> None:
    """--copy-bias through the real server and openai client: the forced call copies the town the user named
    (the plain model writes another; tests/models/test_copybias.py)."""
    pytest.importorskip("xgrammar")
    from toolgym.models.backends import make_generator
    from toolgym.models.constrain import CallPolicy

    lookup = {"type": "function", "function": {"name": "lookup", "description": "Look up a record.", "parameters": {
        "type": "object", "properties": {"name": {"type": "string"}, "year": {"type": "integer"}},
        "required": ["name", "year"]}}}
    gen = make_generator("transformers", MODEL, batch_size=4, progress=False,
                         policy=CallPolicy(constrain=True, copy_bias=3.0, distinct_calls=True))
    messages = [{"role": "user", "content": "What happened in the town of Llanfairpwll in 1850?"}]
    with running(create_app(gen, MODEL, batch_window_s=0.05)) as url:
        client = openai.OpenAI(base_url=url, api_key="none", max_retries=0, timeout=120)
        r = client.chat.completions.create(model=MODEL, messages=messages, tools=[lookup], tool_choice="required",
                                           max_tokens=40)
    calls = r.choices[0].message.tool_calls
    assert calls and json.loads(calls[0].function.arguments) == {"name": "Llanfairpwll", "year": 1850}
