"""toolgym JSONL test sets (messages + tools + gold calls) as evaluation cases.

The synthetic data's four generalization scenarios (seen/unseen tools × seen/unseen queries) are such
files. Gold calls are exact: a case is right when the predicted calls equal the gold ones under
`core.match.calls_equal` (order-free, numbers compared by value); `gold: []` means "no call".
Categories are the sample types (single, parallel, zero_to_one_with, weak_to_strong, …).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from toolgym.core.checker import ErrorCategory, check_calls
from toolgym.core.errors import InputError
from toolgym.core.match import calls_equal
from toolgym.core.schema import ToolCall
from toolgym.data.io import ReadStats, read_samples
from toolgym.eval.cases import EvalCase, Score


def load_suite_cases(path: Path | str, limit: int | None = None, *, strict: bool | None = None,
                     stats: ReadStats | None = None) -> list[EvalCase]:
    """Cases from a toolgym JSONL file (the first `limit` good ones).

    A bad record (not UTF-8, not JSON, a field of the wrong type) is counted in `stats`, logged and skipped, so
    one bad row does not fail an evaluation; with `strict` (default: `toolgym --strict`) it raises InputError
    naming file, line and field. A file without one good record raises.
    """
    file = Path(path)
    stats = stats if stats is not None else ReadStats()
    cases: list[EvalCase] = []
    for sample in read_samples(file, strict=strict, stats=stats):
        cases.append(EvalCase(sample.id, sample.type, [m.to_openai() for m in sample.messages], sample.tools,
                              sample.gold, score_exact, dict(sample.meta)))
        if limit is not None and len(cases) >= limit:
            break
    if not cases:
        reason = f" ({stats.bad} bad, first: {stats.errors[0]})" if stats.errors else ""
        raise InputError(f"no valid records{reason}", file=str(file))
    return cases


def score_exact(case: EvalCase, calls: list[ToolCall]) -> Score:
    """Exact-gold verdict with TS (same tool names), PI (same names and argument names) and CF (equal)."""
    gold: list[ToolCall] = case.answer
    if not gold:
        ok = not calls
        return Score(ok, None if ok else "irrelevance_error:decoder_success", None if ok else ErrorCategory.others,
                     ok, ok, ok, "" if ok else f"expected no call, got {len(calls)}")
    ts = Counter(c.name for c in calls) == Counter(g.name for g in gold)
    pi = ts and Counter((c.name, frozenset(c.arguments)) for c in calls) == \
        Counter((g.name, frozenset(g.arguments)) for g in gold)
    cf = pi and calls_equal(calls, gold)
    if cf:
        return Score(True, None, None, True, True, True)
    error_type, category, detail, param = _diagnose(case, calls, gold, ts, pi)
    return Score(False, error_type, category, ts, pi, False, detail, param)


def _diagnose(case: EvalCase, calls: list[ToolCall], gold: list[ToolCall], ts: bool,
              pi: bool) -> tuple[str, ErrorCategory, str, str | None]:
    """BFCL-style error type, toolgym category, detail and parameter (where one is to blame) of a wrong answer
    (the rule checker speaks first)."""
    verdict = check_calls(calls, case.tools)
    category = verdict.categories[0] if verdict.errors else None
    if len(calls) != len(gold):
        return ("wrong_count", category or ErrorCategory.others, f"expected {len(gold)} calls, got {len(calls)}",
                None)
    if not ts:
        return "wrong_func_name", category or ErrorCategory.others, "wrong tool", None
    if not pi:
        given = set().union(*(c.arguments for c in calls))
        wanted = set().union(*(g.arguments for g in gold))
        if missing := sorted(wanted - given):
            return "missing_required", category or ErrorCategory.parameter_missing, f"missing {missing}", missing[0]
        extra = sorted(given - wanted)
        return "unexpected_param", category or ErrorCategory.others, f"unexpected {extra}", extra[0] if extra else None
    return "value_error", category or ErrorCategory.others, "wrong argument values", _wrong_value(calls, gold)


def _wrong_value(calls: list[ToolCall], gold: list[ToolCall]) -> str | None:
    """The first argument whose value differs from the gold, for a single call (several calls pair up in any
    order, so no one argument is to blame)."""
    if len(calls) != 1:
        return None
    return next((k for k, v in gold[0].arguments.items() if not calls_equal(
        [ToolCall(gold[0].name, {k: calls[0].arguments.get(k)})], [ToolCall(gold[0].name, {k: v})])), None)
