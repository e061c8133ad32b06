"""How models generate: the `Generator` protocol and its transformers backend.

A generator takes prompt strings (or (messages, tools) pairs, rendered with the model's chat template by
`core.formats.render_prompt`) and returns `n` completion texts per prompt, in input order. Greedy when
`temperature == 0`, sampled otherwise. Stop strings end a completion; the stop string itself is not
returned (OpenAI semantics). vLLM and OpenAI-compatible backends will implement the same protocol.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from toolgym.core.errors import ToolgymError
from toolgym.core.formats import render_prompt
from toolgym.core.progress import progress_bar
from toolgym.models.hardware import generation_dtype
from toolgym.models.registry import prepare_tokenizer

ChatItem = tuple[Sequence[Any], Sequence[Any]]  # (messages, tools), OpenAI dicts or core.schema objects


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
    """Batched generation with a transformers causal LM (left padding, prompts sorted by length).

    With `n > 1` samples the prompt is run once and its KV cache copied n times (`share_prefill`).
    """

    def __init__(self, model: Any, tokenizer: Any, batch_size: int = 32, dtype: Any = "auto",
                 progress: bool = True, fmt: str = "hermes", share_prefill: bool = True) -> None:
        if batch_size < 1:
            raise ToolgymError(f"batch_size must be >= 1, got {batch_size}")
        import torch

        device_type = next(model.parameters()).device.type
        self.dtype = generation_dtype(dtype, device_type, batch_size)  # the concrete choice, for manifests
        if self.dtype == "bf16-weights":
            model = model.to(torch.bfloat16)
        self.model = model.eval()
        self.tokenizer = prepare_tokenizer(tokenizer, model)
        self.batch_size = batch_size
        self.progress = progress
        self.fmt = fmt
        self.share_prefill = share_prefill
        self.device = next(model.parameters()).device
        self.autocast_dtype = torch.bfloat16 if self.dtype == "bfloat16" else None

    # ------------------------------------------------------------------------------------------------
    def chat(self, batch: list[ChatItem], *, fmt: str | None = None, **kwargs: Any) -> list[list[str]]:
        """Render each (messages, tools) pair with the chat template, then `generate`."""
        prompts = [render_prompt(self.tokenizer, messages, tools, fmt=fmt or self.fmt) for messages, tools in batch]
        return self.generate(prompts, **kwargs)

    def generate(self, prompts: list[str], *, n: int = 1, temperature: float = 0.0, top_k: int | None = None,
                 top_p: float | None = None, max_new_tokens: int = 256, stop: Sequence[str] | None = None,
                 min_new_tokens: int = 0, seed: int | None = None) -> list[list[str]]:
        """`n` completions per prompt, in input order. `seed` makes sampling reproducible."""
        import torch

        _check_args(prompts, n, temperature, max_new_tokens)
        stops = [s for s in (stop or []) if s]
        sample = temperature > 0
        if seed is not None:
            torch.manual_seed(seed)
        encoded = [self._encode(p) for p in prompts]
        # Longest first: a batch that does not fit in memory fails at once, not at the end.
        order = sorted(range(len(prompts)), key=lambda i: -len(encoded[i]))
        per_batch = max(1, self.batch_size // n) if sample else self.batch_size
        config = self._generation_config(n if sample else 1, temperature, top_k, top_p, max_new_tokens,
                                         min_new_tokens, stops)
        results: list[list[str]] = [[] for _ in prompts]
        with progress_bar(len(prompts), "generating", enabled=self.progress) as advance:
            for start in range(0, len(order), per_batch):
                chunk = order[start:start + per_batch]
                texts = self._generate_batch([encoded[i] for i in chunk], config, stops)
                width = n if sample else 1
                for j, i in enumerate(chunk):
                    outs = texts[j * width:(j + 1) * width]
                    results[i] = outs if sample else outs * n
                advance(len(chunk))
        return results

    # ------------------------------------------------------------------------------------------------
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

    def _generate_batch(self, batch_ids: list[list[int]], config: Any, stops: list[str]) -> list[str]:
        """Generate for one left-padded batch; texts in batch order, `num_return_sequences` per prompt."""
        import torch

        enc = self.tokenizer.pad({"input_ids": batch_ids}, padding=True, return_tensors="pt")
        enc = {k: v.to(self.device) for k, v in enc.items()}
        extra: dict[str, Any] = {"tokenizer": self.tokenizer} if config.stop_strings else {}
        with torch.inference_mode(), self._autocast():
            n = config.num_return_sequences or 1
            if n > 1 and self.share_prefill and enc["input_ids"].shape[1] > 1:
                try:
                    enc, extra["past_key_values"] = self._shared_prefill(enc, n)
                    config = copy.copy(config)
                    config.num_return_sequences = 1
                except (TypeError, ValueError, AttributeError, NotImplementedError):
                    self.share_prefill = False  # a model whose cache cannot be copied: let transformers repeat
            out = self.model.generate(**enc, generation_config=config, **extra)
        new_tokens = out[:, enc["input_ids"].shape[1]:].tolist()
        return [_truncate_at_stop(self._decode(ids), stops) for ids in new_tokens]

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
                   past_key_values=cache, use_cache=True)
        cache.batch_repeat_interleave(n)
        return {"input_ids": ids.repeat_interleave(n, 0), "attention_mask": mask.repeat_interleave(n, 0)}, cache

    def _decode(self, ids: list[int]) -> str:
        """Text of generated ids up to the first end/pad token (special tool tokens are kept)."""
        ends = _as_set(self.model.generation_config.eos_token_id) | _as_set(self.tokenizer.eos_token_id)
        ends |= _as_set(self.tokenizer.pad_token_id)
        cut = next((k for k, t in enumerate(ids) if t in ends), len(ids))
        return self.tokenizer.decode(ids[:cut], skip_special_tokens=False)

    def _autocast(self) -> contextlib.AbstractContextManager:
        import torch

        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.autocast_dtype)


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
