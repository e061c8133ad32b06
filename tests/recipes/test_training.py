"""recipes.training: what an SFT-family stage hands on, and a diverged run failing its stage."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

import toolgym.train.sft as sft
from toolgym.core.errors import ToolgymError
from toolgym.recipes.training import run_training_stage


def fake_train(loss: float | None):
    def train_sft(config, records, *, out_dir, **_kwargs):
        return sft.TrainResult(out_dir=str(out_dir), model_dir=str(out_dir / "adapter"),
                               adapter_dir=str(out_dir / "adapter"), merged_dir=None, global_step=7,
                               train_loss=sft._finite(loss), train_tokens=10, train_seconds=1.0,
                               tokens_per_second=10.0)
    return train_sft


def stage_inputs(tmp_path: Path) -> tuple[SimpleNamespace, dict]:
    (tmp_path / "train.jsonl").write_text("")
    stage = SimpleNamespace(name="sft", config=SimpleNamespace(tasks={"invocation": 1.0}))
    return stage, {"data_dir": tmp_path, "model": "m", "adapter": None}


@pytest.mark.parametrize("loss", [float("nan"), float("inf")])
def test_diverged_loss_fails_the_stage(tmp_path: Path, monkeypatch, loss: float) -> None:
    monkeypatch.setattr(sft, "train_sft", fake_train(loss))
    stage, inputs = stage_inputs(tmp_path)
    with pytest.raises(ToolgymError, match=r"stage sft: training diverged \(loss (nan|inf)\) by step 7"):
        run_training_stage(stage, inputs, tmp_path / "out", seed=0)


def test_finite_and_missing_losses_are_reported_as_they_are(tmp_path: Path, monkeypatch) -> None:
    stage, inputs = stage_inputs(tmp_path)
    monkeypatch.setattr(sft, "train_sft", fake_train(0.1234567))
    out = run_training_stage(stage, inputs, tmp_path / "out", seed=0)
    assert out["metrics"]["train_loss"] == 0.123457 and out["adapter"].endswith("adapter")
    monkeypatch.setattr(sft, "train_sft", fake_train(None))
    assert run_training_stage(stage, inputs, tmp_path / "out", seed=0)["metrics"]["train_loss"] is None  # not 0.0
