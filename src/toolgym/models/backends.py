"""More `Generator` backends: vLLM (GPU, optional extra `toolgym[vllm]`) and any OpenAI-compatible server
(optional extra `toolgym[openai]`), plus `make_generator` to pick one by name.

Both return `n` texts per prompt in input order, like `TransformersGenerator`. vLLM samples the n completions of
a prompt from one prefill (its `SamplingParams.n`, prefix caching). The OpenAI backend asks the server for `n`
choices; native tool calls in a chat answer come back as hermes `<tool_call>` text (`core.formats.render_calls`)
so callers parse every backend's output the same way. Neither library is imported until a backend is built;
without it, building one raises a one-line ToolgymError saying what to install.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from toolgym.core.errors import ToolgymError
from toolgym.core.formats import render_calls, render_prompt
from toolgym.core.schema import Tool, ToolCall
from toolgym.models.generate import ChatItem, _check_args

BACKENDS = ("transformers", "vllm", "openai")
# backends a model name can be evaluated with (openai needs a server: `OpenAIGenerator`)
MODEL_BACKENDS = ("transformers", "vllm")
_PACKAGES = {"vllm": "vllm", "openai": "openai"}
# toolgym generation dtype -> vLLM's `dtype`: vLLM loads weights in one dtype, no autocast
VLLM_DTYPES = {"auto": "auto", "float32": "float32", "fp32": "float32", "bfloat16": "bfloat16", "bf16": "bfloat16",
               "bf16-weights": "bfloat16"}


def missing_backend(backend: str) -> str | None:
    """Why `backend` cannot run here (unknown, or its package absent), in one line; None when it can.
    Checked with importlib's `find_spec`, so nothing heavy is imported."""
    import importlib.util

    if backend not in BACKENDS:
        return f"unknown generation backend {backend!r}; choose one of {', '.join(BACKENDS)}"
    package = _PACKAGES.get(backend)
    if package and importlib.util.find_spec(package) is None:
        return f"the {backend} backend needs the '{package}' package: pip install 'toolgym[{backend}]'"
    return None


def _require(module: str, extra: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ToolgymError(f"the {extra} backend needs the '{module}' package: pip install 'toolgym[{extra}]'") \
            from None


def _openai_tools(tools: Sequence[Any]) -> list[dict]:
    return [t.to_openai() if isinstance(t, Tool) else Tool.from_openai(t).to_openai() for t in tools]


def _openai_messages(messages: Sequence[Any]) -> list[dict]:
    return [m.to_openai() if hasattr(m, "to_openai") else dict(m) for m in messages]


class VLLMGenerator:
    """Generation with vLLM's offline `LLM`; a LoRA adapter folder is applied per request (`LoRARequest`)."""

    def __init__(self, model: str | Path, adapter: str | Path | None = None, *, tokenizer: Any = None,
                 fmt: str = "hermes", max_lora_rank: int = 64, progress: bool = False, **llm_kwargs: Any) -> None:
        vllm = _require("vllm", "vllm")
        self.fmt = fmt
        self.progress = progress
        self.llm = vllm.LLM(model=str(model), enable_lora=adapter is not None, max_lora_rank=max_lora_rank,
                            enable_prefix_caching=True, **llm_kwargs)
        self.tokenizer = tokenizer if tokenizer is not None else self.llm.get_tokenizer()
        self.lora = None
        if adapter is not None:
            from vllm.lora.request import LoRARequest

            self.lora = LoRARequest("adapter", 1, str(adapter))

    def chat(self, batch: list[ChatItem], *, fmt: str | None = None, **kwargs: Any) -> list[list[str]]:
        prompts = [render_prompt(self.tokenizer, messages, tools, fmt=fmt or self.fmt) for messages, tools in batch]
        return self.generate(prompts, **kwargs)

    def generate(self, prompts: list[str], *, n: int = 1, temperature: float = 0.0, top_k: int | None = None,
                 top_p: float | None = None, max_new_tokens: int = 256, stop: Sequence[str] | None = None,
                 seed: int | None = None) -> list[list[str]]:
        from vllm import SamplingParams

        _check_args(prompts, n, temperature, max_new_tokens)
        params = SamplingParams(n=n, temperature=temperature, top_k=top_k or -1 if temperature > 0 else -1,
                                top_p=top_p or 1.0, max_tokens=max_new_tokens, stop=list(stop or []) or None,
                                seed=seed, skip_special_tokens=False)
        outputs = self.llm.generate(prompts, params, lora_request=self.lora, use_tqdm=self.progress)
        return [[choice.text for choice in out.outputs] for out in outputs]


class OpenAIGenerator:
    """Any OpenAI-compatible endpoint (vLLM serve, llama.cpp server, TGI, OpenAI): `chat` uses
    /chat/completions with `tools=`, `generate` uses /completions with raw prompts."""

    tokenizer: Any = None  # the server renders its own chat template

    def __init__(self, base_url: str, model: str, *, api_key: str | None = None, timeout: float = 120.0,
                 max_concurrency: int = 8) -> None:
        openai = _require("openai", "openai")
        import os

        self.client = openai.OpenAI(base_url=base_url, api_key=api_key or os.environ.get("OPENAI_API_KEY", "none"),
                                    timeout=timeout)
        self.model = model
        self.max_concurrency = max_concurrency

    def _map(self, fn: Any, items: list[Any]) -> list[Any]:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=self.max_concurrency) as pool:
            return list(pool.map(fn, items))

    @staticmethod
    def _sampling(temperature: float, top_k: int | None, top_p: float | None) -> dict[str, Any]:
        extra = {"top_k": top_k} if top_k else {}
        return {"temperature": temperature, "top_p": top_p if top_p is not None else 1.0,
                **({"extra_body": extra} if extra else {})}

    def chat(self, batch: list[ChatItem], *, n: int = 1, temperature: float = 0.0, top_k: int | None = None,
             top_p: float | None = None, max_new_tokens: int = 256, stop: Sequence[str] | None = None,
             **_: Any) -> list[list[str]]:
        def one(item: ChatItem) -> list[str]:
            messages, tools = item
            kwargs: dict[str, Any] = {"tools": _openai_tools(tools)} if tools else {}
            response = self.client.chat.completions.create(
                model=self.model, messages=_openai_messages(messages), n=n, max_tokens=max_new_tokens,
                stop=list(stop) if stop else None, **self._sampling(temperature, top_k, top_p), **kwargs)
            return [choice_text(c.message) for c in response.choices]

        return self._map(one, list(batch))

    def generate(self, prompts: list[str], *, n: int = 1, temperature: float = 0.0, top_k: int | None = None,
                 top_p: float | None = None, max_new_tokens: int = 256, stop: Sequence[str] | None = None,
                 **_: Any) -> list[list[str]]:
        _check_args(prompts, n, temperature, max_new_tokens)

        def one(prompt: str) -> list[str]:
            response = self.client.completions.create(model=self.model, prompt=prompt, n=n, max_tokens=max_new_tokens,
                                                      stop=list(stop) if stop else None,
                                                      **self._sampling(temperature, top_k, top_p))
            return [c.text for c in sorted(response.choices, key=lambda c: c.index)]

        return self._map(one, prompts)


def choice_text(message: Any) -> str:
    """A chat answer as text: native tool calls rendered as hermes blocks after any content."""
    calls = []
    for call in getattr(message, "tool_calls", None) or []:
        args = call.function.arguments
        try:
            parsed = json.loads(args) if isinstance(args, str) else dict(args or {})
        except ValueError:
            parsed = {"__unparsable__": args}
        calls.append(ToolCall(call.function.name, parsed if isinstance(parsed, dict) else {}))
    text = message.content or ""
    return (text + ("\n" if text else "") + render_calls(calls, "hermes")) if calls else text


def make_generator(backend: str, model: str, adapter: str | None = None, *, batch_size: int = 32,
                   base_url: str | None = None, served_model: str | None = None, progress: bool = True,
                   dtype: str = "auto", policy: Any = None) -> Any:
    """A Generator by backend name: `transformers` (default, CPU-safe), `vllm` or `openai`.

    `dtype`: for transformers `auto` chooses from the hardware (`toolgym.models.hardware.generation_dtype`);
    an adapter is always merged into the fp32 weights before any cast (inference only: 53 s vs 62 s for 32 BFCL
    prompts x 48 tokens with a rank-16 all-linear adapter on an AVX2 EPYC); vLLM gets `VLLM_DTYPES`.
    `policy` (a `CallPolicy`: constrained calls, tool choice, call bias) is for the transformers backend only.
    """
    if policy is not None and policy.active and backend != "transformers":
        raise ToolgymError(f"constrained decoding and the call bias need the transformers backend, not {backend!r}")
    if backend == "transformers":
        from toolgym.models.generate import TransformersGenerator
        from toolgym.models.registry import load_model

        lm, tokenizer = load_model(model, adapter=adapter, merge=True)
        return TransformersGenerator(lm, tokenizer, batch_size=batch_size, progress=progress, dtype=dtype,
                                     policy=policy)
    if backend == "vllm":
        from toolgym.models.registry import resolve_model

        return VLLMGenerator(resolve_model(model), adapter, dtype=VLLM_DTYPES.get(dtype, "auto"), progress=progress)
    if backend == "openai":
        if not base_url or not served_model:
            raise ToolgymError("the openai backend needs base_url and served_model")
        return OpenAIGenerator(base_url, served_model)
    raise ToolgymError(f"unknown generation backend {backend!r}: use {', '.join(BACKENDS)}")
