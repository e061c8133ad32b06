"""Dtype choice from the hardware; the capability probes are the only thing mocked (both kinds of CPU)."""

from __future__ import annotations

import logging

import pytest

from toolgym.core.errors import ToolgymError
from toolgym.models import hardware


@pytest.fixture(params=[True, False], ids=["avx512-bf16", "avx2-only"])
def native(request, monkeypatch):
    monkeypatch.setattr(hardware, "cpu_has_native_bf16", lambda: request.param)
    hardware.capability.cache_clear()
    yield request.param
    hardware.capability.cache_clear()


def test_auto_generation_dtype_follows_the_cpu(native):
    assert hardware.generation_dtype("auto", "cpu", 32) == ("bf16-weights" if native else "float32")
    assert hardware.generation_dtype("auto", "cpu", 1) == "float32"  # small batches: fp32 measured faster
    assert hardware.generation_dtype("fp32", "cpu", 32) == "float32"


def test_auto_training_bf16_follows_the_cpu(native, monkeypatch):
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    assert hardware.training_bf16("auto") is native
    assert hardware.training_bf16(False) is False


def test_explicit_bf16_on_emulated_cpu_warns_once_with_the_cost(native, caplog):
    with caplog.at_level(logging.WARNING, logger="toolgym.models.hardware"):
        assert hardware.generation_dtype("bf16-weights", "cpu", 32) == "bf16-weights"
        assert hardware.generation_dtype("bfloat16", "cpu", 32) == "bfloat16"
    warnings = [r.getMessage() for r in caplog.records]
    if native:
        assert warnings == []
    else:
        assert len(warnings) == 2 and all("40x slower" in w and "\n" not in w for w in warnings)


def test_unknown_dtype_is_an_error():
    with pytest.raises(ToolgymError, match="unknown generation dtype"):
        hardware.generation_dtype("int3", "cpu", 1)


def test_capability_line_names_the_isa():
    line = hardware.capability().line()
    assert line.startswith(("cpu: ", "cuda: ")) and "bf16" in line


def test_matmul_peak_at_a_models_linear_shapes():
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Linear(16, 8), torch.nn.Linear(8, 16),
                                torch.nn.Linear(16, 100))
    assert hardware.linear_shapes(model, skip_out=100) == {(8, 16): 2, (16, 8): 1}
    peak = hardware.matmul_peak({(64, 64): 2}, rows=32, seconds=0.05, rounds=2)
    assert peak.gflops > 0 and peak.gflops_per_cpu_s > 0 and peak.dtype == "float32"
    assert "GFLOP/s" in peak.line() and f"{peak.threads} threads" in peak.line()


def test_training_flops_per_token_counts_weights_six_times_and_attention_by_length():
    shapes = {(8, 16): 2, (16, 100): 1}  # 256 + 1,600 matmul weights
    assert hardware.training_flops_per_token(shapes, layers=0, hidden=8, tokens=10) == 6 * 1856
    # SmolLM2-135M's shapes: 30 layers of q,k,v,o (576x576, 576x192 x2, 576x576), MLP 576x1536 x2 + 1536x576, head
    layer = {(576, 576): 2, (576, 192): 2, (576, 1536): 2, (1536, 576): 1}
    shapes = {k: 30 * v for k, v in layer.items()} | {(576, 49152): 1}
    per_token = hardware.training_flops_per_token(shapes, layers=30, hidden=576, tokens=512)
    assert round(per_token / 1e6) == 913  # 807 MFLOP from 134.5M matmul weights + 106 from attention at 512 tokens
