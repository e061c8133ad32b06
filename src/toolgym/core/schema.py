"""Tool, ToolCall, Message and Sample: the records every toolgym stage reads and writes.

Tools hold JSON-Schema `parameters` (OpenAI dialect). BFCL function docs convert losslessly: BFCL type
names with no exact JSON-Schema twin (`tuple`, `any`, Java/JS names, ...) are kept in an `x-bfcl-type`
annotation next to the mapped JSON type, so `Tool.from_bfcl(d).to_bfcl() == d`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from toolgym.core.errors import InputError

__all__ = [
    "BFCL_TYPE_KEY", "NO_CALL_TYPES", "ROLES", "SAMPLE_TYPES", "Message", "Sample", "Tool", "ToolCall",
    "ToolSchemaError", "OPENAI_NAME", "bfcl_to_json_schema", "canonical_schema", "json_schema_to_bfcl",
    "order_arguments", "parameter_order", "sanitize_name", "strip_annotations", "unsanitize_name",
]

BFCL_TYPE_KEY = "x-bfcl-type"
ROLES = ("system", "user", "assistant", "tool")
# the record types of docs/contracts.md; Sample.from_record accepts any non-empty type (importers add their own)
SAMPLE_TYPES = ("single", "parallel", "multiple", "parallel_multiple", "no_tool", "zero_to_one_without",
                "zero_to_one_with", "weak_to_strong")
NO_CALL_TYPES = ("no_tool", "zero_to_one_without")  # record types whose gold is "no call"

# BFCL type name -> JSON-Schema type (None: any value). Names not listed also map to None.
_BFCL_TO_JSON: dict[str, str | None] = {
    "dict": "object", "float": "number", "tuple": "array", "any": None,
    "string": "string", "integer": "integer", "boolean": "boolean", "array": "array",
    "number": "number", "object": "object", "null": "null",
    # Java / JavaScript names of BFCL's simple_java / simple_javascript files ("String", "HashMap", "long", ...)
    # are not listed: their values are written as source-code strings there, so they accept any JSON value.
}
# JSON-Schema type -> BFCL type written by `to_bfcl` when no annotation says otherwise.
_JSON_TO_BFCL = {"object": "dict", "number": "float"}
_SCHEMA_KEYS_WITH_SUBSCHEMA = ("items", "additionalProperties", "not", "contains")
_SCHEMA_KEYS_WITH_SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_TYPED_ALTERNATIVES = ("anyOf", "oneOf", "allOf", "enum", "const", "$ref", BFCL_TYPE_KEY)


class ToolSchemaError(InputError):
    """A tool's schema is malformed; names the tool and the field path inside it."""

    def __init__(self, message: str, *, tool: str | None = None, field: str | None = None,
                 file: str | None = None, record: int | str | None = None) -> None:
        self.tool, self.reason = tool, message
        where = f"tool {tool!r}: " if tool is not None else ""
        super().__init__(f"{where}{message}", file=file, record=record, field=field)


# ----------------------------------------------------------------------------------------------------
# Names: OpenAI function names must match ^[a-zA-Z0-9_-]{1,64}$; BFCL names contain dots.
# Encoding (prefix-free, so reversible): '-' starts every escape: '.' -> '--', '-' -> '-_',
# any other disallowed char -> '-u' + 4 hex digits (or '-U' + 8). Names whose encoding exceeds 64 chars
# are shortened with a hash suffix; those are reversed only via a toolset (unsanitize_name(..., tools)).
_SAFE_CHAR = re.compile(r"[A-Za-z0-9_]")
OPENAI_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def sanitize_name(name: str) -> str:
    """The reversible OpenAI-safe form of `name` (identity for names made of [A-Za-z0-9_])."""
    out = []
    for ch in name:
        if _SAFE_CHAR.fullmatch(ch):
            out.append(ch)
        elif ch == ".":
            out.append("--")
        elif ch == "-":
            out.append("-_")
        elif ord(ch) <= 0xFFFF:
            out.append(f"-u{ord(ch):04x}")
        else:
            out.append(f"-U{ord(ch):08x}")
    safe = "".join(out)
    if len(safe) > 64:
        safe = safe[:55] + "-h" + hashlib.sha1(name.encode()).hexdigest()[:7]
    return safe


def unsanitize_name(safe: str, tools: Iterable[Tool] | None = None) -> str:
    """Reverse `sanitize_name`. With `tools`, names are looked up (also handles shortened names).

    Text that is not a valid encoding is returned unchanged; this never raises.
    """
    if tools is not None:
        for tool in tools:
            if safe in (tool.safe_name, tool.name):
                return tool.name
    if "-" not in safe:
        return safe
    out, i = [], 0
    while i < len(safe):
        ch = safe[i]
        nxt = safe[i + 1] if i + 1 < len(safe) else ""
        if ch != "-":
            out.append(ch)
            i += 1
        elif nxt == "-":
            out.append(".")
            i += 2
        elif nxt == "_":
            out.append("-")
            i += 2
        elif nxt == "u" and re.fullmatch(r"[0-9a-f]{4}", safe[i + 2:i + 6]):
            out.append(chr(int(safe[i + 2:i + 6], 16)))
            i += 6
        elif nxt == "U" and re.fullmatch(r"[0-9a-f]{8}", safe[i + 2:i + 10]) and int(safe[i + 2:i + 10], 16) < 0x110000:
            out.append(chr(int(safe[i + 2:i + 10], 16)))
            i += 10
        else:
            return safe  # not an encoding we produced
    return "".join(out)


# ----------------------------------------------------------------------------------------------------
# BFCL <-> JSON-Schema type conversion (recursive over properties, items and combinators)

def _map_schema(node: Any, convert_type) -> Any:
    """Rebuild a schema node, applying `convert_type(node) -> new dict` to every (sub)schema dict."""
    if not isinstance(node, dict):
        return node
    out = convert_type(node)
    if isinstance(out.get("properties"), dict):
        out["properties"] = {k: _map_schema(v, convert_type) for k, v in out["properties"].items()}
    for key in _SCHEMA_KEYS_WITH_SUBSCHEMA:
        if isinstance(out.get(key), dict):
            out[key] = _map_schema(out[key], convert_type)
    for key in _SCHEMA_KEYS_WITH_SUBSCHEMA_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [_map_schema(v, convert_type) for v in out[key]]
    return out


def _bfcl_node_to_json(node: dict) -> dict:
    if not isinstance(node.get("type"), str):
        return dict(node)
    bfcl_type = node["type"]
    json_type = _BFCL_TO_JSON.get(bfcl_type)
    annotate = _JSON_TO_BFCL.get(json_type, json_type) != bfcl_type if json_type else True
    out: dict = {}
    for key, value in node.items():
        if key == "type":
            if json_type is not None:
                out["type"] = json_type
            if annotate:
                out[BFCL_TYPE_KEY] = bfcl_type
        else:
            out[key] = value
    return out


def _json_node_to_bfcl(node: dict) -> dict:
    out: dict = {}
    if BFCL_TYPE_KEY in node:
        bfcl_type = node[BFCL_TYPE_KEY]
        had_type = "type" in node
        for key, value in node.items():
            if key == "type":
                out["type"] = bfcl_type
            elif key == BFCL_TYPE_KEY:
                if not had_type:
                    out["type"] = bfcl_type
            else:
                out[key] = value
        return out
    for key, value in node.items():
        out[key] = _JSON_TO_BFCL.get(value, value) if key == "type" and isinstance(value, str) else value
    return out


def bfcl_to_json_schema(params: Any) -> Any:
    """BFCL `parameters` -> JSON-Schema (annotated so `json_schema_to_bfcl` restores it exactly)."""
    return _map_schema(copy.deepcopy(params), _bfcl_node_to_json)


def json_schema_to_bfcl(params: Any) -> Any:
    """JSON-Schema `parameters` -> BFCL dialect (`object`->`dict`, `number`->`float`, annotations restored)."""
    return _map_schema(copy.deepcopy(params), _json_node_to_bfcl)


def strip_annotations(params: Any) -> Any:
    """A copy of a schema without the `x-bfcl-type` annotations (for compact prompts)."""
    return _map_schema(copy.deepcopy(params), lambda n: {k: v for k, v in n.items() if k != BFCL_TYPE_KEY})


# ----------------------------------------------------------------------------------------------------
# Parameter order: the one order prompts list parameters in, training targets write arguments in and the call
# grammar asks for them in. Required parameters come first, in the order of the schema's `required` list (kept by
# every source, since it is a list), then the optional ones sorted by name, so a tool reads the same whatever the
# key order of the file it came from (toolgym's JSONL is written with sorted keys; BFCL's is not). Alphabetical
# order (PROMPT_VERSION 2) often asked for an optional parameter before the required ones (docs/quality, stop 35).


def parameter_order(schema: Any) -> list[str]:
    """The names of an object schema's properties in toolgym's canonical order (required first)."""
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    if not isinstance(props, Mapping):
        return []
    required = schema.get("required")
    first = list(dict.fromkeys(r for r in required if r in props)) if isinstance(required, list) else []
    return first + sorted(k for k in props if k not in first)


def canonical_schema(node: Any) -> Any:
    """A copy of a schema with sorted keys, except that every `properties` object is in `parameter_order`."""
    if isinstance(node, list):
        return [canonical_schema(v) for v in node]
    if not isinstance(node, Mapping):
        return node
    props = node.get("properties")
    return {k: ({p: canonical_schema(props[p]) for p in parameter_order(node)}
                if k == "properties" and isinstance(props, Mapping) else canonical_schema(node[k]))
            for k in sorted(node)}


def order_arguments(arguments: Any, schema: Any) -> Any:
    """`arguments` with keys in `parameter_order` of `schema` (keys it does not know last, sorted; without a
    schema all sorted), nested objects and arrays of objects too."""
    schema = schema if isinstance(schema, Mapping) else {}
    if isinstance(arguments, list):
        return [order_arguments(v, schema.get("items")) for v in arguments]
    if not isinstance(arguments, Mapping):
        return arguments
    props = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
    known = [k for k in parameter_order(schema) if k in arguments]
    keys = known + sorted(k for k in arguments if k not in props)
    return {k: order_arguments(arguments[k], props.get(k)) for k in keys}


# ----------------------------------------------------------------------------------------------------
# Tool

_EXTRA_EXCLUDE = {"name", "description", "parameters"}


@dataclass
class Tool:
    """A callable function documented by name, description and a JSON-Schema `parameters` object.

    `extra` keeps any other keys of the function doc (e.g. `strict`, `response`) for lossless round trips.
    """

    name: str
    description: str = ""
    parameters: dict = field(default_factory=lambda: {"type": "object", "properties": {}})
    extra: dict = field(default_factory=dict)
    # which keys the source doc had, to reproduce it exactly ("description" may be absent)
    _keys: tuple[str, ...] = field(default=("name", "description", "parameters"), repr=False, compare=False)

    # --- names
    @property
    def safe_name(self) -> str:
        return sanitize_name(self.name)

    # --- OpenAI
    @classmethod
    def from_openai(cls, d: Mapping) -> Tool:
        """From `{"type":"function","function":{...}}` or a bare function dict."""
        if not isinstance(d, Mapping):
            raise ToolSchemaError(f"expected a tool object, got {type(d).__name__}")
        fn = d.get("function") if "function" in d else d
        if not isinstance(fn, Mapping):
            raise ToolSchemaError("'function' must be an object", field="function")
        return cls._from_function(fn, parameters_of=lambda p: copy.deepcopy(p))

    @classmethod
    def from_dict(cls, d: Mapping) -> Tool:
        """From an OpenAI tool/function dict or a BFCL doc (recognised by `parameters.type == "dict"`)."""
        fn = d.get("function", d) if isinstance(d, Mapping) else d
        if isinstance(fn, Mapping) and isinstance(fn.get("parameters"), Mapping) \
                and fn["parameters"].get("type") == "dict":
            return cls.from_bfcl(fn)
        return cls.from_openai(d)

    def to_openai(self) -> dict:
        """`{"type":"function","function":{"name","description","parameters",...}}`."""
        return {"type": "function", "function": self._function_dict(copy.deepcopy(self.parameters))}

    def to_function(self, annotations: bool = True) -> dict:
        """The bare function dict (what prompts show); `annotations=False` drops `x-` keys."""
        params = copy.deepcopy(self.parameters) if annotations else strip_annotations(self.parameters)
        return self._function_dict(params)

    # --- BFCL
    @classmethod
    def from_bfcl(cls, d: Mapping) -> Tool:
        """From a BFCL function doc (`parameters.type == "dict"`, BFCL type names)."""
        if not isinstance(d, Mapping):
            raise ToolSchemaError(f"expected a BFCL function doc object, got {type(d).__name__}")
        return cls._from_function(d, parameters_of=bfcl_to_json_schema)

    def to_bfcl(self) -> dict:
        """The BFCL function doc; for a tool made by `from_bfcl` this equals the original."""
        return self._function_dict(json_schema_to_bfcl(self.parameters))

    # --- validation
    def validate(self) -> Tool:
        """Check the schema (Draft 2020-12 metaschema + toolgym rules); raise ToolSchemaError. Returns self.

        Results are cached by schema content: the same tool recurs in many records.
        """
        try:
            key = json.dumps([self.name, self.description, self.parameters], sort_keys=True)
        except (TypeError, ValueError):
            raise ToolSchemaError("schema is not JSON-serialisable", tool=str(self.name),
                                  field="parameters") from None
        problem = _schema_problem(key)
        if problem is not None:
            message, path = problem
            raise ToolSchemaError(message, tool=self.name if isinstance(self.name, str) else str(self.name),
                                  field=path)
        return self

    # --- helpers
    @classmethod
    def _from_function(cls, fn: Mapping, parameters_of) -> Tool:
        name = fn.get("name")
        if not isinstance(name, str) or not name:
            raise ToolSchemaError("missing or empty 'name'", field="name")
        desc = fn.get("description", "")
        if desc is None:
            desc = ""
        if not isinstance(desc, str):
            raise ToolSchemaError("description must be a string", tool=name, field="description")
        params = fn.get("parameters", {"type": "object", "properties": {}})
        if not isinstance(params, dict):
            raise ToolSchemaError("parameters must be an object", tool=name, field="parameters")
        extra = {k: copy.deepcopy(v) for k, v in fn.items() if k not in _EXTRA_EXCLUDE}
        return cls(name=name, description=desc, parameters=parameters_of(params), extra=extra,
                   _keys=tuple(fn.keys()))

    def _function_dict(self, params: dict) -> dict:
        values = {"name": self.name, "description": self.description, "parameters": params, **self.extra}
        keys = list(self._keys) + [k for k in values if k not in self._keys]
        out = {k: values[k] for k in keys if k in values}
        if "description" not in self._keys and not self.description:
            out.pop("description", None)
        return out

    @property
    def properties(self) -> dict:
        props = self.parameters.get("properties") if isinstance(self.parameters, dict) else None
        return props if isinstance(props, dict) else {}

    @property
    def required(self) -> list[str]:
        req = self.parameters.get("required") if isinstance(self.parameters, dict) else None
        return [r for r in req if isinstance(r, str)] if isinstance(req, list) else []


_META_VALIDATOR = Draft202012Validator(Draft202012Validator.META_SCHEMA)


@lru_cache(maxsize=65536)
def _schema_problem(key: str) -> tuple[str, str] | None:
    """(message, field path) of the first problem of a [name, description, parameters] doc, or None."""
    name, description, params = json.loads(key)
    if not isinstance(name, str) or not name.strip():
        return "name must be a non-empty string", "name"
    if not isinstance(description, str):
        return "description must be a string", "description"
    if not isinstance(params, dict):
        return "parameters must be an object", "parameters"
    error = best_match(_META_VALIDATOR.iter_errors(params))
    if error is not None:
        path = ".".join(["parameters", *(str(p) for p in error.absolute_path)])
        return f"invalid JSON Schema: {_first_line(error.message)}", path
    if params.get("type") != "object":
        return f"parameters.type must be 'object', got {params.get('type')!r}", "parameters.type"
    try:
        _check_object_node(name, params, "parameters", top=True)
    except ToolSchemaError as exc:
        return exc.reason, exc.field or "parameters"
    return None


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else text
    return line if len(line) <= 200 else line[:197] + "..."


def _check_object_node(tool: str, node: dict, path: str, top: bool) -> None:
    """toolgym rules on an object schema: required names exist, every property is typed."""
    props = node.get("properties", {})
    required = node.get("required", [])
    if top or props:
        for i, name in enumerate(required):
            if name not in props:
                raise ToolSchemaError(f"required parameter {name!r} is not in properties", tool=tool,
                                      field=f"{path}.required[{i}]")
    for pname, pschema in props.items():
        _check_property(tool, pschema, f"{path}.properties.{pname}")


def _check_property(tool: str, schema: Any, path: str) -> None:
    if not isinstance(schema, dict):
        raise ToolSchemaError("property schema must be an object", tool=tool, field=path)
    if "type" not in schema and not any(k in schema for k in _TYPED_ALTERNATIVES):
        raise ToolSchemaError("property has no 'type' (use x-bfcl-type 'any' or anyOf for free values)",
                              tool=tool, field=path)
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "object" in types:
        _check_object_node(tool, schema, path, top=False)
    if "array" in types and isinstance(schema.get("items"), dict):
        _check_property(tool, schema["items"], f"{path}.items")


# ----------------------------------------------------------------------------------------------------
# ToolCall

@dataclass
class ToolCall:
    """One call: tool name plus arguments (a JSON object). `id` is the OpenAI tool_call id, if any."""

    name: str
    arguments: dict = field(default_factory=dict)
    id: str | None = None

    @classmethod
    def from_openai(cls, d: Any) -> ToolCall:
        """From `{"id","type":"function","function":{"name","arguments"}}` or `{"name","arguments"}`.

        `arguments` may be a dict or a JSON string; the key `parameters` is accepted for `arguments`.
        """
        if not isinstance(d, Mapping):
            raise InputError(f"a tool call must be an object, got {type(d).__name__}", field="tool_calls")
        call_id = d.get("id")
        fn = d.get("function") if isinstance(d.get("function"), Mapping) else d
        name = fn.get("name")
        if not isinstance(name, str) or not name:
            raise InputError("tool call has no 'name'", field="name")
        args = fn.get("arguments", fn.get("parameters", {}))
        if isinstance(args, str):
            try:
                args = json.loads(args) if args.strip() else {}
            except ValueError as exc:
                raise InputError(f"arguments of {name!r} are not valid JSON: {exc}", field="arguments") from None
        if args is None:
            args = {}
        if not isinstance(args, dict):
            raise InputError(f"arguments of {name!r} must be an object, got {type(args).__name__}",
                             field="arguments")
        return cls(name=name, arguments=args, id=call_id if isinstance(call_id, str) else None)

    def to_openai(self) -> dict:
        """OpenAI/transformers `tool_calls` entry; arguments stay a dict (what chat templates expect)."""
        out: dict = {"type": "function", "function": {"name": self.name, "arguments": self.arguments}}
        if self.id is not None:
            out = {"id": self.id, **out}
        return out

    def to_dict(self) -> dict:
        """The compact `{"name","arguments"}` form used for `gold`."""
        return {"name": self.name, "arguments": self.arguments}


# ----------------------------------------------------------------------------------------------------
# Message

@dataclass
class Message:
    """One chat turn (OpenAI dialect). `feedback_category` marks assistant calls whose feedback was an error."""

    role: str
    content: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None
    name: str | None = None
    feedback_category: str | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_openai(cls, d: Any) -> Message:
        if not isinstance(d, Mapping):
            raise InputError(f"a message must be an object, got {type(d).__name__}", field="role")
        role = d.get("role")
        if role not in ROLES:
            raise InputError(f"role must be one of {', '.join(ROLES)}, got {role!r}", field="role")
        content = d.get("content")
        if content is not None and not isinstance(content, str):
            content = _content_text(content)
        calls = d.get("tool_calls")
        if calls is not None:
            if not isinstance(calls, list):
                raise InputError("tool_calls must be a list", field="tool_calls")
            parsed = []
            for i, c in enumerate(calls):
                try:
                    parsed.append(ToolCall.from_openai(c))
                except InputError as exc:
                    raise InputError(_reason(exc), field=f"tool_calls[{i}].{exc.field or ''}".rstrip(".")) from None
            calls = parsed
        for key in ("tool_call_id", "name", "feedback_category"):
            if d.get(key) is not None and not isinstance(d.get(key), str):
                raise InputError(f"{key} must be a string", field=key)
        known = {"role", "content", "tool_calls", "tool_call_id", "name", "feedback_category"}
        extra = {k: copy.deepcopy(v) for k, v in d.items() if k not in known}
        return cls(role=role, content=content, tool_calls=calls, tool_call_id=d.get("tool_call_id"),
                   name=d.get("name"), feedback_category=d.get("feedback_category"), extra=extra)

    def to_openai(self) -> dict:
        out: dict = {"role": self.role, "content": self.content}
        if self.tool_calls:
            out["tool_calls"] = [c.to_openai() for c in self.tool_calls]
            out["feedback_category"] = self.feedback_category
        elif self.feedback_category is not None:
            out["feedback_category"] = self.feedback_category
        if self.tool_call_id is not None:
            out["tool_call_id"] = self.tool_call_id
        if self.name is not None:
            out["name"] = self.name
        out.update(copy.deepcopy(self.extra))
        return out


def _content_text(content: Any) -> str:
    """OpenAI content parts (`[{"type":"text","text":...}]`) -> plain text."""
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, Mapping) and isinstance(p.get("text"), str)]
        if len(parts) == len(content):
            return "".join(parts)
    raise InputError("content must be a string or a list of text parts", field="content")


def _reason(exc: InputError) -> str:
    return getattr(exc, "reason", None) or str(exc).split(": ", 1)[-1]


# ----------------------------------------------------------------------------------------------------
# Sample

@dataclass
class Sample:
    """One training/eval record: messages, candidate tools, gold calls (`[]` = answer in text)."""

    id: str
    type: str
    messages: list[Message]
    tools: list[Tool] = field(default_factory=list)
    gold: list[ToolCall] = field(default_factory=list)
    ranking: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    @classmethod
    def from_record(cls, d: Any, *, file: str | None = None, line: int | None = None) -> Sample:
        """Parse one JSONL record; raise InputError naming file, record (line) and field."""
        def fail(msg: str, fld: str | None) -> InputError:
            return InputError(msg, file=file, record=line, field=fld)

        if not isinstance(d, Mapping):
            raise fail(f"record must be a JSON object, got {type(d).__name__}", None)
        sid = d.get("id")
        if isinstance(sid, int) and not isinstance(sid, bool):
            sid = str(sid)
        if not isinstance(sid, str) or not sid:
            raise fail("missing or non-string 'id'", "id")
        stype = d.get("type")
        if not isinstance(stype, str) or not stype:
            raise fail("missing or non-string 'type'", "type")
        messages = _list_field(d, "messages", fail, required=True)
        if not messages:
            raise fail("'messages' is empty", "messages")
        msgs = [_parse_item(Message.from_openai, m, f"messages[{i}]", fail) for i, m in enumerate(messages)]
        tools = []
        for i, t in enumerate(_list_field(d, "tools", fail)):
            tool = _parse_item(Tool.from_openai, t, f"tools[{i}]", fail)
            try:
                tool.validate()
            except ToolSchemaError as exc:
                raise fail(f"tool {tool.name!r}: {exc.reason}", f"tools[{i}].function.{exc.field}") from None
            if any(t.name == tool.name for t in tools):
                raise fail(f"duplicate tool name {tool.name!r}", f"tools[{i}].function.name")
            tools.append(tool)
        gold = [_parse_item(ToolCall.from_openai, g, f"gold[{i}]", fail)
                for i, g in enumerate(_list_field(d, "gold", fail))]
        ranking = _list_field(d, "ranking", fail)
        for i, r in enumerate(ranking):
            if not isinstance(r, str):
                raise fail("ranking entries must be tool names (strings)", f"ranking[{i}]")
        meta = d.get("meta", {})
        if meta is None:
            meta = {}
        if not isinstance(meta, Mapping):
            raise fail("'meta' must be an object", "meta")
        return cls(id=sid, type=stype, messages=msgs, tools=tools, gold=gold, ranking=list(ranking),
                   meta=dict(meta))

    def to_record(self) -> dict:
        return {
            "id": self.id, "type": self.type,
            "messages": [m.to_openai() for m in self.messages],
            "tools": [t.to_openai() for t in self.tools],
            "gold": [c.to_dict() for c in self.gold],
            "ranking": list(self.ranking),
            "meta": copy.deepcopy(self.meta),
        }


def _list_field(d: Mapping, key: str, fail, required: bool = False) -> list:
    if key not in d or d[key] is None:
        if required:
            raise fail(f"missing '{key}'", key)
        return []
    value = d[key]
    if not isinstance(value, list):
        raise fail(f"'{key}' must be a list, got {type(value).__name__}", key)
    return value


def _parse_item(parse, item: Any, where: str, fail):
    try:
        return parse(item)
    except InputError as exc:
        sub = f"{where}.{exc.field}" if exc.field else where
        raise fail(_reason(exc), sub) from None
