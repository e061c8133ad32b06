"""Simulated tools: every catalog tool runs, bad calls raise CPython's errors, the sandbox kills hostile tools."""

from __future__ import annotations

import random
import time

import pytest

from toolgym.core.schema import Tool
from toolgym.data.archetypes import load_catalog
from toolgym.envs.simulator import INJECTED_FAILURES, SimTool, Simulator, bind_error


def sleep_forever(**kwargs):
    while True:
        time.sleep(0.05)


def hog_memory(**kwargs):
    return len(bytearray(4 * 1024 ** 3))


def add(a: int, b: int = 1) -> int:
    return a + b


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def sim(catalog):
    with Simulator(catalog, timeout_s=10.0) as s:
        yield s


def test_every_catalog_tool_runs_its_gold_call(catalog, sim):
    rng = random.Random(0)
    calls = [(a.name, a.sample_call(rng)[1]) for a in catalog]
    results = sim.execute_many(calls)
    failed = [(c[0], r.content) for c, r in zip(calls, results, strict=True) if not r.ok]
    assert not failed, failed[:5]
    assert all(r.category is None and r.content for r in results)
    assert sim.execute_many(calls[:50]) == results[:50]  # deterministic results


def test_bad_calls_raise_the_errors_python_raises(catalog, sim):
    arch = next(a for a in catalog if a.required and any("enum" in s for s in a.parameters["properties"].values()))
    _, args = arch.sample_call(random.Random(1), include_optional=True)
    req = arch.required[0]
    enum_param = next(p for p, s in arch.parameters["properties"].items() if "enum" in s)
    wrong = next(p for p, s in arch.parameters["properties"].items() if s.get("type") in ("string", "integer"))
    cases = {
        "tool_hallucination": (arch.name + "_v9", args, f"NameError: name '{arch.name}_v9' is not defined"),
        "parameter_hallucination": (arch.name, {**args, "colour_mode": "x"},
                                    f"{arch.name}() got an unexpected keyword argument 'colour_mode'"),
        "parameter_missing": (arch.name, {k: v for k, v in args.items() if k != req},
                              f"{arch.name}() missing 1 required positional argument: '{req}'"),
        "wrong_type": (arch.name, {**args, wrong: [args.get(wrong, "v")]}, "must be"),
        "enum_violation": (arch.name, {**args, enum_param: "definitely-not-an-option"}, "is not a valid"),
    }
    results = sim.execute_many([(n, a) for n, a, _ in cases.values()])
    for (category, (_, _, text)), result in zip(cases.items(), results, strict=True):
        assert not result.ok and text in result.content, (category, result.content)
        assert result.category == category, (category, result.content)


def test_error_texts_match_cpython():
    spec = SimTool("add", {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                           "required": ["a"]})
    for kwargs in ({}, {"a": 1, "c": 2}):
        with pytest.raises(TypeError) as real:
            add(**kwargs)
        assert bind_error(spec, kwargs) == f"TypeError: {real.value}"
    two = SimTool("f", {"type": "object", "properties": {"x": {}, "y": {}, "z": {}}, "required": ["x", "y", "z"]})
    assert bind_error(two, {"x": 1}) == "TypeError: f() missing 2 required positional arguments: 'y' and 'z'"
    assert bind_error(two, {}).endswith("'x', 'y', and 'z'")
    assert bind_error(spec, {"a": "1"}) == "TypeError: add() argument 'a' must be int, not str"
    assert bind_error(spec, {"a": True}).endswith("must be int, not bool")


def test_toolset_limits_which_tools_exist(catalog, sim):
    a, b = catalog[0], catalog[1]
    _, args = a.sample_call(random.Random(2))
    echo = Tool("my_local_tool", "Echo.", {"type": "object", "properties": {"q": {"type": "string"}},
                                           "required": ["q"]})
    res = sim.execute_many([(a.name, args), ("my_local_tool", {"q": "hi"}), (a.name, args)],
                           toolsets=[[b.tool(), echo], [echo], [a.tool()]])
    assert res[0].category == "tool_hallucination"
    assert res[1].ok and "hi" in res[1].content
    assert res[2].ok


def test_sleeping_tool_is_killed_within_its_limit():
    with Simulator(timeout_s=1.0) as sim:
        sim.register("sleepy", sleep_forever)
        sim.register("add", add)
        start = time.monotonic()
        results = sim.execute_many([("add", {"a": 1}), ("sleepy", {}), ("add", {"a": 2, "b": 3})])
        elapsed = time.monotonic() - start
    assert elapsed < 15.0  # killed at its 1 s limit; the slack covers restarting the worker on a loaded CPU
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].content.startswith("TimeoutError") and results[1].category == "tool_instability"
    assert results[2].content == "5"


def test_memory_hog_is_stopped_and_the_worker_goes_on():
    with Simulator(timeout_s=10.0, memory_mb=256) as sim:
        sim.register("hog", hog_memory)
        sim.register("add", add)
        results = sim.execute_many([("hog", {}), ("add", {"a": 1, "b": 1})])
    assert not results[0].ok and "MemoryError" in results[0].content
    assert results[1].ok and results[1].content == "2"


def test_python_callable_errors_are_real():
    with Simulator() as sim:
        sim.register("add", add)
        out = sim.execute("add", {"b": 1})
    assert out.content == "TypeError: add() missing 1 required positional argument: 'a'"
    assert out.category == "parameter_missing"


def test_injection_rate_is_honoured_and_seeded(catalog):
    arch = catalog[0]
    rng = random.Random(3)
    calls = [(arch.name, arch.sample_call(rng)[1]) for _ in range(2000)]
    runs = []
    for _ in range(2):
        sim = Simulator([arch], failure_rate=0.25, seed=7, sandbox=False)
        runs.append(sim.execute_many(calls))
    assert runs[0] == runs[1]
    injected = [r for r in runs[0] if r.injected]
    assert 0.21 < len(injected) / len(calls) < 0.29
    assert {r.category for r in injected} <= {"tool_instability", "tool_call_failure"}
    assert len({r.content.split(":")[0] for r in injected}) == len(INJECTED_FAILURES)
    other = Simulator([arch], failure_rate=0.25, seed=8, sandbox=False).execute_many(calls)
    assert [r.injected for r in other] != [r.injected for r in runs[0]]
    keyed = Simulator([arch], failure_rate=0.5, seed=1, sandbox=False)
    first = keyed.execute_many(calls[:40], keys=[str(i) for i in range(40)])
    again = keyed.execute_many(calls[20:40], keys=[str(i) for i in range(20, 40)])
    assert first[20:] == again
