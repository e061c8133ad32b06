"""RoTBench-style noise on tool documentation (Ye et al., EMNLP 2024): robustness tests and RoTTuning-style
training augmentation.

RoTBench's five environments, as toolgym implements them (on tool and parameter names only):

| level  | what happens to the names                                                                    |
|--------|----------------------------------------------------------------------------------------------|
| clean  | nothing                                                                                      |
| slight | one character inserted, deleted or substituted in every tool and parameter name              |
| medium | every name reversed, or replaced by a nonsense string (half and half, seeded)                |
| heavy  | tool names exchanged among the toolset's tools, parameter names among each tool's parameters |
| union  | the heavy exchange, then a slight or medium edit of every name                               |

A perturbation is a `Renaming` (old tool name -> new, and per tool old parameter -> new), planned once for a
toolset and applied to everything that names a tool or a parameter: tool dicts (OpenAI tools, bare function
dicts, BFCL function docs, `core.schema.Tool`s: name, `properties` keys, `required`), gold calls, BFCL possible
answers (`[{name: {param: [allowed, ...]}}]`), rankings and the calls and tool replies inside a record's
messages. Descriptions, types and values never change, so the perturbed gold is exactly as right as the clean
one. Exchanges are derangements (no name keeps its place when two or more can swap); a tool alone in its
toolset keeps its name under `heavy`, a tool with one parameter keeps it. Names that were Python identifiers
(dotted segments allowed, as BFCL's `math.factorial`) stay identifiers, so every call format still writes
them, and names stay unique within a toolset and within a tool.

Everything is deterministic per seed: the random stream of one toolset comes from a string seed (Python's
`random` hashes str seeds with sha512, independent of PYTHONHASHSEED). Written by hand: text augmenters edit
free text, not the names inside JSON-Schema tool docs and the answers that refer to them.
"""

from __future__ import annotations

import copy
import json
import keyword
import random
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from toolgym.core.errors import InputError
from toolgym.core.schema import Sample, Tool, ToolCall

NOISE_LEVELS = ("clean", "slight", "medium", "heavy", "union")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LETTERS = string.ascii_lowercase
_TRIES = 50


@dataclass(frozen=True)
class Renaming:
    """Old -> new names: `tools` over the toolset, `params` per tool (keyed by the tool's original name)."""

    tools: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def tool(self, name: str) -> str:
        return self.tools.get(name, name)

    def param(self, tool: str, name: str) -> str:
        return self.params.get(tool, {}).get(name, name)

    @property
    def changed(self) -> bool:
        """Whether any name differs (a lone one-parameter tool under `heavy` keeps its names)."""
        return any(k != v for k, v in self.tools.items()) or \
            any(k != v for names in self.params.values() for k, v in names.items())


def check_levels(levels: Iterable[str] | str, *, field_name: str = "levels") -> list[str]:
    """Level names (a comma list or a sequence), validated; InputError naming `field_name` otherwise."""
    items = levels.split(",") if isinstance(levels, str) else list(levels)
    names = [str(item).strip() for item in items if str(item).strip()]
    if not names:
        raise InputError(f"names no noise level; choose from {', '.join(NOISE_LEVELS)}", field=field_name)
    for name in names:
        if name not in NOISE_LEVELS:
            raise InputError(f"unknown noise level {name!r}; choose from {', '.join(NOISE_LEVELS)}",
                             field=field_name)
    if len(set(names)) != len(names):
        raise InputError(f"a noise level is named twice: {', '.join(names)}", field=field_name)
    return names


def rng_for(seed: int, level: str, key: str) -> random.Random:
    """The random stream of one toolset (a case or record id) at one level."""
    return random.Random(f"toolgym-noise:{seed}:{level}:{key}")


# ------------------------------------------------------------------------------------------------ names

def _is_identifier(name: str) -> bool:
    parts = name.split(".")
    return all(_IDENT.fullmatch(p) and not keyword.iskeyword(p) for p in parts)


def _acceptable(new: str, old: str, taken: set[str]) -> bool:
    if not new or new == old or new in taken or new.startswith(".") or new.endswith(".") or ".." in new:
        return False
    return _is_identifier(new) or not _is_identifier(old)


def _char_edit(name: str, rng: random.Random) -> str:
    """One insertion, deletion or substitution at a letter, digit or underscore (dots are kept)."""
    positions = [i for i, ch in enumerate(name) if ch != "."]
    op = rng.choice(("insert", "delete", "substitute"))
    if op == "insert":
        at = rng.randint(0, len(name))
        return name[:at] + rng.choice(_LETTERS) + name[at:]
    if not positions:
        return name + rng.choice(_LETTERS)
    at = rng.choice(positions)
    if op == "delete":
        return name[:at] + name[at + 1:]
    return name[:at] + rng.choice([c for c in _LETTERS if c != name[at].lower()]) + name[at + 1:]


def _nonsense(name: str, rng: random.Random) -> str:
    """Random letters in place of every dotted segment (4 to 10 letters each)."""
    return ".".join("".join(rng.choice(_LETTERS) for _ in range(rng.randint(4, 10))) for _ in name.split("."))


def _edit(name: str, kind: str, rng: random.Random, taken: set[str]) -> str:
    """`name` after a `slight` or `medium` edit, unique against `taken` (which it joins)."""
    for _ in range(_TRIES):
        if kind == "slight":
            new = _char_edit(name, rng)
        elif rng.random() < 0.5:  # medium: reversed, falling back to nonsense when that is no new identifier
            new = name[::-1]
            if not _acceptable(new, name, taken):
                new = _nonsense(name, rng)
        else:
            new = _nonsense(name, rng)
        if _acceptable(new, name, taken):
            taken.add(new)
            return new
    new = name + "_" + "".join(rng.choice(_LETTERS) for _ in range(6))  # pragma: no cover (50 collisions)
    taken.add(new)
    return new


def _derangement(names: Sequence[str], rng: random.Random) -> dict[str, str]:
    """Each name -> another's (no fixed point when there are two or more names)."""
    names = list(names)
    if len(names) < 2:
        return {n: n for n in names}
    while True:
        shuffled = names[:]
        rng.shuffle(shuffled)
        if all(a != b for a, b in zip(names, shuffled, strict=True)):
            return dict(zip(names, shuffled, strict=True))


def _rename_all(mapping: dict[str, str], kinds: Sequence[str], rng: random.Random) -> dict[str, str]:
    """Apply one edit (drawn from `kinds`) to every target name of `mapping`, keeping them unique."""
    taken: set[str] = set()
    out = {}
    for old, current in mapping.items():
        out[old] = _edit(current, rng.choice(list(kinds)), rng, taken)
    return out


def plan_renaming(toolset: Sequence[tuple[str, Sequence[str]]], level: str, rng: random.Random) -> Renaming:
    """The renaming of a toolset given as (tool name, parameter names) pairs, at `level`."""
    if level not in NOISE_LEVELS:
        raise InputError(f"unknown noise level {level!r}; choose from {', '.join(NOISE_LEVELS)}", field="level")
    tools = {name: name for name, _ in toolset}
    params = {name: {p: p for p in names} for name, names in toolset}
    if level == "clean":
        return Renaming(tools, params)
    if level in ("heavy", "union"):
        tools = _derangement(list(tools), rng)
        params = {name: _derangement(list(names), rng) for name, names in params.items()}
    if level != "heavy":
        kinds = ("slight", "medium") if level == "union" else (level,)
        tools = _rename_all(tools, kinds, rng)
        params = {name: _rename_all(names, kinds, rng) for name, names in params.items()}
    return Renaming(tools, params)


# ------------------------------------------------------------------------------------------------ tools

def _function(tool: Mapping[str, Any]) -> Mapping[str, Any]:
    fn = tool.get("function") if isinstance(tool.get("function"), Mapping) else tool
    return fn if isinstance(fn, Mapping) else {}


def tool_signature(tool: Tool | Mapping[str, Any]) -> tuple[str, list[str]]:
    """(name, parameter names) of a Tool, an OpenAI tool dict, a bare function dict or a BFCL doc."""
    if isinstance(tool, Tool):
        return tool.name, list(tool.properties)
    fn = _function(tool)
    params = fn.get("parameters")
    props = params.get("properties") if isinstance(params, Mapping) else None
    return str(fn.get("name", "")), list(props) if isinstance(props, Mapping) else []


def toolset_renaming(tools: Sequence[Tool | Mapping[str, Any]], level: str, seed: int, key: str) -> Renaming:
    """The renaming of one toolset (a case or record, named by `key`) at `level`, deterministic per seed."""
    return plan_renaming([tool_signature(t) for t in tools], level, rng_for(seed, level, key))


def _rename_parameters(params: Any, names: Mapping[str, str]) -> Any:
    if not isinstance(params, Mapping):
        return copy.deepcopy(params)
    out = copy.deepcopy(dict(params))
    if isinstance(out.get("properties"), Mapping):
        out["properties"] = {names.get(k, k): v for k, v in out["properties"].items()}
    if isinstance(out.get("required"), list):
        out["required"] = [names.get(r, r) if isinstance(r, str) else r for r in out["required"]]
    return out


def rename_tool(tool: Any, renaming: Renaming) -> Any:
    """The tool with its name and parameter names renamed, in the shape it came in (Tool or dict)."""
    if isinstance(tool, Tool):
        return Tool.from_openai(rename_tool(tool.to_openai(), renaming))
    fn = _function(tool)
    name = fn.get("name")
    if not isinstance(name, str):
        return copy.deepcopy(tool)
    new_fn = {k: copy.deepcopy(v) for k, v in fn.items() if k != "parameters"}
    new_fn["name"] = renaming.tool(name)
    if "parameters" in fn:
        new_fn["parameters"] = _rename_parameters(fn["parameters"], renaming.params.get(name, {}))
    new_fn = {k: new_fn[k] for k in fn}  # key order as it was
    if fn is tool:
        return new_fn
    return {**copy.deepcopy(dict(tool)), "function": new_fn}


# ------------------------------------------------------------------------------------------------ calls

def _rename_args(tool: str, args: Any, renaming: Renaming) -> Any:
    if not isinstance(args, Mapping):
        return copy.deepcopy(args)
    return {renaming.param(tool, k): copy.deepcopy(v) for k, v in args.items()}


def rename_call(call: Any, renaming: Renaming) -> Any:
    """A call in any of toolgym's shapes (ToolCall, `{"name","arguments"}`, OpenAI `tool_calls` entry, with
    arguments as a dict or a JSON string) with its tool and argument names renamed; unknown names stay."""
    if isinstance(call, ToolCall):
        return ToolCall(renaming.tool(call.name), _rename_args(call.name, call.arguments, renaming), call.id)
    if not isinstance(call, Mapping):
        return copy.deepcopy(call)
    if isinstance(call.get("function"), Mapping):
        return {**copy.deepcopy(dict(call)), "function": rename_call(call["function"], renaming)}
    name = call.get("name")
    if not isinstance(name, str):
        return copy.deepcopy(dict(call))
    out = copy.deepcopy(dict(call))
    out["name"] = renaming.tool(name)
    for key in ("arguments", "parameters"):
        if key not in call:
            continue
        value = call[key]
        if isinstance(value, str):
            try:
                parsed = json.loads(value)
            except ValueError:
                continue
            out[key] = json.dumps(_rename_args(name, parsed, renaming), ensure_ascii=False)
        else:
            out[key] = _rename_args(name, value, renaming)
    return out


def rename_answer(answer: Sequence[Mapping[str, Any]], renaming: Renaming) -> list[dict[str, Any]]:
    """A BFCL possible answer `[{name: {param: [allowed, ...]}}, ...]` renamed (allowed values untouched)."""
    out = []
    for expected in answer:
        out.append({renaming.tool(name): _rename_args(name, params, renaming) for name, params in expected.items()})
    return out


def rename_message(message: Any, renaming: Renaming) -> Any:
    """An OpenAI message with the names in its `tool_calls` (and a tool reply's `name`) renamed."""
    if not isinstance(message, Mapping):
        return copy.deepcopy(message)
    out = copy.deepcopy(dict(message))
    if isinstance(message.get("tool_calls"), list):
        out["tool_calls"] = [rename_call(c, renaming) for c in message["tool_calls"]]
    if message.get("role") == "tool" and isinstance(message.get("name"), str):
        out["name"] = renaming.tool(message["name"])
    return out


# ------------------------------------------------------------------------------------------------ records

def perturb_record(record: Mapping[str, Any] | Sample, level: str, seed: int = 0) -> dict[str, Any]:
    """A toolgym JSONL record with its toolset perturbed at `level` and every name in its gold, ranking and
    messages following; `meta.noise` records the level. The toolset's random stream is keyed by the id."""
    rec = record.to_record() if isinstance(record, Sample) else record
    tools = _list(rec, "tools")
    renaming = toolset_renaming(tools, level, seed, str(rec.get("id")))
    out = copy.deepcopy(dict(rec))
    out["tools"] = [rename_tool(t, renaming) for t in tools]
    out["gold"] = [rename_call(c, renaming) for c in _list(rec, "gold")]
    out["ranking"] = [renaming.tool(n) if isinstance(n, str) else n for n in _list(rec, "ranking")]
    out["messages"] = [rename_message(m, renaming) for m in _list(rec, "messages")]
    if out.get("meta") is None or isinstance(out["meta"], Mapping):  # a bad meta stays bad (the reader says so)
        out["meta"] = {**(out.get("meta") or {}), "noise": level}
    return out


def _list(record: Mapping[str, Any], key: str) -> list[Any]:
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"{key!r} must be a list")
    return value


def augment_records(records: Iterable[Any], share: float, levels: Sequence[str] | str,
                    seed: int = 0) -> list[Any]:
    """RoTTuning-style augmentation: a seeded `share` of the records replaced by their perturbation at a level
    drawn (uniformly, seeded) from `levels`; the others, and records that are no toolgym record (left for
    `build_examples` to count as bad), pass through unchanged. The data keeps its size and order."""
    if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0.0 <= share <= 1.0:
        raise InputError(f"must be a number in [0, 1], got {share!r}", field="noise_share")
    names = check_levels(levels, field_name="noise_levels")
    rng = random.Random(f"toolgym-augment:{seed}")
    out: list[Any] = []
    for record in records:
        draw, level = rng.random(), rng.choice(names)  # two draws per record, whatever happens to it
        if draw >= share or not isinstance(record, (Mapping, Sample)):
            out.append(record)
            continue
        try:
            out.append(perturb_record(record, level, seed))
        except (AttributeError, KeyError, TypeError, ValueError):
            out.append(record)
    return out
