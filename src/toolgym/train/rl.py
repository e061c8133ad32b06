"""RL with TL-Training's IRM reward (toolgym.train.rewards): the `rl` stage, GRPO via TRL or PPO (train/ppo.py).

- Prompts (shared by GRPO, PPO and the verl export): every synthetic sample gives its invocation prompt (query +
  tools, rendered like toolgym.data.tasks) with the sample's gold calls; every trajectory gives one prompt per
  assistant turn (the conversation before it), as TL-Training's PPO did, with that turn's calls as gold
  (a text turn: no call). Turns whose tool feedback reported an error are skipped: their calls are not gold.
- `algorithm: grpo`: TRL's GRPOTrainer, `beta` as the KL coefficient, LoRA. The reference is the SFT model:
  when the stage starts from a previous stage's adapter, that adapter keeps training and TRL keeps a frozen copy
  of it (the "ref" adapter); from a bare model, a fresh LoRA trains and the reference is the base model.
- `algorithm: ppo`: toolgym.train.ppo (TL-Training's PPO constants).
- Logging: `rl_log.jsonl` gets one line per reward call (GRPO: per generation batch; PPO: per step) with the
  mean reward and the IRM category histogram; TRL's `log_history` (GRPO) adds the KL to the reference. Before and
  after training, `eval_prompts` held-out prompts are decoded greedily and scored (mean reward, category shares),
  and `train_eval` completions are sampled from the training prompts as in rollouts and scored (the optimised
  reward, measured on more samples than one step's rollouts).
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError, ToolgymError
from toolgym.core.formats import render_prompt
from toolgym.core.memory import peak_rss_mb, reset_peak_rss
from toolgym.core.provenance import save_trained
from toolgym.core.schema import Sample
from toolgym.train.rewards import irm_score, score_completions
from toolgym.train.rl_config import RLStageConfig

LOG_FILE = "rl_log.jsonl"


@dataclass
class RLPrompt:
    """One RL prompt: the conversation so far, the tools on offer and the gold calls (`[]`: answer in text).
    `text` is the chat-template rendering (filled by `render_prompts`)."""

    id: str
    source: str
    messages: list[dict]
    tools: list[dict]
    gold: list[dict]
    text: str = ""

    def to_row(self) -> dict[str, Any]:
        """A dataset row: the rendered prompt plus tools/gold as JSON strings (Arrow-safe for any schema)."""
        return {"prompt": self.text, "tools": json.dumps(self.tools, ensure_ascii=False),
                "gold": json.dumps(self.gold, ensure_ascii=False), "id": self.id, "source": self.source}


@dataclass
class PromptStats:
    records: int = 0
    bad_records: int = 0
    prompts: Counter = field(default_factory=Counter)
    skipped_failed_turns: int = 0
    errors: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------ prompts

def invocation_prompt(sample: Sample) -> RLPrompt | None:
    """Query + tools -> gold calls (the conversation up to a trailing assistant answer)."""
    msgs = list(sample.messages)
    while msgs and msgs[-1].role == "assistant":
        msgs.pop()
    if not msgs:
        return None
    return RLPrompt(sample.id, "invocation", [m.to_openai() for m in msgs], [t.to_openai() for t in sample.tools],
                    [c.to_dict() for c in sample.gold])


def trajectory_prompts(sample: Sample, stats: PromptStats | None = None) -> list[RLPrompt]:
    """One prompt per assistant turn of a multi-turn episode; failed-call turns are skipped."""
    out = []
    tools = [t.to_openai() for t in sample.tools]
    for i, message in enumerate(sample.messages):
        if message.role != "assistant" or i == 0:
            continue
        if message.tool_calls and message.feedback_category:
            if stats is not None:
                stats.skipped_failed_turns += 1
            continue
        gold = [c.to_dict() for c in message.tool_calls or []]
        out.append(RLPrompt(f"{sample.id}:turn{i}", "trajectory", [m.to_openai() for m in sample.messages[:i]],
                            tools, gold))
    return out


def _is_trajectory(sample: Sample) -> bool:
    return any(m.role == "tool" for m in sample.messages)


def build_prompts(records: Iterable[Mapping | Sample], sources: Sequence[str], *, file: str | None = None
                  ) -> tuple[list[RLPrompt], PromptStats]:
    """RL prompts from contract records (samples and trajectories); a bad record is counted and skipped."""
    stats = PromptStats()
    out: list[RLPrompt] = []
    for line, record in enumerate(records, start=1):
        stats.records += 1
        try:
            sample = record if isinstance(record, Sample) else Sample.from_record(record, file=file, line=line)
        except InputError as exc:
            stats.bad_records += 1
            if len(stats.errors) < 20:
                stats.errors.append(str(exc))
            continue
        if _is_trajectory(sample):
            made = trajectory_prompts(sample, stats) if "trajectory" in sources else []
        else:
            one = invocation_prompt(sample) if "invocation" in sources else None
            made = [one] if one else []
        for prompt in made:
            stats.prompts[prompt.source] += 1
        out.extend(made)
    return out, stats


def render_prompts(prompts: Sequence[RLPrompt], tokenizer: Any, fmt: str = "hermes") -> list[RLPrompt]:
    """Fill `text` with the chat-template rendering (toolgym.core.formats.render_prompt); unrenderable skipped."""
    out = []
    for prompt in prompts:
        try:
            prompt.text = render_prompt(tokenizer, prompt.messages, prompt.tools, fmt=fmt, add_generation_prompt=True)
        except InputError:
            continue
        out.append(prompt)
    return out


def split_prompts(prompts: list[RLPrompt], n_eval: int, limit: int | None, seed: int
                  ) -> tuple[list[RLPrompt], list[RLPrompt]]:
    """(train, held-out eval) prompts: a seeded shuffle, the first `n_eval` held out, then the `limit` cap."""
    order = random.Random(seed).sample(range(len(prompts)), len(prompts))
    n_eval = min(n_eval, max(0, len(prompts) - 1))
    held = [prompts[i] for i in order[:n_eval]]
    train = [prompts[i] for i in order[n_eval:]]
    return (train[:limit] if limit is not None else train), held


# ------------------------------------------------------------------------------------------------ reward + logs

def category_shares(categories: Sequence[str]) -> dict[str, float]:
    counts = Counter(categories)
    return {k: round(v / max(1, len(categories)), 4) for k, v in sorted(counts.items())}


class RewardLog:
    """Appends one JSON line per step: mean reward, category histogram and extra stats."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def truncate_after(self, step: int) -> None:
        """Drop lines logged after `step` (a resumed run re-does them)."""
        if not self.path.is_file():
            return
        keep = [line for line in self.path.read_text().splitlines()
                if line.strip() and json.loads(line).get("step", 0) <= step]
        self.path.write_text("".join(line + "\n" for line in keep))

    def write(self, step: int, rewards: Sequence[float], categories: Sequence[str],
              extra: Mapping[str, float] | None = None) -> dict[str, Any]:
        row = {"step": step, "reward_mean": round(sum(rewards) / max(1, len(rewards)), 4), "n": len(rewards),
               "categories": dict(sorted(Counter(categories).items())), **(extra or {})}
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")
        return row

    def rows(self) -> list[dict[str, Any]]:
        if not self.path.is_file():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]


class IRMRewardFunc:
    """A TRL `reward_funcs` entry that also logs the category histogram of every generation batch."""

    __name__ = "irm"

    def __init__(self, log: RewardLog) -> None:
        self.log = log

    def __call__(self, prompts: list[Any], completions: list[Any], tools: list[str], gold: list[str],
                 trainer_state: Any = None, **kwargs: Any) -> list[float]:
        results = [irm_score(c, t, g) for c, t, g in zip(completions, tools, gold, strict=True)]
        step = int(getattr(trainer_state, "global_step", 0) or 0) + 1
        rewards = [r.reward for r in results]
        self.log.write(step, rewards, [r.category.value for r in results])
        return rewards


def evaluate_irm(model: Any, tokenizer: Any, prompts: Sequence[RLPrompt], max_new_tokens: int,
                 batch_size: int = 16, *, temperature: float = 0.0, top_k: int | None = None,
                 seed: int | None = None) -> dict[str, Any]:
    """One completion per prompt (greedy unless `temperature` > 0): mean IRM reward and each category's share."""
    from toolgym.models.generate import TransformersGenerator

    if not prompts:
        return {}
    generator = TransformersGenerator(model, tokenizer, batch_size=batch_size, progress=False)
    texts = [outs[0] for outs in generator.generate([p.text for p in prompts], max_new_tokens=max_new_tokens,
                                                    temperature=temperature, top_k=top_k, seed=seed)]
    rewards, categories = score_completions(texts, prompts)
    return {"reward_mean": round(sum(rewards) / len(rewards), 4), "n": len(rewards),
            "categories": category_shares(categories)}


# ------------------------------------------------------------------------------------------------ models

def load_policy(model_name: str, adapter: str | Path | None, config: RLStageConfig) -> tuple[Any, Any]:
    """A PeftModel whose "default" adapter trains: the previous stage's adapter, or a fresh LoRA."""
    from peft import LoraConfig, get_peft_model

    from toolgym.models.registry import load_adapter, load_model

    model, tokenizer = load_model(model_name)
    if adapter is not None:
        model = load_adapter(model, adapter)
        for name, param in model.named_parameters():
            param.requires_grad = "lora_" in name
    else:
        model = get_peft_model(model, LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha,
                                                 target_modules=config.lora_target_modules, task_type="CAUSAL_LM"))
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


# ------------------------------------------------------------------------------------------------ GRPO

def grpo_args(config: RLStageConfig, out_dir: Path) -> Any:
    """TRL GRPOConfig for a stage config."""
    import torch
    from trl import GRPOConfig

    from toolgym.train.sft import resolve_bf16

    if config.backend == "vllm" and not torch.cuda.is_available():
        raise InputError("vLLM rollouts run colocated on a CUDA GPU; none is visible here (use backend "
                         "transformers on a CPU)", field="backend")
    return GRPOConfig(
        output_dir=str(out_dir / "checkpoints"),
        learning_rate=config.learning_rate,
        beta=config.beta,
        epsilon=config.clip_range,
        num_generations=config.num_generations,
        max_completion_length=config.max_completion_length,
        temperature=config.temperature,
        top_k=config.top_k or 0,
        per_device_train_batch_size=config.per_device_train_batch_size,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        num_train_epochs=config.num_train_epochs,
        max_steps=config.max_steps,
        max_grad_norm=config.max_grad_norm,
        bf16=resolve_bf16(config.bf16),
        use_cpu=not torch.cuda.is_available(),
        logging_steps=config.logging_steps,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=2,
        seed=config.seed,
        report_to="none",
        remove_unused_columns=False,
        dataloader_num_workers=0,
        use_vllm=config.backend == "vllm",
        vllm_mode="colocate",
        vllm_gpu_memory_utilization=config.vllm_gpu_memory_utilization,
    )


def train_grpo(config: RLStageConfig, prompts: Sequence[RLPrompt], model: Any, tokenizer: Any, out_dir: Path,
               log: RewardLog) -> dict[str, Any]:
    from datasets import Dataset
    from trl import GRPOTrainer

    from toolgym.train.sft import _last_checkpoint

    tokenizer.padding_side = "left"
    trainer = GRPOTrainer(model=model, reward_funcs=[IRMRewardFunc(log)], args=grpo_args(config, out_dir),
                          train_dataset=Dataset.from_list([p.to_row() for p in prompts]),
                          processing_class=tokenizer)
    resume_from = _last_checkpoint(out_dir / "checkpoints") if config.resume else None
    if resume_from:
        step = int(Path(resume_from).name.split("-")[-1])
        log.truncate_after(step)
    else:
        log.truncate_after(0)
    started = time.perf_counter()
    output = trainer.train(resume_from_checkpoint=resume_from)
    adapter_dir = out_dir / "adapter"
    save_trained(trainer.model, tokenizer, adapter_dir, selected_adapters=["default"])
    history = [row for row in trainer.state.log_history if "loss" in row or "kl" in row]
    (out_dir / "trl_log.json").write_text(json.dumps(history, indent=1))
    return {"adapter_dir": str(adapter_dir), "global_step": int(output.global_step),
            "train_seconds": round(time.perf_counter() - started, 2),
            "kl_last": next((row["kl"] for row in reversed(history) if "kl" in row), None)}


# ------------------------------------------------------------------------------------------------ stage

def train_rl(config: RLStageConfig, records: Iterable[Mapping | Sample], model_name: str = "smollm2-135m",
             out_dir: str | Path = "runs/rl", adapter: str | Path | None = None, *, records_file: str | None = None,
             progress: bool = True) -> dict[str, Any]:
    """Run the `rl` stage; writes out_dir/adapter, rl_log.jsonl and rl_result.json (returned as a dict).
    With `config.resume`, a finished stage is returned as is and an interrupted one resumes."""
    out = Path(out_dir)
    result_file = out / "rl_result.json"
    if config.resume and result_file.is_file():
        return json.loads(result_file.read_text())
    out.mkdir(parents=True, exist_ok=True)
    rss_scope = "stage" if reset_peak_rss() else "process"
    prompts, stats = build_prompts(records, config.sources, file=records_file)
    model, tokenizer = load_policy(model_name, adapter, config)
    prompts = render_prompts(prompts, tokenizer, config.call_format)
    train, held = split_prompts(prompts, config.eval_prompts, config.max_prompts, config.seed)
    if not train:
        raise ToolgymError(f"no RL prompts from {stats.records} records for sources {list(config.sources)} "
                           f"({stats.bad_records} bad: {'; '.join(stats.errors[:3]) or '-'})")
    before = _cached_eval(out / "eval_before.json", model, tokenizer, held, config)
    train_sample = cycled(train, config.train_eval)
    train_before = _cached_eval(out / "train_eval_before.json", model, tokenizer, train_sample, config, sampled=True)
    log = RewardLog(out / LOG_FILE)
    if config.algorithm == "grpo":
        trained = train_grpo(config, train, model, tokenizer, out, log)
    else:
        from toolgym.train.ppo import train_ppo

        trained = train_ppo(config, train, model, tokenizer, out, log, progress=progress)
    after = _cached_eval(out / "eval_after.json", model, tokenizer, held, config)
    train_after = _cached_eval(out / "train_eval_after.json", model, tokenizer, train_sample, config, sampled=True)
    result = {**trained, "algorithm": config.algorithm, "prompts": dict(stats.prompts), "train_prompts": len(train),
              "eval_prompts": len(held), "bad_records": stats.bad_records,
              "skipped_failed_turns": stats.skipped_failed_turns, "eval_before": before, "eval_after": after,
              "train_eval_before": train_before, "train_eval_after": train_after,
              "reward_curve": [row["reward_mean"] for row in log.rows()],
              "peak_rss_mb": peak_rss_mb(), "peak_rss_scope": rss_scope}
    result_file.write_text(json.dumps(result, indent=2))
    return result


def cycled(prompts: Sequence[RLPrompt], n: int) -> list[RLPrompt]:
    """`n` prompts taken round-robin from `prompts` (each sampled about n / len(prompts) times)."""
    return [prompts[i % len(prompts)] for i in range(n)] if prompts else []


def _cached_eval(path: Path, model: Any, tokenizer: Any, prompts: Sequence[RLPrompt],
                 config: RLStageConfig, sampled: bool = False) -> dict[str, Any]:
    if path.is_file():
        return json.loads(path.read_text())
    model.eval()
    sampling = rollout_sampling(config) if sampled else {}
    value = evaluate_irm(model, tokenizer, prompts, config.max_completion_length, **sampling)
    path.write_text(json.dumps(value, indent=2))
    return value


def rollout_sampling(config: RLStageConfig) -> dict[str, Any]:
    """evaluate_irm keywords that sample as the stage's rollouts do (seeded)."""
    return {"temperature": config.temperature, "top_k": config.top_k, "seed": config.seed}


def rescore_training_prompts(stage_dir: str | Path, n: int) -> dict[str, dict[str, Any]]:
    """`train_eval` after the fact for a finished `rl` stage folder: `n` completions sampled from its training
    prompts with the start adapter ("before") and the trained one ("after"), as the stage config samples."""
    from toolgym.models.registry import load_model

    folder = Path(stage_dir)
    manifest = json.loads((folder / "manifest.json").read_text())
    config = RLStageConfig(**{**manifest["config"]["config"], "train_eval": n})
    inputs = manifest["config"]["inputs"]
    records, records_file = stage_records(Path(inputs["data_dir"]), config.sources)
    prompts, _ = build_prompts(records, config.sources, file=records_file)
    scores: dict[str, dict[str, Any]] = {}
    sample: list[RLPrompt] | None = None
    for label, adapter in (("before", inputs.get("adapter")), ("after", folder / "adapter")):
        model, tokenizer = load_model(inputs["model"], adapter=adapter)
        if sample is None:  # the tokenizer is the same for both adapters: render and split once
            train, _ = split_prompts(render_prompts(prompts, tokenizer, config.call_format), config.eval_prompts,
                                     config.max_prompts, config.seed)
            sample = cycled(train, n)
        model.eval()
        scores[label] = evaluate_irm(model, tokenizer, sample, config.max_completion_length,
                                     **rollout_sampling(config))
    return scores


def rl_report(name: str, result: Mapping[str, Any], log_rows: Sequence[Mapping[str, Any]] = ()) -> str:
    """Markdown for report.md: reward trend, KL, and held-out category shares before vs after the stage."""
    curve = list(result.get("reward_curve") or [])
    quarter = max(1, len(curve) // 4)
    head, tail = curve[:quarter], curve[-quarter:]
    lines = [f"## RL stage `{name}` ({result.get('algorithm')})", "",
             f"{result.get('global_step')} steps in {result.get('train_seconds')} s on {result.get('train_prompts')} "
             f"prompts; KL to the reference at the end: {_round(result.get('kl_last'))}."]
    if curve:
        lines.append(f"Training reward (mean of each step's rollouts): first {quarter} steps "
                     f"{sum(head) / len(head):+.3f} → last {quarter} steps {sum(tail) / len(tail):+.3f}; "
                     f"per step: {', '.join(f'{r:+.2f}' for r in curve)}.")
    kls = [row["kl"] for row in log_rows if isinstance(row.get("kl"), int | float)]
    if kls:
        lines.append(f"KL per step: {', '.join(f'{k:.3f}' for k in kls)}.")
    train_b, train_a = result.get("train_eval_before") or {}, result.get("train_eval_after") or {}
    if train_b or train_a:
        lines.append(f"Training prompts ({train_b.get('n', train_a.get('n'))} completions sampled as in rollouts): "
                     f"mean IRM reward {_round(train_b.get('reward_mean'))} → {_round(train_a.get('reward_mean'))}.")
    before, after = result.get("eval_before") or {}, result.get("eval_after") or {}
    if before or after:
        lines += ["", f"Held-out prompts ({before.get('n', after.get('n'))}, greedy): mean IRM reward "
                      f"{_round(before.get('reward_mean'))} → {_round(after.get('reward_mean'))}.", "",
                  "| IRM category | before (%) | after (%) |", "|---|---:|---:|"]
        shares_b, shares_a = before.get("categories") or {}, after.get("categories") or {}
        for category in sorted({*shares_b, *shares_a}):
            lines.append(f"| {category} | {100 * shares_b.get(category, 0):.1f} | "
                         f"{100 * shares_a.get(category, 0):.1f} |")
    return "\n".join(lines) + "\n"


def _round(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, int | float) else "–"


def stage_records(data_dir: Path, sources: Sequence[str]) -> tuple[list[dict[str, Any]], str]:
    """train.jsonl (invocation prompts) and trajectories.jsonl (turn prompts) of a run's data folder."""
    from toolgym.data.io import iter_jsonl

    files = [data_dir / "train.jsonl"] if "invocation" in sources else []
    if "trajectory" in sources and (data_dir / "trajectories.jsonl").is_file():
        files.append(data_dir / "trajectories.jsonl")
    return [record for path in files for _, record in iter_jsonl(path)], str(files[0] if files else data_dir)


def run(stage: Any, inputs: dict[str, Any], out_dir: Path, seed: int) -> dict[str, Any]:
    """Recipe runner for the `rl` stage (see toolgym.recipes.stages): train, hand on the adapter."""
    config: RLStageConfig = stage.config
    records, records_file = stage_records(Path(inputs["data_dir"]), config.sources)
    result = train_rl(config, records, model_name=inputs["model"], out_dir=out_dir, adapter=inputs.get("adapter"),
                      records_file=records_file)
    before, after = result.get("eval_before") or {}, result.get("eval_after") or {}
    metrics = {"steps": result["global_step"], "train_seconds": result["train_seconds"],
               "reward_first": result["reward_curve"][0] if result["reward_curve"] else None,
               "reward_last": result["reward_curve"][-1] if result["reward_curve"] else None,
               "irm_before": before.get("reward_mean"), "irm_after": after.get("reward_mean"),
               "train_irm_before": (result.get("train_eval_before") or {}).get("reward_mean"),
               "train_irm_after": (result.get("train_eval_after") or {}).get("reward_mean"),
               "peak_rss_mb": result.get("peak_rss_mb")}
    trl_log = out_dir / "trl_log.json"  # GRPO: TRL logs the KL; PPO logs it in rl_log.jsonl
    kl_rows = json.loads(trl_log.read_text()) if trl_log.is_file() else RewardLog(out_dir / LOG_FILE).rows()
    (out_dir / "rl_report.md").write_text(rl_report(stage.name, result, kl_rows))
    return {"adapter": result["adapter_dir"], "metrics": {k: v for k, v in metrics.items() if v is not None},
            "train": result}
