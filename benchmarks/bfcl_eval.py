"""Speed of a full BFCL evaluation on the embedded model: wall time and cases/s.

    python benchmarks/bfcl_eval.py                       # non-live AST + irrelevance: 1,240 cases
    python benchmarks/bfcl_eval.py --categories all      # every single-turn category (3,491 cases)
    python benchmarks/bfcl_eval.py --limit 20 --threads 1

It runs `toolgym.eval.runner.run_bfcl` (the same code as `toolgym eval bfcl`) into a fresh folder, so
nothing is resumed, and prints the time, cases/s, generated tokens/s and the score table. On a CPU shared
with other busy processes, `--threads 1` avoids OpenMP oversubscription (measured here: 16 new tokens for
4 prompts took 190 s with torch's default 2 threads under load 10, and 10 s with 1 thread).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--categories", default="non_live")
    parser.add_argument("--limit", type=int, default=None, help="cases per category (default: all)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--format", default="hermes")
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's)")
    parser.add_argument("--out", type=Path, default=None, help="keep the run here (default: a temp folder)")
    args = parser.parse_args()

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from toolgym.eval.runner import bfcl_cases, run_bfcl
    from toolgym.models.generate import TransformersGenerator
    from toolgym.models.registry import load_model

    out = args.out or Path(tempfile.mkdtemp(prefix="bfcl-bench-"))
    if (out / "results.jsonl").exists():
        shutil.rmtree(out)
    started = time.perf_counter()
    model, tokenizer = load_model(args.model)
    generator = TransformersGenerator(model, tokenizer, batch_size=args.batch_size, dtype=args.dtype, progress=False)
    loaded = time.perf_counter()
    n_cases = len(bfcl_cases(args.categories, args.limit))
    summary = run_bfcl(generator, args.categories, args.limit, out, fmt=args.format,
                       max_new_tokens=args.max_new_tokens, chunk_size=args.batch_size * 4,
                       meta={"model": args.model, "benchmark": True})
    finished = time.perf_counter()
    rows = [json.loads(line) for line in (out / "results.jsonl").open()]
    new_tokens = sum(len(tokenizer(r["raw"], add_special_tokens=False).input_ids) for r in rows)
    wall = finished - loaded
    print(summary.markdown())
    print(f"model {args.model}  categories {args.categories}  cases {n_cases}  batch {args.batch_size}  "
          f"max_new_tokens {args.max_new_tokens}  format {args.format}  dtype {args.dtype}  "
          f"threads {torch.get_num_threads()}  cpus {os.cpu_count()}  load avg {os.getloadavg()[0]:.1f}")
    print(f"model load {loaded - started:.1f} s; evaluation wall time {wall:.1f} s = {wall / 60:.2f} min; "
          f"{n_cases / wall:.3f} cases/s; {new_tokens / wall:.1f} generated tokens/s")
    print(f"results in {out}")


if __name__ == "__main__":
    main()
