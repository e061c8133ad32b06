"""data.interop: public tool-calling formats in and out of toolgym records.

The sample rows follow each format's public documentation: TRL / transformers tool-calling messages, the
LLaMA-Factory ShareGPT layout (data/README.md, glaive_toolcall), the xLAM function-calling-60k card (its first
row) and the ToolACE card (tool list inside the system prompt, `[func(a=1)]` calls).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from toolgym.cli import main
from toolgym.core.errors import InputError
from toolgym.data import interop
from toolgym.data.io import iter_jsonl, write_jsonl
from toolgym.data.xlam_schema import params_to_schema, schema_to_params

WEATHER = {"name": "get_weather", "description": "Current weather of a city.",
           "parameters": {"type": "object", "properties": {
               "city": {"type": "string", "description": "City name."},
               "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}}
TIME = {"name": "get_time", "description": "Local time of a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}

OPENAI_ROWS = [
    {"messages": [{"role": "user", "content": "What's the weather in Paris?"},
                  {"role": "assistant", "tool_calls": [
                      {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]}],
     "tools": [{"type": "function", "function": WEATHER}]},
    {"messages": [{"role": "system", "content": "You are a helpful assistant."},
                  {"role": "user", "content": "Weather and time in Rome, in fahrenheit?"},
                  {"role": "assistant", "content": None, "tool_calls": [
                      {"id": "call_1", "type": "function",
                       "function": {"name": "get_weather", "arguments": '{"city": "Rome", "unit": "fahrenheit"}'}},
                      {"id": "call_2", "type": "function",
                       "function": {"name": "get_time", "arguments": '{"city": "Rome"}'}}]},
                  {"role": "tool", "tool_call_id": "call_1", "name": "get_weather", "content": '{"temp": 75}'},
                  {"role": "tool", "tool_call_id": "call_2", "name": "get_time", "content": '{"time": "14:05"}'},
                  {"role": "assistant", "content": "It is 75F and 14:05 in Rome."}],
     "tools": [{"type": "function", "function": WEATHER}, {"type": "function", "function": TIME}]},
    {"messages": [{"role": "user", "content": "Tell me a joke."},
                  {"role": "assistant", "content": "Why did the function return early? It had no arguments."}],
     "tools": [{"type": "function", "function": WEATHER}]},
]

SHAREGPT_ROWS = [
    {"conversations": [
        {"from": "human", "value": "What's the weather in Oslo?"},
        {"from": "function_call", "value": '{"name": "get_weather", "arguments": {"city": "Oslo"}}'},
        {"from": "observation", "value": '{"temp": 3, "sky": "snow"}'},
        {"from": "gpt", "value": "It is 3 degrees and snowing in Oslo."}],
     "system": "You are a weather assistant.", "tools": json.dumps([WEATHER, TIME])},
    {"conversations": [
        {"from": "human", "value": "Time in Lima and in Quito?"},
        {"from": "function_call", "value": json.dumps([{"name": "get_time", "arguments": {"city": "Lima"}},
                                                        {"name": "get_time", "arguments": {"city": "Quito"}}])}],
     "tools": json.dumps([TIME])},
]

# the first row of Salesforce/xlam-function-calling-60k (a JSON array file; tools and answers are JSON text)
XLAM_ROWS = [
    {"id": 0, "query": "Where can I find live giveaways for beta access and games?",
     "answers": json.dumps([{"name": "live_giveaways_by_type", "arguments": {"type": "beta"}},
                            {"name": "live_giveaways_by_type", "arguments": {"type": "game"}}]),
     "tools": json.dumps([{"name": "live_giveaways_by_type",
                           "description": "Retrieve live giveaways from the GamerPower API based on the specified type.",
                           "parameters": {"type": {"description": "The type of giveaways to retrieve (e.g., game, "
                                                                  "loot, beta).", "type": "str", "default": "game"}}}])},
    {"id": 1, "query": "Sum of the list [1, 2, 3], then the 10th Fibonacci number.",
     "answers": json.dumps([{"name": "sum_list", "arguments": {"numbers": [1, 2, 3]}},
                            {"name": "fibonacci", "arguments": {"n": 10}}]),
     "tools": json.dumps([
         {"name": "sum_list", "description": "Sums a list of integers.",
          "parameters": {"numbers": {"description": "The numbers.", "type": "List[int]"}}},
         {"name": "fibonacci", "description": "The n-th Fibonacci number.",
          "parameters": {"n": {"description": "Position.", "type": "int"},
                         "memo": {"description": "Use memoization.", "type": "bool, optional", "default": True}}}])},
    {"id": 2, "query": "What is the meaning of life?", "answers": "[]",
     "tools": json.dumps([{"name": "fibonacci", "description": "The n-th Fibonacci number.",
                           "parameters": {"n": {"description": "Position.", "type": "int"}}}])},
]

TOOLACE_TOOLS = [{"name": "newAddress", "description": "Generates a new Ethereum address for the user.",
                  "parameters": {"type": "dict", "properties": {
                      "password": {"description": "Password for the new address.", "type": "string"},
                      "count": {"description": "How many.", "type": "integer"}}, "required": ["password"]},
                  "required": None}]
TOOLACE_ROWS = [
    {"system": "You are an expert in composing functions. You are given a question and a set of possible "
               "functions.\nHere is a list of functions in JSON format that you can invoke:\n"
               + json.dumps(TOOLACE_TOOLS) + ". Should you decide to return the function call(s), put them in the "
               "format of [func1(params_name=params_value, params_name2=params_value2...), func2(params)]\n",
     "conversations": [
         {"from": "user", "value": "Create two new Ethereum addresses with password 'x1\"y'."},
         {"from": "assistant", "value": '[newAddress(password="x1\\"y", count=2)]'},
         {"from": "tool", "value": '[{"name": "newAddress", "results": {"address": "0xabc"}}]'},
         {"from": "assistant", "value": "Your new address is 0xabc."}]},
    {"system": "Here is a list of functions in JSON format that you can invoke:\n" + json.dumps(TOOLACE_TOOLS),
     "conversations": [{"from": "user", "value": "New address, password hunter2."},
                       {"from": "assistant", "value": "[newAddress(password='hunter2')]"}]},
]

LAYOUT_ROWS = {"openai": OPENAI_ROWS, "sharegpt": SHAREGPT_ROWS, "xlam": XLAM_ROWS, "toolace": TOOLACE_ROWS}


def write_rows(path: Path, rows: list[dict[str, Any]]) -> Path:
    if path.suffix == ".json":
        path.write_text(json.dumps(rows, indent=1))
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def sample_file(tmp_path: Path, layout: str) -> Path:
    suffix = ".json" if layout in ("xlam", "sharegpt") else ".jsonl"  # both as their releases ship them
    return write_rows(tmp_path / f"{layout}_rows{suffix}", LAYOUT_ROWS[layout])


def records(folder: Path) -> list[dict[str, Any]]:
    return [r for name in ("train.jsonl", "trajectories.jsonl") if (folder / name).is_file()
            for _, r in iter_jsonl(folder / name)]


def imported(tmp_path: Path, layout: str, name: str) -> list[dict[str, Any]]:
    interop.import_data(sample_file(tmp_path, layout), layout, tmp_path / name)
    return records(tmp_path / name)


def invoke(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


# ------------------------------------------------------------------------------------------------ mapping

def test_openai_rows_become_single_step_and_trajectory_records(tmp_path):
    result = interop.import_data(sample_file(tmp_path, "openai"), "openai", tmp_path / "ds")
    assert result.files == {"train.jsonl": 2, "trajectories.jsonl": 1} and result.stats.bad == 0
    train = [r for _, r in iter_jsonl(tmp_path / "ds" / "train.jsonl")]
    first, joke = train
    assert first["type"] == "single" and first["id"] == "openai_rows-1"
    assert first["messages"] == [{"role": "user", "content": "What's the weather in Paris?"}]
    assert first["gold"] == [{"name": "get_weather", "arguments": {"city": "Paris"}}]
    assert joke["type"] == "no_tool" and joke["gold"] == [] and joke["messages"][-1]["role"] == "assistant"
    (traj,) = [r for _, r in iter_jsonl(tmp_path / "ds" / "trajectories.jsonl")]
    assert traj["type"] == "trajectory" and len(traj["messages"]) == 6
    assert traj["messages"][2]["tool_calls"][0]["function"]["arguments"] == {"city": "Rome", "unit": "fahrenheit"}
    assert traj["meta"] == {"source": "openai"}
    manifest = json.loads((tmp_path / "ds" / "manifest.json").read_text())
    assert manifest["imported"]["format"] == "openai" and manifest["bad_rows"] == 0


def test_sharegpt_xlam_and_toolace_rows(tmp_path):
    share = imported(tmp_path, "sharegpt", "s")
    assert [r["type"] for r in share] == ["parallel", "trajectory"]
    assert share[1]["messages"][0] == {"role": "system", "content": "You are a weather assistant."}
    assert [c["arguments"]["city"] for c in share[0]["gold"]] == ["Lima", "Quito"]

    xlam = imported(tmp_path, "xlam", "x")
    assert [r["id"] for r in xlam] == ["0", "1", "2"]
    assert [r["type"] for r in xlam] == ["parallel", "parallel_multiple", "no_tool"]
    params = xlam[0]["tools"][0]["function"]["parameters"]
    assert params["properties"]["type"]["type"] == "string" and "required" not in params  # has a default
    fib = xlam[1]["tools"][1]["function"]["parameters"]
    assert fib["required"] == ["n"] and fib["properties"]["memo"]["default"] is True
    assert xlam[1]["tools"][0]["function"]["parameters"]["properties"]["numbers"]["items"] == {"type": "integer"}

    single, traj = imported(tmp_path, "toolace", "t")
    assert single["gold"] == [{"name": "newAddress", "arguments": {"password": "hunter2"}}]
    assert single["messages"][0] == {"role": "system", "content": interop.TOOLACE_INTRO}  # the list cut out
    tool = traj["tools"][0]["function"]
    assert tool["parameters"]["type"] == "object" and tool["required"] is None  # BFCL dialect, extra keys kept
    assert traj["messages"][2]["tool_calls"][0]["function"]["arguments"] == {"password": 'x1"y', "count": 2}
    assert "invoke:\n. Should you" in traj["messages"][0]["content"]  # the list is cut out of the system text


def test_xlam_parameter_docs_round_trip_exactly():
    docs = {"type": {"description": "d", "type": "str", "default": "game"}, "n": {"type": "int"},
            "xs": {"type": "List[int]", "description": "numbers"}, "flag": {"type": "bool, optional"},
            "any": {"type": "Any"}, "odd": {"type": "Union[int, str]"}, "m": {"type": "dict", "default": {}}}
    assert schema_to_params(params_to_schema(docs)) == docs
    schema = {"type": "object", "properties": {"q": {"type": "string"}, "k": {"type": "integer"}}, "required": ["q"]}
    assert params_to_schema(schema_to_params(schema)) == schema  # plain schemas need no annotation
    assert schema_to_params({**schema, "additionalProperties": False}) is None  # kept as JSON Schema instead


# ------------------------------------------------------------------------------------------------ round trips

@pytest.mark.parametrize("layout", interop.LAYOUTS)
def test_import_export_import_is_lossless(tmp_path, layout):
    interop.import_data(sample_file(tmp_path, layout), layout, tmp_path / "a")
    out = tmp_path / f"out_{layout}.jsonl"
    exported = interop.export_data(tmp_path / "a", layout, out)
    assert exported.stats.bad == 0
    interop.import_data(out, layout, tmp_path / "b")
    assert records(tmp_path / "b") == records(tmp_path / "a") != []


@pytest.mark.parametrize("fmt", ["hf", "parquet"])
@pytest.mark.parametrize("layout", interop.LAYOUTS)
def test_datasets_round_trips(tmp_path, fmt, layout):
    interop.import_data(sample_file(tmp_path, layout), layout, tmp_path / "a")
    out = tmp_path / ("hf_out" if fmt == "hf" else "out.parquet")
    interop.export_data(tmp_path / "a", fmt, out, rows=layout)
    interop.import_data(out, fmt, tmp_path / "b")
    assert records(tmp_path / "b") == records(tmp_path / "a")


def test_datasets_rows_of_any_layout_and_toolgym_records(tmp_path):
    import datasets

    toolgym_rows = imported(tmp_path, "openai", "a")
    arrow_rows = [{**r, "tools": json.dumps(r["tools"]), "gold": json.dumps(r["gold"]), "meta": json.dumps(r["meta"]),
                   "messages": [{**m, **({"tool_calls": [{**c, "function": {**c["function"], "arguments": json.dumps(
                       c["function"]["arguments"])}} for c in m["tool_calls"]]} if m.get("tool_calls") else {})}
                                for m in r["messages"]]} for r in toolgym_rows]
    datasets.Dataset.from_list(arrow_rows).save_to_disk(str(tmp_path / "tg"))
    interop.import_data(tmp_path / "tg", "hf", tmp_path / "b")
    assert records(tmp_path / "b") == toolgym_rows
    # a DatasetDict of xLAM rows, as `load_dataset(...).save_to_disk` writes it
    datasets.DatasetDict({"train": datasets.Dataset.from_list(XLAM_ROWS)}).save_to_disk(str(tmp_path / "dd"))
    interop.import_data(tmp_path / "dd", "hf", tmp_path / "c")
    assert records(tmp_path / "c") == imported(tmp_path, "xlam", "d")
    # a parquet file whose tools are Arrow structs (schemas merged, missing keys as null) and arguments JSON text
    plain = [{"messages": r["messages"][:1] + [{"role": "assistant", "content": None, "tool_calls": [
        {"type": "function", "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])}}
        for c in r["gold"]]}], "tools": r["tools"]} for r in toolgym_rows if r["gold"]]
    datasets.Dataset.from_list(plain).to_parquet(str(tmp_path / "p.parquet"))
    interop.import_data(tmp_path / "p.parquet", "parquet", tmp_path / "e")
    (got,) = records(tmp_path / "e")
    assert got["tools"] == toolgym_rows[0]["tools"] and got["gold"] == toolgym_rows[0]["gold"]


def test_synthetic_records_export_and_import_keep_messages_tools_and_gold(tmp_path):
    from toolgym.data.synth import write_dataset

    write_dataset(tmp_path / "syn", n=24, seed=3, n_test=2)
    interop.export_data(tmp_path / "syn", "openai", tmp_path / "syn.jsonl")
    interop.import_data(tmp_path / "syn.jsonl", "openai", tmp_path / "back")
    before = {r["id"]: r for r in records(tmp_path / "syn")}
    after = records(tmp_path / "back")
    assert len(after) == len(before) == 24
    for record in after:
        original = before[record["id"]]
        assert record["tools"] == original["tools"] and record["gold"] == original["gold"]
        n = len(original["messages"])
        assert record["messages"][:n] == original["messages"]  # plus the no-call answer, when there is one


def test_export_skips_what_the_format_cannot_hold(tmp_path):
    interop.import_data(sample_file(tmp_path, "openai"), "openai", tmp_path / "a")
    result = interop.export_data(tmp_path / "a", "xlam", tmp_path / "x.jsonl")
    assert result.files == {str(tmp_path / "x.jsonl"): 1} and result.stats.bad == 2  # a text answer, a trajectory
    assert all("field messages: an xLAM row holds one user query" in e for e in result.stats.errors)
    assert "record openai_rows-3" in result.stats.errors[0]
    with pytest.raises(InputError, match="record openai_rows-3, field messages"):
        interop.export_data(tmp_path / "a", "xlam", tmp_path / "x.jsonl", strict=True)


# ------------------------------------------------------------------------------------------------ bad rows, CLI

BAD_OPENAI = [
    OPENAI_ROWS[0],
    {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": [
        {"type": "function", "function": {"name": "get_weather", "arguments": "{city: Paris}"}}]}], "tools": []},
    {"messages": [{"role": "robot", "content": "x"}]},
    {"messages": [{"role": "user", "content": "x"}],
     "tools": [{"type": "function", "function": {"name": "f", "parameters": {
         "type": "object", "properties": {}, "required": ["q"]}}}]},
]


def test_bad_rows_are_counted_and_skipped_with_one_line_each(tmp_path, capsys):
    path = write_rows(tmp_path / "bad.jsonl", BAD_OPENAI)
    with (tmp_path / "bad.jsonl").open("a") as fh:
        fh.write("{not json\n")
    code, out, err = invoke(["data", "import", "openai", str(path), "--out", str(tmp_path / "ds")], capsys)
    assert code == 0, err
    assert "1 rows imported" in out and "4 bad rows skipped" in out
    lines = err.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith(f"skipped: file {path}, record ") for line in lines)
    assert "record 2, field messages[1].tool_calls[0].arguments: arguments of 'get_weather' are not valid JSON" in err
    assert "record 3, field messages[0].role: role must be one of" in err
    assert "record 4, field tools[0].parameters.required[0]: tool 'f': required parameter 'q' is not in properties" in err
    assert "record 5: not valid JSON" in err
    assert len(records(tmp_path / "ds")) == 1


def test_strict_import_stops_with_one_line_error(tmp_path, capsys):
    path = write_rows(tmp_path / "bad.jsonl", BAD_OPENAI)
    code, _, err = invoke(["--strict", "data", "import", "openai", str(path), "--out", str(tmp_path / "ds")], capsys)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"error: file {path}, record 2, field messages[1].tool_calls[0].arguments")


@pytest.mark.parametrize(("argv", "needle"), [
    (["data", "import", "csv", "x", "--out", "o"], "field FORMAT: unknown format 'csv'"),
    (["data", "import", "xlam", "/nope.json", "--out", "o"], "file /nope.json: no such file or folder"),
    (["data", "export", "toolgym", ".", "--out", "o"], "unknown format 'toolgym'"),
    (["data", "export", "hf", ".", "--out", "o", "--rows", "hf"], "field --rows: unknown format 'hf'"),
])
def test_bad_arguments_are_one_line_errors(argv, needle, capsys):
    code, _, err = invoke(argv, capsys)
    assert code == 2 and err.count("\n") == 1 and needle in err, err


def test_bad_rows_in_each_layout_name_the_field(tmp_path):
    cases = {
        "sharegpt": ({"conversations": [{"from": "human", "value": "x"}, {"from": "function_call", "value": "[1]"}]},
                     "field conversations[1].value[0]"),
        "xlam": ({"query": "x", "tools": json.dumps([{"name": "f", "parameters": {"a": "int"}}]), "answers": "[]"},
                 "field tools[0].parameters.a: a parameter doc must be an object"),
        "toolace": ({"system": "", "conversations": [{"from": "user", "value": "x"},
                                                     {"from": "assistant", "value": "[f(1, 2)]"}]},
                    "field conversations[1].value: reads like python calls"),
    }
    for layout, (row, needle) in cases.items():
        path = write_rows(tmp_path / f"{layout}.jsonl", [row])
        with pytest.raises(InputError, match=None) as exc:
            list(interop.import_records(path, layout, strict=True))
        assert f"file {path}, record 1, {needle}" in str(exc.value), str(exc.value)


def test_cli_export_and_decontam_on_an_imported_folder(tmp_path, capsys):
    path = sample_file(tmp_path, "xlam")
    assert invoke(["data", "import", "xlam", str(path), "--out", str(tmp_path / "ds")], capsys)[0] == 0
    code, out, _ = invoke(["data", "export", "sharegpt", str(tmp_path / "ds"), "--out", str(tmp_path / "s.json")],
                          capsys)
    assert code == 0 and "3 rows written" in out
    assert len(json.loads((tmp_path / "s.json").read_text())) == 3  # a JSON array, as LLaMA-Factory reads it
    code, out, err = invoke(["data", "decontam", str(tmp_path / "ds")], capsys)
    assert code == 0, err
    assert "dataset" in out and "exact_question_overlap" in out
    code, out, err = invoke(["data", "decontam", str(path), "--format", "xlam"], capsys)
    assert code == 0 and "xlam" in out, err


# ------------------------------------------------------------------------------------------------ recipes

def _recipe(tmp_path: Path, extra: str) -> Path:
    base = tmp_path / "base"
    write_jsonl(base / "train.jsonl", [{"id": "syn-1", "type": "single", "messages": [
        {"role": "user", "content": "Weather in Bern?"}], "tools": [{"type": "function", "function": WEATHER}],
        "gold": [{"name": "get_weather", "arguments": {"city": "Bern"}}]}])
    write_jsonl(base / "dev.jsonl", [])
    path = tmp_path / "r.yaml"
    path.write_text(f"name: r\noutput_dir: {tmp_path / 'runs'}\ndata:\n  path: {base}\n  extra:\n{extra}"
                    "eval:\n  baseline: false\n  categories: [irrelevance]\n"
                    "stages:\n  - kind: sft\n    tasks: {invocation: 1.0, trajectory: 1.0}\n")
    return path


def test_recipe_data_extra_feeds_training_and_a_change_retrains(tmp_path, monkeypatch):
    import toolgym.recipes.runner as runner
    import toolgym.recipes.stages as stages
    from toolgym.data.tasks import build_examples
    from toolgym.recipes.spec import load_recipe
    from toolgym.recipes.training import stage_records

    fed: list[list[dict[str, Any]]] = []

    def run_stage(stage: Any, inputs: dict[str, Any], out_dir: Path, seed: int) -> dict[str, Any]:
        fed.append(stage_records(Path(inputs["data_dir"]), stage.config.tasks))
        return {"metrics": {}}

    monkeypatch.setattr(stages, "run_stage", run_stage)
    monkeypatch.setattr(runner, "_evaluate", lambda state, step_dir, baseline=False: {"metrics": {"x": 1.0}})
    monkeypatch.setattr(runner, "write_report", lambda run_dir, *a, **k: _report(run_dir))
    xlam, openai = sample_file(tmp_path, "xlam"), sample_file(tmp_path, "openai")
    interop.import_data(openai, "openai", tmp_path / "imported")
    path = _recipe(tmp_path, f"    - {{path: {xlam}, format: xlam}}\n    - {{path: {tmp_path / 'imported'}}}\n")
    runner.execute(load_recipe(path))
    ids = [r["id"] for r in fed[0]]
    assert ids == ["syn-1", "0", "1", "2", "openai_rows-1", "openai_rows-3", "openai_rows-2"]
    examples, build = build_examples(fed[0], {"invocation": 1.0, "trajectory": 1.0})
    assert build.bad_records == 0 and build.examples["trajectory"] == 1 and build.examples["invocation"] == 7
    assert (tmp_path / "runs" / "r" / "data" / "merged" / "dev.jsonl").is_file()  # suites stay beside train
    merged = json.loads((tmp_path / "runs" / "r" / "data" / "manifest.json").read_text())["outputs"]["merged"]
    assert merged["decontam"]["questions"] == 6 and merged["decontam"]["ngram_n"] == 8  # the imported rows' user turns

    runner.execute(load_recipe(path))
    assert len(fed) == 1  # unchanged: the stage is skipped
    rows = json.loads(xlam.read_text())
    rows[2]["query"] = "What is the capital of Peru?"
    xlam.write_text(json.dumps(rows))
    runner.execute(load_recipe(path))
    assert len(fed) == 2 and fed[1][3]["messages"][0]["content"] == "What is the capital of Peru?"


def test_recipe_data_extra_is_validated(tmp_path):
    from toolgym.recipes.spec import load_recipe

    with pytest.raises(InputError, match=r"record data, field extra\[0\]\.format: unknown data format 'xlm'; "
                                         r"did you mean 'xlam'"):
        load_recipe(_recipe(tmp_path, "    - {path: x.json, format: xlm}\n"))
    with pytest.raises(InputError, match=r"field extra\[0\]\.fromat: unknown key 'fromat'; did you mean 'format'"):
        load_recipe(_recipe(tmp_path, "    - {path: x.json, fromat: xlam}\n"))
    with pytest.raises(InputError, match=r"field extra\[0\]\.path: no such file or folder"):
        load_recipe(_recipe(tmp_path, f"    - {{path: {tmp_path / 'missing.json'}, format: xlam}}\n"))


def test_recipes_without_extra_keep_their_data_hash(tmp_path):
    import toolgym.recipes.runner as runner
    from toolgym.recipes.manifest import config_hash
    from toolgym.recipes.spec import load_recipe

    path = tmp_path / "r.yaml"
    path.write_text("name: r\ndata:\n  n: 10\n")
    from dataclasses import asdict

    from toolgym.recipes.spec import DataSpec

    # DataSpec before `extra` and the later synthesis keys (off: the stream is unchanged)
    later = {"extra", *runner.LATER_DATA_KEYS}
    before = {k: v for k, v in asdict(DataSpec(n=10)).items() if k not in later}
    assert config_hash(runner._data_config(load_recipe(path))) == config_hash({"data": before, "seed": 0})


def _report(run_dir: Path) -> Path:
    (run_dir / "report.md").write_text("report\n")
    return run_dir / "report.md"


def test_merged_imports_are_checked_against_bfcl(tmp_path):
    """A BFCL question in imported data is counted and named (the openai sample's "Tell me a joke" and its
    get_weather tool are BFCL's too: live_irrelevance asks the one, BFCL documents the other)."""
    from toolgym.data.decontam import bfcl_questions, normalize_text, overlap_line

    base = tmp_path / "base"
    write_jsonl(base / "train.jsonl", [])
    rows = [{**LAYOUT_ROWS["xlam"][0], "query": bfcl_questions()[0]}]
    report = interop.write_merged(base, [(str(write_rows(tmp_path / "leak.json", rows)), "xlam")],
                                  tmp_path / "out")["decontam"]
    assert report["questions"] == 1 and report["exact_question_overlap"] == 1
    assert report["exact_question_examples"] == [normalize_text(bfcl_questions()[0])]
    line = overlap_line(report, "data.extra")
    assert "\n" not in line and line.startswith("data.extra vs BFCL: 1 exact question")
    assert "WARNING: BFCL is the test set" in line
    clean = {**report, "exact_question_overlap": 0, "exact_question_examples": [], "exact_name_overlap": 0,
             "exact_name_examples": []}
    assert "WARNING" not in overlap_line(clean, "data.extra")


def test_a_recipe_trains_on_imported_rows(tmp_path, monkeypatch):
    """`data.extra` rows (two public layouts) through `toolgym run`'s real SFT stage: LoRA on the embedded model,
    2 steps (the evaluation and report are left out: they do not read the training data)."""
    import toolgym.recipes.runner as runner
    from toolgym.recipes.spec import load_recipe

    monkeypatch.setattr(runner, "_evaluate", lambda state, step_dir, baseline=False: {"metrics": {"x": 1.0}})
    monkeypatch.setattr(runner, "write_report", lambda run_dir, *a, **k: _report(run_dir))
    xlam, openai = sample_file(tmp_path, "xlam"), sample_file(tmp_path, "openai")
    path = _recipe(tmp_path, f"    - {{path: {xlam}, format: xlam}}\n    - {{path: {openai}, format: openai}}\n")
    path.write_text(path.read_text().replace("tasks: {invocation: 1.0, trajectory: 1.0}\n",
                                             "tasks: {invocation: 1.0, trajectory: 1.0}\n    max_steps: 2\n"
                                             "    max_tokens_per_batch: 1024\n    learning_rate: 1.0e-3\n"))
    runner.execute(load_recipe(path))
    sft = json.loads((tmp_path / "runs" / "r" / "sft" / "manifest.json").read_text())
    assert sft["status"] == "complete" and sft["metrics"]["steps"] == 2
    assert sft["metrics"]["train_loss"] > 0
    assert (tmp_path / "runs" / "r" / "sft" / "adapter" / "adapter_model.safetensors").is_file()
