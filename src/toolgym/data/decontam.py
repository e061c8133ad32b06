"""Decontamination against BFCL: our tool names and questions must not be BFCL's.

Compares (1) function names exactly, case-insensitively and after sanitizing dots and other separators to
`_`, (2) questions exactly after normalisation (lower case, punctuation and extra spaces removed), and
(3) word n-gram overlap (default 8-grams) of our questions with all BFCL question texts. BFCL data comes
from the pinned `bfcl-eval` wheel (its data files only, never its code).
"""

from __future__ import annotations

import functools
import json
import random
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from toolgym.core.assets import WheelAsset, fetch_wheel
from toolgym.core.errors import InputError
from toolgym.data.archetypes import POOLS_FILE, Archetype, load_catalog

BFCL_WHEEL = WheelAsset("bfcl-eval", "2026.3.23",
                        "3bb6dfa5f0c68ad403c9ec50b00db2bb3b4cc9b38ab1ff33f48fe30d853d3a0a")
NGRAM = 8
_WORD = re.compile(r"[a-z0-9]+")


def normalize_name(name: str) -> str:
    """Lower case with dots, dashes and spaces turned into `_` (how BFCL names are sanitized)."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def normalize_text(text: str) -> str:
    """Lower-case words joined by single spaces (punctuation dropped)."""
    return " ".join(_WORD.findall(text.lower()))


def ngrams(text: str, n: int = NGRAM) -> set[tuple[str, ...]]:
    toks = _WORD.findall(text.lower())
    return {tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)}


# ---------------------------------------------------------------- BFCL side


def bfcl_data_dir() -> Path:
    return fetch_wheel(BFCL_WHEEL) / "bfcl_eval" / "data"


def _jsonl(path: Path) -> Iterable[dict]:
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            return  # not a JSON-lines file (e.g. BFCL_v4_format_sensitivity.json is one object)
        if isinstance(rec, dict):
            yield rec


@functools.lru_cache(maxsize=1)
def _bfcl() -> tuple[frozenset[str], tuple[str, ...]]:
    data = bfcl_data_dir()
    names: set[str] = set()
    questions: list[str] = []
    for path in sorted(data.glob("BFCL_v4_*.json")):
        for rec in _jsonl(path):
            names.update(f["name"] for f in rec.get("function") or [] if isinstance(f, dict) and "name" in f)
            questions.extend(_user_texts(rec.get("question") or []))
    for path in sorted((data / "multi_turn_func_doc").glob("*.json")):
        names.update(r["name"] for r in _jsonl(path) if "name" in r)
    return frozenset(names), tuple(questions)


def _user_texts(turns: Any) -> list[str]:
    out = []
    for turn in turns:
        msgs = turn if isinstance(turn, list) else [turn]
        out.extend(m["content"] for m in msgs
                   if isinstance(m, dict) and m.get("role") == "user" and isinstance(m.get("content"), str))
    return out


def bfcl_function_names() -> frozenset[str]:
    """Every function name in BFCL v4 (all test categories and the multi-turn function docs)."""
    return _bfcl()[0]


def cached_bfcl_function_names() -> frozenset[str]:
    """BFCL's function names when the wheel is already cached, else empty (no download)."""
    from toolgym.core.assets import is_fetched

    return bfcl_function_names() if is_fetched(BFCL_WHEEL) else frozenset()


def bfcl_questions() -> tuple[str, ...]:
    """Every user message text in BFCL v4."""
    return _bfcl()[1]


@functools.lru_cache(maxsize=2)
def _bfcl_index(n: int) -> tuple[frozenset[str], frozenset[str], frozenset[tuple[str, ...]]]:
    names, questions = _bfcl()
    grams: set[tuple[str, ...]] = set()
    for q in questions:
        grams |= ngrams(q, n)
    return (frozenset(normalize_name(x) for x in names), frozenset(normalize_text(q) for q in questions),
            frozenset(grams))


# ---------------------------------------------------------------- our side


def catalog_names_and_questions(catalog: Sequence[Archetype], per_template: int = 3,
                                seed: int = 0) -> tuple[list[str], list[str]]:
    """Tool names, and `per_template` rendered queries for every template of every archetype."""
    rng = random.Random(seed)
    questions = [a.sample_call(rng, template_index=t)[0]
                 for a in catalog for t in range(len(a.templates)) for _ in range(per_template)]
    return [a.name for a in catalog], questions


def records_names_and_questions(records: Iterable[dict]) -> tuple[list[str], list[str]]:
    """Tool names and user texts of toolgym records."""
    names: set[str] = set()
    questions: list[str] = []
    for rec in records:
        names.update(t["function"]["name"] for t in rec.get("tools") or [])
        questions.extend(_user_texts([rec.get("messages") or []]))
    return sorted(names), questions


def dataset_names_and_questions(folder: Path) -> tuple[list[str], list[str]]:
    """Tool names and user texts of every record in the folder's *.jsonl files (OpenAI record format)."""
    names: set[str] = set()
    questions: list[str] = []
    files = sorted(folder.rglob("*.jsonl"))
    if not files:
        raise InputError("no *.jsonl files found", file=str(folder))
    for path in files:
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON: {exc.msg}", file=str(path), record=i) from None
            for tool in rec.get("tools") or []:
                fn = tool.get("function", tool) if isinstance(tool, dict) else {}
                if isinstance(fn, dict) and isinstance(fn.get("name"), str):
                    names.add(fn["name"])
            questions.extend(_user_texts([rec.get("messages") or []]))
    return sorted(names), questions


def _is_catalog_dir(folder: Path) -> bool:
    return (folder / POOLS_FILE).exists()


def decontam_report(source: str | Path | Sequence[Archetype] | None = None, *, n: int = NGRAM,
                    per_template: int = 3, seed: int = 0, examples: int = 5) -> dict[str, Any]:
    """Overlap of a catalog (folder or loaded archetypes; default: the packaged catalog) or a dataset folder of
    JSONL records (synthesized or imported) with BFCL: exact names, exact questions, and n-gram overlap (public
    data in another format: `data.interop.import_overlap_report`)."""
    if source is None or not isinstance(source, (str, Path)):
        catalog = load_catalog() if source is None else list(source)
        names, questions = catalog_names_and_questions(catalog, per_template, seed)
        kind = "catalog"
    else:
        folder = Path(source)
        if not folder.is_dir():
            raise InputError("not a folder", file=str(folder))
        if _is_catalog_dir(folder):
            names, questions = catalog_names_and_questions(load_catalog(folder), per_template, seed)
            kind = "catalog"
        else:
            names, questions = dataset_names_and_questions(folder)
            kind = "dataset"
    return overlap_report(names, questions, n=n, examples=examples) | {"source": kind}


def overlap_report(names: Iterable[str], questions: Iterable[str], *, n: int = NGRAM,
                   examples: int = 5) -> dict[str, Any]:
    """The overlap numbers for given names and questions."""
    bfcl_names, bfcl_qs, bfcl_grams = _bfcl_index(n)
    names, questions = sorted(set(names)), list(questions)
    name_hits = [x for x in names if normalize_name(x) in bfcl_names]
    unique_qs = sorted({normalize_text(q) for q in questions})
    q_hits = [q for q in unique_qs if q in bfcl_qs]
    total = shared = touched = 0
    for q in unique_qs:
        grams = ngrams(q, n)
        hit = len(grams & bfcl_grams)
        total, shared, touched = total + len(grams), shared + hit, touched + (hit > 0)
    return {
        "names": len(names), "questions": len(questions), "unique_questions": len(unique_qs),
        "bfcl_names": len(bfcl_names), "bfcl_questions": len(bfcl_qs),
        "exact_name_overlap": len(name_hits), "exact_name_examples": name_hits[:examples],
        "exact_question_overlap": len(q_hits), "exact_question_examples": q_hits[:examples],
        "ngram_n": n, "ngram_overlap_rate": shared / total if total else 0.0,
        "questions_with_ngram_overlap": touched / len(unique_qs) if unique_qs else 0.0,
    }


def overlap_line(report: dict[str, Any], what: str) -> str:
    """One line on `what`'s overlap with BFCL (an `overlap_report`), a warning when a question or name is BFCL's."""
    line = (f"{what} vs BFCL: {report['exact_question_overlap']} exact question and "
            f"{report['exact_name_overlap']} exact tool-name overlaps, {report['ngram_n']}-gram rate "
            f"{report['ngram_overlap_rate']:.4f}")
    examples = report["exact_question_examples"] + report["exact_name_examples"]
    if examples:
        line += f"; WARNING: BFCL is the test set, these would leak it into training: {examples}"
    return line
