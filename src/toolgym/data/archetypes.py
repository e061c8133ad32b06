"""The domain catalog of synthetic tool archetypes: loading, value sampling, query and result rendering.

The catalog is data (`data/catalog/<domain>.json`, one file per domain, plus `_pools.json` with named value
pools), written once by `scripts/build_catalog.py` and committed. An archetype is one tool: a JSON-Schema
function plus value samplers, query templates and a result template. A query template holds `{param}`
placeholders; each placeholder renders one *surface form* of the sampled value (a date `2025-03-14` as
"March 14, 2025", a list as "milk, eggs and bread", a boolean as a phrase), so the gold value can always be
recovered from the query text. Optional parameters that a template does not mention are given by an appended
clause (`samplers[param]["clauses"]`), or by an optional segment `[... {param} ...]` inside the template.

Sampler kinds (`samplers[param]["kind"]`): pool, choice, enum, int, number, bool, date, time, pattern, list,
object. A sampler may name another parameter in `differs_from` (e.g. `to_unit` differs from `from_unit`). `evidence()` lists, for every argument, the surface strings of which one must appear in the query.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import hashlib
import json
import random
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError

CATALOG_DIR = Path(__file__).parent / "catalog"
POOLS_FILE = "_pools.json"
STYLES = ("snake", "camel", "dotted", "title")
SAMPLER_KINDS = ("pool", "choice", "enum", "int", "number", "bool", "date", "time", "pattern", "list", "object")
N_SPLIT_GROUPS = 10
HELD_OUT_TOOL_GROUPS = frozenset({0, 1})      # archetypes with these split_group values are "unseen tools"
HELD_OUT_DOMAIN_GROUPS = frozenset({0})       # domains with these groups are "unseen domains"
HELD_OUT_TEMPLATES = 2                        # the last N templates of every archetype are "unseen templates"
OPTIONAL_RATE = 0.5                           # chance an optional parameter is given when include_optional=None

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_OPTIONAL_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve").split()
_SCHEMA_TYPES = {"int": "integer", "number": "number", "bool": "boolean", "date": "string", "time": "string",
                 "pattern": "string", "list": "array", "object": "object"}


def split_bucket(key: str, n: int = N_SPLIT_GROUPS) -> int:
    """Deterministic hash bucket of `key` in [0, n): the held-out split hook for tools and domains."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % n


# ---------------------------------------------------------------- surface forms of values


def _fmt_number(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _unit(spec: dict, value: float) -> str:
    unit = spec.get("unit")
    if unit is None:
        return ""
    if isinstance(unit, list):
        return unit[0] if value == 1 else unit[1]
    return unit


def _with_unit(spec: dict, number: str, value: float) -> str:
    unit = _unit(spec, value)
    prefix = spec.get("prefix", "")
    if not unit:
        return f"{prefix}{number}"
    sep = "" if unit in ("%", "°") or unit.startswith("°") else " "
    return f"{prefix}{number}{sep}{unit}"


def _int_forms(spec: dict, value: int) -> list[str]:
    forms = [_with_unit(spec, str(value), value)]
    if abs(value) >= 10000:
        forms.append(_with_unit(spec, f"{value:,}", value))
    if spec.get("words") and 0 <= value < len(_NUMBER_WORDS):
        forms.append(_with_unit(spec, _NUMBER_WORDS[value], value))
    return forms


def _percent_forms(spec: dict, value: float) -> list[str]:
    """`percent: true`: the argument is a fraction (0.05) that the query states as a percentage ("5%")."""
    digits = max(int(spec.get("decimals", 2)) - 2, 0)
    number = _fmt_number(100 * value, digits)
    return [f"{number}%", f"{number} percent"]


def _number_forms(spec: dict, value: float) -> list[str]:
    if spec.get("percent"):
        return _percent_forms(spec, value)
    decimals = int(spec.get("decimals", 1))
    forms = [_with_unit(spec, _fmt_number(value, decimals), value)]
    if abs(value) >= 10000:
        forms.append(_with_unit(spec, f"{value:,.{decimals}f}", value))
    return forms


def _date_forms(value: str) -> list[str]:
    day = dt.date.fromisoformat(value)
    month = calendar.month_name[day.month]
    return [f"{month} {day.day}, {day.year}", f"{day.day} {month} {day.year}", value,
            f"{month[:3]} {day.day}, {day.year}"]


def _time_forms(value: str) -> list[str]:
    hour, minute = (int(x) for x in value.split(":"))
    twelve = hour % 12 or 12
    half = "AM" if hour < 12 else "PM"
    return [f"{twelve}:{minute:02d} {half}", value, f"{twelve}:{minute:02d} {half.lower()}"]


def _entry_value(entry: Any) -> Any:
    return entry["value"] if isinstance(entry, dict) else entry


def _entry_forms(entry: Any, quote: bool) -> list[str]:
    if isinstance(entry, dict):
        forms = list(entry.get("surfaces") or [str(entry["value"])])
    else:
        forms = [str(entry)]
    return [f'"{f}"' for f in forms] if quote else forms


def _enum_forms(spec: dict, value: Any) -> list[str]:
    mapped = (spec.get("surfaces") or {}).get(str(value))
    if mapped:
        return list(mapped)
    text = str(value)
    return [text.replace("_", " ")] if "_" in text else [text]


def join_prose(items: Sequence[str], rng: random.Random | None = None, conj: str = "and") -> str:
    """'a', 'a and b', 'a, b and c' (or with an Oxford comma, chosen by `rng`)."""
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} {conj} {items[1]}"
    oxford = "," if rng is not None and rng.random() < 0.5 else ""
    return f"{', '.join(items[:-1])}{oxford} {conj} {items[-1]}"


# ---------------------------------------------------------------- samplers


class Sampler:
    """Samples a value for one parameter, renders it, and lists its documented surface forms."""

    def __init__(self, spec: dict, schema: dict, pools: dict[str, list]) -> None:
        self.spec, self.schema, self.kind = spec, schema, spec["kind"]
        self.entries: list = []
        if self.kind == "pool":
            self.entries = pools[spec["pool"]]
        elif self.kind == "choice":
            self.entries = spec["values"]
        elif self.kind == "enum":
            self.entries = list(schema["enum"])
        self.items = Sampler(spec["items"], schema.get("items", {}), pools) if self.kind == "list" else None
        self.fields = ({k: Sampler(v, schema["properties"][k], pools) for k, v in spec["fields"].items()}
                       if self.kind == "object" else {})
        self._by_value = {json.dumps(_entry_value(e)): e for e in self.entries}

    # sampling -------------------------------------------------------
    def sample(self, rng: random.Random) -> Any:
        kind, spec = self.kind, self.spec
        if kind in ("pool", "choice", "enum"):
            return _entry_value(rng.choice(self.entries))
        if kind == "int":
            step = int(spec.get("step", 1))
            return rng.randrange(int(spec["min"]), int(spec["max"]) + 1, step)
        if kind == "number":
            return round(rng.uniform(float(spec["min"]), float(spec["max"])), int(spec.get("decimals", 1)))
        if kind == "bool":
            return rng.random() < 0.5
        if kind == "date":
            start, end = dt.date.fromisoformat(spec["start"]), dt.date.fromisoformat(spec["end"])
            return (start + dt.timedelta(days=rng.randrange((end - start).days + 1))).isoformat()
        if kind == "time":
            return f"{rng.randrange(int(spec.get('min_hour', 6)), int(spec.get('max_hour', 22)) + 1):02d}:" \
                   f"{rng.choice((0, 15, 30, 45)):02d}"
        if kind == "pattern":
            return "".join(_pattern_char(c, rng) for c in spec["pattern"])
        if kind == "list":
            return self._sample_list(rng)
        if kind == "object":
            return {k: s.sample(rng) for k, s in self.fields.items()}
        raise ValueError(f"unknown sampler kind {kind!r}")

    def _sample_list(self, rng: random.Random) -> list:
        assert self.items is not None
        n = rng.randint(int(self.spec.get("min", 2)), int(self.spec.get("max", 3)))
        out: list = []
        for _ in range(n * 20):
            value = self.items.sample(rng)
            if value not in out:
                out.append(value)
            if len(out) == n:
                break
        return out

    # surface forms --------------------------------------------------
    def forms(self, value: Any) -> list[str]:
        """Every documented surface form of a scalar `value` (the first is the canonical one)."""
        kind, spec = self.kind, self.spec
        if kind in ("pool", "choice"):
            entry = self._by_value.get(json.dumps(value), value)
            return _entry_forms(entry, bool(spec.get("quote")))
        if kind == "enum":
            return _enum_forms(spec, value)
        if kind == "int":
            return _int_forms(spec, value)
        if kind == "number":
            return _number_forms(spec, value)
        if kind == "bool":
            return list(spec["true" if value else "false"])
        if kind == "date":
            return _date_forms(value)
        if kind == "time":
            return _time_forms(value)
        if kind == "pattern":
            return [str(value)]
        raise ValueError(f"sampler kind {kind!r} has no scalar forms")

    def render(self, value: Any, rng: random.Random) -> str:
        """One surface form of `value`, chosen by `rng`."""
        if self.kind == "list":
            assert self.items is not None
            return join_prose([self.items.render(v, rng) for v in value], rng, self.spec.get("conj", "and"))
        if self.kind == "object":
            text = rng.choice(self.spec["surface"])
            return _PLACEHOLDER.sub(lambda m: self.fields[m.group(1)].render(value[m.group(1)], rng), text)
        return rng.choice(self.forms(value))

    def evidence(self, value: Any) -> list[list[str]]:
        """Requirements for the query: each inner list holds alternatives, one of which must appear."""
        if self.kind == "list":
            assert self.items is not None
            return [alt for v in value for alt in self.items.evidence(v)]
        if self.kind == "object":
            return [alt for k, s in self.fields.items() for alt in s.evidence(value[k])]
        return [self.forms(value)]


def _pattern_char(c: str, rng: random.Random) -> str:
    if c == "#":
        return str(rng.randrange(10))
    if c == "?":
        return chr(ord("A") + rng.randrange(26))
    if c == "*":
        return chr(ord("a") + rng.randrange(26))
    return c


# ---------------------------------------------------------------- archetype


@dataclass(frozen=True, eq=False)
class Archetype:
    """One synthetic tool: schema, samplers, query templates and a result template."""

    domain: str
    name: str
    style: str
    description: str
    parameters: dict
    templates: tuple[str, ...]
    result_template: Any
    samplers: dict
    split_group: int
    domain_group: int = 0
    pools: dict = field(default_factory=dict, repr=False)

    # schema ---------------------------------------------------------
    @property
    def required(self) -> list[str]:
        return list(self.parameters.get("required", []))

    @property
    def optional(self) -> list[str]:
        req = set(self.required)
        return [p for p in self.parameters.get("properties", {}) if p not in req]

    def function_dict(self) -> dict:
        """The bare OpenAI function dict (name, description, parameters)."""
        return {"name": self.name, "description": self.description, "parameters": self.parameters}

    def tool(self) -> Any:
        """The archetype as a `toolgym.core.schema.Tool`."""
        from toolgym.core.schema import Tool
        return Tool.from_openai(self.function_dict())

    @functools.cached_property
    def _samplers(self) -> dict[str, Sampler]:
        props = self.parameters.get("properties", {})
        return {p: Sampler(self.samplers[p], props[p], self.pools) for p in props}

    def sampler(self, param: str) -> Sampler:
        return self._samplers[param]

    # splits -------------------------------------------------------------
    @property
    def held_out_tool(self) -> bool:
        return self.split_group in HELD_OUT_TOOL_GROUPS

    @property
    def held_out_domain(self) -> bool:
        return self.domain_group in HELD_OUT_DOMAIN_GROUPS

    def template_indices(self, held_out: bool) -> list[int]:
        """Indices of the seen (held_out=False) or unseen (held_out=True) query templates."""
        cut = len(self.templates) - HELD_OUT_TEMPLATES
        return list(range(cut, len(self.templates))) if held_out else list(range(cut))

    # sampling -----------------------------------------------------------
    def sample_arguments(self, rng: random.Random,
                         include_optional: bool | Collection[str] | None = None) -> dict[str, Any]:
        """Gold arguments: every required parameter plus the chosen optional ones, in schema order."""
        args: dict[str, Any] = {}
        required = set(self.required)
        for param, sampler in self._samplers.items():
            if param in required or self._want_optional(param, rng, include_optional):
                args[param] = self._sample_distinct(param, sampler, args, rng)
        return args

    def _sample_distinct(self, param: str, sampler: Sampler, args: dict[str, Any], rng: random.Random) -> Any:
        """A value for `param`; resampled (a few times) while it equals the `differs_from` argument."""
        other = self.samplers[param].get("differs_from")
        value = sampler.sample(rng)
        for _ in range(20):
            if other is None or other not in args or args[other] != value:
                break
            value = sampler.sample(rng)
        return value

    @staticmethod
    def _want_optional(param: str, rng: random.Random, include: bool | Collection[str] | None) -> bool:
        if include is None:
            return rng.random() < OPTIONAL_RATE
        if isinstance(include, bool):
            return include
        return param in include

    def render_query(self, arguments: dict[str, Any], rng: random.Random,
                     template_index: int | None = None) -> str:
        """The query for `arguments` in template `template_index` (random when None)."""
        index = rng.randrange(len(self.templates)) if template_index is None else template_index
        template = self.templates[index]
        missing = [p for p in self.required if p not in arguments]
        if missing:
            raise InputError("required argument missing", record=self.name, field=missing[0])
        template = _OPTIONAL_SEGMENT.sub(lambda m: _keep_segment(m.group(1), arguments), template)
        rendered = {p: self._samplers[p].render(v, rng) for p, v in arguments.items()}
        text = _PLACEHOLDER.sub(lambda m: rendered[m.group(1)], template)
        mentioned = set(_PLACEHOLDER.findall(template))
        for param in arguments:
            if param not in mentioned:
                clause = rng.choice(self.samplers[param]["clauses"])
                text = f"{text} {_PLACEHOLDER.sub(lambda m: rendered[m.group(1)], clause)}"
        return _capitalize_first(text)

    def fanout_params(self, arguments: dict[str, Any], template_index: int) -> list[str]:
        """Scalar arguments that template `template_index` names, so several values can share one query."""
        named = set(_PLACEHOLDER.findall(self.templates[template_index]))
        return [p for p in arguments if p in named and self.samplers[p]["kind"] not in ("list", "object", "bool")]

    def render_fanout(self, calls: Sequence[dict[str, Any]], param: str, rng: random.Random,
                      template_index: int) -> str:
        """One query for calls that differ only in `param`: the template once, with its values joined
        ("in Lisbon and Toronto"), or the first call plus "the same for B and C"."""
        first = calls[0]
        values = [self._samplers[param].render(c[param], rng) for c in calls]
        if rng.random() < 0.6:
            return self.render_joined(first, {param: join_prose(values, rng)}, rng, template_index)
        text = self.render_query(first, rng, template_index).rstrip()
        rest = join_prose(values[1:], rng)
        tail = rng.choice(_FANOUT_TAILS).format(rest=rest)
        return _capitalize_first(f"{text} {tail}")

    def render_joined(self, first: dict[str, Any], joined: dict[str, str], rng: random.Random,
                      template_index: int) -> str:
        """The template once, each parameter in `joined` shown as its values joined in prose ("in Lisbon and
        Toronto"); two joined parameters ask for every combination of their values (2 x 2 calls)."""
        rendered = {p: self._samplers[p].render(v, rng) for p, v in first.items()}
        rendered.update(joined)
        template = _OPTIONAL_SEGMENT.sub(lambda m: _keep_segment(m.group(1), first), self.templates[template_index])
        text = _PLACEHOLDER.sub(lambda m: rendered[m.group(1)], template)
        for other in first:
            if other not in _PLACEHOLDER.findall(template):
                clause = rng.choice(self.samplers[other]["clauses"])
                text = f"{text} {_PLACEHOLDER.sub(lambda m: rendered[m.group(1)], clause)}"
        return _capitalize_first(text)

    def render_zipped(self, calls: Sequence[dict[str, Any]], params: Sequence[str], rng: random.Random,
                      template_index: int) -> str | None:
        """One sentence for calls that differ together in `params` ("for Lisbon on 2025-03-01, and for Toronto
        on 2025-05-02"; "... respectively"; or the first call and "Then do the same for Toronto on ..."), or None
        when the template names them in different sentences (a repeated span would read badly)."""
        first = calls[0]
        template = _OPTIONAL_SEGMENT.sub(lambda m: _keep_segment(m.group(1), first), self.templates[template_index])
        span = _zip_span(template, params)
        if span is None:
            return None
        start, lead, end = span
        shared = {p: self._samplers[p].render(v, rng) for p, v in first.items()}

        def filled(text: str, values: dict[str, str]) -> str:
            return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)

        piece = template[start:end]
        parts = [filled(piece, {**shared, **{p: self._samplers[p].render(c[p], rng) for p in params}})
                 for c in calls]
        style = rng.random()
        if style < 0.45:
            middle = join_prose(parts, rng, rng.choice(("and", "and also", "as well as")))
        elif style < 0.7:  # each parameter's values joined, matched by position
            joined = {p: join_prose([self._samplers[p].render(c[p], rng) for c in calls], rng) for p in params}
            middle = filled(piece, {**shared, **joined}) + ", respectively"
        else:
            middle = parts[0]
        text = filled(template[:start], shared) + middle + filled(template[end:], shared)
        for other in first:
            if other not in _PLACEHOLDER.findall(template):
                clause = rng.choice(self.samplers[other]["clauses"])
                text = f"{text} {filled(clause, shared)}"
        if style >= 0.7:
            rest = [part if lead and lead not in _ZIP_TAIL_SWAPS else "for " + part[len(lead):].lstrip()
                    for part in parts[1:]]
            text = f"{text.rstrip()} {rng.choice(_ZIP_TAILS).format(rest=join_prose(rest, rng))}"
        return _capitalize_first(text)

    def joined_values(self, param: str, values: Sequence[Any], rng: random.Random) -> str:
        return join_prose([self._samplers[param].render(v, rng) for v in values], rng)

    def sample_call(self, rng: random.Random, template_index: int | None = None,
                    include_optional: bool | Collection[str] | None = None) -> tuple[str, dict[str, Any]]:
        """(query text, gold arguments); every argument value is recoverable from the query."""
        arguments = self.sample_arguments(rng, include_optional)
        return self.render_query(arguments, rng, template_index), arguments

    def evidence(self, arguments: dict[str, Any]) -> dict[str, list[list[str]]]:
        """For each argument: the surface requirements the query must meet (see `Sampler.evidence`)."""
        return {p: self._samplers[p].evidence(v) for p, v in arguments.items()}

    def underivable(self, query: str, arguments: dict[str, Any]) -> list[str]:
        """Arguments whose value cannot be read off `query` (empty when the call is derivable)."""
        low = query.lower()
        return [p for p, reqs in self.evidence(arguments).items()
                if not all(any(alt.lower() in low for alt in alts) for alts in reqs)]

    # results ------------------------------------------------------------
    def render_result(self, arguments: dict[str, Any], rng: random.Random) -> str:
        """The tool's JSON result for `arguments`, filled from the result template."""
        return json.dumps(fill_result(self.result_template, arguments, rng), ensure_ascii=False)


_FANOUT_TAILS = ("Do the same for {rest}.", "Then repeat it for {rest}.", "I also need that for {rest}.",
                 "And the same again for {rest}, please.", "Please also run it for {rest}.",
                 "After that, do {rest} too.")


_ZIP_TAILS = ("Then do the same {rest}.", "I also need it {rest}.", "Please repeat that {rest}.",
              "And once more {rest}.")
# words that lead a zipped span in ("for {city} on {date}"), so each repeat keeps them
_LEAD_WORDS = frozenset(("for", "in", "of", "on", "at", "from", "to", "with", "by", "into", "about", "near",
                         "between", "during", "under", "over", "named", "called"))
_ZIP_TAIL_SWAPS = frozenset(("of", "named", "called", "about", "between"))  # "do the same for ...", not "... of"
_SENTENCE_END = re.compile(r"[.?!:;](\s|$)")


def _zip_span(template: str, params: Sequence[str]) -> tuple[int, str, int] | None:
    """(start, lead word, end) of the shortest stretch of `template` that names each of `params` once within
    one sentence, widened to the lead word before it ("for {city} on {date}"); None when there is none."""
    spots = [m for m in _PLACEHOLDER.finditer(template) if m.group(1) in params]
    if len(spots) != len(params) or {m.group(1) for m in spots} != set(params):
        return None
    start, end = spots[0].start(), spots[-1].end()
    if _SENTENCE_END.search(template[start:end]):
        return None
    before = re.search(r"(\w+)\s+$", template[:start])
    if before and before.group(1).lower() in _LEAD_WORDS:
        return before.start(1), before.group(1).lower(), end
    return start, "", end


def _keep_segment(segment: str, arguments: dict[str, Any]) -> str:
    names = _PLACEHOLDER.findall(segment)
    return segment if names and all(n in arguments for n in names) else ""


def _capitalize_first(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text[:1].upper() + text[1:] if text else text


# ---------------------------------------------------------------- result templates

_GEN = re.compile(r"^\$(int|num|choice|id|arg|date|bool):?(.*)$")


def fill_result(template: Any, arguments: dict[str, Any], rng: random.Random) -> Any:
    """Fill a result template: `$arg:p` copies an argument, `$int:a:b`, `$num:a:b[:d]`, `$choice:x|y`,
    `$id:PAT`, `$date`, `$bool` generate values, and `{p}` inside strings formats arguments."""
    if isinstance(template, dict):
        return {k: fill_result(v, arguments, rng) for k, v in template.items()}
    if isinstance(template, list):
        return [fill_result(v, arguments, rng) for v in template]
    if not isinstance(template, str):
        return template
    gen = _GEN.match(template)
    if gen:
        return _generate(gen.group(1), gen.group(2), arguments, rng)
    return _PLACEHOLDER.sub(lambda m: _format_arg(arguments.get(m.group(1), m.group(0))), template)


def _format_arg(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _generate(kind: str, arg: str, arguments: dict[str, Any], rng: random.Random) -> Any:
    parts = arg.split(":") if arg else []
    if kind == "int":
        return rng.randint(int(parts[0]), int(parts[1]))
    if kind == "num":
        return round(rng.uniform(float(parts[0]), float(parts[1])), int(parts[2]) if len(parts) > 2 else 2)
    if kind == "choice":
        return rng.choice(arg.split("|"))
    if kind == "id":
        return "".join(_pattern_char(c, rng) for c in arg)
    if kind == "arg":
        return arguments.get(arg)
    if kind == "date":
        return (dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(730))).isoformat()
    return rng.random() < 0.5


# ---------------------------------------------------------------- loading and validation

_ARCH_KEYS = ("name", "style", "description", "parameters", "templates", "result_template", "samplers",
              "split_group")


@functools.lru_cache(maxsize=8)
def _load_cached(root: str) -> tuple[Archetype, ...]:
    folder = Path(root)
    pools_path = folder / POOLS_FILE
    pools = _read_json(pools_path) if pools_path.exists() else {}
    if not isinstance(pools, dict):
        raise InputError("pools file must hold an object of named lists", file=str(pools_path))
    files = sorted(p for p in folder.glob("*.json") if not p.name.startswith("_"))
    if not files:
        raise InputError("no domain files (*.json) in catalog folder", file=str(folder))
    out: list[Archetype] = []
    seen: dict[str, str] = {}
    for path in files:
        for arch in _load_domain(path, pools):
            if arch.name.lower() in seen:
                raise InputError(f"duplicate archetype name (also in {seen[arch.name.lower()]})",
                                 file=str(path), record=arch.name, field="name")
            seen[arch.name.lower()] = path.name
            out.append(arch)
    return tuple(out)


def load_catalog(path: str | Path | None = None) -> list[Archetype]:
    """All archetypes of the catalog folder `path` (default: the packaged catalog), validated and cached."""
    folder = Path(path) if path is not None else CATALOG_DIR
    if not folder.is_dir():
        raise InputError("catalog folder not found", file=str(folder))
    return list(_load_cached(str(folder.resolve())))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
                         file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None


def _load_domain(path: Path, pools: dict) -> list[Archetype]:
    data = _read_json(path)
    if not isinstance(data, dict):
        raise InputError("domain file must hold a JSON object", file=str(path))
    for key, kind in (("domain", str), ("group", int), ("archetypes", list)):
        if not isinstance(data.get(key), kind):
            raise InputError(f"missing or not a {kind.__name__}", file=str(path), field=key)
    out = []
    for i, rec in enumerate(data["archetypes"]):
        where = rec.get("name", f"#{i}") if isinstance(rec, dict) else f"#{i}"
        out.append(_build_archetype(rec, data["domain"], data["group"], pools, str(path), where))
    return out


def _build_archetype(rec: Any, domain: str, group: int, pools: dict, file: str, where: str) -> Archetype:
    def bad(msg: str, fld: str) -> InputError:
        return InputError(msg, file=file, record=where, field=fld)

    if not isinstance(rec, dict):
        raise bad("archetype must be an object", "archetype")
    for key in _ARCH_KEYS:
        if key not in rec:
            raise bad("missing", key)
    if rec["style"] not in STYLES:
        raise bad(f"unknown style {rec['style']!r}; valid: {', '.join(STYLES)}", "style")
    params = rec["parameters"]
    if not isinstance(params, dict) or params.get("type") != "object" or \
            not isinstance(params.get("properties"), dict):
        raise bad("must be a JSON-Schema object with properties", "parameters")
    props, required = params["properties"], params.get("required", [])
    for r in required:
        if r not in props:
            raise bad(f"required parameter {r!r} is not a property", "parameters.required")
    _check_samplers(rec["samplers"], props, required, pools, bad)
    _check_templates(rec["templates"], props, required, bad)
    return Archetype(domain=domain, name=rec["name"], style=rec["style"], description=rec["description"],
                     parameters=params, templates=tuple(rec["templates"]),
                     result_template=rec["result_template"], samplers=rec["samplers"],
                     split_group=int(rec["split_group"]), domain_group=group, pools=pools)


def _check_samplers(samplers: Any, props: dict, required: list, pools: dict, bad: Any) -> None:
    if not isinstance(samplers, dict):
        raise bad("must be an object mapping parameters to samplers", "samplers")
    for param, schema in props.items():
        spec = samplers.get(param)
        if not isinstance(spec, dict):
            raise bad("parameter has no sampler", f"samplers.{param}")
        _check_spec(spec, schema, pools, bad, f"samplers.{param}")
        if "differs_from" in spec and spec["differs_from"] not in props:
            raise bad(f"differs_from names unknown parameter {spec['differs_from']!r}", f"samplers.{param}.differs_from")
        if param not in required:
            clauses = spec.get("clauses")
            if not clauses or any(f"{{{param}}}" not in c for c in clauses):
                raise bad("optional parameter needs clauses that mention it", f"samplers.{param}.clauses")
    extra = set(samplers) - set(props)
    if extra:
        raise bad(f"sampler for unknown parameter {sorted(extra)[0]!r}", "samplers")


def _check_spec(spec: dict, schema: dict, pools: dict, bad: Any, fld: str) -> None:
    kind = spec.get("kind")
    if kind not in SAMPLER_KINDS:
        raise bad(f"unknown sampler kind {kind!r}; valid: {', '.join(SAMPLER_KINDS)}", f"{fld}.kind")
    want = _SCHEMA_TYPES.get(kind)
    if want and schema.get("type") != want and not (kind == "int" and schema.get("type") == "number"):
        raise bad(f"sampler kind {kind!r} needs schema type {want!r}, got {schema.get('type')!r}", fld)
    if kind == "pool" and spec.get("pool") not in pools:
        raise bad(f"unknown pool {spec.get('pool')!r}", f"{fld}.pool")
    if kind == "enum" and not schema.get("enum"):
        raise bad("enum sampler on a schema without enum", fld)
    if spec.get("percent") and (kind != "number" or spec.get("unit") or spec.get("prefix")):
        raise bad("percent: true needs a number sampler without unit or prefix", f"{fld}.percent")
    if kind == "bool" and not (spec.get("true") and spec.get("false")):
        raise bad("bool sampler needs 'true' and 'false' phrase lists", fld)
    if kind == "list":
        if not isinstance(spec.get("items"), dict):
            raise bad("list sampler needs an items sampler", f"{fld}.items")
        _check_spec(spec["items"], schema.get("items", {}), pools, bad, f"{fld}.items")
    if kind == "object":
        fields, sub = spec.get("fields"), schema.get("properties", {})
        if not isinstance(fields, dict) or set(fields) != set(sub):
            raise bad("object sampler fields must match the schema properties", f"{fld}.fields")
        for k, v in fields.items():
            _check_spec(v, sub[k], pools, bad, f"{fld}.fields.{k}")
        for text in spec.get("surface") or [""]:
            if set(_PLACEHOLDER.findall(text)) != set(fields):
                raise bad("every object surface must mention every field", f"{fld}.surface")


def _check_templates(templates: Any, props: dict, required: list, bad: Any) -> None:
    if not isinstance(templates, list) or not templates:
        raise bad("must be a non-empty list of strings", "templates")
    for i, text in enumerate(templates):
        if not isinstance(text, str):
            raise bad("template must be a string", f"templates[{i}]")
        names = _PLACEHOLDER.findall(text)
        unknown = [n for n in names if n not in props]
        if unknown:
            raise bad(f"placeholder {{{unknown[0]}}} is not a parameter", f"templates[{i}]")
        outside = set(_PLACEHOLDER.findall(_OPTIONAL_SEGMENT.sub("", text)))
        for r in required:
            if r not in outside:
                raise bad(f"required parameter {r!r} is not mentioned", f"templates[{i}]")


# ---------------------------------------------------------------- catalog helpers


def domains(catalog: Iterable[Archetype]) -> list[str]:
    """Sorted domain names."""
    return sorted({a.domain for a in catalog})


def by_name(catalog: Iterable[Archetype]) -> dict[str, Archetype]:
    return {a.name: a for a in catalog}


def name_tokens(name: str) -> list[str]:
    """Lower-case words of a tool name in any style (snake, camel, dotted, title)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [t.lower() for t in re.split(r"[\s_.\-]+", spaced) if t]


def sibling_archetypes(arch: Archetype, catalog: Iterable[Archetype], k: int | None = None) -> list[Archetype]:
    """Same-domain archetypes most similar by name, for distractors: ranked by shared name words plus the
    length of the shared leading words (`get_weather_outlook` ~ `get_weather_history`)."""
    mine = name_tokens(arch.name)

    def score(other: Archetype) -> tuple[int, int, str]:
        theirs = name_tokens(other.name)
        lead = 0
        while lead < min(len(mine), len(theirs)) and mine[lead] == theirs[lead]:
            lead += 1
        shared = len((set(mine) & set(theirs)) - {"api"})
        return (-(shared + lead), -len(_common_prefix(arch.name, other.name)), other.name)

    pool = [o for o in catalog if o.domain == arch.domain and o.name != arch.name]
    ranked = sorted(pool, key=score)
    return ranked if k is None else ranked[:k]


def _common_prefix(a: str, b: str) -> str:
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return a[:i]
