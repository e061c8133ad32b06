"""Rule checks of self-generated data (ToolDev stage 3): tools the model wrote, and the calls it voted for.

Tools: the `<tools>` block must hold parsable JSON, each tool must be a valid JSON-Schema function doc
(`core.schema.Tool.validate`), and every parameter (nested ones too) must carry a non-empty description.
Calls: `core.checker.check_calls` (no hallucinated tools or parameters, required ones present, types right).
Each failure has a reason name, so rounds can count what they dropped.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from toolgym.core.checker import check_calls
from toolgym.core.errors import InputError
from toolgym.core.schema import Tool, ToolCall

# tool-level reasons
UNPARSABLE_JSON = "unparsable_json"
NOT_A_TOOL = "not_a_tool"
INVALID_SCHEMA = "invalid_schema"
UNDESCRIBED_PARAMETER = "undescribed_parameter"
DUPLICATE_NAME = "duplicate_name"
# query-level reason when the answer holds no tool at all
NO_TOOLS = "no_tools"

_BLOCK = re.compile(r"<tools>(.*?)(?:</tools>|\Z)", re.S)


@dataclass
class ToolCheck:
    """The tools that passed, and the count of rejected tool entries by reason."""

    tools: list[Tool] = field(default_factory=list)
    rejected: Counter = field(default_factory=Counter)

    @property
    def first_reason(self) -> str:
        """Why nothing passed: the most common rejection, or `no_tools` when the answer held none."""
        return self.rejected.most_common(1)[0][0] if self.rejected else NO_TOOLS


def tool_entries(text: str) -> Iterator[Any]:
    """JSON values of a `<tools>` answer (a JSON list, or one JSON per line); an unparsable line yields None.

    Same reading as `toolgym.data.tasks.parse_tools_block`, which silently drops bad lines; here they are kept
    as None so they can be counted.
    """
    match = _BLOCK.search(text)
    body = (match.group(1) if match else text).strip()
    if not body:
        return
    try:
        value = json.loads(body)
    except ValueError:
        for line in body.splitlines():
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError:
                    yield None
        return
    yield from value if isinstance(value, list) else [value]


def undescribed_parameter(schema: Any, path: str = "parameters") -> str | None:
    """The path of the first property without a non-empty string description (nested objects/arrays too)."""
    if not isinstance(schema, Mapping):
        return None
    props = schema.get("properties")
    for name, prop in (props.items() if isinstance(props, Mapping) else []):
        where = f"{path}.properties.{name}"
        if not isinstance(prop, Mapping):
            return where
        desc = prop.get("description")
        if not isinstance(desc, str) or not desc.strip():
            return where
        nested = undescribed_parameter(prop, where)
        if nested:
            return nested
        items = prop.get("items")
        if isinstance(items, Mapping) and items.get("properties"):
            nested = undescribed_parameter(items, f"{where}.items")
            if nested:
                return nested
    return None


def tool_problem(entry: Any) -> tuple[str, Tool | None]:
    """(reason, None) for a rejected entry, ("", tool) for a good one."""
    if entry is None:
        return UNPARSABLE_JSON, None
    if not isinstance(entry, Mapping) or not isinstance(entry.get("function", entry), Mapping):
        return NOT_A_TOOL, None
    fn = entry.get("function", entry)
    if not isinstance(fn.get("name"), str):
        return NOT_A_TOOL, None
    try:
        tool = Tool.from_openai(fn).validate()
    except InputError:
        return INVALID_SCHEMA, None
    if undescribed_parameter(tool.parameters):
        return UNDESCRIBED_PARAMETER, None
    return "", tool


def check_tools(text: str, max_tools: int | None = None) -> ToolCheck:
    """Rule-check a tool-generation answer: keep the good tools (first `max_tools`), count the rest by reason."""
    result = ToolCheck()
    names: set[str] = set()
    for entry in tool_entries(text):
        reason, tool = tool_problem(entry)
        if tool is not None and tool.name in names:
            reason, tool = DUPLICATE_NAME, None
        if tool is None:
            result.rejected[reason] += 1
            continue
        if max_tools is None or len(result.tools) < max_tools:
            names.add(tool.name)
            result.tools.append(tool)
    return result


def call_problem(calls: Sequence[ToolCall], tools: Sequence[Tool]) -> str | None:
    """None when the calls pass the rule checker, else `call_<first error category>`."""
    verdict = check_calls(calls, tools)
    return None if verdict.ok else f"call_{verdict.errors[0].category.value}"
