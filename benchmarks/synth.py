"""Speed of the data engine: samples/s for synthesis, episodes/s for oracle trajectories, calls/s in the sandbox.

Run: `python benchmarks/synth.py [--n 5000] [--episodes 2000] [--seed 0]`. Prints numbers; not a test.
"""

from __future__ import annotations

import argparse
import random
import time

from toolgym.data.archetypes import load_catalog
from toolgym.data.synth import iter_records
from toolgym.data.trajectories import OraclePolicy, run_episodes
from toolgym.envs.simulator import Simulator


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=5000, help="samples to synthesize")
    parser.add_argument("--episodes", type=int, default=2000, help="oracle episodes to play")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    catalog, secs = timed(load_catalog)
    print(f"catalog: {len(catalog)} archetypes loaded in {secs:.2f} s")
    records, secs = timed(lambda: list(iter_records(args.n, args.seed, catalog=catalog)))
    print(f"synthesis: {len(records)} samples in {secs:.2f} s = {len(records) / secs:,.0f} samples/s")

    episodes_in = records[: args.episodes]
    for sandbox in (True, False):
        with Simulator(catalog, seed=args.seed, failure_rate=0.05, sandbox=sandbox) as sim:
            eps, secs = timed(lambda sim=sim: list(run_episodes(episodes_in, OraclePolicy(), sim, seed=args.seed)))
        turns = sum(e["meta"]["trajectory"]["turns"] for e in eps)
        label = "sandboxed worker" if sandbox else "in-process"
        print(f"trajectories ({label}): {len(eps)} episodes, {turns} assistant turns in {secs:.2f} s = "
              f"{len(eps) / secs:,.0f} episodes/s")

    rng = random.Random(args.seed)
    calls = [(a.name, a.sample_call(rng)[1]) for a in catalog for _ in range(5)]
    with Simulator(catalog) as sim:
        sim.execute_many(calls[:1])  # start the worker outside the timing
        results, secs = timed(lambda: sim.execute_many(calls))
    ok = sum(r.ok for r in results)
    print(f"simulator (sandbox, batched): {len(calls)} calls in {secs:.2f} s = {len(calls) / secs:,.0f} calls/s "
          f"({ok} ok)")


if __name__ == "__main__":
    main()
