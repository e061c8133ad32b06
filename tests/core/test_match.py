"""core.match: canonical call equality and BFCL AST semantics (hand-written cases; parity with the
official checker on 11k perturbed outputs is in tests/eval/test_parity.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from toolgym.core.checker import ErrorCategory
from toolgym.core.match import (
    as_pairs,
    calls_equal,
    canonical_calls,
    match_bfcl,
    match_relevance,
    standardize_string,
    to_bfcl_decoded,
)
from toolgym.core.schema import Tool, ToolCall

AREA = {"name": "geometry.area", "description": "Area.", "parameters": {"type": "dict", "properties": {
    "base": {"type": "integer", "description": "b"},
    "height": {"type": "float", "description": "h"},
    "unit": {"type": "string", "description": "u", "enum": ["cm", "m"]},
    "tags": {"type": "array", "items": {"type": "string"}, "description": "t"},
    "opts": {"type": "dict", "description": "o", "properties": {}},
}, "required": ["base", "height"]}}
ANSWER = [{"geometry.area": {"base": [10], "height": [5.0], "unit": ["cm", ""], "tags": [["New York", "b"], ""],
                             "opts": [{"mode": ["fast"], "depth": [2, ""]}, ""]}}]


def check(args: dict, name: str = "geometry.area", **kw):
    return match_bfcl([{name: args}], ANSWER, [AREA], **kw)


def test_exact_and_defaults_pass() -> None:
    assert check({"base": 10, "height": 5.0}).ok
    assert check({"base": 10, "height": 5.0, "unit": "cm", "tags": ["new york", "B"], "opts": {"mode": "FAST"}}).ok


def test_int_accepted_for_float_but_not_float_for_int() -> None:
    assert check({"base": 10, "height": 5}).ok
    result = check({"base": 10.0, "height": 5.0})
    assert not result.ok and result.error_type == "type_error:simple" and result.category == ErrorCategory.wrong_type


def test_bool_is_not_an_integer_and_string_numbers_are_type_errors() -> None:
    assert check({"base": True, "height": 5.0}).error_type == "type_error:simple"
    assert check({"base": "10", "height": 5.0}).error_type == "type_error:simple"


def test_string_normalisation() -> None:
    assert standardize_string("New-York, N.Y. ^*_/") == "newyorkny"
    assert check({"base": 10, "height": 5.0, "unit": " C.M "}).ok
    result = check({"base": 10, "height": 5.0, "unit": "mm"})
    assert result.error_type == "value_error:string" and result.category == ErrorCategory.enum_violation


def test_missing_unexpected_and_missing_optional() -> None:
    missing = check({"base": 10})
    assert missing.error_type == "simple_function_checker:missing_required"
    assert missing.category == ErrorCategory.parameter_missing
    extra = check({"base": 10, "height": 5.0, "color": "red"})
    assert extra.error_type == "simple_function_checker:unexpected_param"
    assert extra.category == ErrorCategory.parameter_hallucination
    answer = [{"f": {"a": [1], "b": [2]}}]
    doc = {"name": "f", "parameters": {"type": "dict", "properties": {"a": {"type": "integer"},
                                                                   "b": {"type": "integer"}}, "required": ["a"]}}
    assert match_bfcl([{"f": {"a": 1}}], answer, [doc]).error_type == "simple_function_checker:missing_optional"


def test_the_first_error_names_its_parameter() -> None:
    assert check({"base": 10}).param == "height"
    assert check({"base": 10, "height": 5.0, "color": "red"}).param == "color"
    assert check({"base": 10, "height": 5.0, "unit": "km"}).param == "unit"  # enum value error
    assert check({"base": 10, "height": 5.0, "opts": {"mode": "slow"}}).param == "opts"  # nested: the top level
    assert check({"base": 10}, name="area").param is None  # wrong function name: no parameter to blame
    doc = {"name": "f", "parameters": {"type": "dict", "properties": {"x": {"type": "integer"}}, "required": ["x"]}}
    parallel = match_bfcl([{"f": {"x": 1}}, {"f": {"x": 3}}], [{"f": {"x": [1]}}, {"f": {"x": [2]}}], [doc],
                          category="parallel")
    assert parallel.error_type.endswith("cannot_find_match") and parallel.param == "x"


def test_nested_list_and_dict_values() -> None:
    assert not check({"base": 10, "height": 5.0, "tags": ["b", "new york"]}).ok  # list order matters
    # BFCL quirk: an optional ("") allowed value lets the element type check pass; the value check still fails
    assert check({"base": 10, "height": 5.0, "tags": [1, "b"]}).error_type == "value_error:list/tuple"
    doc = {"name": "f", "parameters": {"type": "dict", "properties": {
        "v": {"type": "array", "items": {"type": "float"}}}, "required": ["v"]}}
    assert match_bfcl([{"f": {"v": [1.5, "2"]}}], [{"f": {"v": [[1.5, 2.0]]}}], [doc]).error_type == "type_error:nested"
    assert match_bfcl([{"f": {"v": [1.5, 2]}}], [{"f": {"v": [[1.5, 2.0]]}}], [doc]).error_type == "type_error:nested"
    assert check({"base": 10, "height": 5.0, "opts": {"mode": "fast", "x": 1}}).error_type == "value_error:dict_key"
    assert check({"base": 10, "height": 5.0, "opts": {"mode": "slow"}}).error_type == "value_error:dict_value"
    assert check({"base": 10, "height": 5.0, "opts": {"depth": 2}}).error_type == "value_error:dict_key"


def test_wrong_name_and_dotted_names() -> None:
    wrong = check({"base": 10, "height": 5.0}, name="geometry_area")
    assert wrong.error_type == "simple_function_checker:wrong_func_name"
    assert wrong.category == ErrorCategory.tool_hallucination
    assert check({"base": 10, "height": 5.0}, name="geometry_area", underscore_to_dot=True).ok
    assert not check({"base": 10, "height": 5.0}, underscore_to_dot=True).ok


def test_parallel_any_order_and_counts() -> None:
    doc = {"name": "f", "parameters": {"type": "dict", "properties": {"x": {"type": "integer"}}, "required": ["x"]}}
    answer = [{"f": {"x": [1]}}, {"f": {"x": [2]}}]
    assert match_bfcl([{"f": {"x": 2}}, {"f": {"x": 1}}], answer, [doc], category="parallel").ok
    assert match_bfcl([{"f": {"x": 1}}], answer, [doc], category="parallel").error_type == \
        "parallel_function_checker_no_order:wrong_count"
    assert match_bfcl([{"f": {"x": 1}}, {"f": {"x": 1}}], answer, [doc], category="parallel").error_type == \
        "parallel_function_checker_no_order:cannot_find_match"


def test_parallel_matching_is_greedy_like_bfcl() -> None:
    """BFCL lets each answer take the first call that fits, so a valid assignment can be missed."""
    doc = {"name": "f", "parameters": {"type": "dict", "properties": {"x": {"type": "integer"}}, "required": []}}
    answer = [{"f": {"x": [1, ""]}}, {"f": {"x": [1]}}]
    assert not match_bfcl([{"f": {"x": 1}}, {"f": {}}], answer, [doc], category="parallel").ok
    assert match_bfcl([{"f": {}}, {"f": {"x": 1}}], answer, [doc], category="parallel").ok


def test_simple_category_wants_exactly_one_call_and_tools_may_be_objects() -> None:
    tool = Tool.from_bfcl(AREA)
    calls = [ToolCall("geometry.area", {"base": 10, "height": 5.0})]
    assert match_bfcl(calls, ANSWER, [tool], category="simple_python").ok
    assert match_bfcl(calls * 2, ANSWER, [tool], category="simple_python").error_type == \
        "simple_function_checker:wrong_count"
    assert match_bfcl(calls, ANSWER, [tool.to_openai()], category="simple_python").ok


def test_malformed_answer_fails_cleanly() -> None:
    result = match_bfcl([{"f": {"x": 1}}], [{"f": {"x": [1]}}], [{"name": "f", "parameters": {}}])
    assert not result.ok and result.error_type == "checker_error:malformed"


def test_relevance() -> None:
    assert match_relevance([], irrelevance=True).ok
    assert match_relevance([ToolCall("f")], irrelevance=True).error_type == "irrelevance_error:decoder_success"
    assert match_relevance([ToolCall("f")], irrelevance=False).ok
    assert not match_relevance([], irrelevance=False).ok


def test_canonical_equality() -> None:
    a = [ToolCall("f", {"x": 1, "y": [1.0, "a "]}), ToolCall("g", {"z": {"k": True}})]
    b = [{"g": {"z": {"k": True}}}, {"name": "f", "arguments": {"y": [1, "a"], "x": 1.0}}]
    assert calls_equal(a, b)
    assert not calls_equal(a, [{"f": {"x": 1, "y": [1.0, "a"]}}, {"g": {"z": {"k": 1}}}])  # bool != int
    assert not calls_equal([{"f": {"x": "1"}}], [{"f": {"x": 1}}])
    assert calls_equal([{"f": {"s": "New York"}}], [{"f": {"s": "new-york"}}], loose_strings=True)
    assert len({canonical_calls(a), canonical_calls(b)}) == 1
    assert to_bfcl_decoded(a) == [{"f": {"x": 1, "y": [1.0, "a "]}}, {"g": {"z": {"k": True}}}]
    assert as_pairs([{"type": "function", "function": {"name": "h", "arguments": {}}}]) == [("h", {})]


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                                       max_size=3), max_leaves=8)
call_lists = st.lists(st.tuples(st.sampled_from(["f", "g", "a.b"]), st.dictionaries(st.text(max_size=3), json_values,
                                                                                     max_size=3)), max_size=4)


@given(call_lists, st.randoms())
def test_canonical_form_ignores_call_order(calls, rng) -> None:
    shuffled = list(calls)
    rng.shuffle(shuffled)
    assert calls_equal([{n: a} for n, a in calls], [{n: a} for n, a in shuffled])
    hash(canonical_calls([{n: a} for n, a in calls]))


@given(call_lists, st.lists(st.dictionaries(st.text(max_size=3), st.lists(json_values, max_size=3), max_size=3),
                            max_size=3))
def test_match_bfcl_never_raises(calls, answer_args) -> None:
    doc = {"name": "f", "parameters": {"type": "dict", "properties": {
        "a": {"type": "array", "items": {"type": "dict"}}, "b": {"type": "dict"}, "c": {"type": "tuple"},
        "": {"type": "any"}}, "required": ["a"]}}
    answers = [{"f": args} for args in answer_args]
    for category in ("simple_python", "multiple", "parallel"):
        assert isinstance(match_bfcl([{n: a} for n, a in calls], answers, [doc], category=category).ok, bool)


def test_calls_not_in_bfcl_decoded_format_fail_as_bfcl_does() -> None:
    doc = {"name": "f", "parameters": {"type": "dict", "properties": {}, "required": []}}
    for bad in ([{"f": "x=1"}], [{"f": {}, "g": {}}], ["f()"]):
        result = match_bfcl(bad, [{"f": {}}], [doc])
        assert result.error_type == "ast_decoder:decoder_wrong_output_format"
        assert result.category == ErrorCategory.unparsable
