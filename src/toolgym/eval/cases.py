"""What every benchmark hands the runner: cases (messages, tools, gold or allowed answers) plus a scorer.

Modelled on lm-evaluation-harness: a loader yields `EvalCase`s and each case carries the function that
scores a decoded call list; the runner knows nothing about the benchmark behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from toolgym.core.checker import ErrorCategory
from toolgym.core.schema import Tool, ToolCall


@dataclass(frozen=True)
class Score:
    """The verdict on one case. `ts`/`pi`/`cf` are TL-Training's tool selection, parameter identification
    and content filling (fully correct); `error_type` uses BFCL's names, `category` the toolgym ErrorCategory."""

    ok: bool
    error_type: str | None = None
    category: ErrorCategory | None = None
    ts: bool = False
    pi: bool = False
    cf: bool = False
    detail: str = ""
    param: str | None = None  # the parameter the first error is about, where there is one


Scorer = Callable[["EvalCase", list[ToolCall]], Score]


@dataclass
class EvalCase:
    """One test case: the conversation so far, the candidate tools, the answer and how to score it."""

    id: str
    category: str
    messages: list[dict[str, Any]]
    tools: list[Tool]
    answer: Any
    scorer: Scorer
    meta: dict[str, Any] = field(default_factory=dict)

    def score(self, calls: list[ToolCall]) -> Score:
        return self.scorer(self, calls)


def unparsable_score(detail: str) -> Score:
    """Model text that looked like a call but could not be read: wrong on every count."""
    return Score(False, "ast_decoder:decoder_failed", ErrorCategory.unparsable, detail=detail)
