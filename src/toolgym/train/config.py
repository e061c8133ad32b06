"""Stage configs for the SFT-family training stages (adapt, rank, sft), TRL-style dataclasses.

One dataclass, `SFTStageConfig`, documents every key a recipe can set for a training stage. The stages differ
only in their default task mix, so `AdaptStageConfig` (ToolDev stage 1) and `RankStageConfig` (GenTool stage 1)
are subclasses that change the `tasks` default and nothing else:

| stage   | class              | default tasks                                  |
|---------|--------------------|------------------------------------------------|
| `adapt` | `AdaptStageConfig` | `{doc_adaption: 1.0}`                          |
| `rank`  | `RankStageConfig`  | `{ranking: 1.0}`                               |
| `sft`   | `SFTStageConfig`   | `{invocation: 1.0, tool_generation: 1.0}`      |

`tasks` maps a task name (see `toolgym.data.tasks.TASKS`) to how many examples each eligible record yields:
1.0 = one, 0.5 = a seeded half of the records, 2.0 = every record twice.

Defaults follow ToolDev (LoRA on all linear modules, rank 16, alpha 32, lr 1e-4, cosine, warmup 0.1) and
TL-Training (MAE masks the listed feedback error categories; PKT with w_max = 9).
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from toolgym.core.config import StageConfig, nearest_key, unknown_key_error
from toolgym.core.errors import InputError

# Kept in sync with toolgym.data.tasks.TASKS (not imported: data imports nothing from train, and this module
# must stay importable without the chat-template machinery).
TASK_NAMES = ("invocation", "doc_adaption", "tool_generation", "ranking", "trajectory")

# TL-Training Table 14 categories that mark a failed call (values of toolgym.core.checker.ErrorCategory).
DEFAULT_MAE_CATEGORIES = (
    "tool_hallucination",
    "parameter_hallucination",
    "parameter_missing",
    "wrong_type",
    "enum_violation",
    "unparsable",
    "tool_instability",
    "tool_call_failure",
    "others",
)

Batching = Literal["auto", "padding_free", "group_by_length", "pad"]


@dataclass
class SFTStageConfig(StageConfig):
    """Every key of an SFT-family stage (`sft`, and via subclasses `adapt` and `rank`)."""

    stage: ClassVar[str] = "sft"

    # What to train on
    tasks: dict[str, float] | list[str] = field(default_factory=lambda: {"invocation": 1.0, "tool_generation": 1.0})
    max_examples: int | None = None  # cap on examples after the task mix (seeded sample); None = all
    call_format: str = "hermes"  # how calls are rendered in targets (toolgym.core.formats.render_calls)

    # LoRA (peft) or full fine-tuning
    lora: bool = True
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.0
    lora_target_modules: str | list[str] = "all-linear"

    # Optimisation (ToolDev defaults)
    learning_rate: float = 1e-4
    lr_scheduler_type: str = "cosine"
    warmup_ratio: float = 0.1
    weight_decay: float = 0.0
    num_train_epochs: float = 1.0
    max_steps: int = -1  # > 0 overrides num_train_epochs
    per_device_train_batch_size: int = 8
    gradient_accumulation_steps: int = 1
    max_length: int = 1024  # tokens; longer examples are truncated (keep start) and dropped if no target is left
    seed: int = 0

    # Speed
    # padding_free: flatten each batch into one row with position_ids; group_by_length: pad batches of similar
    # length; pad: plain padding. auto: padding_free under flash attention (varlen kernels) or per-device batches
    # <= 8, else group_by_length (on CPU sdpa, attention over the flattened row is quadratic in the batch's tokens)
    batching: Batching = "auto"
    bf16: bool | Literal["auto"] = "auto"  # auto: bf16 autocast where bf16 is native (AVX512-BF16/AMX CPUs, GPUs)
    # auto: on when the largest micro-batch's estimated activations exceed a third of the available memory
    gradient_checkpointing: bool | Literal["auto"] = "auto"
    # Token budget per micro-batch (padded tokens, the longest batch included); replaces the row count
    # per_device_train_batch_size when set, so memory is bounded by tokens. None = batches of rows.
    max_tokens_per_batch: int | None = None
    # With a token budget: examples whose prompts share a head (queries on one toolset) train on one copy of it
    share_prefix: bool = True
    # Wall-clock budget: stop at the first step boundary past it and save as usual; the LR schedule then runs
    # on max(step / max_steps, elapsed / budget), so it decays fully by the deadline. None = no budget.
    max_minutes: float | None = None
    # False: the prompt (every position before a micro-batch's first label) runs once without gradients, and the
    # labelled tail trains on its KV cache. Tool-calling rows are ~87% prompt, so a CPU step costs ~2.4x less;
    # the completion losses no longer train how the prompt itself is encoded (truncated backprop). The loss value
    # is unchanged. Needs gradient_checkpointing off (the recompute would append to the cache twice).
    # "query": the same, but the split is where the first user message starts, so the tool documentation runs
    # without gradients and the question's own tokens train (how values are read from it).
    prompt_gradient: bool | Literal["query"] = True

    # TL-Training losses
    mae: bool = False  # mask assistant call turns whose feedback falls in mae_categories
    mae_categories: list[str] = field(default_factory=lambda: list(DEFAULT_MAE_CATEGORIES))
    pkt: bool = False  # up-weight key tokens of the tool name
    pkt_w_max: float = 9.0
    # PKT normalisation: per_call = clip(|NK_s| / |K_s|, 1, w_max) for each tool call t_s (TL-Training);
    # per_example = one ratio over all target tokens of the example (toolgym's first version)
    pkt_normalise: Literal["per_call", "per_example"] = "per_call"
    pkt_param_keys: bool = False  # PKT: also key the first token of each argument name and value (authors' code)

    # Task options
    # tool_generation target (ToolDev eqs. 3 and 6): candidates = every candidate tool of the record (the paper's
    # T); used = only the tools the gold calls use
    tool_generation_target: Literal["candidates", "used"] = "candidates"

    # RoTTuning-style noise augmentation (toolgym.data.noise.augment_records): this share of the training records
    # get RoTBench-perturbed tool and parameter names (the gold follows) at a level drawn from noise_levels; 0 = off
    noise_share: float = 0.0
    noise_levels: list[str] = field(default_factory=lambda: ["slight", "medium", "heavy", "union"])  # levels drawn

    # Outputs, checkpoints, logging
    save_merged: bool = False  # also write a merged full checkpoint (LoRA only)
    resume: bool = True  # resume from the latest checkpoint in out_dir/checkpoints
    save_steps: int = 50
    save_total_limit: int = 2
    logging_steps: int = 10

    def __post_init__(self) -> None:
        if isinstance(self.tasks, (list, tuple)):
            self.tasks = {str(t): 1.0 for t in self.tasks}
        self.validate()

    def validate(self) -> None:
        """Raise InputError naming the field on an impossible value."""
        if not isinstance(self.tasks, dict) or not self.tasks:
            raise InputError("must be a non-empty mapping task -> rate or a list of tasks", field="tasks")
        for name, rate in self.tasks.items():
            if name not in TASK_NAMES:
                raise InputError(f"unknown task {name!r}{_suggest(name, TASK_NAMES)}", field="tasks")
            if not isinstance(rate, (int, float)) or rate < 0:
                raise InputError(f"rate of task {name!r} must be a number >= 0, got {rate!r}", field="tasks")
        for name in self.mae_categories:
            if name not in DEFAULT_MAE_CATEGORIES:
                raise InputError(
                    f"unknown error category {name!r}{_suggest(name, DEFAULT_MAE_CATEGORIES)}", field="mae_categories"
                )
        if self.batching not in typing.get_args(Batching):
            raise InputError(f"must be one of {typing.get_args(Batching)}, got {self.batching!r}", field="batching")
        if self.bf16 not in (True, False, "auto"):
            raise InputError(f"must be true, false or 'auto', got {self.bf16!r}", field="bf16")
        for name in ("per_device_train_batch_size", "gradient_accumulation_steps", "max_length", "lora_r"):
            if getattr(self, name) < 1:
                raise InputError(f"must be >= 1, got {getattr(self, name)}", field=name)
        if self.gradient_checkpointing not in (True, False, "auto"):
            raise InputError(f"must be true, false or 'auto', got {self.gradient_checkpointing!r}",
                             field="gradient_checkpointing")
        if self.max_tokens_per_batch is not None and self.max_tokens_per_batch < 64:
            raise InputError(f"must be >= 64 tokens, got {self.max_tokens_per_batch}", field="max_tokens_per_batch")
        if self.prompt_gradient not in (True, False, "query"):
            raise InputError(f"must be true, false or 'query', got {self.prompt_gradient!r}", field="prompt_gradient")
        if self.prompt_gradient is not True and self.gradient_checkpointing is True:
            raise InputError(f"prompt_gradient: {str(self.prompt_gradient).lower()} needs gradient_checkpointing false or "
                             "auto", field="prompt_gradient")
        if self.prompt_gradient is not True and self.max_tokens_per_batch is None:
            raise InputError(f"prompt_gradient: {str(self.prompt_gradient).lower()} needs max_tokens_per_batch "
                             "(token-budget micro-batches)", field="prompt_gradient")
        if self.max_minutes is not None and self.max_minutes <= 0:
            raise InputError(f"must be > 0, got {self.max_minutes}", field="max_minutes")
        if self.max_minutes is not None and self.max_steps <= 0:
            raise InputError("a time budget needs max_steps (> 0) as the step cap of the schedule",
                             field="max_minutes")
        if self.pkt_w_max < 1:
            raise InputError(f"must be >= 1, got {self.pkt_w_max}", field="pkt_w_max")
        if self.pkt_normalise not in ("per_call", "per_example"):
            raise InputError(f"must be 'per_call' or 'per_example', got {self.pkt_normalise!r}", field="pkt_normalise")
        if self.tool_generation_target not in ("candidates", "used"):
            raise InputError(f"must be 'candidates' or 'used', got {self.tool_generation_target!r}",
                             field="tool_generation_target")
        if not 0.0 <= self.noise_share <= 1.0:
            raise InputError(f"must be in [0, 1], got {self.noise_share}", field="noise_share")
        from toolgym.data.noise import check_levels  # data/noise.py holds the level names (core imports only)
        check_levels(self.noise_levels, field_name="noise_levels")



@dataclass
class AdaptStageConfig(SFTStageConfig):
    """ToolDev stage 1: tool documentation adaption (description -> full tool definition)."""

    stage: ClassVar[str] = "adapt"
    tasks: dict[str, float] | list[str] = field(default_factory=lambda: {"doc_adaption": 1.0})


@dataclass
class RankStageConfig(SFTStageConfig):
    """GenTool stage 1: rank the candidate tools by how well each solves the query."""

    stage: ClassVar[str] = "rank"
    tasks: dict[str, float] | list[str] = field(default_factory=lambda: {"ranking": 1.0})


STAGE_CONFIGS: dict[str, type[SFTStageConfig]] = {
    "adapt": AdaptStageConfig,
    "rank": RankStageConfig,
    "sft": SFTStageConfig,
}


def stage_config(stage: str, data: dict[str, Any] | None = None, *, file: str | None = None) -> SFTStageConfig:
    """The config of a training stage by name (`adapt`, `rank`, `sft`) from a recipe mapping."""
    if stage not in STAGE_CONFIGS:
        raise unknown_key_error(stage, STAGE_CONFIGS, file=file, where="stages")
    return STAGE_CONFIGS[stage].from_dict(data, file=file)


def _suggest(word: str, choices: typing.Iterable[str]) -> str:
    close = nearest_key(word, choices)
    return f"; did you mean '{close}'?" if close else ""
