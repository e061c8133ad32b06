"""Generation throughput of the transformers backend on the embedded model.

Prints output tokens/s at batch 1 and batch 32, for fp32 and bf16 autocast (and, for reference, bf16
weights), with every sequence forced to exactly `--max-new-tokens` tokens (min_new_tokens = max) so the
numbers are comparable. Greedy requests run on toolgym's continuous-batching decoder; the `*-generate`
variants run the same requests through transformers' generate(). Also prints the device, the dtype each
variant resolves to, and the model load times (first GGUF conversion, from the cache record, and this load
from the safetensors cache).

    python benchmarks/generation.py                      # batch 1 and 32, fp32 vs bf16, 64 new tokens
    python benchmarks/generation.py --threads 1 --json out.json   # on a busy machine: see tokens/CPU-s
    python benchmarks/generation.py --adapter runs/quality/sft/adapter --variants fp32 fp32-unmerged
        # a LoRA adapter merged into the weights (what toolgym's eval does) vs left as peft layers
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import time

import torch
from rich.console import Console
from rich.table import Table

from toolgym.models.generate import TransformersGenerator
from toolgym.models.hardware import capability
from toolgym.models.registry import EMBEDDED, cache_info, load_model

QUERIES = [
    "What is the weather in {city} today?", "Book a table for two in {city} tonight.",
    "How far is {city} from the sea?", "Convert 100 euros to dollars for my trip to {city}.",
    "Find me a cheap hotel in {city} for next weekend.", "What time is it in {city}?",
    "Translate 'good morning' into the language spoken in {city}.", "List three museums in {city}.",
]
CITIES = ["Paris", "Tokyo", "Lima", "Oslo"]
VARIANTS = {"fp32": "float32", "fp32-generate": "float32", "bf16-autocast": "bfloat16",
            "bf16-weights": "bf16-weights", "fp32-unmerged": "float32"}


def prompts(tokenizer, count: int) -> list[str]:
    """`count` distinct chat-rendered prompts of similar length."""
    texts = [q.format(city=c) for c in CITIES for q in QUERIES]
    return [tokenizer.apply_chat_template([{"role": "user", "content": texts[i % len(texts)]}], tokenize=False,
                                          add_generation_prompt=True) for i in range(count)]


def make_generator(model, tokenizer, variant: str, batch_size: int, unmerged=None) -> TransformersGenerator:
    if variant == "fp32-unmerged":
        return TransformersGenerator(unmerged, tokenizer, batch_size=batch_size, dtype="float32", progress=False)
    if variant == "bf16-weights":
        return TransformersGenerator(copy.deepcopy(model).to(torch.bfloat16), tokenizer, batch_size=batch_size,
                                     dtype="float32", progress=False)
    return TransformersGenerator(model, tokenizer, batch_size=batch_size, dtype=VARIANTS[variant], progress=False,
                                 fast_greedy=not variant.endswith("-generate"))


def measure(gen: TransformersGenerator, batch: list[str], max_new: int, batch_size: int) -> tuple[float, float]:
    """(output tokens per wall second, per CPU second of this process) generating `batch` in chunks of
    `batch_size`, exactly max_new tokens each. Per CPU second is robust to other processes on the CPU."""
    gen.generate(batch[:batch_size], max_new_tokens=4, min_new_tokens=4)  # warm-up
    wall, cpu = time.perf_counter(), time.process_time()
    gen.generate(batch, max_new_tokens=max_new, min_new_tokens=max_new)
    tokens = len(batch) * max_new
    return tokens / (time.perf_counter() - wall), tokens / (time.process_time() - cpu)


def measure_sampling(model, tokenizer, n: int, max_new: int, console: Console) -> list[dict]:
    """n samples for 4 tool prompts (~170 tokens): KV cache of the prompt shared vs prompt repeated n times."""
    from toolgym.core.formats import render_prompt

    tools = [{"type": "function", "function": {
        "name": "get_weather", "description": "Get the current weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    batch = [render_prompt(tokenizer, [{"role": "user", "content": f"Weather in {c}?"}], tools) for c in CITIES]
    rows = []
    for shared in (True, False):
        gen = TransformersGenerator(model, tokenizer, batch_size=32, dtype="float32", progress=False,
                                    share_prefill=shared)
        wall, cpu = time.perf_counter(), time.process_time()
        gen.generate(batch, n=n, temperature=0.8, max_new_tokens=max_new, min_new_tokens=max_new, seed=0)
        tokens = len(batch) * n * max_new
        tps, cps = tokens / (time.perf_counter() - wall), tokens / (time.process_time() - cpu)
        name = f"fp32 n={n} " + ("shared-prefill" if shared else "repeat-prefill")
        rows.append({"variant": name, "batch": len(batch) * n, "tokens_per_s": round(tps, 1),
                     "tokens_per_cpu_s": round(cps, 1)})
        console.print(f"{name}: {tps:8.1f} output tokens/s ({cps:.1f} per CPU-second)")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--batch1-prompts", type=int, default=4, help="prompts generated one by one at batch 1")
    parser.add_argument("--variants", nargs="+", default=["fp32", "fp32-generate", "bf16-autocast", "bf16-weights"],
                        choices=list(VARIANTS))
    parser.add_argument("--repeats", type=int, default=1, help="runs per setting; the best is reported")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    parser.add_argument("--samples", type=int, default=8,
                        help="n for the sampling comparison (shared prefill vs transformers' repeat); 0 = skip")
    parser.add_argument("--json", default=None, help="also write the results here")
    parser.add_argument("--adapter", default=None,
                        help="a LoRA adapter folder: every variant runs it merged; fp32-unmerged keeps peft's layers")
    args = parser.parse_args()
    if "fp32-unmerged" in args.variants and not args.adapter:  # arguments before models
        parser.error("fp32-unmerged needs --adapter")
    if args.threads:
        torch.set_num_threads(args.threads)
    console = Console(width=120)

    started = time.perf_counter()
    model, tokenizer = load_model("smollm2-135m", adapter=args.adapter, merge=True)
    load_s = time.perf_counter() - started
    unmerged = load_model("smollm2-135m", adapter=args.adapter)[0] if "fp32-unmerged" in args.variants else None
    conversion_s = cache_info(EMBEDDED["smollm2-135m"]).get("converted_in_s")
    console.print(f"load from safetensors cache: {load_s:.2f} s (first GGUF conversion: {conversion_s} s)")
    console.print(f"{capability().line()}; torch {torch.__version__}, "
                  f"threads {torch.get_num_threads()}, cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")

    best: dict[tuple[str, int], tuple[float, float]] = {}
    dtypes: dict[str, str] = {}
    for rep in range(args.repeats):  # variants interleaved per repeat; best of repeats (less noise)
        for variant in args.variants:
            for bs in args.batch_sizes:
                gen = make_generator(model, tokenizer, variant, bs, unmerged)
                dtypes[variant] = "bf16-weights" if variant == "bf16-weights" else gen.dtype
                count = args.batch1_prompts if bs == 1 else bs
                tps, cps = measure(gen, prompts(tokenizer, count), args.max_new_tokens, bs)
                old = best.get((variant, bs), (0.0, 0.0))
                best[variant, bs] = (max(tps, old[0]), max(cps, old[1]))
                console.print(f"[{rep + 1}/{args.repeats}] {variant:14s} batch {bs:3d}: {tps:8.1f} output tokens/s"
                              f" ({cps:.1f} per CPU-second), dtype {dtypes[variant]}")
    rows = [{"variant": v, "dtype": dtypes[v], "batch": b, "tokens_per_s": round(t, 1), "tokens_per_cpu_s": round(c, 1)}
            for (v, b), (t, c) in best.items()]
    if args.samples:
        rows += measure_sampling(model, tokenizer, args.samples, args.max_new_tokens, console)
    base = next((r for r in rows if r["variant"] == "fp32" and r["batch"] == 1), None)
    table = Table("variant", "batch", "output tokens/s", "× batch-1 fp32", "tokens/CPU-s", "× batch-1 fp32",
                  title=f"{args.max_new_tokens} new tokens per sequence")
    for r in rows:
        table.add_row(r["variant"], str(r["batch"]), f"{r['tokens_per_s']:.1f}",
                      f"{r['tokens_per_s'] / base['tokens_per_s']:.1f}" if base else "-",
                      f"{r['tokens_per_cpu_s']:.1f}",
                      f"{r['tokens_per_cpu_s'] / base['tokens_per_cpu_s']:.1f}" if base else "-")
    console.print(table)
    console.print(f"load average after: {os.getloadavg()[0]:.2f}. Other processes sharing the CPU lower "
                  "tokens/s; tokens per CPU-second of this process is less sensitive (exact with --threads 1).")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"device": capability().line(), "adapter": args.adapter, "load_s": load_s,
                       "conversion_s": conversion_s,
                       "threads": torch.get_num_threads(),
                       "max_new_tokens": args.max_new_tokens, "results": rows}, fh, indent=2)


if __name__ == "__main__":
    main()
