"""What the hardware computes fast, and the dtypes chosen from it at run time (never in a recipe).

Measured on a 2-core AMD EPYC with AVX2 only (torch 2.13): a 512x576x1536 matmul runs at 32-57 GFLOP/s in
fp32 and 0.8 GFLOP/s in bf16 (emulated), 40x slower. On CPUs with AVX512-BF16 or AMX, bf16 weights generate
about 1.6x faster than fp32 at batch 32. So `auto` means bf16 only where the hardware computes it natively.

torch has `torch.backends.cpu.get_cpu_capability()` ("AVX2", "AVX512", ...) and private probes for
AVX512-BF16/AMX (`torch.cpu._is_avx512_bf16_supported`); there is no public bf16 check (checked: torch 2.13).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

_log = logging.getLogger(__name__)

# The measured cost of emulated bf16 on an AVX2 CPU (see the module docstring).
EMULATED_BF16_SLOWDOWN = "bf16 matmuls measured 40x slower than fp32 on an AVX2 CPU"
# bf16 pays off on a native-bf16 CPU only with enough rows per matmul (benchmarks/generation.py).
CPU_BF16_MIN_BATCH = 8
GENERATION_DTYPES = ("auto", "float32", "fp32", "bfloat16", "bf16", "bf16-weights", "bfloat16-weights")


@dataclass(frozen=True)
class Capability:
    """One line that names the compute device, printed beside every benchmark figure."""

    device: str  # "cpu" or "cuda"
    name: str  # CPU model or GPU name
    isa: str  # torch's CPU capability (AVX2, AVX512, ...) or the CUDA compute capability
    native_bf16: bool

    def line(self) -> str:
        bf16 = "native bf16" if self.native_bf16 else "no native bf16"
        return f"{self.device}: {self.name} ({self.isa}, {bf16})"


def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AVX512-BF16 or AMX)."""
    import torch

    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    try:
        return any(getattr(torch.cpu, name)() for name in probes if hasattr(torch.cpu, name))
    except (RuntimeError, AttributeError):
        return False


def cuda_has_bf16() -> bool:
    import torch

    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())


@functools.cache
def capability() -> Capability:
    """The device toolgym computes on, with its instruction set and whether bf16 is native."""
    import torch

    if torch.cuda.is_available():
        major, minor = torch.cuda.get_device_capability()
        return Capability("cuda", torch.cuda.get_device_name(), f"sm_{major}{minor}", cuda_has_bf16())
    isa = torch.backends.cpu.get_cpu_capability()
    native = cpu_has_native_bf16()
    if native and "AMX" not in isa:
        isa = f"{isa}+BF16" if "AVX512" in isa else isa
    return Capability("cpu", _cpu_model(), isa, native)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or "unknown CPU"


def native_bf16(device_type: str = "cpu") -> bool:
    return cuda_has_bf16() if device_type == "cuda" else cpu_has_native_bf16()


def training_bf16(setting: bool | str) -> bool:
    """bf16 autocast for training: `auto` = where bf16 is native (CUDA with bf16, AVX512-BF16/AMX CPUs)."""
    import torch

    if setting == "auto":
        return native_bf16("cuda" if torch.cuda.is_available() else "cpu")
    if setting and not torch.cuda.is_available() and not cpu_has_native_bf16():
        warn_emulated_bf16("training bf16: true")
    return bool(setting)


def generation_dtype(request: str, device_type: str, batch_size: int) -> str:
    """The concrete generation dtype for a request: `bf16-weights`, `bfloat16` (autocast) or `float32`.

    `auto`: bf16 weights on CUDA with bf16 and on native-bf16 CPUs at batch >= CPU_BF16_MIN_BATCH (decided
    once per generator, so a prompt's output does not depend on how it was batched); float32 otherwise.
    An explicit bf16 request on a CPU without native bf16 is honoured with a one-line warning.
    """
    from toolgym.core.errors import ToolgymError

    name = str(request).replace("torch.", "")
    if name not in GENERATION_DTYPES and name != "None":
        raise ToolgymError(f"unknown generation dtype {request!r}: use auto, float32, bfloat16 or bf16-weights")
    if name in ("float32", "fp32", "None"):
        return "float32"
    if name == "auto":
        if device_type == "cuda":
            return "bf16-weights" if cuda_has_bf16() else "float32"
        return "bf16-weights" if batch_size >= CPU_BF16_MIN_BATCH and cpu_has_native_bf16() else "float32"
    if device_type == "cpu" and not cpu_has_native_bf16():
        warn_emulated_bf16(f"dtype {name}")
    return "bf16-weights" if name.endswith("-weights") else "bfloat16"


def warn_emulated_bf16(what: str) -> None:
    _log.warning("%s on a CPU without native bf16 (%s): %s; use dtype auto", what, capability().isa,
                 EMULATED_BF16_SLOWDOWN)


@dataclass(frozen=True)
class MatmulPeak:
    """The best matmul rate seen at a model's linear shapes: per wall second and per CPU second of this
    process (the second is robust to other processes sharing the CPU; with 1 thread both agree when alone)."""

    gflops: float
    gflops_per_cpu_s: float
    dtype: str
    threads: int
    rows: int

    def line(self) -> str:
        return (f"matmul peak {self.gflops:.1f} GFLOP/s ({self.gflops_per_cpu_s:.1f} per CPU-second), {self.dtype}, "
                f"{self.rows} rows, {self.threads} threads")


def linear_shapes(model: object, skip_out: int | None = None) -> dict[tuple[int, int], int]:
    """(in_features, out_features) -> count of the model's `nn.Linear`s, without those of width `skip_out`
    (the vocabulary: the LM head runs on one position per prompt in a prefill)."""
    import torch

    shapes: dict[tuple[int, int], int] = {}
    for module in model.modules():  # type: ignore[attr-defined]
        if isinstance(module, torch.nn.Linear) and module.out_features != skip_out:
            key = (module.in_features, module.out_features)
            shapes[key] = shapes.get(key, 0) + 1
    return shapes


def training_flops_per_token(shapes: dict[tuple[int, int], int], *, layers: int, hidden: int,
                              tokens: float) -> float:
    """Model FLOPs of one trained token with the exact gradient, PaLM's MFU convention (Chowdhery et al. 2022,
    app. B): 6 x the matmul weights every position runs (`linear_shapes`, the LM head included, since a plain
    trainer computes logits everywhere) + 12 x layers x hidden x sequence length for attention. LoRA and
    truncated backprop do less work than this; their MFU is then the effective rate of the exact-gradient work."""
    weights = sum(n * i * o for (i, o), n in shapes.items())
    return 6.0 * weights + 12.0 * layers * hidden * tokens


def matmul_peak(shapes: dict[tuple[int, int], int], *, rows: int = 512, dtype: str = "float32",
                device: str = "cpu", seconds: float = 2.0, rounds: int = 5) -> MatmulPeak:
    """The rate of `rows x in @ in x out` products over `shapes`, weighted by their counts: best of `rounds`
    rounds of about `seconds / rounds` each (the peak a prefill of `rows` tokens can reach)."""
    import time

    import torch

    torch_dtype = torch.bfloat16 if "bf" in dtype else torch.float32
    weights = {s: torch.randn(s[1], s[0], dtype=torch_dtype, device=device) for s in shapes}
    x = {s[0]: torch.randn(rows, s[0], dtype=torch_dtype, device=device) for s in shapes}
    per_layer = max(1, min(shapes.values()))  # one pass = one layer's mix of products
    repeats = {s: max(1, round(count / per_layer)) for s, count in shapes.items()}
    flops = sum(n * rows * i * o * 2 for (i, o), n in repeats.items())

    def one_pass() -> None:
        for (i, o), n in repeats.items():
            for _ in range(n):
                torch.nn.functional.linear(x[i], weights[i, o])
        if device == "cuda":
            torch.cuda.synchronize()

    one_pass()  # warm-up (kernel selection)
    best_wall = best_cpu = 0.0
    for _ in range(rounds):
        wall, cpu, passes = time.perf_counter(), time.process_time(), 0
        while passes == 0 or time.perf_counter() - wall < seconds / rounds:
            one_pass()
            passes += 1
        best_wall = max(best_wall, passes * flops / (time.perf_counter() - wall) / 1e9)
        best_cpu = max(best_cpu, passes * flops / max(time.process_time() - cpu, 1e-9) / 1e9)
    return MatmulPeak(round(best_wall, 1), round(best_cpu, 1), "bfloat16" if "bf" in dtype else "float32",
                      torch.get_num_threads(), rows)
