"""Schema-constrained tool calls and a call/no-call gate for greedy and sampled decoding.

A call block is constrained by xgrammar (the grammar engine vLLM and SGLang use for structured outputs): once
the model opens a call, the tool name is one of the offered tools and the arguments follow that tool's JSON
schema (required keys present, types and enums respected). `tool_choice` says whether the answer must be
calls (`required`, or one named function), must be prose (`none`), or either (`auto`). `call_bias` is a logit
offset on the first token of the call opener at the answer's first position: the call/no-call decision of a
model trained on the ToolDev format is made there, so the bias moves its operating point (chosen on a dev
split with `toolgym eval calibrate`, never on the test set). `copy_bias` is a logit bonus, inside argument values,
for tokens that continue a span of the conversation (`models.copybias`); `continue_bias` one on the comma after a
top-level argument value: another (optional) parameter rather than closing the call; `next_call_bias` one on
opening another call block after one closes, rather than ending the answer. `distinct_calls` drops a call block
that repeats an earlier one of the same answer word for word (a small model's loop; one call does the work).
`prose_tokens` ends an answer the grammar has committed to prose after that many tokens: such an answer can hold
no call, so a call's score is the same, and an untrained model's essays stop costing decode steps.

Only the `hermes` call format (`<tool_call>` blocks, toolgym's default) can be constrained.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from toolgym.core.errors import ToolgymError
from toolgym.core.formats import CALL_CLOSE, CALL_OPEN
from toolgym.core.schema import canonical_schema, strip_annotations
from toolgym.models.copybias import (
    CALL_BLOCK,
    RowContinueBias,
    RowCopyBias,
    RowNextCallBias,
    TokenTexts,
    call_key,
    copy_source,
)

RowBias = RowCopyBias | RowContinueBias | RowNextCallBias

TOOL_CHOICES = ("auto", "required", "none")


@dataclass(frozen=True)
class CallPolicy:
    """How answers are decoded: grammar-constrained calls, the allowed choice, and the gate's bias."""

    constrain: bool = False
    tool_choice: str = "auto"  # auto | required | none | a tool name
    call_bias: float = 0.0
    copy_bias: float = 0.0
    distinct_calls: bool = False
    continue_bias: float = 0.0
    next_call_bias: float = 0.0
    prose_tokens: int | None = None  # end a prose answer after this many tokens (constrained decoding only)

    @property
    def active(self) -> bool:
        return (self.constrain or self.call_bias != 0.0 or self.tool_choice != "auto" or self.copy_bias != 0.0
                or self.distinct_calls or self.continue_bias != 0.0 or self.next_call_bias != 0.0
                or self.prose_tokens is not None)

    def identity(self) -> dict[str, Any]:
        """What changes the text (for run identities); empty for plain decoding (copy_bias, distinct_calls and the
        continue and next-call biases only when set, so earlier runs keep their identity)."""
        if not self.active:
            return {}
        out: dict[str, Any] = {"constrain": self.constrain, "tool_choice": self.tool_choice,
                               "call_bias": self.call_bias}
        later = {"copy_bias": self.copy_bias, "distinct_calls": self.distinct_calls,
                 "continue_bias": self.continue_bias, "next_call_bias": self.next_call_bias,
                 "prose_tokens": self.prose_tokens}
        return out | {k: v for k, v in later.items() if v}


def drop_repeated_calls(text: str) -> str:
    """`text` without the hermes call blocks that repeat an earlier block's call (the same JSON, key order aside);
    blocks that do not parse are kept."""
    seen: set[str] = set()

    def keep(match: re.Match[str]) -> str:
        key = call_key(match.group(1))
        if key is None:
            return match.group(0)
        if key in seen:
            return ""
        seen.add(key)
        return match.group(0)

    kept = CALL_BLOCK.sub(keep, text) if CALL_OPEN in text else text
    return text if kept == text else kept.rstrip("\n")


def opener_token(tokenizer: Any) -> int:
    """The first token of the call opener: where the call/no-call decision is made."""
    return tokenizer(CALL_OPEN, add_special_tokens=False)["input_ids"][0]


def check_policy(policy: CallPolicy, fmt: str) -> None:
    """A one-line error for a policy the format cannot carry."""
    if (policy.constrain or policy.tool_choice != "auto") and fmt != "hermes":
        raise ToolgymError(f"constrained decoding needs the hermes call format, not {fmt!r}")
    if policy.prose_tokens is not None and not policy.constrain:
        raise ToolgymError("prose_tokens ends answers the grammar committed to prose: it needs constrained decoding")


def json_parameters(parameters: Any) -> dict[str, Any]:
    """A tool's parameters as plain JSON Schema for the grammar (BFCL annotations dropped, `any` unconstrained),
    with properties in `core.schema.parameter_order` (required first): the order the prompt lists them in
    (`core.formats.tool_json`) and toolgym's training targets write them in, so the grammar asks for that order."""
    schema = canonical_schema(strip_annotations(parameters)) if isinstance(parameters, dict) else {}
    if not schema.get("properties") and schema.get("type") in (None, "object"):
        return {"type": "object"}
    return schema


def call_format(tools: Sequence[Mapping[str, Any]], tool_choice: str,
                arguments: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """The xgrammar structural-tag format of an answer: call blocks, prose, or either. `arguments(schema)` is
    the content format of one tool's arguments object."""
    def tag(tool: Mapping[str, Any]) -> dict[str, Any]:
        name = json.dumps(tool["name"], ensure_ascii=False)
        return {"type": "tag", "begin": f'{CALL_OPEN}\n{{"name": {name}, "arguments": ',
                "content": arguments(json_parameters(tool.get("parameters"))), "end": f"}}\n{CALL_CLOSE}"}

    prose = {"type": "any_text", "excludes": [CALL_OPEN]}
    if tool_choice == "none" or not tools:
        if tool_choice == "required":
            raise ToolgymError("tool_choice 'required' needs at least one tool")
        return prose
    chosen = list(tools)
    if tool_choice not in TOOL_CHOICES:
        chosen = [t for t in tools if t["name"] == tool_choice]
        if not chosen:
            raise ToolgymError(f"tool_choice names {tool_choice!r}, which is not among the tools")
    calls = {"type": "tags_with_separator", "tags": [tag(t) for t in chosen], "separator": "\n",
             "at_least_one": True}
    if tool_choice == "auto":
        return {"type": "or", "elements": [calls, prose]}
    return calls


def _function(tool: Any) -> dict[str, Any]:
    """{"name", "parameters"} of a Tool, an OpenAI tool dict or a bare function dict."""
    if hasattr(tool, "to_function"):
        tool = tool.to_function(annotations=False)
    if isinstance(tool, Mapping) and "function" in tool:
        tool = tool["function"]
    if not isinstance(tool, Mapping) or not isinstance(tool.get("name"), str):
        raise ToolgymError("a tool for constrained decoding needs a string 'name'")
    return {"name": tool["name"], "parameters": tool.get("parameters")}


class Constrainer:
    """Compiles (and caches) one grammar per tool set and choice for a tokenizer; hands out row matchers."""

    def __init__(self, tokenizer: Any, vocab_size: int, stop_ids: Sequence[int], policy: CallPolicy,
                 cache_size: int = 256) -> None:
        try:
            import xgrammar as xgr
        except ImportError:  # an optional dependency: `pip install toolgym[constrain]`
            raise ToolgymError("constrained decoding needs xgrammar: pip install 'toolgym[constrain]'") from None
        self.xgr = xgr
        self.policy = policy
        info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=vocab_size, stop_token_ids=list(stop_ids))
        self.compiler = xgr.GrammarCompiler(info)
        self.vocab_size = vocab_size
        self.stop_ids = sorted(stop_ids)
        self.opener = opener_token(tokenizer)
        self.cache: OrderedDict[str, Any] = OrderedDict()
        self.cache_size = cache_size
        texts = policy.copy_bias or policy.continue_bias or policy.next_call_bias
        self.texts = TokenTexts(tokenizer, vocab_size) if texts else None

    def row(self, tools: Sequence[Any] | None, tool_choice: str | None = None,
            prompt: str | None = None) -> RowConstraint:
        """A fresh constraint for one answer over `tools` (None: the gate's bias only); `tool_choice` overrides
        the policy's for this answer (a server request's own); `prompt` is what the copy bias copies from.

        Under `auto` the grammar is chosen at the first token: the call opener's first token commits the answer
        to call blocks, any other token to prose (so the gate's decision is the one that counts)."""
        choice = tool_choice or self.policy.tool_choice
        biases: list[RowBias] = []
        if self.texts is not None:
            policy = self.policy
            if prompt is not None and policy.copy_bias:
                biases.append(RowCopyBias(self.texts, copy_source(prompt), policy.copy_bias))
            if policy.continue_bias:
                biases.append(RowContinueBias(self.texts, policy.continue_bias))
            if policy.next_call_bias:
                biases.append(RowNextCallBias(self.texts, policy.next_call_bias))
        if not (self.policy.constrain or choice != "auto"):
            return RowConstraint(self, None, biases=biases)
        functions = [_function(t) for t in tools or []]
        if choice == "auto" and functions:
            return RowConstraint(self, None, pending=functions, biases=biases)
        prose = choice == "none" or (choice == "auto" and not functions)
        return RowConstraint(self, self.matcher(functions, choice), biases=biases, prose=prose)

    def matcher(self, functions: list[dict[str, Any]], tool_choice: str) -> Any:
        return self.xgr.GrammarMatcher(self._compiled(functions, tool_choice))

    def _arguments(self, schema: dict[str, Any]) -> dict[str, Any]:
        """An arguments object as `json.dumps` writes it (the format's training targets): ", " and ": ", no other
        whitespace, keys in the schema's order (xgrammar's any_order lets a key repeat), none beyond it."""
        grammar = self.xgr.Grammar.from_json_schema(schema, any_whitespace=False, separators=(", ", ": "),
                                                    any_order=False)
        return {"type": "grammar", "grammar": str(grammar)}

    def _compiled(self, functions: list[dict[str, Any]], tool_choice: str) -> Any:
        key = hashlib.sha256(json.dumps([functions, tool_choice], sort_keys=True,
                                        default=str).encode()).hexdigest()
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        try:
            fmt = call_format(functions, tool_choice, self._arguments)
            compiled = self.compiler.compile_structural_tag({"type": "structural_tag", "format": fmt})
        except Exception as exc:  # xgrammar raises RuntimeError/ValueError subclasses for schemas it rejects
            names = ", ".join(f["name"] for f in functions)
            reason = " ".join(str(exc).split())[:200]
            raise ToolgymError(f"cannot build a call grammar for tools {names}: {reason}") from None
        self.cache[key] = compiled
        if len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)
        return compiled


class RowConstraint:
    """One answer's constraint: `mask` the next-token logits in place, then `accept` the chosen token."""

    def __init__(self, owner: Constrainer, matcher: Any, pending: list[dict[str, Any]] | None = None,
                 biases: Sequence[RowBias] = (), prose: bool = False) -> None:
        self.owner = owner
        self.matcher = matcher
        self.pending = pending  # tools whose grammar (calls or prose) the first token picks
        self.biases = list(biases)  # logit bonuses that follow the answer's text (copy, continue, next call)
        self.produced = 0
        self.prose = prose  # the grammar is prose only: no call can follow
        self.prose_produced = 0
        grammar = matcher is not None or pending is not None
        self.bitmask = owner.xgr.allocate_token_bitmask(1, owner.vocab_size) if grammar else None

    def mask(self, logits: Any) -> Any:
        """Apply the gate's bias (first position only) and the grammar to a (vocab,) logits row."""
        if self.produced == 0 and self.owner.policy.call_bias:
            logits[self.owner.opener] += self.owner.policy.call_bias
        cap = self.owner.policy.prose_tokens
        if self.prose and self.matcher is not None and cap is not None and self.prose_produced >= cap:
            stops = logits[self.owner.stop_ids].clone()
            logits.fill_(float("-inf"))
            logits[self.owner.stop_ids] = stops  # only an end token: the answer is over
            return logits
        for bias in self.biases:
            bias.apply(logits)
        if self.matcher is not None and not self.matcher.is_terminated():
            self.matcher.fill_next_token_bitmask(self.bitmask)
            row = logits[None, : self.owner.vocab_size]
            self.owner.xgr.apply_token_bitmask_inplace(row, self.bitmask.to(row.device))
            if logits.shape[-1] > self.owner.vocab_size:  # padded vocabulary rows no token maps to
                logits[self.owner.vocab_size:] = float("-inf")
        return logits

    def accept(self, token: int) -> None:
        self.produced += 1
        for bias in self.biases:
            bias.accept(token)
        if self.pending is not None:
            choice = "required" if token == self.owner.opener else "none"
            self.matcher, self.pending = self.owner.matcher(self.pending, choice), None
            self.prose = choice == "none"
        if self.matcher is not None and not self.matcher.is_terminated() and not self.matcher.accept_token(token):
            self.matcher = None  # a first token the prose grammar cannot start with: leave the answer free
        self.prose_produced += self.prose


class ConstrainedLogits:
    """A transformers LogitsProcessor over one `RowConstraint` per batch row (for `model.generate`)."""

    def __init__(self, rows: list[RowConstraint]) -> None:
        self.rows = rows
        self.started = False

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if self.started:
            for row, ids in zip(self.rows, input_ids, strict=True):
                row.accept(int(ids[-1]))
        self.started = True
        for r, row in enumerate(self.rows):
            row.mask(scores[r])
        return scores
