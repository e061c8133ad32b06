"""Speed of one self-evolution round: queries/s for each step (tool generation, k sampled invocations, vote +
rule checks), on the embedded model with the transformers backend; with `--backend vllm` on a GPU as well.

A round's queries come from the synthetic pool (`toolgym.evolve.pool.synthetic_pool`); the numbers are wall
time of this process, so on a shared machine also look at the CPU seconds printed beside them.

    python benchmarks/evolve.py                                  # 16 queries, k = 5, transformers, CPU
    python benchmarks/evolve.py --queries 64 --adapter runs/tooldev/sft/adapter --dtype bf16-weights \
        --tool-temperature 0.7 --tool-tokens 256                 # as recipes/tooldev.yaml
    python benchmarks/evolve.py --backend vllm --queries 512     # GPU with the vllm extra
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from toolgym.evolve.config import EvolveStageConfig
from toolgym.evolve.pool import synthetic_pool
from toolgym.evolve.rounds import SAMPLES, generate_round, read_rows, summarize_round
from toolgym.models.backends import make_generator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--adapter", default=None)
    parser.add_argument("--backend", default="transformers", choices=["transformers", "vllm"])
    parser.add_argument("--queries", type=int, default=16)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--tool-tokens", type=int, default=160)
    parser.add_argument("--invoke-tokens", type=int, default=96)
    parser.add_argument("--tool-temperature", type=float, default=1.0)
    parser.add_argument("--dtype", default="auto", help="transformers backend: auto | float32 | bfloat16 | bf16-weights")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    args = parser.parse_args()

    config = EvolveStageConfig(queries_per_round=args.queries, chunk_size=args.queries, k=args.k,
                               tool_max_new_tokens=args.tool_tokens, invoke_max_new_tokens=args.invoke_tokens,
                               tool_temperature=args.tool_temperature, batch_size=args.batch_size,
                               backend=args.backend, dtype=args.dtype)
    started = time.perf_counter()
    generator = make_generator(args.backend, args.model, args.adapter, batch_size=args.batch_size, progress=False,
                               dtype=args.dtype)
    load_s = time.perf_counter() - started
    pool = synthetic_pool(args.queries, seed=12345, exclude=set())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / SAMPLES
        cpu0, wall0 = time.process_time(), time.perf_counter()
        timer = generate_round(generator, pool, path, config, progress=False)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        summary = summarize_round(read_rows(path), args.k)

    table = Table(title=f"evolve round: {args.queries} queries, k={args.k}, {args.backend}, "
                        f"adapter={args.adapter or 'none'} (model load {load_s:.1f}s)")
    for column in ("step", "queries", "seconds", "queries/s"):
        table.add_column(column, justify="right" if column != "step" else "left")
    figures = timer.to_dict()
    for step, row in figures.items():
        table.add_row(step, str(row["queries"]), f"{row['seconds']:.2f}", f"{row['queries_per_second'] or 0:.3f}")
    table.add_row("round", str(args.queries), f"{wall:.2f}", f"{args.queries / wall:.3f}")
    console = Console()
    console.print(table)
    console.print(f"CPU seconds {cpu:.1f} over {wall:.1f} wall s; kept {summary['kept']}/{summary['queries']}, "
                  f"dropped {summary['dropped_by_reason']}")
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "steps": figures, "round_seconds": wall,
                                               "cpu_seconds": cpu, "load_seconds": load_s,
                                               "summary": summary}, indent=2))


if __name__ == "__main__":
    main()
