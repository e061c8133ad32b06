"""GenTool-style synthesis of tool-use samples from the domain catalog.

Sample types: single, parallel (one tool, several calls), multiple (1 of 2–5 candidates), parallel_multiple,
no_tool (gold = no call, a text answer in `meta.answer`), zero-to-one pairs (the same query without and with
its tool, sharing `meta.pair`) and weak-to-strong (the toolset holds a degraded *weak* variant of the strong
tool: vaguer name, shorter description, fewer parameters; the gold is the strongest tool that fully solves the
query, so the strong one, also when the weak one would do: `meta.weak_solves`).

Distractors are similar tools (same domain, shared name prefixes, via `archetypes.sibling_archetypes`) plus
the odd unrelated one. Toolsets stay small (1–5 tools, 2–3 typical) so the median prompt of the embedded
model stays under ~450 tokens (a catalog tool renders to ~150 tokens). `ranking` orders every candidate: strong > weak > related > unrelated (GenTool stage 1).

Splits (GenTool's generalization scenarios): training uses only seen archetypes of seen domains, with their
seen templates; the four test sets cross {seen, unseen} tools with {seen, unseen} queries (held-out
templates for seen tools, held-out domains for unseen tools). Everything is drawn from one
`random.Random` per split seeded by a string, so a seed gives byte-identical files.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolgym.core.checker import check_calls
from toolgym.core.errors import InputError
from toolgym.core.schema import Sample, Tool, ToolCall
from toolgym.data.archetypes import Archetype, load_catalog, sibling_archetypes
from toolgym.data.conventions import with_state_cities
from toolgym.data.io import JsonlAppender, dumps_record
from toolgym.data.styles import mask_record, restyle_tool

SAMPLE_TYPES = ("single", "parallel", "multiple", "parallel_multiple", "no_tool", "zero_to_one",
                "weak_to_strong", "toolset")
RECORD_TYPES = ("single", "parallel", "multiple", "parallel_multiple", "no_tool", "zero_to_one_without",
                "zero_to_one_with", "weak_to_strong")
DEFAULT_MIX = {"single": 0.18, "parallel": 0.12, "multiple": 0.2, "parallel_multiple": 0.12, "no_tool": 0.08,
               "zero_to_one": 0.14, "weak_to_strong": 0.16}
TEST_SPLITS = ("test_seen_tool_seen_query", "test_seen_tool_unseen_query", "test_unseen_tool_seen_query",
               "test_unseen_tool_unseen_query")
SPLITS = ("train", *TEST_SPLITS, "dev")
# the dev split: held-out tools, templates and domains, for tuning; no training step reads it
WIDE_MAX_CALLS = 4  # calls in a wide parallel_multiple record at most (SynthOptions.wide_parallel)
DEV_MIX = {"single": 0.15, "parallel": 0.15, "multiple": 0.15, "parallel_multiple": 0.15, "no_tool": 0.15,
           "zero_to_one": 0.1, "weak_to_strong": 0.15}
MIN_TEST_CASES = 300
_JOINERS = ("Also: ", "And: ", "Next: ", "Then: ", "Plus: ", "One more: ")
_VAGUE_WORDS = ("basic", "lite", "simple", "helper", "tool", "util")
_NO_TOOL_ANSWERS = (
    "I can't do that with the tools I have: none of {names} can handle this request.",
    "None of the available tools ({names}) fits this request, so I can't carry it out.",
    "Sorry, that needs a capability my tools ({names}) don't offer.",
)


@dataclass(frozen=True)
class SynthOptions:
    """Surface variety of the data engine (v2). `SynthOptions.v1()` is the first engine: one catalog
    description per tool, joined parallel queries, real names, one query per toolset."""

    description_styles: bool = True  # catalog / third person / terse / long per tool (data.styles)
    fanout_share: float = 0.6  # parallel samples phrased as one request over several values
    mask_functions: float = 0.2  # share of records with opaque function names (Hammer)
    mask_parameters: float = 0.1  # share of records with opaque parameter names too
    toolset_queries: int = 4  # queries per shared toolset in `toolset` samples
    toolset_no_call: float = 0.25  # share of a toolset's queries that no tool in it can answer
    # share of parallel_multiple draws made wide (both the sample type and a toolset's two-tool requests): 2-3
    # tools, each asked once or over two values in one sentence, 2-4 calls in all (the quality recipe's data had
    # 74% two-call parallel_multiple records, most from toolsets); 0 keeps the engine's stream as it was
    wide_parallel: float = 0.0
    # GenTool's toolsets: zero_to_one and weak_to_strong samples show this many tools, the rest similar
    # distractors (the paper: about 5); 0 = each type's own small draw
    toolset_size: int = 0
    w2s_queries: int = 1  # queries per weak/strong pair, about half solvable by the weak tool (the paper: ~10)
    # share of shown tools whose optional parameters state a default (JSON Schema `default`, often also told in
    # the description, as real tool docs do); the gold still omits a parameter the query does not mention, so
    # the model learns to leave defaulted parameters out instead of filling them with a value from the query
    defaults: float = 0.0
    # share of fan-outs over two parameters at once, every combination asked ("cases A and B, for types X and
    # Y": 2 x 2 calls), as BFCL's parallel questions sometimes do; 0 draws nothing (earlier streams unchanged)
    cross_fanout: float = 0.0
    # share of fan-outs whose calls differ together in two or three parameters, asked in one sentence ("$30.45
    # in Chicago and $52.33 in Sacramento"): 67% of BFCL parallel's same-function call groups vary 2+ parameters,
    # the engine's fan-outs one; 0 draws nothing (earlier streams unchanged)
    zip_fanout: float = 0.0
    # share of records whose catalog cities become US cities written "City, ST", documented so in the parameter
    # description and named in the question with the code, bare or with the state's name (`data.conventions`);
    # drawn from a generator of its own per question, so 0 leaves every stream as it was
    state_cities: float = 0.0

    @classmethod
    def v1(cls) -> SynthOptions:
        return cls(False, 0.0, 0.0, 0.0, 4, 0.25)

    def to_dict(self) -> dict[str, Any]:
        """The options as a dataset's config.json records them; an option in `_UNRECORDED_WHEN_OFF` at its off
        value is left out, so datasets made before it existed still resume."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__
                if _UNRECORDED_WHEN_OFF.get(k, object()) != getattr(self, k)}


_UNRECORDED_WHEN_OFF = {"defaults": 0.0, "cross_fanout": 0.0, "zip_fanout": 0.0, "state_cities": 0.0}  # options added after datasets were published


def parse_mix(text: str | None) -> dict[str, float]:
    """`single=0.3,parallel=0.2` -> weights (unnamed types get 0); None or '' -> DEFAULT_MIX."""
    if not text:
        return dict(DEFAULT_MIX)
    mix: dict[str, float] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if key not in SAMPLE_TYPES or not sep:
            raise InputError(f"bad mix entry {part.strip()!r}; use TYPE=WEIGHT with TYPE in "
                             f"{', '.join(SAMPLE_TYPES)}", field="mix")
        try:
            mix[key] = float(value)
        except ValueError:
            raise InputError(f"weight {value!r} of {key!r} is not a number", field="mix") from None
        if mix[key] < 0:
            raise InputError(f"weight of {key!r} is negative", field="mix")
    if sum(mix.values()) <= 0:
        raise InputError("mix weights sum to 0", field="mix")
    return mix


# ---------------------------------------------------------------- splits


@dataclass(frozen=True)
class SplitSpec:
    """Which archetypes are gold targets in a split, which templates they use, and the distractor pool."""

    name: str
    targets: tuple[Archetype, ...]
    pool: tuple[Archetype, ...]
    held_out_templates: bool | None  # False: seen templates only, True: held-out only, None: any

    def templates(self, arch: Archetype) -> list[int]:
        if self.held_out_templates is None:
            return list(range(len(arch.templates)))
        return arch.template_indices(self.held_out_templates)


def split_specs(catalog: Sequence[Archetype]) -> dict[str, SplitSpec]:
    """The five splits; training never sees a held-out archetype, domain or template, not even as distractor."""
    ordered = sorted(catalog, key=lambda a: (a.domain, a.name))
    seen = tuple(a for a in ordered if not a.held_out_domain and not a.held_out_tool)
    unseen_tool = tuple(a for a in ordered if not a.held_out_domain and a.held_out_tool)
    unseen_domain = tuple(a for a in ordered if a.held_out_domain)
    seen_domains = seen + unseen_tool
    return {
        "train": SplitSpec("train", seen, seen, False),
        "test_seen_tool_seen_query": SplitSpec("test_seen_tool_seen_query", seen, seen, False),
        "test_seen_tool_unseen_query": SplitSpec("test_seen_tool_unseen_query", seen, seen, True),
        "test_unseen_tool_seen_query": SplitSpec("test_unseen_tool_seen_query", unseen_tool, seen_domains, False),
        "test_unseen_tool_unseen_query": SplitSpec("test_unseen_tool_unseen_query", unseen_domain,
                                                   tuple(ordered), None),
        "dev": SplitSpec("dev", unseen_tool + unseen_domain, tuple(ordered), None),
    }


# ---------------------------------------------------------------- weak variants


def weak_variant(arch: Archetype, rng: random.Random, taken: set[str]) -> tuple[Tool, list[str]] | None:
    """A degraded copy of `arch`: vaguer name (same style and prefix), shorter description, fewer parameters.

    Returns (weak tool, dropped parameter names), or None when `arch` has too few parameters to degrade.
    """
    props: dict[str, Any] = arch.parameters.get("properties", {})
    if len(props) < 2:
        return None
    optional = [p for p in props if p not in arch.required]
    if optional:
        dropped = rng.sample(optional, max(1, (len(optional) + 1) // 2))
    else:
        dropped = [arch.required[-1]]
    keep = [p for p in props if p not in dropped]
    params = {"type": "object", "properties": {p: props[p] for p in keep},
              "required": [p for p in arch.required if p in keep]}
    name = _vague_name(arch, rng, taken)
    return Tool(name=name, description=_vague_description(arch.description), parameters=params), dropped


_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")


def _vague_name(arch: Archetype, rng: random.Random, taken: set[str]) -> str:
    """The name with its most specific word (the last, before a trailing API) made vague, separators kept."""
    name = arch.name
    spans = [m.span() for m in _WORD.finditer(name)]
    idx = len(spans) - 1
    if idx > 0 and name[slice(*spans[idx])].lower() == "api":
        idx -= 1
    if idx > 0:  # replace the last content word
        start, end = spans[idx]
        sep = ""
    else:  # a one-word name: add the vague word after it
        start = end = spans[0][1] if spans else len(name)
        gap = name[spans[0][1]:spans[1][0]] if len(spans) > 1 else ""
        sep = gap or ("" if arch.style == "camel" else "_")
    old = name[start:end]
    ref = old or (name[slice(*spans[0])] if spans else "")
    for word in [*rng.sample(_VAGUE_WORDS, len(_VAGUE_WORDS)), f"basic{rng.randrange(100, 1000)}"]:
        new = word.capitalize() if (ref[:1].isupper() or (not old and arch.style == "camel")) else word
        candidate = f"{name[:start]}{sep}{new}{name[end:]}"
        if candidate.lower() not in taken and candidate != name:
            return candidate
    return f"{name}_basic"


_DANGLING = {"a", "an", "the", "of", "for", "given", "and", "or", "with", "to", "in", "by", "on", "from", "at"}


def _vague_description(text: str) -> str:
    """The first few words of the first clause, without a dangling function word."""
    first = re.split(r"(?<=[.;:])\s|,\s", text.strip(), maxsplit=1)[0].rstrip(".;:,")
    words = first.split()[: max(3, min(5, len(first.split()) // 2))]
    while len(words) > 2 and words[-1].lower() in _DANGLING:
        words.pop()
    while len(words) > 1 and len(" ".join(words)) + 1 >= len(text.strip()):
        words.pop()
    return " ".join(words) + "."


# ---------------------------------------------------------------- one split's stream


@dataclass
class SynthStats:
    """Counts of what a synthesis run produced and dropped (a gold call failing the checker is dropped)."""

    by_type: dict[str, int] = field(default_factory=dict)
    dropped: int = 0
    reasons: list[str] = field(default_factory=list)


class _Builder:
    """Draws samples of every type for one split from one seeded RNG."""

    def __init__(self, spec: SplitSpec, catalog: Sequence[Archetype], rng: random.Random,
                 exclude: set[str] | None = None, options: SynthOptions | None = None) -> None:
        self.spec, self.rng = spec, rng
        self.options = options or SynthOptions()
        self.target_names = {a.name for a in spec.targets}
        self.pool = list(spec.pool)
        self.pool_names = {a.name for a in self.pool}
        self.taken = {a.name.lower() for a in catalog} | _reserved_names()
        self.exclude = exclude if exclude is not None else set()
        self._tools: dict[str, Tool] = {}
        self._archetypes = {a.name: a for a in catalog}
        self._siblings: dict[str, list[Archetype]] = {}

    # helpers -------------------------------------------------------
    def tool(self, arch: Archetype) -> Tool:
        if arch.name not in self._tools:
            self._tools[arch.name] = arch.tool()
        return self._tools[arch.name]

    def call(self, arch: Archetype, include_optional: bool | None = None) -> tuple[str, dict[str, Any], int]:
        index = self.rng.choice(self.spec.templates(arch))
        query, args = arch.sample_call(self.rng, template_index=index, include_optional=include_optional)
        return query, args, index

    def related(self, arch: Archetype, k: int, avoid: set[str]) -> list[Archetype]:
        """Up to `k` same-domain siblings, drawn from the most similar 2k, most similar first."""
        if arch.name not in self._siblings:
            self._siblings[arch.name] = [a for a in sibling_archetypes(arch, self.pool)]
        ranked = [a for a in self._siblings[arch.name] if a.name not in avoid]
        top = ranked[: 2 * k + 1]
        chosen = set(a.name for a in self.rng.sample(top, min(k, len(top))))
        return [a for a in ranked if a.name in chosen]

    def unrelated(self, arch: Archetype, k: int, avoid: set[str]) -> list[Archetype]:
        out: list[Archetype] = []
        for _ in range(k * 10):
            if len(out) == k:
                break
            other = self.rng.choice(self.pool)
            if other.domain != arch.domain and other.name not in avoid and other not in out:
                out.append(other)
        return out

    def distractors(self, arch: Archetype, n: int, avoid: set[str], p_unrelated: float = 0.3
                    ) -> tuple[list[Archetype], list[Archetype]]:
        n_unrel = sum(self.rng.random() < p_unrelated for _ in range(n)) if n > 1 else 0
        related = self.related(arch, n - n_unrel, avoid)
        names = avoid | {a.name for a in related}
        return related, self.unrelated(arch, n - len(related), names)

    def joined(self, queries: list[str]) -> str:
        """Several sub-queries in prose; each is kept verbatim, so every value stays derivable."""
        text = queries[0]
        for q in queries[1:]:
            text += " " + self.rng.choice(_JOINERS) + q
        return text

    def target(self, min_params: int = 0) -> Archetype:
        for _ in range(50):
            arch = self.rng.choice(self.spec.targets)
            if len(arch.parameters.get("properties", {})) >= min_params:
                return arch
        return arch

    def record(self, stype: str, query: str, tools: list[Tool] | list[dict], gold: list[tuple[str, dict]],
               ranking: list[str], meta: dict[str, Any], *, surface: bool = True) -> dict[str, Any]:
        """A record; `tools` are shuffled and restyled unless they come as ready dicts (a shared toolset)."""
        if tools and isinstance(tools[0], dict):
            rendered = list(tools)
        else:
            order = list(tools)
            self.rng.shuffle(order)
            rendered = self.surface_tools(order)
        record = {"id": "", "type": stype, "messages": [{"role": "user", "content": query}],
                  "tools": rendered, "gold": [{"name": n, "arguments": a} for n, a in gold], "ranking": ranking,
                  "meta": {"split": self.spec.name, **meta}}
        return self.masked(record) if surface else record

    def surface_tools(self, tools: Sequence[Tool]) -> list[dict]:
        out = [t.to_openai() for t in tools]
        if self.options.description_styles:
            for tool in out:
                tool["function"] = restyle_tool(tool["function"], self.rng)
        if self.options.defaults > 0:  # (draws nothing when off: earlier streams stay byte-identical)
            for tool in out:
                arch = self._archetypes.get(tool["function"]["name"])
                if arch is not None and self.rng.random() < self.options.defaults:
                    tool["function"] = with_defaults(tool["function"], arch, self.rng)
        return out

    def mask_draw(self) -> tuple[bool, bool]:
        if self.options.mask_functions <= 0:  # (draws nothing: the v1 stream stays byte-identical)
            return False, False
        functions = self.rng.random() < self.options.mask_functions
        return functions, functions and self.rng.random() < self.options.mask_parameters / max(
            self.options.mask_functions, 1e-9)

    def masked(self, record: dict[str, Any], draw: tuple[bool, bool] | None = None,
               seed: int | None = None) -> dict[str, Any]:
        functions, parameters = draw if draw is not None else self.mask_draw()
        if not functions:
            return record
        rng = random.Random(seed) if seed is not None else self.rng
        return mask_record(record, rng, functions=True, parameters=parameters)

    @staticmethod
    def meta(arch: Archetype, templates: list[int], archetypes: list[str] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"domain": arch.domain, "archetype": arch.name, "template": templates[0],
                               "templates": templates}
        if archetypes:
            out["archetypes"] = archetypes
        return out

    # sample types ------------------------------------------------------
    def single(self) -> list[dict]:
        arch = self.target()
        query, args, t = self.call(arch)
        related, unrelated = self.distractors(arch, self.rng.choice((0, 0, 0, 1)), {arch.name})
        tools = [self.tool(a) for a in (arch, *related, *unrelated)]
        return [self.record("single", query, tools, [(arch.name, args)], _names(arch, related, unrelated),
                            self.meta(arch, [t]))]

    def parallel(self) -> list[dict]:
        arch = self.target()
        if self.options.fanout_share > 0 and self.rng.random() < self.options.fanout_share:
            fanned = self.fanout(arch, self.rng.choice((2, 2, 3, 4)))
            if fanned is not None:
                query, calls, t = fanned
                related, unrelated = self.distractors(arch, self.rng.choice((0, 0, 0, 1)), {arch.name})
                tools = [self.tool(a) for a in (arch, *related, *unrelated)]
                return [self.record("parallel", query, tools, [(arch.name, c) for c in calls],
                                    _names(arch, related, unrelated), self.meta(arch, [t] * len(calls)))]
        want = self.rng.choice((2, 2, 3))
        calls: list[tuple[str, dict, int]] = []
        for _ in range(3 * want):
            c = self.call(arch)
            if all(c[1] != prev[1] for prev in calls):
                calls.append(c)
            if len(calls) == want:
                break
        if len(calls) < 2:
            return self.single()
        related, unrelated = self.distractors(arch, self.rng.choice((0, 0, 0, 1)), {arch.name})
        tools = [self.tool(a) for a in (arch, *related, *unrelated)]
        return [self.record("parallel", self.joined([c[0] for c in calls]), tools,
                            [(arch.name, c[1]) for c in calls], _names(arch, related, unrelated),
                            self.meta(arch, [c[2] for c in calls]))]

    def fanout(self, arch: Archetype, want: int) -> tuple[str, list[dict], int] | None:
        """One request over several values of one parameter: (query, calls, template index) or None."""
        query, args, t = self.call(arch)
        params = arch.fanout_params(args, t)
        if not params:
            return None
        # a request that wants 3+ calls may instead ask over two parameters (the 2 x 2 product: 4 calls)
        if want >= 3 and len(params) >= 2 and self.options.cross_fanout > 0 \
                and self.rng.random() < self.options.cross_fanout:
            first, second = self.rng.sample(params, 2)
            pairs = [self.fan_values(arch, first, args, 2), self.fan_values(arch, second, args, 2)]
            if min(len(v) for v in pairs) == 2:
                calls = [{**args, first: a, second: b} for a in pairs[0] for b in pairs[1]]
                joined = {first: arch.joined_values(first, pairs[0], self.rng),
                          second: arch.joined_values(second, pairs[1], self.rng)}
                return arch.render_joined(args, joined, self.rng, t), calls, t
        if len(params) >= 2 and self.options.zip_fanout > 0 and self.rng.random() < self.options.zip_fanout:
            zipped = self.zipped(arch, args, params, want, t)
            if zipped is not None:
                return zipped
        param = self.rng.choice(params)
        values = self.fan_values(arch, param, args, want)
        if len(values) < 2:
            return None
        calls = [{**args, param: v} for v in values]
        return arch.render_fanout(calls, param, self.rng, t), calls, t

    def zipped(self, arch: Archetype, args: dict[str, Any], params: list[str], want: int,
               t: int) -> tuple[str, list[dict], int] | None:
        """`want` calls (at most 3) that differ together in two or three parameters, in one request."""
        want = min(want, 3)
        pairs, triples = list(itertools.combinations(params, 2)), list(itertools.combinations(params, 3))
        self.rng.shuffle(pairs)
        self.rng.shuffle(triples)
        order = triples + pairs if triples and self.rng.random() < 0.3 else pairs  # three at once, sometimes
        for chosen in order:
            columns = [self.fan_values(arch, p, args, want) for p in chosen]
            if min(len(c) for c in columns) < want:
                continue
            calls = [{**args, **{p: column[i] for p, column in zip(chosen, columns, strict=True)}} for i in range(want)]
            query = arch.render_zipped(calls, chosen, self.rng, t)
            if query is not None:
                return query, calls, t
        return None

    def fan_values(self, arch: Archetype, param: str, args: dict[str, Any], want: int) -> list[Any]:
        """The call's own value of `param` plus up to `want` - 1 distinct others."""
        sampler = arch.sampler(param)
        values = [args[param]]
        for _ in range(10 * want):
            value = sampler.sample(self.rng)
            if value not in values:
                values.append(value)
            if len(values) == want:
                break
        return values

    def toolset(self) -> list[dict]:
        """Several queries on one shared toolset of 3-5 similar tools: calls to different members, fan-outs,
        and queries that no member can answer (hard negatives: a same-domain sibling's request)."""
        arch = self.target()
        related, unrelated = self.distractors(arch, self.rng.choice((2, 3, 3, 4)), {arch.name})
        members = [arch, *related, *unrelated]
        order = list(members)
        self.rng.shuffle(order)
        tools = self.surface_tools([self.tool(a) for a in order])
        names = {a.name for a in members}
        callable_ = [a for a in members if a.name in self.target_names]
        draw, mask_seed = self.mask_draw(), self.rng.randrange(2**31)
        out = []
        for _ in range(self.options.toolset_queries):
            out.append(self.toolset_query(arch, callable_ or [arch], names, tools))
        return [self.masked(r, draw, mask_seed) for r in out]

    def toolset_query(self, arch: Archetype, callable_: list[Archetype], names: set[str],
                      tools: list[dict]) -> dict:
        ranking = [arch.name] + sorted(names - {arch.name})
        if self.rng.random() < self.options.toolset_no_call:
            outside = [a for a in self.related(arch, 4, names)] or self.unrelated(arch, 1, names)
            if outside:
                other = self.rng.choice(outside)
                query, _, t = self.call(other)
                return self.record("no_tool", query, tools, [], sorted(names),
                                   {**self.meta(other, [t]), "answer": self.answer_names(sorted(names))},
                                   surface=False)
        target = self.rng.choice(callable_)
        ranking = [target.name] + sorted(names - {target.name})
        roll = self.rng.random()
        if roll < 0.25:
            fanned = self.fanout(target, self.rng.choice((2, 2, 3)))
            if fanned is not None:
                query, calls, t = fanned
                return self.record("parallel_multiple", query, tools, [(target.name, c) for c in calls], ranking,
                                   self.meta(target, [t] * len(calls)), surface=False)
        if roll < 0.45 and len(callable_) > 1 and self.options.wide_parallel > 0 \
                and self.rng.random() < self.options.wide_parallel:
            others = [a for a in callable_ if a is not target]
            chosen = [target, *self.rng.sample(others, min(len(others), self.rng.choice((1, 1, 2))))]
            queries, gold, templates = self.wide_calls(chosen)
            return self.record("parallel_multiple", self.joined(queries), tools, gold, ranking,
                               self.meta(target, templates, [name for name, _ in gold]), surface=False)
        if roll < 0.45 and len(callable_) > 1:
            second = self.rng.choice([a for a in callable_ if a is not target])
            (q1, a1, t1), (q2, a2, t2) = self.call(target), self.call(second)
            return self.record("parallel_multiple", self.joined([q1, q2]), tools,
                               [(target.name, a1), (second.name, a2)], ranking,
                               self.meta(target, [t1, t2], [target.name, second.name]), surface=False)
        query, args, t = self.call(target)
        return self.record("multiple", query, tools, [(target.name, args)], ranking, self.meta(target, [t]),
                           surface=False)

    def multiple(self) -> list[dict]:
        arch = self.target()
        query, args, t = self.call(arch)
        related, unrelated = self.distractors(arch, self.rng.choice((1, 1, 2, 2, 3, 4)), {arch.name})
        tools = [self.tool(a) for a in (arch, *related, *unrelated)]
        return [self.record("multiple", query, tools, [(arch.name, args)], _names(arch, related, unrelated),
                            self.meta(arch, [t]))]

    def parallel_multiple(self) -> list[dict]:
        if self.options.wide_parallel > 0 and self.rng.random() < self.options.wide_parallel:
            return self.wide_parallel_multiple()
        first = self.target()
        partners = self.related(first, self.rng.choice((1, 1, 2)), {first.name})
        if not partners:
            return self.multiple()
        chosen = [first, *partners]
        calls: list[tuple[Archetype, str, dict, int]] = []
        for arch in chosen:
            for _ in range(1 + (self.rng.random() < 0.25)):
                query, args, t = self.call(arch)
                calls.append((arch, query, args, t))
        related, unrelated = self.distractors(first, self.rng.choice((0, 0, 1)), {a.name for a in chosen})
        tools = [self.tool(a) for a in (*chosen, *related, *unrelated)]
        ranking = [a.name for a in chosen] + [a.name for a in related] + [a.name for a in unrelated]
        return [self.record("parallel_multiple", self.joined([c[1] for c in calls]), tools,
                            [(c[0].name, c[2]) for c in calls], ranking,
                            self.meta(first, [c[3] for c in calls], [c[0].name for c in calls]))]

    def wide_parallel_multiple(self) -> list[dict]:
        """2-3 different tools in one request, each asked once or over two values ("for A and B"): 2-4 calls."""
        first = self.target()
        partners = self.related(first, self.rng.choice((1, 1, 2)), {first.name})
        if not partners:
            return self.multiple()
        chosen = [first, *partners]
        queries, gold, templates = self.wide_calls(chosen)
        related, unrelated = self.distractors(first, self.rng.choice((0, 0, 1)), {a.name for a in chosen})
        tools = [self.tool(a) for a in (*chosen, *related, *unrelated)]
        ranking = [a.name for a in chosen] + [a.name for a in related] + [a.name for a in unrelated]
        return [self.record("parallel_multiple", self.joined(queries), tools, gold, ranking,
                            self.meta(first, templates, [name for name, _ in gold]))]

    def wide_calls(self, chosen: list[Archetype]) -> tuple[list[str], list[tuple[str, dict]], list[int]]:
        """(sub-queries, gold calls, template per call): each tool asked once, or over two values in one sentence
        while the request stays within WIDE_MAX_CALLS calls."""
        queries: list[str] = []
        gold: list[tuple[str, dict]] = []
        templates: list[int] = []
        for i, arch in enumerate(chosen):
            room = WIDE_MAX_CALLS - len(gold) - (len(chosen) - i - 1)  # keep one call for each tool still to come
            fanned = self.fanout(arch, 2) if room >= 2 and self.rng.random() < 0.5 else None
            if fanned is not None:
                query, calls, t = fanned
            else:
                query, args, t = self.call(arch)
                calls = [args]
            queries.append(query)
            gold.extend((arch.name, c) for c in calls)
            templates.extend([t] * len(calls))
        return queries, gold, templates

    def no_tool(self) -> list[dict]:
        arch = self.target()
        query, _, t = self.call(arch)
        related, unrelated = self.distractors(arch, self.rng.randint(1, 2), {arch.name})
        tools = [self.tool(a) for a in (*related, *unrelated)]
        return [self.record("no_tool", query, tools, [], [a.name for a in (*related, *unrelated)],
                            {**self.meta(arch, [t]), "answer": self.answer(tools)})]

    def n_distractors(self, choices: Sequence[int], shown: int) -> int:
        """How many distractors to draw: those filling a toolset of `toolset_size` around `shown` tools, or
        one of the sample type's own `choices`."""
        if self.options.toolset_size > 0:
            return max(0, self.options.toolset_size - shown)
        return self.rng.choice(choices)

    def zero_to_one(self) -> list[dict]:
        arch = self.target()
        query, args, t = self.call(arch)
        related, unrelated = self.distractors(arch, self.n_distractors((1, 2, 2), 1), {arch.name})
        others = [self.tool(a) for a in (*related, *unrelated)]
        other_names = [a.name for a in (*related, *unrelated)]
        meta = self.meta(arch, [t])
        if not self.options.description_styles and self.options.mask_functions <= 0:  # v1 stream
            without = self.record("zero_to_one_without", query, others, [], other_names,
                                  {**meta, "answer": self.answer(others)})
            with_ = self.record("zero_to_one_with", query, [self.tool(arch), *others], [(arch.name, args)],
                                [arch.name, *other_names], meta)
            return [without, with_]
        # v2: both halves show the same tool docs and the same masked names
        shown = self.surface_tools([self.tool(arch), *others])
        without_tools = shown[1:]
        self.rng.shuffle(without_tools)
        with_tools = list(shown)
        self.rng.shuffle(with_tools)
        draw, seed = self.mask_draw(), self.rng.randrange(2**31)
        without = self.record("zero_to_one_without", query, without_tools, [], other_names,
                              {**meta, "answer": self.answer(others)}, surface=False)
        with_ = self.record("zero_to_one_with", query, with_tools, [(arch.name, args)],
                            [arch.name, *other_names], meta, surface=False)
        return [self.masked(without, draw, seed), self.masked(with_, draw, seed)]

    def weak_to_strong(self) -> list[dict]:
        arch = self.target(min_params=2)
        made = weak_variant(arch, self.rng, self.taken)
        if made is None:
            return self.multiple()
        weak, dropped = made
        asks = [self.weak_strong_query(arch, dropped) for _ in range(self.options.w2s_queries)]
        related, unrelated = self.distractors(arch, self.n_distractors((0, 1), 2), {arch.name})
        tools = [self.tool(arch), weak, *(self.tool(a) for a in (*related, *unrelated))]
        ranking = [arch.name, weak.name, *(a.name for a in (*related, *unrelated))]
        metas = [{**self.meta(arch, [t]), "weak": weak.name, "weak_solves": solves} for _, _, t, solves in asks]
        if not self.options.description_styles:
            return [self.record("weak_to_strong", query, tools, [(arch.name, args)], ranking, meta)
                    for (query, args, _, _), meta in zip(asks, metas, strict=True)]
        # v2: the weak tool keeps its vague one-liner; the strong one is never made terse; a pair's queries
        # share one toolset
        order = list(tools)
        self.rng.shuffle(order)
        shown = []
        for tool in order:
            doc = tool.to_openai()
            if tool is not weak:
                doc["function"] = restyle_tool(doc["function"], self.rng, allow_terse=tool is not tools[0])
            shown.append(doc)
        if len(asks) == 1:
            (query, args, _, _), meta = asks[0], metas[0]
            return [self.record("weak_to_strong", query, shown, [(arch.name, args)], ranking, meta)]
        draw, mask_seed = self.mask_draw(), self.rng.randrange(2**31)  # one masking for the pair's queries
        return [self.masked(self.record("weak_to_strong", query, shown, [(arch.name, args)], ranking, meta,
                                        surface=False), draw, mask_seed)
                for (query, args, _, _), meta in zip(asks, metas, strict=True)]

    def weak_strong_query(self, arch: Archetype, dropped: list[str]) -> tuple[str, dict, int, bool]:
        """(query, strong-tool arguments, template, whether the weak tool could solve it): a coin decides which
        kind is wanted; the label is the strong tool either way (GenTool: the strongest that fully solves)."""
        want_weak = self.rng.random() < 0.5
        query, args, t = self.call(arch, include_optional=not want_weak)
        for _ in range(8):
            if want_weak != any(p in args for p in dropped):
                break
            query, args, t = self.call(arch, include_optional=not want_weak)
        return query, args, t, not any(p in args for p in dropped)

    def answer(self, tools: list[Tool]) -> str:
        return self.answer_names([t.name for t in tools])

    def answer_names(self, names: list[str]) -> str:
        return self.rng.choice(_NO_TOOL_ANSWERS).format(names=", ".join(names) if names else "none")


DEFAULT_KINDS = ("choice", "enum", "int", "number", "bool", "pool")  # sampler kinds whose values make defaults
_DEFAULT_PHRASES = ("Default is {v}.", "Defaults to {v}.", "Default: {v}.", "Default {v}.", "If omitted, {v}.")


def with_defaults(function: dict[str, Any], arch: Archetype, rng: random.Random) -> dict[str, Any]:
    """A copy of `function` whose optional parameters (most of them) carry a JSON Schema `default` drawn from
    the archetype's own sampler, told in the description half the time (BFCL-style docs do both)."""
    out = copy.deepcopy(function)
    params = out.get("parameters") or {}
    required = set(params.get("required", []))
    for name, spec in params.get("properties", {}).items():
        kind = arch.samplers.get(name, {}).get("kind")
        desc = str(spec.get("description", "")).rstrip()
        told = "default" in desc.lower()  # the catalog already states one in words
        if name in required or kind not in DEFAULT_KINDS or "default" in spec or told or rng.random() < 0.2:
            continue
        value = arch.sampler(name).sample(rng)
        if isinstance(value, float):  # a round number, as documented defaults are
            value = float(f"{value:.2g}")
        spec["default"] = value
        if rng.random() < 0.5:
            shown = f"'{value}'" if isinstance(value, str) else json.dumps(value)
            spec["description"] = (desc + " " if desc else "") + rng.choice(_DEFAULT_PHRASES).format(v=shown)
    return out


def _reserved_names() -> set[str]:
    """BFCL's function names, lower-cased, which made-up (weak-variant) names must avoid; empty when the BFCL
    wheel is not in the cache (synthesis never fetches it)."""
    try:
        from toolgym.data.decontam import cached_bfcl_function_names

        return {n.lower() for n in cached_bfcl_function_names()}
    except Exception:  # noqa: BLE001 - decontamination guard only; synthesis works without BFCL
        return set()


def _names(arch: Archetype, related: list[Archetype], unrelated: list[Archetype]) -> list[str]:
    return [arch.name, *(a.name for a in related), *(a.name for a in unrelated)]


def gold_error(record: dict[str, Any]) -> str | None:
    """Why the record's gold calls fail the rule checker against its toolset, or None when they pass."""
    tools = [Tool.from_openai(t) for t in record["tools"]]
    verdict = check_calls([ToolCall(g["name"], g["arguments"]) for g in record["gold"]], tools)
    if verdict.ok:
        return None
    err = verdict.errors[0]
    return f"{err.category}: {err.message}"


def iter_records(n: int, seed: int, mix: dict[str, float] | None = None, split: str = "train",
                 catalog: Sequence[Archetype] | None = None, stats: SynthStats | None = None,
                 exclude: set[str] | None = None, options: SynthOptions | None = None) -> Iterator[dict[str, Any]]:
    """`n` records of split `split` as JSON-ready dicts (ids `<split>-000000`…), deterministic in `seed`.

    A record whose gold fails the checker is dropped and counted in `stats`; queries in `exclude` (e.g. the
    training queries, for the seen/seen test set) are skipped.
    """
    catalog = list(catalog) if catalog is not None else load_catalog()
    specs = split_specs(catalog)
    if split not in specs:
        raise InputError(f"unknown split {split!r}; valid: {', '.join(SPLITS)}", field="split")
    spec = specs[split]
    if not spec.targets:
        return
    weights = DEV_MIX if split == "dev" else (mix or DEFAULT_MIX)
    types = [t for t in SAMPLE_TYPES if weights.get(t, 0) > 0]
    options = options or SynthOptions()
    rng = random.Random(f"toolgym-synth:{seed}:{split}" + ("" if options == SynthOptions.v1() else ":v2"))
    builder = _Builder(spec, catalog, rng, exclude, options)
    stats = stats if stats is not None else SynthStats()
    pool_cities = {str(c) for c in catalog[0].pools.get("cities", [])} if catalog else set()
    made, attempts = 0, 0
    while made < n and attempts < 20 * n + 100:
        attempts += 1
        stype = rng.choices(types, weights=[weights[t] for t in types])[0]
        if stype == "zero_to_one" and n - made < 2:
            continue
        group = getattr(builder, stype)()
        if not _accept(group, builder.exclude, stats):
            continue
        if options.state_cities > 0:
            group = _conventions(group, options, seed, split, pool_cities)
        for record in group[: n - made]:
            record["id"] = f"{split}-{made:06d}"
            if record["type"] == "zero_to_one_with":
                record["meta"]["pair"] = f"{split}-{made - 1:06d}"
            elif record["type"] == "zero_to_one_without":
                record["meta"]["pair"] = record["id"]
            stats.by_type[record["type"]] = stats.by_type.get(record["type"], 0) + 1
            made += 1
            yield record


def _conventions(group: list[dict], options: SynthOptions, seed: int, split: str,
                 pool_cities: set[str]) -> list[dict]:
    """`group` with the documented value conventions drawn for its records with gold (a generator of its own
    per question); a record without gold that asks the same question (a zero-to-one pair's first half) takes
    the rewritten question, others stay as they are (their cities' roles are unknown)."""
    out: list[dict] = []
    asked: dict[str, str] = {}
    for record in group:
        query = record["messages"][0]["content"]
        rng = random.Random(f"toolgym-conventions:{seed}:{split}:{query}")
        if record["gold"] and rng.random() < options.state_cities:
            record = with_state_cities(record, pool_cities, rng)
            asked[query] = record["messages"][0]["content"]
        out.append(record)
    return [_asking(record, asked) if not record["gold"] else record for record in out]


def _asking(record: dict[str, Any], asked: dict[str, str]) -> dict[str, Any]:
    query = record["messages"][0]["content"]
    if asked.get(query, query) == query:
        return record
    return {**record, "messages": [{**record["messages"][0], "content": asked[query]}, *record["messages"][1:]]}


def _accept(group: list[dict], exclude: set[str], stats: SynthStats) -> bool:
    for record in group:
        if _query_key(record) in exclude:
            return False
        error = gold_error(record) if record["gold"] else None
        if error:
            stats.dropped += 1
            if len(stats.reasons) < 20:
                stats.reasons.append(f"{record['meta']['archetype']}: {error}")
            return False
    return True


def _query_key(record: dict[str, Any]) -> str:
    return hashlib.sha1(record["messages"][0]["content"].encode()).hexdigest()


def synthesize(n: int, seed: int, mix: dict[str, float] | None = None, split: str = "train",
               catalog: Sequence[Archetype] | None = None, options: SynthOptions | None = None) -> Iterator[Sample]:
    """`n` samples of `split` as `core.schema.Sample`s (see `iter_records`)."""
    for record in iter_records(n, seed, mix, split, catalog, options=options):
        yield Sample.from_record(record)


# ---------------------------------------------------------------- writing a dataset folder


def default_test_cases(n: int) -> int:
    """Cases per generalization test set for a training set of `n` (at least MIN_TEST_CASES)."""
    return max(MIN_TEST_CASES, n // 25)


def write_dataset(out_dir: str | Path, n: int, seed: int, mix: dict[str, float] | None = None,
                  n_test: int | None = None, catalog: Sequence[Archetype] | None = None,
                  progress: Any = None, options: SynthOptions | None = None) -> dict[str, Any]:
    """Write train.jsonl, the four test_*.jsonl and manifest.json into `out_dir`; return the manifest.

    Resumable: a rerun with the same settings keeps the whole lines already written and appends the rest
    of the same deterministic stream (no loss, no duplicates); a finished folder is left as it is.
    `progress(split, done, total)` is called as records are produced.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    catalog = list(catalog) if catalog is not None else load_catalog()
    mix = dict(mix or DEFAULT_MIX)
    n_eval = n_test if n_test is not None else default_test_cases(n)
    sizes = {"train": n, **{s: n_eval for s in TEST_SPLITS}, "dev": n_eval}
    options = options or SynthOptions()
    config = {"n": n, "seed": seed, "mix": {k: mix[k] for k in sorted(mix)}, "sizes": sizes,
              "catalog_size": len(catalog), "options": options.to_dict()}
    _check_resume(out, config)
    (out / "config.json").write_text(dumps_record(config) + "\n", encoding="utf-8")
    seen_queries: set[str] = set()
    files: dict[str, Any] = {}
    for split in SPLITS:
        stats = SynthStats()
        exclude = seen_queries if split in ("test_seen_tool_seen_query", "dev") else None
        path = out / f"{split}.jsonl"
        with JsonlAppender(path) as sink:
            records = iter_records(sizes[split], seed, mix, split, catalog, stats, exclude, options)
            for i, record in enumerate(records):
                if split == "train":
                    seen_queries.add(_query_key(record))
                if i >= sink.skip:
                    sink.write(record)
                if progress is not None:
                    progress(split, i + 1, sizes[split])
        files[split] = {"records": sink.skip + sink.written, "by_type": dict(sorted(stats.by_type.items())),
                        "dropped": stats.dropped, "sha256": _sha256(path)}
    manifest = {"config": config, "files": files, "held_out": _held_out_summary(catalog)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def _check_resume(out: Path, config: dict[str, Any]) -> None:
    previous = out / "config.json"
    if not previous.exists():
        return
    try:
        old = json.loads(previous.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        raise InputError("not valid JSON; delete the folder or pick another --out", file=str(previous)) from None
    if old != config:
        diff = sorted(k for k in set(old) | set(config) if old.get(k) != config.get(k))
        raise InputError(f"folder holds a dataset made with other settings ({', '.join(diff)}); "
                         "pick another --out", file=str(previous), field=diff[0] if diff else None)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _held_out_summary(catalog: Sequence[Archetype]) -> dict[str, Any]:
    specs = split_specs(catalog)
    return {name: {"targets": len(spec.targets), "domains": len({a.domain for a in spec.targets})}
            for name, spec in specs.items()}
