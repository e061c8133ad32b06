"""Stage configs: defaults per stage and clear errors for wrong keys and values."""

from __future__ import annotations

import pytest

from toolgym.core.errors import InputError
from toolgym.train.config import (
    AdaptStageConfig,
    RankStageConfig,
    SFTStageConfig,
    stage_config,
)


def test_defaults_follow_the_papers() -> None:
    cfg = SFTStageConfig()
    assert (cfg.lora, cfg.lora_r, cfg.lora_alpha, cfg.lora_target_modules) == (True, 16, 32, "all-linear")
    assert (cfg.learning_rate, cfg.lr_scheduler_type, cfg.warmup_ratio) == (1e-4, "cosine", 0.1)
    assert cfg.pkt_w_max == 9.0
    assert AdaptStageConfig().tasks == {"doc_adaption": 1.0}
    assert RankStageConfig().tasks == {"ranking": 1.0}
    assert set(SFTStageConfig().tasks) == {"invocation", "tool_generation"}


def test_unknown_key_names_key_and_nearest() -> None:
    with pytest.raises(InputError) as err:
        SFTStageConfig.from_dict({"learning_rat": 1e-4}, file="recipes/x.yaml")
    message = str(err.value)
    assert "'learning_rat'" in message and "'learning_rate'" in message and "recipes/x.yaml" in message
    assert "\n" not in message


def test_unknown_stage_and_task_suggest_nearest() -> None:
    with pytest.raises(InputError, match="'rank'"):
        stage_config("rnak", {})
    with pytest.raises(InputError, match="'invocation'"):
        stage_config("sft", {"tasks": {"invocaton": 1.0}})
    with pytest.raises(InputError, match="'tool_hallucination'"):
        stage_config("sft", {"mae_categories": ["tool_halucination"]})


def test_wrong_value_types_are_rejected() -> None:
    with pytest.raises(InputError, match="lora_r"):
        SFTStageConfig.from_dict({"lora_r": "sixteen"})
    with pytest.raises(InputError, match="batching"):
        SFTStageConfig.from_dict({"batching": "packed"})


def test_round_trip_and_task_list() -> None:
    cfg = stage_config("rank", {"tasks": ["ranking", "invocation"], "pkt": True, "max_steps": 5})
    assert isinstance(cfg, RankStageConfig)
    assert cfg.tasks == {"ranking": 1.0, "invocation": 1.0}
    assert RankStageConfig.from_dict(cfg.to_dict()) == cfg
