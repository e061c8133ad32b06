"""core.javajs: Java/JavaScript source strings read as BFCL's type converters read them, and written back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolgym.core.javajs import UnsupportedType, read_java, read_js, write_java, write_js
from toolgym.core.match import bfcl_language, match_bfcl


@pytest.mark.parametrize(("text", "type_name", "item_type", "value"), [
    ("123", "integer", None, 123), ("-7", "short", None, -7), ("12L", "integer", None, "12L"),
    ("9223372036854775807L", "long", None, 9223372036854775807), ("5", "long", None, "5"),
    ("3.14f", "float", None, 3.14), ("3e3F", "float", None, 3000.0), ("3.14", "float", None, "3.14"),
    ("3.14e-2", "double", None, 0.0314), ("3.14f", "double", None, "3.14f"),
    ("true", "boolean", None, True), ("True", "boolean", None, "True"), ('"abc"', "String", None, '"abc"'),
    ("new int[] { 1, 2, 3 }", "Array", "integer", [1, 2, 3]), ("new int[]{}", "Array", "integer", []),
    ('new String[]{"a", b}', "Array", "String", ['"a"', "b"]),  # an array's String elements keep their quotes
    ("new long[]{1L, 2, 3L}", "Array", "long", [1, "2", 3]), ("{1, 2}", "Array", "integer", "{1, 2}"),
    ('new ArrayList<>(Arrays.asList("a", "b"))', "ArrayList", "String", ["a", "b"]),
    ("new ArrayList<Float>() {{ add(1.0f); add(2.0f); }}", "ArrayList", "float", [1.0, 2.0]),
    ("new ArrayList<>(Arrays.asList(x, 42))", "ArrayList", "any", ["x", "42"]),
    ("new ArrayList<>()", "ArrayList", "String", []), ("List.of(1)", "ArrayList", "integer", "List.of(1)"),
    ('new HashMap<String, Object>() {{ put("k1", 1); put("k2", "v"); put("k3", true); }}', "HashMap", None,
     {"k1": 1, "k2": "v", "k3": True}),
    ("new HashMap<>() {{ }}", "HashMap", None, {}), ("new HashMap<>()", "HashMap", None, {}),
    ('Map.of("k", 1)', "HashMap", None, 'Map.of("k", 1)'),
])
def test_read_java(text, type_name, item_type, value) -> None:
    assert read_java(text, type_name, item_type) == value
    assert type(read_java(text, type_name, item_type)) is type(value)


@pytest.mark.parametrize(("text", "type_name", "item_type", "value"), [
    ("'abc'", "String", None, "abc"), ('"abc"', "String", None, "abc"), ("`abc`", "String", None, "`abc`"),
    ("123", "integer", None, 123), ("3.14", "float", None, 3.14), ("3", "float", None, 3.0),
    ("1e3", "float", None, "1e3"), ("123n", "Bigint", None, 123), ("false", "Boolean", None, False),
    ("[1, 'two', true]", "array", None, [1, "two", True]), ("new Array(4, 5)", "array", "integer", [4, 5]),
    ('["a", "b"]', "array", "String", ["a", "b"]), ("[]", "array", "String", []),
    (" [ [1, 2], [3, 4]]", "array", "array", [[1, 2], [3, 4]]), ("items", "array", "String", "items"),
    ("{'key1': 123, 'key2': 'value', 'key3': false}", "dict", None, {"key1": 123, "key2": "value", "key3": False}),
    ('{"a": x, "b": ["m", "n"]}', "dict", None, {"a": "x", "b": ["m", "n"]}), ("{}", "dict", None, {}),
    ("{k: '5'}", "dict", None, {"k": 5}),  # quotes are stripped before the value is read
    ("  config ", "dict", None, "config"),
])
def test_read_js(text, type_name, item_type, value) -> None:
    assert read_js(text, type_name, item_type) == value
    assert type(read_js(text, type_name, item_type)) is type(value)


def test_unsupported_types_raise() -> None:
    for reader, type_name in ((read_java, "Set"), (read_java, "Queue"), (read_java, "Object"), (read_js, "Map")):
        with pytest.raises(UnsupportedType):
            reader("x", type_name)


_WORDS = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=8)


@given(st.one_of(st.tuples(st.just("long"), st.none(), st.integers()),
                 st.tuples(st.just("double"), st.none(), st.floats(allow_nan=False, allow_infinity=False)),
                 st.tuples(st.just("boolean"), st.none(), st.booleans()),
                 st.tuples(st.just("Array"), st.just("integer"), st.lists(st.integers(), max_size=4)),
                 st.tuples(st.just("ArrayList"), st.just("String"), st.lists(_WORDS, min_size=1, max_size=4)),
                 st.tuples(st.just("HashMap"), st.none(), st.dictionaries(_WORDS, st.integers() | _WORDS,
                                                                          max_size=3))))
def test_java_written_values_read_back(case) -> None:
    type_name, item_type, value = case
    assert read_java(write_java(value, type_name, item_type), type_name, item_type) == value


@given(st.one_of(st.tuples(st.just("float"), st.none(), st.floats(min_value=-1e6, max_value=1e6)),
                 st.tuples(st.just("Bigint"), st.none(), st.integers()),
                 st.tuples(st.just("array"), st.just("String"), st.lists(_WORDS, max_size=4)),
                 st.tuples(st.just("array"), st.just("integer"), st.lists(st.integers(), max_size=4)),
                 st.tuples(st.just("dict"), st.none(), st.dictionaries(_WORDS.filter(lambda w: not w.isdigit()),
                                                                       st.booleans() | st.lists(_WORDS, max_size=2),
                                                                       max_size=3))))
def test_js_written_values_read_back(case) -> None:
    type_name, item_type, value = case
    assert read_js(write_js(value, type_name, item_type), type_name, item_type) == value


def test_match_bfcl_reads_java_arguments() -> None:
    doc = {"name": "Cache.put", "description": "", "parameters": {"type": "dict", "required": ["ttl", "keys"],
           "properties": {"ttl": {"type": "long", "description": ""},
                          "keys": {"type": "Array", "items": {"type": "String"}, "description": ""}}}}
    answer = [{"Cache.put": {"ttl": [60], "keys": [["a b", "c"]]}}]
    assert bfcl_language("simple_java") == "java" and bfcl_language("simple_javascript") == "javascript"

    def verdict(ttl, keys, **kw):
        return match_bfcl([{"Cache.put": {"ttl": ttl, "keys": keys}}], answer, [doc], category="simple_java", **kw)

    assert verdict("60L", "new String[]{A-B, c}").ok
    assert verdict("60", "new String[]{a b, c}").error_type == "type_error:simple"  # a long needs its L
    assert verdict("60L", 'new String[]{"a b", "c"}').error_type == "value_error:list/tuple"
    assert verdict(60, "new String[]{a b, c}").error_type == "type_error:java"
    assert verdict("60L", "new String[]{a b, c}", language="python").error_type == "checker_error:malformed"
    assert not match_bfcl([{"Cache.put": {"ttl": "60L", "keys": "new String[]{a b, c}"}}], answer, [doc],
                          category="simple_java", underscore_to_dot=True).ok
