"""verl export: parquet layout read back with pyarrow, the scorer entry point, the shim file and launch script."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from toolgym.core.formats import parse_calls, render_calls
from toolgym.core.schema import ToolCall
from toolgym.train.commands import app
from toolgym.train.export_verl import DATA_SOURCE, export_verl
from toolgym.train.rewards import compute_score
from toolgym.train.rl_config import RLStageConfig

WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
TIME = {"type": "function", "function": {"name": "get_time", "description": "Time in a zone.",
        "parameters": {"type": "object", "properties": {"zone": {"type": "string"},
                                                        "hour24": {"type": "boolean"}}, "required": ["zone"]}}}


def records() -> list[dict]:
    single = [{"id": f"s{i}", "type": "single", "messages": [{"role": "user", "content": f"Weather in city {i}?"}],
               "tools": [WEATHER, TIME], "gold": [{"name": "get_weather", "arguments": {"city": f"c{i}"}}]}
              for i in range(6)]
    no_tool = {"id": "n0", "type": "no_tool", "messages": [{"role": "user", "content": "Tell me a joke."}],
               "tools": [WEATHER], "gold": []}
    call = {"id": "call_1", "type": "function", "function": {"name": "get_time", "arguments": {"zone": "UTC"}}}
    bad = {"id": "call_0", "type": "function", "function": {"name": "get_time", "arguments": {"tz": "UTC"}}}
    trajectory = {"id": "t0", "type": "single", "tools": [WEATHER, TIME], "gold": [],
                  "messages": [{"role": "user", "content": "What time is it in UTC?"},
                               {"role": "assistant", "content": None, "tool_calls": [bad],
                                "feedback_category": "parameter_hallucination"},
                               {"role": "tool", "tool_call_id": "call_0", "content": "unexpected keyword 'tz'"},
                               {"role": "assistant", "content": None, "tool_calls": [call], "feedback_category": None},
                               {"role": "tool", "tool_call_id": "call_1", "content": '{"time": "12:00"}'},
                               {"role": "assistant", "content": "It is 12:00 UTC."}]}
    return [*single, no_tool, {"broken": True}, trajectory]


def test_export_layout_and_scores(tmp_path: Path) -> None:
    summary = export_verl(records(), tmp_path, model="/models/sft", test_size=2,
                          config=RLStageConfig(algorithm="ppo"))
    assert summary["bad_records"] == 1
    # 6 single + 1 no-call invocation prompts; the trajectory gives 2 turns (the failed call turn is skipped)
    assert summary["prompts"] == {"invocation": 7, "trajectory": 2}
    assert summary["train"] + summary["test"] == 9 and summary["test"] == 2
    table = pq.read_table(tmp_path / "train.parquet").to_pylist() + pq.read_table(tmp_path / "test.parquet").to_pylist()
    assert {row["data_source"] for row in table} == {DATA_SOURCE}
    for row in table:
        messages = row["prompt"]
        assert messages[0]["role"] == "system" and "<tools>" in messages[0]["content"]
        assert {m["role"] for m in messages} <= {"system", "user", "assistant"}
        assert messages[-1]["role"] == "user"
        assert row["reward_model"]["style"] == "rule"
        gold = json.loads(row["reward_model"]["ground_truth"])
        tools = json.loads(row["extra_info"]["tools"])
        # the gold answer rendered as model text scores +1 through verl's entry point; a wrong tool does not
        right = render_calls([ToolCall.from_openai(g) for g in gold]) if gold else "No tool fits."
        assert compute_score(row["data_source"], right, row["reward_model"]["ground_truth"], row["extra_info"]) == 1.0
        assert compute_score(row["data_source"], "<tool_call>{", row["reward_model"]["ground_truth"],
                             row["extra_info"]) == -2.0
        assert tools
    turn = next(row for row in table if row["extra_info"]["id"] == "t0:turn3")
    assert json.loads(turn["reward_model"]["ground_truth"]) == [{"name": "get_time", "arguments": {"zone": "UTC"}}]
    # the failed call stays in the context as text, followed by its error feedback
    assert parse_calls(turn["prompt"][2]["content"]).calls[0].arguments == {"tz": "UTC"}
    assert "unexpected keyword" in turn["prompt"][3]["content"]


def test_reward_shim_and_launch_script(tmp_path: Path) -> None:
    export_verl(records(), tmp_path, model="/models/sft", test_size=2)
    spec = importlib.util.spec_from_file_location("reward_fn", tmp_path / "reward_fn.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    gold = json.dumps([{"name": "get_weather", "arguments": {"city": "Oslo"}}])
    text = '<tool_call>{"name": "get_weather", "arguments": {"city": "Oslo"}}</tool_call>'
    assert module.compute_score(DATA_SOURCE, text, gold, {"tools": json.dumps([WEATHER])}) == 1.0
    script = (tmp_path / "run_verl_ppo.sh").read_text()
    for key in ("algorithm.adv_estimator=gae", "algorithm.lam=0.95", "algorithm.kl_ctrl.kl_coef=0.4",
                "actor_rollout_ref.actor.clip_ratio=0.2", "critic.cliprange_value=0.2",
                "actor_rollout_ref.actor.optim.lr=2e-06", "critic.optim.lr=1e-06",
                f"custom_reward_function.path={(tmp_path / 'reward_fn.py').resolve()}",
                "actor_rollout_ref.model.path=/models/sft"):
        assert key in script


def test_cli_export(tmp_path: Path) -> None:
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records()))
    result = CliRunner().invoke(app, ["verl", str(data), "--out", str(tmp_path / "verl"), "--test-size", "1",
                                      "--sources", "invocation"])
    assert result.exit_code == 0, result.output
    assert "train: 6 prompts" in result.output
    assert pq.read_table(tmp_path / "verl" / "test.parquet").num_rows == 1


def test_cli_rejects_unknown_source(tmp_path: Path) -> None:
    data = tmp_path / "train.jsonl"
    data.write_text(json.dumps(records()[0]) + "\n")
    result = CliRunner().invoke(app, ["verl", str(data), "--out", str(tmp_path / "o"), "--sources", "invocaton"])
    assert result.exit_code != 0
    assert "did you mean 'invocation'" in str(result.exception)


@pytest.mark.parametrize("ground_truth", ["", "[]"])
def test_scorer_no_call_ground_truth(ground_truth: str) -> None:
    assert compute_score(DATA_SOURCE, "Here is a joke.", ground_truth, {"tools": "[]"}) == 1.0
