"""Surface diversity of a dataset next to BFCL's: distinct-bigram ratios of tool descriptions and queries,
and query lengths, each on equal-size seeded samples (a distinct-n ratio falls as a corpus grows, so only
equal sizes compare), and how multi-call answers vary (a share, over all records). Distinct-n as in Li et al.
2016; written here because no kept library ships it (checked: datasets, evaluate's metrics need a hub download)."""

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


Call = tuple[str, dict[str, Any]]


def varied_arguments(calls: Sequence[Call]) -> list[int]:
    """For each function called two or more times in one answer: how many arguments differ across its calls."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for name, arguments in calls:
        groups.setdefault(name, []).append(arguments)
    return [sum(len({json.dumps(a.get(key), sort_keys=True) for a in group}) > 1 for key in set().union(*group))
            for group in groups.values() if len(group) > 1]


def call_group_profile(answers: Iterable[Sequence[Call]]) -> dict[str, Any]:
    """Repeated-function call groups and the share of them whose calls differ in two or more arguments."""
    counts = [n for calls in answers for n in varied_arguments(calls)]
    return {"call_groups": len(counts),
            "call_groups_varying_2plus": round(sum(n >= 2 for n in counts) / len(counts), 4) if counts else 0.0}


def dataset_calls(path: Path) -> list[list[Call]]:
    """The gold calls of each record of a toolgym JSONL file."""
    return [[(c.get("name"), c.get("arguments") or {}) for c in record.get("gold") or [] if isinstance(c, dict)]
            for _, record in iter_jsonl(path)]


def bfcl_calls(categories: Iterable[str] = NON_LIVE_FILES) -> list[list[Call]]:
    """BFCL's gold answers, each parameter at its first accepted value ("" = may be left out, kept as "")."""
    from toolgym.data.decontam import bfcl_data_dir

    answers = []
    for name in categories:
        path = bfcl_data_dir() / "possible_answer" / f"BFCL_v4_{name}.json"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                truth = json.loads(line).get("ground_truth") or []
                answers.append([(fn, {k: v[0] if isinstance(v, list) and v else v for k, v in args.items()})
                                for call in truth for fn, args in call.items()])
    return answers


def compare_with_bfcl(path: Path, seed: int = 0) -> dict[str, dict[str, Any]]:
    """Profiles of `path` and of BFCL non-live on samples of the same size, and their call-group shares."""
    ours, theirs = dataset_texts(path), bfcl_texts()
    k_desc = min(len(set(ours[0])), len(set(theirs[0])))  # distinct descriptions
    k = min(len(ours[1]), len(theirs[1]))
    return {"dataset": {**profile(*ours, k_desc, k, seed), **call_group_profile(dataset_calls(path))},
            "bfcl_non_live": {**profile(*theirs, k_desc, k, seed), **call_group_profile(bfcl_calls())}}
