"""BFCL (Berkeley Function Calling Leaderboard) v4 single-turn categories: data, scoring, reference answers.

The data comes from the pinned `bfcl-eval` wheel (`bfcl_eval/data/BFCL_v4_<category>.json` and
`possible_answer/`), fetched with `pip download --no-deps` and verified by sha256; none of its code is
imported. Scoring is `core.match.match_bfcl`, which mirrors the official AST checker (see
tests/eval/test_parity.py for the measured agreement).

simple_java and simple_javascript document Java/JavaScript types (`String`, `long`, `HashMap`, `array`, ...) and
take every argument as a source string. The model sees them as BFCL shows them (`language_docs`: a note on the
language, each parameter typed `string` with its real type in its description); the scorer reads the
original docs. toolgym's `non_live_ast` stays the mean of the four Python categories (eval/metrics.py).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from toolgym.core.assets import WheelAsset, fetch_wheel
from toolgym.core.errors import InputError
from toolgym.core.javajs import write_source
from toolgym.core.match import bfcl_language, match_bfcl, match_relevance
from toolgym.core.schema import Tool, ToolCall, ToolSchemaError
from toolgym.eval.cases import EvalCase, Score

BFCL_ASSET = WheelAsset("bfcl-eval", "2026.3.23", "3bb6dfa5f0c68ad403c9ec50b00db2bb3b4cc9b38ab1ff33f48fe30d853d3a0a")

NON_LIVE_AST = ("simple_python", "multiple", "parallel", "parallel_multiple")
NON_PYTHON = ("simple_java", "simple_javascript")  # BFCL's non-live "simple" averages them with simple_python
LIVE_AST = ("live_simple", "live_multiple", "live_parallel", "live_parallel_multiple")
AST_CATEGORIES = (*NON_LIVE_AST, *NON_PYTHON, *LIVE_AST)
IRRELEVANCE = ("irrelevance", "live_irrelevance")
RELEVANCE = ("live_relevance",)
CATEGORIES = (NON_LIVE_AST[0], *NON_PYTHON, *NON_LIVE_AST[1:], "irrelevance", *LIVE_AST, "live_irrelevance",
              "live_relevance")  # BFCL's order
GROUPS = {"all": CATEGORIES, "non_live": (*NON_LIVE_AST, "irrelevance"), "live": (*LIVE_AST, "live_irrelevance",
          "live_relevance"), "ast": AST_CATEGORIES, "non_python": NON_PYTHON}


def bfcl_data_dir() -> Path:
    """`bfcl_eval/data` inside the verified, unpacked wheel (downloaded on first use)."""
    return fetch_wheel(BFCL_ASSET) / "bfcl_eval" / "data"


def expand_categories(names: list[str] | tuple[str, ...] | str) -> list[str]:
    """Category names and groups (`all`, `non_live`, `live`, `ast`, `non_python`), comma lists allowed, in
    canonical order. `non_live` is toolgym's Python-only set; `ast` and `all` hold Java and JavaScript too."""
    items = [names] if isinstance(names, str) else list(names)
    wanted: set[str] = set()
    for item in items:
        for name in (part.strip() for part in item.split(",")):
            if not name:
                continue
            if name in GROUPS:
                wanted.update(GROUPS[name])
            elif name in CATEGORIES:
                wanted.add(name)
            else:
                raise InputError(f"unknown BFCL category {name!r}; valid: {', '.join((*GROUPS, *CATEGORIES))}",
                                 field="categories")
    return [c for c in CATEGORIES if c in wanted]


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield line_no, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"invalid JSON: {exc.msg}", file=str(path), record=line_no) from None


def load_answers(category: str) -> dict[str, list[dict[str, Any]]]:
    """id -> BFCL ground truth `[{"func": {"param": [allowed, …]}}, …]` (AST categories only)."""
    path = bfcl_data_dir() / "possible_answer" / f"BFCL_v4_{category}.json"
    return {row["id"]: row["ground_truth"] for _, row in _read_jsonl(path)}


@functools.cache
def category_size(category: str) -> int:
    """How many cases BFCL's data holds for `category` (to tell a complete run from a `--limit` subset)."""
    return sum(1 for _ in _read_jsonl(bfcl_data_dir() / f"BFCL_v4_{category}.json"))


def load_bfcl_cases(category: str, limit: int | None = None) -> list[EvalCase]:
    """The first `limit` cases of a BFCL category, with their tools converted to toolgym `Tool`s."""
    if category not in CATEGORIES:
        raise InputError(f"unknown BFCL category {category!r}; valid: {', '.join(CATEGORIES)}", field="category")
    path = bfcl_data_dir() / f"BFCL_v4_{category}.json"
    answers = load_answers(category) if category in AST_CATEGORIES else {}
    cases: list[EvalCase] = []
    for line_no, row in _read_jsonl(path):
        if limit is not None and len(cases) >= limit:
            break
        cases.append(_case(category, row, answers, path, line_no))
    return cases


def _case(category: str, row: dict[str, Any], answers: dict[str, Any], path: Path, line_no: int) -> EvalCase:
    case_id = row.get("id")
    try:
        turns = row["question"]
        tools = bfcl_tools(row["function"], category)
    except (KeyError, TypeError) as exc:
        raise InputError(f"malformed BFCL record: {exc}", file=str(path), record=case_id or line_no) from None
    except ToolSchemaError as exc:
        raise InputError(str(exc), file=str(path), record=case_id, field="function") from None
    messages = [dict(m) for m in turns[0]] if turns else []
    if category in IRRELEVANCE or category in RELEVANCE:
        return EvalCase(case_id, category, messages, tools, None, score_relevance, {"functions": row["function"]})
    if case_id not in answers:
        raise InputError("no possible answer for this id", file=str(path), record=case_id)
    return EvalCase(case_id, category, messages, tools, answers[case_id], score_ast, {"functions": row["function"]})


# ------------------------------------------------------------------------------------------- prompts
_HINTS = {"java": " Note that the provided function is in Java 8 SDK syntax.",
          "javascript": " Note that the provided function is in JavaScript syntax."}
_LANGUAGE_NAMES = {"java": "Java", "javascript": "JavaScript"}


def _language_param(spec: dict[str, Any], language: str) -> dict[str, Any]:
    """One parameter as BFCL shows it: typed `string`, its own type (and item or entry schema) told in words."""
    spec = dict(spec)
    kind, name = spec.get("type"), _LANGUAGE_NAMES[language]
    note = (f" This parameter can be of any type of {name} object in string representation." if kind == "any"
            else f" This is {name} {kind} type parameter in string representation.")
    if kind in (("ArrayList", "Array") if language == "java" else ("array",)):
        note += f" The list elements are of type {spec.pop('items')['type']}; they are not in string representation."
    if language == "javascript" and kind == "dict" and "properties" in spec:
        note += (" The dictionary entries have the following schema; they are not in string representation. "
                 + json.dumps(spec.pop("properties")))
    return {**spec, "description": spec.get("description", "") + note, "type": "string"}


def language_docs(functions: list[dict[str, Any]], category: str) -> list[dict[str, Any]]:
    """The function docs of a Java/JavaScript category as BFCL's prompts show them (its
    `_func_doc_language_specific_pre_processing`); Python categories' docs are returned unchanged."""
    language = bfcl_language(category)
    if language == "python":
        return functions
    docs = []
    for doc in copy.deepcopy(functions):
        params = doc["parameters"]
        params["properties"] = {k: _language_param(v, language) for k, v in params["properties"].items()}
        docs.append({**doc, "description": doc["description"] + _HINTS[language]})
    return docs


def bfcl_tools(functions: list[dict[str, Any]], category: str) -> list[Tool]:
    """The tools a model is shown for a case of `category` (from its original BFCL docs)."""
    return [Tool.from_bfcl(doc) for doc in language_docs(functions, category)]


# ------------------------------------------------------------------------------------------- scoring
def score_relevance(case: EvalCase, calls: list[ToolCall]) -> Score:
    """irrelevance: right iff no call; live_relevance: right iff at least one call (any call)."""
    result = match_relevance(calls, irrelevance="irrelevance" in case.category)
    return Score(result.ok, result.error_type, result.category, result.ok, result.ok, result.ok, result.detail)


def score_ast(case: EvalCase, calls: list[ToolCall]) -> Score:
    """BFCL AST verdict (CF) plus TS (right tools) and PI (right tools with right parameter names)."""
    result = match_bfcl(calls, case.answer, case.meta["functions"], category=case.category)
    ts = sorted(c.name for c in calls) == sorted(next(iter(a)) for a in case.answer)
    pi = ts and _parameter_names_match(calls, case.answer)
    return Score(result.ok, result.error_type, result.category, ts, pi, result.ok, result.detail, result.param)


def _parameter_names_match(calls: list[ToolCall], answer: list[dict[str, Any]]) -> bool:
    """Each answer finds its own call with the same name whose argument names are allowed and complete."""
    free = list(calls)
    for expected in answer:
        name, params = next(iter(expected.items()))
        needed = {p for p, allowed in params.items() if "" not in allowed}
        match = next((c for c in free if c.name == name and needed <= set(c.arguments) <= set(params)), None)
        if match is None:
            return False
        free.remove(match)
    return True


# ------------------------------------------------------------------------------------------- reference
_MISSING = object()
# A required parameter whose only allowed value is "" (optional) can still pass BFCL's checker with an
# empty value of its type: "" normalises to "" for strings, [] equals the empty allowed list for arrays.
_EMPTY_OF_TYPE: dict[str, Any] = {"string": "", "any": "", "array": [], "tuple": []}


_DICT_TYPES = ("dict", "HashMap")  # Python/JavaScript and Java names
_LIST_TYPES = ("array", "Array", "ArrayList")


def _first_allowed(allowed: Any) -> Any:
    return next((a for a in allowed if a != ""), _MISSING) if isinstance(allowed, list) else allowed


def _realize(value: Any, spec: dict[str, Any]) -> Any:
    """An allowed answer as a concrete value: dicts (and lists of dicts) hold allowed-value lists inside."""
    kind = spec.get("type")
    if kind in _DICT_TYPES and isinstance(value, dict):
        return {k: _first_allowed(v) for k, v in value.items() if _first_allowed(v) is not _MISSING}
    if kind in _LIST_TYPES and (spec.get("items") or {}).get("type") == "dict" and isinstance(value, list):
        return [_realize(item, {"type": "dict"}) if isinstance(item, dict) else item for item in value]
    return value


def _as_source(value: Any, spec: dict[str, Any], language: str) -> Any:
    """A Java/JavaScript argument as the source string a model writes; Python values stay as they are."""
    if language == "python":
        return value
    return write_source(value, language, spec.get("type"), (spec.get("items") or {}).get("type"))


def _reference_call(expected: dict[str, Any], functions: list[dict[str, Any]], optional: bool,
                    language: str = "python") -> ToolCall:
    name, params = next(iter(expected.items()))
    doc = next((f for f in functions if f.get("name") == name), {})
    props = doc.get("parameters", {}).get("properties", {})
    required = doc.get("parameters", {}).get("required", [])
    args = {}
    for param, allowed in params.items():
        value = _first_allowed(allowed)
        if param not in props:
            continue
        if value is _MISSING:
            if param in required and props[param].get("type") in _EMPTY_OF_TYPE:
                args[param] = _as_source(copy.copy(_EMPTY_OF_TYPE[props[param]["type"]]), props[param], language)
            continue
        if optional and "" in allowed and param not in required:
            continue
        args[param] = _as_source(_realize(value, props[param]), props[param], language)
    return ToolCall(name, args)


def reference_calls(case: EvalCase) -> list[ToolCall]:
    """Calls built from the possible answer (first allowed values, optional parameters kept when they
    pass, dropped otherwise); `[]` for irrelevance, the first tool with its required parameters for relevance."""
    if case.category in IRRELEVANCE:
        return []
    if case.category in RELEVANCE:
        tool = case.tools[0]
        return [ToolCall(tool.name, {p: "x" for p in tool.required})]
    functions, language = case.meta["functions"], bfcl_language(case.category)
    full = [_reference_call(a, functions, optional=False, language=language) for a in case.answer]
    if case.score(full).ok:
        return full
    return [_reference_call(a, functions, optional=True, language=language) for a in case.answer]
