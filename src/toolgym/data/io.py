"""JSONL read/write for toolgym records: byte-stable output, resumable appends, bad records counted and skipped.

Checked `datasets` (its JSON writer does not promise sorted keys or byte-identical output, and has no
append-with-resume), so JSONL is written here with `json.dumps(sort_keys=True)`.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError


def dumps_record(record: dict[str, Any]) -> str:
    """One record as one canonical JSON line (sorted keys, compact, UTF-8): the same record, the same bytes."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


STRICT_ENV = "TOOLGYM_STRICT"  # "1": every lenient reader stops at the first bad record (`toolgym --strict`)
_log = logging.getLogger(__name__)


def strict_default() -> bool:
    """Whether readers are strict unless told otherwise: the TOOLGYM_STRICT environment variable."""
    return os.environ.get(STRICT_ENV, "").strip().lower() in ("1", "true", "yes")


@dataclass
class ReadStats:
    """What a lenient read saw: good records, and the bad ones that were skipped (with their one-line reason).

    Each skip is logged as one warning line (the first `keep` per reader; all are counted), and `summary()`
    is the count to print at the end.
    """

    ok: int = 0
    bad: int = 0
    errors: list[str] = field(default_factory=list)
    keep: int = 20

    def skip(self, err: Exception) -> None:
        self.bad += 1
        reason = " ".join(str(err).split())
        if len(self.errors) < self.keep:
            self.errors.append(reason)
            _log.warning("skipped a bad record: %s", reason)

    def summary(self, source: str | Path) -> str:
        more = f" (reasons logged for the first {self.keep})" if self.bad > self.keep else ""
        return f"{source}: {self.ok} records read, {self.bad} bad records skipped{more}"


def iter_jsonl(path: str | Path, *, strict: bool | None = None, stats: ReadStats | None = None
               ) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield `(line_number, record)` for each JSON object line of `path` (1-based; blank lines ignored).

    A line that is not UTF-8 or not a JSON object raises InputError naming file and line when `strict`
    (default: `strict_default()`); otherwise it is counted in `stats`, logged and skipped, and a summary
    line is logged at the end when any were.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    strict = strict_default() if strict is None else strict
    stats = stats if stats is not None else ReadStats()
    bad_before = stats.bad
    try:
        with path.open("rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    record = _parse_line(raw, path, lineno)
                except InputError as err:
                    if strict:
                        raise
                    stats.skip(err)
                    continue
                stats.ok += 1
                yield lineno, record
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    if stats.bad > bad_before:
        _log.warning("%s", stats.summary(path))


def _parse_line(raw: bytes, path: Path, lineno: int) -> dict[str, Any]:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})", file=str(path),
                         record=lineno) from None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg} at column {exc.colno})", file=str(path), record=lineno) from None
    except RecursionError:
        raise InputError("not valid JSON (nested too deeply)", file=str(path), record=lineno) from None
    if not isinstance(record, dict):
        raise InputError(f"expected a JSON object, got {type(record).__name__}", file=str(path), record=lineno)
    return record


def read_samples(path: str | Path, *, strict: bool | None = None, stats: ReadStats | None = None) -> Iterator[Any]:
    """Yield `core.schema.Sample`s from a JSONL file; bad records raise (strict) or are counted and skipped."""
    from toolgym.core.schema import Sample

    strict = strict_default() if strict is None else strict
    stats = stats if stats is not None else ReadStats()
    for lineno, record in iter_jsonl(path, strict=strict, stats=stats):
        try:
            yield Sample.from_record(record, file=str(path), line=lineno)
        except InputError as err:
            if strict:
                raise
            stats.ok -= 1
            stats.skip(err)
        except RecursionError:
            err = InputError("nested too deeply", file=str(path), record=lineno)
            if strict:
                raise err from None
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
