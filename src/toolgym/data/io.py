"""JSONL read/write for toolgym records: byte-stable output, resumable appends, bad records counted and skipped.

Checked `datasets` (its JSON writer does not promise sorted keys or byte-identical output, and has no
append-with-resume), so JSONL is written here with `json.dumps(sort_keys=True)`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError


def dumps_record(record: dict[str, Any]) -> str:
    """One record as one canonical JSON line (sorted keys, compact, UTF-8): the same record, the same bytes."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass
class ReadStats:
    """What a lenient read saw: good records, and the bad ones that were skipped (with their one-line reason)."""

    ok: int = 0
    bad: int = 0
    errors: list[str] = field(default_factory=list)

    def skip(self, err: Exception, keep: int = 20) -> None:
        self.bad += 1
        if len(self.errors) < keep:
            self.errors.append(str(err))


def iter_jsonl(path: str | Path, *, strict: bool = False, stats: ReadStats | None = None
               ) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield `(line_number, record)` for each JSON object line of `path` (1-based; blank lines ignored).

    A line that is not a JSON object raises InputError naming file and line when `strict`; otherwise it is
    counted in `stats` and skipped.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    stats = stats if stats is not None else ReadStats()
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = _parse_line(line, path, lineno)
            except InputError as err:
                if strict:
                    raise
                stats.skip(err)
                continue
            stats.ok += 1
            yield lineno, record


def _parse_line(line: str, path: Path, lineno: int) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg} at column {exc.colno})", file=str(path), record=lineno) from None
    if not isinstance(record, dict):
        raise InputError(f"expected a JSON object, got {type(record).__name__}", file=str(path), record=lineno)
    return record


def read_samples(path: str | Path, *, strict: bool = False, stats: ReadStats | None = None) -> Iterator[Any]:
    """Yield `core.schema.Sample`s from a JSONL file; bad records raise (strict) or are counted and skipped."""
    from toolgym.core.schema import Sample

    stats = stats if stats is not None else ReadStats()
    for lineno, record in iter_jsonl(path, strict=strict, stats=stats):
        try:
            yield Sample.from_record(record, file=str(path), line=lineno)
        except InputError as err:
            if strict:
                raise
            stats.ok -= 1
            stats.skip(err)


def write_jsonl(path: str | Path, records: Iterable[dict[str, Any]]) -> int:
    """Write `records` to `path` (replacing it) atomically; return how many were written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    count = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(dumps_record(record) + "\n")
            count += 1
    tmp.replace(path)
    return count


def complete_lines(path: str | Path) -> int:
    """Resume point of an append-only JSONL file: drop a torn last line (no newline), return whole lines kept."""
    path = Path(path)
    if not path.exists():
        return 0
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        with path.open("r+b") as fh:
            fh.truncate(cut)
        data = data[:cut]
    return data.count(b"\n")


class JsonlAppender:
    """Append records to a JSONL file, resuming after the whole lines already there.

    `skip` tells the caller how many leading records of a deterministic stream are already on disk; each
    `write` flushes so an interrupted run loses at most the record being written.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.skip = complete_lines(self.path)
        self.written = 0
        self._fh = self.path.open("a", encoding="utf-8")

    def write(self, record: dict[str, Any]) -> None:
        self._fh.write(dumps_record(record) + "\n")
        self._fh.flush()
        self.written += 1

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
