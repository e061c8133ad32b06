"""Unlabeled query pools for self-evolution, and the held-out dev set each round is scored on.

A pool entry is `{"id", "query", "gold", "gold_tools"}`; the model only ever sees `query`. Synthetic pools come
from the synthetic engine (`toolgym.data.synth.iter_records`) with their own seed, keep only queries that need a
call, and drop every query that also occurs in the run's dataset (train and test files) or in the dev set, so
evolution never sees a training or test query. Their gold calls are kept for quality control only. A user's
pool is a JSONL file (`{"query": ...}` or contract records) or a text file (one query per line).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError
from toolgym.data.io import ReadStats, iter_jsonl, write_jsonl

POOL_MIX = {"single": 0.35, "parallel": 0.2, "multiple": 0.25, "parallel_multiple": 0.2}
DEV_MIX = {"single": 0.25, "parallel": 0.15, "multiple": 0.25, "parallel_multiple": 0.15, "no_tool": 0.1,
           "weak_to_strong": 0.1}


def record_query(record: dict[str, Any]) -> str | None:
    """The first user message's text of a contract record."""
    for message in record.get("messages") or []:
        if isinstance(message, dict) and message.get("role") == "user" and isinstance(message.get("content"), str):
            return message["content"]
    return None


def dataset_queries(data_dir: Path | None) -> set[str]:
    """Every query of every *.jsonl in the run's dataset folder (train and the test sets)."""
    if data_dir is None or not Path(data_dir).is_dir():
        return set()
    queries = set()
    for path in sorted(Path(data_dir).glob("*.jsonl")):
        for _, record in iter_jsonl(path):
            query = record_query(record)
            if query:
                queries.add(query.strip())
    return queries


def pool_entry(record: dict[str, Any], query: str, index: int, prefix: str) -> dict[str, Any]:
    """A pool entry from a synthetic record: the query, plus gold calls and the tools they use (QC only)."""
    gold = [{"name": c["name"], "arguments": c["arguments"]} for c in record.get("gold") or []]
    used = {c["name"] for c in gold}
    tools = [t for t in record.get("tools") or [] if (t.get("function") or t).get("name") in used]
    return {"id": f"{prefix}-{index:06d}", "query": query, "gold": gold, "gold_tools": tools,
            "source": record.get("id")}


def synthetic_records(n: int, seed: int, mix: dict[str, float], exclude: set[str],
                      need_calls: bool) -> Iterator[tuple[dict[str, Any], str]]:
    """Up to `n` (record, query) pairs of the engine's seen-tool split, with queries outside `exclude`."""
    from toolgym.data.synth import iter_records

    made = 0
    seen = set(exclude)
    for record in iter_records(20 * n + 200, seed, mix, split="train"):
        query = (record_query(record) or "").strip()
        if not query or query in seen or (need_calls and not record.get("gold")):
            continue
        seen.add(query)
        made += 1
        yield record, query
        if made >= n:
            return


def synthetic_pool(n: int, seed: int, exclude: set[str], prefix: str = "pool") -> list[dict[str, Any]]:
    """`n` unlabeled queries that need a call, none of them in `exclude`."""
    pairs = synthetic_records(n, seed, POOL_MIX, exclude, need_calls=True)
    return [pool_entry(record, query, i, prefix) for i, (record, query) in enumerate(pairs)]


def synthetic_dev(n: int, seed: int, exclude: set[str]) -> list[dict[str, Any]]:
    """`n` held-out contract records (seen tools, new queries) to score each round on."""
    out = []
    for i, (record, _) in enumerate(synthetic_records(n, seed, DEV_MIX, exclude, need_calls=False)):
        out.append({**record, "id": f"dev-{i:06d}", "meta": {**record.get("meta", {}), "split": "dev"}})
    return out


def load_pool_file(path: str | Path, stats: ReadStats | None = None) -> list[dict[str, Any]]:
    """Pool entries from a user's file; a bad line is counted in `stats` and skipped."""
    file = Path(path)
    if not file.is_file():
        raise InputError("query pool file not found", file=str(file))
    stats = stats if stats is not None else ReadStats()
    rows = list(_text_rows(file, stats) if file.suffix not in (".jsonl", ".json") else _jsonl_rows(file, stats))
    if not rows:
        raise InputError("no usable queries" + (f" ({stats.errors[0]})" if stats.errors else ""), file=str(file))
    return [{"id": f"file-{i:06d}", **row} for i, row in enumerate(rows)]


def _text_rows(file: Path, stats: ReadStats) -> Iterable[dict[str, Any]]:
    for line in file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            stats.ok += 1
            yield {"query": line.strip(), "gold": None, "gold_tools": None, "source": None}


def _jsonl_rows(file: Path, stats: ReadStats) -> Iterable[dict[str, Any]]:
    for lineno, record in iter_jsonl(file, stats=stats):
        query = record.get("query") if isinstance(record.get("query"), str) else record_query(record)
        if not query or not query.strip():
            stats.ok -= 1
            stats.skip(InputError("no query text", file=str(file), record=lineno, field="query"))
            continue
        gold = record.get("gold") if isinstance(record.get("gold"), list) else None
        yield {"query": query.strip(), "gold": gold, "gold_tools": record.get("tools"), "source": record.get("id")}


def round_slices(pool: list[dict[str, Any]], rounds: int, per_round: int) -> list[list[dict[str, Any]]]:
    """Disjoint consecutive slices of the pool, one per round (fewer queries when the pool is short)."""
    return [pool[r * per_round:(r + 1) * per_round] for r in range(rounds)]


def load_or_write(path: Path, build: Any) -> list[dict[str, Any]]:
    """Read `path` if a previous run wrote it (so resumed runs use the very same queries), else build + write."""
    if path.is_file():
        return [record for _, record in iter_jsonl(path, strict=True)]
    records = build()
    write_jsonl(path, records)
    return records
