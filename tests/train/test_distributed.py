"""Multi-process SFT (gloo on CPU): one step on 2 ranks = the same step on 1 process over the same global batch.

The rows carry very different numbers of labelled (PKT-weighted) tokens, so the ranks' weight sums differ and
only the global normaliser (every rank's weights, scaled back up for DDP's gradient average) gives the
single-process loss and gradients; a mean of the per-rank means would not. This file is also the worker:
`torchrun ... test_distributed.py OUT` runs the 2-rank side.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import TrainerCallback

from toolgym.train.config import SFTStageConfig
from toolgym.train.sft import train_sft

MODEL = "smollm2-135m"
COUNT = {"type": "function", "function": {"name": "count_items", "description": "Count items in a box.",
         "parameters": {"type": "object", "properties": {"n": {"type": "integer", "description": "Box id"}},
                        "required": ["n"]}}}
CALLS = (1, 1, 2, 4)  # calls per record: every 2 + 2 split of the 4 rows gives the ranks unequal weight sums
# variant -> stage keys; `accumulate` is the single process's gradient_accumulation_steps (2 ranks: half)
VARIANTS: dict[str, dict[str, Any]] = {
    "pkt": {"per_device_train_batch_size": 2, "accumulate": 2},  # 2 rows per micro-batch on 1 process
    # token-budget micro-batches of one row each (the budget is below every row's length)
    "prompt_detached": {"per_device_train_batch_size": 1, "accumulate": 4, "prompt_gradient": False,
                        "max_tokens_per_batch": 64, "share_prefix": False},
}


def records(calls: tuple[int, ...] = CALLS) -> list[dict[str, Any]]:
    return [{"id": f"r{i}", "type": "parallel" if k > 1 else "single",
             "messages": [{"role": "user", "content": f"Count boxes {', '.join(map(str, range(i, i + k)))}"}],
             "tools": [COUNT], "gold": [{"name": "count_items", "arguments": {"n": n}} for n in range(i, i + k)]}
            for i, k in enumerate(calls)]


def config(variant: str, processes: int, **extra: Any) -> SFTStageConfig:
    keys = dict(VARIANTS[variant])
    accumulate = keys.pop("accumulate")
    batch = keys.pop("per_device_train_batch_size")
    if processes > 1:  # the same global batch: the rows split over the ranks
        batch, accumulate = (1, accumulate // processes) if batch == 1 else (batch // processes, accumulate)
    return SFTStageConfig(tasks={"invocation": 1.0}, pkt=True, max_steps=1, logging_steps=1, save_steps=1000,
                          per_device_train_batch_size=batch, gradient_accumulation_steps=accumulate,
                          bf16=False, gradient_checkpointing=False, warmup_ratio=0.0, **keys | extra)


class Probe(TrainerCallback):
    """Fixed LoRA init and no clipping; writes the logged loss and each rank's gradients before the step."""

    def __init__(self, out: Path) -> None:
        self.out = out

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        args.max_grad_norm = 0.0  # clipping would hide a wrongly scaled gradient
        generator = torch.Generator().manual_seed(0)
        with torch.no_grad():  # nonzero B, so that A gets a gradient too; the same on every rank
            for name, param in sorted(model.named_parameters()):
                if "lora_" in name:
                    param.copy_(torch.randn(param.shape, generator=generator) * 0.02)

    def on_pre_optimizer_step(self, args, state, control, model=None, **kwargs):
        grads = {name: p.grad.detach().clone() for name, p in model.named_parameters() if p.grad is not None}
        torch.save(grads, self.out / f"grads{args.process_index}.pt")

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.is_world_process_zero and "loss" in (logs or {}):
            (self.out / "loss.json").write_text(json.dumps({"loss": logs["loss"]}))


class StepLog(TrainerCallback):
    """Each rank's step count and learning rate after every step."""

    def __init__(self, out: Path) -> None:
        self.out, self.lrs = out, []

    def on_step_end(self, args, state, control, lr_scheduler=None, **kwargs):
        self.lrs.append(lr_scheduler.get_last_lr()[0])
        (self.out / f"steps{args.process_index}.json").write_text(json.dumps(self.lrs))


def run(variant: str, processes: int, out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    result = train_sft(config(variant, processes), records(), MODEL, out / "run", progress=False,
                       callbacks=[Probe(out)])
    return {"loss": json.loads((out / "loss.json").read_text())["loss"], "result": result.to_dict()}


def skewed_budget(out: Path) -> None:
    """max_minutes with rank 1's clock running 1000x fast: rank 0's clock decides, so both ranks take both steps
    at the same learning rate (on its own clock rank 1 would stop after one and leave rank 0 hanging)."""
    from toolgym.train import sft

    if int(os.environ["RANK"]) == 1:
        real = time.perf_counter
        sft.time = type("FastClock", (), {"perf_counter": staticmethod(lambda: 1000 * real())})
    out.mkdir(parents=True, exist_ok=True)
    cfg = config("pkt", 2, max_minutes=5.0, learning_rate=1e-3)
    cfg.max_steps, cfg.gradient_accumulation_steps, cfg.per_device_train_batch_size = 2, 1, 1
    train_sft(cfg, records((1, 1)), MODEL, out / "run", progress=False, callbacks=[StepLog(out)])


def worker(out: Path) -> None:
    for variant in VARIANTS:
        summary = run(variant, 2, out / variant)
        if int(os.environ["RANK"]) == 0:
            (out / variant / "summary.json").write_text(json.dumps(summary))
    skewed_budget(out / "budget")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _max_diff(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> tuple[float, float]:
    """(max abs difference, norm of the difference / norm of a) over all gradients."""
    assert a.keys() == b.keys() and a
    diff = max(float((a[k] - b[k]).abs().max()) for k in a)
    num = sum(float((a[k] - b[k]).pow(2).sum()) for k in a) ** 0.5
    return diff, num / sum(float(a[k].pow(2).sum()) for k in a) ** 0.5


def _row_weights() -> list[float]:
    """Each record's sum of token weights (the normaliser's share), from the tokenizer alone."""
    from transformers import AutoTokenizer

    from toolgym.core.schema import Sample
    from toolgym.data.tasks import examples_for
    from toolgym.models.registry import resolve_model
    from toolgym.train.sft import encode_example

    tokenizer = AutoTokenizer.from_pretrained(resolve_model(MODEL))
    cfg = config("pkt", 1)
    rows = [encode_example(examples_for(Sample.from_record(r), "invocation")[0], tokenizer, cfg) for r in records()]
    return [sum(w for w, t in zip(row["weights"][1:], row["labels"][1:], strict=True) if t != -100) for row in rows]


def test_the_ranks_halves_have_unequal_weight_sums() -> None:
    weights = _row_weights()
    total = sum(weights)
    for pair in ((0, 1), (0, 2), (0, 3)):  # rank 0's two rows, whichever the sampler gives it
        mine = sum(weights[i] for i in pair)
        assert abs(2 * mine - total) > 0.15 * total, weights


@pytest.mark.slow  # ~160 CPU-seconds: 8 one- or two-step runs of the embedded model in 3 processes
def test_two_process_step_matches_one_process(tmp_path: Path, monkeypatch) -> None:
    from toolgym.train import sft

    # under DDP the LM head is TRL's fused one (labelled_outputs): the reference uses it too, so that only the
    # distribution differs (our head vs TRL's differ by fp32 rounding, ~3e-5 of the loss: test_batching.py)
    monkeypatch.setattr(sft, "is_wrapped", lambda model: True)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[2] / "src"), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "torch.distributed.run", "--nnodes", "1", "--nproc_per_node", "2",
               "--master_addr", "127.0.0.1", "--master_port", str(_free_port()), __file__, str(tmp_path / "dist")]
    launched = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        reference = {v: run(v, 1, tmp_path / "single" / v) for v in VARIANTS}  # meanwhile, in this process
        log, _ = launched.communicate(timeout=900)
    finally:
        launched.kill()
    assert launched.returncode == 0, log[-3000:]

    for variant, single in reference.items():
        folder = tmp_path / "dist" / variant
        multi = json.loads((folder / "summary.json").read_text())
        want = torch.load(tmp_path / "single" / variant / "grads0.pt")
        diffs = [_max_diff(want, torch.load(folder / f"grads{rank}.pt")) for rank in (0, 1)]
        print(f"{variant}: loss 1 process {single['loss']:.7f}, 2 processes {multi['loss']:.7f}; "
              f"grads max abs diff {max(d[0] for d in diffs):.2e}, relative {max(d[1] for d in diffs):.2e}")
        assert abs(single["loss"] - multi["loss"]) < 1e-5 * abs(single["loss"])
        assert all(abs_diff < 1e-6 and rel < 1e-5 for abs_diff, rel in diffs)
        for key in ("train_tokens", "examples_seen", "global_step"):  # summed over the ranks
            assert multi["result"][key] == single["result"][key], key
        assert (folder / "run" / "adapter" / "adapter_model.safetensors").is_file()
        assert json.loads((folder / "run" / "train_result.json").read_text())["train_tokens"] == \
            single["result"]["train_tokens"]

    budget = tmp_path / "dist" / "budget"
    lrs = [json.loads((budget / f"steps{rank}.json").read_text()) for rank in (0, 1)]
    assert len(lrs[0]) == len(lrs[1]) == 2 and lrs[0] == lrs[1]
    assert not json.loads((budget / "run" / "train_result.json").read_text())["stopped_by_budget"]


if __name__ == "__main__":
    worker(Path(sys.argv[1]))
