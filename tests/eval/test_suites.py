"""eval.suites: toolgym JSONL test sets scored by exact gold calls."""

from __future__ import annotations

import json

import pytest

from toolgym.core.checker import ErrorCategory
from toolgym.core.errors import InputError
from toolgym.core.schema import ToolCall
from toolgym.data.io import ReadStats
from toolgym.eval.suites import load_suite_cases

TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather.", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city"]}}}


def write(path, records) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def record(i: int, gold: list, kind: str = "single") -> dict:
    return {"id": f"s{i}", "type": kind, "messages": [{"role": "user", "content": "Weather in Paris?"}],
            "tools": [TOOL], "gold": gold, "meta": {"split": "test_seen_tool_seen_query"}}


def test_exact_gold_scoring(tmp_path) -> None:
    file = tmp_path / "suite.jsonl"
    write(file, [record(0, [{"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}]),
                 record(1, [], "zero_to_one_without")])
    call, none = load_suite_cases(file)
    assert call.category == "single" and none.category == "zero_to_one_without"
    assert call.score([ToolCall("get_weather", {"days": 2.0, "city": "Paris"})]).ok
    wrong = call.score([ToolCall("get_weather", {"city": "Lyon", "days": 2})])
    assert (wrong.ok, wrong.ts, wrong.pi, wrong.error_type, wrong.param) == (False, True, True, "value_error", "city")
    missing = call.score([ToolCall("get_weather", {"city": "Paris"})])
    assert (missing.pi, missing.error_type, missing.category, missing.param) == (
        False, "missing_required", ErrorCategory.parameter_missing, "days")
    hallucinated = call.score([ToolCall("get_forecast", {"city": "Paris", "days": 2})])
    assert (hallucinated.ts, hallucinated.category) == (False, ErrorCategory.tool_hallucination)
    assert none.score([]).ok and not none.score([ToolCall("get_weather", {"city": "Paris"})]).ok


def test_bad_records_are_skipped_or_named_in_strict_mode(tmp_path) -> None:
    file = tmp_path / "bad.jsonl"
    write(file, [record(0, []), {**record(1, []), "tools": [{"type": "function", "function": {"name": ""}}]},
                 {**record(2, []), "tools": [TOOL, TOOL]}])
    with file.open("ab") as fh:
        fh.write(b'{"id": "\xff\xfe"}\n{not json\n')
    fh_stats = ReadStats()
    cases = load_suite_cases(file, stats=fh_stats)  # one bad row no longer fails the whole evaluation
    assert [c.id for c in cases] == ["s0"] and fh_stats.bad == 4
    assert "duplicate tool name 'get_weather'" in fh_stats.errors[1] and "not UTF-8" in fh_stats.errors[2]
    with pytest.raises(InputError, match=r"bad\.jsonl.*record 2.*field tools\[0\]"):
        load_suite_cases(file, strict=True)
    file.write_text("{not json\n")
    with pytest.raises(InputError, match="no valid records.*record 1: not valid JSON"):
        load_suite_cases(file)
    with pytest.raises(InputError, match="no such file"):
        load_suite_cases(tmp_path / "missing.jsonl")
