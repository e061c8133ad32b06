"""The real entry point (`toolgym.cli.main`, and the installed `toolgym` script): bad input exits 2 with exactly one
line on stderr and never a traceback; arguments are checked before a model, tokenizer or dataset is loaded."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from toolgym.cli import main

TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather.", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


def record(i: int, query: str = "Weather in Paris?") -> dict[str, Any]:
    return {"id": f"s{i}", "type": "single", "messages": [{"role": "user", "content": query}], "tools": [TOOL],
            "gold": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}


def invoke(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def assert_one_line_error(result: tuple[int, str, str], *needles: str) -> str:
    code, _, err = result
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err
    return err


@pytest.fixture(autouse=True)
def no_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading a model, a tokenizer or running a recipe step fails these tests: arguments come first."""
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a model was loaded before the arguments were checked")

    monkeypatch.setattr("toolgym.models.registry.load_model", forbidden)
    monkeypatch.setattr("toolgym.eval.commands._generator", forbidden)
    monkeypatch.setattr("toolgym.data.stats.load_tokenizer", forbidden)
    monkeypatch.setattr("toolgym.recipes.runner.execute", forbidden)


def recipe(tmp_path: Path, text: str) -> str:
    path = tmp_path / "r.yaml"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(("text", "needles"), [
    ("name: x\ndata: foo\n", ("record data", "expected a mapping of keys")),
    ("name: x\nseed: abc\n", ("field seed", "expected int, got 'abc'")),
    ("name: x\ndata:\n  mix: {singel: 1}\n", ("field mix.singel", "did you mean 'single'?")),
    ("name: x\neval: {categories: [simple_python, 7]}\n", ("field categories[1]", "valid string")),
    ("name: x\neval: {categories: [mulitple]}\n", ("field categories", "did you mean 'multiple'?")),
    ("name: x\neval: {suites: [test.jsonl]}\n", ("field suites[0]", "the data step writes no suite")),
    ("name: x\neval: {calibrate: devv.jsonl, baseline: false}\n", ("field calibrate", "did you mean 'dev.jsonl'?")),
    ("name: x\neval: {copy_bias: -2}\n", ("record eval", "field copy_bias", "must be >= 0")),
    ("name: x\neval: {continue_bias: -1}\n", ("record eval", "field continue_bias", "must be >= 0")),
    ("name: x\neval: {next_call_bias: -1}\n", ("record eval", "field next_call_bias", "must be >= 0")),
    ("name: x\neval: {prose_tokens: 0, constrain: true}\n", ("record eval", "field prose_tokens", "must be >= 1")),
    ("name: x\neval: {prose_tokens: 8}\n", ("record eval", "field prose_tokens", "needs constrain: true")),
    ("name: x\ndata: {path: /no/such/folder}\n", ("field path", "no dataset folder")),
    ("name: x\nstages:\n  - kind: sft\n    lora_r: [16]\n", ("stage 'sft', field lora_r", "expected int")),
    ("name: x\nstages:\n  - {kind: sft}\n  - {kind: sft}\n", ("field name", "used twice")),
    ("name: [x\n", ("record line 2", "invalid YAML")),
    ("- a\n- b\n", ("a recipe must be a YAML mapping",)),
])
def test_bad_recipes(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, needles: tuple[str, ...]) -> None:
    path = recipe(tmp_path, text)
    assert_one_line_error(invoke(["run", path], capsys), f"file {path}", *needles)
    assert not (tmp_path / "runs").exists()


def test_recipe_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    assert_one_line_error(invoke(["run", str(path)], capsys), "not UTF-8")


@pytest.mark.parametrize(("override", "needles"), [
    ("data.n=[", ("record --set data.n", "invalid YAML")),
    ("data.n.x=1", ("record --set data.n.x", "declared int, which has no keys")),
    ("name.first=1", ("record --set name.first", "not a mapping")),
    ("sft.lerning_rate=0.1", ("record --set sft.lerning_rate", "did you mean 'learning_rate'?")),
    ("sfft.max_steps=1", ("record --set", "did you mean 'sft'?")),
    ("data", ("is not key=value",)),
])
def test_bad_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str], override: str,
                       needles: tuple[str, ...]) -> None:
    path = recipe(tmp_path, "name: x\nstages:\n  - kind: sft\n")
    assert_one_line_error(invoke(["run", path, "--check", "--set", override], capsys), *needles)


def test_check_validates_a_recipe_without_running_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = recipe(tmp_path, "name: x\nstages:\n  - kind: sft\n    name: main\n")
    code, out, err = invoke(["run", path, "--check", "--set", "main.learning_rate=3e-4"], capsys)
    assert (code, err) == (0, "") and "ok (1 stages: main)" in out


def test_synth_into_an_existing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    existing = tmp_path / "taken"
    existing.write_text("")
    assert_one_line_error(invoke(["data", "synth", "--n", "5", "--out", str(existing)], capsys),
                          "field --out", "not a folder")


def test_usage_errors_are_one_line_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line_error(invoke(["data", "synth", "--n", "abc", "--out", "x"], capsys), "'--n'", "--help")
    assert_one_line_error(invoke(["data", "synth", "--out", "x", "--error-rate", "2"], capsys), "--error-rate")
    assert_one_line_error(invoke(["data", "synth", "--bogus"], capsys), "No such option")


def bad_dataset(folder: Path) -> Path:
    folder.mkdir()
    lines = [json.dumps(record(0)).encode(), b'{"id": "\xff\xfe"}', json.dumps({**record(1), "tools": [TOOL, TOOL]}).encode(),
             json.dumps({**record(2), "messages": [{"role": "robot"}]}).encode(), b"[1, 2"]
    (folder / "train.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    return folder


def test_stats_counts_bad_rows_and_strict_stops_at_the_first(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = bad_dataset(tmp_path / "ds")
    code, out, err = invoke(["data", "stats", str(folder), "--model", ""], capsys)
    assert code == 0 and "Traceback" not in err
    assert "bad records skipped" in out and out.split("bad records skipped")[1].split()[1] == "4"
    assert_one_line_error(invoke(["data", "stats", str(folder), "--model", "", "--strict"], capsys),
                          "record 2: not UTF-8")
    assert_one_line_error(invoke(["--strict", "data", "stats", str(folder), "--model", ""], capsys),
                          "record 2: not UTF-8")


def test_stats_checks_the_folder_before_loading_the_tokenizer(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line_error(invoke(["data", "stats", str(tmp_path / "missing")], capsys), "not a dataset folder")


def test_chat_template_error_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.data.test_stats import FakeTokenizer

    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "train.jsonl").write_text(json.dumps(record(0, "forbidden request")) + "\n")
    monkeypatch.setattr("toolgym.data.stats.load_tokenizer", lambda name: FakeTokenizer())
    code, out, _ = invoke(["data", "stats", str(folder)], capsys)
    assert code == 0 and "prompts the template could not render" in out
    assert_one_line_error(invoke(["--strict", "data", "stats", str(folder)], capsys),
                          "field chat_template: the chat template failed: no such role")


def test_duplicate_tool_names_in_a_tools_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps([TOOL, TOOL]))
    assert_one_line_error(invoke(["call", "hi", "--tools", str(tools)], capsys), "duplicate tool name 'get_weather'")


@pytest.mark.parametrize(("args", "needles"), [
    (["--categories", "simple_pyhton"], ("unknown BFCL category 'simple_pyhton'",)),
    (["--categories", ","], ("names no BFCL category",)),
    (["--format", "xml"], ("field --format", "'xml'")),
    (["--parse", "yaml"], ("field --parse",)),
    (["--dtype", "fp64"], ("field --dtype",)),
    (["--adapter", "/no/such/adapter"], ("field --adapter", "adapter_config.json")),
    (["--from-results", "/no/results.jsonl"], ("field --from-results", "no such file")),
    (["--backend", "tgi"], ("field --backend", "'tgi'", "transformers, vllm")),
    (["--tool-choice", "always"], ("field --tool-choice", "'always'", "auto, required, none")),
    (["--tool-choice", "required"], ("field --tool-choice", "add --constrain")),
    (["--constrain", "--format", "python"], ("field --format", "hermes")),
    (["--copy-bias", "-1"], ("--copy-bias", "greater than or equal to 0")),
    (["--continue-bias", "-1"], ("--continue-bias", "greater than or equal to 0")),
    (["--next-call-bias", "-1"], ("--next-call-bias", "greater than or equal to 0")),
    (["--prose-tokens", "8"], ("field --prose-tokens", "add --constrain")),
    (["--prose-tokens", "0", "--constrain"], ("--prose-tokens", "greater than or equal to 1")),
])
def test_eval_bfcl_checks_arguments_before_the_model(capsys: pytest.CaptureFixture[str], args: list[str],
                                                     needles: tuple[str, ...]) -> None:
    assert_one_line_error(invoke(["eval", "bfcl", *args], capsys), *needles)


@pytest.mark.parametrize("option", [{"copy_bias": 2.0}, {"distinct_calls": True}, {"continue_bias": 1.0},
                                    {"next_call_bias": 1.0}])
def test_decoding_options_name_the_backend_they_need(option: dict) -> None:
    from toolgym.core.errors import InputError
    from toolgym.eval.commands import _policy

    with pytest.raises(InputError, match="--copy-bias, --continue-bias, --next-call-bias, --distinct-calls .* need the "):
        _policy(False, 0.0, "auto", "hermes", "vllm", **option)


VLLM_MISSING = pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vllm is installed here")


@VLLM_MISSING
@pytest.mark.parametrize("command", [["bfcl"], ["multiturn", "--bfcl"], ["robust", "simple_python"]])
def test_vllm_backend_without_vllm_is_one_line(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    assert_one_line_error(invoke(["eval", *command, "--backend", "vllm"], capsys), "field --backend",
                          "needs the 'vllm' package", "pip install 'toolgym[vllm]'")


@VLLM_MISSING
def test_recipe_with_vllm_backend_fails_before_its_first_step(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = recipe(tmp_path, "name: x\neval: {backend: vllm}\n")
    assert_one_line_error(invoke(["run", path], capsys), f"file {path}", "field backend", "'vllm' package")
    typo = recipe(tmp_path, "name: x\neval: {backend: vlm}\n")
    assert_one_line_error(invoke(["run", typo], capsys), "field backend", "did you mean 'vllm'?")


def test_eval_calibrate_checks_arguments_before_the_model(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line_error(invoke(["eval", "calibrate", str(tmp_path / "none.jsonl")], capsys), "no such file")
    suite = tmp_path / "dev.jsonl"
    suite.write_text(json.dumps(record(0)) + "\n")
    assert_one_line_error(invoke(["eval", "calibrate", str(suite), "--dtype", "fp64"], capsys), "field --dtype")


def test_eval_calibrate_from_margins_needs_no_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    margins = tmp_path / "margins.jsonl"
    rows = [{"id": "a", "answerable": True, "margin": 2.0}, {"id": "b", "answerable": False, "margin": 0.5}]
    margins.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, _ = invoke(["eval", "calibrate", "--from-margins", str(margins), "--out", str(tmp_path / "c")], capsys)
    assert code == 0 and "--call-bias -0.5" in out  # between 0.5 and 2.0, nearest 0
    assert json.loads((tmp_path / "c" / "calibration.json").read_text())["auc"] == 1.0
    margins.write_text(json.dumps(rows[0]) + "\n" + json.dumps({"id": "b", "answerable": False}) + "\n")
    assert_one_line_error(invoke(["eval", "calibrate", "--from-margins", str(margins)], capsys),
                          f"file {margins}", "record 2", "field margin")
    assert_one_line_error(invoke(["eval", "calibrate"], capsys), "FILE", "--from-margins")


def test_recipe_decoding_needs_transformers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = recipe(tmp_path, "name: x\neval: {backend: vllm, constrain: true}\n")
    err = invoke(["run", path], capsys)[2]
    assert "Traceback" not in err and err.count("\n") == 1 and "field backend" in err


def test_eval_suite_skips_a_bad_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    suite = tmp_path / "suite.jsonl"
    suite.write_bytes(json.dumps(record(0)).encode() + b"\n\xff\n" + json.dumps(record(1)).encode() + b"\n")
    results = tmp_path / "results.jsonl"
    call = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
    results.write_text("".join(json.dumps({"id": f"s{i}", "raw": call}) + "\n" for i in range(2)))
    code, out, err = invoke(["eval", "suite", str(suite), "--from-results", str(results), "--out",
                             str(tmp_path / "out")], capsys)
    assert code == 0 and "Traceback" not in err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["n"] == 2
    assert_one_line_error(invoke(["eval", "suite", str(tmp_path / "none.jsonl")], capsys), "no such file")
    assert_one_line_error(invoke(["--strict", "eval", "suite", str(suite), "--from-results", str(results),
                                  "--out", str(tmp_path / "out2")], capsys), "record 2: not UTF-8")


def test_eval_suite_reads_its_cases_before_the_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A suite file without one good case fails in one line before a model loads (the fixture forbids it)."""
    suite = tmp_path / "bad.jsonl"
    suite.write_bytes(b"\xff\n{not json\n")
    assert_one_line_error(invoke(["eval", "suite", str(suite)], capsys), f"file {suite}", "no valid records")


def test_installed_script_prints_one_line(tmp_path: Path) -> None:
    """The console script itself (a fresh process, nothing patched): exit 2, one stderr line, no traceback."""
    script = shutil.which("toolgym", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "toolgym.cli"]
    path = recipe(tmp_path, "name: x\ndata:\n  mix: {singel: 1}\n")
    done = subprocess.run([*command, "run", path], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert "did you mean 'single'?" in done.stderr
