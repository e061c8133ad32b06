"""Self-consistency labels: canonicalise k sampled invocations and take the majority (ToolDev stage 3).

Each sample's text is parsed (`core.formats.parse_calls`) and reduced to `core.match.canonical_calls`, so the
order of parallel calls does not matter and equal values vote together (5 == 5.0, surrounding spaces ignored;
with `loose_strings`, BFCL's case/punctuation-free string form). A sample without any call is a "no call" vote;
an unreadable sample abstains but still counts in the denominator k. Explicit outcomes:

- `call`: one call list has the most votes, alone, and at least `min_agreement * k` of them;
- `tie`: two or more answers share the top count (no label: self-consistency cannot pick);
- `no_call`: "no call" wins (the caller decides whether that becomes a text-answer sample);
- `low_agreement`: the winner has fewer votes than required; `no_votes`: nothing was readable.

Hand-written: no library (checked: transformers, TRL) votes over structured tool calls.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from toolgym.core.formats import parse_calls
from toolgym.core.match import canonical_calls
from toolgym.core.schema import Tool, ToolCall, unsanitize_name

Outcome = Literal["call", "no_call", "tie", "low_agreement", "no_votes"]
NO_CALL: tuple = ("<no call>",)


@dataclass
class Vote:
    """The result of one vote: the outcome, the winning calls, and how many of k samples agreed."""

    outcome: Outcome
    calls: list[ToolCall] = field(default_factory=list)
    votes: int = 0  # samples behind the winner (or behind each tied answer)
    k: int = 0
    abstained: int = 0  # unreadable samples
    distinct: int = 0  # distinct readable answers

    @property
    def agreement(self) -> float:
        return self.votes / self.k if self.k else 0.0


def sample_calls(text: str, tools: Sequence[Tool] = ()) -> list[ToolCall] | None:
    """The calls of one sampled answer; [] for a plain-text answer, None when it cannot be read."""
    parsed = parse_calls(text)
    if parsed.status in ("unparsable", "partial"):
        return None
    return [ToolCall(unsanitize_name(c.name, tools) if tools else c.name, c.arguments) for c in parsed.calls]


def required_votes(k: int, min_agreement: float) -> int:
    """Votes the winner needs: ceil(min_agreement * k), at least 1 (a small epsilon absorbs float error)."""
    return max(1, math.ceil(min_agreement * k - 1e-9))


def majority_vote(samples: Sequence[list[ToolCall] | None], min_agreement: float = 0.6, *,
                  loose_strings: bool = False) -> Vote:
    """Vote over parsed samples (None = unreadable, [] = no call); see the module docstring for outcomes."""
    k = len(samples)
    keys: list[Any] = []
    first: dict[Any, list[ToolCall]] = {}
    for calls in samples:
        if calls is None:
            continue
        key = canonical_calls(calls, loose_strings=loose_strings) if calls else NO_CALL
        keys.append(key)
        first.setdefault(key, list(calls))
    abstained = k - len(keys)
    if not keys:
        return Vote("no_votes", k=k, abstained=abstained)
    ranked = Counter(keys).most_common()
    top_key, top = ranked[0]
    common = {"votes": top, "k": k, "abstained": abstained, "distinct": len(ranked)}
    if len(ranked) > 1 and ranked[1][1] == top:
        return Vote("tie", **common)
    if top < required_votes(k, min_agreement):
        return Vote("low_agreement", **common)
    if top_key == NO_CALL:
        return Vote("no_call", **common)
    return Vote("call", calls=first[top_key], **common)


def vote_texts(texts: Sequence[str], tools: Sequence[Tool] = (), min_agreement: float = 0.6, *,
               loose_strings: bool = False) -> Vote:
    """Parse k sampled texts and vote over them."""
    return majority_vote([sample_calls(t, tools) for t in texts], min_agreement, loose_strings=loose_strings)
