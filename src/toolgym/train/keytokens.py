"""PKT, prioritizing key tokens (TL-Training, Sec. 3.2): per-token loss weights for tool-call targets.

Key tokens, per the authors' code: the first token of the gold tool name, plus, for every candidate tool whose
name shares a prefix with the gold name, the token where the two names diverge. With K the key tokens and NK the
other target tokens of an example, key tokens get `clip(|NK| / |K|, 1, w_max)` (w_max = 9) and all other target
tokens 1; the loss is sum(w * nll) / sum(w) (see toolgym.train.sft).

Positions are found on characters and mapped to tokens through the fast tokenizer's offset mapping, so the same
code works for any tokenizer. No library computes these weights (checked: TRL, peft, transformers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

Offsets = Sequence[tuple[int, int]]


def divergence_index(gold: str, other: str) -> int | None:
    """Index in `gold` of the first character after the common prefix with `other`, or None if none is shared.

    When `gold` is a prefix of `other` the index is `len(gold)`: the character right after the name (a quote or
    bracket in the rendered call) is where the model must decide to stop.
    """
    if gold == other:
        return None
    common = 0
    for a, b in zip(gold, other, strict=False):
        if a != b:
            break
        common += 1
    return common if common > 0 else None


def key_char_offsets(gold: str, candidates: Iterable[str]) -> list[int]:
    """Character offsets, relative to the start of `gold`, whose tokens are key tokens (0 = first character)."""
    offsets = {0}
    for other in candidates:
        index = divergence_index(gold, other)
        if index is not None:
            offsets.add(index)
    return sorted(offsets)


def find_names(text: str, names: Sequence[str], start: int = 0, end: int | None = None) -> list[tuple[int, str]]:
    """(offset, name) of each of `names` in `text[start:end]`, searched in order as whole identifiers.

    Calls are rendered in order, so name i is searched after name i-1. A name that is not found is skipped.
    """
    end = len(text) if end is None else end
    found: list[tuple[int, str]] = []
    cursor = start
    for name in names:
        match = re.compile(rf"(?<![\w.]){re.escape(name)}(?![\w.])").search(text, cursor, end)
        if match is None:
            continue
        found.append((match.start(), name))
        cursor = match.end()
    return found


def token_at(offsets: Offsets, char: int) -> int | None:
    """Index of the token whose character span covers `char` (special tokens with empty spans never match)."""
    for index, (lo, hi) in enumerate(offsets):
        if lo <= char < hi:
            return index
    return None


def key_token_indices(offsets: Offsets, occurrences: Iterable[tuple[int, str]], candidates: Sequence[str]) -> set[int]:
    """Token indices of the key tokens of every gold name occurrence `(char offset, name)` in the text."""
    keys: set[int] = set()
    for start, gold in occurrences:
        for rel in key_char_offsets(gold, candidates):
            index = token_at(offsets, start + rel)
            if index is not None:
                keys.add(index)
    return keys


def key_weight(n_key: int, n_non_key: int, w_max: float = 9.0) -> float:
    """Weight of each key token: clip(|NK| / |K|, 1, w_max)."""
    if n_key == 0:
        return 1.0
    return float(min(max(n_non_key / n_key, 1.0), w_max))


def pkt_weights(target_mask: Sequence[bool], keys: Iterable[int], w_max: float = 9.0) -> list[float]:
    """Per-token weights: key target tokens get key_weight, other target tokens 1, non-target tokens 0."""
    key_set = {k for k in keys if 0 <= k < len(target_mask) and target_mask[k]}
    n_target = sum(bool(m) for m in target_mask)
    weight = key_weight(len(key_set), n_target - len(key_set), w_max)
    return [(weight if i in key_set else 1.0) if m else 0.0 for i, m in enumerate(target_mask)]
