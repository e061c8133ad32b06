"""models.demo: grading the demo's answer, finding a run's trained adapter, base vs trained side by side."""

from __future__ import annotations

import json

import torch
from typer.testing import CliRunner

from toolgym.cli import app
from toolgym.core.schema import Tool
from toolgym.models.demo import DEMO_ANSWER, WEATHER_TOOLS, base_weights, grade, trained_adapter

runner = CliRunner()
TOOLS = [Tool.from_openai(t) for t in WEATHER_TOOLS]


def _call(name: str, **arguments) -> str:
    return f"<tool_call>\n{json.dumps({'name': name, 'arguments': arguments})}\n</tool_call>"


def test_prose_where_a_tool_fits_is_a_miss():
    _, result = grade("It is 18 degrees and sunny in Paris.", TOOLS, DEMO_ANSWER)
    assert result.ok is False and "prose" in result.reason and "get_current_weather" in result.reason


def test_expected_call_is_a_hit_and_wrong_values_or_tools_miss():
    assert grade(_call("get_current_weather", city="Paris", unit="celsius"), TOOLS, DEMO_ANSWER)[1].ok is True
    wrong_unit = grade(_call("get_current_weather", city="Paris", unit="fahrenheit"), TOOLS, DEMO_ANSWER)[1]
    assert wrong_unit.ok is False and wrong_unit.reason.startswith("miss: value_error")
    wrong_tool = grade(_call("get_forecast", city="Paris", days=1), TOOLS, DEMO_ANSWER)[1]
    assert wrong_tool.ok is False and "miss:" in wrong_tool.reason


def test_custom_query_without_answer_cannot_call_prose_ok():
    verdict, result = grade("Sunny.", TOOLS, None)
    assert verdict.calls == [] and result.ok is None and "a miss if" in result.reason
    _, schema_error = grade(_call("get_forecast", city="Paris", days="two"), TOOLS, None)
    assert schema_error.ok is False


def _stage(run, name: str, started: str, status: str = "complete", adapter: bool = True) -> None:
    folder = run / name
    (folder / "adapter").mkdir(parents=True)
    if adapter:
        (folder / "adapter" / "adapter_config.json").write_text("{}")
    outputs = {"adapter": f"elsewhere/{name}/adapter"}  # recorded relative to another cwd: not used
    (folder / "manifest.json").write_text(json.dumps({"status": status, "started": started, "outputs": outputs}))


def test_trained_adapter_is_the_last_complete_stage(tmp_path):
    assert trained_adapter(tmp_path / "missing") is None
    _stage(tmp_path, "sft", "2026-12-01T10:00:00")
    _stage(tmp_path, "rl", "2026-12-01T11:00:00", status="running")
    _stage(tmp_path, "evolve", "2026-12-01T12:00:00", adapter=False)
    (tmp_path / "eval_final").mkdir()
    (tmp_path / "eval_final" / "manifest.json").write_text("{not json")
    assert trained_adapter(tmp_path) == tmp_path / "sft" / "adapter"
    _stage(tmp_path, "sft2", "2026-12-01T13:00:00")
    assert trained_adapter(tmp_path) == tmp_path / "sft2" / "adapter"


def _save_lora(folder) -> None:
    from peft import LoraConfig, get_peft_model

    from toolgym.models.registry import load_model

    base, _ = load_model("smollm2-135m")
    torch.manual_seed(0)
    lora = get_peft_model(base, LoraConfig(r=4, lora_alpha=64, target_modules=["q_proj", "v_proj"],
                                           init_lora_weights=False))
    lora.save_pretrained(folder)


def test_base_weights_switch_the_adapter_off(tmp_path, smol):
    from toolgym.models.registry import load_model

    _save_lora(tmp_path / "adapter")
    model, tokenizer = load_model("smollm2-135m", adapter=tmp_path / "adapter")
    ids = tokenizer("The capital of France is", return_tensors="pt")
    with torch.inference_mode():
        trained = model(**ids).logits
        with base_weights(model):
            base = model(**ids).logits
        plain = smol[0](**ids).logits
    assert torch.allclose(base, plain, atol=1e-5) and not torch.allclose(trained, plain, atol=1e-3)


def test_demo_shows_base_and_trained_side_by_side(tmp_path, smol):
    run = tmp_path / "runs" / "quickstart"
    _save_lora(run / "sft" / "adapter")
    (run / "sft" / "manifest.json").write_text(json.dumps({"status": "complete", "started": "2026-12-01T10:00:00",
                                                           "outputs": {"adapter": "runs/quickstart/sft/adapter"}}))
    result = runner.invoke(app, ["demo", "--run", str(run), "--max-new-tokens", "8"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "base smollm2-135m" in result.output and "trained smollm2-135m" in result.output
    assert "verdict" in result.output and "ok (no call to check)" not in result.output
    base_only = runner.invoke(app, ["demo", "--run", str(tmp_path / "none"), "--max-new-tokens", "8"],
                              terminal_width=200)
    assert base_only.exit_code == 0 and "base model only" in base_only.output
    assert "trained smollm2-135m" not in base_only.output
