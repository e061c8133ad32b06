"""Where a BFCL evaluation's time goes, part by part, on the embedded model (with an adapter if given).

    python benchmarks/eval_parts.py --adapter runs/quickstart/sft/adapter --json parts.json
    python benchmarks/eval_parts.py --compile      # also torch.compile(dynamic=True) prefill (a minute or two)

Prints, beside the device line and the generation dtype:

- prefill of one prompt of L tokens (L = 300, 400, 500), tokens/s: the LM head by transformers' int
  `logits_to_keep=1` vs toolgym's index (`models.generate.last_position`), and with `--compile` a compiled
  forward (and its compile time); the same two heads on a padded batch of 16 x 200 tokens;
- the share of a prefill spent in attention (`aten::_scaled_dot_product_*`) and in matmuls, from the profiler;
- one decode step of the greedy decoder at R rows and a W-column KV window (R = 24, W = 520: a full-set run's
  typical step): ms per step and the attention / matmul shares;
- under constrained decoding of `--cases` BFCL cases per category: the share of decode steps where the
  grammar allows exactly one token (what jump-forward decoding could skip at most).
"""

from __future__ import annotations

import argparse
import collections
import json
import time
from pathlib import Path
from typing import Any

import torch


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--adapter", default=None)
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--lengths", default="300,400,500", help="prefill prompt lengths")
    parser.add_argument("--rows", type=int, default=24, help="decode-step rows")
    parser.add_argument("--window", type=int, default=520, help="decode-step KV window")
    parser.add_argument("--cases", type=int, default=10, help="BFCL cases per category for the forced-token share")
    parser.add_argument("--compile", action="store_true", help="also time a torch.compile(dynamic=True) prefill")
    parser.add_argument("--repeats", type=int, default=8, help="timed calls per figure (the fastest kept)")
    parser.add_argument("--json", type=Path, default=None)
    return parser.parse_args()


def timed(fn: Any, repeats: int) -> float:
    """Seconds of the fastest of `repeats` calls after one warm-up call (the least disturbed by other work)."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def shares(fn: Any) -> dict[str, float]:
    """Shares of self CPU time in attention and in matmuls over one profiled call."""
    with torch.profiler.profile() as prof:
        fn()
    total = attention = matmul = 0.0
    for event in prof.key_averages():
        total += event.self_cpu_time_total
        if "scaled_dot_product" in event.key:
            attention += event.self_cpu_time_total
        elif event.key in ("aten::mm", "aten::bmm", "aten::addmm"):
            matmul += event.self_cpu_time_total
    return {"attention": round(attention / total, 3), "matmul": round(matmul / total, 3)}


def prefill_figures(model: Any, lengths: list[int], repeats: int, compiled: bool) -> dict[str, Any]:
    from toolgym.models.generate import last_position

    keep = last_position(model.device)
    out: dict[str, Any] = {}
    forwards = {"int_keep": (model, 1), "index_keep": (model, keep)}
    if compiled:
        start = time.perf_counter()
        compiled_model = torch.compile(model, dynamic=True)
        with torch.inference_mode():
            compiled_model(input_ids=torch.randint(100, 40000, (1, 256)), logits_to_keep=keep, use_cache=False)
        out["compile_s"] = round(time.perf_counter() - start, 1)
        forwards["compiled"] = (compiled_model, keep)
    for length in lengths:
        ids = torch.randint(100, 40000, (1, length))
        row: dict[str, Any] = {}
        with torch.inference_mode():
            for name, (forward, keep_arg) in forwards.items():
                seconds = timed(lambda f=forward, k=keep_arg, x=ids: f(input_ids=x, logits_to_keep=k, use_cache=False),
                                repeats)
                row[f"{name}_tok_s"] = round(length / seconds, 1)
            row["shares"] = shares(lambda x=ids: model(input_ids=x, logits_to_keep=keep, use_cache=False))
        out[str(length)] = row
    batch = torch.randint(100, 40000, (16, 200))  # a padded batch, as `toolgym eval calibrate` scores call margins
    with torch.inference_mode():
        out["batch_16x200"] = {name: round(16 * 200 / timed(lambda k=k: model(input_ids=batch, logits_to_keep=k,
                                                                                 use_cache=False), 3), 1)
                               for name, k in (("int_keep_tok_s", 1), ("index_keep_tok_s", keep))}
    return out


def decode_step_figures(generator: Any, rows: int, window: int, repeats: int) -> dict[str, Any]:
    """One decode step of the greedy decoder over a filled (random) KV cache."""
    from toolgym.models import generate as g

    model = generator.model
    decoder = g._GreedyDecoder(model, generator._end_ids(), rows, rows * (window + 1), g.GenerationStats())
    config = model.config
    kv_heads, head_dim = config.num_key_value_heads, config.hidden_size // config.num_attention_heads
    dtype = next(model.parameters()).dtype
    cache = g._RowsCache()
    cache.allocate([torch.zeros(1, kv_heads, 1, head_dim, dtype=dtype)] * config.num_hidden_layers, rows, window + 8)
    for buffer in (*cache.keys, *cache.values):
        buffer.normal_()
    cache.rows, cache.lo, cache.col = rows, 0, window - 1
    tokens = torch.randint(100, 40000, (rows, 1))
    positions = torch.full((rows, 1), window - 1)
    starts = torch.randint(0, window // 2, (rows,))
    mask = (torch.arange(window)[None, :] >= starts[:, None])[:, None, None, :]

    def step() -> Any:
        return decoder._forward(tokens, mask, positions, cache)

    with torch.inference_mode():
        seconds = timed(step, repeats * 3)
        return {"rows": rows, "window": window, "ms": round(seconds * 1000, 1), "shares": shares(step)}


def forced_share(generator: Any, cases_per_category: int) -> dict[str, Any]:
    """Constrained decode steps whose grammar allows exactly one token, over BFCL non-live cases."""
    from toolgym.eval.runner import bfcl_cases
    from toolgym.models import constrain

    counts: collections.Counter[str] = collections.Counter()
    original = constrain.RowConstraint.mask

    def counting(self: Any, logits: Any) -> Any:
        out = original(self, logits)
        if self.matcher is not None and not self.matcher.is_terminated():
            allowed = int(torch.isfinite(logits[: self.owner.vocab_size]).sum())
            counts["one allowed" if allowed == 1 else "several allowed"] += 1
        else:
            counts["unconstrained"] += 1
        return out

    constrain.RowConstraint.mask = counting
    try:
        cases = bfcl_cases("simple_python,multiple,parallel,parallel_multiple", cases_per_category)
        generator.chat([(c.messages, c.tools) for c in cases], max_new_tokens=300)
    finally:
        constrain.RowConstraint.mask = original
    steps = sum(counts.values())
    return {"cases": len(cases), "steps": steps, **counts,
            "one_allowed_share": round(counts["one allowed"] / max(steps, 1), 3)}


def main() -> None:
    args = parse_args()
    from toolgym.models.backends import make_generator
    from toolgym.models.constrain import CallPolicy
    from toolgym.models.hardware import capability

    generator = make_generator("transformers", args.model, args.adapter, batch_size=32, dtype=args.dtype,
                               progress=False, policy=CallPolicy(constrain=True))
    figures: dict[str, Any] = {"device": capability().line(), "model": args.model, "adapter": args.adapter,
                               "dtype": generator.dtype, "threads": torch.get_num_threads()}
    print(f"{figures['device']}  dtype {generator.dtype}  threads {figures['threads']}", flush=True)
    lengths = [int(x) for x in args.lengths.split(",")]
    figures["prefill"] = prefill_figures(generator.model, lengths, args.repeats, args.compile)
    for length in lengths:
        row = figures["prefill"][str(length)]
        rates = ", ".join(f"{k.removesuffix('_tok_s')} {v:.0f}" for k, v in row.items() if k.endswith("_tok_s"))
        print(f"prefill {length} tokens, tok/s: {rates}; attention {row['shares']['attention']:.0%}, "
              f"matmul {row['shares']['matmul']:.0%}", flush=True)
    padded = figures["prefill"]["batch_16x200"]
    print(f"padded batch 16 x 200 tokens, tok/s: int_keep {padded['int_keep_tok_s']:.0f}, "
          f"index_keep {padded['index_keep_tok_s']:.0f}", flush=True)
    if "compile_s" in figures["prefill"]:
        print(f"torch.compile: {figures['prefill']['compile_s']} s before the first compiled prefill")
    step = figures["decode_step"] = decode_step_figures(generator, args.rows, args.window, args.repeats)
    print(f"decode step, {step['rows']} rows x {step['window']} KV columns: {step['ms']} ms; attention "
          f"{step['shares']['attention']:.0%}, matmul {step['shares']['matmul']:.0%}", flush=True)
    forced = figures["forced"] = forced_share(generator, args.cases)
    print(f"constrained decoding, {forced['cases']} BFCL cases: {forced.get('one allowed', 0)} of "
          f"{forced['steps']} steps allow exactly one token ({forced['one_allowed_share']:.0%})")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"figures in {args.json}")


if __name__ == "__main__":
    main()
