"""Import and export of public tool-calling data (`toolgym data import|export`, recipe `data.extra`).

| format     | one row                                                                              | used by |
|------------|--------------------------------------------------------------------------------------|---------|
| `openai`   | `messages` (assistant `tool_calls`, arguments a JSON string or object; `tool` turns), `tools` | TRL, transformers |
| `sharegpt` | `conversations` (`human`/`gpt`/`function_call`/`observation`), `system`, `tools` (JSON string) | LLaMA-Factory |
| `xlam`     | `query`, `tools` and `answers` (JSON strings)                                        | xLAM / APIGen |
| `toolace`  | `system` holding a JSON tool list, `conversations` with `[f(a=1)]` calls              | ToolACE |
| `hf`       | a `Dataset.save_to_disk` folder; each row in any layout above or a toolgym record     | datasets |
| `parquet`  | a parquet file or a folder of them; rows as for `hf`                                  | datasets |
| `toolgym`  | toolgym JSONL: a file, or a folder's `train.jsonl` and `trajectories.jsonl`          | toolgym |

Files of the first four may be JSONL or one JSON array (`.json`); a folder means all its `*.jsonl`/`*.json`.
Every row becomes a conversation (OpenAI messages + tools), then a toolgym record checked by
`Sample.from_record` and `Tool.validate` (the checks synthetic records get). A bad row raises (strict) or is
counted and skipped with one line naming file, row and field. A conversation whose only assistant turn is its
last becomes a single-step record (prompt + `gold` calls, or its text answer kept as the last message) for
train.jsonl; any other (tool turns, several assistant turns, text beside calls) a `trajectory` record with every
turn in `messages` for trajectories.jsonl, as `toolgym data synth` lays them out.

Export writes the same conversations back; a record the format cannot hold (an xLAM row has one query and its
calls) is counted and skipped with its reason. Import -> export -> import returns equal records; what a format
cannot hold (toolgym `meta` and `ranking`, call ids in ShareGPT, several tool replies to one call turn, which
ShareGPT and ToolACE keep as one JSON list) is lost on the first import only.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolgym.core.config import bare_message
from toolgym.core.errors import InputError
from toolgym.core.formats import parse_calls, render_calls
from toolgym.core.schema import Message, Sample, Tool, ToolCall
from toolgym.data.io import ReadStats, dumps_record, iter_jsonl, read_samples, strict_default, write_jsonl
from toolgym.data.xlam_schema import is_json_schema, params_to_schema, schema_to_params

LAYOUTS = ("openai", "sharegpt", "xlam", "toolace")  # row layouts of files
FORMATS = (*LAYOUTS, "hf", "parquet", "toolgym")
TRAIN, TRAJECTORIES = "train.jsonl", "trajectories.jsonl"
TRAJECTORY_TYPE = "trajectory"
TOOLACE_AT = "toolace_tools_at"  # meta key: where the tool list sat in the ToolACE system prompt
TOOLACE_INTRO = "Here is a list of functions in JSON format that you can invoke:\n"
_PY_LIST_START = re.compile(r"^\[\s*[A-Za-z_][\w.]*\(")
_DECODER = json.JSONDecoder()


@dataclass
class Conversation:
    """A row read from any layout: whole OpenAI messages (final answer included), OpenAI tools, id and meta."""

    messages: list[dict[str, Any]]
    tools: list[Tool] = field(default_factory=list)
    id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def check_format(fmt: str, *, field_name: str = "FORMAT", allowed: Iterable[str] = FORMATS) -> str:
    allowed = tuple(allowed)
    if fmt not in allowed:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(allowed)}", field=field_name)
    return fmt


# ------------------------------------------------------------------------------------------------ helpers

def _fail(message: str, where: str | None = None) -> InputError:
    return InputError(message, field=where)


def _json_value(value: Any, where: str) -> Any:
    """A field that may hold JSON text (xLAM and ShareGPT store lists as strings)."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value) if value.strip() else []
    except ValueError as exc:
        raise _fail(f"not valid JSON: {exc}", where) from None


def _list(row: Mapping[str, Any], key: str, *, required: bool = True) -> list[Any]:
    value = _json_value(row.get(key), key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise _fail(f"missing or not a list (got {type(value).__name__})", key)
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(f"must be a string, got {type(value).__name__}", where)
    return value


def _row_id(row: Mapping[str, Any]) -> str | None:
    value = row.get("id")
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        return None
    return str(value)


def drop_nulls(value: Any) -> Any:
    """`value` without None-valued keys, at any depth: Arrow fills keys a row lacks with null."""
    if isinstance(value, Mapping):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value


def parse_tools(value: Any, where: str = "tools") -> list[Tool]:
    """Tools from a list (or its JSON text) of OpenAI tools, bare function docs or BFCL docs, each validated."""
    items = _json_value(value, where)
    if items is None:
        return []
    if not isinstance(items, list):
        raise _fail(f"must be a list of tools, got {type(items).__name__}", where)
    tools: list[Tool] = []
    for i, item in enumerate(items):
        try:
            tool = Tool.from_dict(item).validate()
        except InputError as exc:
            raise _fail(bare_message(exc), f"{where}[{i}]" + (f".{exc.field}" if exc.field else "")) from None
        if any(t.name == tool.name for t in tools):
            raise _fail(f"duplicate tool name {tool.name!r}", f"{where}[{i}].name")
        tools.append(tool)
    return tools


def _calls(items: Any, where: str) -> list[dict[str, Any]]:
    """OpenAI `tool_calls` entries from `{"name","arguments"}` objects (or one), each checked."""
    items = items if isinstance(items, list) else [items]
    out = []
    for i, item in enumerate(items):
        try:
            out.append(ToolCall.from_openai(item).to_openai())
        except InputError as exc:
            raise _fail(bare_message(exc), f"{where}[{i}]" + (f".{exc.field}" if exc.field else "")) from None
    return out


def _call_turn(calls: list[dict[str, Any]]) -> dict[str, Any]:
    return {"role": "assistant", "content": None, "tool_calls": calls}


def _join_results(contents: list[str]) -> str:
    """Several tool replies in one observation turn: one reply as it is, more as a JSON list of them."""
    return contents[0] if len(contents) == 1 else json.dumps(contents, ensure_ascii=False)


def _bare_call(call: Mapping[str, Any]) -> dict[str, Any]:
    parsed = ToolCall.from_openai(call)
    return {"name": parsed.name, "arguments": parsed.arguments}


# ------------------------------------------------------------------------------------------------ openai

def openai_conversation(row: Mapping[str, Any]) -> Conversation:
    messages = _list(row, "messages")
    for i, message in enumerate(messages):  # checked here, so that errors name the row's own fields
        try:
            Message.from_openai(message)
        except InputError as exc:
            raise _fail(bare_message(exc), f"messages[{i}]" + (f".{exc.field}" if exc.field else "")) from None
    return Conversation([dict(m) for m in messages], parse_tools(row.get("tools")), _row_id(row))


def openai_row(conv: Conversation) -> dict[str, Any]:
    messages = [{k: v for k, v in m.items() if k != "feedback_category"} for m in conv.messages]
    return {"id": conv.id, "messages": messages, "tools": [t.to_openai() for t in conv.tools]}


# ------------------------------------------------------------------------------------------------ sharegpt

_SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
                   "function_call": "function_call", "observation": "tool", "tool": "tool", "system": "system"}
_SHAREGPT_NAMES = {"user": "human", "assistant": "gpt", "system": "system"}


def _turns(row: Mapping[str, Any], roles: Mapping[str, str]) -> Iterator[tuple[str, str, str]]:
    """(role, value, field) of each `conversations` turn (`from`/`value`, or `role`/`content`)."""
    for i, turn in enumerate(_list(row, "conversations")):
        where = f"conversations[{i}]"
        if not isinstance(turn, Mapping):
            raise _fail(f"a turn must be an object, got {type(turn).__name__}", where)
        speaker = turn.get("from", turn.get("role"))
        if speaker not in roles:
            raise _fail(f"'from' must be one of {', '.join(roles)}, got {speaker!r}", f"{where}.from")
        yield roles[speaker], _text(turn.get("value", turn.get("content")), f"{where}.value"), f"{where}.value"


def sharegpt_conversation(row: Mapping[str, Any]) -> Conversation:
    messages: list[dict[str, Any]] = []
    if row.get("system"):
        messages.append({"role": "system", "content": _text(row["system"], "system")})
    for role, value, where in _turns(row, _SHAREGPT_ROLES):
        if role == "function_call":
            messages.append(_call_turn(_calls(_json_value(value, where), where)))
        else:
            messages.append({"role": role, "content": value})
    return Conversation(messages, parse_tools(row.get("tools")), _row_id(row))


def sharegpt_row(conv: Conversation) -> dict[str, Any]:
    messages, system = _split_system(conv.messages)
    turns: list[dict[str, str]] = []
    for i, role, value in _walk(messages, lambda calls: json.dumps(calls[0] if len(calls) == 1 else calls,
                                                                    ensure_ascii=False)):
        name = {"calls": "function_call", "tool": "observation"}.get(role) or _SHAREGPT_NAMES.get(role)
        if name is None or name == "system":
            raise _fail(f"ShareGPT holds one system prompt, first; this turn is {role!r}", f"messages[{i}]")
        turns.append({"from": name, "value": value})
    row: dict[str, Any] = {"id": conv.id, "conversations": turns}
    if system is not None:
        row["system"] = system
    if conv.tools:
        row["tools"] = json.dumps([t.to_function() for t in conv.tools], ensure_ascii=False)
    return row


def _split_system(messages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str | None]:
    if messages and messages[0].get("role") == "system":
        return messages[1:], messages[0].get("content") or ""
    return messages, None


def _walk(messages: list[dict[str, Any]], write_calls: Callable[[list[dict[str, Any]]], str]
          ) -> Iterator[tuple[int, str, str]]:
    """(index, role, text) per turn of a ShareGPT-like layout: call turns as `calls` (text by `write_calls`),
    consecutive tool replies joined into one `tool` turn."""
    i = 0
    while i < len(messages):
        message = messages[i]
        role = message.get("role")
        if role == "assistant" and message.get("tool_calls"):
            if message.get("content"):
                raise _fail("text beside calls in one assistant turn: this format holds one or the other",
                            f"messages[{i}].content")
            yield i, "calls", write_calls([_bare_call(c) for c in message["tool_calls"]])
        elif role == "tool":
            start = i
            while i + 1 < len(messages) and messages[i + 1].get("role") == "tool":
                i += 1
            yield start, "tool", _join_results([m.get("content") or "" for m in messages[start:i + 1]])
        else:
            yield i, str(role), message.get("content") or ""
        i += 1


# ------------------------------------------------------------------------------------------------ xlam

def xlam_tool(doc: Any, where: str) -> Tool:
    """An xLAM tool doc (parameters as xLAM's `{name: {type, description, default}}` or JSON Schema)."""
    if not isinstance(doc, Mapping):
        raise _fail(f"a tool must be an object, got {type(doc).__name__}", where)
    params = doc.get("parameters", {})
    if isinstance(params, Mapping) and not is_json_schema(params):
        try:
            doc = {**doc, "parameters": params_to_schema(params)}
        except ValueError as exc:
            path, _, message = str(exc).partition(": ")
            raise _fail(message, f"{where}.{path}") from None
    return _one_tool(doc, where)


def _one_tool(doc: Mapping[str, Any], where: str) -> Tool:
    try:
        return Tool.from_dict(doc).validate()
    except InputError as exc:
        raise _fail(bare_message(exc), where + (f".{exc.field}" if exc.field else "")) from None


def xlam_conversation(row: Mapping[str, Any]) -> Conversation:
    query = _text(row.get("query"), "query")
    if not query.strip():
        raise _fail("empty query", "query")
    tools = [xlam_tool(doc, f"tools[{i}]") for i, doc in enumerate(_list(row, "tools"))]
    names = [t.name for t in tools]
    if len(set(names)) != len(names):
        raise _fail("duplicate tool name", "tools")
    answers = _list(row, "answers", required=False)
    messages = [{"role": "user", "content": query}]
    if answers:
        messages.append(_call_turn(_calls(answers, "answers")))
    return Conversation(messages, tools, _row_id(row))


def xlam_row(conv: Conversation) -> dict[str, Any]:
    messages = conv.messages
    calls = messages[1].get("tool_calls") if len(messages) == 2 else None
    query_only = len(messages) == 1 or (calls and not messages[1].get("content"))
    if not (messages and messages[0].get("role") == "user" and query_only):
        raise _fail("an xLAM row holds one user query and the calls that answer it", "messages")
    return {"id": conv.id, "query": messages[0].get("content") or "",
            "tools": json.dumps([_xlam_doc(t) for t in conv.tools], ensure_ascii=False),
            "answers": json.dumps([_bare_call(c) for c in calls or []], ensure_ascii=False)}


def _xlam_doc(tool: Tool) -> dict[str, Any]:
    doc = tool.to_function()
    params = schema_to_params(tool.parameters)
    if params is not None:  # else the JSON Schema as it is (the importer reads both)
        doc["parameters"] = params
    return doc


# ------------------------------------------------------------------------------------------------ toolace

_TOOLACE_ROLES = {"user": "user", "human": "user", "assistant": "assistant", "gpt": "assistant", "tool": "tool",
                  "observation": "tool", "system": "system"}


def split_tool_list(text: str) -> tuple[list[Any], int, str] | None:
    """The first JSON list of tool docs (objects with a `name`) inside `text`: (list, offset, text without it)."""
    for match in re.finditer(r"\[", text):
        try:
            value, end = _DECODER.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, list) and value and all(isinstance(v, Mapping) and "name" in v for v in value):
            return value, match.start(), text[:match.start()] + text[end:]
    return None


def _assistant_turn(value: str, where: str) -> dict[str, Any]:
    """A ToolACE assistant turn: `[f(a=1), g(b="x")]` calls, or text."""
    if not _PY_LIST_START.match(value.strip()):
        return {"role": "assistant", "content": value}
    parsed = parse_calls(value.strip(), "python")
    if parsed.status != "ok" or parsed.leftover:
        raise _fail(f"reads like python calls but does not parse ({parsed.status})", where)
    return _call_turn([c.to_openai() for c in parsed.calls])


def toolace_conversation(row: Mapping[str, Any]) -> Conversation:
    system = _text(row.get("system", ""), "system")
    found = split_tool_list(system)
    tools, meta = [], {}
    if found is not None:
        docs, offset, system = found
        tools = parse_tools(docs, where="system")
        meta[TOOLACE_AT] = offset
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}] if system.strip() else []
    for role, value, where in _turns(row, _TOOLACE_ROLES):
        messages.append(_assistant_turn(value, where) if role == "assistant" else {"role": role, "content": value})
    return Conversation(messages, tools, _row_id(row), meta)


def toolace_row(conv: Conversation) -> dict[str, Any]:
    messages, system = _split_system(conv.messages)
    system = system or ""
    if conv.tools:
        listing = json.dumps([t.to_bfcl() for t in conv.tools], ensure_ascii=False)
        at = conv.meta.get(TOOLACE_AT)
        if isinstance(at, int) and not isinstance(at, bool) and 0 <= at <= len(system):
            system = system[:at] + listing + system[at:]
        else:
            system = (system + "\n" if system else "") + TOOLACE_INTRO + listing
    turns = []
    for i, role, value in _walk(messages, _python_calls):
        if role not in ("user", "assistant", "tool", "calls"):
            raise _fail(f"ToolACE holds one system prompt, first; this turn is {role!r}", f"messages[{i}]")
        turns.append({"from": "assistant" if role == "calls" else role, "value": value})
    return {"id": conv.id, "system": system, "conversations": turns}


def _python_calls(calls: list[dict[str, Any]]) -> str:
    return render_calls(calls, "python")


# ------------------------------------------------------------------------------------------------ toolgym rows

def toolgym_record(row: Mapping[str, Any], *, arrow: bool) -> dict[str, Any]:
    """A toolgym record as stored in a row; from Arrow (hf/parquet), JSON-text fields are decoded, nulls dropped."""
    if not arrow:
        return dict(row)
    record = {k: _json_value(v, k) if k in ("tools", "gold", "ranking", "meta") else v for k, v in row.items()}
    return drop_nulls(record)


READERS: dict[str, Callable[[Mapping[str, Any]], Conversation]] = {
    "openai": openai_conversation, "sharegpt": sharegpt_conversation, "xlam": xlam_conversation,
    "toolace": toolace_conversation}
WRITERS: dict[str, Callable[[Conversation], dict[str, Any]]] = {
    "openai": openai_row, "sharegpt": sharegpt_row, "xlam": xlam_row, "toolace": toolace_row}


def detect_layout(row: Mapping[str, Any]) -> str:
    """The layout of a datasets row: toolgym, openai, sharegpt, toolace or xlam (by its columns)."""
    if "messages" in row:
        return "toolgym" if "gold" in row or "type" in row else "openai"
    if "query" in row and "answers" in row:
        return "xlam"
    if "conversations" in row:
        turns = _json_value(row.get("conversations"), "conversations")
        speakers = {t.get("from") for t in turns if isinstance(t, Mapping)} if isinstance(turns, list) else set()
        sharegpt = row.get("tools") is not None or speakers & {"human", "gpt", "function_call", "observation"}
        return "sharegpt" if sharegpt else "toolace"
    raise _fail("row layout not recognised: expected messages, conversations, or query and answers", None)


# ------------------------------------------------------------------------------------------------ records

def is_trajectory(messages: list[Any]) -> bool:
    """A conversation with tool replies, an assistant turn before its last message, or text beside calls."""
    roles = [m.get("role") if isinstance(m, Mapping) else None for m in messages]
    last = messages[-1] if messages and isinstance(messages[-1], Mapping) else {}
    return "tool" in roles or "assistant" in roles[:-1] or bool(last.get("tool_calls") and last.get("content"))


def conversation_record(conv: Conversation, layout: str, default_id: str) -> dict[str, Any]:
    """The validated toolgym record of a conversation (see the module docstring for the mapping)."""
    messages, gold = list(conv.messages), []
    last = messages[-1] if messages else {}
    if not is_trajectory(messages) and last.get("role") == "assistant" and last.get("tool_calls"):
        messages, gold = messages[:-1], last["tool_calls"]
    if not any(isinstance(m, Mapping) and m.get("role") == "user" for m in messages):
        raise _fail("no user turn", "messages")
    record = {"id": conv.id or default_id, "type": "pending", "messages": messages,
              "tools": [t.to_openai() for t in conv.tools], "gold": gold, "meta": {"source": layout, **conv.meta}}
    sample = Sample.from_record(record)
    sample.type = record_type(sample)
    return sample.to_record()


def record_type(sample: Sample) -> str:
    """trajectory, or the BFCL-style type from the number of calls and of tools on offer."""
    if is_trajectory([m.to_openai() for m in sample.messages]):
        return TRAJECTORY_TYPE
    if not sample.gold:
        return "no_tool"
    many_tools = len(sample.tools) > 1
    if len(sample.gold) == 1:
        return "multiple" if many_tools else "single"
    return "parallel_multiple" if many_tools else "parallel"


def record_conversation(sample: Sample) -> Conversation:
    """A toolgym record as one whole conversation: the prompt, then its gold calls or text answer."""
    messages = [m.to_openai() for m in sample.messages]
    for message in messages:
        message.pop("feedback_category", None)
    ends_answered = bool(messages) and messages[-1]["role"] == "assistant"
    if sample.gold and not ends_answered:
        messages.append(_call_turn([c.to_openai() for c in sample.gold]))
    elif not sample.gold and not ends_answered and isinstance(sample.meta.get("answer"), str):
        messages.append({"role": "assistant", "content": sample.meta["answer"]})  # synth no-call answers
    return Conversation(messages, list(sample.tools), sample.id, dict(sample.meta))


# ------------------------------------------------------------------------------------------------ reading rows

def _row_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".jsonl", ".json") and p.name != "manifest.json")
        if files:
            return files
        raise InputError("no *.jsonl or *.json files in folder", file=str(path))
    raise InputError("no such file or folder", file=str(path))


def _file_rows(path: Path, strict: bool, stats: ReadStats) -> Iterator[tuple[str, int, Any]]:
    """(file, row, value) of a JSONL file or a `.json` file holding one array of rows (1-based rows)."""
    with path.open("rb") as fh:
        head = fh.read(4096).lstrip()
    if path.suffix == ".json" and head.startswith(b"["):
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"not a JSON array of rows: {exc}", file=str(path)) from None
        for i, row in enumerate(rows, 1):
            yield str(path), i, row
        return
    for line, row in iter_jsonl(path, strict=strict, stats=stats):
        stats.ok -= 1  # counted again once the row converts
        yield str(path), line, row


def _dataset_rows(path: Path, fmt: str) -> Iterator[tuple[str, int | str, Any]]:
    """(file, row, value) of a `save_to_disk` folder (Dataset or DatasetDict) or parquet file(s), via datasets."""
    import datasets

    if fmt == "hf":
        if not path.is_dir():
            raise InputError("not a folder written by Dataset.save_to_disk", file=str(path))
        try:
            loaded = datasets.load_from_disk(str(path))
        except (FileNotFoundError, ValueError) as exc:
            raise InputError(f"not a datasets folder: {' '.join(str(exc).split())}", file=str(path)) from None
        splits = loaded.items() if isinstance(loaded, datasets.DatasetDict) else [(None, loaded)]
        for split, ds in splits:
            for i, row in enumerate(ds, 1):
                yield str(path), (f"{split}:{i}" if split else i), row
        return
    files = [path] if path.is_file() else sorted(path.glob("*.parquet"))
    if not files:
        raise InputError("no such parquet file, or no *.parquet in the folder", file=str(path))
    with tempfile.TemporaryDirectory() as cache:  # datasets caches what it reads; keep it out of ~/.cache
        for file in files:
            try:
                ds = datasets.Dataset.from_parquet(str(file), cache_dir=cache, keep_in_memory=True)
            except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a broken file
                raise InputError(f"not a parquet file: {' '.join(str(exc).split())[:200]}", file=str(file)) from None
            for i, row in enumerate(ds, 1):
                yield str(file), i, row


def _row_record(row: Any, fmt: str, file: str, row_no: int | str) -> dict[str, Any]:
    if not isinstance(row, Mapping):
        raise _fail(f"a row must be an object, got {type(row).__name__}")
    arrow = fmt in ("hf", "parquet")
    layout = detect_layout(row) if arrow or fmt == "toolgym" else fmt
    if layout == "toolgym":
        return Sample.from_record(toolgym_record(row, arrow=arrow)).to_record()
    if arrow:
        row = drop_nulls(dict(row))
    stem = Path(file).stem if Path(file).suffix else Path(file).name
    return conversation_record(READERS[layout](row), layout, f"{stem}-{row_no}")


def import_records(path: str | Path, fmt: str, *, strict: bool | None = None,
                   stats: ReadStats | None = None) -> Iterator[dict[str, Any]]:
    """Validated toolgym records of `path` read as `fmt`; a bad row raises (strict) or is counted and skipped."""
    check_format(fmt)
    path = Path(path)
    strict = strict_default() if strict is None else strict
    stats = stats if stats is not None else ReadStats()
    if fmt == "toolgym":
        yield from _toolgym_records(path, strict, stats)
        return
    rows = _dataset_rows(path, fmt) if fmt in ("hf", "parquet") else (
        item for file in _row_files(path) for item in _file_rows(file, strict, stats))
    for file, row_no, row in rows:
        try:
            record = _row_record(row, fmt, file, row_no)
        except InputError as exc:
            err = InputError(bare_message(exc), file=file, record=row_no, field=exc.field)
            if strict:
                raise err from None
            stats.skip(err)
            continue
        except RecursionError:
            err = InputError("nested too deeply", file=file, record=row_no)
            if strict:
                raise err from None
            stats.skip(err)
            continue
        stats.ok += 1
        yield record


def _toolgym_records(path: Path, strict: bool, stats: ReadStats) -> Iterator[dict[str, Any]]:
    for file in toolgym_files(path):
        for sample in read_samples(file, strict=strict, stats=stats):
            yield sample.to_record()


def toolgym_files(path: Path) -> list[Path]:
    """A toolgym JSONL file, or the train.jsonl and trajectories.jsonl of a dataset folder."""
    if path.is_file():
        return [path]
    files = [path / name for name in (TRAIN, TRAJECTORIES) if (path / name).is_file()]
    if not files:
        raise InputError(f"no {TRAIN} or {TRAJECTORIES} in folder" if path.is_dir() else "no such file or folder",
                         file=str(path))
    return files


def split_records(records: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(single-step records, trajectory records): where train.jsonl and trajectories.jsonl take them."""
    train, trajectories = [], []
    for record in records:
        (trajectories if is_trajectory(record["messages"]) else train).append(record)
    return train, trajectories


# ------------------------------------------------------------------------------------------------ import

@dataclass
class Transfer:
    """What an import or export wrote, and the bad rows or records it skipped."""

    files: dict[str, int]
    stats: ReadStats


def import_data(path: str | Path, fmt: str, out_dir: str | Path, *, strict: bool | None = None) -> Transfer:
    """Import `path` into `out_dir` as train.jsonl (+ trajectories.jsonl) and a manifest.json."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("exists and is not a folder; pick another --out", file=str(out_dir), field="--out")
    stats = ReadStats()
    train, trajectories = split_records(import_records(path, fmt, strict=strict, stats=stats))
    files = {TRAIN: write_jsonl(out_dir / TRAIN, train)}
    if trajectories:
        files[TRAJECTORIES] = write_jsonl(out_dir / TRAJECTORIES, trajectories)
    elif (out_dir / TRAJECTORIES).exists():
        (out_dir / TRAJECTORIES).unlink()  # left by an earlier import into this folder
    manifest = {"imported": {"format": fmt, "source": str(Path(path).resolve()), "sha256": content_hash(path)},
                "files": {name: {"records": n} for name, n in files.items()},
                "bad_rows": stats.bad, "reasons": stats.errors}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return Transfer(files, stats)


# ------------------------------------------------------------------------------------------------ export

def arrow_row(row: dict[str, Any], layout: str) -> dict[str, Any]:
    """An openai row Arrow can hold: tools and call arguments as JSON text (schemas differ from row to row,
    and Arrow would merge them into one struct padded with nulls)."""
    if layout != "openai":
        return row
    row = copy.deepcopy(row)
    row["tools"] = json.dumps(row["tools"], ensure_ascii=False)
    for message in row["messages"]:
        for call in message.get("tool_calls") or []:
            call["function"]["arguments"] = json.dumps(call["function"]["arguments"], ensure_ascii=False)
    return row


def export_rows(src: str | Path, layout: str, *, strict: bool | None = None,
                stats: ReadStats | None = None) -> Iterator[dict[str, Any]]:
    """Rows in `layout` for the toolgym records of `src` (a JSONL file, or a folder's train/trajectories)."""
    check_format(layout, field_name="--rows", allowed=LAYOUTS)
    strict = strict_default() if strict is None else strict
    stats = stats if stats is not None else ReadStats()
    for file in toolgym_files(Path(src)):
        for sample in read_samples(file, strict=strict, stats=stats):
            try:
                row = WRITERS[layout](record_conversation(sample))
            except InputError as exc:
                err = InputError(bare_message(exc), file=str(file), record=sample.id, field=exc.field)
                if strict:
                    raise err from None
                stats.ok -= 1
                stats.skip(err)
                continue
            yield row


def export_data(src: str | Path, fmt: str, out: str | Path, *, rows: str = "openai",
                strict: bool | None = None) -> Transfer:
    """Export toolgym records to `out` in `fmt`: a JSONL file (a JSON array when `out` ends in .json) for the
    row layouts, a save_to_disk folder (`hf`) or a parquet file whose rows are in layout `rows`."""
    check_format(fmt, allowed=(*LAYOUTS, "hf", "parquet"))
    out = Path(out)
    stats = ReadStats()
    layout = fmt if fmt in LAYOUTS else rows
    written = list(export_rows(src, layout, strict=strict, stats=stats))
    if fmt in LAYOUTS:
        _write_rows(out, written)
    else:
        _write_dataset(out, [arrow_row(r, layout) for r in written], fmt)
    return Transfer({str(out): len(written)}, stats)


def _write_rows(out: Path, rows: list[dict[str, Any]]) -> None:
    if out.suffix == ".json":
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text("[\n" + ",\n".join(dumps_record(r) for r in rows) + "\n]\n", encoding="utf-8")
        tmp.replace(out)
    else:
        write_jsonl(out, rows)


def _write_dataset(out: Path, rows: list[dict[str, Any]], fmt: str) -> None:
    import datasets

    columns = list(dict.fromkeys(k for row in rows for k in row))  # from_list takes the first row's keys only
    dataset = datasets.Dataset.from_list([{k: row.get(k) for k in columns} for row in rows])
    if fmt == "hf":
        if out.exists():
            shutil.rmtree(out) if out.is_dir() else out.unlink()
        dataset.save_to_disk(str(out))
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        dataset.to_parquet(str(out))


# ------------------------------------------------------------------------------------------------ recipes

def content_hash(path: str | Path) -> str:
    """sha256 of a file's bytes, or of a folder's relative paths and file bytes (sorted)."""
    path = Path(path)
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        digest.update(str(file.relative_to(path) if file != path else file.name).encode() + b"\0")
        with file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def import_overlap_report(path: str | Path, fmt: str, *, examples: int = 5) -> dict[str, Any]:
    """`data.decontam.overlap_report` of the records read from public data in format `fmt`."""
    from toolgym.data.decontam import overlap_report, records_names_and_questions

    names, questions = records_names_and_questions(import_records(path, fmt))
    return overlap_report(names, questions, examples=examples) | {"source": fmt}


def write_merged(base_dir: str | Path, extra: Iterable[tuple[str, str]], out_dir: str | Path,
                 *, strict: bool | None = None) -> dict[str, Any]:
    """`base_dir`'s files with the imported `extra` records ((path, format) pairs) added to train.jsonl and
    trajectories.jsonl, written to `out_dir`; returns the records per file, the skipped rows, and the imported
    records' overlap with BFCL (`data.decontam.overlap_report`: exact names, exact questions, n-grams)."""
    from toolgym.data.decontam import overlap_report, records_names_and_questions

    base_dir, out_dir = Path(base_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stats = ReadStats()
    train, trajectories = split_records(r for path, fmt in extra
                                        for r in import_records(path, fmt, strict=strict, stats=stats))
    added = {TRAIN: train, TRAJECTORIES: trajectories}
    for item in sorted(base_dir.iterdir()):
        if item.is_file() and item.name not in added:
            shutil.copyfile(item, out_dir / item.name)
    counts = {}
    for name, records in added.items():
        base = [r for _, r in iter_jsonl(base_dir / name)] if (base_dir / name).is_file() else []
        if base or records:
            counts[name] = write_jsonl(out_dir / name, [*base, *records])
    return {"files": counts, "extra_records": len(train) + len(trajectories), "bad_rows": stats.bad,
            "reasons": stats.errors,
            "decontam": overlap_report(*records_names_and_questions([*train, *trajectories]), examples=3)}
