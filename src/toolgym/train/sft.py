"""SFT for the adapt / rank / sft stages: TRL's SFTTrainer with assistant-only, MAE-masked, PKT-weighted loss.

- Tasks and prompts: toolgym.data.tasks (ToolDev Appendix B, GenTool ranking, TL-Training trajectories).
- Loss: weighted token NLL over assistant tokens, `sum_t w_t * nll_t / sum_t w_t` (TL-Training Eq. for PKT;
  w = 1 everywhere without PKT, which is TRL's plain NLL). MAE (TL-Training): the tokens of an assistant call turn
  whose feedback category is configured get label -100 and weight 0, so they add nothing to loss or gradient.
- Why a subclass of TRL's SFTTrainer: TRL 1.16 builds labels from `assistant_masks` but has no per-token weight
  hook (`compute_loss_func` is deprecated and costs an extra forward), and its packing keeps only input_ids/labels.
  So examples are tokenized here (input_ids, labels, weights; the chat template via
  toolgym.core.formats.render_prompt, assistant spans via the fast tokenizer's offset mapping), a small collator
  carries the weights, and `compute_loss` reuses TRL's fused LM head (`fused_lm_head=True` per-token log-probs)
  to apply them. Everything else (LoRA via peft_config, schedules, checkpoints, resume, logging) is TRL/transformers.
- Batching: `padding_free` flattens a batch into one row with position_ids (transformers builds the block-diagonal
  mask for sdpa from them), so no pad token is ever computed; `group_by_length` pads batches of similar length.
  `auto` picks padding_free under flash attention or for small batches (<= 8) and group_by_length otherwise: on
  CPU sdpa the flattened row's attention is quadratic in the whole batch (see benchmarks/train_throughput.py).
- LoRA by default (ToolDev: rank 16, alpha 32, all linear modules); full fine-tuning with `lora: false`.
- Multi-process (`accelerate launch`, DDP): the normaliser is the weight sum of every rank's micro-batches and the
  loss is scaled by the world size, so DDP's gradient average is the global weighted mean; `max_minutes` follows
  rank 0's clock; the main process writes the outputs (tests/train/test_distributed.py).
"""

from __future__ import annotations

import json
import math
import random
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from transformers import TrainerCallback

from toolgym.core import dist
from toolgym.core.errors import InputError, ToolgymError
from toolgym.core.memory import peak_rss_mb, reset_peak_rss
from toolgym.core.provenance import save_trained, write_provenance
from toolgym.data.noise import augment_records
from toolgym.data.tasks import TrainExample, build_examples, render_example
from toolgym.models.hardware import capability
from toolgym.train.config import SFTStageConfig
from toolgym.train.keytokens import find_names, key_token_indices, pkt_weights

IGNORE = -100
# checkpointing (`auto`) turns on above this activation estimate: it costs ~15% of step time (measured, fp32
# CPU), and keeps an SFT stage of the embedded model under 8 GB peak RSS
ACTIVATION_BUDGET_BYTES = 5 * 2**30


@dataclass
class TrainResult:
    """What a training stage produced. `model_dir` is what eval loads: the adapter (LoRA) or the full model."""

    out_dir: str
    model_dir: str
    adapter_dir: str | None
    merged_dir: str | None
    global_step: int
    train_loss: float | None
    train_tokens: int  # non-pad tokens processed by all processes (resumed runs count only the rest)
    train_seconds: float
    tokens_per_second: float
    examples: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    resumed_from: str | None = None
    bf16: bool = False
    batching: str = ""
    examples_seen: int = 0  # examples trained on by all processes (a shared-prefix row counts its examples)
    stopped_by_budget: bool = False  # max_minutes ended training before max_steps
    peak_rss_mb: float = 0.0  # peak resident memory while the stage ran (multi-process: the largest process's)
    peak_rss_scope: str = "process"  # "stage" where the peak was reset at the stage's start (core.memory)
    gradient_checkpointing: bool = False
    device: str = ""  # toolgym.models.hardware.capability().line()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ------------------------------------------------------------------------------------------------ encoding

def encode_example(example: TrainExample, tokenizer: Any, config: SFTStageConfig) -> dict[str, Any] | None:
    """input_ids / labels / weights for one example, or None when no trainable token is left after truncation.

    Labels are the token ids on assistant target spans and -100 elsewhere; MAE-masked turns get -100 too.
    Weights are 1 on trained tokens (PKT: key tokens more) and 0 elsewhere.
    """
    rendered = render_example(example, tokenizer, config.call_format)
    enc = tokenizer(rendered.text, add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = enc["input_ids"]
    offsets: list[tuple[int, int]] = [tuple(o) for o in enc["offset_mapping"]]
    masked_categories = set(config.mae_categories) if config.mae else set()

    target = [False] * len(ids)
    occurrences: list[tuple[int, str]] = []
    for lo, hi, index in rendered.spans:
        if example.feedback.get(index) in masked_categories and example.call_names.get(index):
            continue  # MAE: this failed call trains nothing
        for t, (a, b) in enumerate(offsets):
            if a < hi and b > lo:  # the token overlaps the turn's span
                target[t] = True
        if config.pkt and example.call_names.get(index):
            occurrences.extend(find_names(rendered.text, example.call_names[index], lo, hi))
    keys = key_token_indices(offsets, occurrences, example.candidates, text=rendered.text,
                             param_keys=config.pkt_param_keys) if config.pkt else set()
    weights = pkt_weights(target, keys, config.pkt_w_max, normalise=config.pkt_normalise) if config.pkt \
        else [float(m) for m in target]

    ids, target, weights = ids[: config.max_length], target[: config.max_length], weights[: config.max_length]
    if not any(target):
        return None
    labels = [tok if m else IGNORE for tok, m in zip(ids, target, strict=True)]
    first_label = target.index(True)
    query = rendered.query_char
    # the first token that reaches into the first user message (prompt_gradient: query trains from there)
    query_start = next((t for t, (_, b) in enumerate(offsets[:first_label]) if b > query), first_label) \
        if query is not None else first_label
    return {"input_ids": ids, "labels": labels, "weights": weights, "length": len(ids), "task": example.task,
            "query_start": min(query_start, first_label - 1) if first_label else 0}


def encode_examples(examples: Sequence[TrainExample], tokenizer: Any, config: SFTStageConfig,
                    progress: bool = True) -> tuple[list[dict[str, Any]], Counter]:
    """Encode all examples with a rich progress bar; a bad example is counted and skipped."""
    from rich.progress import Progress

    rows: list[dict[str, Any]] = []
    skipped: Counter = Counter()
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("tokenizing examples", total=len(examples))
        for example in examples:
            try:
                row = encode_example(example, tokenizer, config)
            except InputError:
                skipped["unrenderable"] += 1
                row = None
            else:
                if row is None:
                    skipped["no_target_after_truncation"] += 1
            if row is not None:
                rows.append(row)
            bar.advance(task)
    return rows, skipped


# ------------------------------------------------------------------------------------------------ batching

@dataclass
class WeightedCollator:
    """Batches input_ids / labels / weights; padding-free (one row + position_ids) or right-padded.

    Hand-written because TRL's DataCollatorForLanguageModeling drops extra columns (checked: TRL 1.16).
    """

    pad_token_id: int
    padding_free: bool = True

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        if self.padding_free:
            ids = torch.tensor([t for r in rows for t in r["input_ids"]])[None]
            labels = torch.tensor([t for r in rows for t in r["labels"]])[None]
            weights = torch.tensor([w for r in rows for w in r["weights"]], dtype=torch.float32)[None]
            positions = torch.cat([torch.arange(len(r["input_ids"])) for r in rows])[None]
            starts = positions == 0  # a sequence start is never predicted from the previous sequence
            labels[starts] = IGNORE
            weights[starts] = 0.0
            return {"input_ids": ids, "labels": labels, "weights": weights, "position_ids": positions}
        width = max(len(r["input_ids"]) for r in rows)

        def pad(key: str, value: Any, dtype: torch.dtype) -> torch.Tensor:
            return torch.tensor([list(r[key]) + [value] * (width - len(r[key])) for r in rows], dtype=dtype)

        return {
            "input_ids": pad("input_ids", self.pad_token_id, torch.long),
            "labels": pad("labels", IGNORE, torch.long),
            "weights": pad("weights", 0.0, torch.float32),
            "attention_mask": torch.tensor([[1] * len(r["input_ids"]) + [0] * (width - len(r["input_ids"]))
                                            for r in rows]),
        }


# ------------------------------------------------------------------------------------------------ trainer

def weighted_loss(model: Any, inputs: dict[str, torch.Tensor], num_items_in_batch: Any = None,
                  prompt_gradient: bool | str = True) -> tuple[Any, Any]:
    """sum(w * nll) / sum(w) over the labelled next tokens, and the per-token outputs (`labelled_outputs`).

    `model` carries TRL's fused LM head (`trl.trainer.utils.add_fused_lm_head`, which SFTTrainer installs), used
    for models with scaled logits. `num_items_in_batch` (the weight sum over all accumulated micro-batches, of
    every rank when multi-process) replaces the local weight sum. `prompt_gradient=False` or "query": see
    `_prompt_cache`.
    """
    inputs = dict(inputs)
    weights = inputs.pop("weights")
    query_start = inputs.pop("query_start", None)
    inputs["use_cache"] = False
    if prompt_gradient is not True:
        inputs, weights = _prompt_cache(model, inputs, weights, query_start if prompt_gradient == "query" else None)
    outputs = labelled_outputs(model, inputs)
    w = weights[:, 1:].to(outputs.log_probs.dtype) * outputs.label_mask
    denom = w.sum() if num_items_in_batch is None else num_items_in_batch
    loss = -(outputs.log_probs * w).sum() / torch.as_tensor(denom).clamp(min=1e-8)
    return loss, outputs


@dataclass
class LabelledOutputs:
    """Per next-token fields, zero where the label is IGNORE (the fields of TRL's FusedCausalLMOutput we use)."""

    log_probs: torch.Tensor
    is_top1: torch.Tensor
    label_mask: torch.Tensor


_HEAD_CHUNK = 1024  # labelled positions per LM-head chunk: 1,024 x 49k fp32 logits = 200 MB


def labelled_outputs(model: Any, inputs: dict[str, torch.Tensor]) -> Any:
    """The backbone over every position, the LM head only where a label is.

    TRL 1.16's fused head scores only labelled positions on Triton devices and every position elsewhere (its
    `compact` switch; checked), which on a CPU spends ~20% of a step on prompt logits nobody reads. Models with
    scaled or soft-capped logits take TRL's path, which knows those configs, and so do distributed wrappers
    (DDP, DeepSpeed): only their own forward arms the gradient all-reduce, so the inner modules must not be
    called directly (on GPUs TRL's path is the compact one anyway).
    """
    if is_wrapped(model):
        return model(**inputs, fused_lm_head=True)
    lm = _base(model)
    text = lm.config.get_text_config()
    scaled = any(getattr(text, key, None) not in (None, 1.0) for key in
                 ("final_logit_softcapping", "logit_scale", "output_multiplier", "lm_head_multiplier",
                  "logits_scaling"))
    if scaled or not hasattr(lm, "base_model"):
        return model(**inputs, fused_lm_head=True)
    inputs = dict(inputs)
    target = inputs.pop("labels")[:, 1:]
    hidden = lm.base_model(**inputs).last_hidden_state[:, :-1]
    mask = target != IGNORE
    picked, labels = hidden[mask], target[mask]
    head = lm.get_output_embeddings()
    log_probs, top1 = [], []
    for start in range(0, len(labels), _HEAD_CHUNK):
        logits = head(picked[start:start + _HEAD_CHUNK]).float()
        chunk = labels[start:start + _HEAD_CHUNK]
        log_probs.append(torch.log_softmax(logits, dim=-1).gather(1, chunk[:, None])[:, 0])
        top1.append(logits.argmax(dim=-1) == chunk)
    zeros = hidden.new_zeros(mask.shape, dtype=torch.float32)
    if not log_probs:  # no label: a differentiable zero (a micro-batch may hold only masked turns)
        return LabelledOutputs(zeros + 0.0 * hidden.sum(), zeros.bool(), mask)
    return LabelledOutputs(zeros.masked_scatter(mask, torch.cat(log_probs)),
                           zeros.bool().masked_scatter(mask, torch.cat(top1)), mask)


def is_wrapped(model: Any) -> bool:
    """Whether `model` is a distributed container (DDP, DeepSpeed engine, FSDP) around the trained model."""
    from accelerate.utils import extract_model_from_parallel

    return extract_model_from_parallel(model) is not model


def _base(model: Any) -> Any:
    """The transformers model inside distributed and PEFT wrappers."""
    from accelerate.utils import extract_model_from_parallel

    model = extract_model_from_parallel(model)
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def _prompt_cache(model: Any, inputs: dict[str, torch.Tensor], weights: torch.Tensor,
                  query_start: torch.Tensor | None = None) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """Run the micro-batch's shared unlabelled start once without gradients; the inputs of the rest.

    The split is the last position before the batch's earliest label, so every labelled token is still
    predicted by the second pass, which attends to the first pass's KV cache (the same mask and positions as
    one full forward, hence the same loss value). With `query_start` (per row: where its first user message
    starts) the split is at the earliest of those, so the question's tokens train too (`prompt_gradient:
    query`). transformers has no prompt-detached training step (checked 5.24; TRL 1.16 neither).
    """
    labels = inputs["labels"]
    labelled = (labels != IGNORE).any(dim=0).nonzero()
    split = int(labelled[0]) - 1 if len(labelled) else 0
    if query_start is not None and query_start.numel():
        split = min(split, int(query_start.min()))
    if split < 1:
        return inputs, weights
    lm = _base(model)  # no gradient: the inner model may skip a distributed wrapper
    mask, positions = inputs.get("attention_mask"), inputs.get("position_ids")
    head = {"input_ids": inputs["input_ids"][:, :split], "use_cache": True}
    if positions is not None:
        head["position_ids"] = positions[:, :split]
    if mask is not None:
        head["attention_mask"] = mask[:, :, :split, :split] if mask.dim() == 4 else mask[:, :split]
    training = model.training
    model.eval()  # a cache is only kept outside training mode under activation checkpointing
    try:
        with torch.no_grad():
            cache = lm.base_model(**head).cache
    finally:
        model.train(training)
    tail = {key: value[:, split:] for key, value in inputs.items()
            if key in ("input_ids", "labels", "position_ids")}
    if mask is not None:
        tail["attention_mask"] = mask[:, :, split:, :] if mask.dim() == 4 else mask
    return tail | {"cache": cache, "use_cache": False}, weights[:, split:]


def _trainer_class() -> type:
    from trl import SFTTrainer

    class ToolgymSFTTrainer(SFTTrainer):
        """SFTTrainer whose loss is the weighted NLL sum(w * nll) / sum(w) over the labelled tokens."""

        real_tokens = 0
        examples_seen = 0
        prompt_gradient = True
        budget: BudgetCallback | None = None
        loss_is_scaled_for_ga = True  # normalised by the weight sum of all accumulated micro-batches

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            inputs = dict(inputs)
            tokens, examples = inputs.pop("num_tokens", None), inputs.pop("num_examples", None)
            loss, outputs = weighted_loss(model, inputs, num_items_in_batch, self.prompt_gradient)
            if self._global_normaliser() and num_items_in_batch is not None:
                # the normaliser sums every rank's weights and DDP averages gradients over ranks: scale back up
                # (as transformers 5.24 Trainer.compute_loss and TRL 1.16 SFTTrainer.compute_loss do)
                loss = loss * (self.accelerator.num_processes // self.get_tp_size())
            if self.model.training:
                mask = inputs.get("attention_mask")
                if tokens is not None:
                    self.real_tokens += int(tokens)
                    self.examples_seen += int(examples)
                else:
                    self.real_tokens += int(mask.sum()) if mask is not None else inputs["input_ids"].numel()
                    positions = inputs.get("position_ids")  # padding-free: one row holds several examples
                    self.examples_seen += int((positions == 0).sum()) if positions is not None \
                        else int(inputs["input_ids"].shape[0])
                valid = outputs.label_mask.sum().clamp(min=1)
                self._metrics["train"]["mean_token_accuracy"].append((outputs.is_top1.sum() / valid).item())
                self._metrics["train"]["num_tokens"] = [self.real_tokens]
                self._metrics["train"]["examples_seen"] = [self.examples_seen]  # kept in trainer_state.json
            return (loss, outputs) if return_outputs else loss

        def _get_num_items_in_batch(self, batch_samples, device):
            # the normaliser over all accumulated micro-batches: the sum of the weights of the predicted tokens,
            # summed over ranks like transformers 5.24 Trainer._get_num_items_in_batch (average_tokens_across_devices)
            if not batch_samples or "weights" not in batch_samples[0]:
                return super()._get_num_items_in_batch(batch_samples, device)
            total = sum(float((b["weights"][:, 1:] * (b["labels"][:, 1:] != IGNORE)).sum()) for b in batch_samples)
            total = torch.tensor(total, dtype=torch.float32, device=device)
            return self.accelerator.gather(total).sum() if self._global_normaliser() else total

        def _global_normaliser(self) -> bool:
            return bool(self.args.average_tokens_across_devices) and self.args.world_size > 1

        def create_scheduler(self, num_training_steps, optimizer=None):
            budget = next((c for c in self.callback_handler.callbacks if isinstance(c, BudgetCallback)), None)
            if budget is None or budget.seconds is None:
                return super().create_scheduler(num_training_steps, optimizer)
            warmup = self.args.get_warmup_steps(num_training_steps) / max(1, num_training_steps)
            self.lr_scheduler = budget.scheduler(optimizer or self.optimizer, num_training_steps, warmup,
                                                 str(self.args.lr_scheduler_type).split(".")[-1].lower())
            self._created_lr_scheduler = True
            return self.lr_scheduler

    return ToolgymSFTTrainer


def _training_data(rows: list[dict[str, Any]], model: Any, tokenizer: Any,
                   config: SFTStageConfig) -> tuple[Any, Any, str, dict[str, Any]]:
    """(dataset, collator, batching, plan): token-budget micro-batches or rows, and whether to checkpoint."""
    from datasets import Dataset

    from toolgym.train.batching import UnitCollator, budget_batches, plain_units, share_prefixes

    if config.max_tokens_per_batch is None:
        batching = resolve_batching(config.batching, model, config.per_device_train_batch_size)
        longest = max(r["length"] for r in rows)
        width, tokens = longest, longest * config.per_device_train_batch_size
        plan = {"micro_batches": None, "rows": config.per_device_train_batch_size}
        dataset = Dataset.from_list(rows)
        collator: Any = WeightedCollator(tokenizer.pad_token_id, padding_free=batching == "padding_free")
        if batching == "padding_free":
            width = tokens
    else:
        batching = "token_budget"
        units = share_prefixes(rows, max_length=max(config.max_length, config.max_tokens_per_batch)) \
            if config.share_prefix else plain_units(rows)
        batches = budget_batches(units, config.max_tokens_per_batch, config.seed)
        items = []
        for batch in batches:
            picked = [units[i] for i in batch]
            items.append({"units": [asdict(u) for u in picked]})
        width = max(u.length for u in units)
        tokens = max(len(b) * max(units[i].length for i in b) for b in batches)
        plan = {"micro_batches": len(batches), "units": len(units),
                "examples_per_micro_batch": round(len(rows) / len(batches), 2),
                "prompt_tokens_saved": sum(r["length"] for r in rows) - sum(u.length for u in units)}
        dataset = Dataset.from_list(items)
        collator = UnitCollator(tokenizer.pad_token_id)
    plan["gradient_checkpointing"] = _checkpointing(config, model, tokens, width)
    return dataset, collator, batching, plan


def _checkpointing(config: SFTStageConfig, model: Any, tokens: int, width: int) -> bool:
    """Explicit setting, or `auto`: on when the largest micro-batch's activations may not fit."""
    if config.gradient_checkpointing != "auto":
        return bool(config.gradient_checkpointing)
    if config.prompt_gradient is not True:
        return False  # only the tails keep activations
    from toolgym.train.batching import estimate_peak_bytes

    cfg = getattr(model, "config", None)
    try:
        need = estimate_peak_bytes(tokens, width, max(1, tokens // max(width, 1)), hidden=cfg.hidden_size,
                                   layers=cfg.num_hidden_layers, heads=cfg.num_attention_heads,
                                   intermediate=cfg.intermediate_size, checkpointing=False)
    except AttributeError:
        return False
    return need > min(available_memory_bytes() / 3, ACTIVATION_BUDGET_BYTES)


def available_memory_bytes() -> int:
    """MemAvailable from /proc/meminfo (CUDA: the free device memory); psutil is not a dependency."""
    if torch.cuda.is_available():
        return int(torch.cuda.mem_get_info()[0])
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 8 * 2**30


class BudgetCallback(TrainerCallback):
    """Stops training at the first step boundary past `max_minutes` (counting time spent before a resume,
    kept in out_dir/budget.json at every save) and drives a time-aware LR schedule.

    Multi-process: both the stop and the schedule read `agreed`, rank 0's clock broadcast at every optimizer
    step, so all ranks stop at the same step and keep the same learning rate."""

    def __init__(self, out_dir: Path, max_minutes: float | None) -> None:
        self.file = Path(out_dir) / "budget.json"
        self.seconds = None if max_minutes is None else max_minutes * 60
        self.before = json.loads(self.file.read_text()).get("seconds", 0.0) if self.file.is_file() else 0.0
        self.started = time.perf_counter()
        self.agreed = self.before  # elapsed seconds as of the last optimizer step, the same on every rank

    def elapsed(self) -> float:
        return self.before + time.perf_counter() - self.started

    def fraction(self) -> float:
        return 0.0 if self.seconds is None else min(1.0, self.agreed / self.seconds)

    def on_train_begin(self, args, state, control, **kwargs):
        self.started = time.perf_counter()

    def on_optimizer_step(self, args, state, control, **kwargs):
        # before the scheduler step, which reads fraction()
        self.agreed = _from_rank0(self.elapsed(), args.device)

    def on_step_end(self, args, state, control, **kwargs):
        if self.seconds is not None and self.agreed >= self.seconds:
            control.should_training_stop = True
            control.should_save = True
        return control

    def on_save(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            self.file.write_text(json.dumps({"seconds": round(self.elapsed(), 2), "step": state.global_step}))

    def scheduler(self, optimizer: Any, total_steps: int, warmup_ratio: float, kind: str) -> Any:
        """LambdaLR over progress p = max(step / total, elapsed / budget): linear warmup while p < warmup_ratio,
        then `kind` (cosine, linear or constant) over the rest, so both end by the deadline."""
        from torch.optim.lr_scheduler import LambdaLR

        def factor(step: int) -> float:
            progress = min(1.0, max(step / max(1, total_steps), self.fraction()))
            if progress < warmup_ratio:
                return min(1.0, max(progress, 1.0 / max(1, total_steps)) / warmup_ratio)
            rest = (progress - warmup_ratio) / max(1e-9, 1.0 - warmup_ratio)
            if kind == "cosine":
                return 0.5 * (1.0 + math.cos(math.pi * rest))
            if kind == "linear":
                return 1.0 - rest
            return 1.0

        return LambdaLR(optimizer, factor)


def _from_rank0(value: float, device: Any) -> float:
    """Rank 0's `value` on every rank (as is without a process group)."""
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1):
        return value
    tensor = torch.tensor([value], dtype=torch.float64, device=device)
    dist.broadcast(tensor, src=0)
    return float(tensor.item())


def resolve_bf16(setting: bool | str) -> bool:
    """`auto`: bf16 autocast where bf16 is native (CUDA, AVX512-BF16/AMX CPUs; measured ~4x faster for LoRA
    there, benchmarks/train_throughput.py); fp32 otherwise. See toolgym.models.hardware."""
    from toolgym.models.hardware import training_bf16

    return training_bf16(setting)


def resolve_batching(setting: str, model: Any, batch_size: int) -> str:
    """`auto`: padding_free under flash attention (varlen kernels) or for per-device batches up to 8; else
    group_by_length. Without varlen kernels (CPU sdpa) the flattened row's attention is quadratic in the whole
    batch's tokens: at 8 x ~350 tokens it adds ~45% to the linear layers' FLOPs, and more beyond."""
    if setting != "auto":
        return setting
    attn = str(getattr(getattr(model, "config", None), "_attn_implementation", "") or "")
    return "padding_free" if attn.startswith("flash_attention") or batch_size <= 8 else "group_by_length"


def sft_args(config: SFTStageConfig, out_dir: Path, bf16: bool, batching: str,
             plan: dict[str, Any] | None = None) -> Any:
    """The TRL SFTConfig for a stage config (dataset preparation is done here, so TRL's is bypassed)."""
    from trl import SFTConfig

    plan = plan or {}
    return SFTConfig(
        output_dir=str(out_dir / "checkpoints"),
        # token budget: one dataset item is one micro-batch
        per_device_train_batch_size=1 if batching == "token_budget" else config.per_device_train_batch_size,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.lr_scheduler_type,
        warmup_steps=config.warmup_ratio,  # transformers 5: a float < 1 is a ratio of the total steps
        weight_decay=config.weight_decay,
        num_train_epochs=config.num_train_epochs,
        max_steps=config.max_steps,
        bf16=bf16,
        activation_checkpointing=bool(plan.get("gradient_checkpointing", config.gradient_checkpointing is True)),
        use_cpu=not torch.cuda.is_available(),
        logging_steps=config.logging_steps,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=config.save_total_limit,
        seed=config.seed,
        data_seed=config.seed,
        report_to="none",
        remove_unused_columns=False,  # keep `weights`
        max_length=None,  # truncated in encode_example (TRL's truncation would not cut `weights`)
        padding_free=False,  # TRL's padding-free collator drops weights; WeightedCollator does it
        train_sampling_strategy="group_by_length" if batching == "group_by_length" else "random",
        length_column_name="length",
        dataloader_num_workers=0,
        # token budget: items are ready micro-batches (no input_ids column for TRL to recognise)
        dataset_kwargs={"skip_prepare_dataset": True} if batching == "token_budget" else None,
    )


def lora_config(config: SFTStageConfig) -> Any:
    from peft import LoraConfig

    return LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
                      target_modules=config.lora_target_modules, task_type="CAUSAL_LM")


def _load(model_name: str, adapter: str | Path | None, config: SFTStageConfig) -> tuple[Any, Any, Any]:
    """(model, tokenizer, peft_config): a previous stage's adapter keeps training (so every stage's adapter
    applies to the base model directly); full fine-tuning merges it first."""
    from toolgym.models.registry import load_adapter, load_model

    model, tokenizer = load_model(model_name)
    peft_config = lora_config(config) if config.lora and adapter is None else None
    if adapter is not None:
        model = load_adapter(model, adapter)
        if config.lora:
            for name, param in model.named_parameters():
                param.requires_grad = "lora_" in name
        else:
            model = model.merge_and_unload()
    model.train()
    tokenizer.padding_side = "right"
    return model, tokenizer, peft_config


def _sample_rows(rows: list[dict[str, Any]], limit: int | None, seed: int) -> list[dict[str, Any]]:
    if limit is None or len(rows) <= limit:
        return rows
    picked = sorted(random.Random(seed).sample(range(len(rows)), limit))
    return [rows[i] for i in picked]


def _last_checkpoint(folder: Path) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    return get_last_checkpoint(str(folder)) if folder.is_dir() else None


def train_sft(config: SFTStageConfig, train_records: Iterable[Mapping] | Any, model_name: str = "smollm2-135m",
              out_dir: str | Path = "runs/sft", adapter: str | Path | None = None, *,
              model: Any = None, tokenizer: Any = None, progress: bool = True,
              records_file: str | None = None, callbacks: list[Any] | None = None) -> TrainResult:
    """Train one SFT-family stage on `train_records` (contract JSONL records, a datasets.Dataset of them, or
    `Sample`s) and write `out_dir/adapter` (LoRA) or `out_dir/model` (full), optionally `out_dir/merged`.

    `adapter`: a previous stage's LoRA adapter to continue from. `model`/`tokenizer`: an already loaded model
    (tests, benchmarks) instead of `model_name`; `callbacks`: transformers TrainerCallbacks. With `config.resume`, a finished run in `out_dir` is returned as
    is and an interrupted one resumes from its latest checkpoint in `out_dir/checkpoints`.
    """
    out = Path(out_dir)
    result_file = out / "train_result.json"
    if config.resume and result_file.is_file():
        return TrainResult(**json.loads(result_file.read_text()))
    out.mkdir(parents=True, exist_ok=True)
    rss_scope = "stage" if reset_peak_rss() else "process"

    if config.noise_share:  # RoTTuning-style augmentation (toolgym.data.noise)
        train_records = augment_records(train_records, config.noise_share, config.noise_levels, config.seed)
    examples, stats = build_examples(train_records, config.tasks, seed=config.seed, fmt=config.call_format,
                                     file=records_file, tool_generation_target=config.tool_generation_target)
    if model is None:
        model, tokenizer, peft_config = _load(model_name, adapter, config)
    else:
        if tokenizer is None:
            raise ToolgymError("train_sft: pass `tokenizer` together with `model`")
        peft_config = lora_config(config) if config.lora and not hasattr(model, "peft_config") else None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token

    rows, dropped = encode_examples(examples, tokenizer, config, progress and dist.is_main())
    rows = _sample_rows(rows, config.max_examples, config.seed)
    if not rows:
        raise ToolgymError(f"no training examples for tasks {sorted(config.tasks)} from {stats.records} records "
                           f"({stats.bad_records} bad: {'; '.join(stats.errors[:3]) or '-'})")
    if dist.is_main():
        _write_data_stats(out, stats, dropped, rows)

    bf16 = resolve_bf16(config.bf16)
    dataset, collator, batching, plan = _training_data(rows, model, tokenizer, config)
    if plan["gradient_checkpointing"] and hasattr(model, "config"):
        model.config.use_cache = False
    callbacks = [*(callbacks or []), BudgetCallback(out, config.max_minutes)]
    trainer = _trainer_class()(
        model=model,
        args=sft_args(config, out, bf16, batching, plan),
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=peft_config,
        data_collator=collator,
        callbacks=callbacks,
    )
    trainer.prompt_gradient = config.prompt_gradient
    resume_from = _last_checkpoint(out / "checkpoints") if config.resume else None
    started = time.perf_counter()
    output = trainer.train(resume_from_checkpoint=resume_from)
    seconds = time.perf_counter() - started

    result = _save_outputs(trainer, tokenizer, config, out)
    tokens, examples_seen, rss = _across_processes(trainer, trainer.real_tokens, trainer.examples_seen)
    result.update(
        global_step=int(output.global_step), train_loss=_finite(output.training_loss),
        train_tokens=tokens, train_seconds=round(seconds, 2),
        tokens_per_second=round(tokens / seconds, 2) if seconds > 0 else 0.0,
        examples=dict(Counter(r["task"] for r in rows)),
        skipped={"bad_records": stats.bad_records, **dict(dropped)}, resumed_from=resume_from, bf16=bf16,
        batching=batching, examples_seen=examples_seen, stopped_by_budget=trainer.state.global_step
        < config.max_steps if config.max_minutes else False, peak_rss_mb=rss,
        peak_rss_scope=rss_scope,
        gradient_checkpointing=plan["gradient_checkpointing"], device=capability().line(),
    )
    final = TrainResult(**result)
    if trainer.is_world_process_zero():
        result_file.write_text(json.dumps(final.to_dict(), indent=2))
    trainer.accelerator.wait_for_everyone()  # every process returns once the outputs are written
    return final


def _across_processes(trainer: Any, tokens: int, examples: int) -> tuple[int, int, float]:
    """(tokens, examples) summed over the launch's processes and the largest process's peak RSS."""
    rss = peak_rss_mb()
    if trainer.accelerator.num_processes == 1:
        return tokens, examples, rss
    mine = torch.tensor([[tokens, examples, rss]], dtype=torch.float64, device=trainer.args.device)
    every = trainer.accelerator.gather(mine)
    return int(every[:, 0].sum()), int(every[:, 1].sum()), float(every[:, 2].max())


def _save_outputs(trainer: Any, tokenizer: Any, config: SFTStageConfig, out: Path) -> dict[str, Any]:
    """Write the adapter / model; multi-process, the main process writes (save_model runs on every rank: it
    gathers sharded weights and writes on the main one)."""
    model = trainer.model
    main = trainer.is_world_process_zero()
    adapter_dir = merged_dir = None
    if hasattr(model, "peft_config"):
        adapter_dir = out / "adapter"
        model_dir = adapter_dir
        if main:
            save_trained(model, tokenizer, adapter_dir)
        if config.save_merged:
            merged_dir = out / "merged"
            if main:
                merged = model.merge_and_unload()
                save_trained(merged, tokenizer, merged_dir)
    else:
        model_dir = out / "model"
        trainer.save_model(str(model_dir))
        if main:
            tokenizer.save_pretrained(str(model_dir))
            write_provenance(model_dir)
    return {"out_dir": str(out), "model_dir": str(model_dir),
            "adapter_dir": str(adapter_dir) if adapter_dir else None,
            "merged_dir": str(merged_dir) if merged_dir else None}


def _write_data_stats(out: Path, stats: Any, dropped: Counter, rows: list[dict[str, Any]]) -> None:
    info = {"records": stats.records, "bad_records": stats.bad_records, "errors": stats.errors,
            "examples_built": dict(stats.examples), "not_eligible": dict(stats.not_eligible),
            "dropped": dict(dropped), "examples_trained": dict(Counter(r["task"] for r in rows)),
            "tokens": sum(r["length"] for r in rows),
            "target_tokens": sum(sum(1 for t in r["labels"] if t != IGNORE) for r in rows)}
    (out / "data_stats.json").write_text(json.dumps(info, indent=2))


def _finite(value: float | None) -> float | None:
    """The loss rounded to 6 places; NaN/inf stays as it is (the run diverged: callers fail the stage), None
    stays None (no loss was logged)."""
    if value is None:
        return None
    return round(float(value), 6) if math.isfinite(value) else float(value)
