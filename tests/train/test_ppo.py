"""PPO pieces on hand-computed examples: GAE, clipped policy loss, clipped value loss, KL-penalised rewards."""

from __future__ import annotations

import math

import pytest
import torch

from toolgym.train.ppo import ValueHead, gae, kl_penalized_rewards, policy_loss, value_loss, whiten


def test_gae_gamma_one_lambda_095() -> None:
    rewards = torch.tensor([[0.0, 0.0, 1.0], [0.0, 2.0, 7.0]])
    values = torch.tensor([[0.5, 0.5, 0.5], [0.1, 0.2, 9.0]])
    mask = torch.tensor([[1.0, 1.0, 1.0], [1.0, 1.0, 0.0]])  # row 2 ends after two tokens
    adv, ret = gae(rewards, values, mask, gamma=1.0, lam=0.95)
    # row 1: d2 = 1 - .5 = .5; d1 = 0 + .5 - .5 = 0 -> A1 = .95 * .5; A0 = .95 * A1
    # row 2: d1 = 2 + 0 - .2 = 1.8 (V after the end is 0); d0 = 0 + .2 - .1 = .1 -> A0 = .1 + .95 * 1.8
    expected_adv = torch.tensor([[0.45125, 0.475, 0.5], [1.81, 1.8, 0.0]])
    expected_ret = torch.tensor([[0.95125, 0.975, 1.0], [1.91, 2.0, 0.0]])
    assert torch.allclose(adv, expected_adv, atol=1e-6)
    assert torch.allclose(ret, expected_ret, atol=1e-6)


def test_gae_gamma_discounts() -> None:
    adv, _ = gae(torch.tensor([[0.0, 1.0]]), torch.zeros(1, 2), torch.ones(1, 2), gamma=0.5, lam=1.0)
    assert torch.allclose(adv, torch.tensor([[0.5, 1.0]]))


def test_clipped_policy_loss() -> None:
    old = torch.zeros(1, 5)
    new = torch.log(torch.tensor([[1.5, 0.5, 1.1, 0.5, 100.0]]))
    adv = torch.tensor([[1.0, 1.0, -1.0, -1.0, 50.0]])
    mask = torch.tensor([[1.0, 1.0, 1.0, 1.0, 0.0]])
    loss, clipfrac = policy_loss(new, old, adv, mask, clip_range=0.2)
    # per token max(-A r, -A clip(r)): -1.2 (clipped), -0.5, 1.1, 0.8 (clipped); the 5th is masked
    assert loss.item() == pytest.approx((-1.2 - 0.5 + 1.1 + 0.8) / 4)
    assert clipfrac.item() == pytest.approx(0.5)


def test_policy_loss_gradient_vanishes_when_clipped() -> None:
    new = torch.log(torch.tensor([[1.5]])).requires_grad_(True)
    loss, _ = policy_loss(new, torch.zeros(1, 1), torch.ones(1, 1), torch.ones(1, 1), 0.2)
    loss.backward()
    assert new.grad is not None and new.grad.item() == 0.0


def test_clipped_value_loss() -> None:
    values = torch.tensor([[0.5, 0.1, 0.5, 3.0]])
    old = torch.tensor([[0.0, 0.0, 1.0, 0.0]])
    returns = torch.tensor([[1.0, 1.0, 0.0, 0.0]])
    mask = torch.tensor([[1.0, 1.0, 1.0, 0.0]])
    # max((V-R)^2, (clip(V)-R)^2): max(.25, .64), max(.81, .81), max(.25, .64)
    assert value_loss(values, old, returns, mask, 0.2).item() == pytest.approx(0.5 * (0.64 + 0.81 + 0.64) / 3)


def test_kl_penalty_and_reward_clip() -> None:
    scores = torch.tensor([2.0, 7.0])
    logp = torch.tensor([[-1.0, -2.0, -0.5], [-1.0, -1.0, -3.0]])
    ref = torch.tensor([[-1.5, -2.0, -1.0], [-1.0, -2.0, -9.0]])
    mask = torch.tensor([[1.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
    rewards = kl_penalized_rewards(scores, logp, ref, mask, beta=0.4, reward_clip=5.0)
    # -0.4 * (logp - ref) per token; the score (7 clipped to 5) lands on the last valid token
    assert torch.allclose(rewards, torch.tensor([[-0.2, 0.0, 1.8], [0.0, 4.6, 0.0]]), atol=1e-6)


def test_whiten_ignores_masked_entries() -> None:
    x = torch.tensor([[1.0, 3.0, 100.0]])
    out = whiten(x, torch.tensor([[1.0, 1.0, 0.0]]))
    assert torch.allclose(out, torch.tensor([[-1.0, 1.0, 0.0]]), atol=1e-4)


def test_value_head_starts_at_zero_and_does_not_train_the_trunk() -> None:
    head = ValueHead(4)
    hidden = torch.randn(2, 3, 4, requires_grad=True)
    values = head(hidden)
    assert values.shape == (2, 3) and float(values.detach().abs().sum()) == 0.0
    (values - 1).pow(2).sum().backward()
    assert hidden.grad is None and not math.isclose(float(head.linear.bias.grad), 0.0)
