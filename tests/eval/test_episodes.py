"""eval.episodes: TL-Training's DE/CE/VA on simulated tools — the metric logic on hand-made episodes, scripted
texts through the real simulator, the gold replay, resume, the registry and `toolgym eval multiturn SUITE`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolgym.cli import main
from toolgym.core.errors import ToolgymError
from toolgym.core.formats import render_calls
from toolgym.data.synth import iter_records
from toolgym.eval.episodes import (
    EpisodeSummary,
    episode_row,
    play,
    run_episode_eval,
    run_episode_reference,
    summarize_episodes,
    verdict,
)
from toolgym.eval.metrics import wilson_interval
from toolgym.eval.registry import get_benchmark
from toolgym.eval.runner import read_results
from toolgym.eval.suites import load_suite_cases

TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather.", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city"]}}}
QUERY = [{"role": "user", "content": "Weather in Paris for 2 days?"}]


def record(i: int, gold: list, kind: str = "single") -> dict:
    return {"id": f"s{i}", "type": kind, "messages": QUERY, "tools": [TOOL], "gold": gold}


def write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


GOLD = [{"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}]


@pytest.fixture()
def suite(tmp_path) -> Path:
    return write(tmp_path / "suite.jsonl", [record(0, GOLD), record(1, [], "no_tool")])


def call_turn(i: int, name: str, arguments: dict) -> list[dict]:
    return [{"role": "assistant", "content": None, "raw": "...", "tool_calls": [
        {"id": f"c{i}", "type": "function", "function": {"name": name, "arguments": arguments}}]}]


def tool(i: int, content: str) -> dict:
    return {"role": "tool", "tool_call_id": f"c{i}", "name": "get_weather", "content": content}


# ------------------------------------------------------------------------------------------- metric logic
def test_verdict_rules() -> None:
    ok = [{"name": "get_weather", "category": None}]
    failed = [{"name": "get_weather", "category": "wrong_type"}]
    assert verdict(ok, "answer", "Sunny.", ["get_weather"]) == (True, None)
    assert verdict(failed, "answer", "Sunny.", ["get_weather"]) == (False, "gold_tool_not_called")
    assert verdict(ok, "answer", "  ", ["get_weather"]) == (False, "empty_answer")
    assert verdict(ok, "turn_cap", None, ["get_weather"]) == (False, "turn_cap")
    assert verdict([], "unparsable", None, []) == (False, "unparsable")
    assert verdict([], "answer", "No tool fits.", []) == (True, None)
    assert verdict(ok, "answer", "No tool fits.", []) == (False, "called_without_need")


def test_hand_made_episode_counts_doc_and_other_errors(suite) -> None:
    """Hallucinated tool and missing parameter are DE, a wrong type is CE; the answer after the good call is valid."""
    case, no_call = load_suite_cases(suite)
    played = [*call_turn(0, "get_forecast", {"city": "Paris"}),
              tool(0, "NameError: name 'get_forecast' is not defined"),
              *call_turn(1, "get_weather", {"days": 2}),
              tool(1, "TypeError: get_weather() missing 1 required positional argument: 'city'"),
              *call_turn(2, "get_weather", {"city": "Paris", "days": "2"}),
              tool(2, "TypeError: get_weather() argument 'days' must be int, not str"),
              *call_turn(3, "get_weather", {"city": "Paris", "days": 2}),
              tool(3, '{"forecast": "sunny"}'),
              {"role": "assistant", "content": "Sunny for two days.", "raw": "Sunny for two days."}]
    row = episode_row(case, {"messages": [*case.messages, *played]})
    assert (row["valid"], row["ended"], row["n_turns"], row["n_calls"]) == (True, "answer", 5, 4)
    assert (row["doc_errors"], row["other_errors"]) == (2, 1)
    assert [c["category"] for t in row["turns"] for c in t["calls"]] == \
        ["tool_hallucination", "parameter_missing", "wrong_type", None]
    capped = episode_row(case, {"messages": [*case.messages, *played[:4]]})
    assert (capped["valid"], capped["verdict"]) == (False, "turn_cap")
    answered = episode_row(no_call, {"messages": [*no_call.messages, {"role": "assistant", "content": "I can't."}]})
    assert answered["valid"] and answered["n_calls"] == 0

    summary = summarize_episodes([row, capped, answered], "hand-made")
    overall = summary.rates["overall"]
    assert (overall.episodes, overall.calls, overall.doc_errors, overall.other_errors) == (3, 6, 4, 1)
    assert summary.aggregates == {"de": 4 / 6, "ce": 1 / 6, "va": 2 / 3}
    assert summary.intervals["de"] == wilson_interval(4, 6) and summary.intervals["va"] == wilson_interval(2, 3)
    assert summary.rates["no_tool"].de is None and summary.error_types == {"turn_cap": 1}
    assert summary.error_categories == {"tool_hallucination": 2, "parameter_missing": 2, "wrong_type": 1}
    assert "| overall | 3 | 6 | 66.67 |" in summary.markdown()


def test_scripted_texts_get_the_simulators_error_feedback(tmp_path, suite) -> None:
    """Texts through decode → simulator → feedback: the real error texts are classified per call; a malformed
    fragment beside a good call and an unreadable call are CE (`unparsable`)."""
    script = {"s0": [render_calls([{"name": "get_weather", "arguments": {"city": "Paris", "units": "C"}}]),
                     render_calls([{"name": "get_weather", "arguments": {"city": "Paris", "days": "2"}}]),
                     render_calls(GOLD) + "\n<tool_call>{oops</tool_call>", "Sunny."],
              "s1": ["<tool_call>{not json</tool_call>"]}

    def respond(episodes):
        return [script[e.record["id"]][e.turns] for e in episodes]

    summary = play(load_suite_cases(suite), tmp_path / "out", respond, identity={"outputs": "script"},
                   parse="hermes", progress=False)
    rows = {r["id"]: r for r in read_results(tmp_path / "out" / "results.jsonl")}
    calls = [c for t in rows["s0"]["turns"] for c in t["calls"]]
    assert [c["category"] for c in calls] == ["parameter_hallucination", "wrong_type", None, "unparsable"]
    assert "unexpected keyword argument 'units'" in calls[0]["feedback"] and rows["s0"]["valid"]
    assert (rows["s1"]["ended"], rows["s1"]["valid"], rows["s1"]["other_errors"]) == ("unparsable", False, 1)
    assert summary.aggregates == {"de": 1 / 5, "ce": 3 / 5, "va": 1 / 2}
    assert isinstance(summary, EpisodeSummary)
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["rates"]["overall"]["calls"] == 5


# ------------------------------------------------------------------------------------------- the gold replay
@pytest.mark.parametrize("fmt", ["hermes", "python"])
def test_reference_replay_scores_full_marks_on_synthetic_test_sets(tmp_path, fmt) -> None:
    records = [r for split in ("test_seen_tool_unseen_query", "test_unseen_tool_unseen_query")
               for r in iter_records(30, seed=3, split=split)]
    path = write(tmp_path / "test.jsonl", records)
    summary = run_episode_reference(path, tmp_path / "out", fmt=fmt, progress=False)
    assert summary.n == 60 and summary.aggregates == {"de": 0.0, "ce": 0.0, "va": 1.0}
    assert summary.rates["overall"].calls >= 60  # parallel cases make several calls in one turn


def test_resume_and_identity(tmp_path, suite) -> None:
    out = tmp_path / "out"
    first = run_episode_reference(suite, out, progress=False)
    again = run_episode_reference(suite, out, progress=False)
    assert (first.meta["played"], again.meta["played"], again.n) == (2, 0, 2)
    lines = (out / "results.jsonl").read_text().splitlines()
    (out / "results.jsonl").write_text(lines[0] + "\n" + lines[1][:20])  # a torn last line is replayed
    assert run_episode_reference(suite, out, progress=False).meta["played"] == 1
    assert len(read_results(out / "results.jsonl")) == 2
    with pytest.raises(ToolgymError, match="differs in max_turns"):
        run_episode_reference(suite, out, max_turns=3, progress=False)


def test_registry_names_the_benchmark() -> None:
    bench = get_benchmark("tl_episodes", kind="multi_turn")
    assert bench.resolve("runner") is run_episode_eval and bench.resolve("reference") is run_episode_reference
    assert bench.resolve("loader") is load_suite_cases


# ------------------------------------------------------------------------------------------- CLI
def invoke(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def test_cli_reference_run(tmp_path, suite, capsys) -> None:
    code, out, err = invoke(["eval", "multiturn", str(suite), "--reference", "--out", str(tmp_path / "o")], capsys)
    assert code == 0, err
    assert "results.jsonl" in out and "| overall | 2 | 1 | 0.00 |" in (tmp_path / "o" / "summary.md").read_text()


@pytest.mark.parametrize(("extra", "needles"), [
    (["--bfcl"], ("field --bfcl", "not both")),
    (["--step-cap", "3"], ("field --step-cap", "is a --bfcl option")),
    (["--categories", "multi_turn_base"], ("field --categories",)),
    (["--format", "yaml"], ("field --format", "unknown value 'yaml'")),
])
def test_cli_argument_errors_are_one_line(suite, capsys, extra, needles) -> None:
    code, _, err = invoke(["eval", "multiturn", str(suite), *extra], capsys)
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    assert all(n in err for n in needles), err


def test_cli_bad_files_fail_before_a_model_loads(tmp_path, capsys) -> None:
    code, _, err = invoke(["eval", "multiturn", str(tmp_path / "nope.jsonl")], capsys)
    assert code == 2 and "nope.jsonl" in err and "no such file" in err and err.count("\n") == 1, err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "s0", "type": "single", "messages": "hi"}\n{not json\n')
    code, _, err = invoke(["eval", "multiturn", str(bad)], capsys)
    assert code == 2 and f"file {bad}" in err and "no valid records" in err and "field messages" in err, err
    code, _, err = invoke(["eval", "multiturn", "--bfcl", "--max-turns", "3"], capsys)
    assert code == 2 and "field --max-turns" in err, err


def test_embedded_model_plays_episodes_through_the_cli(tmp_path, capsys) -> None:
    """The real SmolLM2-135M, 3 episodes of at most 2 turns and 16 new tokens each (about 10 s on 2 CPU cores)."""
    suite = write(tmp_path / "three.jsonl", [record(0, GOLD), record(1, [], "no_tool"), record(2, GOLD)])
    out = tmp_path / "run"
    argv = ["eval", "multiturn", str(suite), "--max-turns", "2", "--max-new-tokens", "16", "--batch-size", "3",
            "--out", str(out)]
    code, _, err = invoke(argv, capsys)
    assert code == 0, err
    rows = read_results(out / "results.jsonl")
    assert [r["id"] for r in rows] == ["s0", "s1", "s2"]
    assert all(1 <= r["n_turns"] <= 2 and isinstance(r["turns"][0]["raw"], str) for r in rows)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n"] == 3 and summary["meta"]["max_turns"] == 2 and set(summary["aggregates"]) == {"de", "ce", "va"}
    assert json.loads((out / "run_identity.json").read_text())["max_new_tokens"] == 16
    code, _, err = invoke(argv, capsys)  # resumes: nothing left to play
    assert code == 0 and json.loads((out / "summary.json").read_text())["meta"]["played"] == 0, err
