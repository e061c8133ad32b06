"""models.commands: `toolgym models fetch/list`, `toolgym demo`, `toolgym call`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from toolgym.cli import app
from toolgym.core.errors import InputError
from toolgym.models.commands import load_tools_file
from toolgym.models.demo import WEATHER_TOOLS

runner = CliRunner()


def test_tools_file_errors_name_file_record_and_field(tmp_path):
    missing = tmp_path / "missing.json"
    with pytest.raises(InputError, match="missing.json: file not found"):
        load_tools_file(missing)
    broken = tmp_path / "broken.json"
    broken.write_text('[{"type": "function",')
    with pytest.raises(InputError, match=r"broken.json: not valid JSON: .* line 1"):
        load_tools_file(broken)
    bad_type = tmp_path / "bad.json"
    tools = json.loads(json.dumps(WEATHER_TOOLS))
    tools[1]["function"]["parameters"]["properties"]["days"]["type"] = "integr"
    bad_type.write_text(json.dumps(tools))
    with pytest.raises(InputError) as info:
        load_tools_file(bad_type)
    msg = str(info.value)
    assert "bad.json" in msg and "record 1" in msg and "parameters.properties.days" in msg and "\n" not in msg
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"tools": WEATHER_TOOLS}))
    assert [t.name for t in load_tools_file(good)] == ["get_current_weather", "get_forecast"]


def test_models_list_and_fetch(smol):
    listed = runner.invoke(app, ["models", "list"])
    assert listed.exit_code == 0 and "smollm2-135m" in listed.output
    fetched = runner.invoke(app, ["models", "fetch", "SmolLM2-135M-Instruct"])
    assert fetched.exit_code == 0, fetched.output
    assert "bcc81830d10ce7d9" in fetched.output.replace("\n", "")


def test_demo_prints_output_parse_and_verdict(smol, tmp_path):
    result = runner.invoke(app, ["demo", "--run", str(tmp_path), "--max-new-tokens", "12"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "output" in result.output and "calls" in result.output and "verdict" in result.output
    assert "hit: the expected call" in result.output or "miss" in result.output


def test_call_with_tools_file(smol, tmp_path):
    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps(WEATHER_TOOLS[:1]))
    result = runner.invoke(app, ["call", "--tools", str(tools), "--max-new-tokens", "12", "--fmt", "json",
                                 "Weather in Oslo?"])
    assert result.exit_code == 0, result.output
    assert "verdict:" in result.output
