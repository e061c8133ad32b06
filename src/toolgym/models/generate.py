"""How models generate: the `Generator` protocol and its transformers backend.

A generator takes prompt strings (or (messages, tools) pairs, rendered with the model's chat template by
`core.formats.render_prompt`) and returns `n` completion texts per prompt, in input order. Greedy when
`temperature == 0`, sampled otherwise. Stop strings end a completion; the stop string itself is not
returned (OpenAI semantics). vLLM and OpenAI-compatible backends will implement the same protocol.

Greedy requests without stop strings take `_GreedyDecoder`, a continuous-batching loop over the model's
forward: each prompt is prefilled alone (no padding), after the KV cache of the prefix all prompts of the call
share (computed once), and joins a decode batch whose finished rows are replaced by the next prompt at once.
Sampling, stop strings and models it cannot drive go through `model.generate`. Why by hand (checked in
transformers 5.24): `generate` pads every batch to its longest prompt and keeps computing finished rows until
the last one ends, and `DynamicCache` concatenates the whole cache at every step; its continuous batching
(`generate_batch`) is built for paged GPU kernels and on CPU attends over the whole packed batch with one mask
(measured 15% slower than `generate` on 8 BFCL prompts).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol, runtime_checkable

from toolgym.core.errors import ToolgymError
from toolgym.core.formats import render_prompt
from toolgym.core.progress import progress_bar
from toolgym.models.constrain import (
    CallPolicy,
    ConstrainedLogits,
    Constrainer,
    RowConstraint,
    check_policy,
    drop_repeated_calls,
    opener_token,
)
from toolgym.models.hardware import generation_dtype
from toolgym.models.prefix_groups import PrefixPlan, call_prefix_length, plan_prefix_groups
from toolgym.models.registry import prepare_tokenizer

ChatItem = tuple[Sequence[Any], Sequence[Any]]  # (messages, tools), OpenAI dicts or core.schema objects
_log = logging.getLogger(__name__)
DEFAULT_BATCH_TOKENS = 32_768  # KV-cache positions (rows x width) one decode batch may hold


@dataclass
class GenerationStats:
    """What a generator computed, summed over its calls (benchmarks/bfcl_eval.py prints it)."""

    prompts: int = 0
    prompt_tokens: int = 0  # tokens of the prompts
    prefill_tokens: int = 0  # positions the prefills computed (padding included, a shared prefix once per call)
    new_tokens: int = 0  # tokens generated, the end token included
    decode_rows: int = 0  # row-steps the decode loop computed (finished rows still in a batch included)
    decode_steps: int = 0
    fast_path: int = 0  # calls served by the continuous-batching greedy decoder
    prefill_s: float = 0.0  # wall seconds the greedy decoder spent prefilling (its first token picked)
    decode_s: float = 0.0  # wall seconds of its decode steps

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def _timed(field: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A decoder method whose wall time is added to `self.stats.<field>`."""
    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(self, *args, **kwargs)
            finally:
                setattr(self.stats, field, getattr(self.stats, field) + time.perf_counter() - start)
        return timed
    return wrap


@runtime_checkable
class Generator(Protocol):
    """Texts in, `n` texts per input out, in input order."""

    tokenizer: Any

    def generate(self, prompts: list[str], *, n: int = 1, temperature: float = 0.0, top_k: int | None = None,
                 top_p: float | None = None, max_new_tokens: int = 256,
                 stop: Sequence[str] | None = None) -> list[list[str]]: ...

    def chat(self, batch: list[ChatItem], *, n: int = 1, temperature: float = 0.0, top_k: int | None = None,
             top_p: float | None = None, max_new_tokens: int = 256,
             stop: Sequence[str] | None = None) -> list[list[str]]: ...


def choose_autocast(dtype: Any, device_type: str, batch_size: int = 1) -> Any:
    """The autocast dtype for a request ("auto", "float32"/"fp32", "bfloat16"/"bf16"); None = off.

    The choice is `toolgym.models.hardware.generation_dtype`'s; bf16 weights need no autocast.
    """
    import torch

    return torch.bfloat16 if generation_dtype(dtype, device_type, batch_size) == "bfloat16" else None


class TransformersGenerator:
    """Batched generation with a transformers causal LM.

    Greedy requests without stop strings: `_GreedyDecoder` (continuous batching, at most `batch_size` rows and
    `batch_tokens` KV positions per decode batch; `fast_greedy="auto"` uses it on CPUs, where it was measured,
    True everywhere, False never). Otherwise `model.generate` on left-padded batches of `batch_size` prompts
    sorted by length; with `n > 1` samples the prompt is run once and its KV cache copied n times
    (`share_prefill`).
    """

    def __init__(self, model: Any, tokenizer: Any, batch_size: int = 32, dtype: Any = "auto",
                 progress: bool = True, fmt: str = "hermes", share_prefill: bool = True,
                 batch_tokens: int = DEFAULT_BATCH_TOKENS, fast_greedy: bool | str = "auto",
                 share_prefix: bool = True, policy: CallPolicy | None = None) -> None:
        if batch_size < 1:
            raise ToolgymError(f"batch_size must be >= 1, got {batch_size}")
        if batch_tokens < 1:
            raise ToolgymError(f"batch_tokens must be >= 1, got {batch_tokens}")
        import torch

        device_type = next(model.parameters()).device.type
        self.dtype = generation_dtype(dtype, device_type, batch_size)  # the concrete choice, for manifests
        if self.dtype == "bf16-weights":
            model = model.to(torch.bfloat16)
        self.model = model.eval()
        self.tokenizer = prepare_tokenizer(tokenizer, model)
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens
        self.progress = progress
        self.fmt = fmt
        self.share_prefill = share_prefill
        wanted = fast_greedy is True or (fast_greedy == "auto" and device_type == "cpu")
        self.fast_greedy = wanted and _GreedyDecoder.supports(model)
        self.share_prefix = share_prefix  # greedy: the KV cache of the prefix all prompts of a call share, once
        self.device = next(model.parameters()).device
        self.autocast_dtype = torch.bfloat16 if self.dtype == "bfloat16" else None
        self.stats = GenerationStats()
        self.policy = policy or CallPolicy()
        check_policy(self.policy, fmt)
        self._constrainer: Constrainer | None = None

    def set_policy(self, policy: CallPolicy) -> None:
        """Decode under `policy` from now on (e.g. once its bias has been calibrated)."""
        check_policy(policy, self.fmt)
        self.policy, self._constrainer = policy, None

    def constraints(self, tools: Sequence[Sequence[Any] | None] | None, n: int = 1,
                    tool_choice: Sequence[str | None] | None = None,
                    prompts: Sequence[str] | None = None) -> list[RowConstraint] | None:
        """One fresh row constraint per prompt (n per prompt, in order) under the call policy, with each prompt's
        own `tool_choice` where given and its text for the copy bias; None when nothing constrains."""
        if tools is None or not (self.policy.active or any(tool_choice or [])):
            return None
        if self._constrainer is None:
            vocab = self.model.get_output_embeddings().weight.shape[0]
            self._constrainer = Constrainer(self.tokenizer, vocab, sorted(self._end_ids()), self.policy)
        choices = tool_choice or [None] * len(tools)
        texts = prompts or [None] * len(tools)
        return [self._constrainer.row(t, c, p) for t, c, p in zip(tools, choices, texts, strict=True)
                for _ in range(n)]

    # ------------------------------------------------------------------------------------------------
    def chat(self, batch: list[ChatItem], *, fmt: str | None = None, **kwargs: Any) -> list[list[str]]:
        """Render each (messages, tools) pair with the chat template, then `generate`."""
        prompts = [render_prompt(self.tokenizer, messages, tools, fmt=fmt or self.fmt) for messages, tools in batch]
        return self.generate(prompts, tools=[tools for _, tools in batch], **kwargs)

    def generate(self, prompts: list[str], *, n: int = 1, temperature: float = 0.0, top_k: int | None = None,
                 top_p: float | None = None, max_new_tokens: int = 256, stop: Sequence[str] | None = None,
                 min_new_tokens: int = 0, seed: int | None = None,
                 tools: Sequence[Sequence[Any] | None] | None = None,
                 tool_choice: Sequence[str | None] | None = None) -> list[list[str]]:
        """`n` completions per prompt, in input order. `seed` makes sampling reproducible. `tools` (one list per
        prompt) are what the call policy constrains calls to; without them the policy does not apply.
        `tool_choice` (one per prompt: auto, required, none or a tool name) is enforced by the grammar."""
        import torch

        _check_args(prompts, n, temperature, max_new_tokens)
        stops = [s for s in (stop or []) if s]
        sample = temperature > 0
        if seed is not None:
            torch.manual_seed(seed)
        encoded = [self._encode(p) for p in prompts]
        self._count_prompts(encoded)
        if tools is not None and len(tools) != len(prompts):
            raise ToolgymError(f"got {len(tools)} tool lists for {len(prompts)} prompts")
        if tool_choice is not None and (tools is None or len(tool_choice) != len(prompts)):
            raise ToolgymError("tool_choice needs one entry per prompt, and the prompts' tools")
        if not sample and not stops and self.fast_greedy and encoded and all(encoded):
            texts = self._greedy(encoded, max_new_tokens, min_new_tokens,
                                 self.constraints(tools, 1, tool_choice, prompts))
            if texts is not None:
                return self._distinct([[text] * n for text in texts], tools)
        # Longest first: a batch that does not fit in memory fails at once, not at the end.
        order = sorted(range(len(prompts)), key=lambda i: -len(encoded[i]))
        per_batch = max(1, self.batch_size // n) if sample else self.batch_size
        config = self._generation_config(n if sample else 1, temperature, top_k, top_p, max_new_tokens,
                                         min_new_tokens, stops)
        results: list[list[str]] = [[] for _ in prompts]
        with progress_bar(len(prompts), "generating", enabled=self.progress) as advance:
            for start in range(0, len(order), per_batch):
                chunk = order[start:start + per_batch]
                rows = None if tools is None else self.constraints(
                    [tools[i] for i in chunk], n if sample else 1, None if tool_choice is None else
                    [tool_choice[i] for i in chunk], [prompts[i] for i in chunk])
                texts = self._generate_batch([encoded[i] for i in chunk], config, stops, rows)
                width = n if sample else 1
                for j, i in enumerate(chunk):
                    outs = texts[j * width:(j + 1) * width]
                    results[i] = outs if sample else outs * n
                advance(len(chunk))
        return self._distinct(results, tools)

    def _distinct(self, results: list[list[str]], tools: Any) -> list[list[str]]:
        """Each text under the policy's `distinct_calls` (`_distinct_text`)."""
        return [[self._distinct_text(text, tools) for text in texts] for texts in results]

    def _distinct_text(self, text: str, tools: Any) -> str:
        """Under the policy's `distinct_calls` (and the prompts' tools), the text without repeated call blocks."""
        return drop_repeated_calls(text) if tools is not None and self.policy.distinct_calls else text

    def _count_prompts(self, encoded: list[list[int]]) -> None:
        self.stats.prompts += len(encoded)
        self.stats.prompt_tokens += sum(len(ids) for ids in encoded)

    def call_margins(self, prompts: list[str]) -> list[float]:
        """Per prompt, logit(first token of the call opener) − the largest other logit at the answer's first
        position: > 0 means greedy decoding opens a call (the quantity `CallPolicy.call_bias` shifts)."""
        import torch

        opener = opener_token(self.tokenizer)
        encoded = [self._encode(p) for p in prompts]
        order = sorted(range(len(prompts)), key=lambda i: -len(encoded[i]))
        margins = [0.0] * len(prompts)
        with torch.inference_mode(), self._autocast(), \
                progress_bar(len(prompts), "call margins", enabled=self.progress) as advance:
            for start in range(0, len(order), self.batch_size):
                chunk = order[start:start + self.batch_size]
                enc = self.tokenizer.pad({"input_ids": [encoded[i] for i in chunk]}, padding=True, return_tensors="pt")
                ids, mask = enc["input_ids"].to(self.device), enc["attention_mask"].to(self.device)
                positions = (mask.long().cumsum(-1) - 1).clamp(min=0)
                logits = self.model(input_ids=ids, attention_mask=mask, position_ids=positions,
                                    logits_to_keep=last_position(self.device)).logits[:, -1].float()
                self.stats.prefill_tokens += ids.numel()
                call = logits[:, opener].clone()
                logits[:, opener] = float("-inf")
                for i, margin in zip(chunk, (call - logits.max(-1).values).tolist(), strict=True):
                    margins[i] = margin
                advance(len(chunk))
        return margins

    def stream(self, prompts: list[str], *, max_new_tokens: int | Sequence[int] = 256,
               tools: Sequence[Sequence[Any] | None] | None = None) -> Iterator[tuple[int, str]]:
        """Greedy completions as (prompt index, text), yielded as each one finishes; one budget for all prompts
        or one per prompt. An evaluation writes each result as it comes, so one call can hold a whole benchmark
        (no batch waits for its slowest row before the next starts). Without the continuous-batching decoder
        (a model it cannot drive) it falls back to `generate`, one call per budget."""
        budgets = [max_new_tokens] * len(prompts) if isinstance(max_new_tokens, int) else list(max_new_tokens)
        if len(budgets) != len(prompts):
            raise ToolgymError(f"got {len(budgets)} budgets for {len(prompts)} prompts")
        _check_args(prompts, 1, 0.0, min(budgets, default=1))
        if tools is not None and len(tools) != len(prompts):
            raise ToolgymError(f"got {len(tools)} tool lists for {len(prompts)} prompts")
        encoded = [self._encode(p) for p in prompts]
        if self.fast_greedy and encoded and all(encoded):
            before = asdict(self.stats)
            self._count_prompts(encoded)
            decoded = self._greedy_stream(encoded, budgets, 0, self.constraints(tools, 1, None, prompts))
            for index, text in decoded:
                yield index, self._distinct_text(text, tools)
            if self.fast_greedy:
                return
            self.stats.__dict__.update(before)  # generate() below counts the prompts again
        for budget in sorted(set(budgets)):
            chosen = [i for i, b in enumerate(budgets) if b == budget]
            texts = self.generate([prompts[i] for i in chosen], max_new_tokens=budget,
                                  tools=None if tools is None else [tools[i] for i in chosen])
            yield from ((i, outs[0]) for i, outs in zip(chosen, texts, strict=True))

    # ------------------------------------------------------------------------------------------------
    def _greedy(self, encoded: list[list[int]], max_new: int, min_new: int,
                constraints: list[RowConstraint] | None = None) -> list[str] | None:
        """Greedy texts by `_GreedyDecoder`; None (and the fast path off) for a model it cannot drive."""
        texts = dict(self._greedy_stream(encoded, [max_new] * len(encoded), min_new, constraints))
        return [texts[i] for i in range(len(encoded))] if self.fast_greedy else None

    def _greedy_stream(self, encoded: list[list[int]], budgets: list[int], min_new: int,
                       constraints: list[RowConstraint] | None) -> Iterator[tuple[int, str]]:
        """(index, text) by `_GreedyDecoder` as each finishes. A model it cannot drive fails at its first
        forward: then nothing is yielded and the fast path is off from now on."""
        decoder = _GreedyDecoder(self.model, self._end_ids(), self.batch_size, self.batch_tokens, self.stats,
                                 share_prefix=self.share_prefix)
        before = asdict(self.stats)
        first = True
        with self._autocast(), progress_bar(len(encoded), "generating", enabled=self.progress) as advance:
            finished = decoder.iterate(encoded, budgets, min_new, advance, constraints)
            while True:
                try:
                    index = next(finished)
                except StopIteration:
                    break
                except (TypeError, AttributeError, NotImplementedError, KeyError) as exc:
                    if not first:
                        raise
                    # e.g. a model whose forward wants more of its cache than update(): generate() from now on
                    _log.warning("greedy decoder unavailable for %s (%s: %s); using generate()",
                                 type(self.model).__name__, type(exc).__name__, exc)
                    self.fast_greedy = False
                    self.stats.__dict__.update(before)
                    return
                first = False
                yield index, self.tokenizer.decode(decoder.outs[index], skip_special_tokens=False)
        self.stats.fast_path += 1

    def _end_ids(self) -> set[int]:
        """Tokens that end a completion: the model's eos ids, the tokenizer's eos and its pad token."""
        ends = _as_set(self.model.generation_config.eos_token_id) | _as_set(self.tokenizer.eos_token_id)
        return ends | _as_set(self.tokenizer.pad_token_id)

    def _encode(self, prompt: str) -> list[int]:
        """Token ids of a prompt; no second BOS when the rendered chat prompt already starts with one."""
        bos = self.tokenizer.bos_token
        add_special = not (bos and prompt.startswith(bos))
        return self.tokenizer(prompt, add_special_tokens=add_special)["input_ids"]

    def _generation_config(self, num_return: int, temperature: float, top_k: int | None, top_p: float | None,
                           max_new_tokens: int, min_new_tokens: int, stops: list[str]) -> Any:
        """A fresh GenerationConfig: only token ids come from the model, so its own sampling defaults
        (e.g. Qwen's temperature 0.7) never leak into a greedy request."""
        from transformers import GenerationConfig

        base = self.model.generation_config
        eos = base.eos_token_id if base.eos_token_id is not None else self.tokenizer.eos_token_id
        kwargs: dict[str, Any] = {
            "max_new_tokens": max_new_tokens, "min_new_tokens": min_new_tokens or None,
            "eos_token_id": eos, "pad_token_id": self.tokenizer.pad_token_id,
            "bos_token_id": base.bos_token_id, "num_return_sequences": num_return,
            "stop_strings": stops or None,
        }
        if num_return > 1 or temperature > 0:
            kwargs.update(do_sample=True, temperature=temperature, top_k=top_k or 0, top_p=top_p or 1.0)
        else:
            kwargs.update(do_sample=False)
        return GenerationConfig(**kwargs)

    def _generate_batch(self, batch_ids: list[list[int]], config: Any, stops: list[str],
                        constraints: list[RowConstraint] | None = None) -> list[str]:
        """Generate for one left-padded batch; texts in batch order, `num_return_sequences` per prompt."""
        import torch

        enc = self.tokenizer.pad({"input_ids": batch_ids}, padding=True, return_tensors="pt")
        enc = {k: v.to(self.device) for k, v in enc.items()}
        extra: dict[str, Any] = {"tokenizer": self.tokenizer} if config.stop_strings else {}
        if constraints is not None:
            from transformers import LogitsProcessorList

            extra["logits_processor"] = LogitsProcessorList([ConstrainedLogits(constraints)])
        n = config.num_return_sequences or 1
        self.stats.prefill_tokens += enc["input_ids"].numel()
        with torch.inference_mode(), self._autocast():
            if n > 1 and self.share_prefill and enc["input_ids"].shape[1] > 1:
                try:
                    enc, extra["past_key_values"] = self._shared_prefill(enc, n)
                    config = copy.copy(config)
                    config.num_return_sequences = 1
                except (TypeError, ValueError, AttributeError, NotImplementedError):
                    self.share_prefill = False  # a model whose cache cannot be copied: let transformers repeat
            out = self.model.generate(**enc, generation_config=config, logits_to_keep=last_position(self.device),
                                      **extra)
        new_tokens = out[:, enc["input_ids"].shape[1]:].tolist()
        steps = out.shape[1] - enc["input_ids"].shape[1]
        self.stats.decode_steps += steps
        self.stats.decode_rows += steps * out.shape[0]
        texts = []
        for ids in new_tokens:
            text, used = self._decode(ids)
            self.stats.new_tokens += used
            texts.append(_truncate_at_stop(text, stops))
        return texts

    def _shared_prefill(self, enc: dict[str, Any], n: int) -> tuple[dict[str, Any], Any]:
        """Run the prompts once (all but the last token), then copy the KV cache n times.

        transformers' num_return_sequences repeats each prompt before the prefill, paying for it n times;
        generate() continues from a given cache and only runs the uncached last token.
        """
        from transformers import DynamicCache

        ids, mask = enc["input_ids"], enc["attention_mask"]
        positions = (mask.long().cumsum(-1) - 1).clamp(min=0)  # as generate() derives them (left padding)
        cache = DynamicCache(config=self.model.config)
        self.model(input_ids=ids[:, :-1], attention_mask=mask[:, :-1], position_ids=positions[:, :-1],
                   past_key_values=cache, use_cache=True, logits_to_keep=last_position(self.device))
        cache.batch_repeat_interleave(n)
        return {"input_ids": ids.repeat_interleave(n, 0), "attention_mask": mask.repeat_interleave(n, 0)}, cache

    def _decode(self, ids: list[int]) -> tuple[str, int]:
        """Text of generated ids up to the first end/pad token (special tool tokens are kept), and how many
        tokens were generated (up to and including that end token)."""
        ends = self._end_ids()
        cut = next((k for k, t in enumerate(ids) if t in ends), len(ids))
        return self.tokenizer.decode(ids[:cut], skip_special_tokens=False), min(cut + 1, len(ids))

    def _autocast(self) -> contextlib.AbstractContextManager:
        import torch

        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.autocast_dtype)


# ---------------------------------------------------------------------------------------------------- greedy
class _PrefillCache:
    """The cache one prompt's prefill writes into: per layer its keys/values after the shared prefix's."""

    def __init__(self, prefix: list[tuple[Any, Any]] | None) -> None:
        self.prefix = prefix
        self.layers: dict[int, tuple[Any, Any]] = {}

    def update(self, key_states: Any, value_states: Any, layer_idx: int, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        import torch

        if self.prefix is not None:
            pk, pv = self.prefix[layer_idx]
            key_states, value_states = torch.cat([pk, key_states], 2), torch.cat([pv, value_states], 2)
        self.layers[layer_idx] = (key_states, value_states)
        return key_states, value_states


class _RowsCache:
    """The decode batch's cache: per layer one preallocated (rows, kv_heads, width, head_dim) buffer.

    Row r holds its sequence in columns [start_r, col); a decode step writes column `col` of every row in
    place and attention reads the window [lo, col] (a view, no copy), masked per row.
    """

    def __init__(self) -> None:
        self.keys: list[Any] = []
        self.values: list[Any] = []
        self.rows = 0  # rows 0..rows-1 take part in a decode step
        self.lo = 0
        self.col = 0

    @property
    def width(self) -> int:
        return self.keys[0].shape[2] if self.keys else 0

    def allocate(self, like: list[Any], rows: int, width: int) -> None:
        """Buffers of `width` columns shaped like the tensors `like` (one per layer)."""
        import torch

        # zeros, not empty: masked columns still enter attention (as 0 x value), and garbage may be NaN
        self.keys = [torch.zeros((rows, k.shape[1], width, k.shape[3]), dtype=k.dtype, device=k.device) for k in like]
        self.values = [torch.zeros_like(k) for k in self.keys]

    def shift(self) -> int:
        """Move the window [lo, col) to the buffer's start (no live row reads columns before lo); returns lo."""
        by, n = self.lo, self.rows
        for buf in (*self.keys, *self.values):
            buf[:n, :, :self.col - by] = buf[:n, :, by:self.col].clone()
        self.lo, self.col = 0, self.col - by
        return by

    def place(self, row: int, layers: list[tuple[Any, Any]]) -> None:
        """A prefilled prompt's keys/values into row `row`, ending at column `col`."""
        for buf_k, buf_v, (k, v) in zip(self.keys, self.values, layers, strict=True):
            buf_k[row, :, self.col - k.shape[2]:self.col] = k[0]
            buf_v[row, :, self.col - v.shape[2]:self.col] = v[0]

    def move(self, src: int, dst: int) -> None:
        for buf in (*self.keys, *self.values):
            buf[dst, :, self.lo:self.col] = buf[src, :, self.lo:self.col]

    def shift_right(self, by: int) -> None:
        """Move the window [lo, col) `by` columns right: room to the left for a prompt longer than `col`."""
        n = self.rows
        for buf in (*self.keys, *self.values):
            buf[:n, :, self.lo + by:self.col + by] = buf[:n, :, self.lo:self.col].clone()
        self.lo, self.col = self.lo + by, self.col + by

    def update(self, key_states: Any, value_states: Any, layer_idx: int, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        """The model's cache call in a decode step: write column `col`, return the window [lo, col]."""
        k, v, n = self.keys[layer_idx], self.values[layer_idx], self.rows
        k[:n, :, self.col] = key_states[:, :, -1]
        v[:n, :, self.col] = value_states[:, :, -1]
        return k[:n, :, self.lo:self.col + 1], v[:n, :, self.lo:self.col + 1]


@dataclass
class _Row:
    prompt: int  # index into the call's prompts
    start: int  # first cache column of the sequence
    position: int  # position id of the pending token
    out: list[int]  # generated so far; the last one is pending (not yet in the cache)


class _GreedyDecoder:
    """Continuous-batching greedy decoding over a transformers causal LM's forward.

    Each prompt is prefilled alone after the longest prefix whose KV cache is already computed: the prefix
    every prompt of the call shares, or that of its group (`prefix_groups`: prompts sharing a tool block),
    computed once when the group's first prompt comes and dropped after its last. Prompts go group by group,
    longest first; one longer than the write column moves the batch's window right. They are decoded in a batch
    of at most `max_rows` rows and `batch_tokens` cache positions; a finished row is replaced by the next prompt
    at once, and once none is left the batch shrinks. Equal to `model.generate(do_sample=False)` up to float rounding
    (tests/models/test_generate.py compares the texts).
    """

    SPARE, SLACK = 0.5, 64  # spare cache columns (a fraction + a number): how often the window moves

    def __init__(self, model: Any, ends: set[int], max_rows: int, batch_tokens: int, stats: GenerationStats,
                 share_prefix: bool = True) -> None:
        self.model = model
        self.share_prefix = share_prefix
        self.ends = ends
        self.max_rows = max_rows
        self.batch_tokens = batch_tokens
        self.stats = stats
        self.cache_arg = _cache_argument(model)
        self.device = next(model.parameters()).device
        self.prefix: list[tuple[Any, Any]] | None = None
        self.constraints: list[RowConstraint] | None = None
        self.plan = PrefixPlan(order=[])
        self.group_layers: dict[int, list[tuple[Any, Any]]] = {}  # the KV caches of groups still to prefill

    @staticmethod
    def supports(model: Any) -> bool:
        """A decoder-only model with SDPA attention on full-attention layers (masks are given as 4D booleans)."""
        config = getattr(model, "config", None)
        if config is None or getattr(config, "is_encoder_decoder", False):
            return False
        if getattr(config, "_attn_implementation", None) != "sdpa":
            return False
        layer_types = getattr(config, "layer_types", None) or ["full_attention"]
        return all(t == "full_attention" for t in layer_types) and _cache_argument(model) is not None

    def iterate(self, prompts: list[list[int]], max_new: int | Sequence[int], min_new: int, advance: Any,
                constraints: list[RowConstraint] | None = None) -> Iterator[int]:
        """Decode, yielding each prompt's index as soon as its ids (`self.outs[index]`) are final.

        `max_new` is one budget for all prompts or one per prompt; the cache is sized by the largest prompt +
        budget of the call."""
        import torch

        self.constraints = constraints
        self.budgets = [max_new] * len(prompts) if isinstance(max_new, int) else list(max_new)  # checked by callers
        self.prompts, self.min_new, self.advance = prompts, min_new, advance
        self.outs: list[list[int]] = [[] for _ in prompts]
        self.finished: list[int] = []
        span = max(len(p) + b for p, b in zip(prompts, self.budgets, strict=True))
        self.rows_cap = max(1, min(self.max_rows, len(prompts), self.batch_tokens // span))
        self.width = int(span * (1 + self.SPARE)) + self.SLACK
        cache, rows = _RowsCache(), []
        self.rows = rows
        with torch.inference_mode():
            self.prefix = self._prefix(prompts)
            shared = _kv_length(self.prefix)
            self.plan = plan_prefix_groups(prompts, shared) if self.share_prefix and len(prompts) > 1 \
                else PrefixPlan(order=sorted(range(len(prompts)), key=lambda i: -len(prompts[i])))
            self.queue = deque(self.plan.order)
            self.group_layers = {}
            while self.queue or rows:
                for r in reversed(range(len(rows))):  # a finished row: the next prompt takes its place ...
                    if rows[r] is None:
                        rows[r] = self._fill(cache, r, live=sum(row is not None for row in rows))
                    if rows[r] is None:  # ... or, with none left, the last row moves into it
                        if r != len(rows) - 1:
                            cache.move(len(rows) - 1, r)
                            rows[r] = rows[-1]
                        rows.pop()
                        cache.rows = len(rows)
                while self.queue and len(rows) < self.rows_cap:
                    row = self._fill(cache, len(rows), live=len(rows))
                    if row is None:
                        break
                    rows.append(row)
                if rows:
                    self._step(rows, cache)
                yield from self.finished
                self.finished.clear()

    # ------------------------------------------------------------------------------------------------
    def _forward(self, ids: Any, mask: Any, positions: Any, cache: Any) -> Any:
        out = self.model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True,
                         logits_to_keep=last_position(self.device), **{self.cache_arg: cache})
        return out.logits[:, -1].float()

    @_timed("prefill_s")
    def _prefix(self, prompts: list[list[int]]) -> list[tuple[Any, Any]] | None:
        """The keys/values of the prefix every prompt of the call starts with (None when short)."""
        import torch

        length = call_prefix_length(prompts) if self.share_prefix else 0
        if not length:
            return None
        cache = _PrefillCache(None)
        ids = torch.tensor([prompts[0][:length]], device=self.device)
        self._forward(ids, _causal_mask(length, 0, self.device), torch.arange(length, device=self.device)[None], cache)
        self.stats.prefill_tokens += length
        return [cache.layers[i] for i in range(len(cache.layers))]

    @_timed("prefill_s")
    def _fill(self, cache: _RowsCache, slot: int, live: int) -> _Row | None:
        """Prefill queued prompts until one is not finished by its first token; put it in row `slot`."""
        import torch

        while self.queue:
            index = self.queue.popleft()
            ids = self.prompts[index]
            prefix = self._group_prefix(index)
            done = _kv_length(prefix)
            prefill = _PrefillCache(prefix)
            positions = torch.arange(done, len(ids), device=self.device)[None]
            logits = self._forward(torch.tensor([ids[done:]], device=self.device),
                                   _causal_mask(len(ids) - done, done, self.device), positions, prefill)
            self.stats.prefill_tokens += len(ids) - done
            token = self._pick(logits, [0], [index])[0]
            if token in self.ends or self.budgets[index] == 1:
                self._finish(index, [] if token in self.ends else [token], ended=token in self.ends)
                continue
            layers = [prefill.layers[i] for i in range(len(prefill.layers))]
            if not live:  # an empty batch starts over at the left edge
                cache.rows, cache.lo, cache.col = 0, 0, len(ids)
            elif len(ids) > cache.col:  # a longer prompt than the window's columns to its left (a new group)
                by = len(ids) - cache.col
                cache.shift_right(by)
                for row in self.rows:
                    if row is not None:
                        row.start += by
            if not cache.keys:
                cache.allocate([k for k, _ in layers], self.rows_cap, max(self.width, len(ids) + 1))
            cache.rows = max(cache.rows, slot + 1)
            cache.place(slot, layers)
            cache.lo = min(cache.lo, cache.col - len(ids))  # the window holds every live row (move, shift_right)
            return _Row(index, cache.col - len(ids), len(ids), [token])
        return None

    def _group_prefix(self, index: int) -> list[tuple[Any, Any]] | None:
        """The KV cache prompt `index` is prefilled after: its group's (computed by the group's first prompt and
        dropped by its last), else the call's shared prefix."""
        import torch

        group = self.plan.group_of.get(index)
        if group is None:
            return self.prefix
        layers = self.group_layers.get(group)
        if layers is None:
            start, end = _kv_length(self.prefix), self.plan.length[group]
            cache = _PrefillCache(self.prefix)
            ids = torch.tensor([self.prompts[index][start:end]], device=self.device)
            self._forward(ids, _causal_mask(end - start, start, self.device),
                          torch.arange(start, end, device=self.device)[None], cache)
            self.stats.prefill_tokens += end - start
            layers = [cache.layers[i] for i in range(len(cache.layers))]
            self.group_layers[group] = layers
        if self.plan.last[group] == index:
            del self.group_layers[group]
        return layers

    @_timed("decode_s")
    def _step(self, rows: list[Any], cache: _RowsCache) -> None:
        """One decode step for every row; finished rows become None."""
        import torch

        cache.rows = len(rows)
        cache.lo = min(row.start for row in rows)
        if cache.col + 1 > cache.width:  # out of columns: drop those no row reads. The window is the oldest
            by = cache.shift()  # row's prompt + new tokens, at most the call's span < width: it then fits.
            for row in rows:
                row.start -= by
        device = self.device
        tokens = torch.tensor([[row.out[-1]] for row in rows], device=device)
        positions = torch.tensor([[row.position] for row in rows], device=device)
        starts = torch.tensor([row.start for row in rows], device=device)
        columns = torch.arange(cache.lo, cache.col + 1, device=device)
        mask = (columns[None, :] >= starts[:, None])[:, None, None, :]
        logits = self._forward(tokens, mask, positions, cache)
        cache.col += 1
        self.stats.decode_steps += 1
        self.stats.decode_rows += len(rows)
        picked = self._pick(logits, [len(row.out) for row in rows], [row.prompt for row in rows])
        for r, (row, token) in enumerate(zip(rows, picked, strict=True)):
            row.position += 1
            if token in self.ends:
                self._finish(row.prompt, row.out, ended=True)
                rows[r] = None
            else:
                row.out.append(token)
                if len(row.out) >= self.budgets[row.prompt]:
                    self._finish(row.prompt, row.out, ended=False)
                    rows[r] = None

    def _pick(self, logits: Any, produced: list[int], prompts: list[int]) -> list[int]:
        """Greedy tokens under each prompt's constraint; a row with fewer than `min_new` tokens may not end yet."""
        blocked = [r for r, n in enumerate(produced) if n < self.min_new]
        if blocked:
            logits = logits.clone()
            for r in blocked:
                logits[r, [e for e in self.ends if e < logits.shape[-1]]] = float("-inf")
        rows = [self.constraints[p] for p in prompts] if self.constraints else []
        for r, row in enumerate(rows):
            row.mask(logits[r])
        tokens = logits.argmax(-1).tolist()
        for row, token in zip(rows, tokens, strict=False):
            row.accept(token)
        return tokens

    def _finish(self, index: int, out: list[int], ended: bool) -> None:
        self.outs[index] = out
        self.finished.append(index)
        self.stats.new_tokens += len(out) + int(ended)
        self.advance(1)


def last_position(device: Any) -> Any:
    """`logits_to_keep` for the last position only, as an index tensor rather than the int 1.

    transformers slices the hidden states with the int (`[:, -1:]`, a strided view of a longer sequence), and
    torch.matmul cannot fold such a view into one mm: it expands the LM head's weight per row and copies it
    (SmolLM2's 49,152 x 576 head: ~45 ms per prompt, per row of a padded batch). An index gathers a contiguous
    row instead; the logits are the same (checked in transformers 5.24, torch 2.13; tests/models/test_generate.py).
    """
    import torch

    return torch.tensor([-1], device=device)


def _cache_argument(model: Any) -> str | None:
    """The keyword the model's forward takes its KV cache by (`cache` since transformers 5.24)."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    try:
        params = inspect.signature(base.forward).parameters
    except (TypeError, ValueError):
        return None
    return next((name for name in ("cache", "past_key_values") if name in params), None)


def _kv_length(layers: list[tuple[Any, Any]] | None) -> int:
    """Positions a prefix's per-layer (keys, values) hold; 0 for none."""
    return layers[0][0].shape[2] if layers else 0


def _causal_mask(length: int, offset: int, device: Any) -> Any:
    """(1, 1, length, offset + length) booleans: query i sees keys 0..offset+i."""
    import torch

    keys = torch.arange(offset + length, device=device)
    queries = torch.arange(length, device=device) + offset
    return (keys[None, :] <= queries[:, None])[None, None]


def _check_args(prompts: Any, n: int, temperature: float, max_new_tokens: int) -> None:
    if isinstance(prompts, str) or not isinstance(prompts, Sequence) or isinstance(prompts, Mapping):
        raise ToolgymError("generate() takes a list of prompt strings")
    bad = next((i for i, p in enumerate(prompts) if not isinstance(p, str)), None)
    if bad is not None:
        raise ToolgymError(f"prompt {bad} is {type(prompts[bad]).__name__}, not str")
    if n < 1:
        raise ToolgymError(f"n must be >= 1, got {n}")
    if temperature < 0:
        raise ToolgymError(f"temperature must be >= 0, got {temperature}")
    if max_new_tokens < 1:
        raise ToolgymError(f"max_new_tokens must be >= 1, got {max_new_tokens}")


def _as_set(value: Any) -> set[int]:
    if value is None:
        return set()
    return set(value) if isinstance(value, (list, tuple, set)) else {int(value)}


def _truncate_at_stop(text: str, stops: list[str]) -> str:
    """Text before the earliest stop string (transformers' stop_strings may overshoot by a token)."""
    cuts = [k for k in (text.find(s) for s in stops) if k >= 0]
    return text[:min(cuts)] if cuts else text
