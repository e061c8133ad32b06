"""eval.multiturn: BFCL v4 multi-turn cases, environments, the checker (parity with the official one), episodes,
resumable runs and the CLI.

`fixtures/bfcl_multiturn_parity.json.gz` holds the ground truth of every multi-turn case replayed and perturbed
(dropped, duplicated, extra, reordered or moved calls, wrong or dropped arguments, empty turns, calls in turns that
expect none, unknown functions, missing turns), each with the verdict of bfcl-eval 2026.3.23's own
`multi_turn_checker`; it is made by `fixtures/make_multiturn_parity.py` in a throwaway venv. toolgym never
imports bfcl-eval's code; it loads only the wheel's environment classes.
`fixtures/bfcl_multiturn_parity_model.json.gz` holds the episodes of a real run of the quickstart's trained adapter
with the official verdicts (`make_multiturn_parity.py --from-results`).
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from toolgym.cli import main
from toolgym.core.errors import InputError, ToolgymError
from toolgym.core.formats import render_calls
from toolgym.eval.multiturn import (
    CATEGORIES,
    MORE_FUNCTIONS,
    Episode,
    category_of,
    check,
    load_cases,
    reference_turns,
    run_episodes,
    run_multiturn_reference,
)
from toolgym.eval.multiturn_env import Call, Environment, parse_call
from toolgym.eval.registry import get_benchmark
from toolgym.eval.runner import read_results

FIXTURE = Path(__file__).parent / "fixtures" / "bfcl_multiturn_parity.json.gz"
MODEL_FIXTURE = Path(__file__).parent / "fixtures" / "bfcl_multiturn_parity_model.json.gz"
MODEL_EPISODES_PER_CATEGORY = 5  # the quickstart adapter's run kept in MODEL_FIXTURE
MODEL_MIN_CALLS = 24


@pytest.fixture(scope="module")
def cases():
    return {c.id: c for c in load_cases("all")}


def gold_steps(case) -> list[list[list[Call]]]:
    return [[list(turn)] if turn else [] for turn in case.answer]


def test_every_category_loads_with_its_tools(cases) -> None:
    assert Counter(c.category for c in cases.values()) == {c: 200 for c in CATEGORIES}
    miss = cases["multi_turn_miss_func_0"]
    assert miss.held_out and all(not miss.turns[t] for t in miss.held_out)  # the holdout turn has no user text
    held = {f["name"] for docs in miss.held_out.values() for f in docs}
    assert held and not held & {f["name"] for f in miss.functions}
    assert cases["multi_turn_long_context_0"].long_context and not cases["multi_turn_base_0"].long_context
    assert len(load_cases("multi_turn_base,multi_turn_miss_param", limit=3)) == 6


def test_checker_accepts_the_ground_truth(cases) -> None:
    """Every 4th case of each category here (all 800 pass: `toolgym eval multiturn --bfcl --reference`)."""
    failing = {i for i, c in cases.items() if int(i.rsplit("_", 1)[1]) % 4 == 0 and not check(c, gold_steps(c)).ok}
    assert not failing, sorted(failing)[:10]


def test_checker_rules(cases) -> None:
    case = cases["multi_turn_base_0"]
    gold = gold_steps(case)
    assert check(case, gold[:-1]).error_type == "multi_turn:force_terminated"
    first = next(i for i, t in enumerate(case.answer) if t)
    emptied = [[] if i == first else t for i, t in enumerate(gold)]
    assert check(case, emptied).error_type == "multi_turn:empty_turn_model_response"
    assert check(case, [[[]] if i == first else t for i, t in enumerate(gold)]).turn == first  # empty step = none
    split = [[[c] for c in t[0]] if t else [] for t in gold]
    assert check(case, split).ok
    state_call = next(c for c in case.answer[first] if c.name in ("cd", "mkdir", "mv", "touch"))
    wrong = [[[Call(state_call.name, state_call.args, {k: "zz_nowhere" for k in state_call.kwargs})
               if c == state_call else c for c in t[0]]] if t else [] for t in gold]
    assert not check(case, wrong).ok


def test_execution_follows_bfcl_rules(cases) -> None:
    case = cases["multi_turn_base_0"]
    env = Environment(case.classes, case.initial_config)
    assert env.execute(parse_call("nope(a=1)")) == "Error during execution: name 'nope' is not defined"
    assert env.execute(Call("run")) == "Error during execution: Function call run is not allowed."
    assert env.execute(parse_call("ls()")).startswith('{"current_directory_content"')
    assert "unexpected keyword argument" in env.execute(parse_call("ls(bogus=1)"))
    assert env.named(parse_call("cd('x')")).arguments == {"folder": "x"}
    with pytest.raises(InputError, match="literal arguments"):
        parse_call("cd(folder=os.getcwd())")


def official_agreement(cases, every: int = 1) -> tuple[int, int, int, list]:
    """(records, same pass/fail, same error type, disagreements) over the records of every `every`-th case."""
    records = [r for r in json.load(gzip.open(FIXTURE, "rt"))["records"] if int(r["id"].rsplit("_", 1)[1]) % every == 0]
    same_verdict = same_type = 0
    disagreements = []
    for record in records:
        turns = [[[parse_call(s) for s in step] for step in turn] for turn in record["output"]]
        verdict = check(cases[record["id"]], turns)
        same_verdict += verdict.ok == record["valid"]
        same_type += verdict.error_type == record["error_type"]
        if verdict.ok != record["valid"] or verdict.error_type != record["error_type"]:
            disagreements.append((record["id"], record["kind"], record["error_type"], verdict.error_type))
    return len(records), same_verdict, same_type, disagreements


def test_fixture_covers_every_category_and_perturbation() -> None:
    records = json.load(gzip.open(FIXTURE, "rt"))["records"]
    assert Counter(r["id"].rsplit("_", 1)[0] for r in records).keys() == set(CATEGORIES)
    kinds = Counter(r["kind"] for r in records)
    assert {"unperturbed", "drop_call", "wrong_value", "extra_call", "empty_turn", "call_in_empty_turn",
            "fewer_turns"} <= set(kinds)
    types = Counter(r["error_type"] for r in records)
    assert {None, "multi_turn:instance_state_mismatch", "multi_turn:execution_response_mismatch",
            "multi_turn:empty_turn_model_response", "multi_turn:force_terminated"} <= set(types)
    assert 0.2 < sum(r["valid"] for r in records) / len(records) < 0.8


def test_checker_agrees_with_official_checker(cases) -> None:
    """The records of every 5th case (1,440 outputs); all 7,200 in the slow test below."""
    total, same_verdict, same_type, disagreements = official_agreement(cases, every=5)
    assert total == 1440
    assert same_verdict == total, disagreements[:20]
    assert same_type == total, disagreements[:20]


@pytest.mark.slow
def test_checker_agrees_with_official_checker_on_every_record(cases) -> None:
    total, same_verdict, same_type, disagreements = official_agreement(cases)
    assert total == 7200
    assert same_verdict == total, disagreements[:20]
    assert same_type == total, disagreements[:20]


def model_run_agreement(cases) -> tuple[list[dict], list[tuple]]:
    """(records, disagreements) of toolgym's checker with the official one on the episodes of a real model run."""
    records = json.load(gzip.open(MODEL_FIXTURE, "rt"))["records"]
    disagreements = []
    for record in records:
        turns = [[[Call(name, (), args) for call in step for name, args in call.items()] for step in turn]
                 for turn in record["calls"]]
        # the official checker executed exactly these calls, written as call strings
        assert [[[c.text() for c in step] for step in turn] for turn in turns] == record["output"], record["id"]
        verdict = check(cases[record["id"]], turns)
        if (verdict.ok, verdict.error_type) != (record["valid"], record["error_type"]):
            disagreements.append((record["id"], record["error_type"], verdict.error_type, verdict.detail[:200]))
    return records, disagreements


def test_trained_model_episodes_agree_with_official_checker(cases) -> None:
    """Episodes of the quickstart's trained adapter (`toolgym eval multiturn --bfcl --adapter
    runs/quickstart/sft/adapter --limit 5`, all four categories: 20 episodes, 102 steps, 24 calls), each turn's
    decoded calls judged again by bfcl-eval 2026.3.23's `multi_turn_checker` (`make_multiturn_parity.py
    --from-results`). toolgym's checker must give every episode the official pass/fail and error type, as it did in
    the run itself."""
    records, disagreements = model_run_agreement(cases)
    assert Counter(category_of(r["id"]) for r in records) == {c: MODEL_EPISODES_PER_CATEGORY for c in CATEGORIES}
    assert sum(len(step) for r in records for turn in r["calls"] for step in turn) >= MODEL_MIN_CALLS
    assert {r["error_type"] for r in records} >= {"multi_turn:instance_state_mismatch",
                                                  "multi_turn:execution_response_mismatch",
                                                  "multi_turn:empty_turn_model_response"}
    assert not disagreements, disagreements
    assert all((r["toolgym_valid"], r["toolgym_error_type"]) == (r["valid"], r["error_type"]) for r in records)


def test_miss_func_episode_adds_the_held_out_functions(cases) -> None:
    case = cases["multi_turn_miss_func_0"]
    turn = min(case.held_out)
    episode = Episode(case)
    before = {t.name for t in episode.tools}
    for _ in range(turn):
        episode.advance("no call")
    assert episode.turn == turn and episode.messages[-1] == {"role": "user", "content": MORE_FUNCTIONS}
    assert {t.name for t in episode.tools} - before == {f["name"] for f in case.held_out[turn]}


def test_episode_feeds_results_back_and_caps_steps(cases) -> None:
    case = cases["multi_turn_base_0"]
    episode = Episode(case, step_cap=2)
    episode.advance(render_calls(reference_turns(case)[0], "hermes"))
    assert episode.messages[-1]["role"] == "tool" and episode.turns[0][0].results
    episode.advance('<tool_call>{"name": "ls", "arguments": {}}</tool_call>')
    assert not episode.done
    episode.advance('<tool_call>{"name": "ls", "arguments": {}}</tool_call>')  # a third step with calls
    assert episode.force_quit and episode.done


def test_reference_replay_scores_full_marks(tmp_path) -> None:
    summary = run_multiturn_reference(limit=25, out_dir=tmp_path, progress=False)
    assert summary.n == 100 and summary.categories["overall"].accuracy == 1.0
    assert summary.aggregates["multi_turn"] == 1.0
    rows = read_results(tmp_path / "results.jsonl")
    assert all(r["valid"] for r in rows) and rows[0]["turns"][0][0]["calls"]
    assert "95% CI" in (tmp_path / "summary.md").read_text()


def test_python_format_reference(tmp_path) -> None:
    summary = run_multiturn_reference("multi_turn_miss_func", limit=8, out_dir=tmp_path, fmt="python",
                                      progress=False)
    assert summary.categories["multi_turn_miss_func"].accuracy == 1.0


def test_resume_and_identity(tmp_path, cases) -> None:
    chosen = [cases[f"multi_turn_base_{i}"] for i in range(4)]
    run_multiturn_reference(cases=chosen, out_dir=tmp_path, progress=False)
    path = tmp_path / "results.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:2]) + lines[2][:30])  # two rows and a torn third one
    asked: list[str] = []

    def respond(episodes):
        asked.extend(e.case.id for e in episodes)
        return ["nothing to call"] * len(episodes)

    stored = json.loads((tmp_path / "run_identity.json").read_text())
    same = {"outputs": stored["outputs"], "data_sha256": stored["data_sha256"]}
    summary = run_episodes(chosen, tmp_path, respond, identity=same, parse="hermes", progress=False)
    kept = [json.loads(line)["id"] for line in lines[:2]]  # rows are written as episodes finish
    assert set(asked) == {c.id for c in chosen} - set(kept)
    rows = [r["id"] for r in read_results(path)]
    assert rows[:2] == kept and sorted(rows) == sorted(c.id for c in chosen)
    assert summary.n == 4 and summary.categories["multi_turn_base"].correct == 2
    with pytest.raises(ToolgymError, match="another configuration"):
        run_episodes(chosen, tmp_path, respond, identity={"outputs": "other"}, progress=False)


def test_registry_names_the_benchmark() -> None:
    bench = get_benchmark("bfcl_multi_turn", kind="multi_turn")
    assert bench.resolve("loader") is load_cases
    with pytest.raises(InputError, match="available: bfcl_multi_turn"):
        get_benchmark("bfcl", kind="multi_turn")


def _invoke(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


GOOD = {"id": "multi_turn_base_0", "question": [[{"role": "user", "content": "1 + 2?"}]],
        "involved_classes": ["MathAPI"], "initial_config": {}, "ground_truth": [["add(a=1, b=2)"]]}


def test_data_file_of_own_entries(tmp_path) -> None:
    data = tmp_path / "own.jsonl"
    data.write_text(json.dumps(GOOD) + "\n")
    summary = run_multiturn_reference(cases=load_cases(data=data), out_dir=tmp_path / "out", progress=False)
    assert summary.n == 1 and summary.categories["multi_turn_base"].accuracy == 1.0


def test_reference_lists_unsatisfiable_ids(tmp_path) -> None:
    """A ground truth that cannot be written as model text (too many positional arguments) fails the replay and is
    named, instead of stopping the run."""
    bad = dict(GOOD, id="multi_turn_base_1", ground_truth=[["add(1, 2, 3)"]])
    data = tmp_path / "own.jsonl"
    data.write_text(json.dumps(GOOD) + "\n" + json.dumps(bad) + "\n")
    summary = run_multiturn_reference(cases=load_cases(data=data), out_dir=tmp_path / "out", progress=False)
    assert summary.categories["overall"].accuracy == 0.5
    assert summary.meta["unsatisfiable"] == ["multi_turn_base_1"]
    assert "unsatisfiable reference answers (1): multi_turn_base_1" in (tmp_path / "out" / "summary.md").read_text()


def test_environment_loads_nothing_else_of_bfcl_eval() -> None:
    """The wheel's environment classes are loaded from func_source_code/; no other bfcl_eval module is imported."""
    import sys

    from toolgym.eval.multiturn_env import _DOTTED, _PRIVATE, CLASS_FILES, environment_class, source_dir

    for name in CLASS_FILES:
        environment_class(name)
    assert {m for m in sys.modules if m.split(".")[0] == "bfcl_eval"} <= {f"{_DOTTED}.long_context"}
    loaded = [m for name, m in sys.modules.items() if name.startswith(f"{_PRIVATE}.")]
    assert len(loaded) == len(CLASS_FILES) + 1  # the eight classes' files and long_context
    assert all(Path(m.__file__).parent == source_dir() for m in loaded)


@pytest.mark.parametrize(("content", "needles"), [
    (json.dumps(GOOD) + '\n{not json\n', ("record 2", "invalid JSON")),
    ('{"id": "multi_turn_base_0", "question": [[{"role": "user", "content": "hi"}]], "involved_classes": ["Nope"], '
     '"ground_truth": [[]]}\n', ("record multi_turn_base_0", "field involved_classes", "unknown class 'Nope'")),
    ('{"id": "multi_turn_base_0", "question": [[{"role": "user", "content": "hi"}]], '
     '"involved_classes": ["MathAPI"], "ground_truth": [["add(a=os.x)"]]}\n', ("field ground_truth", "literal")),
    ('{"id": "multi_turn_base_0", "question": [[{"role": "user", "content": "hi"}]], '
     '"involved_classes": ["MathAPI"], "ground_truth": [["add(a=b\'x\', b={1})"]]}\n', ("field ground_truth", "JSON")),
])
def test_cli_bad_data_file_is_one_line(tmp_path, capsys, content, needles) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content)
    code, _, err = _invoke(["eval", "multiturn", "--bfcl", "--reference", "--data", str(bad), "--out",
                            str(tmp_path / "out")], capsys)
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    assert f"file {bad}" in err and all(n in err for n in needles), err


def test_cli_reference_and_argument_errors(tmp_path, capsys) -> None:
    code, out, err = _invoke(["eval", "multiturn", "--bfcl", "--reference", "--categories", "multi_turn_miss_param",
                              "--limit", "3", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert "results.jsonl" in out and "| multi_turn_miss_param | 3 | 100.00 |" in (tmp_path / "summary.md").read_text()
    code, _, err = _invoke(["eval", "multiturn", "--reference"], capsys)
    assert code == 2 and "--bfcl" in err and err.count("\n") == 1
    code, _, err = _invoke(["eval", "multiturn", "--bfcl", "--categories", "multi_turn_nope"], capsys)
    assert code == 2 and "unknown BFCL multi-turn category 'multi_turn_nope'" in err


@pytest.mark.slow
def test_embedded_model_plays_one_episode(tmp_path) -> None:
    from toolgym.eval.multiturn import run_multiturn
    from toolgym.models.backends import make_generator

    data = tmp_path / "one.jsonl"  # one turn with the math tools only: the smallest prompt there is
    data.write_text(json.dumps(GOOD) + "\n")
    generator = make_generator("transformers", "smollm2-135m", batch_size=1, progress=False)
    summary = run_multiturn(generator, cases=load_cases(data=data), out_dir=tmp_path / "out", max_new_tokens=16,
                            step_cap=1, progress=False)
    row = read_results(tmp_path / "out" / "results.jsonl")[0]
    assert summary.n == 1 and row["turns"] and isinstance(row["valid"], bool)
