"""Comparing tool calls: canonical forms for voting, and BFCL's AST matching against allowed answers.

`canonical_calls` / `calls_equal` give an order-free, hashable form of a call list (self-consistency voting,
exact-gold scoring). `match_bfcl` reproduces the semantics of the official BFCL AST checker
(`bfcl_eval/eval_checker/ast_eval/ast_checker.py`, bfcl-eval 2026.3.23): same type rules, string
normalisation, optional parameters, greedy order-free parallel matching and error types. In the Java and
JavaScript categories every argument must be a source string, read first as BFCL's type converters read it
(`core.javajs`) and then checked like a Python value.
It was written from reading that checker (no library offers it without the bfcl-eval dependency tree);
where the official code would crash on malformed input, this one returns a failed `MatchResult` instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from toolgym.core.checker import ErrorCategory
from toolgym.core.javajs import JAVA_TYPES, JS_TYPES, LIST_TYPES, UnsupportedType, read_source

# ---------------------------------------------------------------------------------------------
# Call lists in any of the shapes toolgym meets
# ---------------------------------------------------------------------------------------------

Pair = tuple[str, dict[str, Any]]


def as_pairs(calls: Iterable[Any]) -> list[Pair]:
    """(name, arguments) pairs from ToolCall objects, OpenAI-ish dicts or BFCL decoded `{name: args}` dicts."""
    pairs: list[Pair] = []
    for call in calls:
        if hasattr(call, "name") and hasattr(call, "arguments"):
            pairs.append((call.name, dict(call.arguments or {})))
        elif isinstance(call, Mapping) and "name" in call and set(call) <= {"name", "arguments", "id", "type"}:
            pairs.append((call["name"], dict(call.get("arguments") or {})))
        elif isinstance(call, Mapping) and "function" in call and isinstance(call["function"], Mapping):
            pairs.extend(as_pairs([call["function"]]))
        elif isinstance(call, Mapping) and len(call) == 1 and isinstance(next(iter(call.values())), Mapping):
            name, args = next(iter(call.items()))
            pairs.append((name, dict(args)))
        else:
            raise TypeError(f"not a tool call: {call!r}")
    return pairs


def to_bfcl_decoded(calls: Iterable[Any]) -> list[dict[str, dict[str, Any]]]:
    """BFCL's decoded format: `[{"func": {"arg": value}}, …]`."""
    return [{name: args} for name, args in as_pairs(calls)]


# ---------------------------------------------------------------------------------------------
# Canonical forms (voting, exact-gold scoring)
# ---------------------------------------------------------------------------------------------

_BFCL_STRIP = re.compile(r"[ \,\.\/\-\_\*\^]")


def standardize_string(text: str) -> str:
    """BFCL's string normalisation: drop spaces and `,./-_*^`, lower-case, single quotes to double."""
    return _BFCL_STRIP.sub("", text).lower().replace("'", '"')


def canonical_value(value: Any, *, loose_strings: bool = False) -> Any:
    """A hashable, type-tagged form of a JSON value: 5 == 5.0, but True != 1 and "1" != 1."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", int(value) if isinstance(value, float) and value.is_integer() else value)
    if isinstance(value, str):
        return ("s", standardize_string(value) if loose_strings else value.strip())
    if value is None:
        return ("null",)
    if isinstance(value, Mapping):
        return ("d", tuple(sorted((str(k), canonical_value(v, loose_strings=loose_strings))
                                  for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("l", tuple(canonical_value(v, loose_strings=loose_strings) for v in value))
    return ("r", repr(value))


def canonical_calls(calls: Iterable[Any], *, loose_strings: bool = False) -> tuple:
    """Hashable canonical form of a call list; the order of (parallel) calls does not matter."""
    items = [(name, canonical_value(args, loose_strings=loose_strings)) for name, args in as_pairs(calls)]
    return tuple(sorted(items, key=repr))


def calls_equal(a: Iterable[Any], b: Iterable[Any], *, loose_strings: bool = False) -> bool:
    """Same calls, in any order, with equal normalised values."""
    return canonical_calls(a, loose_strings=loose_strings) == canonical_calls(b, loose_strings=loose_strings)


# ---------------------------------------------------------------------------------------------
# BFCL AST matching
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MatchResult:
    """One verdict: `error_type` uses BFCL's names, `category` is the toolgym ErrorCategory (None if ok)."""

    ok: bool
    error_type: str | None = None
    category: ErrorCategory | None = None
    detail: str = ""
    param: str | None = None  # the top-level parameter the first error is about, where there is one


_OK = MatchResult(True)

# BFCL's Python type mapping (`any` is checked as a string, as in the official checker).
_PY_TYPES: dict[str, type] = {
    "string": str, "integer": int, "float": float, "boolean": bool,
    "array": list, "tuple": list, "dict": dict, "any": str,
    # JSON-Schema spellings, for tools that did not come from BFCL:
    "number": float, "object": dict,
}
_NESTED = ("array", "tuple")
# language -> (BFCL type name -> Python type of the value, types whose `items` type is checked too)
_LANGUAGES: dict[str, tuple[dict[str, type], tuple[str, ...]]] = {
    "python": (_PY_TYPES, _NESTED), "java": (JAVA_TYPES, LIST_TYPES), "javascript": (JS_TYPES, LIST_TYPES),
}


def bfcl_language(category: str | None) -> str:
    """The language BFCL checks a category in, told apart by name as BFCL does: javascript, java or python."""
    if category and "javascript" in category:
        return "javascript"
    return "java" if category and "java" in category else "python"


class _Malformed(Exception):
    """The function doc or possible answer has a shape the official checker would crash on."""


def _fail(error_type: str, detail: str, category: ErrorCategory = ErrorCategory.others, *,
          param: str | None = None) -> MatchResult:
    return MatchResult(False, error_type, category, detail, param)


def _answer_type(allowed: Any) -> type | None:
    for answer in allowed:
        if answer != "":  # "" marks an optional parameter
            return type(answer)
    return None


@dataclass
class _TypeCheck:
    ok: bool
    is_variable: bool = False
    error_type: str = "type_error:simple"


def _type_check(value: Any, allowed: Any, expected: type, nested: type | None) -> _TypeCheck:
    """BFCL's type_checker: exact Python types; a value typed like the allowed answers counts as a 'variable'."""
    answer_type = _answer_type(allowed)
    is_variable = answer_type is not None and answer_type != expected
    nested_failed = False
    if type(value) is expected:
        if nested is None:
            return _TypeCheck(True, is_variable)
        for answer_item in allowed:
            items_ok = True  # a non-list allowed item (e.g. the optional "") passes without checking
            if type(answer_item) is list:
                items_ok = all(_type_check(item, answer_item, nested, None).ok for item in value)
            if items_ok:
                return _TypeCheck(True, is_variable)
        nested_failed = True
    if answer_type is not None and type(value) is answer_type:
        return _TypeCheck(not nested_failed, True, "type_error:nested" if nested_failed else "type_error:simple")
    return _TypeCheck(False, False, "type_error:simple")


def _std_list(items: Any) -> list:
    if isinstance(items, dict):
        raise _Malformed("dict where a list of allowed values was expected")
    return [standardize_string(x) if type(x) is str else x for x in items]


def _check_string(param: str, value: str, allowed: Sequence[Any]) -> MatchResult:
    if standardize_string(value) not in [standardize_string(a) for a in allowed if type(a) is str]:
        return _fail("value_error:string", f"invalid value for {param!r}: {value!r}, expected one of {allowed}")
    return _OK


def _check_list(param: str, value: list, allowed: Sequence[Any]) -> MatchResult:
    if _std_list(value) not in [_std_list(a) for a in allowed]:
        return _fail("value_error:list/tuple", f"invalid value for {param!r}: {value!r}, expected one of {allowed}")
    return _OK


def _check_dict(param: str, value: Any, allowed: Sequence[Any]) -> MatchResult:
    """Each allowed dict maps key -> allowed values; keys whose values contain "" are optional."""
    if not isinstance(value, dict):
        raise _Malformed(f"{param!r}: a dict was expected")
    result = _fail("dict_checker:unclear", f"no allowed dict matches {param!r}")
    for answer in allowed:
        if answer == "":
            continue
        result = _fail("dict_checker:unclear", f"no allowed dict matches {param!r}")
        flag = True
        for key, item in value.items():
            if key not in answer:
                result, flag = _fail("value_error:dict_key", f"unexpected dict key {key!r} in {param!r}"), False
                break
            if _std(item) not in _std_list(answer[key]):
                result, flag = _fail("value_error:dict_value", f"invalid value for {key!r}: {item!r}"), False
                break
        for key, options in answer.items():  # runs even after a failure above, as in BFCL
            if key not in value and "" not in options:
                result, flag = _fail("value_error:dict_key", f"missing dict key {key!r} in {param!r}"), False
                break
        if flag:
            return _OK
    return result


def _std(value: Any) -> Any:
    return standardize_string(value) if type(value) is str else value


def _check_list_of_dicts(param: str, value: list, allowed: Sequence[Any]) -> MatchResult:
    """Lists of dicts are compared element by element, in order."""
    result = _fail("list_dict_checker:unclear", f"no allowed list matches {param!r}")
    for answer in allowed:
        if len(value) != len(answer):
            result = _fail("value_error:list_dict_count", f"wrong number of dicts in {param!r}")
            continue
        flag = True
        for index, item in enumerate(value):
            result = _check_dict(param, item, [answer[index]])
            if not result.ok:
                flag = False
                break
        if flag:
            return _OK
    return result


def _item_type(param: str, spec: Mapping[str, Any], types: Mapping[str, type]) -> tuple[str, type]:
    item_type = (spec.get("items") or {}).get("type")
    if not isinstance(item_type, str) or item_type not in types:
        raise _Malformed(f"parameter {param!r} has no usable items type")
    return item_type, types[item_type]


def _read_source(param: str, value: Any, spec: Mapping[str, Any], language: str) -> tuple[Any, type | None]:
    """A Java/JavaScript argument read from its source string, and the type its elements must have."""
    types, listed = _LANGUAGES[language]
    item_type, nested = _item_type(param, spec, types) if spec["type"] in listed else (None, None)
    try:
        return read_source(value, language, spec["type"], item_type), nested
    except UnsupportedType as exc:
        raise _Malformed(str(exc)) from None


def _check_param(param: str, value: Any, spec: Mapping[str, Any], allowed: Any,
                 language: str = "python") -> MatchResult:
    """Type and value of one argument, exactly in the order BFCL checks them."""
    types, listed = _LANGUAGES[language]
    type_name = spec.get("type")
    expected = types.get(type_name) if isinstance(type_name, str) else None
    if expected is None:
        raise _Malformed(f"parameter {param!r} has unsupported type {type_name!r}")
    if language != "python":
        if type(value) is not str:
            return _fail("type_error:js" if language == "javascript" else "type_error:java",
                         f"wrong type for {param!r}: expected {language} source in a string, got "
                         f"{type(value).__name__} ({value!r})", ErrorCategory.wrong_type)
        value, nested = _read_source(param, value, spec, language)
    else:
        nested = _item_type(param, spec, types)[1] if type_name in listed else None
        if type_name == "tuple" and type(value) is tuple:
            value = list(value)
        if type_name == "float" and type(value) is int:  # Python's int -> float promotion
            value = float(value)
    typed = _type_check(value, allowed, expected, nested)
    if not typed.ok:
        return _fail(typed.error_type, f"wrong type for {param!r}: expected {type_name}, got "
                     f"{type(value).__name__} ({value!r})", ErrorCategory.wrong_type)
    if not typed.is_variable:
        if expected is dict:
            return _check_dict(param, value, allowed)
        if expected is list and nested is dict:
            return _check_list_of_dicts(param, value, allowed)
        if expected is str:
            return _check_string(param, value, allowed)
        if expected is list:
            return _check_list(param, value, allowed)
    if value not in allowed:
        return _fail("value_error:others", f"invalid value for {param!r}: {value!r}, expected one of {allowed}")
    return _OK


def _with_enum_category(result: MatchResult, spec: Mapping[str, Any], value: Any) -> MatchResult:
    """A value error on a parameter with an `enum` whose value is outside it is an enum violation."""
    enum = spec.get("enum")
    if result.error_type and result.error_type.startswith("value_error") and isinstance(enum, list) \
            and value not in enum:
        return MatchResult(False, result.error_type, ErrorCategory.enum_violation, result.detail)
    return result


def _dotted(name: str, underscore_to_dot: bool) -> str:
    return name.replace(".", "_") if underscore_to_dot and "." in name else name


def _check_one(doc: Mapping[str, Any] | None, call: Pair, answer: Mapping[str, Any], known: set[str],
               underscore_to_dot: bool, language: str = "python") -> MatchResult:
    """BFCL's simple_function_checker: one call against one function doc and its allowed arguments."""
    if not isinstance(doc, Mapping):
        raise _Malformed("the expected function is not in the function docs")
    allowed_params = next(iter(answer.values()))
    name = _dotted(doc["name"], underscore_to_dot)
    props = doc["parameters"]["properties"]
    required = doc["parameters"].get("required", [])
    called, args = call
    if called != name:
        return _fail("simple_function_checker:wrong_func_name", f"expected {name!r}, got {called!r}",
                     ErrorCategory.others if called in known else ErrorCategory.tool_hallucination)
    for param in required:
        if param not in args:
            return _fail("simple_function_checker:missing_required", f"missing required parameter {param!r}",
                         ErrorCategory.parameter_missing, param=param)
    for param, value in args.items():
        if param not in props or param not in allowed_params:
            hallucinated = param not in props
            return _fail("simple_function_checker:unexpected_param", f"unexpected parameter {param!r}",
                         ErrorCategory.parameter_hallucination if hallucinated else ErrorCategory.others,
                         param=param)
        result = _check_param(param, value, props[param], allowed_params[param], language)
        if not result.ok:
            return replace(_with_enum_category(result, props[param], value), param=param)
    for param, options in allowed_params.items():
        if param not in args and "" not in options:
            return _fail("simple_function_checker:missing_optional", f"parameter {param!r} not provided and "
                         "not optional", ErrorCategory.parameter_missing, param=param)
    return _OK


def _find_doc(docs: Sequence[Mapping[str, Any]], name: str) -> Mapping[str, Any] | None:
    return next((doc for doc in docs if doc.get("name") == name), None)


def _parallel(docs: Sequence[Mapping[str, Any]], calls: list[Pair], answers: list[Mapping[str, Any]],
              known: set[str], underscore_to_dot: bool, language: str) -> MatchResult:
    """Order-free: each answer in turn takes the first unmatched call that passes (greedy, like BFCL)."""
    if len(calls) != len(answers):
        return _fail("parallel_function_checker_no_order:wrong_count",
                     f"expected {len(answers)} calls, got {len(calls)}")
    matched: set[int] = set()
    for index, answer in enumerate(answers):
        doc = _find_doc(docs, next(iter(answer)))
        last = _OK
        for call_index, call in enumerate(calls):
            if call_index in matched:
                continue
            last = _check_one(doc, call, answer, known, underscore_to_dot, language)
            if last.ok:
                matched.add(call_index)
                break
        if not last.ok:
            return MatchResult(False, "parallel_function_checker_no_order:cannot_find_match", last.category,
                               f"no call matches answer {index}: {last.detail}", last.param)
    return _OK


def _route(category: str | None, n_answers: int) -> str:
    if category is None:
        return "parallel" if n_answers > 1 else "simple"
    return "parallel" if "parallel" in category else "multiple" if "multiple" in category else "simple"


def _bfcl_docs(tools: Iterable[Any]) -> list[Mapping[str, Any]]:
    """BFCL function docs from BFCL dicts, OpenAI tool dicts or objects with `to_bfcl()`."""
    docs = []
    for tool in tools:
        if hasattr(tool, "to_bfcl"):
            tool = tool.to_bfcl()
        elif isinstance(tool, Mapping) and tool.get("type") == "function" and "function" in tool:
            tool = tool["function"]
        docs.append(tool)
    return docs


def match_bfcl(calls: Iterable[Any], possible_answer: Sequence[Mapping[str, Any]], tools: Iterable[Any], *,
               category: str | None = None, underscore_to_dot: bool = False,
               language: str | None = None) -> MatchResult:
    """Match decoded calls against a BFCL ground truth `[{"func": {"param": [allowed, …]}}, …]`.

    `category` routes like BFCL ("parallel…" order-free, "…multiple…" picks the doc by the expected name,
    otherwise simple); without it, more than one answer means parallel. `underscore_to_dot` mirrors BFCL's
    per-model flag: dotted names in the docs are expected with `_` instead of `.`. `language` ("python",
    "java", "javascript") defaults to the category's (`bfcl_language`); the tools are the original BFCL docs,
    with Java/JavaScript type names.
    """
    language = language or bfcl_language(category)
    if language not in _LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {', '.join(_LANGUAGES)}")
    docs = _bfcl_docs(tools)
    try:
        pairs = as_pairs(calls)
    except TypeError as exc:
        return _fail("ast_decoder:decoder_wrong_output_format", str(exc), ErrorCategory.unparsable)
    answers = list(possible_answer)
    route = _route(category, len(answers))
    known = {_dotted(doc["name"], underscore_to_dot) for doc in docs if isinstance(doc, Mapping) and "name" in doc}
    try:
        if route == "parallel":
            return _parallel(docs, pairs, answers, known, underscore_to_dot, language)
        expected_count = len(answers) if route == "multiple" else 1
        if len(pairs) != expected_count:
            kind = "multiple_function_checker" if route == "multiple" else "simple_function_checker"
            return _fail(f"{kind}:wrong_count", f"expected {expected_count} call(s), got {len(pairs)}")
        doc = _find_doc(docs, next(iter(answers[0]))) if route == "multiple" else (docs[0] if docs else None)
        return _check_one(doc, pairs[0], answers[0], known, underscore_to_dot, language)
    except (_Malformed, KeyError, TypeError, AttributeError, IndexError, StopIteration) as exc:
        return _fail("checker_error:malformed", f"malformed function doc or answer: {exc}")


def match_relevance(calls: Sequence[Any], *, irrelevance: bool) -> MatchResult:
    """Irrelevance passes only with no call; relevance only with at least one."""
    if irrelevance and calls:
        return _fail("irrelevance_error:decoder_success", f"expected no call, got {len(calls)}")
    if not irrelevance and not calls:
        return _fail("relevance_error:decoder_failed", "expected at least one call, got none")
    return _OK
