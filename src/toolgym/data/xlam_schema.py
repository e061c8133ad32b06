"""xLAM / APIGen parameter docs <-> JSON Schema.

xLAM tools document parameters as `{name: {"type": "str, optional", "description": ..., "default": ...}}` with
Python type names, not as a JSON-Schema object. Import maps each to a JSON-Schema property and keeps the
original type text in an `x-xlam-type` annotation whenever the canonical export would write another one, so
`schema_to_params(params_to_schema(p)) == p` (the BFCL round trip of core/schema.py works the same way).
Checked: neither `datasets` nor the xLAM release ships a converter.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

XLAM_TYPE_KEY = "x-xlam-type"
OPTIONAL = ", optional"
_SCALARS = {"str": "string", "string": "string", "int": "integer", "integer": "integer", "float": "number",
            "number": "number", "double": "number", "bool": "boolean", "boolean": "boolean"}
_CANONICAL = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "object": "dict"}
_GENERIC = re.compile(r"^\s*(\w+)\s*(?:\[(.*)\])?\s*$")
_SCHEMA_TOP_KEYS = {"type", "properties", "required"}


def is_json_schema(params: Any) -> bool:
    """Whether `params` is already a JSON-Schema object (some xLAM-style sets use one) rather than xLAM's dict."""
    return isinstance(params, Mapping) and params.get("type") in ("object", "dict") \
        and isinstance(params.get("properties"), Mapping)


def type_schema(text: str) -> dict[str, Any]:
    """JSON Schema for an xLAM type text without its `, optional` suffix: `List[int]` -> array of integers."""
    match = _GENERIC.match(text)
    if not match:
        return {"type": "string"}  # `Union[...]`-like texts: values arrive as strings; the annotation keeps it
    name, inner = match.group(1).lower(), match.group(2)
    if name in _SCALARS:
        return {"type": _SCALARS[name]}
    if name in ("list", "tuple", "set", "array", "sequence"):
        return {"type": "array", "items": type_schema(inner)} if inner and "," not in inner else {"type": "array"}
    if name in ("dict", "object", "mapping"):
        return {"type": "object"}
    if name == "any":
        return {"x-bfcl-type": "any"}  # toolgym's marker for a free value (core/schema.py)
    return {"type": "string"}


def canonical_type(node: Mapping[str, Any], required: bool) -> str:
    """The xLAM type text an annotation-free JSON-Schema property exports as."""
    kind = node.get("type")
    if kind == "array":
        items = node.get("items")
        inner = canonical_type(items, True) if isinstance(items, Mapping) and "type" in items else ""
        text = f"List[{inner}]" if inner else "List"
    elif node.get("x-bfcl-type") == "any" and "type" not in node:
        text = "Any"
    else:
        text = _CANONICAL.get(kind, "str") if isinstance(kind, str) else "str"
    return text if required else text + OPTIONAL


def params_to_schema(params: Mapping[str, Any]) -> dict[str, Any]:
    """xLAM parameter docs -> a JSON-Schema object; `ValueError` names the parameter that is not an object."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, spec in params.items():
        if not isinstance(spec, Mapping):
            raise ValueError(f"parameters.{name}: a parameter doc must be an object")
        text = spec.get("type", "str")
        if not isinstance(text, str):
            raise ValueError(f"parameters.{name}.type: must be a type name string")
        optional = text.endswith(OPTIONAL)
        node = {**type_schema(text.removesuffix(OPTIONAL)),
                **{k: copy.deepcopy(v) for k, v in spec.items() if k != "type"}}
        is_required = not optional and "default" not in spec
        if canonical_type(node, is_required) != text:
            node[XLAM_TYPE_KEY] = text
        properties[name] = node
        if is_required:
            required.append(name)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def schema_to_params(schema: Mapping[str, Any]) -> dict[str, Any] | None:
    """A JSON-Schema object -> xLAM parameter docs, or None when xLAM's dict cannot hold it."""
    if set(schema) - _SCHEMA_TOP_KEYS or not isinstance(schema.get("properties", {}), Mapping):
        return None
    required = schema.get("required", [])
    if not isinstance(required, list):
        return None
    out: dict[str, Any] = {}
    for name, node in schema.get("properties", {}).items():
        if not isinstance(node, Mapping):
            return None
        text = node.get(XLAM_TYPE_KEY) or canonical_type(node, name in required)
        derived = type_schema(text.removesuffix(OPTIONAL))
        rest = {k: copy.deepcopy(v) for k, v in node.items()
                if k not in ("type", XLAM_TYPE_KEY) and derived.get(k, object()) != v}
        if node.get("type") != derived.get("type"):
            return None  # the type text would not bring this JSON type back
        out[name] = {"type": text, **rest}
    if set(required) - set(out):
        return None
    return out
