"""The rule checker: calls against a toolset -> a verdict with error categories.

Also classifies the text a tool sends back into TL-Training's feedback categories (its Table 14, with
the error patterns of the authors' code; see PAPERS.md). The category names are shared by the checker,
the MAE masks and the IRM reward.

Argument values are checked with jsonschema (Draft 2020-12) with two toolgym/BFCL rules on top: `integer`
rejects floats such as 5.0 (an int is still accepted for `number`, a bool is never a number), and an
`enum` on an array of scalars constrains its elements (BFCL's convention). Unknown keys are parameter
hallucinations at the top level and inside nested objects that declare properties (unless
`additionalProperties` says otherwise).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from toolgym.core.formats import ParseResult, parse_calls
from toolgym.core.schema import Tool, ToolCall

__all__ = ["CallError", "ErrorCategory", "Verdict", "check_calls", "check_text", "classify_feedback"]


class ErrorCategory(str, Enum):
    """Error categories shared by the checker, MAE masks and the IRM reward."""

    tool_hallucination = "tool_hallucination"
    parameter_hallucination = "parameter_hallucination"
    parameter_missing = "parameter_missing"
    wrong_type = "wrong_type"
    enum_violation = "enum_violation"
    unparsable = "unparsable"
    tool_instability = "tool_instability"
    tool_call_failure = "tool_call_failure"
    others = "others"

    def __str__(self) -> str:
        return self.value


@dataclass
class CallError:
    """One problem: its category, which call (-1: the whole output), tool name, field path, message."""

    category: ErrorCategory
    call_index: int
    tool: str | None
    field: str | None
    message: str


@dataclass
class Verdict:
    """The checker's result: `ok` when there is no error. `calls`/`parse` are filled by the checkers."""

    ok: bool
    errors: list[CallError] = field(default_factory=list)
    calls: list[ToolCall] = field(default_factory=list)
    parse: ParseResult | None = None

    @property
    def categories(self) -> list[ErrorCategory]:
        """Distinct error categories, in order of first occurrence."""
        return list(dict.fromkeys(e.category for e in self.errors))


# ----------------------------------------------------------------------------------------------------
# Argument validation with jsonschema

def _is_integer(_checker: Any, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


_Validator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)

_CATEGORY_OF_KEYWORD = {
    "type": ErrorCategory.wrong_type,
    "enum": ErrorCategory.enum_violation,
    "const": ErrorCategory.enum_violation,
    "required": ErrorCategory.parameter_missing,
    "dependentRequired": ErrorCategory.parameter_missing,
    "additionalProperties": ErrorCategory.parameter_hallucination,
    "unevaluatedProperties": ErrorCategory.parameter_hallucination,
}


def _validation_schema(schema: Any) -> Any:
    """The property schema with toolgym's rules made explicit (see module docstring)."""
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    types = out.get("type") if isinstance(out.get("type"), list) else [out.get("type")]
    if "array" in types and isinstance(out.get("enum"), list) \
            and not any(isinstance(v, list) for v in out["enum"]):
        items = dict(out.get("items") or {}) if isinstance(out.get("items", {}), dict) else {}
        items["enum"] = out.pop("enum")
        out["items"] = items
    if isinstance(out.get("properties"), dict):
        out["properties"] = {k: _validation_schema(v) for k, v in out["properties"].items()}
        if out["properties"] and "additionalProperties" not in out:
            out["additionalProperties"] = False
    for key in ("items", "additionalProperties", "not", "contains"):
        if isinstance(out.get(key), dict):
            out[key] = _validation_schema(out[key])
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        if isinstance(out.get(key), list):
            out[key] = [_validation_schema(v) for v in out[key]]
    return out


@lru_cache(maxsize=16384)
def _validator_for(schema_json: str) -> Any:
    """A compiled validator per distinct property schema (the same tools recur across samples)."""
    return _Validator(_validation_schema(json.loads(schema_json)))


def _category(error: ValidationError) -> ErrorCategory:
    if error.validator in _CATEGORY_OF_KEYWORD:
        return _CATEGORY_OF_KEYWORD[error.validator]
    if error.validator in ("anyOf", "oneOf") and error.context:
        cats = {_category(e) for e in error.context}
        if len(cats) == 1:
            return cats.pop()
    return ErrorCategory.others


def _field_path(param: str, error: ValidationError) -> str:
    path = param
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    if error.validator == "additionalProperties":
        extra = re.findall(r"'([^']*)' (?:was|were) unexpected", error.message)
        names = re.findall(r"'([^']*)'", error.message.split("(")[-1]) if not extra else extra
        if names:
            path += "." + names[0]
    if error.validator == "required":
        names = re.findall(r"'([^']*)' is a required property", error.message)
        if names:
            path += "." + names[0]
    return path


def _check_value(index: int, tool: Tool, param: str, schema: Any, value: Any) -> list[CallError]:
    """Errors of one argument value against its property schema."""
    try:
        validator = _validator_for(json.dumps(schema, sort_keys=True))
        found = sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))
    except Exception as exc:  # noqa: BLE001 - a malformed schema must not crash the checker
        return [CallError(ErrorCategory.others, index, tool.name, param,
                          f"schema of {param!r} could not be applied: {type(exc).__name__}")]
    errors = []
    for err in found:
        category = _category(err)
        msg = err.message if len(err.message) <= 200 else err.message[:197] + "..."
        errors.append(CallError(category, index, tool.name, _field_path(param, err), msg))
    return errors


# ----------------------------------------------------------------------------------------------------
# Checking calls

def _as_tool(t: Tool | Mapping) -> Tool | None:
    if isinstance(t, Tool):
        return t
    try:
        return Tool.from_dict(t)
    except Exception:  # noqa: BLE001 - an unreadable tool simply is not in the toolset
        return None


def _tool_index(tools: Iterable[Tool | Mapping]) -> dict[str, Tool]:
    index: dict[str, Tool] = {}
    for t in tools:
        tool = _as_tool(t)
        if tool is None:
            continue
        index.setdefault(tool.name, tool)
    for tool in list(index.values()):
        index.setdefault(tool.safe_name, tool)
    return index


def check_calls(calls: Sequence[ToolCall], tools: Iterable[Tool | Mapping]) -> Verdict:
    """Check each call against the toolset (original or sanitized tool names are accepted)."""
    index = _tool_index(tools)
    errors: list[CallError] = []
    for i, call in enumerate(calls):
        errors.extend(_check_call(i, call, index))
    return Verdict(ok=not errors, errors=errors, calls=list(calls))


def _check_call(i: int, call: Any, index: dict[str, Tool]) -> list[CallError]:
    name = getattr(call, "name", None)
    args = getattr(call, "arguments", None)
    if not isinstance(name, str):
        return [CallError(ErrorCategory.unparsable, i, None, "name", "call has no tool name")]
    tool = index.get(name)
    if tool is None:
        return [CallError(ErrorCategory.tool_hallucination, i, name, None, f"unknown tool {name!r}")]
    if not isinstance(args, dict):
        return [CallError(ErrorCategory.unparsable, i, tool.name, "arguments", "arguments are not an object")]
    props = tool.properties
    extra_schema = tool.parameters.get("additionalProperties", False) if isinstance(tool.parameters, dict) else False
    errors = []
    for key, value in args.items():
        if key in props:
            errors.extend(_check_value(i, tool, key, props[key], value))
        elif isinstance(extra_schema, dict):
            errors.extend(_check_value(i, tool, key, extra_schema, value))
        elif extra_schema is not True:
            errors.append(CallError(ErrorCategory.parameter_hallucination, i, tool.name, str(key),
                                    f"{tool.name!r} has no parameter {key!r}"))
    for req in tool.required:
        if req not in args:
            errors.append(CallError(ErrorCategory.parameter_missing, i, tool.name, req,
                                    f"required parameter {req!r} of {tool.name!r} is missing"))
    return errors


def check_text(text: str, tools: Iterable[Tool | Mapping], fmt: str = "auto") -> Verdict:
    """Parse model text and check its calls. Prose with no call is ok (no errors, no calls)."""
    parsed = parse_calls(text, fmt)
    verdict = check_calls(parsed.calls, tools)
    if parsed.status in ("unparsable", "partial"):
        what = "no call could be read" if parsed.status == "unparsable" else "some calls could not be read"
        snippet = parsed.leftover[:80].replace("\n", " ")
        verdict.errors.insert(0, CallError(ErrorCategory.unparsable, -1, None, None, f"{what}: {snippet!r}"))
        verdict.ok = False
    verdict.parse = parsed
    return verdict


# ----------------------------------------------------------------------------------------------------
# Tool feedback

_FEEDBACK_PATTERNS: list[tuple[ErrorCategory, re.Pattern[str]]] = [
    (ErrorCategory.tool_hallucination, re.compile(
        r"is not defined|unknown (tool|function|api)|no such (tool|function|api)|"
        r"(tool|function|api)\b[^\n]{0,60}\b(not found|does not exist|doesn't exist)", re.I)),
    (ErrorCategory.parameter_hallucination, re.compile(
        r"unexpected keyword|unknown (parameter|argument)|unrecognized (parameter|argument)|"
        r"invalid (parameter|argument) name", re.I)),
    (ErrorCategory.parameter_missing, re.compile(
        r"positional argument|missing (a )?required|required (parameter|argument|field)[^\n]{0,40}missing|"
        r"missing (parameter|argument)", re.I)),
    (ErrorCategory.tool_instability, re.compile(
        r"ConnectionError|Connection (refused|reset|aborted)|timed out|\btimeout\b(?!\"?\s*:)|(?-i:\b\w{0,30}Timeout(Error)?\b)|\b5\d\d Server Error|"
        r"rate.?limit|too many requests|\b429\b|service unavailable|temporarily unavailable|"
        r"max retries exceeded|bad gateway|gateway time", re.I)),
    (ErrorCategory.tool_call_failure, re.compile(
        r"not supported|\"error\"\s*:(?!\s*(null\b|false\b|\"\"|\[\]|\{\}))|Invalid API call|Response error|"
        r"\b4\d\d Client Error", re.I)),
    (ErrorCategory.others, re.compile(
        r"\b\w{0,40}?(Error|Exception)\b\s*:|^\s*(error|exception|traceback)\b|\bfail(ed|ure)?\b|\binvalid\b|"
        r"\berror\b(?!\"?\s*:\s*(null|false|\"\"|\[\]|\{\}))", re.I | re.M)),
]


def classify_feedback(text: Any) -> ErrorCategory | None:
    """The TL-Training category of a tool's reply, or None when it reads as a success."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    for category, pattern in _FEEDBACK_PATTERNS:
        if pattern.search(text):
            return category
    return None
