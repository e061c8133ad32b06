"""Batching across concurrent clients: one worker thread owns the generator.

Requests are queued as rendered prompts. The worker takes the first one, waits up to `window_s` for more (up to
`max_batch`), groups them by identical `Sampling` and runs each group as one `generator.generate` call. While a
batch runs, new requests queue up and form the next batch. The worker is the only thread that touches the
model and the tokenizer (HF fast tokenizers are not safe to share across threads).

Hand-written: vLLM's AsyncLLMEngine does continuous batching, but only for its own engine; nothing in the
installed libraries batches requests for an arbitrary transformers `generate` (checked: transformers'
pipelines batch one caller's inputs, not concurrent callers).
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from toolgym.serve.protocol import Sampling, ServeError


@dataclass
class Output:
    """The completions of one request, with token counts for `usage` and `finish_reason`."""

    texts: list[str]
    prompt_tokens: int
    completion_tokens: list[int]


@dataclass
class _Job:
    prompt: str
    sampling: Sampling
    future: Future[Output]
    tools: list[Any] | None = None  # the offered tools, for a generator that constrains calls
    tool_choice: str | None = None  # auto | required | none | a tool name


class Batcher:
    """Collects prompts from many threads or tasks into `generate` batches; `submit` returns a Future."""

    def __init__(self, generator: Any, *, max_batch: int = 8, window_s: float = 0.015,
                 context_limit: int | None = None) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be >= 1, got {max_batch}")
        self.generator = generator
        self.max_batch = max_batch
        self.window_s = max(0.0, window_s)
        self.context_limit = context_limit
        self.batches_run = 0  # generate calls made
        self.requests_run = 0  # requests answered by them
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="toolgym-serve-batcher", daemon=True)
            self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Finish the queued requests, then end the worker."""
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)
        self._thread = None

    def submit(self, prompt: str, sampling: Sampling, tools: list[Any] | None = None,
               tool_choice: str | None = None) -> Future[Output]:
        """Queue one request; `tools` and `tool_choice` reach a generator that constrains calls (else unused)."""
        future: Future[Output] = Future()
        self._queue.put(_Job(prompt, sampling, future, tools, tool_choice))
        return future

    # ------------------------------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            jobs, stopping = self._collect(first)
            groups: dict[Sampling, list[_Job]] = {}
            for job in jobs:
                if job.future.set_running_or_notify_cancel():  # skip requests whose client went away
                    groups.setdefault(job.sampling, []).append(job)
            for sampling, group in groups.items():
                self._run(sampling, group)
            if stopping:
                return

    def _collect(self, first: _Job) -> tuple[list[_Job], bool]:
        """The jobs that arrive within the window after `first` (at most max_batch); True if told to stop."""
        jobs = [first]
        deadline = time.monotonic() + self.window_s
        while len(jobs) < self.max_batch:
            remaining = deadline - time.monotonic()
            try:
                job = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if job is None:
                return jobs, True
            jobs.append(job)
        return jobs, False

    def _run(self, sampling: Sampling, jobs: list[_Job]) -> None:
        ready: list[tuple[_Job, int]] = []
        for job in jobs:
            try:
                count = self._count(job.prompt, prompt=True)
                if self.context_limit is not None and count + sampling.max_new_tokens > self.context_limit:
                    raise ServeError(f"the prompt has {count} tokens and max_tokens is {sampling.max_new_tokens}: "
                                     f"more than the model's context of {self.context_limit} tokens",
                                     param="messages", code="context_length_exceeded")
            except Exception as exc:  # noqa: BLE001 - reported to that request alone
                job.future.set_exception(exc)
                continue
            ready.append((job, count))
        if not ready:
            return
        try:
            extra: dict[str, Any] = {}
            if decodes_by_policy(self.generator):  # the policy needs each prompt's tools; the grammar, its choice
                extra["tools"] = [job.tools or [] for job, _ in ready]
            if constrains(self.generator):
                extra["tool_choice"] = [job.tool_choice for job, _ in ready]
            texts = self.generator.generate([job.prompt for job, _ in ready], n=sampling.n,
                                            temperature=sampling.temperature, top_p=sampling.top_p,
                                            max_new_tokens=sampling.max_new_tokens,
                                            stop=list(sampling.stop) or None, **extra)
            outputs = [Output(outs, count, [self._count(t) for t in outs]) for (_, count), outs in zip(ready, texts,
                                                                                                       strict=True)]
        except Exception as exc:  # noqa: BLE001 - the batch's requests get the error, the worker lives on
            for job, _ in ready:
                job.future.set_exception(exc)
            return
        self.batches_run += 1
        self.requests_run += len(ready)
        for (job, _), out in zip(ready, outputs, strict=True):
            job.future.set_result(out)

    def _count(self, text: str, prompt: bool = False) -> int:
        """Token count of a prompt (with a BOS unless it has one, as the generator encodes) or a completion."""
        tokenizer = getattr(self.generator, "tokenizer", None)
        if tokenizer is None:
            return 0
        bos = getattr(tokenizer, "bos_token", None)
        special = prompt and not (bos and text.startswith(bos))
        return len(tokenizer(text, add_special_tokens=special)["input_ids"])


def constrains(generator: Any) -> bool:
    """Whether the generator constrains calls to the offered tools (`toolgym serve --constrain`)."""
    policy = getattr(generator, "policy", None)
    return bool(getattr(policy, "constrain", False))


def decodes_by_policy(generator: Any) -> bool:
    """Whether the generator decodes under an active call policy (grammar, gate bias, copy bias, distinct calls)."""
    policy = getattr(generator, "policy", None)
    return bool(getattr(policy, "active", False))


def context_limit(generator: Any) -> int | None:
    """The model's context length (max_position_embeddings), when the generator exposes its model."""
    config = getattr(getattr(generator, "model", None), "config", None)
    limit = getattr(config, "max_position_embeddings", None)
    return limit if isinstance(limit, int) and limit > 0 else None

