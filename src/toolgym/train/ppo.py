"""PPO with the IRM reward, as TL-Training trains (PAPERS.md "RL setup"): a compact single-process actor-critic.

No maintained library ships PPO for a single machine any more (checked: TRL 1.16 removed PPOTrainer; OpenRLHF
and verl need Ray/GPUs), so the algorithm is written here in the standard RLHF form (Ouyang et al. 2022;
the OpenRLHF/TRL-0.x PPO implementation details):

- rollout: one sampled completion per prompt from the LoRA policy (prompts and rewards shared with GRPO,
  `toolgym.train.rl`);
- reward per token: `r_t = -beta * (log pi(a_t) - log pi_ref(a_t))`, plus the clipped IRM score
  `clip(R, -reward_clip, reward_clip)` on the last completion token (`kl_penalized_rewards`);
- reference = the SFT model: a frozen copy of the starting LoRA adapter under the name "ref" (TRL GRPOTrainer's
  scheme), or the adapter-free base when the stage starts without an adapter;
- critic: a linear value head on the policy's last hidden states (detached, so the critic loss trains only the
  head, at `critic_learning_rate`), zero-initialised so V = 0 at the start. The paper initialises a separate
  critic from the SFT model; sharing the SFT trunk is the small-memory equivalent used by TRL's
  AutoModelForCausalLMWithValueHead;
- GAE with gamma = 1, lambda = 0.95 (`gae`), advantages whitened over the batch;
- clipped policy objective (`policy_loss`, 0.2) and clipped value loss (`value_loss`, 0.2).
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from toolgym.core.provenance import save_trained
from toolgym.train.rewards import score_completions
from toolgym.train.rl_config import RLStageConfig

# ------------------------------------------------------------------------------------------------ PPO math


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return (x * mask).sum() / mask.sum().clamp(min=1)


def whiten(x: torch.Tensor, mask: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Zero-mean, unit-variance over the masked entries (advantage normalisation)."""
    mean = masked_mean(x, mask)
    var = masked_mean((x - mean) ** 2, mask)
    return (x - mean) * torch.rsqrt(var + eps) * mask


def kl_penalized_rewards(scores: torch.Tensor, logprobs: torch.Tensor, ref_logprobs: torch.Tensor,
                         mask: torch.Tensor, beta: float, reward_clip: float) -> torch.Tensor:
    """Per-token rewards: -beta * (logp - ref_logp) everywhere, plus the clipped score on the last valid token.

    `scores`: (B,); `logprobs`, `ref_logprobs`, `mask`: (B, T) with mask 1 on completion tokens (left-aligned).
    """
    rewards = -beta * (logprobs - ref_logprobs) * mask
    last = (mask.sum(dim=1).long() - 1).clamp(min=0)
    clipped = scores.clamp(-reward_clip, reward_clip).to(rewards.dtype)
    rewards[torch.arange(len(scores)), last] += clipped * (mask.sum(dim=1) > 0)
    return rewards


def gae(rewards: torch.Tensor, values: torch.Tensor, mask: torch.Tensor, gamma: float = 1.0,
        lam: float = 0.95) -> tuple[torch.Tensor, torch.Tensor]:
    """Generalised advantage estimation (Schulman et al. 2016) over left-aligned masked sequences.

    `delta_t = r_t + gamma * V_{t+1} - V_t` (V after the last token is 0), `A_t = delta_t + gamma * lam * A_{t+1}`.
    Returns (advantages, returns = advantages + values), both zero where mask is 0.
    """
    steps = rewards.shape[1]
    advantages = torch.zeros_like(rewards)
    next_value = torch.zeros_like(rewards[:, 0])
    next_adv = torch.zeros_like(rewards[:, 0])
    for t in reversed(range(steps)):
        m = mask[:, t]
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        adv = delta + gamma * lam * next_adv
        advantages[:, t] = adv * m
        next_value = values[:, t] * m
        next_adv = adv * m
    return advantages, (advantages + values) * mask


def policy_loss(logprobs: torch.Tensor, old_logprobs: torch.Tensor, advantages: torch.Tensor,
                mask: torch.Tensor, clip_range: float = 0.2) -> tuple[torch.Tensor, torch.Tensor]:
    """PPO's clipped surrogate: mean of max(-A r, -A clip(r, 1-e, 1+e)); also the clipped fraction."""
    ratio = torch.exp(logprobs - old_logprobs)
    unclipped = -advantages * ratio
    clipped = -advantages * ratio.clamp(1 - clip_range, 1 + clip_range)
    loss = masked_mean(torch.maximum(unclipped, clipped), mask)
    return loss, masked_mean((clipped > unclipped).float(), mask)


def value_loss(values: torch.Tensor, old_values: torch.Tensor, returns: torch.Tensor, mask: torch.Tensor,
               value_clip: float = 0.2) -> torch.Tensor:
    """Clipped value loss: 0.5 * mean of max((V - R)^2, (V_old + clip(V - V_old, -c, c) - R)^2)."""
    clipped = old_values + (values - old_values).clamp(-value_clip, value_clip)
    return 0.5 * masked_mean(torch.maximum((values - returns) ** 2, (clipped - returns) ** 2), mask)


# ------------------------------------------------------------------------------------------------ model parts

_AUTOCAST: dict[str, bool] = {"bf16": False}


@contextlib.contextmanager
def autocast() -> Iterator[None]:
    """bf16 autocast around forward passes and generation when the stage runs in bf16 (see `train_ppo`)."""
    if not _AUTOCAST["bf16"]:
        yield
        return
    device = "cuda" if torch.cuda.is_available() else "cpu"
    with torch.autocast(device, dtype=torch.bfloat16):
        yield



class ValueHead(nn.Module):
    """V(s_t) = w . h_t + b on the policy's last hidden state, zero-initialised."""

    def __init__(self, hidden_size: int) -> None:
        super().__init__()
        self.linear = nn.Linear(hidden_size, 1)
        nn.init.zeros_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.linear(hidden.detach().float()).squeeze(-1)


@dataclass
class Rollout:
    """A batch of sampled completions: full ids (prompt left-padded), attention mask, completion mask
    (aligned with the completion positions `start:`), the decoded texts and the prompt width."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    completion_mask: torch.Tensor
    texts: list[str]
    start: int


def add_reference_adapter(model: Any) -> bool:
    """Copy the trainable "default" LoRA adapter as a frozen "ref" adapter (TRL GRPOTrainer's scheme).
    Returns False when the adapter is fresh (zero B matrices), where disabling adapters gives the same model."""
    config = model.peft_config["default"]
    fresh = all(float(p.detach().abs().sum()) == 0.0 for n, p in model.named_parameters() if "lora_B.default" in n)
    if fresh:
        return False
    model.add_adapter("ref", config)
    params = dict(model.named_parameters())
    for name, param in params.items():
        if ".ref." in name:
            param.data.copy_(params[name.replace(".ref.", ".default.")].data)
            param.requires_grad_(False)
    model.set_adapter("default")
    for name, param in model.named_parameters():
        param.requires_grad_("lora_" in name and ".default." in name)
    return True


def sample_rollout(model: Any, tokenizer: Any, prompts: Sequence[str], config: RLStageConfig) -> Rollout:
    """One sampled completion per prompt (transformers generate, left padding)."""
    tokenizer.padding_side = "left"
    enc = tokenizer(list(prompts), return_tensors="pt", padding=True, add_special_tokens=False)
    model.eval()
    enc = {k: v.to(model.device) for k, v in enc.items()}
    with torch.no_grad(), autocast():
        out = model.generate(**enc, do_sample=config.temperature > 0, temperature=config.temperature or None,
                             top_k=config.top_k, max_new_tokens=config.max_completion_length,
                             pad_token_id=tokenizer.pad_token_id)
    start = enc["input_ids"].shape[1]
    completion = out[:, start:]
    eos = {tokenizer.eos_token_id, tokenizer.pad_token_id} - {None}
    is_end = torch.zeros_like(completion, dtype=torch.bool)
    for token in eos:
        is_end |= completion == token
    # keep tokens up to and including the first end token
    ended_before = (torch.cumsum(is_end.long(), dim=1) - is_end.long()) > 0
    completion_mask = (~ended_before).float()
    attention = torch.cat([enc["attention_mask"], completion_mask.long()], dim=1)
    texts = tokenizer.batch_decode(completion * completion_mask.long() + tokenizer.pad_token_id
                                   * (1 - completion_mask.long()), skip_special_tokens=True)
    return Rollout(out, attention, completion_mask, texts, start)


def forward_logprobs_values(model: Any, head: ValueHead | None, rollout: Rollout,
                            adapter: str | None = "default") -> tuple[torch.Tensor, torch.Tensor | None]:
    """Log-probs of the completion tokens and values of the states before them, under `adapter`
    ("ref": the frozen SFT copy; None: adapters disabled)."""
    from trl.trainer.utils import use_adapter

    # positions as generate() assigns them under left padding
    positions = (rollout.attention_mask.long().cumsum(dim=1) - 1).clamp(min=0)

    def run() -> Any:
        return model(input_ids=rollout.input_ids, attention_mask=rollout.attention_mask, position_ids=positions,
                     output_hidden_states=head is not None, use_cache=False)

    with autocast():
        if adapter == "default":
            out = run()
        else:
            with use_adapter(model, adapter_name=adapter):
                out = run()
    s = rollout.start
    logits = out.logits[:, s - 1:-1].float()
    targets = rollout.input_ids[:, s:]
    logprobs = torch.log_softmax(logits, dim=-1).gather(-1, targets[..., None]).squeeze(-1)
    values = head(out.hidden_states[-1][:, s - 1:-1]) if head is not None else None
    return logprobs, values


# ------------------------------------------------------------------------------------------------ training


@dataclass
class PPOBatch:
    rollout: Rollout
    old_logprobs: torch.Tensor
    old_values: torch.Tensor
    advantages: torch.Tensor
    returns: torch.Tensor


def make_batch(model: Any, head: ValueHead, rollout: Rollout, scores: torch.Tensor, config: RLStageConfig,
               ref_adapter: str | None) -> tuple[PPOBatch, dict[str, float]]:
    """Old log-probs/values, reference log-probs, KL-penalised rewards and GAE for one rollout."""
    mask = rollout.completion_mask
    with torch.no_grad():
        logprobs, values = forward_logprobs_values(model, head, rollout)
        ref_logprobs, _ = forward_logprobs_values(model, None, rollout, adapter=ref_adapter)
    rewards = kl_penalized_rewards(scores, logprobs, ref_logprobs, mask, config.beta, config.reward_clip)
    advantages, returns = gae(rewards, values, mask, config.gamma, config.lam)
    if config.whiten_advantages and mask.sum() > 1:
        advantages = whiten(advantages, mask)
    kl = ((logprobs - ref_logprobs) * mask).sum(dim=1).mean()
    stats = {"kl": float(kl), "completion_length": float(mask.sum(dim=1).mean()),
             "value_mean": float(masked_mean(values, mask))}
    return PPOBatch(rollout, logprobs, values, advantages, returns), stats


def ppo_update(model: Any, head: ValueHead, optimizer: torch.optim.Optimizer, batch: PPOBatch,
               config: RLStageConfig, rng: random.Random) -> dict[str, float]:
    """`ppo_epochs` passes of minibatch updates; the policy and value losses add up (disjoint parameters)."""
    model.train()
    size = batch.rollout.input_ids.shape[0]
    logs: dict[str, list[float]] = {"policy_loss": [], "value_loss": [], "clipfrac": []}
    for _ in range(config.ppo_epochs):
        order = list(range(size))
        rng.shuffle(order)
        for lo in range(0, size, config.mini_batch_size):
            idx = torch.tensor(order[lo:lo + config.mini_batch_size])
            r = batch.rollout
            sub = Rollout(r.input_ids[idx], r.attention_mask[idx], r.completion_mask[idx], [], r.start)
            logprobs, values = forward_logprobs_values(model, head, sub)
            mask = sub.completion_mask
            pg, clipfrac = policy_loss(logprobs, batch.old_logprobs[idx], batch.advantages[idx], mask,
                                       config.clip_range)
            vl = value_loss(values, batch.old_values[idx], batch.returns[idx], mask, config.value_clip)
            loss = pg + config.vf_coef * vl
            optimizer.zero_grad()
            loss.backward()
            params = [p for group in optimizer.param_groups for p in group["params"]]
            torch.nn.utils.clip_grad_norm_(params, config.max_grad_norm)
            optimizer.step()
            logs["policy_loss"].append(float(pg.detach()))
            logs["value_loss"].append(float(vl.detach()))
            logs["clipfrac"].append(float(clipfrac))
    return {k: sum(v) / len(v) for k, v in logs.items() if v}


def _save(model: Any, head: ValueHead, optimizer: torch.optim.Optimizer, tokenizer: Any, folder: Path,
          step: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    save_trained(model, tokenizer, folder / "adapter", selected_adapters=["default"])
    torch.save({"value_head": head.state_dict(), "optimizer": optimizer.state_dict(), "step": step},
               folder / "ppo_state.pt")


def _restore(model: Any, head: ValueHead, optimizer: torch.optim.Optimizer, folder: Path) -> int:
    """Load the latest checkpoint's adapter weights, head and optimizer; the step to continue from."""
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    state = torch.load(folder / "ppo_state.pt", weights_only=False)
    set_peft_model_state_dict(model, load_file(str(folder / "adapter" / "adapter_model.safetensors")),
                              adapter_name="default")
    head.load_state_dict(state["value_head"])
    optimizer.load_state_dict(state["optimizer"])
    return int(state["step"])


def train_ppo(config: RLStageConfig, prompts: Sequence[Any], model: Any, tokenizer: Any, out_dir: Path,
              log: Any, progress: bool = True) -> dict[str, Any]:
    """Run PPO over `prompts` (toolgym.train.rl.RLPrompt, rendered) with `model` = a PeftModel whose "default"
    adapter trains. Checkpoints every `save_steps` to out_dir/checkpoint; a rerun resumes from it."""
    from rich.progress import Progress

    from toolgym.train.sft import resolve_bf16

    _AUTOCAST["bf16"] = resolve_bf16(config.bf16)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    ref_adapter = "ref" if add_reference_adapter(model) else None
    head = ValueHead(model.config.hidden_size)
    actor = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW([{"params": actor, "lr": config.learning_rate},
                                   {"params": list(head.parameters()), "lr": config.critic_learning_rate}])
    per_epoch = math.ceil(len(prompts) / config.per_device_train_batch_size)
    total = config.max_steps if config.max_steps > 0 else max(1, math.ceil(per_epoch * config.num_train_epochs))
    order = [i for epoch in range(math.ceil(total / per_epoch) + 1)
             for i in random.Random(config.seed + epoch).sample(range(len(prompts)), len(prompts))]
    checkpoint = out_dir / "checkpoint"
    step = _restore(model, head, optimizer, checkpoint) if config.resume and (checkpoint / "ppo_state.pt").is_file() \
        else 0
    log.truncate_after(step)
    started = time.perf_counter()
    stats: dict[str, float] = {}
    with Progress(disable=not progress, transient=False) as bar:
        task = bar.add_task("ppo", total=total, completed=step)
        while step < total:
            step_started = time.perf_counter()
            lo = step * config.per_device_train_batch_size
            picked = [prompts[i] for i in order[lo:lo + config.per_device_train_batch_size]]
            rollout = sample_rollout(model, tokenizer, [p.text for p in picked], config)
            rewards, categories = score_completions(rollout.texts, picked)
            batch, stats = make_batch(model, head, rollout, torch.tensor(rewards), config, ref_adapter)
            stats.update(ppo_update(model, head, optimizer, batch, config, rng))
            step += 1
            stats["seconds"] = round(time.perf_counter() - step_started, 2)
            log.write(step, rewards, categories, stats)
            if step % config.save_steps == 0 or step == total:
                _save(model, head, optimizer, tokenizer, checkpoint, step)
            bar.advance(task)
    adapter_dir = out_dir / "adapter"
    save_trained(model, tokenizer, adapter_dir, selected_adapters=["default"])
    torch.save(head.state_dict(), out_dir / "value_head.pt")
    (out_dir / "ppo_done.json").write_text(json.dumps({"steps": step}))
    return {"adapter_dir": str(adapter_dir), "global_step": step,
            "train_seconds": round(time.perf_counter() - started, 2), "kl_last": stats.get("kl")}
