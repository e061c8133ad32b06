"""RL stage: prompt building (samples and trajectory turns), config errors, and real GRPO/PPO steps on the
embedded model (small: one tool, 8-token completions)."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import pytest
import torch

from toolgym.core.errors import InputError
from toolgym.train.rl import RewardLog, build_prompts, cycled, rl_report, score_completions, split_prompts
from toolgym.train.rl_config import RLStageConfig

TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


def sample(i: int) -> dict:
    return {"id": f"s{i}", "type": "single", "messages": [{"role": "user", "content": f"Weather in Oslo {i}?"}],
            "tools": [TOOL], "gold": [{"name": "get_weather", "arguments": {"city": "Oslo"}}]}


def trajectory() -> dict:
    ok = {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Oslo"}}}
    bad = {"id": "c0", "type": "function", "function": {"name": "get_weather", "arguments": {"town": "Oslo"}}}
    return {"id": "t", "type": "single", "tools": [TOOL], "gold": [],
            "messages": [{"role": "user", "content": "Weather in Oslo?"},
                         {"role": "assistant", "content": None, "tool_calls": [bad],
                          "feedback_category": "parameter_hallucination"},
                         {"role": "tool", "tool_call_id": "c0", "content": "unexpected keyword 'town'"},
                         {"role": "assistant", "content": None, "tool_calls": [ok], "feedback_category": None},
                         {"role": "tool", "tool_call_id": "c1", "content": '{"sky": "clear"}'},
                         {"role": "assistant", "content": "Clear skies in Oslo."}]}


def test_prompts_from_samples_and_trajectory_turns() -> None:
    prompts, stats = build_prompts([sample(0), trajectory(), {"id": 3}], ["invocation", "trajectory"])
    assert stats.bad_records == 1 and stats.skipped_failed_turns == 1
    assert [p.id for p in prompts] == ["s0", "t:turn3", "t:turn5"]
    turn3, turn5 = prompts[1], prompts[2]
    assert len(turn3.messages) == 3 and turn3.gold == [{"name": "get_weather", "arguments": {"city": "Oslo"}}]
    assert turn5.gold == [] and turn5.messages[-1]["role"] == "tool"
    only_samples, _ = build_prompts([sample(0), trajectory()], ["invocation"])
    assert [p.id for p in only_samples] == ["s0"]


def test_split_is_seeded_and_disjoint() -> None:
    prompts, _ = build_prompts([sample(i) for i in range(10)], ["invocation"])
    train, held = split_prompts(prompts, 3, 4, seed=1)
    assert len(train) == 4 and len(held) == 3 and not {p.id for p in train} & {p.id for p in held}
    assert [p.id for p in split_prompts(prompts, 3, 4, seed=1)[0]] == [p.id for p in train]


def test_reward_log_and_scores(tmp_path: Path) -> None:
    prompts, _ = build_prompts([sample(0), sample(1)], ["invocation"])
    texts = ['<tool_call>{"name": "get_weather", "arguments": {"city": "Oslo"}}</tool_call>', "no idea"]
    rewards, categories = score_completions(texts, prompts)
    assert rewards == [1.0, -2.0] and categories == ["correct", "no_call"]
    log = RewardLog(tmp_path / "log.jsonl")
    for step in (1, 2, 3):
        log.write(step, rewards, categories, {"kl": 0.1})
    log.truncate_after(2)
    rows = log.rows()
    assert [r["step"] for r in rows] == [1, 2]
    assert rows[0]["reward_mean"] == -0.5 and rows[0]["categories"] == {"correct": 1, "no_call": 1}


def test_rl_report_shows_trend_kl_and_shares() -> None:
    result = {"algorithm": "ppo", "global_step": 4, "train_seconds": 12.5, "train_prompts": 40, "kl_last": 0.02,
              "reward_curve": [-1.0, 0.0, 0.5, 1.0],
              "eval_before": {"reward_mean": -0.5, "n": 8, "categories": {"correct": 0.25, "parameter_error": 0.75}},
              "eval_after": {"reward_mean": 0.25, "n": 8, "categories": {"correct": 0.5, "tool_error": 0.5}}}
    text = rl_report("irm", result, [{"step": 1, "kl": 0.0}, {"step": 2, "kl": 0.015}])
    assert "first 1 steps -1.000 → last 1 steps +1.000" in text
    assert "KL per step: 0.000, 0.015" in text and "-0.5 → 0.25" in text
    assert "| parameter_error | 75.0 | 0.0 |" in text and "| tool_error | 0.0 | 50.0 |" in text
    assert "Training prompts" not in text
    sampled = {**result, "train_eval_before": {"reward_mean": -0.25, "n": 16},
               "train_eval_after": {"reward_mean": 0.125, "n": 16}}
    assert "Training prompts (16 completions sampled as in rollouts): mean IRM reward -0.25 → 0.125" in rl_report(
        "irm", sampled)


def test_cycled_takes_training_prompts_round_robin() -> None:
    prompts, _ = build_prompts([sample(i) for i in range(3)], ["invocation"])
    assert [p.id for p in cycled(prompts, 7)] == [prompts[i % 3].id for i in range(7)]
    assert cycled(prompts, 0) == [] and cycled([], 5) == []


@pytest.mark.parametrize(("data", "field"), [
    ({"algorithm": "dpo"}, "algorithm"),
    ({"sources": ["invocaton"]}, "sources"),
    ({"num_generations": 3, "per_device_train_batch_size": 8}, "per_device_train_batch_size"),
    ({"beta": -1.0}, "beta"),
    ({"train_eval": -4}, "train_eval"),
    ({"learning_rat": 1e-5}, "learning_rat"),
    ({"backend": "tgi"}, "backend"),
    ({"algorithm": "ppo", "backend": "vllm"}, "backend"),
    ({"vllm_gpu_memory_utilization": 0.0}, "vllm_gpu_memory_utilization"),
])
def test_config_errors_name_the_field(data: dict, field: str) -> None:
    with pytest.raises(InputError) as err:
        RLStageConfig.from_dict(data, file="r.yaml")
    assert err.value.field == field


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vllm is installed here")
def test_vllm_rollouts_without_vllm_name_the_package() -> None:
    with pytest.raises(InputError, match=r"needs the 'vllm' package: pip install 'toolgym\[vllm\]'") as err:
        RLStageConfig.from_dict({"backend": "vllm"})
    assert err.value.field == "backend"


def test_grpo_rollouts_use_vllm_only_when_asked(tmp_path: Path) -> None:
    from toolgym.train.rl import grpo_args

    args = grpo_args(RLStageConfig(), tmp_path)
    assert args.use_vllm is False
    cfg = RLStageConfig()
    cfg.backend = "vllm"  # as if vllm were installed: on a CPU the stage still refuses, in one line
    if not torch.cuda.is_available():
        with pytest.raises(InputError, match="CUDA GPU") as err:
            grpo_args(cfg, tmp_path)
        assert err.value.field == "backend"
    else:
        assert grpo_args(cfg, tmp_path).use_vllm is True


def test_config_defaults_are_the_papers() -> None:
    c = RLStageConfig()
    assert (c.beta, c.reward_clip, c.clip_range, c.value_clip, c.gamma, c.lam) == (0.4, 5.0, 0.2, 0.2, 1.0, 0.95)
    assert (c.learning_rate, c.critic_learning_rate, c.per_device_train_batch_size) == (2e-6, 1e-6, 8)
    assert RLStageConfig.from_dict(c.to_dict()) == c


# ------------------------------------------------------------------------------------------------ real model

@pytest.fixture(scope="module")
def sft_adapter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real (random, non-zero) LoRA adapter standing in for the SFT stage's output."""
    from peft import LoraConfig, get_peft_model

    from toolgym.models.registry import load_model

    model, tokenizer = load_model("smollm2-135m")
    model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"],
                                             task_type="CAUSAL_LM"))
    torch.manual_seed(0)
    for name, param in model.named_parameters():
        if "lora_B" in name:
            param.data.normal_(0, 0.01)
    folder = tmp_path_factory.mktemp("sft") / "adapter"
    model.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    return folder


@pytest.mark.slow
def test_ppo_step_moves_policy_not_reference(sft_adapter: Path, tmp_path: Path) -> None:
    from toolgym.train.ppo import (
        ValueHead,
        add_reference_adapter,
        forward_logprobs_values,
        make_batch,
        ppo_update,
        sample_rollout,
    )
    from toolgym.train.rl import load_policy, render_prompts

    config = RLStageConfig(algorithm="ppo", max_completion_length=8, learning_rate=1e-3, critic_learning_rate=1e-2,
                           per_device_train_batch_size=2, mini_batch_size=2)
    model, tokenizer = load_policy("smollm2-135m", sft_adapter, config)
    prompts = render_prompts(build_prompts([sample(0), sample(1)], ["invocation"])[0], tokenizer)
    assert add_reference_adapter(model)
    ref_before = {n: p.detach().clone() for n, p in model.named_parameters() if ".ref." in n}
    head = ValueHead(model.config.hidden_size)
    actor = [p for p in model.parameters() if p.requires_grad]
    assert actor and all(".default." in n for n, p in model.named_parameters() if p.requires_grad)
    optimizer = torch.optim.AdamW([{"params": actor, "lr": config.learning_rate},
                                   {"params": list(head.parameters()), "lr": config.critic_learning_rate}])
    torch.manual_seed(0)
    rollout = sample_rollout(model, tokenizer, [p.text for p in prompts], config)
    rewards, _ = score_completions(rollout.texts, prompts)
    batch, stats = make_batch(model, head, rollout, torch.tensor(rewards), config, "ref")
    assert stats["kl"] == pytest.approx(0.0, abs=1e-5)  # the policy starts as the reference
    logs = ppo_update(model, head, optimizer, batch, config, random.Random(0))
    assert set(logs) == {"policy_loss", "value_loss", "clipfrac"}
    with torch.no_grad():
        new, _ = forward_logprobs_values(model, None, rollout)
        ref, _ = forward_logprobs_values(model, None, rollout, adapter="ref")
    mask = rollout.completion_mask.bool()
    assert not torch.allclose(new[mask], ref[mask])
    for name, param in model.named_parameters():
        if name in ref_before:
            assert torch.equal(param, ref_before[name])
    assert float(head.linear.bias.abs()) > 0


@pytest.mark.slow
def test_grpo_stage_end_to_end(sft_adapter: Path, tmp_path: Path) -> None:
    from toolgym.train.rl import train_rl

    config = RLStageConfig(algorithm="grpo", max_steps=1, num_generations=2, per_device_train_batch_size=2,
                           max_completion_length=8, eval_prompts=1, learning_rate=1e-4, save_steps=1, train_eval=3)
    result = train_rl(config, [sample(i) for i in range(4)], out_dir=tmp_path / "rl", adapter=sft_adapter,
                      progress=False)
    assert result["global_step"] == 1 and result["eval_before"]["n"] == 1
    assert result["train_eval_before"]["n"] == result["train_eval_after"]["n"] == 3
    assert result["peak_rss_mb"] > 100 and result["peak_rss_scope"] in ("stage", "process")
    assert (tmp_path / "rl" / "adapter" / "adapter_model.safetensors").is_file()
    rows = [json.loads(line) for line in (tmp_path / "rl" / "rl_log.jsonl").read_text().splitlines()]
    assert rows and sum(rows[0]["categories"].values()) == 2
    history = json.loads((tmp_path / "rl" / "trl_log.json").read_text())
    assert any("kl" in row for row in history)
    again = train_rl(config, [sample(i) for i in range(4)], out_dir=tmp_path / "rl", adapter=sft_adapter)
    assert again == result  # finished stage: returned as is
