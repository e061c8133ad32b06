"""Typed config dataclasses from plain dicts (YAML), with errors that name the key and the nearest valid one."""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from typing import Any, TypeVar

from toolgym.core.errors import InputError

T = TypeVar("T")


def nearest_key(key: str, valid: typing.Iterable[str]) -> str | None:
    """The closest valid key to `key`, or None when nothing is close."""
    found = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.5)
    return found[0] if found else None


def unknown_key_error(key: str, valid: typing.Iterable[str], *, file: str | None, where: str) -> InputError:
    hint = nearest_key(key, valid)
    suggestion = f"; did you mean '{hint}'?" if hint else f"; valid keys: {', '.join(sorted(valid))}"
    return InputError(f"unknown key '{key}'{suggestion}", file=file, record=where, field=key)


def from_dict(cls: type[T], data: dict[str, Any] | None, *, file: str | None = None, where: str = "") -> T:
    """Build dataclass `cls` from `data`, rejecting unknown keys and values of the wrong basic type."""
    data = dict(data or {})
    if not isinstance(data, dict):
        raise InputError(f"expected a mapping, got {type(data).__name__}", file=file, record=where)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    hints = typing.get_type_hints(cls)
    for key in data:
        if key not in fields:
            raise unknown_key_error(key, fields, file=file, where=where or cls.__name__)
    kwargs = {key: _coerce(value, hints[key], file=file, where=where or cls.__name__, key=key)
              for key, value in data.items()}
    try:
        return cls(**kwargs)
    except InputError as exc:  # a __post_init__ check: add where it came from
        if exc.file or exc.record or not exc.field:
            raise
        message = str(exc).removeprefix(f"field {exc.field}: ")
        raise InputError(message, file=file, record=where or cls.__name__, field=exc.field) from None


def _coerce(value: Any, hint: Any, *, file: str | None, where: str, key: str) -> Any:
    """Check `value` against simple annotations (bool/int/float/str/list/dict/Optional); nested dataclasses recurse."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return _coerce(value, inner[0], file=file, where=where, key=key)
        return value
    if dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return from_dict(hint, value, file=file, where=f"{where}.{key}")
    expected = {bool: bool, int: int, float: (int, float), str: str}.get(hint)
    if hint is float and isinstance(value, str):
        value = _float_text(value)  # YAML 1.1 reads "3e-4" (no dot) as a string
    if expected is not None:
        if hint is not bool and isinstance(value, bool) or not isinstance(value, expected):
            raise InputError(f"expected {hint.__name__}, got {value!r}", file=file, record=where, field=key)
        return float(value) if hint is float else value
    container = {list: list, dict: dict}.get(origin or hint)
    if container is not None and not isinstance(value, container):
        raise InputError(f"expected a {container.__name__}, got {value!r}", file=file, record=where, field=key)
    return value


def _float_text(text: str) -> Any:
    """A number written like 3e-4 as a float; any other text unchanged (and then rejected)."""
    number = re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text.strip())
    return float(text) if number else text


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
