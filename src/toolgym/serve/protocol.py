"""The OpenAI chat-completions wire format: pydantic request models, request -> toolgym records, model text ->
response / SSE chunks. Pure logic: no FastAPI, no model.

Request models follow vLLM's `entrypoints/openai/protocol.py` (pydantic, unknown fields ignored so clients that
send `user`, `seed`, `logprobs` ... still work). The envelope is checked by pydantic; messages and tools are
then read by `toolgym.core.schema` (`Message.from_openai`, `Tool.from_openai().validate()`), whose errors name
the field, so a bad tool schema comes back as a 400 naming the tool and the field inside it.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from toolgym.core.errors import InputError
from toolgym.core.formats import parse_calls, render_calls
from toolgym.core.schema import Message, Tool, ToolCall, ToolSchemaError

DEFAULT_MAX_TOKENS = 256
MAX_N = 16
RETRY_TEMPERATURE = 0.7  # tool_choice required/named: the one retry samples at least this hot
SSE_DONE = "data: [DONE]\n\n"


# ====================================================================================================
# Errors

class ServeError(Exception):
    """An error answered as OpenAI's `{"error": {"message", "type", "param", "code"}}` body."""

    def __init__(self, message: str, *, status: int = 400, param: str | None = None, code: str | None = None,
                 type: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.message, self.status, self.param, self.code, self.type = message, status, param, code, type

    def body(self) -> dict[str, Any]:
        return error_body(self.message, type=self.type, param=self.param, code=self.code)


def error_body(message: str, *, type: str = "invalid_request_error", param: str | None = None,
               code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def validation_error(errors: Sequence[Any]) -> ServeError:
    """A 400 from pydantic/FastAPI validation errors (`RequestValidationError.errors()`): the most specific one
    (for a union, the error of the member the value was meant for goes deepest)."""
    if not errors:
        return ServeError("invalid request")
    err = max(errors, key=lambda e: len(_clean_loc(e.get("loc", ()))))
    if err.get("type") == "json_invalid":
        detail = (err.get("ctx") or {}).get("error", "")
        return ServeError(f"the request body is not valid JSON{': ' + str(detail) if detail else ''}",
                          code="json_invalid")
    param = _param_path(_clean_loc(err.get("loc", ())))
    code = str(err.get("type")) if err.get("type") else None
    if not param and code == "missing":
        return ServeError("the request body is empty: send a JSON object", code=code)
    if not param and code in ("model_attributes_type", "model_type", "dict_type"):
        return ServeError("the request body must be a JSON object (sent with Content-Type: application/json)",
                          code=code)
    message = str(err.get("msg", "invalid value"))
    return ServeError(f"{param or 'request body'}: {message}", param=param or None, code=code)


_UNION_TAGS = {"str", "int", "float", "bool", "none"}


def _clean_loc(loc: Sequence[Any]) -> list[Any]:
    """`loc` without the leading "body" and without pydantic's union-member tags ("str", "literal[...]",
    "NamedToolChoice"), which are not request fields."""
    models = {cls.__name__ for cls in _Model.__subclasses__()}
    parts = list(loc[1:] if loc and loc[0] == "body" else loc)
    return [p for p in parts if not (isinstance(p, str) and ("[" in p or "(" in p or p in _UNION_TAGS or p in models))]


def _param_path(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# ====================================================================================================
# Request models

class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ChatMessageParam(_Model):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None
    name: str | None = None


class ToolParam(_Model):
    type: Literal["function"] = "function"
    function: dict[str, Any]


class NamedFunction(_Model):
    name: str = Field(min_length=1)


class NamedToolChoice(_Model):
    type: Literal["function"] = "function"
    function: NamedFunction


class StreamOptions(_Model):
    include_usage: bool = False


class ChatCompletionRequest(_Model):
    """`POST /v1/chat/completions` (the fields this server reads; others are ignored)."""

    messages: list[ChatMessageParam] = Field(min_length=1)
    model: str | None = None
    tools: list[ToolParam] | None = None
    tool_choice: Literal["none", "auto", "required"] | NamedToolChoice | None = None
    parallel_tool_calls: bool | None = None
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    n: int = Field(default=1, ge=1, le=MAX_N)
    stop: str | list[str] | None = None
    stream: bool = False
    stream_options: StreamOptions | None = None


# ====================================================================================================
# Request -> toolgym

@dataclass(frozen=True)
class Sampling:
    """Generation parameters; requests with equal Sampling share a generate batch."""

    n: int = 1
    temperature: float = 0.0
    top_p: float | None = None
    max_new_tokens: int = DEFAULT_MAX_TOKENS
    stop: tuple[str, ...] = ()

    def for_retry(self) -> Sampling:
        return replace(self, temperature=max(self.temperature, RETRY_TEMPERATURE))


ToolChoice = Literal["none", "auto", "required", "named"]


@dataclass
class Prepared:
    """A validated request in toolgym's terms."""

    messages: list[Message]
    tools: list[Tool]  # every tool of the request
    offered: list[Tool]  # the tools shown in the prompt (none for tool_choice none, the named one if named)
    tool_choice: ToolChoice
    sampling: Sampling
    forced: str | None = None  # the function name of a named tool_choice
    parallel: bool = True
    stream: bool = False
    include_usage: bool = False

    @property
    def must_call(self) -> bool:
        return self.tool_choice in ("required", "named")


def prepare(request: ChatCompletionRequest, default_max_tokens: int = DEFAULT_MAX_TOKENS) -> Prepared:
    """Check the request's semantics and convert it; raises ServeError (400) naming the param."""
    try:
        return _prepare(request, default_max_tokens)
    except RecursionError:  # e.g. tool-call arguments nested thousands deep
        raise ServeError("the request is nested too deeply") from None


def _prepare(request: ChatCompletionRequest, default_max_tokens: int) -> Prepared:
    messages = [_message(i, m) for i, m in enumerate(request.messages)]
    tools = _tools(request.tools or [])
    choice, forced = _tool_choice(request.tool_choice, tools)
    if choice == "none":
        offered: list[Tool] = []
    elif choice == "named":
        offered = [t for t in tools if t.name == forced]
    else:
        offered = tools
    stop = [request.stop] if isinstance(request.stop, str) else list(request.stop or [])
    if len(stop) > 4:
        raise ServeError("stop: at most 4 stop sequences", param="stop")
    max_tokens = request.max_completion_tokens or request.max_tokens or default_max_tokens
    sampling = Sampling(n=request.n, temperature=request.temperature if request.temperature is not None else 0.0,
                        top_p=request.top_p, max_new_tokens=max_tokens, stop=tuple(s for s in stop if s))
    return Prepared(messages, tools, offered, choice, sampling, forced=forced,
                    parallel=request.parallel_tool_calls is not False, stream=request.stream,
                    include_usage=bool(request.stream_options and request.stream_options.include_usage))


def _message(i: int, m: ChatMessageParam) -> Message:
    d = m.model_dump(exclude_none=True)
    if d["role"] == "developer":  # OpenAI's newer name for the system role
        d["role"] = "system"
    try:
        return Message.from_openai(d)
    except InputError as exc:
        param = f"messages[{i}]" + (f".{exc.field}" if exc.field else "")
        reason = str(exc).split(": ", 1)[-1] if exc.field else str(exc)
        raise ServeError(f"{param}: {reason}", param=param) from None


def _tools(params: Sequence[ToolParam]) -> list[Tool]:
    tools: list[Tool] = []
    for i, t in enumerate(params):
        try:
            tool = Tool.from_openai({"type": "function", "function": t.function}).validate()
        except ToolSchemaError as exc:
            param = f"tools[{i}].function" + (f".{exc.field}" if exc.field else "")
            named = f"tool {exc.tool!r}" if exc.tool is not None else "tool"
            raise ServeError(f"invalid {named} at tools[{i}]: {exc.reason}"
                             + (f" (field {exc.field})" if exc.field else ""), param=param,
                             code="invalid_tool_schema") from None
        if any(o.name == tool.name for o in tools):
            raise ServeError(f"duplicate tool name {tool.name!r} at tools[{i}]", param=f"tools[{i}].function.name")
        tools.append(tool)
    return tools


def _tool_choice(choice: str | NamedToolChoice | None, tools: list[Tool]) -> tuple[ToolChoice, str | None]:
    if choice is None:
        return ("auto" if tools else "none"), None
    if (choice == "required" or isinstance(choice, NamedToolChoice)) and not tools:
        raise ServeError("tool_choice requires tools: the request has none", param="tool_choice")
    if isinstance(choice, NamedToolChoice):
        name = choice.function.name
        if not any(t.name == name for t in tools):
            known = ", ".join(repr(t.name) for t in tools)
            raise ServeError(f"tool_choice names function {name!r}, which is not in tools ({known})",
                             param="tool_choice.function.name")
        return "named", name
    if choice == "auto" and not tools:
        return "none", None
    return choice, None  # type: ignore[return-value]


# ====================================================================================================
# Model text -> choices

@dataclass
class Choice:
    """One answer: text and/or tool calls (with OpenAI ids), and why it ended."""

    index: int
    content: str | None
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: Literal["stop", "length", "tool_calls"] = "stop"
    completion_tokens: int = 0


def new_id(prefix: str, nbytes: int = 12) -> str:
    return f"{prefix}{secrets.token_hex(nbytes)}"


def build_choice(index: int, text: str, prepared: Prepared, completion_tokens: int) -> Choice:
    """Parse `text` into calls of the offered tools (any call format `parse_calls` reads).

    Calls of tools that were not offered (or, for a named tool_choice, of other tools) are not returned as
    tool_calls: their text stays in `content`. `finish_reason` is `tool_calls` when calls came back, else
    `length` when the completion used all of max_tokens, else `stop`.
    """
    truncated = completion_tokens >= prepared.sampling.max_new_tokens
    plain = Choice(index, text, [], "length" if truncated else "stop", completion_tokens)
    if not prepared.offered:
        return plain
    parsed = parse_calls(text, "auto")
    allowed = {t.name for t in prepared.offered}
    calls = [c for c in parsed.calls if c.name in allowed]
    if not calls:
        return plain
    dropped = [c for c in parsed.calls if c.name not in allowed]
    if not prepared.parallel:
        calls, dropped = calls[:1], dropped + calls[1:]
    leftover = "\n".join(p for p in (parsed.leftover.strip(), render_calls(dropped) if dropped else "") if p)
    ids = [ToolCall(c.name, c.arguments, id=new_id("call_")) for c in calls]
    return Choice(index, leftover or None, ids, "tool_calls", completion_tokens)


def merge_retry(first: list[Choice], retry: list[Choice]) -> list[Choice]:
    """`first` with each choice lacking tool calls replaced by the next retry choice that has some."""
    spare = iter([c for c in retry if c.tool_calls])
    out = []
    for c in first:
        if not c.tool_calls:
            r = next(spare, None)
            if r is not None:
                c = replace(r, index=c.index)
        out.append(c)
    return out


# ====================================================================================================
# Responses

def usage(prompt_tokens: int, choices: Sequence[Choice]) -> dict[str, int]:
    completion = sum(c.completion_tokens for c in choices)
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion,
            "total_tokens": prompt_tokens + completion}


def tool_call_dict(call: ToolCall) -> dict[str, Any]:
    """An OpenAI `tool_calls` entry: `arguments` as a JSON string (what the API returns)."""
    return {"id": call.id, "type": "function",
            "function": {"name": call.name, "arguments": json.dumps(call.arguments, ensure_ascii=False)}}


def completion_response(response_id: str, model: str, choices: Sequence[Choice], prompt_tokens: int,
                        created: int | None = None) -> dict[str, Any]:
    """A `chat.completion` object."""
    out = []
    for c in choices:
        message: dict[str, Any] = {"role": "assistant", "content": c.content}
        if c.tool_calls:
            message["tool_calls"] = [tool_call_dict(t) for t in c.tool_calls]
        out.append({"index": c.index, "message": message, "logprobs": None, "finish_reason": c.finish_reason})
    return {"id": response_id, "object": "chat.completion", "created": created or int(time.time()),
            "model": model, "choices": out, "usage": usage(prompt_tokens, choices)}


def chunk(response_id: str, model: str, created: int, choices: list[dict[str, Any]],
          usage_: dict[str, int] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": response_id, "object": "chat.completion.chunk", "created": created,
                           "model": model, "choices": choices}
    if usage_ is not None:
        out["usage"] = usage_
    return out


def sse(obj: dict[str, Any]) -> str:
    return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"


def stream_chunks(response_id: str, model: str, choices: Sequence[Choice], prompt_tokens: int,
                  include_usage: bool = False, created: int | None = None) -> Iterator[dict[str, Any]]:
    """The `chat.completion.chunk` objects of a finished answer, in OpenAI's order per choice: the role,
    the content, each tool call (id, type and name first, then its arguments), then the finish_reason;
    with `include_usage`, a last chunk with no choices and the usage."""
    created = created or int(time.time())

    def one(index: int, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return chunk(response_id, model, created,
                     [{"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}])

    for c in choices:
        yield one(c.index, {"role": "assistant", "content": ""})
        if c.content:
            yield one(c.index, {"content": c.content})
        for k, call in enumerate(c.tool_calls):
            entry = tool_call_dict(call)
            yield one(c.index, {"tool_calls": [{"index": k, "id": entry["id"], "type": "function",
                                                "function": {"name": call.name, "arguments": ""}}]})
            yield one(c.index, {"tool_calls": [{"index": k, "function": {"arguments": entry["function"]["arguments"]}}]})
        yield one(c.index, {}, c.finish_reason)
    if include_usage:
        yield chunk(response_id, model, created, [], usage(prompt_tokens, choices))


def sse_stream(chunks: Iterator[dict[str, Any]]) -> Iterator[str]:
    """Server-sent events: `data: {json}\\n\\n` per chunk, then `data: [DONE]`."""
    for c in chunks:
        yield sse(c)
    yield SSE_DONE


def models_list(model: str, created: int) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": model, "object": "model", "created": created, "owned_by": "toolgym"}]}
