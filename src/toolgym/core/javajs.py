"""Java and JavaScript argument values as BFCL reads them, and as toolgym writes them.

In BFCL's simple_java and simple_javascript categories every argument is a source string ("123L",
`new ArrayList<>(Arrays.asList(1, 2))`, "[1, 2]"), and the official checker turns it into a Python value with
its type converters before comparing (bfcl_eval/eval_checker/ast_eval/type_convertor/, bfcl-eval 2026.3.23).
`read_java` / `read_js` reproduce those converters, quirks included, because verdicts must agree with the
official ones: they are regular-expression readers rather than parsers (elements are split at every comma,
the String elements of a Java array keep their quotes, text that does not read as the type stays a string).
`write_java` / `write_js` go the other way, for reference answers. Written from reading that code; no
library reads Java or JavaScript literals the way it does (javalang and esprima parse whole programs).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

# BFCL type name -> the Python type its converted value must have (bfcl_eval/constants/type_mappings.py)
JAVA_TYPES: dict[str, type] = {
    "byte": int, "short": int, "integer": int, "long": int, "float": float, "double": float,
    "boolean": bool, "char": str, "String": str, "any": str,
    "Array": list, "ArrayList": list, "Set": set, "HashMap": dict, "Hashtable": dict, "Queue": list, "Stack": list,
}
JS_TYPES: dict[str, type] = {
    "String": str, "integer": int, "float": float, "Bigint": int, "Boolean": bool, "dict": dict, "array": list,
    "any": str,
}
LIST_TYPES = ("Array", "ArrayList", "array")  # their `items` type converts (and type-checks) the elements


class UnsupportedType(ValueError):
    """A type the official converter refuses (it raises there, so the case fails)."""


def _is(pattern: str, text: str) -> bool:
    """`text` is `pattern` (with `$`'s tolerance of one trailing newline, as the official `^…$` matches)."""
    return re.match(rf"^(?:{pattern})$", text) is not None


_INT = r"-?\d+"
_DECIMAL = r"-?\d+(\.\d+)?([eE][+-]?\d+)?"


def _number(text: str) -> int | float | str:
    """An untyped number: int, else float, else the text itself (Python's own int/float syntax)."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


# ------------------------------------------------------------------------------------------- Java
def _java_scalar(text: str, type_name: str) -> Any:
    if type_name in ("byte", "short", "integer"):
        return int(text) if _is(_INT, text) else text
    if type_name == "long":
        return int(re.sub(r"[lL]$", "", text)) if _is(_INT + r"[lL]", text) else text
    if type_name == "float":
        return float(re.sub(r"[fF]$", "", text)) if _is(_DECIMAL + r"[fF]", text) else text
    if type_name == "double":
        return float(text) if _is(_DECIMAL, text) else text
    if type_name == "boolean":
        return text == "true" if text in ("true", "false") else text
    return text  # String, char, any: the text as written (a char's quotes stay)


def _java_literal(text: str) -> Any:
    """An element or map value read without a declared type."""
    if text in ("true", "false"):
        return text == "true"
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1]
    if _is(_INT + r"[lL]", text):
        return int(text[:-1])
    if _is(_DECIMAL + r"[fF]", text):
        return float(re.sub(r"[fF]$", "", text))
    return _number(text)


def _java_element(text: str, item_type: str | None, *, unquote: bool) -> Any:
    if unquote and item_type in ("char", "String"):
        return text[1:-1]
    return read_java(text, item_type) if item_type else _java_literal(text)


def _java_array(text: str, item_type: str | None) -> list | str:
    found = re.search(r"new\s+\w+\[\]\s*\{(.*?)\}", text)
    if not found:
        return text
    parts = [part.strip() for part in found.group(1).split(",")]
    return [_java_element(part, item_type, unquote=False) for part in parts if part]


def _java_arraylist(text: str, item_type: str | None) -> list | str:
    as_list = re.search(r"new\s+ArrayList<\w*>\(Arrays\.asList\((.+?)\)\)", text)
    if as_list:
        parts = as_list.group(1).split(",")
    else:
        block = re.search(r"new\s+ArrayList<\w*>\(\)\s*\{\{\s*(.+?)\s*\}\}", text, re.DOTALL)
        if block:
            parts = re.findall(r"add\((.+?)\)", block.group(1))
        elif re.search(r"new\s+ArrayList<\w*>\(\)", text):
            return []
        else:
            return text
    return [_java_element(part.strip(), item_type, unquote=True) for part in parts]


def _java_hashmap(text: str) -> dict | str:
    body = re.search(r"new\s+HashMap<.*?>\s*\(\)\s*\{\s*\{?\s*(.*?)\s*\}?\s*\}", text, re.DOTALL)
    if body:
        puts = re.findall(r"put\(\"(.*?)\",\s*(.*?)\)", body.group(1)) if body.group(1).strip() else []
        return {key: _java_literal(value.strip()) for key, value in puts}
    return {} if re.search(r"new\s+HashMap<.*?>\s*\(\)", text) else text


def read_java(text: str, type_name: str, item_type: str | None = None) -> Any:
    """A Java source string as BFCL's `java_type_converter` reads it for a parameter of `type_name`."""
    if type_name not in JAVA_TYPES:
        raise UnsupportedType(f"unsupported Java type {type_name!r}")
    if type_name == "Array":
        return _java_array(text, item_type)
    if type_name == "ArrayList":
        return _java_arraylist(text, item_type)
    if type_name == "HashMap":
        return _java_hashmap(text)
    if type_name in ("Set", "Hashtable", "Queue", "Stack"):
        raise UnsupportedType(f"BFCL does not convert Java {type_name} values")
    return _java_scalar(text, type_name)


# ------------------------------------------------------------------------------------------- JavaScript
def _quoted(text: str) -> bool:
    return any(text.startswith(q) and text.endswith(q) for q in ('"', "'"))


def _js_literal(text: str) -> Any:
    text = text.strip()
    if text in ("true", "false"):
        return text == "true"
    return text[1:-1] if _quoted(text) else _number(text)


_JS_2D = r"\[\s*\[.*?\]\s*(,\s*\[.*?\]\s*)*\]|\bnew\s+Array\(\s*\[.*?\]\s*(,\s*\[.*?\]\s*)*\)"


def _js_array(code: str, item_type: str | None) -> list | str:
    nested = re.match(_JS_2D, code)
    if nested:  # rows are read untyped, whatever the items type
        rows = [row.strip() for row in re.findall(r"\[(.*?)\]", nested.group(0))]
        if rows and rows[0].startswith("["):  # the first row's match began at the outer bracket
            rows[0] = rows[0][1:]
        return [[_js_literal(e) for e in row.split(",")] for row in rows]
    flat = re.match(r"\[(.*?)\]|\bnew\s+Array\((.*?)\)", code)
    if not flat:
        return code
    inner = next(group for group in flat.groups() if group is not None).strip()
    parts = [part.strip() for part in inner.split(",")] if inner else []
    return [read_js(part, item_type) if item_type else _js_literal(part) for part in parts]


def _js_dict(code: str) -> dict | str:
    if code == "{}":
        return {}
    body = re.match(r"\{(.*?)\}", code)
    if not body:
        return code
    entries = re.findall(r"([^:]+):\s*(.*?)(?:,\s*(?=[^,]+:)|$)", body.group(1))
    out: dict[str, Any] = {}
    for key, value in entries:
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            out[key.strip().strip("'\"")] = _js_collection(value, "array", None)
        elif value.startswith("{") and value.endswith("}"):
            out[key.strip().strip("'\"")] = _js_collection(value, "dict", None)
        else:
            out[key.strip().strip("'\"")] = _js_literal(value.strip("'\""))
    return out


def _js_collection(code: str, type_name: str, item_type: str | None) -> Any:
    code = code.strip()
    try:
        return _js_array(code, item_type) if type_name == "array" else _js_dict(code)
    except Exception:  # on any error the official reader gives up and keeps the text
        return code


def read_js(text: str, type_name: str, item_type: str | None = None) -> Any:
    """A JavaScript source string as BFCL's `js_type_converter` reads it for a parameter of `type_name`."""
    if type_name not in JS_TYPES:
        raise UnsupportedType(f"unsupported JavaScript type {type_name!r}")
    if type_name == "String":
        return text[1:-1] if _quoted(text) else text
    if type_name == "integer":
        return int(text) if _is(_INT, text) else text
    if type_name == "float":
        return float(text) if _is(r"-?\d+(\.\d+)?", text) else text
    if type_name == "Bigint":
        return int(text[:-1]) if _is(_INT + "n", text) else text
    if type_name == "Boolean":
        return text == "true" if text in ("true", "false") else text
    if type_name in ("array", "dict"):
        return _js_collection(text, type_name, item_type)
    return text  # any


def read_source(text: str, language: str, type_name: str, item_type: str | None = None) -> Any:
    """`read_java` or `read_js` by language ("java" or "javascript")."""
    return (read_js if language == "javascript" else read_java)(text, type_name, item_type)


# ------------------------------------------------------------------------------------------- writing
def _plain_number(value: int | float) -> str:
    """A number without exponent (JavaScript floats must read as digits[.digits])."""
    text = repr(value)
    return f"{Decimal(text):f}" if "e" in text or "E" in text else text


def _java_scalar_text(value: Any, type_name: str | None) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) and type_name == "long":
        return f"{int(value)}L"
    if isinstance(value, (int, float)) and type_name == "float":
        return f"{_plain_number(value)}f"
    return repr(value) if isinstance(value, float) else str(value)


def _java_literal_text(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else _java_scalar_text(value, None)


_JAVA_ELEMENT_NAMES = {"integer": "int", "any": "Object"}


def write_java(value: Any, type_name: str, item_type: str | None = None) -> str:
    """Java source that `read_java` reads back as `value` (a str answer, a variable name, is written as is)."""
    if isinstance(value, str):
        return value
    if type_name == "Array" and isinstance(value, list):
        name = _JAVA_ELEMENT_NAMES.get(item_type or "any", item_type)
        return f"new {name}[]{{{', '.join(_java_scalar_text(v, item_type) for v in value)}}}"
    if type_name == "ArrayList" and isinstance(value, list):
        if not value:
            return "new ArrayList<>()"
        quote = {"String": '"', "char": "'"}.get(item_type or "", "")
        items = [f"{quote}{v}{quote}" if quote else _java_scalar_text(v, item_type) for v in value]
        return f"new ArrayList<>(Arrays.asList({', '.join(items)}))"
    if type_name == "HashMap" and isinstance(value, dict):
        if not value:
            return "new HashMap<>()"
        puts = " ".join(f'put("{k}", {_java_literal_text(v)});' for k, v in value.items())
        return f"new HashMap<String, Object>() {{{{ {puts} }}}}"
    return _java_scalar_text(value, type_name)


def _js_literal_text(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return f"[{', '.join(_js_literal_text(v) for v in value)}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_js_literal_text(v)}" for k, v in value.items()) + "}"
    return _plain_number(value) if isinstance(value, (int, float)) else str(value)


def write_js(value: Any, type_name: str, item_type: str | None = None) -> str:
    """JavaScript source that `read_js` reads back as `value` (a str answer is written as is)."""
    if isinstance(value, str):
        return value
    if type_name == "Bigint" and isinstance(value, int) and not isinstance(value, bool):
        return f"{value}n"
    if type_name == "array" and isinstance(value, list) and item_type not in (None, "String", "any"):
        return f"[{', '.join(write_js(v, item_type) for v in value)}]"
    return _js_literal_text(value)


def write_source(value: Any, language: str, type_name: str, item_type: str | None = None) -> str:
    """`write_java` or `write_js` by language ("java" or "javascript")."""
    return (write_js if language == "javascript" else write_java)(value, type_name, item_type)
