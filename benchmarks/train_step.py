"""One LoRA SFT step of the embedded model at a fixed shape: seconds per step, tokens/s and peak RSS, for
four variants: the full step, with activation checkpointing (the numbers behind `gradient_checkpointing:
auto` and the token budget), with `prompt_gradient: false` (the prompt runs once without gradients) and with
`prompt_gradient: query` (the same, but the last `--question` prompt tokens train too).

Each variant runs in its own process (peak RSS is per process): one warm-up step, then `--steps` timed steps,
reported as their median with the fastest and slowest beside it (one timed step read as noise in stop 33); the
ratios are medians against the full step's of the same run.

    python benchmarks/train_step.py --rows 4 --length 512 --completion 64 --json step.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

VARIANTS = ("full", "checkpointing", "prompt-detached", "query-detached")
MODES = {"full": True, "checkpointing": True, "prompt-detached": False, "query-detached": "query"}


def one_step(rows: int, length: int, completion: int, variant: str, threads: int, question: int,
             steps: int = 5) -> dict:
    import torch
    from peft import get_peft_model
    from trl.trainer.utils import add_fused_lm_head

    from toolgym.core.memory import peak_rss_mb
    from toolgym.models.hardware import capability
    from toolgym.models.registry import load_model
    from toolgym.train.config import SFTStageConfig
    from toolgym.train.sft import lora_config, weighted_loss

    torch.set_num_threads(threads)
    model, _ = load_model("smollm2-135m")
    add_fused_lm_head(model, outputs=("log_probs", "is_top1"))
    model = get_peft_model(model, lora_config(SFTStageConfig()))
    model.train()
    checkpointing = variant == "checkpointing"
    if checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.enable_input_require_grads()
    ids = torch.randint(100, 40000, (rows, length))
    labels = torch.full((rows, length), -100)
    labels[:, -completion:] = ids[:, -completion:]
    batch = {"input_ids": ids, "labels": labels, "weights": (labels != -100).float(),
             "attention_mask": torch.ones(rows, length, dtype=torch.long),
             "query_start": torch.full((rows,), length - completion - question)}
    times = []
    for _ in range(1 + steps):  # the first step warms up (allocations, kernels) and is not timed
        started = time.perf_counter()
        loss, _ = weighted_loss(model, batch, prompt_gradient=MODES[variant])
        loss.backward()
        model.zero_grad(set_to_none=True)
        times.append(time.perf_counter() - started)
    seconds = statistics.median(times[1:])
    return {"rows": rows, "length": length, "completion": completion, "question": question, "variant": variant,
            "threads": threads, "timed_steps": steps,
            "seconds_per_step": round(seconds, 2), "fastest": round(min(times[1:]), 2),
            "slowest": round(max(times[1:]), 2), "tokens_per_second": round(rows * length / seconds, 1),
            "peak_rss_mb": round(peak_rss_mb()),
            "device": capability().line(), "dtype": "float32 (LoRA)"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4)
    parser.add_argument("--length", type=int, default=512)
    parser.add_argument("--completion", type=int, default=64, help="labelled tokens at the end of each row")
    parser.add_argument("--question", type=int, default=40,
                        help="prompt tokens before the completion that train under prompt_gradient: query")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=5, help="timed steps per variant (after one warm-up)")
    parser.add_argument("--json", default=None)
    parser.add_argument("--variant", choices=VARIANTS, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(one_step(args.rows, args.length, args.completion, args.variant, args.threads,
                                  args.question, args.steps)))
        return
    results = []
    for variant in VARIANTS:
        out = subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--length", str(args.length),
                              "--completion", str(args.completion), "--threads", str(args.threads),
                              "--question", str(args.question), "--steps", str(args.steps),
                              "--variant", variant],
                             capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        results.append(json.loads(out))
        r = results[-1]
        r["speedup"] = round(results[0]["seconds_per_step"] / r["seconds_per_step"], 2)
        print(f"{variant:>15}: {r['seconds_per_step']} s/step (median of {r['timed_steps']}: "
              f"{r['fastest']}-{r['slowest']}), {r['tokens_per_second']} tok/s, {r['speedup']}x, "
              f"peak RSS {r['peak_rss_mb']} MB  [{r['device']}, {r['dtype']}]", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
