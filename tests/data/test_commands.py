"""`toolgym data synth|stats|decontam` end to end on a small dataset; bad input gives one clear line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from toolgym.core.errors import InputError
from toolgym.data.commands import app
from toolgym.data.stats import compute_stats

runner = CliRunner()


def test_synth_then_stats(tmp_path):
    out = tmp_path / "ds"
    result = runner.invoke(app, ["synth", "--n", "120", "--seed", "4", "--out", str(out), "--n-test", "30",
                                 "--trajectories", "20"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"]["train"]["records"] == 120
    assert sum(1 for _ in open(out / "trajectories.jsonl")) == 20
    st = compute_stats(out)
    assert st["gold_pass"] == st["gold_calls"] > 0 and st["bad_records"] == 0
    result = runner.invoke(app, ["stats", str(out), "--model", ""])
    assert result.exit_code == 0 and "100.00%" in result.output


def test_bad_input_is_one_clear_error(tmp_path):
    with pytest.raises(InputError, match="mix"):
        runner.invoke(app, ["synth", "--n", "5", "--out", str(tmp_path), "--mix", "triple=1"],
                      catch_exceptions=False)
    with pytest.raises(InputError, match="not a dataset folder"):
        compute_stats(tmp_path / "nope")
    (tmp_path / "x.jsonl").write_text('{"id": "a", "type": "single", "messages": []}\n')
    st = compute_stats(tmp_path)
    assert st["bad_records"] == 1
