"""Typed config dataclasses from plain mappings (YAML), validated by pydantic, with one-line errors.

Every error names the file, the record (the recipe section or stage) and the key; a misspelt key gets the
nearest valid one.

Why per-field `pydantic.TypeAdapter`s over plain dataclasses (checked: pydantic 2.x):
- `pydantic.dataclasses.dataclass` would change how every area declares its config; TRL's configs and ours
  stay standard-library dataclasses, built directly in code (`RLStageConfig(**saved)`) at no validation cost.
- A `TypeAdapter` over the dataclass itself accepts only instances in strict mode, and in lax mode turns
  `True` into `1.0` and `"5"` into `5`. A strict adapter per declared annotation checks each value exactly
  (an int is a valid float; nothing else is coerced; no NaN/inf), then the dataclass is built as usual so its
  `__post_init__` checks run. pydantic offers no "did you mean", so the unknown-key check stays here.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import types
import typing
from typing import Any, TypeVar

import yaml
from pydantic import ConfigDict, TypeAdapter, ValidationError

from toolgym.core.errors import InputError

T = TypeVar("T")
_STRICT = ConfigDict(strict=True, allow_inf_nan=False)


def nearest_key(key: object, valid: typing.Iterable[str]) -> str | None:
    """The closest valid key to `key`, or None when nothing is close."""
    found = difflib.get_close_matches(str(key), [str(v) for v in valid], n=1, cutoff=0.5)
    return found[0] if found else None


def unknown_key_error(key: object, valid: typing.Iterable[str], *, file: str | None, where: str) -> InputError:
    valid = list(valid)
    hint = nearest_key(key, valid)
    suggestion = f"; did you mean '{hint}'?" if hint else f"; valid keys: {', '.join(sorted(valid))}"
    return InputError(f"unknown key '{key}'{suggestion}", file=file, record=where, field=str(key))


def bare_message(exc: InputError) -> str:
    """An InputError's message without its `file …, record …, field …:` prefix."""
    prefix = str(InputError("", file=exc.file, record=exc.record, field=exc.field))
    return str(exc).removeprefix(prefix)


# ---------------------------------------------------------------- YAML


class _Loader(yaml.SafeLoader):
    """YAML as recipes mean it: floats like `3e-4` (YAML 1.2; PyYAML's 1.1 rules read a string) and no
    duplicate keys (PyYAML keeps the last one silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            if isinstance(key, typing.Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)[eE][-+]?\d+$"),
    list("-+0123456789."),
)


def load_yaml(text: str, *, file: str | None, record: str | None = None) -> Any:
    """Parse YAML text; a syntax error raises one InputError naming the file and line."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = record or (f"line {mark.line + 1}" if mark else None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"invalid YAML: {' '.join(str(problem).split())}", file=file, record=where) from None
    except RecursionError:
        raise InputError("invalid YAML: nested too deeply", file=file, record=record) from None


# ---------------------------------------------------------------- dataclasses


def from_dict(cls: type[T], data: Any, *, file: str | None = None, where: str = "") -> T:
    """Build dataclass `cls` from mapping `data` (None = all defaults); unknown keys, missing required keys
    and values not of the declared type raise InputError naming file, `where` and the key."""
    where = where or cls.__name__
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"expected a mapping of keys, got {_show(data)}", file=file, record=where)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    for key in data:
        if key not in fields:
            raise unknown_key_error(key, fields, file=file, where=where)
    for name, f in fields.items():
        if name not in data and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise InputError("missing required key", file=file, record=where, field=name)
    hints = field_types(cls)
    kwargs = {key: check_value(value, hints[key], file=file, where=where, key=key) for key, value in data.items()}
    try:
        return cls(**kwargs)
    except InputError as exc:  # a __post_init__ check: say where it came from
        if exc.file:
            raise
        raise InputError(bare_message(exc), file=file, record=where, field=exc.field) from None
    except ValueError as exc:
        raise InputError(" ".join(str(exc).split()), file=file, record=where) from None


def check_value(value: Any, hint: Any, *, file: str | None, where: str, key: str) -> Any:
    """`value` checked against annotation `hint` by pydantic (strict); nested dataclasses recurse."""
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return from_dict(hint, value, file=file, where=f"{where}.{key}")
    try:
        return _adapter(hint).validate_python(value)
    except ValidationError as exc:
        path, message = _describe(exc, hint, value)
        raise InputError(message, file=file, record=where, field=key + path) from None


def fits(value: Any, hint: Any) -> bool:
    """Whether `value` is valid for annotation `hint` (strict)."""
    try:
        _adapter(hint).validate_python(value)
    except ValidationError:
        return False
    return True


@functools.cache
def field_types(cls: type) -> dict[str, Any]:
    """The resolved annotations of dataclass `cls` (cached: resolving them is the slow part of a check)."""
    return typing.get_type_hints(cls)


@functools.cache
def _adapter(hint: Any) -> TypeAdapter[Any]:
    return TypeAdapter(hint, config=_STRICT)


def _describe(exc: ValidationError, hint: Any, value: Any) -> tuple[str, str]:
    """(path inside the value, one-line message) of pydantic's most specific error."""
    errors = exc.errors(include_url=False)
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    locs = [tuple(e["loc"][1:] if union else e["loc"]) for e in errors]
    depth = max(len(loc) for loc in locs)
    deepest = [(e, loc) for e, loc in zip(errors, locs, strict=True) if len(loc) == depth]
    if depth == 0 and len(deepest) != 1:  # no member of a union fits at all
        return "", f"expected {type_name(hint)}, got {_show(value)}"
    error, loc = deepest[0]
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    if depth == 0 and not union:
        return path, f"expected {type_name(hint)}, got {_show(value)}"
    return path, f"{error['msg']}, got {_show(error['input'])}"


def type_name(hint: Any) -> str:
    """`int`, `list[str]`, `bool | 'auto'`: an annotation as a reader writes it."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(a) for a in args)
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in args)
    if origin is not None:
        return f"{getattr(origin, '__name__', origin)}[{', '.join(type_name(a) for a in args)}]"
    if hint is type(None):
        return "None"
    return hint.__name__ if isinstance(hint, type) else str(hint).replace("typing.", "")


def _show(value: Any, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, (dict, list)) else f"{type(value).__name__} {value!r}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class StageConfig:
    """Mixin for recipe stage dataclasses: `from_dict` with errors naming file, stage and key; `to_dict`."""

    stage: typing.ClassVar[str] = "stage"

    @classmethod
    def from_dict(cls: type[T], data: dict[str, Any] | None, *, file: str | None = None) -> T:
        """Build from a recipe mapping; an unknown key raises InputError naming it and the nearest valid key."""
        return from_dict(cls, data, file=file, where=cls.stage)  # type: ignore[attr-defined]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for manifests); round-trips through from_dict."""
        return dataclasses.asdict(self)  # type: ignore[call-overload]
