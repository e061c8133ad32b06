"""Surface variety for synthetic tools: description styles and Hammer-style name masking.

- **Description styles** (one per tool and record, seeded): the catalog's own sentence; BFCL-like third
  person ("This function calculates ..."); terse (the first clause); long (the sentence plus what it takes,
  with each parameter's type, format and unit, and an example). Parameter descriptions gain their format
  (dates, times, enums) or range where the long style is drawn.
- **Name masking** (Hammer, Lin et al. 2024): a share of records gets opaque function names, and a smaller
  share opaque parameter names, with the gold calls renamed to match, so that selection must come from the
  descriptions, not from name overlap with the query.

Written here because no data library rewrites JSON-Schema tool docs (checked: datasets, jsonschema).
"""

from __future__ import annotations

import copy
import random
import re
from typing import Any

STYLES = ("catalog", "third_person", "terse", "long")
STYLE_WEIGHTS = (0.3, 0.3, 0.15, 0.25)

_IRREGULAR = {"do": "does", "go": "goes", "be": "is", "have": "has"}
_FIRST_WORD = re.compile(r"^([A-Z][a-z]+)\b(.*)$", re.S)
_OPENERS = ("This function {verb}", "This tool {verb}", "{Verb}", "Used to {base}", "Function that {verb}")
_TYPE_WORDS = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
               "array": "a list", "object": "an object"}
_SYLLABLES = ("ka", "zo", "mi", "tor", "vel", "qu", "rin", "dax", "lo", "pem", "sul", "tri", "nex", "bo")


def third_person(verb: str) -> str:
    low = verb.lower()
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    if re.search(r"(s|sh|ch|x|z|o)$", low):
        return low + "es"
    if re.search(r"[^aeiou]y$", low):
        return low[:-1] + "ies"
    return low + "s"


def restyle_description(description: str, style: str, parameters: dict[str, Any], rng: random.Random) -> str:
    text = description.strip()
    if style == "catalog" or not text:
        return text
    if style == "terse":
        first = re.split(r"(?<=[.;])\s|,\s| given | for the ", text, maxsplit=1)[0].rstrip(".;,")
        return first + "."
    match = _FIRST_WORD.match(text)
    body = text
    if match and style in ("third_person", "long"):
        verb, rest = match.group(1), match.group(2)
        opener = rng.choice(_OPENERS)
        body = opener.format(verb=third_person(verb), Verb=third_person(verb).capitalize(),
                             base=verb.lower()) + rest
    if style == "long":
        body = body.rstrip(".") + ". " + _takes_sentence(parameters, rng)
    return body


def _takes_sentence(parameters: dict[str, Any], rng: random.Random) -> str:
    props: dict[str, Any] = parameters.get("properties", {})
    required = set(parameters.get("required", []))
    if not props:
        return "It takes no arguments."
    parts = []
    for name, spec in props.items():
        kind = _TYPE_WORDS.get(str(spec.get("type")), "a value")
        need = "required" if name in required else "optional"
        parts.append(f"{name} ({kind}, {need})")
    lead = rng.choice(("It takes", "Arguments:", "Inputs are", "Expects"))
    return f"{lead} {', '.join(parts)}."


def restyle_parameters(parameters: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Parameter descriptions that state formats, allowed values and ranges (long style)."""
    out = copy.deepcopy(parameters)
    for spec in out.get("properties", {}).values():
        desc = str(spec.get("description", "")).rstrip(".")
        extra = ""
        if spec.get("format") == "date" or "date" in desc.lower() and spec.get("type") == "string":
            extra = "Format YYYY-MM-DD, e.g. 2025-03-14"
        elif "enum" in spec:
            extra = "One of " + ", ".join(str(v) for v in spec["enum"][:6])
        elif "minimum" in spec and "maximum" in spec:
            extra = f"Between {spec['minimum']} and {spec['maximum']}"
        elif spec.get("type") == "array":
            extra = "A list"
        if extra and rng.random() < 0.7:
            spec["description"] = f"{desc}. {extra}." if desc else f"{extra}."
    return out


def restyle_tool(function: dict[str, Any], rng: random.Random, allow_terse: bool = True) -> dict[str, Any]:
    """A copy of an OpenAI-style function dict ({name, description, parameters}) in a random style."""
    style = rng.choices(STYLES, weights=STYLE_WEIGHTS)[0]
    if style == "terse" and not allow_terse:
        style = "catalog"
    out = copy.deepcopy(function)
    params = out.get("parameters") or {"type": "object", "properties": {}}
    out["description"] = restyle_description(out.get("description", ""), style, params, rng)
    if style == "long":
        out["parameters"] = restyle_parameters(params, rng)
    return out


# ---------------------------------------------------------------- name masking


def opaque_name(rng: random.Random, taken: set[str], kind: str = "function") -> str:
    for _ in range(100):
        shape = rng.randrange(3)
        if shape == 0:
            name = f"{'fn' if kind == 'function' else 'arg'}_{rng.randrange(16**4):04x}"
        elif shape == 1:
            name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
        else:
            name = f"{rng.choice(('tool', 'api', 'op', 'f')) if kind == 'function' else 'p'}{rng.randrange(1, 999)}"
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("no free opaque name")  # unreachable for toolsets of a few tools


def unmask_call(record: dict[str, Any], call: dict[str, Any]) -> dict[str, Any]:
    """A gold call of a masked record with its catalog names back (for checks against the catalog)."""
    masked = record.get("meta", {}).get("masked")
    if not masked:
        return call
    params = masked["parameters"].get(call["name"], {})
    return {"name": masked["functions"].get(call["name"], call["name"]),
            "arguments": {params.get(k, k): v for k, v in call["arguments"].items()}}


def mask_record(record: dict[str, Any], rng: random.Random, *, functions: bool, parameters: bool) -> dict[str, Any]:
    """The record with opaque function and/or parameter names, gold calls and ranking renamed to match."""
    out = copy.deepcopy(record)
    taken: set[str] = set()
    fn_map: dict[str, str] = {}
    param_maps: dict[str, dict[str, str]] = {}
    for tool in out["tools"]:
        fn = tool["function"]
        old = fn["name"]
        if functions:
            fn_map[old] = fn["name"] = opaque_name(rng, taken)
        if parameters:
            props = fn.get("parameters", {}).get("properties", {})
            names: set[str] = set()
            mapping = {p: opaque_name(rng, names, "parameter") for p in props}
            fn["parameters"]["properties"] = {mapping[p]: v for p, v in props.items()}
            fn["parameters"]["required"] = [mapping[p] for p in fn["parameters"].get("required", [])]
            param_maps[old] = mapping
    for call in out.get("gold", []):
        mapping = param_maps.get(call["name"], {})
        call["arguments"] = {mapping.get(k, k): v for k, v in call["arguments"].items()}
        call["name"] = fn_map.get(call["name"], call["name"])
    out["ranking"] = [fn_map.get(n, n) for n in out.get("ranking", [])]
    meta = out.setdefault("meta", {})
    # what each opaque name stands for: {new function: old}, {new function: {new parameter: old}}
    meta["masked"] = {"functions": {new: old for old, new in fn_map.items()},
                      "parameters": {fn_map.get(f, f): {new: old for old, new in m.items()}
                                     for f, m in param_maps.items()}}
    if "weak" in meta:
        meta["weak"] = fn_map.get(meta["weak"], meta["weak"])
    if "answer" in meta:
        for old, new in sorted(fn_map.items(), key=lambda kv: -len(kv[0])):
            meta["answer"] = meta["answer"].replace(old, new)
    return out
