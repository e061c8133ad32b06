"""Training throughput: toolgym SFT vs a plain TRL SFTTrainer baseline on the same data, model and LoRA.

Both train one epoch over the same tokenized examples (toolgym's synthetic records, tasks invocation +
tool_generation, rendered by toolgym.data.tasks), so both process exactly the same non-pad tokens:

- baseline: `trl.SFTTrainer` with SFTConfig defaults (bf16 default, gradient checkpointing on by default, the
  default collator padding each batch to its longest sequence, no packing), the same LoRA (r 16, alpha 32,
  all-linear) and batch size, fed the pre-tokenized input_ids/labels;
- toolgym: `toolgym.train.sft.train_sft` with each batching mode (padding_free / group_by_length / pad), plus
  fp32 variants to measure bf16 autocast;
- with `--recipe FILE`: the records come from the recipe's data mix and engine options, the tasks from its first
  SFT stage, and two more variants train with that stage's own settings for one epoch: `recipe` as written and
  `recipe_exact` with `prompt_gradient: true` (full backprop through the prompt; `prompt_gradient: false`
  truncates it, so only `recipe_exact` computes the same gradient as the baseline).

Tokens/s counts only non-pad tokens: sum of example lengths / wall time of `trainer.train()`. A warm-up pass
runs first so that oneDNN's kernel set-up is not charged to whichever variant runs first. Other processes on
the machine skew absolute numbers; variants run interleaved (`--repeats`) and the median is reported.

MFU: tokens/s x model FLOPs per token (`toolgym.models.hardware.training_flops_per_token`: 6 x matmul weights +
attention, PaLM's convention, at the mean example length) / the matmul peak measured at the model's linear
shapes (512 rows) in the training dtype just before the runs. Variants that skip work (LoRA's frozen weights,
truncated prompt backprop, the LM head only at labelled positions) are credited with the exact-gradient FLOPs,
so their MFU is an effective rate and can pass what the hardware does.

    python benchmarks/train_throughput.py --records 10 --batch 4 --threads 1 --json out.json
    python benchmarks/train_throughput.py --recipe recipes/quality.yaml --variants baseline,padding_free,recipe_exact,recipe
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

from toolgym.data.synth import iter_records
from toolgym.data.tasks import build_examples
from toolgym.models.hardware import capability, linear_shapes, matmul_peak, training_flops_per_token
from toolgym.models.registry import load_model
from toolgym.train.config import SFTStageConfig
from toolgym.train.sft import encode_examples, lora_config, resolve_bf16, train_sft


def _config(args: argparse.Namespace, **overrides) -> SFTStageConfig:
    base = dict(tasks=args.tasks, per_device_train_batch_size=args.batch,
                num_train_epochs=1.0, max_length=args.max_length, save_steps=10_000, logging_steps=10_000,
                resume=False, seed=0)
    base.update(overrides)
    return SFTStageConfig(**base)


def recipe_variants(recipe: Any) -> dict[str, SFTStageConfig]:
    """The recipe's first SFT stage as written and with full prompt backprop, for one epoch without budgets."""
    stage = next(s.config for s in recipe.stages if isinstance(s.config, SFTStageConfig))
    epoch = dataclasses.replace(stage, num_train_epochs=1.0, max_steps=-1, max_minutes=None, save_steps=10_000,
                                logging_steps=10_000, resume=False, seed=0)
    return {"recipe": epoch, "recipe_exact": dataclasses.replace(epoch, prompt_gradient=True)}


def run_baseline(rows: list[dict], args: argparse.Namespace, out: Path) -> float:
    """Seconds of trainer.train() for plain TRL SFTTrainer (defaults) over `rows`."""
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    model, tokenizer = load_model(args.model)
    model.train()
    tokenizer.padding_side = "right"
    sft_args = SFTConfig(output_dir=str(out), per_device_train_batch_size=args.batch, num_train_epochs=1.0,
                         learning_rate=1e-4, report_to="none", save_strategy="no", logging_steps=10_000,
                         use_cpu=not torch.cuda.is_available(), max_length=args.max_length)
    data = Dataset.from_list([{"input_ids": r["input_ids"], "labels": r["labels"]} for r in rows])
    trainer = SFTTrainer(model=model, args=sft_args, train_dataset=data, processing_class=tokenizer,
                         peft_config=lora_config(_config(args)))
    started = time.perf_counter()
    trainer.train()
    return time.perf_counter() - started


def run_toolgym(records: list[dict], config: SFTStageConfig, args: argparse.Namespace, out: Path) -> float:
    model, tokenizer = load_model(args.model)
    result = train_sft(config, records, args.model, out, model=model, tokenizer=tokenizer, progress=False)
    return result.train_seconds


def warm_up(args: argparse.Namespace) -> None:
    model, _ = load_model(args.model)
    ids = torch.randint(0, 1000, (2, 128))
    for bf16 in (True, False):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            model(input_ids=ids, labels=ids).loss.backward()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--records", type=int, default=32, help="synthetic records (each gives 1-2 examples)")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--max-length", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--variants", default="baseline,padding_free,group_by_length,pad,padding_free_fp32")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--recipe", type=Path, default=None,
                        help="data mix, tasks and the recipe/recipe_exact variants from this recipe's first SFT stage")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    args.tasks = {"invocation": 1.0, "tool_generation": 1.0}
    extra: dict[str, SFTStageConfig] = {}
    mix, options = None, None
    if args.recipe:
        from toolgym.recipes.spec import load_recipe

        recipe = load_recipe(args.recipe)
        extra = recipe_variants(recipe)
        args.tasks = extra["recipe"].tasks
        mix, options = recipe.data.mix or None, recipe.data.synth_options()
    variants = {
        "baseline": None,
        "padding_free": _config(args, batching="padding_free"),
        "group_by_length": _config(args, batching="group_by_length"),
        "pad": _config(args, batching="pad"),
        "padding_free_fp32": _config(args, batching="padding_free", bf16=False),
        "group_by_length_fp32": _config(args, batching="group_by_length", bf16=False),
        **extra,
    }
    chosen = [v.strip() for v in args.variants.split(",") if v.strip()]
    if unknown := [v for v in chosen if v not in variants]:
        parser.error(f"unknown variant(s) {', '.join(unknown)}; valid: {', '.join(variants)} "
                     "(recipe and recipe_exact need --recipe)")
    records = list(iter_records(args.records, seed=0, mix=mix, options=options))
    model, tokenizer = load_model(args.model)
    shapes, layers, hidden = linear_shapes(model), model.config.num_hidden_layers, model.config.hidden_size
    del model
    examples, _ = build_examples(records, _config(args).tasks, seed=0)
    rows, _ = encode_examples(examples, tokenizer, _config(args), progress=False)
    tokens = sum(len(r["input_ids"]) for r in rows)
    lengths = sorted(len(r["input_ids"]) for r in rows)
    print(capability().line())
    print(f"data: {len(rows)} examples, {tokens} tokens (min {lengths[0]}, median {lengths[len(lengths) // 2]}, "
          f"max {lengths[-1]}), batch {args.batch}, torch threads {torch.get_num_threads()}, "
          f"dtype: bf16 auto -> {resolve_bf16('auto')} (the *_fp32 variants: float32)")
    warm_up(args)
    mean_length = tokens / len(rows)
    per_token = training_flops_per_token(shapes, layers=layers, hidden=hidden, tokens=mean_length)
    peak = matmul_peak(shapes, dtype="bfloat16" if resolve_bf16("auto") else "float32", device="cpu")
    print(f"{peak.line()}; {per_token / 1e6:.0f} MFLOP per trained token (6N + attention, mean length "
          f"{mean_length:.0f})", flush=True)

    seconds: dict[str, list[float]] = {v: [] for v in chosen}
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            for name in chosen:
                out = Path(tmp) / f"{name}-{repeat}"
                if variants[name] is None:
                    took = run_baseline(rows, args, out)
                else:
                    took = run_toolgym(records, variants[name], args, out)
                seconds[name].append(took)
                print(f"  {name:<18} run {repeat}: {took:7.1f} s  {tokens / took:7.1f} tokens/s", flush=True)

    base = tokens / statistics.median(seconds["baseline"]) if "baseline" in seconds else None
    print(f"\n{'variant':<18} {'tokens/s':>9} {'vs TRL':>7} {'MFU':>6}")
    results = []
    for name in chosen:
        rate = tokens / statistics.median(seconds[name])
        ratio = f"{rate / base:6.2f}x" if base else "   -"
        mfu = rate * per_token / (peak.gflops * 1e9)
        print(f"{name:<18} {rate:9.1f} {ratio:>7} {mfu:6.1%}")
        results.append({"variant": name, "tokens_per_s": round(rate, 1), "vs_trl": round(rate / base, 3) if base else None,
                        "mfu": round(mfu, 4), "seconds": [round(t, 2) for t in seconds[name]]})
    if args.json:
        figures = {"device": capability().line(), "recipe": str(args.recipe) if args.recipe else None, "bf16_auto": resolve_bf16("auto"), "threads": torch.get_num_threads(),
                   "cpus": os.cpu_count(), "examples": len(rows), "tokens": tokens, "batch": args.batch,
                   "max_length": args.max_length, "repeats": args.repeats, "matmul_peak": peak.__dict__,
                   "flops_per_token": per_token, "results": results}
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
