"""BFCL's multi-turn environments: the wheel's own classes, and calls executed against their instances.

The classes (file system, math, messaging, posting, ticketing, trading, travel booking, vehicle control) live in
`bfcl_eval/eval_checker/multi_turn_eval/func_source_code/` of the pinned, sha256-verified wheel. They are plain
Python with empty package `__init__` files and they ARE the environment, so they are loaded from those files with
`importlib.util.spec_from_file_location` under private module names; nothing else of bfcl_eval is imported.
Three of them import `long_context` by its full dotted name, so that one module is also registered under it.

Execution follows BFCL's rules (read in its `multi_turn_utils.py`, not copied): a call goes to the public method
of that name on the instances (a later class wins a name clash); a `str` result is kept, a `dict` becomes JSON
(`str()` if that fails), anything else `str()`; an exception becomes "Error during execution: <message>", and
calls named like process-killing functions are refused. BFCL `eval`s call strings, so a name that is no method
fails as a NameError would; unlike `eval`, python builtins are not callable here.
"""

from __future__ import annotations

import ast
import copy
import functools
import importlib.util
import inspect
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from toolgym.core.assets import fetch_wheel
from toolgym.core.errors import InputError, ToolgymError
from toolgym.core.schema import ToolCall
from toolgym.eval.bfcl import BFCL_ASSET

# class name -> its file in func_source_code/ (and its doc in data/multi_turn_func_doc/, same stem)
CLASS_FILES = {"GorillaFileSystem": "gorilla_file_system", "MathAPI": "math_api", "MessageAPI": "message_api",
               "TwitterAPI": "posting_api", "TicketAPI": "ticket_api", "TradingBot": "trading_bot",
               "TravelAPI": "travel_booking", "VehicleControlAPI": "vehicle_control"}
STATELESS = frozenset({"MathAPI"})  # no scenario to load
BLOCKED = frozenset({"kill", "exit", "quit", "remove", "unlink", "popen", "Popen", "run"})
_DOTTED = "bfcl_eval.eval_checker.multi_turn_eval.func_source_code"  # how the sources import long_context
_PRIVATE = "_toolgym_bfcl_env"
ERROR_PREFIX = "Error during execution: "


def source_dir() -> Path:
    """`func_source_code/` inside the verified, unpacked wheel."""
    return fetch_wheel(BFCL_ASSET) / "bfcl_eval" / "eval_checker" / "multi_turn_eval" / "func_source_code"


@functools.cache
def _module(stem: str) -> ModuleType:
    """One environment module, loaded from the wheel's file (long_context first: the others import it)."""
    if stem != "long_context":
        _module("long_context")
    path = source_dir() / f"{stem}.py"
    spec = importlib.util.spec_from_file_location(f"{_PRIVATE}.{stem}", path)
    if spec is None or spec.loader is None:
        raise ToolgymError(f"cannot load the BFCL environment {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    if stem == "long_context":
        sys.modules.setdefault(f"{_DOTTED}.long_context", module)
    try:
        spec.loader.exec_module(module)
    except ImportError as exc:
        raise ToolgymError(f"the BFCL environment {path.name} needs the '{exc.name}' package: "
                           f"pip install {exc.name}") from None
    return module


def environment_class(name: str) -> type:
    if name not in CLASS_FILES:
        raise InputError(f"unknown BFCL environment class {name!r}; known: {', '.join(CLASS_FILES)}",
                         field="involved_classes")
    return getattr(_module(CLASS_FILES[name]), name)


# ------------------------------------------------------------------------------------------- calls
@dataclass(frozen=True)
class Call:
    """One call as BFCL executes it: a name, positional and keyword arguments (plain literals)."""

    name: str
    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, call: ToolCall) -> Call:
        return cls(call.name, (), dict(call.arguments))

    def text(self) -> str:
        """The python call string BFCL would execute, e.g. `cd(folder='x')`."""
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{self.name}({', '.join(parts)})"


def parse_call(text: str) -> Call:
    """A python call string with literal arguments (`sort('a.txt')`, `cd(folder='x')`), read with `ast`."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            raise ValueError("not a call of a plain name")
        if any(kw.arg is None for kw in node.keywords):
            raise ValueError("** arguments are not supported")
        args = tuple(ast.literal_eval(a) for a in node.args)
        kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords}
        _json_values(args, kwargs)
    except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError) as exc:
        raise InputError(f"not a python call with literal arguments ({exc}): {text[:120]!r}") from None
    return Call(node.func.id, args, kwargs)


def _json_values(*values: Any) -> None:
    """ValueError unless the arguments are JSON values: calls are rendered as model text and stored as JSON."""
    try:
        json.dumps(values)
    except TypeError as exc:
        raise ValueError(f"arguments must be JSON values ({exc})") from None


def _as_text(result: Any) -> str:
    if type(result) is str:
        return result
    if type(result) is dict:
        try:
            return json.dumps(result)
        except (TypeError, ValueError):
            return str(result)
    return str(result)


# ------------------------------------------------------------------------------------------- environment
class Environment:
    """Fresh instances of one test entry's involved classes, loaded with its initial_config."""

    def __init__(self, classes: Sequence[str], initial_config: Mapping[str, Any], long_context: bool = False) -> None:
        self.instances: dict[str, Any] = {}
        for name in classes:
            instance = environment_class(name)()
            if name not in STATELESS:
                instance._load_scenario(copy.deepcopy(initial_config.get(name, {})), long_context=long_context)
            self.instances[name] = instance
        self.methods: dict[str, Any] = {}
        for instance in self.instances.values():
            for name, method in inspect.getmembers(instance, predicate=inspect.ismethod):
                if not name.startswith("_"):
                    self.methods[name] = method

    def execute(self, call: Call) -> str:
        """The call's result as text (errors included), as BFCL feeds it back and compares it."""
        if call.name in BLOCKED:
            return f"{ERROR_PREFIX}Function call {call.name} is not allowed."
        method = self.methods.get(call.name)
        if method is None:
            return f"{ERROR_PREFIX}name '{call.name}' is not defined"
        try:  # copies: the instance must not share objects with the caller's call
            return _as_text(method(*copy.deepcopy(call.args), **copy.deepcopy(dict(call.kwargs))))
        except Exception as exc:  # noqa: BLE001 - any failure of the environment is the call's result
            return f"{ERROR_PREFIX}{exc}"

    def state(self, class_name: str) -> dict[str, Any]:
        """The public attributes of one instance (what BFCL's state check compares)."""
        return {k: v for k, v in vars(self.instances[class_name]).items() if not k.startswith("_")}

    def named(self, call: Call) -> ToolCall:
        """The call with positional arguments bound to parameter names (for rendering it as model text)."""
        method = self.methods.get(call.name)
        if method is None or not call.args:
            return ToolCall(call.name, dict(call.kwargs))
        try:
            bound = inspect.signature(method).bind(*call.args, **call.kwargs)
        except TypeError:  # no names fit: written without its positional arguments, the replay fails (and is listed)
            return ToolCall(call.name, dict(call.kwargs))
        return ToolCall(call.name, dict(bound.arguments))
