"""recipes.training: what an SFT-family stage hands on, and a diverged run failing its stage."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest

import toolgym.train.sft as sft
from toolgym.core.errors import InputError, ToolgymError
from toolgym.data.io import STRICT_ENV
from toolgym.recipes.training import run_training_stage, stage_records
from toolgym.train.config import SFTStageConfig


def fake_train(loss: float | None):
    def train_sft(config, records, *, out_dir, **_kwargs):
        return sft.TrainResult(out_dir=str(out_dir), model_dir=str(out_dir / "adapter"),
                               adapter_dir=str(out_dir / "adapter"), merged_dir=None, global_step=7,
                               train_loss=sft._finite(loss), train_tokens=10, train_seconds=1.0,
                               tokens_per_second=10.0)
    return train_sft


def stage_inputs(tmp_path: Path) -> tuple[SimpleNamespace, dict]:
    (tmp_path / "train.jsonl").write_text("")
    stage = SimpleNamespace(name="sft", config=SFTStageConfig(tasks={"invocation": 1.0}))
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


TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather.", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
GOOD = {"id": "s0", "type": "single", "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "tools": [TOOL], "gold": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}


def test_bad_training_rows_are_logged_by_line_and_skipped_unless_strict(tmp_path: Path, monkeypatch,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    rows = [json.dumps(GOOD).encode(), b"\xff\xfe", json.dumps({**GOOD, "id": "s1", "messages": "hi"}).encode(),
            json.dumps({**GOOD, "id": "s2"}).encode()]
    (tmp_path / "train.jsonl").write_bytes(b"\n".join(rows) + b"\n")
    with caplog.at_level(logging.WARNING):
        records = stage_records(tmp_path, {"invocation": 1.0})
    assert [r["id"] for r in records] == ["s0", "s2"]  # the good records, as they are in the file
    assert "record 2: not UTF-8" in caplog.text
    assert "record 3, field messages" in caplog.text  # the file's line, not the position among good records
    assert "2 records read, 2 bad records skipped" in caplog.text
    monkeypatch.setenv(STRICT_ENV, "1")
    with pytest.raises(InputError, match="record 2: not UTF-8"):
        stage_records(tmp_path, {"invocation": 1.0})
