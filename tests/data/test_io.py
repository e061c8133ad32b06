"""JSONL io: canonical bytes, bad records named by file/line/field or counted and skipped, torn-tail resume."""

from __future__ import annotations

import pytest

from toolgym.core.errors import InputError
from toolgym.data.io import (
    JsonlAppender,
    ReadStats,
    complete_lines,
    dumps_record,
    iter_jsonl,
    read_samples,
    write_jsonl,
)

GOOD = {"id": "a", "type": "single", "messages": [{"role": "user", "content": "hi"}], "gold": []}
TOOL = {"type": "function", "function": {"name": "f", "description": "F.", "parameters": {
    "type": "object", "properties": {}}}}


def test_dumps_is_canonical():
    assert dumps_record({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


def test_roundtrip_and_lenient_skip(tmp_path):
    path = tmp_path / "x.jsonl"
    write_jsonl(path, [GOOD, {**GOOD, "id": "b"}])
    path.write_text(path.read_text() + "{not json\n[1]\n" + dumps_record({**GOOD, "id": "c"}) + "\n")
    stats = ReadStats()
    assert [r["id"] for _, r in iter_jsonl(path, stats=stats)] == ["a", "b", "c"]
    assert (stats.ok, stats.bad) == (3, 2) and "record 3" in stats.errors[0]
    with pytest.raises(InputError, match=r"x\.jsonl, record 3: not valid JSON"):
        list(iter_jsonl(path, strict=True))


def test_read_samples_names_the_field(tmp_path):
    path = tmp_path / "s.jsonl"
    write_jsonl(path, [GOOD, {**GOOD, "messages": [{"role": "robot"}]}])
    stats = ReadStats()
    assert [s.id for s in read_samples(path, stats=stats)] == ["a"]
    assert stats.bad == 1 and stats.ok == 1
    with pytest.raises(InputError) as err:
        list(read_samples(path, strict=True))
    assert "s.jsonl" in str(err.value) and "record 2" in str(err.value) and "messages[0].role" in str(err.value)
    with pytest.raises(InputError, match="no such file"):
        list(iter_jsonl(tmp_path / "missing.jsonl"))


def test_appender_resumes_after_a_torn_line(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_bytes(b'{"id":1}\n{"id":2}\n{"id":')
    assert complete_lines(path) == 2 and path.read_bytes() == b'{"id":1}\n{"id":2}\n'
    with JsonlAppender(path) as sink:
        assert sink.skip == 2
        for i in range(5):
            if i >= sink.skip:
                sink.write({"id": i + 1})
    assert [r["id"] for _, r in iter_jsonl(path, strict=True)] == [1, 2, 3, 4, 5]


def test_undecodable_bytes_are_one_bad_record_not_a_crash(tmp_path, caplog):
    path = tmp_path / "x.jsonl"
    path.write_bytes(dumps_record(GOOD).encode() + b"\n" + b'{"id": "\xff"}\n' + b"\xc3\x28\n"
                     + dumps_record({**GOOD, "id": "z"}).encode() + b"\n")
    stats = ReadStats()
    with caplog.at_level("WARNING", logger="toolgym.data.io"):
        assert [r["id"] for _, r in iter_jsonl(path, stats=stats)] == ["a", "z"]
    assert (stats.ok, stats.bad) == (2, 2)
    assert "record 2: not UTF-8 (byte 0xff at column 9)" in stats.errors[0]
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 3 and warnings[-1].endswith("2 records read, 2 bad records skipped")
    assert all("\n" not in w for w in warnings)
    with pytest.raises(InputError, match="record 2: not UTF-8"):
        list(iter_jsonl(path, strict=True))


def test_strict_mode_is_opt_in_through_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "x.jsonl"
    path.write_text(dumps_record(GOOD) + "\n[1]\n")
    assert len(list(iter_jsonl(path))) == 1
    monkeypatch.setenv("TOOLGYM_STRICT", "1")
    with pytest.raises(InputError, match="record 2: expected a JSON object"):
        list(iter_jsonl(path))
    assert len(list(iter_jsonl(path, strict=False))) == 1


@pytest.mark.parametrize(("record", "reason"), [
    ({**GOOD, "tools": [TOOL, TOOL]}, "duplicate tool name 'f'"),
    ({**GOOD, "messages": "hi"}, "'messages' must be a list"),
    ({k: v for k, v in GOOD.items() if k != "messages"}, "missing 'messages'"),
    ({**GOOD, "gold": [{"name": "f", "arguments": "{"}]}, "arguments of 'f' are not valid JSON"),
    ({**GOOD, "id": 1.5}, "missing or non-string 'id'"),
])
def test_wrong_field_types_are_skipped_with_their_reason(tmp_path, record, reason):
    path = tmp_path / "s.jsonl"
    write_jsonl(path, [GOOD, record])
    stats = ReadStats()
    assert len(list(read_samples(path, stats=stats))) == 1
    assert stats.bad == 1 and "record 2" in stats.errors[0] and reason in stats.errors[0]


def test_deeply_nested_json_is_a_bad_record(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n" + dumps_record(GOOD) + "\n")
    stats = ReadStats()
    assert len(list(read_samples(path, stats=stats))) == 1 and stats.bad == 1
