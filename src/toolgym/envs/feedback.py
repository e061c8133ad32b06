"""Classify tool feedback text into the shared error categories (None = the call succeeded).

Reuses `core.checker.classify_feedback` (TL-Training's patterns); adds only the texts the simulator emits
that it may not know (Python type/enum errors, time-outs, rate limits, HTTP client errors).
"""

from __future__ import annotations

import re

from toolgym.core.checker import ErrorCategory, classify_feedback

_EXTRA: tuple[tuple[re.Pattern[str], ErrorCategory], ...] = (
    (re.compile(r"is not defined"), ErrorCategory.tool_hallucination),
    (re.compile(r"unexpected keyword argument"), ErrorCategory.parameter_hallucination),
    (re.compile(r"required (positional|keyword-only) argument"), ErrorCategory.parameter_missing),
    (re.compile(r"must be [\w ]+, not \w+"), ErrorCategory.wrong_type),
    (re.compile(r"is not a valid "), ErrorCategory.enum_violation),
    (re.compile(r"(?i)timed out|too many requests|rate limit|service unavailable|\b50[234]\b|"
                r"ConnectionError|Max retries exceeded"), ErrorCategory.tool_instability),
    (re.compile(r"(?i)\b4\d\d Client Error|bad request|Invalid API call|not supported"),
     ErrorCategory.tool_call_failure),
    (re.compile(r"^\s*\w*(Error|Exception)\b|Traceback \(most recent call last\)"), ErrorCategory.others),
)


def classify(text: str) -> ErrorCategory | None:
    """The error category `text` reports, or None when it reads as a successful result."""
    category = classify_feedback(text)
    if category is not None and category is not ErrorCategory.others:
        return category
    for pattern, extra in _EXTRA:
        if pattern.search(text):
            return extra
    return category
