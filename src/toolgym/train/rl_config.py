"""Config of the `rl` stage (TL-Training IRM reward; GRPO via TRL or the paper's PPO), a TRL-style dataclass.

Defaults are the TL-Training constants (PAPERS.md): KL coefficient 0.4, reward clip 5, clip range 0.2, value
clip 0.2, gamma 1, lambda 0.95, actor lr 2e-6, critic lr 1e-6, batch 8, 3 epochs. These learning rates are tiny
for a LoRA run of a few steps on a 135M model; recipes override them (e.g. `learning_rate: 1e-5`).

| key                        | used by   | meaning                                                              |
|----------------------------|-----------|----------------------------------------------------------------------|
| `algorithm`                | both      | `grpo` (TRL GRPOTrainer) or `ppo` (toolgym.train.ppo)                 |
| `sources`                  | both      | prompt sources: `invocation` (synthetic samples), `trajectory` (one prompt per assistant turn) |
| `max_prompts`              | both      | cap on training prompts (seeded sample); None = all                   |
| `eval_prompts`             | both      | held-out prompts scored greedily before and after (IRM mean + category shares); 0 = skip |
| `train_eval`               | both      | completions sampled from the training prompts (cycled) at the rollout temperature, scored before and after: the optimised reward with less noise than a step's rollouts; 0 = skip |
| `beta`                     | both      | KL coefficient to the SFT (reference) model                           |
| `num_generations`          | grpo      | completions per prompt (the group)                                    |
| `per_device_train_batch_size` | both   | grpo: completions per step; ppo: prompts (= rollouts) per step        |
| `ppo_epochs`, `mini_batch_size` | ppo  | optimisation passes over each rollout batch, and their minibatch size |
| `clip_range`, `value_clip`, `gamma`, `lam`, `reward_clip`, `vf_coef` | ppo (clip_range also grpo `epsilon`) | PPO constants |
| `backend`                  | grpo      | rollouts: `transformers` (the policy's generate) or `vllm` (TRL's vLLM integration, colocated on the training GPU; needs CUDA and `toolgym[vllm]`). toolgym's PPO samples with the policy's own generate, so it stays `transformers` |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from toolgym.core.config import StageConfig, nearest_key
from toolgym.core.errors import InputError

PROMPT_SOURCES = ("invocation", "trajectory")
ALGORITHMS = ("grpo", "ppo")


@dataclass
class RLStageConfig(StageConfig):
    """Every key of the `rl` stage."""

    stage: ClassVar[str] = "rl"

    algorithm: Literal["grpo", "ppo"] = "grpo"

    # Prompts
    sources: list[str] = field(default_factory=lambda: ["invocation", "trajectory"])
    max_prompts: int | None = None
    eval_prompts: int = 32
    train_eval: int = 0
    call_format: str = "hermes"

    # Rollouts
    max_completion_length: int = 128
    temperature: float = 1.0
    top_k: int | None = None
    num_generations: int = 4
    backend: Literal["transformers", "vllm"] = "transformers"
    vllm_gpu_memory_utilization: float = 0.3  # share of the GPU that colocated vLLM may take (TRL's default)

    # Objective (TL-Training constants)
    beta: float = 0.4
    reward_clip: float = 5.0
    clip_range: float = 0.2
    value_clip: float = 0.2
    gamma: float = 1.0
    lam: float = 0.95
    vf_coef: float = 1.0
    whiten_advantages: bool = True

    # Optimisation
    learning_rate: float = 2e-6  # actor
    critic_learning_rate: float = 1e-6  # PPO value head
    num_train_epochs: float = 3.0
    max_steps: int = -1  # > 0 overrides num_train_epochs
    per_device_train_batch_size: int = 8
    gradient_accumulation_steps: int = 1
    ppo_epochs: int = 1
    mini_batch_size: int = 8
    max_grad_norm: float = 1.0
    seed: int = 0
    bf16: bool | Literal["auto"] = "auto"  # bf16 autocast where measured faster (toolgym.train.sft.resolve_bf16)

    # LoRA, used when the stage starts without an adapter (otherwise the previous stage's adapter keeps training)
    lora_r: int = 16
    lora_alpha: int = 32
    lora_target_modules: str | list[str] = "all-linear"

    # Outputs
    resume: bool = True
    save_steps: int = 50
    logging_steps: int = 1

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise InputError naming the field on an impossible value."""
        if self.algorithm not in ALGORITHMS:
            raise InputError(f"must be one of {ALGORITHMS}, got {self.algorithm!r}", field="algorithm")
        if not self.sources:
            raise InputError(f"must list at least one of {PROMPT_SOURCES}", field="sources")
        for name in self.sources:
            if name not in PROMPT_SOURCES:
                close = nearest_key(name, PROMPT_SOURCES)
                hint = f"; did you mean '{close}'?" if close else f"; choose from {PROMPT_SOURCES}"
                raise InputError(f"unknown prompt source {name!r}{hint}", field="sources")
        for name in ("max_completion_length", "num_generations", "per_device_train_batch_size",
                     "gradient_accumulation_steps", "ppo_epochs", "mini_batch_size", "lora_r", "save_steps",
                     "logging_steps"):
            if getattr(self, name) < 1:
                raise InputError(f"must be >= 1, got {getattr(self, name)}", field=name)
        for name in ("beta", "reward_clip", "clip_range", "value_clip", "learning_rate", "critic_learning_rate",
                     "temperature", "eval_prompts", "train_eval"):
            if getattr(self, name) < 0:
                raise InputError(f"must be >= 0, got {getattr(self, name)}", field=name)
        if not 0 <= self.gamma <= 1 or not 0 <= self.lam <= 1:
            raise InputError("gamma and lam must be in [0, 1]", field="gamma" if not 0 <= self.gamma <= 1 else "lam")
        if self.algorithm == "grpo" and self.num_generations < 2:
            raise InputError("GRPO needs at least 2 generations per prompt", field="num_generations")
        if self.algorithm == "grpo" and self.per_device_train_batch_size % self.num_generations:
            raise InputError(f"per_device_train_batch_size ({self.per_device_train_batch_size}) must be a multiple "
                             f"of num_generations ({self.num_generations})", field="per_device_train_batch_size")
        self._validate_backend()
        if self.bf16 not in (True, False, "auto"):
            raise InputError(f"must be true, false or 'auto', got {self.bf16!r}", field="bf16")

    def _validate_backend(self) -> None:
        from toolgym.models.backends import MODEL_BACKENDS, missing_backend

        if self.backend not in MODEL_BACKENDS:
            raise InputError(f"must be one of {MODEL_BACKENDS}, got {self.backend!r}", field="backend")
        if self.backend == "vllm" and self.algorithm != "grpo":
            raise InputError("vLLM rollouts need algorithm grpo: toolgym's PPO samples with the policy's own "
                             "generate (its value head and reference share that model)", field="backend")
        if reason := missing_backend(self.backend):
            raise InputError(reason, field="backend")
        if not 0 < self.vllm_gpu_memory_utilization <= 1:
            raise InputError(f"must be in (0, 1], got {self.vllm_gpu_memory_utilization}",
                             field="vllm_gpu_memory_utilization")
