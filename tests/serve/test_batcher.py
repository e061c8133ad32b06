"""The batching worker with a scripted generator: windows, grouping by sampling, per-request errors."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.serve.helpers import ScriptedGenerator
from toolgym.serve.batcher import Batcher, context_limit
from toolgym.serve.protocol import Sampling, ServeError


def test_concurrent_requests_share_batches_grouped_by_sampling() -> None:
    gen = ScriptedGenerator(reply=lambda p, t: f"re: {p}", delay_s=0.05)
    batcher = Batcher(gen, max_batch=8, window_s=0.05)
    batcher.start()
    try:
        greedy, hot = Sampling(max_new_tokens=4), Sampling(temperature=0.9, max_new_tokens=4)
        futures = [batcher.submit(f"p{i}", greedy if i % 2 else hot) for i in range(8)]
        outs = [f.result(timeout=10) for f in futures]
    finally:
        batcher.stop()
    assert [o.texts for o in outs] == [[f"re: p{i}"] for i in range(8)]
    assert outs[3].prompt_tokens == 1 and outs[3].completion_tokens == [2]
    assert batcher.requests_run == 8 and batcher.batches_run == len(gen.calls) == 2
    assert sorted(c["temperature"] for c in gen.calls) == [0.0, 0.9]
    assert all(len(c["prompts"]) == 4 and c["max_new_tokens"] == 4 for c in gen.calls)


def test_max_batch_caps_a_batch_and_late_requests_form_the_next() -> None:
    gen = ScriptedGenerator(delay_s=0.02)
    batcher = Batcher(gen, max_batch=3, window_s=0.05)
    batcher.start()
    try:
        with ThreadPoolExecutor(7) as pool:
            list(pool.map(lambda i: batcher.submit(f"p{i}", Sampling()).result(timeout=10), range(7)))
    finally:
        batcher.stop()
    assert all(len(c["prompts"]) <= 3 for c in gen.calls) and sum(len(c["prompts"]) for c in gen.calls) == 7
    assert 3 <= batcher.batches_run < 7


def test_errors_reach_only_their_requests() -> None:
    def reply(prompt: str, temperature: float) -> str:
        if "boom" in prompt:
            raise RuntimeError("out of memory")
        return "ok"

    gen = ScriptedGenerator(reply=reply)
    gen.model = type("M", (), {"config": type("C", (), {"max_position_embeddings": 10})()})()
    batcher = Batcher(gen, window_s=0.05, context_limit=context_limit(gen))
    assert batcher.context_limit == 10
    batcher.start()
    try:
        long = batcher.submit("w " * 8, Sampling(max_new_tokens=4))
        fine = batcher.submit("short", Sampling(max_new_tokens=4))
        with pytest.raises(ServeError) as err:
            long.result(timeout=10)
        assert err.value.code == "context_length_exceeded" and err.value.status == 400
        assert fine.result(timeout=10).texts == ["ok"]
        with pytest.raises(RuntimeError, match="out of memory"):
            batcher.submit("boom", Sampling(max_new_tokens=4)).result(timeout=10)
        assert batcher.submit("again", Sampling(max_new_tokens=4)).result(timeout=10).texts == ["ok"]  # the worker lives on
    finally:
        batcher.stop()
