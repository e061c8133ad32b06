"""PKT, prioritizing key tokens (TL-Training, Sec. 3.2): per-token loss weights for tool-call targets.

Key tokens, per the authors' code: the first token of the gold tool name, plus, for every candidate tool whose
name shares a prefix with the gold name, the token where the two names diverge; with `param_keys`, also the
parameter boundaries the authors' code tracks: the first token of each argument name and of each argument value
of the call (inside a string value, the token after its opening quote).

Weights follow the paper's definition per tool call t_s: with K_s the key tokens of the call and NK_s its other
target tokens, the call's key tokens get `clip(|NK_s| / |K_s|, 1, w_max)` (w_max = 9) and every other target
token 1 (`normalise="per_call"`, the default). `normalise="per_example"` keeps toolgym's first version: one ratio
over all target tokens of the example. The loss is sum(w * nll) / sum(w) (see toolgym.train.sft).

Which tokens belong to call t_s: the trained tokens of its assistant turn from the call's name up to the next
call's name; the first call of a turn also takes the turn's tokens before its name (`<tool_call>\n{"name": "`),
the last one the tokens to the end of the turn (its closing and the end-of-turn token). So every call holds one
opening and one closing, and a turn's tokens are split between its calls; text-only turns have no call and keep
weight 1.

Positions are found on characters and mapped to tokens through the fast tokenizer's offset mapping, so the same
code works for any tokenizer. No library computes these weights (checked: TRL, peft, transformers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Offsets = Sequence[tuple[int, int]]
Normalise = Literal["per_call", "per_example"]
NORMALISE = ("per_call", "per_example")


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


_ARGUMENTS = re.compile(r'"(?:arguments|parameters)"\s*:\s*\{')
_CLOSING = {"{": "}", "(": ")"}


def _arguments_opener(text: str, start: int, end: int) -> int | None:
    """Offset of the bracket that opens a call's arguments, the name ending at `start`: `name(` (python) or
    the `{` of a JSON `"arguments": {` key (hermes, json, most chat templates); None when neither follows."""
    if start < end and text[start] == "(":
        return start
    match = _ARGUMENTS.search(text, start, end)
    return match.end() - 1 if match else None


def argument_offsets(text: str, start: int, end: int | None = None) -> list[int]:
    """Character offsets of each top-level argument name and value of the call whose name ends at `start`.

    A quoted name or non-empty string value is keyed at the character after its opening quote. Arguments given
    as a JSON-encoded string (some chat templates) are not looked into; the scan never passes `end`.
    """
    end = len(text) if end is None else min(end, len(text))
    opener = _arguments_opener(text, start, end)
    if opener is None:
        return []
    out: list[int] = []
    depth, state, quote, i = 0, "key", "", opener + 1
    while i < end:
        ch = text[i]
        if quote:  # inside a string: only its end (or an escape) matters
            i += 2 if ch == "\\" else 1
            if ch == quote:
                quote = ""
            continue
        if state in ("key", "value") and not ch.isspace():
            if state == "key" and depth == 0 and ch == _CLOSING[text[opener]]:
                break
            out.append(i + 1 if ch in "\"'" and i + 1 < end and text[i + 1] != ch else i)
            state = "separator" if state == "key" else "rest"
        if ch in "\"'":
            quote = ch
        elif ch in "{[(":
            depth += 1
        elif ch in "}])":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and state == "separator" and ch in ":=":
            state = "value"
        elif depth == 0 and state == "rest" and ch == ",":
            state = "key"
        i += 1
    return out


@dataclass(frozen=True)
class CallKeys:
    """The key tokens of one tool call and the token where its name starts (where its share of the turn begins)."""

    start: int | None
    keys: frozenset[int]


class KeyTokens(set[int]):
    """The key token indices of an example (a set, as before), plus each call's own keys for per-call weights."""

    def __init__(self, keys: Iterable[int] = (), calls: Iterable[CallKeys] = ()) -> None:
        super().__init__(keys)
        self.calls = list(calls)


def key_token_indices(offsets: Offsets, occurrences: Iterable[tuple[int, str]], candidates: Sequence[str], *,
                      text: str | None = None, param_keys: bool = False) -> KeyTokens:
    """Token indices of the key tokens of every gold name occurrence `(char offset, name)` in the text, grouped by
    call. `param_keys` (needs `text`) adds each call's argument name and value boundaries."""
    found = sorted(occurrences)
    calls: list[CallKeys] = []
    for n, (start, gold) in enumerate(found):
        chars = [start + rel for rel in key_char_offsets(gold, candidates)]
        if param_keys and text is not None:
            bound = found[n + 1][0] if n + 1 < len(found) else len(text)
            chars += argument_offsets(text, start + len(gold), bound)
        keys = {t for t in (token_at(offsets, c) for c in chars) if t is not None}
        calls.append(CallKeys(token_at(offsets, start), frozenset(keys)))
    return KeyTokens(set().union(*(c.keys for c in calls)), calls)


def key_weight(n_key: int, n_non_key: int, w_max: float = 9.0) -> float:
    """Weight of each key token: clip(|NK| / |K|, 1, w_max)."""
    if n_key == 0:
        return 1.0
    return float(min(max(n_non_key / n_key, 1.0), w_max))


def _runs(target_mask: Sequence[bool]) -> list[tuple[int, int]]:
    """[start, end) of each run of consecutive target tokens (one assistant turn each)."""
    runs: list[tuple[int, int]] = []
    for i, m in enumerate(target_mask):
        if m and runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        elif m:
            runs.append((i, i + 1))
    return runs


def call_segments(target_mask: Sequence[bool], calls: Sequence[CallKeys]) -> list[tuple[int, int, CallKeys]]:
    """[start, end) of the target tokens each call owns (see the module docstring) with the call."""
    segments = []
    for lo, hi in _runs(target_mask):
        inside = sorted((c for c in calls if c.start is not None and lo <= c.start < hi), key=lambda c: c.start)
        for n, call in enumerate(inside):
            begin = lo if n == 0 else call.start
            finish = inside[n + 1].start if n + 1 < len(inside) else hi
            segments.append((begin, finish, call))
    return segments


def pkt_weights(target_mask: Sequence[bool], keys: Iterable[int], w_max: float = 9.0, *,
                normalise: Normalise = "per_call") -> list[float]:
    """Per-token weights: key target tokens get key_weight, other target tokens 1, non-target tokens 0.

    `per_call` (with `KeyTokens` from `key_token_indices`) weighs each call's keys by that call's own ratio;
    `per_example`, or keys given as a plain set, by one ratio over the whole example.
    """
    if normalise not in NORMALISE:
        raise ValueError(f"normalise must be one of {NORMALISE}, got {normalise!r}")
    calls = getattr(keys, "calls", None)
    if normalise == "per_example" or calls is None:
        key_set = {k for k in keys if 0 <= k < len(target_mask) and target_mask[k]}
        n_target = sum(bool(m) for m in target_mask)
        weight = key_weight(len(key_set), n_target - len(key_set), w_max)
        return [(weight if i in key_set else 1.0) if m else 0.0 for i, m in enumerate(target_mask)]
    weights = [1.0 if m else 0.0 for m in target_mask]
    for lo, hi, call in call_segments(target_mask, calls):
        own = {k for k in call.keys if lo <= k < hi and target_mask[k]}
        weight = key_weight(len(own), sum(bool(m) for m in target_mask[lo:hi]) - len(own), w_max)
        for k in own:
            weights[k] = weight
    return weights
