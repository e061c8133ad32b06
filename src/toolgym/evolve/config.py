"""`evolve` stage config (ToolDev stage 3, self-evolution): every key a recipe can set, in one dataclass."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from toolgym.core.config import StageConfig
from toolgym.core.errors import InputError

BACKENDS = ("transformers", "vllm", "openai")


@dataclass
class EvolveStageConfig(StageConfig):
    """Self-evolution rounds: the model writes tools for new queries, labels them by majority vote, retrains.

    Defaults follow ToolDev: 3 rounds, tools sampled at temperature 1.0, k = 5 invocations by top-k sampling,
    retraining on tool generation + invocation, the best round (on a held-out dev set) kept.
    """

    stage: ClassVar[str] = "evolve"

    # Rounds and the query pool
    rounds: int = 3
    queries_per_round: int = 500
    pool_file: str | None = None  # a JSONL ({"query": ...} or contract records) or text file; None = synthetic
    pool_seed_offset: int = 1000  # the synthetic pool uses seed + offset (+ round), apart from the training data
    chunk_size: int = 64  # queries generated (and streamed to disk) together

    # (a) tool generation
    tool_temperature: float = 1.0
    tool_top_p: float | None = None
    tool_max_new_tokens: int = 256
    max_tools: int = 5  # more candidate tools than this in one answer are cut

    # (c) sampled invocations and (d) the vote
    k: int = 5
    invoke_temperature: float = 0.7
    invoke_top_k: int = 50
    invoke_max_new_tokens: int = 160
    min_agreement: float = 0.6  # winner votes / k; 0.6 = 3 of 5
    loose_strings: bool = False  # vote with BFCL's string normalisation (case, spaces, punctuation ignored)
    keep_no_call: bool = False  # a no-call majority becomes a text-answer sample instead of being dropped

    # Retraining (keys of the sft stage config, e.g. max_steps, learning_rate)
    train: dict[str, Any] = field(default_factory=dict)
    replay_records: int = 0  # original training records mixed into each round's data (0 = ToolDev: none)

    # Dev evaluation after each round, and the best round
    dev_file: str | None = None  # a toolgym JSONL suite; None = synthesize `dev_size` held-out records
    dev_size: int = 100
    dev_max_new_tokens: int = 160
    bfcl_categories: list[str] = field(default_factory=list)  # optional BFCL eval per round (reported only)
    bfcl_limit: int | None = 20
    keep_input_if_best: bool = True  # round 0 (the input adapter) competes for "best"

    # Generation backend
    backend: str = "transformers"
    batch_size: int = 32
    dtype: str = "auto"  # transformers backend: auto | float32 | bfloat16 (autocast) | bf16-weights (fastest CPU)
    base_url: str | None = None  # openai backend: the server's /v1 URL
    served_model: str | None = None  # openai backend: the model name the server knows

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise InputError naming the field on an impossible value."""
        for name in ("rounds", "queries_per_round", "k", "chunk_size", "batch_size", "max_tools",
                     "tool_max_new_tokens", "invoke_max_new_tokens", "dev_size"):
            if getattr(self, name) < 1:
                raise InputError(f"must be >= 1, got {getattr(self, name)}", record="evolve", field=name)
        if not 0 < self.min_agreement <= 1:
            raise InputError(f"must be in (0, 1], got {self.min_agreement}", record="evolve",
                             field="min_agreement")
        for name in ("tool_temperature", "invoke_temperature"):
            if getattr(self, name) < 0:
                raise InputError(f"must be >= 0, got {getattr(self, name)}", record="evolve", field=name)
        if self.backend not in BACKENDS:
            raise InputError(f"must be one of {', '.join(BACKENDS)}, got {self.backend!r}", record="evolve",
                             field="backend")
        if self.backend == "openai" and not (self.base_url and self.served_model):
            raise InputError("the openai backend needs base_url and served_model", record="evolve",
                             field="base_url")
        if self.replay_records < 0:
            raise InputError(f"must be >= 0, got {self.replay_records}", record="evolve", field="replay_records")

    def sft_config(self, seed: int) -> Any:
        """The SFT config of a retraining step: tool generation + invocation (ToolDev eq. 6) plus `train`."""
        from toolgym.train.config import SFTStageConfig

        data = {"tasks": {"invocation": 1.0, "tool_generation": 1.0}, "seed": seed, **self.train}
        return SFTStageConfig.from_dict(data, file=None)
