"""How many prompt tokens a BFCL evaluation prefills, with and without prefix groups (tokenizer only, no model).

    python benchmarks/prefix_plan.py                          # live and non_live, the runner's 256-case chunks
    python benchmarks/prefix_plan.py --categories live_multiple --chunk 256 --json out.json

It orders the cases as `toolgym eval bfcl` does (longest prompt first, cases with the same tools together, chunks
of `--chunk`), and per chunk counts the tokens the greedy decoder computes: every prompt in full after the prefix
all prompts of the chunk share (before prefix groups), and after the groups `models.prefix_groups` plans.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--categories", default="live,non_live", help="comma-separated groups or categories; "
                        "each item counted on its own")
    parser.add_argument("--chunk", type=int, default=256, help="cases per decoder call (the runner streams 256)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    from transformers import AutoTokenizer

    from toolgym.eval.runner import _render, bfcl_cases, stream_order
    from toolgym.models.prefix_groups import call_prefix_length, plan_prefix_groups
    from toolgym.models.registry import resolve_model

    tokenizer = AutoTokenizer.from_pretrained(str(resolve_model(args.model)))
    figures = {}
    for item in args.categories.split(","):
        cases = bfcl_cases(item)
        rendered = {c.id: _render(tokenizer, c, False, "hermes") for c in cases}
        cases = stream_order([c for c in cases if rendered[c.id]], rendered)
        total = head_only = grouped = groups = members = 0
        for k in range(0, len(cases), args.chunk):
            ids = [tokenizer(rendered[c.id], add_special_tokens=False)["input_ids"] for c in cases[k:k + args.chunk]]
            base = call_prefix_length(ids)  # what the decoder computes once per call (models.generate)
            plan = plan_prefix_groups(ids, base)
            total += sum(map(len, ids))
            head_only += base + sum(len(x) - base for x in ids)
            grouped += base + sum(len(x) - base for x in ids) - plan.tokens_saved(base)
            groups, members = groups + len(plan.length), members + len(plan.group_of)
        figures[item] = {"cases": len(cases), "prompt_tokens": total, "computed_call_prefix_only": head_only,
                         "computed_with_groups": grouped, "groups": groups, "prompts_in_groups": members}
        print(f"{item}: {len(cases)} cases, {total:,} prompt tokens; prefilled with the call's shared prefix only "
              f"{head_only:,} ({head_only / total:.1%}), with prefix groups {grouped:,} ({grouped / total:.1%}: "
              f"{groups} groups holding {members} prompts)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
