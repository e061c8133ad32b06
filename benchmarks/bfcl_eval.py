"""Speed of a BFCL evaluation against its prefill floor: wall time, CPU time, tokens and the ratio to the floor.

    python benchmarks/bfcl_eval.py                        # non-live AST + irrelevance: 1,240 cases
    python benchmarks/bfcl_eval.py --categories simple_python,multiple --limit 32 --threads 1 --json out.json
    python benchmarks/bfcl_eval.py --adapter runs/x/sft/adapter --limit 32
    python benchmarks/bfcl_eval.py --engine generate      # transformers' generate() instead of the greedy decoder
    python benchmarks/bfcl_eval.py --adapter runs/quickstart/sft/adapter --constrain --call-bias -0.8  # a recipe's decoding
    python benchmarks/bfcl_eval.py --constrain --prose-tokens 16 --limit 40   # the untrained model's prose cut short

It runs `toolgym.eval.runner.run_bfcl` (the code of `toolgym eval bfcl`: per-category max_new_tokens from the
gold answers, its chunk size, results streamed as they finish) into a fresh folder, so nothing is resumed, and
prints:

- the device (`toolgym.models.hardware.capability().line()`), the generation dtype chosen, torch threads;
- cases, prompt tokens, generated tokens (end token included), wall and CPU time of the evaluation;
- a matmul peak measured just before and after the run at the model's linear shapes (512 rows), the better
  one kept, in GFLOP per wall second and per CPU second of this process;
- the prefill floor = prompt tokens x 2 x parameters / peak, twice: with all parameters (the issue's
  definition) and with only the linear layers every prompt token passes through (no embedding lookup, no
  LM head: a prefill computes logits for one position per prompt), and wall / floor for each. On a CPU shared
  with other processes the CPU-second figures are the robust ones (exact with `--threads 1`);
- the greedy decoder's split: wall seconds in prefill and in decode steps, each as a multiple of the floor.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--adapter", default=None, help="LoRA adapter folder on top of the model")
    parser.add_argument("--categories", default="non_live")
    parser.add_argument("--limit", type=int, default=None, help="cases per category (default: all)")
    parser.add_argument("--batch-size", type=int, default=32, help="rows per decode batch at most")
    parser.add_argument("--chunk-size", type=int, default=None,
                        help="cases per runner chunk (default: `toolgym eval bfcl`'s, 2 x batch size)")
    parser.add_argument("--batch-tokens", type=int, default=None, help="KV positions per decode batch at most")
    parser.add_argument("--max-new-tokens", type=int, default=1024,
                        help="cap over the per-category budgets from the gold answers")
    parser.add_argument("--budgets", choices=("gold", "off"), default="gold",
                        help="off: --max-new-tokens for every category")
    parser.add_argument("--engine", choices=("greedy", "generate"), default="greedy",
                        help="greedy: toolgym's continuous-batching decoder; generate: transformers' generate()")
    parser.add_argument("--no-shared-prefix", action="store_true", help="prefill every prompt in full")
    parser.add_argument("--merge", action="store_true",
                        help="merge the adapter into the weights (toolgym eval keeps it unmerged in fp32)")
    parser.add_argument("--constrain", action="store_true", help="grammar-constrained calls (as `eval bfcl --constrain`)")
    parser.add_argument("--call-bias", type=float, default=0.0, help="the call gate's bias (as `eval bfcl --call-bias`)")
    parser.add_argument("--prose-tokens", type=int, default=None,
                        help="end a prose answer after N tokens (as `eval bfcl --prose-tokens`; needs --constrain)")
    parser.add_argument("--format", default="hermes")
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's)")
    parser.add_argument("--peak-seconds", type=float, default=2.0, help="length of each matmul probe")
    parser.add_argument("--out", type=Path, default=None, help="keep the run here (default: a temp folder)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    return parser.parse_args()


def parameters(model: Any) -> tuple[int, int]:
    """(all parameters, those of the linear layers a prompt token passes through: no embedding, no LM head)."""
    from toolgym.models.hardware import linear_shapes

    total = sum(p.numel() for p in model.parameters())
    vocab = model.get_input_embeddings().weight.shape[0]
    body = sum(count * i * o for (i, o), count in linear_shapes(model, skip_out=vocab).items())
    return total, body


def main() -> None:
    args = parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from toolgym.eval.runner import bfcl_cases, run_bfcl
    from toolgym.models.backends import make_generator
    from toolgym.models.constrain import CallPolicy
    from toolgym.models.generate import DEFAULT_BATCH_TOKENS
    from toolgym.models.hardware import capability, linear_shapes, matmul_peak

    out = args.out or Path(tempfile.mkdtemp(prefix="bfcl-bench-"))
    if (out / "results.jsonl").exists():
        shutil.rmtree(out)
    policy = CallPolicy(constrain=args.constrain, call_bias=args.call_bias, prose_tokens=args.prose_tokens)
    started = time.perf_counter()
    if args.merge and args.adapter:
        from toolgym.models.generate import TransformersGenerator
        from toolgym.models.registry import load_model

        lm, tokenizer = load_model(args.model, adapter=args.adapter, merge=True)
        generator = TransformersGenerator(lm, tokenizer, batch_size=args.batch_size, dtype=args.dtype, progress=False,
                                        policy=policy)
    else:
        generator = make_generator("transformers", args.model, args.adapter, batch_size=args.batch_size,
                                   dtype=args.dtype, progress=False, policy=policy)
    generator.batch_tokens = args.batch_tokens or DEFAULT_BATCH_TOKENS
    generator.fast_greedy = generator.fast_greedy and args.engine == "greedy"
    generator.share_prefix = not args.no_shared_prefix
    model = generator.model
    loaded = time.perf_counter()
    total_params, body_params = parameters(model)
    device = capability()
    print(device.line())
    print(f"model {args.model}  adapter {args.adapter or '-'}{' (merged)' if args.merge else ''}  dtype {args.dtype} -> {generator.dtype}  "
          f"policy {policy.identity() or 'plain'}  engine {args.engine if generator.fast_greedy or args.engine == 'generate' else 'generate (fallback)'}  "
          f"threads {torch.get_num_threads()}  cpus {os.cpu_count()}  load avg {os.getloadavg()[0]:.1f}", flush=True)
    vocab = model.get_input_embeddings().weight.shape[0]
    shapes = linear_shapes(model, skip_out=vocab)
    probe_dtype = "bfloat16" if generator.dtype != "float32" else "float32"
    peak_before = matmul_peak(shapes, dtype=probe_dtype, device=device.device, seconds=args.peak_seconds)
    print(f"before: {peak_before.line()}", flush=True)

    n_cases = len(bfcl_cases(args.categories, args.limit))
    wall0, cpu0 = time.perf_counter(), time.process_time()
    summary = run_bfcl(generator, args.categories, args.limit, out, fmt=args.format,
                       max_new_tokens=args.max_new_tokens, chunk_size=args.chunk_size or max(args.batch_size * 2, 16),
                       budgets="gold" if args.budgets == "gold" else None, progress=False,
                       meta={"model": args.model, "adapter": args.adapter, "benchmark": True})
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    peak_after = matmul_peak(shapes, dtype=probe_dtype, device=device.device, seconds=args.peak_seconds)
    print(f"after:  {peak_after.line()}")
    peak = max(peak_before.gflops, peak_after.gflops)
    peak_cpu = max(peak_before.gflops_per_cpu_s, peak_after.gflops_per_cpu_s)

    stats = generator.stats
    prompt_tokens = stats.prompt_tokens
    floors = {}
    for name, params in (("all_params", total_params), ("linear_params", body_params)):
        flops = prompt_tokens * 2 * params
        floors[name] = {"params": params, "floor_s": flops / (peak * 1e9), "floor_cpu_s": flops / (peak_cpu * 1e9)}
        floors[name]["wall_over_floor"] = wall / floors[name]["floor_s"]
        floors[name]["cpu_over_floor"] = cpu / floors[name]["floor_cpu_s"]
    print(summary.markdown())
    print(f"cases {n_cases}  prompt tokens {prompt_tokens}  generated tokens {stats.new_tokens}  "
          f"(prefill computed {stats.prefill_tokens}, decode row-steps {stats.decode_rows} in {stats.decode_steps} "
          f"steps)")
    if stats.prefill_s or stats.decode_s:
        floor = floors["all_params"]["floor_s"]
        print(f"greedy decoder: prefill {stats.prefill_s:.1f} s ({stats.prefill_tokens / max(stats.prefill_s, 1e-9):.0f} "
              f"computed tokens/s; {stats.prefill_s / floor:.2f} x the floor), decode {stats.decode_s:.1f} s "
              f"({stats.new_tokens / max(stats.decode_s, 1e-9):.0f} tokens/s, {stats.decode_rows / max(stats.decode_steps, 1):.1f} "
              f"rows per step; {stats.decode_s / floor:.2f} x the floor)")
    budgets = summary.meta.get("max_new_tokens_by_category") or {"all": args.max_new_tokens}
    print(f"max_new_tokens {budgets}")
    print(f"model load {loaded - started:.1f} s; evaluation wall {wall:.1f} s = {wall / 60:.2f} min, CPU {cpu:.1f} s; "
          f"{n_cases / wall:.3f} cases/s; {stats.new_tokens / wall:.1f} generated tokens/s")
    for name, f in floors.items():
        print(f"prefill floor ({name.replace('_', ' ')}: 2 x {f['params'] / 1e6:.1f}M per prompt token): "
              f"{f['floor_s']:.1f} s wall at {peak:.1f} GFLOP/s -> wall/floor {f['wall_over_floor']:.2f}; "
              f"{f['floor_cpu_s']:.1f} CPU-s at {peak_cpu:.1f} GFLOP/CPU-s -> CPU/floor {f['cpu_over_floor']:.2f}")
    print(f"results in {out}")
    if args.json:
        figures = {
            "device": device.line(), "model": args.model, "adapter": args.adapter, "merged": args.merge, "dtype_requested": args.dtype,
            "dtype": generator.dtype, "policy": policy.identity(), "engine": args.engine, "fast_greedy": generator.fast_greedy,
            "shared_prefix": generator.share_prefix, "threads": torch.get_num_threads(),
            "batch_size": args.batch_size, "batch_tokens": generator.batch_tokens, "categories": args.categories,
            "limit": args.limit, "cases": n_cases, "max_new_tokens": budgets, "prompt_tokens": prompt_tokens,
            "generated_tokens": stats.new_tokens, "stats": stats.as_dict(), "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2), "model_load_s": round(loaded - started, 2),
            "peak": {"before": peak_before.__dict__, "after": peak_after.__dict__, "gflops": peak,
                     "gflops_per_cpu_s": peak_cpu},
            "floors": floors, "accuracy": summary.accuracy,
            "categories_accuracy": {c: s.accuracy for c, s in summary.categories.items()},
            "load_avg": os.getloadavg()[0], "results": str(out / "results.jsonl"),
        }
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n")
        print(f"figures in {args.json}")


if __name__ == "__main__":
    main()
