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
