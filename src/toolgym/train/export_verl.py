"""`toolgym export verl`: the RL prompts as verl's parquet dataset, the IRM scorer, and a ready PPO launch script.

verl (volcengine/verl) reads one row per prompt (its `examples/data_preprocess` layout, checked against
verl/trainer/config/ppo_trainer.yaml):
`data_source` (str), `prompt` (chat messages), `ability`, `reward_model` (`{"style": "rule", "ground_truth"}`)
and `extra_info` (free-form). Here `ground_truth` is the gold calls as JSON and `extra_info.tools` the toolset as
JSON (strings, so that any tool schema fits one Arrow column). The prompt messages carry the tools in the
ToolDev-style system prompt (`toolgym.core.formats.tool_system_prompt`), calls and tool results as text, exactly
what `render_prompt` feeds a chat template without native tool support, so every model's template renders it.
The scorer is `toolgym.train.rewards.compute_score`; `reward_fn.py` re-exports it for
`custom_reward_function.path`.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from toolgym.core.formats import _messages_as_text, tool_system_prompt
from toolgym.core.schema import Message
from toolgym.train.rl import RLPrompt, build_prompts, split_prompts
from toolgym.train.rl_config import RLStageConfig

DATA_SOURCE = "toolgym/irm"
SCORER = "toolgym.train.rewards:compute_score"

REWARD_SHIM = '''"""verl custom reward function: TL-Training's IRM reward from toolgym (pip install toolgym)."""
from toolgym.train.rewards import compute_score

__all__ = ["compute_score"]
'''


def verl_messages(prompt: RLPrompt, fmt: str = "hermes") -> list[dict[str, str]]:
    """The prompt as plain chat messages with the tools in the system prompt."""
    msgs = _messages_as_text([Message.from_openai(m) for m in prompt.messages], fmt)
    if prompt.tools:
        system = tool_system_prompt(prompt.tools, fmt)
        if msgs and msgs[0]["role"] == "system":
            msgs[0] = {"role": "system", "content": msgs[0]["content"].rstrip() + "\n\n" + system}
        else:
            msgs.insert(0, {"role": "system", "content": system})
    return msgs


def verl_row(prompt: RLPrompt, index: int, split: str, fmt: str = "hermes") -> dict[str, Any]:
    return {
        "data_source": DATA_SOURCE,
        "prompt": verl_messages(prompt, fmt),
        "ability": "tool_calling",
        "reward_model": {"style": "rule", "ground_truth": json.dumps(prompt.gold, ensure_ascii=False)},
        "extra_info": {"split": split, "index": index, "id": prompt.id, "source": prompt.source,
                       "tools": json.dumps(prompt.tools, ensure_ascii=False)},
    }


def write_parquet(rows: list[dict[str, Any]], path: Path) -> None:
    from datasets import Dataset

    Dataset.from_list(rows).to_parquet(str(path))


def launch_script(out: Path, model: str, config: RLStageConfig, n_gpus: int = 8) -> str:
    """A verl PPO launch with TL-Training's constants (GAE gamma 1 lambda 0.95, KL-in-reward 0.4, clip 0.2)."""
    out_abs = out.resolve()
    args = [
        "algorithm.adv_estimator=gae",
        f"algorithm.gamma={config.gamma}",
        f"algorithm.lam={config.lam}",
        "algorithm.use_kl_in_reward=True",
        "algorithm.kl_ctrl.type=fixed",
        f"algorithm.kl_ctrl.kl_coef={config.beta}",
        f"data.train_files={out_abs / 'train.parquet'}",
        f"data.val_files={out_abs / 'test.parquet'}",
        f"data.train_batch_size={config.per_device_train_batch_size}",
        "data.max_prompt_length=2048",
        f"data.max_response_length={config.max_completion_length}",
        "data.filter_overlong_prompts=True",
        f"actor_rollout_ref.model.path={model}",
        f"actor_rollout_ref.actor.optim.lr={config.learning_rate}",
        f"actor_rollout_ref.actor.ppo_mini_batch_size={config.mini_batch_size}",
        "actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=1",
        f"actor_rollout_ref.actor.clip_ratio={config.clip_range}",
        f"actor_rollout_ref.actor.ppo_epochs={config.ppo_epochs}",
        "actor_rollout_ref.actor.use_kl_loss=False",
        "actor_rollout_ref.rollout.name=vllm",
        f"actor_rollout_ref.rollout.temperature={config.temperature}",
        "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=1",
        "actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu=1",
        f"critic.model.path={model}",
        f"critic.optim.lr={config.critic_learning_rate}",
        f"critic.cliprange_value={config.value_clip}",
        "critic.ppo_micro_batch_size_per_gpu=1",
        f"custom_reward_function.path={out_abs / 'reward_fn.py'}",
        "custom_reward_function.name=compute_score",
        f"trainer.total_epochs={int(config.num_train_epochs)}",
        f"trainer.n_gpus_per_node={n_gpus}",
        "trainer.nnodes=1",
        "trainer.logger=['console']",
        "trainer.project_name=toolgym",
        "trainer.experiment_name=irm_ppo",
    ]
    lines = " \\\n    ".join(shlex.quote(a) for a in args)
    return ("#!/usr/bin/env bash\n"
            "# TL-Training IRM PPO under verl (written by `toolgym export verl`). The reward is toolgym's\n"
            f"# {SCORER}; the reference is the SFT model at `model.path` (merge a LoRA adapter first).\n"
            "set -euo pipefail\n"
            f"python3 -m verl.trainer.main_ppo \\\n    {lines} \\\n    \"$@\"\n")


def export_verl(records: Iterable[Mapping[str, Any]], out_dir: str | Path, *, model: str = "<path-to-sft-model>",
                config: RLStageConfig | None = None, test_size: int = 64, records_file: str | None = None,
                n_gpus: int = 8) -> dict[str, Any]:
    """Write train.parquet, test.parquet, reward_fn.py and run_verl_ppo.sh into `out_dir`; return a summary."""
    config = config or RLStageConfig(algorithm="ppo")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    prompts, stats = build_prompts(records, config.sources, file=records_file)
    train, test = split_prompts(prompts, test_size, config.max_prompts, config.seed)
    files = {}
    for split, items in (("train", train), ("test", test)):
        path = out / f"{split}.parquet"
        write_parquet([verl_row(p, i, split, config.call_format) for i, p in enumerate(items)], path)
        files[split] = str(path)
    (out / "reward_fn.py").write_text(REWARD_SHIM)
    script = out / "run_verl_ppo.sh"
    script.write_text(launch_script(out, model, config, n_gpus))
    script.chmod(0o755)
    summary = {"train": len(train), "test": len(test), "prompts": dict(stats.prompts), "bad_records": stats.bad_records,
               "files": {**files, "reward_fn": str(out / "reward_fn.py"), "launch": str(script)},
               "compute_score": SCORER, "data_source": DATA_SOURCE}
    (out / "export.json").write_text(json.dumps(summary, indent=2))
    return summary


def read_records(data: Path) -> tuple[list[dict[str, Any]], str]:
    """Records of a dataset folder (train.jsonl + trajectories.jsonl) or of one JSONL file."""
    from toolgym.data.io import iter_jsonl

    files: Sequence[Path] = [data] if data.is_file() else \
        [p for p in (data / "train.jsonl", data / "trajectories.jsonl") if p.is_file()]
    return [r for path in files for _, r in iter_jsonl(path)], str(files[0] if files else data)
