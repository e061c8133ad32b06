"""Surface diversity of a dataset next to BFCL's: distinct-bigram ratios of tool descriptions and queries,
and query lengths, each on equal-size seeded samples (a distinct-n ratio falls as a corpus grows, so only
equal sizes compare). Distinct-n as in Li et al. 2016; written here because no kept library ships it
(checked: datasets, evaluate's metrics need a hub download)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from toolgym.data.io import iter_jsonl

_WORD = re.compile(r"[a-z0-9]+")
NON_LIVE_FILES = ("simple_python", "multiple", "parallel", "parallel_multiple")


def distinct_bigrams(texts: Sequence[str]) -> float:
    grams: list[tuple[str, str]] = []
    for text in texts:
        words = _WORD.findall(text.lower())
        grams.extend(zip(words, words[1:], strict=False))
    return round(len(set(grams)) / len(grams), 4) if grams else 0.0


def mean_words(texts: Sequence[str]) -> float:
    return round(sum(len(_WORD.findall(t.lower())) for t in texts) / len(texts), 1) if texts else 0.0


def _sample(texts: Sequence[str], k: int, seed: int) -> list[str]:
    return list(texts) if len(texts) <= k else random.Random(seed).sample(list(texts), k)


def profile(descriptions: Sequence[str], queries: Sequence[str], k_descriptions: int, k_queries: int,
            seed: int = 0) -> dict[str, Any]:
    d, q = _sample(sorted(set(descriptions)), k_descriptions, seed), _sample(queries, k_queries, seed)
    return {"descriptions": len(d), "description_distinct_2": distinct_bigrams(d), "queries": len(q),
            "query_distinct_2": distinct_bigrams(q), "query_mean_words": mean_words(q)}


def dataset_texts(path: Path) -> tuple[list[str], list[str]]:
    """(tool descriptions, first user queries) of a toolgym JSONL file; bad rows are skipped by the reader."""
    descriptions, queries = [], []
    for _, record in iter_jsonl(path):
        for tool in record.get("tools") or []:
            fn = tool.get("function", tool) if isinstance(tool, dict) else {}
            if isinstance(fn, dict) and isinstance(fn.get("description"), str):
                descriptions.append(fn["description"])
        users = [m.get("content") for m in record.get("messages") or [] if isinstance(m, dict)
                 and m.get("role") == "user" and isinstance(m.get("content"), str)]
        queries.extend(users[:1])
    return descriptions, queries


def bfcl_texts(categories: Iterable[str] = NON_LIVE_FILES) -> tuple[list[str], list[str]]:
    """(function descriptions, questions) of BFCL's non-live categories (the pinned wheel's data)."""
    from toolgym.data.decontam import _user_texts, bfcl_data_dir

    descriptions, queries = [], []
    for name in categories:
        for line in (bfcl_data_dir() / f"BFCL_v4_{name}.json").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            descriptions.extend(f.get("description", "") for f in rec.get("function") or [] if isinstance(f, dict))
            queries.extend(_user_texts(rec.get("question") or [])[:1])
    return descriptions, queries


def compare_with_bfcl(path: Path, seed: int = 0) -> dict[str, dict[str, Any]]:
    """Profiles of `path` and of BFCL non-live on samples of the same size."""
    ours, theirs = dataset_texts(path), bfcl_texts()
    k_desc = min(len(set(ours[0])), len(set(theirs[0])))  # distinct descriptions
    k = min(len(ours[1]), len(theirs[1]))
    return {"dataset": profile(*ours, k_desc, k, seed), "bfcl_non_live": profile(*theirs, k_desc, k, seed)}
