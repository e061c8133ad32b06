"""TL-Training's IRM reward: a tool call is rewarded by the kind of mistake it makes (PAPERS.md, IRM table).

| outcome of the predicted call vs. gold                 | reward | category (`IRMCategory`)     |
|--------------------------------------------------------|--------|------------------------------|
| unparsable output, or a tool not in the toolset        | -2.0   | `unparsable` / `unknown_tool`|
| wrong (but existing) tool                              | -1.5   | `wrong_tool`                 |
| hallucinated + redundant + missing parameters          | -1.8   | `halluc_redundant_missing`   |
| hallucinated parameter + (redundant or missing)        | -1.3   | `halluc_redundant_or_missing`|
| redundant + missing                                    | -1.0   | `redundant_missing`          |
| hallucinated parameter only                            | -0.8   | `halluc`                     |
| redundant or missing only                              | -0.5   | `redundant_or_missing`       |
| right tool and parameter names, wrong values           | -0.25  | `wrong_values`               |
| exactly right                                          | +1.0   | `correct`                    |

"Hallucinated": an argument name not in the tool schema (the checker's top-level `parameter_hallucination`).
"Redundant": a schema parameter the gold call does not use. "Missing": a gold parameter the call does not give.
Values compare with `toolgym.core.match.canonical_value(loose_strings=True)` (BFCL's string normalisation,
5 == 5.0), so the reward agrees with the BFCL-style evaluation.

Extensions (toolgym's choices, documented here):
- **Parallel calls.** Every (predicted, gold) pair gets the single-call reward; the order-free matching that
  maximises the summed reward is found by brute force over permutations (n <= 7; greedy above that). The reward
  is the mean over `max(n_gold, n_pred)` slots: matched pairs score their pair reward, a gold call with no
  predicted call scores -2 (`missing_call`, as if nothing had been output for it), and every surplus predicted
  call scores -1.5 (`surplus_call`, the value of a call where none was wanted). So one right call plus one
  surplus call gives (1 - 1.5) / 2 = -0.25 and the reward stays within [-2, 1].
- **No-call golds.** +1 for no call (`correct_no_call`), -1.5 for any call (`spurious_call`).
- **Malformed output.** Unparsable or partly parsable output is -2 (`unparsable`) whatever the gold; a text
  answer where calls were expected is -2 (`no_call`). Nothing here raises on model output.

Entry points: `irm_score` (reward, category and per-pair detail), `irm_reward`, `irm_category`,
`irm_reward_func` (TRL `reward_funcs`: dataset columns `tools` and `gold`, JSON strings or lists) and
`compute_score` (verl's custom reward function signature).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from toolgym.core.checker import ErrorCategory, check_calls
from toolgym.core.errors import ToolgymError
from toolgym.core.formats import parse_calls
from toolgym.core.match import canonical_value
from toolgym.core.schema import Tool, ToolCall

__all__ = ["IRMCategory", "IRMResult", "REWARDS", "compute_score", "irm_category", "irm_reward",
           "irm_reward_func", "irm_score", "pair_score"]


class IRMCategory(str, Enum):
    """The IRM table row (or toolgym extension) that decided a reward."""

    unparsable = "unparsable"
    unknown_tool = "unknown_tool"
    no_call = "no_call"
    missing_call = "missing_call"
    wrong_tool = "wrong_tool"
    spurious_call = "spurious_call"
    surplus_call = "surplus_call"
    halluc_redundant_missing = "halluc_redundant_missing"
    halluc_redundant_or_missing = "halluc_redundant_or_missing"
    redundant_missing = "redundant_missing"
    halluc = "halluc"
    redundant_or_missing = "redundant_or_missing"
    wrong_values = "wrong_values"
    correct = "correct"
    correct_no_call = "correct_no_call"

    def __str__(self) -> str:
        return self.value


REWARDS: dict[IRMCategory, float] = {
    IRMCategory.unparsable: -2.0,
    IRMCategory.unknown_tool: -2.0,
    IRMCategory.no_call: -2.0,
    IRMCategory.missing_call: -2.0,
    IRMCategory.wrong_tool: -1.5,
    IRMCategory.spurious_call: -1.5,
    IRMCategory.surplus_call: -1.5,
    IRMCategory.halluc_redundant_missing: -1.8,
    IRMCategory.halluc_redundant_or_missing: -1.3,
    IRMCategory.redundant_missing: -1.0,
    IRMCategory.halluc: -0.8,
    IRMCategory.redundant_or_missing: -0.5,
    IRMCategory.wrong_values: -0.25,
    IRMCategory.correct: 1.0,
    IRMCategory.correct_no_call: 1.0,
}

_BRUTE_FORCE_MAX = 7  # 7! = 5040 assignments at most


@dataclass
class IRMResult:
    """The reward of one completion, the category that decided it (the worst slot), and every slot's category."""

    reward: float
    category: IRMCategory
    slots: list[IRMCategory] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------ one call

def _tool_index(tools: Sequence[Tool | Mapping]) -> dict[str, Tool]:
    index: dict[str, Tool] = {}
    for t in tools:
        try:
            tool = t if isinstance(t, Tool) else Tool.from_dict(t)
        except Exception:  # noqa: BLE001 - an unreadable tool is simply not in the toolset
            continue
        index.setdefault(tool.name, tool)
        index.setdefault(tool.safe_name, tool)
    return index


def _hallucinated(call: ToolCall, tool: Tool) -> set[str]:
    """Top-level argument names the checker reports as parameter hallucinations."""
    verdict = check_calls([ToolCall(tool.name, dict(call.arguments))], [tool])
    return {e.field for e in verdict.errors
            if e.category == ErrorCategory.parameter_hallucination and e.field in call.arguments}


def pair_score(call: ToolCall, gold: ToolCall, index: Mapping[str, Tool]) -> IRMCategory:
    """The IRM table row for one predicted call against one gold call (`index`: tool name -> Tool)."""
    tool = index.get(call.name) if isinstance(call.name, str) else None
    if tool is None:
        return IRMCategory.unknown_tool
    gold_tool = index.get(gold.name)
    if tool is not gold_tool and tool.name != gold.name:
        return IRMCategory.wrong_tool
    if not isinstance(call.arguments, Mapping):
        return IRMCategory.unparsable
    given, wanted = set(call.arguments), set(gold.arguments)
    hallucinated = _hallucinated(call, tool)
    redundant = (given - hallucinated) - wanted
    missing = wanted - given
    if hallucinated and redundant and missing:
        return IRMCategory.halluc_redundant_missing
    if hallucinated and (redundant or missing):
        return IRMCategory.halluc_redundant_or_missing
    if redundant and missing:
        return IRMCategory.redundant_missing
    if hallucinated:
        return IRMCategory.halluc
    if redundant or missing:
        return IRMCategory.redundant_or_missing
    same = all(canonical_value(call.arguments[k], loose_strings=True)
               == canonical_value(gold.arguments[k], loose_strings=True) for k in wanted)
    return IRMCategory.correct if same else IRMCategory.wrong_values


# ------------------------------------------------------------------------------------------------ matching

def _best_assignment(matrix: list[list[float]]) -> list[tuple[int, int]]:
    """(gold, pred) pairs maximising the summed reward; brute force when small (scipy's
    linear_sum_assignment would do it, but scipy is not a dependency), greedy by best pair otherwise."""
    n_gold, n_pred = len(matrix), len(matrix[0]) if matrix else 0
    k = min(n_gold, n_pred)
    if max(n_gold, n_pred) <= _BRUTE_FORCE_MAX:
        best, best_pairs = float("-inf"), []
        for golds in itertools.combinations(range(n_gold), k):
            for preds in itertools.permutations(range(n_pred), k):
                total = sum(matrix[g][p] for g, p in zip(golds, preds, strict=True))
                if total > best:
                    best, best_pairs = total, list(zip(golds, preds, strict=True))
        return best_pairs
    cells = sorted(((matrix[g][p], g, p) for g in range(n_gold) for p in range(n_pred)), reverse=True)
    used_g, used_p, pairs = set(), set(), []
    for _, g, p in cells:
        if g not in used_g and p not in used_p:
            used_g.add(g)
            used_p.add(p)
            pairs.append((g, p))
    return pairs


def _as_calls(gold: Any) -> list[ToolCall]:
    if isinstance(gold, str):
        gold = json.loads(gold) if gold.strip() else []
    if isinstance(gold, Mapping):
        gold = [gold]
    return [g if isinstance(g, ToolCall) else ToolCall.from_openai(g) for g in gold or []]


def _as_tools(tools: Any) -> list[Any]:
    if isinstance(tools, str):
        tools = json.loads(tools) if tools.strip() else []
    return list(tools or [])


def _completion_text(completion: Any) -> str:
    """A TRL completion is a string, or (conversational) a list of messages: use the last one's content."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Sequence) and completion and isinstance(completion[-1], Mapping):
        return str(completion[-1].get("content") or "")
    return "" if completion is None else str(completion)


def _result(slots: list[IRMCategory]) -> IRMResult:
    reward = sum(REWARDS[s] for s in slots) / len(slots)
    return IRMResult(reward, min(slots, key=lambda s: REWARDS[s]), slots)


def irm_score(completion: Any, tools: Any, gold_calls: Any) -> IRMResult:
    """IRM reward of a model completion against the gold calls (see the module docstring); never raises on
    model output. `tools`/`gold_calls` may be lists (OpenAI/BFCL tool dicts, ToolCalls or call dicts) or JSON."""
    tool_list, golds = _as_tools(tools), _as_calls(gold_calls)
    parsed = parse_calls(_completion_text(completion))
    if parsed.status in ("unparsable", "partial"):
        return _result([IRMCategory.unparsable])
    calls = parsed.calls
    if not golds:
        return _result([IRMCategory.spurious_call] if calls else [IRMCategory.correct_no_call])
    if not calls:
        return _result([IRMCategory.no_call])
    index = _tool_index(tool_list)
    table = [[pair_score(c, g, index) for c in calls] for g in golds]
    pairs = _best_assignment([[REWARDS[cat] for cat in row] for row in table])
    slots = [table[g][p] for g, p in pairs]
    slots += [IRMCategory.missing_call] * (len(golds) - len(pairs))
    slots += [IRMCategory.surplus_call] * (len(calls) - len(pairs))
    return _result(slots)


def irm_reward(completion: Any, tools: Any, gold_calls: Any) -> float:
    """The IRM reward in [-2, 1] (TL-Training table, with toolgym's parallel and no-call extensions)."""
    return irm_score(completion, tools, gold_calls).reward


def irm_category(completion: Any, tools: Any, gold_calls: Any) -> str:
    """The IRM category that decided the reward (the worst slot), for error-category histograms."""
    return irm_score(completion, tools, gold_calls).category.value


def irm_reward_func(prompts: list[Any], completions: list[Any], tools: list[Any] | None = None,
                    gold: list[Any] | None = None, **kwargs: Any) -> list[float]:
    """TRL `reward_funcs` entry: `tools` and `gold` are dataset columns (JSON strings or lists) per completion."""
    if tools is None or gold is None:
        raise ValueError("irm_reward_func needs the dataset columns 'tools' and 'gold'")
    return [irm_reward(c, t, g) for c, t, g in zip(completions, tools, gold, strict=True)]


def compute_score(data_source: Any, solution_str: str, ground_truth: Any, extra_info: Mapping | None = None,
                  **kwargs: Any) -> float:
    """verl custom reward function: `ground_truth` = gold calls (JSON), `extra_info["tools"]` = tools (JSON)."""
    info = extra_info or {}
    try:
        return irm_reward(solution_str, info.get("tools", []), ground_truth)
    except (ValueError, TypeError, ToolgymError):  # unreadable ground truth/tools in the exported data: lowest reward
        return REWARDS[IRMCategory.unparsable]


def score_completions(texts: Sequence[Any], prompts: Sequence[Any]) -> tuple[list[float], list[str]]:
    """IRM reward and category of each completion against its prompt's `tools` and `gold` (RL rollouts)."""
    results = [irm_score(t, p.tools, p.gold) for t, p in zip(texts, prompts, strict=True)]
    return [r.reward for r in results], [r.category.value for r in results]
