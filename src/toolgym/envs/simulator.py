"""Executable simulated tools: every catalog tool (or user-registered Python callable) runs in a sandbox.

A call is bound the way CPython binds keyword arguments, so a bad call gets the error text a real Python
API gives (`name 'x' is not defined`, `f() got an unexpected keyword argument 'y'`, `f() missing 1 required
positional argument: 'z'`, `f() argument 'n' must be int, not str`, `'x' is not a valid unit`). A good call
returns the tool's deterministic result text. Instability (HTTP 503/429/400, ConnectionError) is injected
at a set, seeded rate. Calls run in batches inside a forked worker process with a memory rlimit; a call that
overruns its time limit gets the worker killed and restarted, and the batch goes on.

Checked `inspect.Signature.bind` (its texts differ from a real call's: "missing a required argument") and
jsonschema (its texts are not Python's), so CPython's call-error texts are formatted here.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import random
import resource
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from toolgym.envs.feedback import classify

JSON_TO_PY = {"string": "str", "integer": "int", "number": "float", "boolean": "bool",
              "array": "list", "object": "dict", "null": "NoneType"}

INJECTED_FAILURES = (
    "503 Server Error: Service Unavailable for url: {url}",
    "ConnectionError: HTTPSConnectionPool(host='{host}', port=443): Max retries exceeded with url: {path} "
    "(Caused by NewConnectionError('Failed to establish a new connection: [Errno 111] Connection refused'))",
    "429 Client Error: Too Many Requests for url: {url} (rate limit exceeded, retry later)",
    "400 Client Error: Bad Request for url: {url}",
)


@dataclass(frozen=True)
class ToolResult:
    """What one call returned: the feedback text, whether it succeeded, and its error category (None = ok)."""

    ok: bool
    content: str
    category: str | None = None
    injected: bool = False


@dataclass
class SimTool:
    """One executable tool: its JSON-Schema parameters and how it produces a result."""

    name: str
    parameters: dict[str, Any]
    render: Callable[[dict[str, Any], random.Random], str] | None = None
    fn: Callable[..., Any] | None = None
    domain: str = "api"


@dataclass
class _Job:
    name: str
    arguments: Any
    inject: str | None = None
    exists: bool = True
    spec: SimTool | None = None  # an ad-hoc tool of the episode's toolset (not registered)


@dataclass
class Simulator:
    """Runs tool calls against a set of simulated tools.

    `failure_rate` injects HTTP-style failures into that share of otherwise valid calls (seeded by `seed`);
    `timeout_s` / `memory_mb` limit each call in the sandbox worker; `sandbox=False` runs calls in-process
    (trusted catalog tools only).
    """

    tools: Iterable[Any] = ()
    failure_rate: float = 0.0
    seed: int = 0
    timeout_s: float = 2.0
    memory_mb: int = 512
    sandbox: bool = True
    _specs: dict[str, SimTool] = field(init=False, default_factory=dict)
    _rng: random.Random = field(init=False)
    _worker: Any = field(init=False, default=None)
    _conn: Any = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._rng = random.Random(f"simulator:{self.seed}")
        for tool in self.tools:
            self.add(tool)

    # -- registering tools -------------------------------------------------------------------------------
    def add(self, tool: Any) -> None:
        """Register a catalog Archetype (has `.tool()` and `.render_result`), a core Tool, or a SimTool."""
        spec = tool if isinstance(tool, SimTool) else _spec_of(tool)
        self._register(spec)

    def register(self, name: str, fn: Callable[..., Any], parameters: dict[str, Any] | None = None) -> None:
        """Register a user Python callable; it runs only inside the sandbox worker, under its limits."""
        self._register(SimTool(name=name, parameters=parameters or {}, fn=fn))

    def _register(self, spec: SimTool) -> None:
        self._specs[spec.name] = spec
        if self._worker is not None:  # a live worker holds the old tool table
            self.close()

    def __contains__(self, name: str) -> bool:
        return name in self._specs

    # -- running calls ---------------------------------------------------------------------------------
    def execute(self, name: str, arguments: Any, toolset: Sequence[Any] | None = None) -> ToolResult:
        return self.execute_many([(name, arguments)], None if toolset is None else [toolset])[0]

    def execute_many(self, calls: Sequence[Any], toolsets: Sequence[Sequence[Any] | None] | None = None,
                     keys: Sequence[str] | None = None) -> list[ToolResult]:
        """Run calls (pairs `(name, arguments)` or objects with `.name`/`.arguments`) in one batch, in order.

        `toolsets[i]` (core Tools) limits which tools exist for call i, as in a real episode: another name is
        `not defined`; a tool of the toolset that is not registered runs as an echo tool on its own schema.
        `keys[i]` makes the failure-injection draw of call i depend on that key alone (stable under resume).
        """
        jobs = [self._job(call, toolsets[i] if toolsets else None, keys[i] if keys else None)
                for i, call in enumerate(calls)]
        outs = self._run_sandboxed(jobs) if self.sandbox else [_run_job(self._specs, j) for j in jobs]
        return [ToolResult(ok, text, None if ok else _category(text), injected)
                for ok, text, injected in outs]

    def _job(self, call: Any, toolset: Sequence[Any] | None, key: str | None) -> _Job:
        name, arguments = (call if isinstance(call, tuple) else (call.name, call.arguments))
        name = str(name)
        job = _Job(name, arguments)
        if toolset is not None:
            tool = next((t for t in toolset if t.name == name), None)
            if tool is None:
                job.exists = False
            elif name not in self._specs or self._specs[name].parameters != tool.parameters:
                job.spec = _spec_of(tool)
        rng = random.Random(f"simulator:{self.seed}:{key}") if key is not None else self._rng
        if self.failure_rate > 0 and rng.random() < self.failure_rate:
            job.inject = rng.choice(INJECTED_FAILURES)
        return job

    # -- the sandbox -----------------------------------------------------------------------------------
    def _run_sandboxed(self, jobs: list[_Job]) -> list[tuple[bool, str, bool]]:
        results: list[tuple[bool, str, bool]] = []
        while len(results) < len(jobs):
            pending = jobs[len(results):]
            self._ensure_worker()
            self._conn.send(pending)
            for job in pending:
                out, alive = self._receive(job)
                results.append(out)
                if not alive:  # worker killed: resend the rest of the batch to a fresh one
                    break
        return results

    def _receive(self, job: _Job) -> tuple[tuple[bool, str, bool], bool]:
        """(the worker's answer for `job`, worker still alive); on timeout or crash the worker is killed."""
        try:
            if self._conn.poll(self.timeout_s):
                return self._conn.recv(), True
            reason = f"TimeoutError: {job.name}() timed out after {self.timeout_s:g} s and was killed"
        except (EOFError, OSError):
            reason = f"MemoryError: {job.name}() crashed the sandbox (memory limit {self.memory_mb} MB or fatal error)"
        self._kill_worker()
        return (False, reason, False), False

    def _ensure_worker(self) -> None:
        if self._worker is not None and self._worker.is_alive():
            return
        ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        parent, child = ctx.Pipe()
        self._worker = ctx.Process(target=_worker_main, args=(child, self._specs, self.memory_mb), daemon=True)
        self._worker.start()
        child.close()
        self._conn = parent

    def _kill_worker(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker.join(timeout=5)
        if self._conn is not None:
            self._conn.close()
        self._worker, self._conn = None, None

    def close(self) -> None:
        """Stop the worker process (it is restarted on the next call)."""
        if self._worker is not None and self._worker.is_alive():
            try:
                self._conn.send(None)
                self._worker.join(timeout=1)
            except (OSError, BrokenPipeError):
                pass
        self._kill_worker()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self._kill_worker()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def _spec_of(tool: Any) -> SimTool:
    """SimTool for a catalog Archetype (renders its result template) or a plain core Tool (echo result)."""
    if hasattr(tool, "tool") and hasattr(tool, "render_result"):
        core = tool.tool()
        return SimTool(name=core.name, parameters=core.parameters, render=tool.render_result,
                       domain=str(getattr(tool, "domain", "api")))
    return SimTool(name=tool.name, parameters=dict(tool.parameters or {}))


# -- everything below also runs inside the worker process ---------------------------------------------------
def _worker_main(conn: Any, specs: dict[str, SimTool], memory_mb: int) -> None:
    _limit_memory(memory_mb)
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            return
        if batch is None:
            return
        for job in batch:
            conn.send(_run_job(specs, job))


def _limit_memory(memory_mb: int) -> None:
    """Cap the worker's address space at what it has now plus `memory_mb` (it is forked from a big parent)."""
    try:
        with open("/proc/self/statm") as fh:
            current = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        current = 0
    limit = current + memory_mb * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass


def _run_job(specs: dict[str, SimTool], job: _Job) -> tuple[bool, str, bool]:
    """(ok, feedback text, injected) for one call; never raises."""
    try:
        spec = job.spec or (specs.get(job.name) if job.exists else None)
        if spec is None:
            return False, f"NameError: name '{job.name}' is not defined", False
        error = bind_error(spec, job.arguments)
        if error:
            return False, error, False
        if job.inject:
            return False, _injected_text(job.inject, spec), True
        return True, _result_of(spec, job.arguments), False
    except MemoryError:
        return False, f"MemoryError: {job.name}() exceeded the sandbox memory limit", False
    except BaseException as exc:  # noqa: BLE001 - a tool's own failure is feedback, not a crash
        return False, f"{type(exc).__name__}: {exc}", False


def _injected_text(template: str, spec: SimTool) -> str:
    slug = "".join(ch if ch.isalnum() else "_" for ch in spec.name).strip("_").lower() or "tool"
    host = f"api.{spec.domain.replace(' ', '-').lower()}.example.com"
    path = f"/v1/{slug}"
    return template.format(url=f"https://{host}{path}", host=host, path=path)


def _result_of(spec: SimTool, arguments: dict[str, Any]) -> str:
    if spec.fn is not None:
        out = spec.fn(**arguments)
        return out if isinstance(out, str) else json.dumps(out, sort_keys=True, ensure_ascii=False, default=str)
    key = json.dumps([spec.name, arguments], sort_keys=True, ensure_ascii=False, default=str)
    rng = random.Random(hashlib.sha256(key.encode()).hexdigest())
    if spec.render is not None:
        return str(spec.render(arguments, rng))
    return json.dumps({"status": "ok", "tool": spec.name, "result": arguments}, sort_keys=True, ensure_ascii=False)


def bind_error(spec: SimTool, arguments: Any) -> str | None:
    """CPython's error text for calling `spec` with keyword `arguments`, or None when the call binds."""
    fname = f"{spec.name}()"
    if not isinstance(arguments, dict):
        return f"TypeError: {fname} argument after ** must be a mapping, not {_pytype(arguments)}"
    props: dict[str, Any] = spec.parameters.get("properties") or {}
    if spec.fn is not None and not props:
        return None  # a plain callable: Python itself raises on a bad call
    for key in arguments:
        if key not in props:
            return f"TypeError: {fname} got an unexpected keyword argument '{key}'"
    missing = [p for p in spec.parameters.get("required") or [] if p not in arguments]
    if missing:
        return f"TypeError: {fname} {_missing_text(missing)}"
    for key, value in arguments.items():
        error = value_error(props[key], value, key)
        if error:
            return f"{error[0]}: {fname} {error[1]}" if error[0] == "TypeError" else f"{error[0]}: {error[1]}"
    return None


def _missing_text(missing: list[str]) -> str:
    """CPython's wording: 'a' / 'a' and 'b' / 'a', 'b', and 'c'."""
    quoted = [f"'{m}'" for m in missing]
    if len(quoted) == 1:
        names = quoted[0]
    elif len(quoted) == 2:
        names = f"{quoted[0]} and {quoted[1]}"
    else:
        names = ", ".join(quoted[:-1]) + f", and {quoted[-1]}"
    plural = "argument" if len(missing) == 1 else "arguments"
    return f"missing {len(missing)} required positional {plural}: {names}"


def value_error(schema: dict[str, Any], value: Any, path: str) -> tuple[str, str] | None:
    """(exception name, text) when `value` does not fit `schema` (type, enum, items, nested keys), else None."""
    expected = schema.get("type")
    types = expected if isinstance(expected, list) else [expected] if expected else []
    if types and not any(_is_type(value, t) for t in types):
        want = " or ".join(JSON_TO_PY.get(t, t) for t in types)
        return "TypeError", f"argument '{path}' must be {want}, not {_pytype(value)}"
    if "enum" in schema and value not in schema["enum"]:
        return "ValueError", f"{value!r} is not a valid {path.rsplit('.', 1)[-1]}; expected one of {schema['enum']}"
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            error = value_error(schema["items"], item, f"{path}[{i}]")
            if error:
                return error
    if isinstance(value, dict) and isinstance(schema.get("properties"), dict):
        return _object_error(schema, value, path)
    return None


def _object_error(schema: dict[str, Any], value: dict[str, Any], path: str) -> tuple[str, str] | None:
    props = schema["properties"]
    for key in value:
        if key not in props and schema.get("additionalProperties") is False:
            return "TypeError", f"argument '{path}' got an unexpected key '{key}'"
    for key in schema.get("required") or []:
        if key not in value:
            return "TypeError", f"argument '{path}' missing 1 required key: '{key}'"
    for key, item in value.items():
        if key in props:
            error = value_error(props[key], item, f"{path}.{key}")
            if error:
                return error
    return None


def _is_type(value: Any, json_type: str) -> bool:
    if json_type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if json_type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    checks = {"string": str, "boolean": bool, "array": list, "object": dict, "null": type(None)}
    py = checks.get(json_type)
    return True if py is None else isinstance(value, py)


def _pytype(value: Any) -> str:
    return type(value).__name__


def _category(text: str) -> str | None:
    category = classify(text)
    return None if category is None else str(getattr(category, "value", category))
