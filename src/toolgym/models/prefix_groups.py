"""Which prompts of a greedy call share a prefix worth computing once, and the order to prefill them in.

BFCL's live categories repeat their tool documentation: 1,053 live_multiple cases hold 351 distinct tool lists
(70% of their tool text is a repeat), live_irrelevance 884 cases 396. A prompt's KV cache up to the end of a
shared prefix is the same for every prompt that starts with it, so the greedy decoder prefills such a prefix once
and each prompt only from there (as it already did for the prefix all prompts of a call share).

The plan sorts the prompts' token ids, takes the common prefix of neighbours, and splits the sorted list into runs
that maximise the prompt tokens saved (a run of k prompts sharing L tokens beyond the call's common prefix saves
(k - 1) x L); each run of two or more becomes a group. Prompts go group by group, each group's longest first, the
groups by their longest prompt, so a group's cache can be dropped once its last prompt is prefilled. (vLLM's and
SGLang's prefix caches do this with hashed blocks and a radix tree; this decoder drives a transformers model
directly, so the plan is made here, per call.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

# a group costs one more forward, whose fixed cost is that of a few dozen prompt tokens on a CPU: it must share at
# least MIN_GROUP_LENGTH tokens beyond the call's prefix and save MIN_GROUP_GAIN in all
MIN_GROUP_LENGTH, MIN_GROUP_GAIN = 32, 64
MIN_SHARED_PREFIX = 16  # a call-wide common prefix shorter than this is not worth a separate forward


@dataclass(frozen=True)
class PrefixPlan:
    """`order`: prompt indices in prefill order; `group_of[i]`: prompt i's group; `length[g]`: the tokens group g
    shares (from position 0, the call's common prefix included); `last[g]`: its last prompt in `order`."""

    order: list[int]
    group_of: dict[int, int] = field(default_factory=dict)
    length: dict[int, int] = field(default_factory=dict)
    last: dict[int, int] = field(default_factory=dict)

    def tokens_saved(self, base: int) -> int:
        """Prompt tokens the groups compute once instead of once per prompt, beyond the `base` shared by all."""
        sizes = {g: sum(1 for m in self.group_of.values() if m == g) for g in self.length}
        return sum((sizes[g] - 1) * (length - base) for g, length in self.length.items())


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """Length of the common prefix of two token lists."""
    limit = min(len(a), len(b))
    k = 0
    while k < limit and a[k] == b[k]:
        k += 1
    return k


def call_prefix_length(prompts: list[list[int]]) -> int:
    """Tokens every prompt of a call starts with, leaving each a token to prefill; 0 when fewer than two prompts
    or shorter than MIN_SHARED_PREFIX (then the call has no shared prefill)."""
    if len(prompts) < 2:
        return 0
    length = min(min(common_prefix(prompts[0], ids) for ids in prompts), min(map(len, prompts)) - 1)
    return length if length >= MIN_SHARED_PREFIX else 0


def plan_prefix_groups(prompts: list[list[int]], base: int = 0, min_gain: int = MIN_GROUP_GAIN,
                       min_length: int = MIN_GROUP_LENGTH) -> PrefixPlan:
    """The groups of `prompts` that share more than the `base` tokens every prompt shares, and the prefill order.

    A group's prefix leaves at least one token of each of its prompts to prefill (the logits of a prompt's last
    position come from its own forward)."""
    n = len(prompts)
    by_tokens = sorted(range(n), key=lambda i: prompts[i])
    shared = [min(common_prefix(prompts[a], prompts[b]), len(prompts[a]) - 1, len(prompts[b]) - 1)
              for a, b in zip(by_tokens, by_tokens[1:], strict=False)]
    runs = _best_runs(shared, base, min_gain, min_length)
    plan = PrefixPlan(order=[])
    members: list[list[int]] = []
    for start, end, length in runs:
        group = [by_tokens[j] for j in range(start, end)]
        if length:
            g = len(members)
            plan.length[g] = length
            plan.group_of.update({i: g for i in group})
        members.append(sorted(group, key=lambda i: -len(prompts[i])))
    for group in sorted(members, key=lambda m: -len(prompts[m[0]])):
        plan.order.extend(group)
    for i in plan.order:
        if i in plan.group_of:
            plan.last[plan.group_of[i]] = i
    return plan


def _best_runs(shared: list[int], base: int, min_gain: int, min_length: int) -> list[tuple[int, int, int]]:
    """Split sorted positions 0..len(shared) into runs (start, end, shared length or 0 for no group) that save
    the most tokens: dynamic programming over run ends, O(n^2) for a call's few hundred prompts."""
    n = len(shared) + 1
    best = [0] * (n + 1)  # tokens saved by the best split of the first j prompts
    cut: list[tuple[int, int]] = [(0, 0)] * (n + 1)  # (start of the last run, its shared length)
    for end in range(1, n + 1):
        best[end], cut[end] = best[end - 1], (end - 1, 0)  # the last prompt alone
        low = None
        for start in range(end - 2, -1, -1):  # the run start..end-1 shares min(shared[start:end-1])
            low = shared[start] if low is None else min(low, shared[start])
            if low - base < min_length:
                break
            gain = (end - start - 1) * (low - base)
            if gain >= min_gain and best[start] + gain > best[end]:
                best[end], cut[end] = best[start] + gain, (start, low)
    runs: list[tuple[int, int, int]] = []
    end = n
    while end > 0:
        start, length = cut[end]
        runs.append((start, end, length))
        end = start
    return runs[::-1]
