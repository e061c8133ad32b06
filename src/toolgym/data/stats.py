"""Dataset statistics (`toolgym data stats`): counts per type, tools, domains, JSON-type coverage, the checker's
pass rate on the gold calls and prompt token lengths. Bad records are counted and skipped (strict: raise)."""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from toolgym.core.errors import AssetError, InputError
from toolgym.core.schema import Message, Sample, Tool
from toolgym.models.registry import DEFAULT_MODEL, resolve_model

JSON_TYPES = ("string", "integer", "number", "boolean", "enum", "array", "object")


def dataset_files(folder: Path) -> list[Path]:
    """The *.jsonl files of a dataset folder; InputError when it is not one."""
    if not folder.is_dir():
        raise InputError("not a dataset folder", file=str(folder))
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise InputError("no *.jsonl files in folder", file=str(folder))
    return files


def compute_stats(folder: Path, tokenizer: Any = None, token_samples: int = 2000,
                  strict: bool | None = None) -> dict[str, Any]:
    """Counts per type, tools, domains, JSON-type coverage, checker pass rate and prompt token lengths."""
    from toolgym.core.checker import check_calls
    from toolgym.data.io import ReadStats, read_samples

    out: dict[str, Any] = {"files": {}, "types": Counter(), "domains": set(), "gold_tools": set(),
                           "toolset_tools": set(), "json_types": Counter(), "gold_calls": 0, "gold_pass": 0,
                           "bad_records": 0, "bad_reasons": [], "toolset_sizes": []}
    prompts: list[tuple[list[Message], list[Tool]]] = []
    for path in dataset_files(folder):
        read = ReadStats()
        samples: list[Sample] = list(read_samples(path, stats=read, strict=strict))
        out["files"][path.name] = len(samples)
        out["bad_records"] += read.bad
        out["bad_reasons"] += read.errors
        if path.name.startswith("trajectories"):  # episodes repeat train samples: listed, not recounted
            continue
        for s in samples:
            out["types"][s.type] += 1
            out["domains"].add(s.meta.get("domain"))
            out["toolset_tools"].update(t.name for t in s.tools)
            out["toolset_sizes"].append(len(s.tools))
            tools = {t.name: t for t in s.tools}
            for call in s.gold:
                out["gold_tools"].add(call.name)
                if call.name in tools:
                    _count_json_types(tools[call.name].properties, call.arguments, out["json_types"])
            if s.gold:
                verdict = check_calls(s.gold, s.tools)
                out["gold_calls"] += len(s.gold)
                out["gold_pass"] += len(s.gold) if verdict.ok else len(s.gold) - len(
                    {e.call_index for e in verdict.errors})
            if path.name == "train.jsonl":
                prompts.append((s.messages[:1], s.tools))
    if tokenizer is not None and prompts:
        out["prompt_tokens"] = prompt_tokens(tokenizer, prompts, token_samples, strict=strict)
    return out


def _count_json_types(props: dict[str, Any], arguments: dict[str, Any], counter: Counter[str]) -> None:
    for key in arguments:
        schema = props.get(key) if isinstance(props.get(key), dict) else {}
        counter["enum" if "enum" in schema else str(schema.get("type", "any"))] += 1
        items = schema.get("items") if isinstance(schema.get("items"), dict) else None
        if items and "enum" in items:
            counter["enum"] += 1
        if schema.get("type") == "object" and isinstance(arguments[key], dict):
            _count_json_types(schema.get("properties") or {}, arguments[key], counter)


def prompt_tokens(tokenizer: Any, prompts: list[tuple[list[Message], list[Tool]]], limit: int,
                  strict: bool | None = None) -> dict[str, Any]:
    """Token lengths of (an even sample of) the prompts; a prompt the chat template cannot render is skipped."""
    from toolgym.core.formats import render_prompt
    from toolgym.data.io import ReadStats, strict_default

    strict = strict_default() if strict is None else strict
    step = max(1, len(prompts) // limit) if limit else 1
    lengths: list[int] = []
    skipped = ReadStats()
    for messages, tools in prompts[::step]:
        try:
            text = render_prompt(tokenizer, messages, tools)
        except InputError as err:
            if strict:
                raise
            skipped.skip(err)
            continue
        lengths.append(len(tokenizer(text, add_special_tokens=False)["input_ids"]))
    if not lengths:
        return {"n": 0, "skipped": skipped.bad, "median": 0, "p90": 0, "max": 0}
    lengths.sort()
    return {"n": len(lengths), "skipped": skipped.bad, "median": statistics.median(lengths),
            "p90": lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))], "max": lengths[-1]}


def load_tokenizer(name: str = DEFAULT_MODEL) -> Any:
    """The tokenizer of model `name` (the embedded default, fetched and converted once by the registry)."""
    from transformers import AutoTokenizer

    location = resolve_model(name)
    try:
        return AutoTokenizer.from_pretrained(str(location))
    except (OSError, ValueError) as exc:
        raise AssetError(f"tokenizer of {name!r} at {location}: {' '.join(str(exc).split())[:200]}") from None
