"""Render tools into prompts and parse model text back into calls.

Three call formats:
- `hermes`: `<tool_call>{"name": ..., "arguments": {...}}</tool_call>`, one block per call (Hermes/Qwen);
- `json`: a bare JSON list (or object) of calls, `[{"name": ..., "arguments": {...}}]`;
- `python`: BFCL's python-call style `[f(a=1), g(b="x")]`, read with the `ast` module (never `eval`).

`parse_calls` never raises. Its status is `ok` (calls found, nothing malformed), `no_call` (no call syntax:
plain prose), `partial` (some calls parsed, some fragments malformed) or `unparsable` (call syntax found but
no call could be read). Python calls with positional arguments cannot be mapped to parameter names
without the schema, so such a call is dropped (its text goes to `leftover`) and counts as malformed.
"""

from __future__ import annotations

import ast
import functools
import json
import keyword
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import jinja2
import jinja2.meta

from toolgym.core.errors import InputError
from toolgym.core.schema import Message, Tool, ToolCall, canonical_schema, order_arguments

__all__ = ["FORMATS", "ParseResult", "parse_calls", "render_calls", "render_prompt", "supports_tools",
           "tool_json", "tool_system_prompt", "PROMPT_VERSION"]

FORMATS = ("hermes", "json", "python")
Status = Literal["ok", "no_call", "partial", "unparsable"]


@dataclass
class ParseResult:
    """Calls read from model text, how the read went, and the text that was not a call."""

    calls: list[ToolCall] = field(default_factory=list)
    status: Status = "no_call"
    leftover: str = ""
    format: str = "none"

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# ====================================================================================================
# Parsing

CALL_OPEN, CALL_CLOSE = "<tool_call>", "</tool_call>"  # the hermes call block
_OPEN, _CLOSE = CALL_OPEN, CALL_CLOSE
_FENCE = re.compile(r"```[A-Za-z0-9_+-]*[ \t]*\n?(.*?)(?:```|\Z)", re.S)
_PY_START = re.compile(r"(?m)^[ \t]*\[?[ \t]*[A-Za-z_][\w.]*\(")
_PY_LIST_START = re.compile(r"\[\s*[A-Za-z_][\w.]*\(")
_BFCL_KEY = re.compile(r"[A-Za-z_][\w.\-]*")
_JSON_START = re.compile(r"[\[{]")
_MAX_JSON_STARTS = 32
_MAX_PY_PREFIXES = 16
_DECODER = json.JSONDecoder()
_SEPARATOR = re.compile(r"\s*,?\s*")
_RESERVED_KEYS = {"name", "arguments", "parameters", "function", "type", "id", "tool_calls"}


class _Bad(Exception):
    """A fragment that looked like a call but could not be read."""


def parse_calls(text: Any, fmt: str = "auto") -> ParseResult:
    """Parse model output into calls; never raises. `fmt` is `auto` or one of FORMATS (then strict)."""
    try:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        return _parse(text, fmt)
    except Exception:  # noqa: BLE001 - the parser's contract is to never raise (RecursionError, MemoryError...)
        return ParseResult([], "unparsable", text if isinstance(text, str) else "", fmt)


def _parse(text: str, fmt: str) -> ParseResult:
    if fmt == "hermes":
        return _parse_hermes(text)
    if fmt == "json":
        return _parse_json(text)
    if fmt == "python":
        return _parse_python(text)
    if fmt != "auto":
        return ParseResult([], "unparsable", text, "none")
    if "<tool_call" in text or "</tool_call>" in text:
        return _parse_hermes(text)
    stripped = _unfence(text).lstrip()
    if stripped[:1] in ("[", "{"):
        result = _parse_json(text)
        if result.status != "no_call":
            return result
        py = _parse_python(text)
        return py if py.status != "no_call" else result
    py = _parse_python(text, lenient=True)
    if py.status != "no_call":
        return py
    result = _parse_json(text)
    return result if result.calls else ParseResult([], "no_call", text.strip(), "none")


def _unfence(text: str) -> str:
    """The content of the first ``` code fence, else the text itself."""
    m = _FENCE.search(text)
    return m.group(1) if m else text


def _result(calls: list[ToolCall], bad: int, leftover: str, fmt: str, seen_syntax: bool) -> ParseResult:
    if calls:
        status: Status = "partial" if bad else "ok"
    elif bad or seen_syntax:
        status = "unparsable"
    else:
        status = "no_call"
    return ParseResult(calls, status, leftover.strip(), fmt)


# ---------------------------------------------------------------- hermes

def _parse_hermes(text: str) -> ParseResult:
    if _OPEN not in text:
        if _CLOSE in text:  # a closing tag without opening tag: the call text precedes it
            head, _, tail = text.partition(_CLOSE)
            return _parse_hermes(_OPEN + head + _CLOSE + tail)
        return ParseResult([], "no_call", text.strip(), "hermes")
    calls: list[ToolCall] = []
    bad = 0
    left: list[str] = []
    pos = 0
    next_close = next_open = -2  # memoised searches keep this linear on inputs with thousands of tags
    while True:
        start = text.find(_OPEN, pos)
        if start < 0:
            left.append(text[pos:])
            break
        left.append(text[pos:start])
        body_start = start + len(_OPEN)
        direct = _json_block_at(text, body_start)
        if direct is not None:  # the JSON value is read first, so a "</tool_call>" inside a string is fine
            found, pos = direct
            calls.extend(found)
            continue
        if next_close != -1 and next_close < body_start:
            next_close = text.find(_CLOSE, body_start)
        if next_open != -1 and next_open < body_start:
            next_open = text.find(_OPEN, body_start)
        end, nxt = next_close, next_open
        if end < 0 or (0 <= nxt < end):  # missing closing tag: the block runs to the next tag or the end
            end_body = nxt if nxt >= 0 else len(text)
            pos = end_body
        else:
            end_body = end
            pos = end + len(_CLOSE)
        block = text[body_start:end_body]
        try:
            found = _calls_from_json_text(block)
            if not found:
                raise _Bad
            calls.extend(found)
        except (_Bad, ValueError, RecursionError):
            bad += 1
            left.append(block)
    return _result(calls, bad, "".join(left), "hermes", seen_syntax=True)


_BLOCK_TAIL = re.compile(r"\s*(?:```)?\s*(?:</tool_call>)?")
_BLOCK_HEAD = re.compile(r"\s*(?:```(?:json)?)?\s*")


def _json_block_at(text: str, pos: int) -> tuple[list[ToolCall], int] | None:
    """Calls of a well-formed block whose JSON starts at `pos` (after optional fence), and the end offset."""
    start = _BLOCK_HEAD.match(text, pos).end()
    if text[start:start + 1] not in ("{", "["):
        return None
    try:
        value, end = _DECODER.raw_decode(text, start)
    except (ValueError, RecursionError):
        return None
    calls, bad = _calls_from_value(value)
    tail = _BLOCK_TAIL.match(text, end)
    closed = tail.group().rstrip().endswith(_CLOSE) or tail.end() == len(text) or text.startswith(_OPEN, tail.end())
    if bad or not calls or not closed:
        return None
    return calls, tail.end()


def _calls_from_json_text(block: str) -> list[ToolCall]:
    """Calls in one hermes block: a JSON object/list, possibly fenced, with trailing junk tolerated."""
    body = _unfence(block).strip()
    if not body:
        raise _Bad
    if body[:1] in ("{", "["):
        json_result = _parse_json(body, anchored=True)  # also reads several JSON calls in one block
        if json_result.status == "ok":
            return json_result.calls
    value = _python_literal_block(body)
    if value is None:  # a python call inside the tags: <tool_call>f(a=1)</tool_call>
        py = _parse_python(body)
        if py.status == "ok" and not py.leftover:
            return py.calls
        raise _Bad
    calls, bad = _calls_from_value(value)
    if bad or not calls:
        raise _Bad
    return calls


def _python_literal_block(body: str) -> Any:
    """A python dict/list literal (single quotes, True/None) read with `ast` (never eval), else None."""
    if body[:1] not in ("{", "["):
        return None
    try:
        return _literal(ast.parse(body, mode="eval").body)
    except (_Bad, SyntaxError, ValueError, TypeError, RecursionError, MemoryError):
        return None


# ---------------------------------------------------------------- json

def _parse_json(text: str, anchored: bool = False) -> ParseResult:
    """Find the first JSON value holding calls (tries up to _MAX_JSON_STARTS start positions, or only the
    text's start when `anchored`), plus any call values right after it."""
    decoder = _DECODER
    seen_syntax = False
    for n, m in enumerate(_JSON_START.finditer(text)):
        if n >= _MAX_JSON_STARTS or (anchored and m.start() > 0):
            break
        try:
            value, end = decoder.raw_decode(text, m.start())
        except (ValueError, RecursionError) as exc:
            if n == 0 and not _strip_fence_marks(text[: m.start()]).strip():
                seen_syntax = True  # the text starts with JSON-looking syntax that does not parse
            if isinstance(exc, RecursionError):
                break  # nesting beyond the decoder's depth: later starts sit inside it too
            continue
        calls, bad = _calls_from_value(value)
        if not calls and not bad:
            continue  # plain data, not calls
        values = [value]
        while True:  # further call values right after (JSON lines, or ", " separated)
            nxt = _SEPARATOR.match(text, end).end()
            if text[nxt:nxt + 1] not in ("{", "["):
                break
            try:
                more, more_end = decoder.raw_decode(text, nxt)
            except (ValueError, RecursionError):
                break
            more_calls, more_bad = _calls_from_value(more)
            if not more_calls and not more_bad:
                break
            calls, bad, end = calls + more_calls, bad + more_bad, more_end
            values.append(more)
        leftover = _strip_fence_marks(text[: m.start()] + text[end:])
        if bad:  # keep the malformed items' text
            leftover = "\n".join([leftover.strip(), *(json.dumps(i, ensure_ascii=False) for v in values
                                                      for i in _call_items(v) if _call_from_obj(i) is None)])
        return _result(calls, bad, leftover, "json", seen_syntax=True)
    return _result([], 0, text, "json", seen_syntax=seen_syntax and _looks_like_call_json(text))


def _looks_like_call_json(text: str) -> bool:
    return bool(re.search(r'"(name|function|arguments|parameters)"\s*:', text))


def _strip_fence_marks(text: str) -> str:
    return re.sub(r"```[A-Za-z0-9_+-]*", "", text)


def _calls_from_value(value: Any) -> tuple[list[ToolCall], int]:
    """Calls in a decoded JSON value, and the number of call-like items that could not be read."""
    items = _call_items(value)
    calls: list[ToolCall] = []
    bad = 0
    for item in items:
        call = _call_from_obj(item)
        if call is not None:
            calls.append(call)
        elif _call_like(item) or (isinstance(value, list) and len(items) > 1):
            bad += 1
    if not calls and not any(_call_like(item) for item in items):
        bad = 0
    return calls, bad


def _call_items(value: Any) -> list:
    if isinstance(value, dict):
        if isinstance(value.get("tool_calls"), list):
            return value["tool_calls"]
        return [value]
    return value if isinstance(value, list) else []


def _call_like(item: Any) -> bool:
    return isinstance(item, dict) and any(k in item for k in ("name", "function", "arguments", "parameters"))


def _call_from_obj(obj: Any) -> ToolCall | None:
    """One call from OpenAI `{"name","arguments"}`, `{"function":{...}}` or BFCL `{"fn": {...}}` shapes."""
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("function"), dict):
        obj = obj["function"]
    name = obj.get("name")
    if isinstance(name, str) and name.strip():
        args = obj.get("arguments", obj.get("parameters", {}))
        if isinstance(args, str):
            try:
                args = json.loads(args) if args.strip() else {}
            except (ValueError, RecursionError):
                return None
        if args is None:
            args = {}
        if not isinstance(args, dict):
            return None
        return ToolCall(name=name.strip(), arguments=args)
    if len(obj) == 1:
        (key, args), = obj.items()
        if isinstance(key, str) and key not in _RESERVED_KEYS and isinstance(args, dict) \
                and _BFCL_KEY.fullmatch(key):
            return ToolCall(name=key, arguments=args)
    return None


# ---------------------------------------------------------------- python

def _parse_python(text: str, lenient: bool = False) -> ParseResult:
    """`[f(a=1), g(b="x")]`, `f(a=1)`, or one call per line; prose before the calls is leftover.

    `lenient` (auto mode): text that fails to parse, or whose only calls are malformed ones amid prose, counts
    as prose unless it starts like `[f(`.
    """
    body = _unfence(text)
    fenced = body is not text
    starts = [m.start() for m in _PY_START.finditer(body)][:8]
    if not starts:
        return ParseResult([], "no_call", text.strip(), "python")
    for start in starts:
        segment = body[start:]
        tree = _parse_python_tree(segment)
        if tree is None:
            continue
        exprs, consumed = tree
        calls, bad_src = _calls_from_exprs(exprs, consumed)
        if not calls and not bad_src:
            continue
        rest = body[:start] + body[start + len(consumed):]
        if not calls and lenient and rest.strip() and not _PY_LIST_START.match(body.lstrip()):
            continue  # "f(x) = 2x is a function": prose that merely contains call syntax
        if fenced:
            rest = text.replace(body, rest, 1)
            rest = _strip_fence_marks(rest)
        leftover = "\n".join([rest.strip(), *bad_src]).strip()
        return _result(calls, len(bad_src), leftover, "python", seen_syntax=True)
    if lenient and not _PY_LIST_START.match(body.lstrip()):
        return ParseResult([], "no_call", text.strip(), "python")
    return ParseResult([], "unparsable", text.strip(), "python")


def _parse_python_tree(segment: str) -> tuple[list[ast.expr], str] | None:
    """Parse the longest prefix of `segment` that is python calls; prefixes end at a line end or right
    after a `)` / `]`, so trailing prose on the same line ("[f(a=1)] Done.") is tolerated."""
    ends = {len(segment)}
    ends.update(m.end() for m in re.finditer(r"[^\n]*(?:\n|$)", segment))
    ends.update(m.end() for m in re.finditer(r"[)\]]", segment))
    for end in sorted((e for e in ends if e > 0), reverse=True)[:_MAX_PY_PREFIXES]:
        src = segment[:end]
        try:
            module = ast.parse(src.strip(), mode="exec")
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            continue
        exprs = []
        for stmt in module.body:
            if not isinstance(stmt, ast.Expr):
                break
            exprs.append(stmt.value)
        else:
            if exprs and all(_is_call_expr(e) for e in exprs):
                return exprs, src
    return None


def _is_call_expr(node: ast.expr) -> bool:
    if isinstance(node, (ast.List, ast.Tuple)):
        return bool(node.elts) and all(isinstance(e, ast.Call) for e in node.elts)
    return isinstance(node, ast.Call)


def _calls_from_exprs(exprs: list[ast.expr], src: str) -> tuple[list[ToolCall], list[str]]:
    calls: list[ToolCall] = []
    bad: list[str] = []
    for expr in exprs:
        nodes = expr.elts if isinstance(expr, (ast.List, ast.Tuple)) else [expr]
        for node in nodes:
            try:
                calls.append(_call_from_ast(node))
            except (_Bad, ValueError, TypeError, RecursionError, MemoryError):
                bad.append(ast.get_source_segment(src.strip(), node) or "")
    return calls, bad


def _call_from_ast(node: ast.expr) -> ToolCall:
    if not isinstance(node, ast.Call):
        raise _Bad
    name = _dotted_name(node.func)
    if node.args:
        raise _Bad  # positional arguments: names unknown without the schema (see module docstring)
    args: dict[str, Any] = {}
    for kw in node.keywords:
        value = _literal(kw.value)
        if kw.arg is None:  # **{"from": 1}: keys that are not python identifiers
            if not isinstance(value, dict):
                raise _Bad
            args.update(value)
        else:
            args[kw.arg] = value
    return ToolCall(name=name, arguments=args)


def _dotted_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted_name(node.value)}.{node.attr}"
    raise _Bad


_NAME_CONSTANTS = {"true": True, "false": False, "null": None, "none": None}


def _literal(node: ast.expr) -> Any:
    """A JSON value from an AST literal, like `ast.literal_eval` (checked) but tuples become lists and
    JSON's true/false/null are accepted; anything else (names, calls, operators) is rejected."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, (bytes, complex)) or value is Ellipsis:
            raise _Bad
        return value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_literal(e) for e in node.elts]
    if isinstance(node, ast.Dict):
        out = {}
        for k, v in zip(node.keys, node.values, strict=True):
            if k is None:
                raise _Bad
            key = _literal(k)
            if not isinstance(key, (str, int, float, bool)) or isinstance(key, float) and not math.isfinite(key):
                raise _Bad
            out[key if isinstance(key, str) else json.dumps(key)] = _literal(v)
        return out
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _literal(node.operand)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Bad
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Name) and node.id.lower() in _NAME_CONSTANTS:
        return _NAME_CONSTANTS[node.id.lower()]
    raise _Bad


# ====================================================================================================
# Rendering calls

def render_calls(calls: Sequence[ToolCall | Mapping], fmt: str = "hermes") -> str:
    """The assistant target text for `calls` in `fmt` (round-trips through `parse_calls`)."""
    calls = [c if isinstance(c, ToolCall) else ToolCall.from_openai(c) for c in calls]
    if fmt == "hermes":
        return "\n".join(f"{_OPEN}\n{_call_json(c)}\n{_CLOSE}" for c in calls)
    if fmt == "json":
        return "[" + ", ".join(_call_json(c) for c in calls) + "]"
    if fmt == "python":
        return "[" + ", ".join(_call_python(c) for c in calls) + "]"
    raise InputError(f"unknown call format {fmt!r}; choose one of {', '.join(FORMATS)}", field="fmt")


def _call_json(call: ToolCall) -> str:
    return json.dumps({"name": call.name, "arguments": call.arguments}, ensure_ascii=False)


_PY_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", re.ASCII)


def _call_python(call: ToolCall) -> str:
    if not _PY_NAME.fullmatch(call.name) or any(keyword.iskeyword(p) for p in call.name.split(".")):
        raise InputError(f"tool name {call.name!r} cannot be written as a python call", field="name")
    plain, other = [], {}
    for key, value in call.arguments.items():
        if key.isascii() and key.isidentifier() and not keyword.iskeyword(key):  # python NFKC-normalises others
            plain.append(f"{key}={_py_value(value)}")
        else:
            other[key] = value
    if other:
        plain.append(f"**{_py_value(other)}")
    return f"{call.name}({', '.join(plain)})"


def _py_value(value: Any) -> str:
    """Python literal source for a JSON value (checked `repr`: fine for str/int/bool/None, not inf/nan)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "None" if math.isnan(value) else ("-1e999" if value < 0 else "1e999")
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_py_value(str(k))}: {_py_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_py_value(v) for v in value) + "]"
    return repr(value)


# ====================================================================================================
# Rendering prompts

_CALL_INSTRUCTIONS = {
    "hermes": ("For each call, return a JSON object with the function name and arguments within "
               "<tool_call></tool_call> tags:\n<tool_call>\n"
               '{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'),
    "json": 'Return the calls as one JSON list: [{"name": <function-name>, "arguments": <args-json-object>}]',
    "python": "Return the calls as one python list: [func_name1(param=value), func_name2(param=value)]",
}
_NO_CALL_RULE = "If no function fits, answer in plain text."
# Bumped whenever render_prompt's text changes for the same input (run identities include it, so results made
# under an older rendering are never resumed): 2 = tools with sorted keys (`tool_json`); 3 = parameters and call
# arguments in `core.schema.parameter_order` (required first), not alphabetically.
PROMPT_VERSION = 3

# Minimal ChatML template for tokenizers that ship none (base models); transformers has no default.
CHATML_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + "
    "'<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def _as_tool(t: Tool | Mapping) -> Tool:
    return t if isinstance(t, Tool) else Tool.from_dict(t)


def _as_message(m: Message | Mapping) -> Message:
    return m if isinstance(m, Message) else Message.from_openai(m)


def tool_json(tool: Tool | Mapping) -> str:
    """A tool as the prompt shows it: compact JSON with sorted keys and parameters in `parameter_order` (required
    first), so a tool renders the same whatever the key order of the file it came from (toolgym's JSONL is written
    sorted; BFCL's files put `name` first)."""
    return json.dumps(canonical_schema(_as_tool(tool).to_function(annotations=False)), ensure_ascii=False,
                      separators=(",", ":"))


def tool_system_prompt(tools: Iterable[Tool | Mapping], fmt: str = "hermes") -> str:
    """The fallback system prompt (ToolDev, Figure 5) for `fmt`; tools as compact JSON (`tool_json`), one per line."""
    if fmt not in _CALL_INSTRUCTIONS:
        raise InputError(f"unknown call format {fmt!r}; choose one of {', '.join(FORMATS)}", field="fmt")
    lines = [tool_json(t) for t in tools]
    return ("You are a helpful assistant. You can call various user-defined tools to solve users' problems.\n"
            "Function signatures within <tools></tools> tags:\n"
            "<tools>\n" + "\n".join(lines) + "\n</tools>\n"
            + _CALL_INSTRUCTIONS[fmt] + "\n" + _NO_CALL_RULE)


def _template_source(tokenizer: Any) -> str | None:
    template = getattr(tokenizer, "chat_template", None)
    if isinstance(template, dict):
        template = template.get("tool_use") or template.get("default") or next(iter(template.values()), None)
    return template if isinstance(template, str) else None


def supports_tools(tokenizer: Any) -> bool:
    """Whether the tokenizer's chat template reads a `tools` variable (checked with jinja2.meta)."""
    template = getattr(tokenizer, "chat_template", None)
    if isinstance(template, dict) and isinstance(template.get("tool_use"), str):
        return True
    source = _template_source(tokenizer)
    return _reads_tools(source) if source else False


@functools.lru_cache(maxsize=64)
def _reads_tools(source: str) -> bool:
    """Parsing a template costs ~50 ms, and every rendered prompt asks: cached per template source."""
    try:
        variables = jinja2.meta.find_undeclared_variables(jinja2.Environment().parse(source))
    except jinja2.TemplateSyntaxError:
        return "tools" in source
    return "tools" in variables


def check_call_format(fmt: str, field: str) -> None:
    """A one-line InputError naming `field` unless `fmt` is one of FORMATS."""
    if fmt not in FORMATS:
        raise InputError(f"unknown call format {fmt!r}; choose one of {', '.join(FORMATS)}", field=field)


def render_prompt(tokenizer: Any, messages: Sequence[Message | Mapping], tools: Sequence[Tool | Mapping],
                  fmt: str = "hermes", add_generation_prompt: bool = True) -> str:
    """The prompt text for `messages` + `tools` with the tokenizer's own chat template.

    Templates that read `tools` get them natively (their own call format then applies). Otherwise the
    ToolDev-style system prompt for `fmt` is prepended (merged into an existing system message), assistant
    calls are written as text in `fmt` and tool results become user turns in <tool_response> tags.
    """
    msgs = [_as_message(m) for m in messages]
    tool_objs = [_as_tool(t) for t in tools]
    kwargs: dict[str, Any] = {"tokenize": False, "add_generation_prompt": add_generation_prompt}
    if _template_source(tokenizer) is None:
        kwargs["chat_template"] = CHATML_TEMPLATE
    elif supports_tools(tokenizer):
        tool_dicts = [{"type": "function", "function": t.to_function(annotations=False)} for t in tool_objs]
        return _apply_template(tokenizer, [m.to_openai() for m in msgs], tools=tool_dicts or None, **kwargs)
    dicts = _messages_as_text(msgs, fmt, tool_objs)
    if tool_objs:  # (not keyed on tool_calls, so every prefix of a conversation renders as a prefix)
        system = tool_system_prompt(tool_objs, fmt)
        if dicts and dicts[0]["role"] == "system":
            dicts[0] = {"role": "system", "content": dicts[0]["content"].rstrip() + "\n\n" + system}
        else:
            dicts.insert(0, {"role": "system", "content": system})
    return _apply_template(tokenizer, dicts, **kwargs)


def _apply_template(tokenizer: Any, messages: list[dict], **kwargs: Any) -> str:
    """`apply_chat_template`, with a template's own error (jinja `raise_exception`, a syntax error) as one line."""
    try:
        return tokenizer.apply_chat_template(messages, **kwargs)
    except jinja2.TemplateError as exc:
        message = " ".join(str(exc.message or type(exc).__name__).split())
        raise InputError(f"the chat template failed: {message}", field="chat_template") from None


def _messages_as_text(msgs: Sequence[Message], fmt: str, tools: Sequence[Tool] = ()) -> list[dict]:
    """Messages with only string content and system/user/assistant roles; tool turns merged into user turns;
    call arguments in their tool's `parameter_order`."""
    schemas = {t.name: t.parameters for t in tools}
    out: list[dict] = []
    for m in msgs:
        if m.role == "tool":
            text = f"<tool_response>\n{m.content or ''}\n</tool_response>"
            if out and out[-1]["role"] == "user" and out[-1].get("_tool"):
                out[-1]["content"] += "\n" + text
            else:
                out.append({"role": "user", "content": text, "_tool": True})
            continue
        content = m.content or ""
        if m.role == "assistant" and m.tool_calls:
            ordered = [replace(c, arguments=order_arguments(c.arguments, schemas.get(c.name)))
                       for c in m.tool_calls]
            calls = render_calls(ordered, fmt)
            content = f"{content.rstrip()}\n{calls}" if content.strip() else calls
        out.append({"role": m.role, "content": content})
    return [{"role": d["role"], "content": d["content"]} for d in out]
