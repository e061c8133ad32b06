"""eval.robust: RoTBench's levels over BFCL and toolgym suites, the reference check, the CLI (no model)."""

from __future__ import annotations

import json

import pytest

from toolgym.cli import main
from toolgym.core.errors import InputError
from toolgym.core.formats import render_calls
from toolgym.data.noise import NOISE_LEVELS
from toolgym.eval.bfcl import reference_calls
from toolgym.eval.registry import get_benchmark
from toolgym.eval.robust import load_cases, perturb_case, run_robust, source_kind
from toolgym.eval.runner import IDENTITY, bfcl_cases, read_results

CATEGORIES = "simple_python,multiple,parallel,parallel_multiple,irrelevance,live_simple,live_relevance"


def _suite(path) -> str:
    tool = {"type": "function", "function": {"name": "get_weather", "description": "Weather.", "parameters": {
        "type": "object", "properties": {"city": {"type": "string", "description": "City"},
                                         "days": {"type": "integer", "description": "Days"}},
        "required": ["city"]}}}
    stock = {"type": "function", "function": {"name": "get_stock", "description": "Stock.", "parameters": {
        "type": "object", "properties": {"symbol": {"type": "string", "description": "Ticker"}},
        "required": ["symbol"]}}}
    rows = [{"id": f"s{i}", "type": "single", "messages": [{"role": "user", "content": f"Weather in city {i}"}],
             "tools": [tool, stock], "gold": [{"name": "get_weather", "arguments": {"city": f"c{i}", "days": i}}]}
            for i in range(4)]
    rows.append({"id": "n0", "type": "no_tool", "messages": [{"role": "user", "content": "Hi"}], "tools": [tool],
                 "gold": []})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_reference_is_full_marks_at_every_level_on_bfcl(tmp_path) -> None:
    report = run_robust(CATEGORIES, NOISE_LEVELS, tmp_path, seed=7, reference=True, limit=6, progress=False)
    assert list(report.levels) == list(NOISE_LEVELS)
    for level, score in report.levels.items():
        assert (score.accuracy, score.ts, score.pi, score.cf) == (1.0, 1.0, 1.0, 1.0), level
        assert score.n == 42 and (tmp_path / level / "results.jsonl").is_file()
        assert json.loads((tmp_path / level / IDENTITY).read_text())["noise_level"] == level
    assert report.levels["clean"].perturbed == 0.0 and report.levels["slight"].perturbed == 1.0
    stored = json.loads((tmp_path / "robust_summary.json").read_text())
    assert stored["levels"]["union"]["cf"] == 1.0 and stored["seed"] == 7
    md = (tmp_path / "robust_summary.md").read_text()
    assert "| heavy | 42 |" in md and "| simple_python |" in md and "CF vs clean" in md
    assert "| 91.6–100.0 | +0.00 |" in md  # CF 42/42: its Wilson 95% interval beside it


def test_reference_is_full_marks_at_every_level_on_a_suite(tmp_path) -> None:
    suite = _suite(tmp_path / "suite.jsonl")
    assert source_kind(suite) == "suite"
    report = run_robust(suite, NOISE_LEVELS, tmp_path / "out", seed=1, reference=True, progress=False)
    assert all(s.cf == 1.0 and s.n == 5 for s in report.levels.values())
    assert report.levels["medium"].perturbed == 1.0


def test_noise_bites_clean_answers_and_is_deterministic() -> None:
    clean = bfcl_cases("simple_python,multiple,parallel", 10)
    for level in NOISE_LEVELS[1:]:
        wrong = 0
        for case in clean:
            noisy, changed = perturb_case(case, level, seed=3)
            again, _ = perturb_case(case, level, seed=3)
            assert noisy.meta["functions"] == again.meta["functions"] and noisy.answer == again.answer
            assert case.meta["functions"] != noisy.meta["functions"] or not changed
            assert noisy.score(reference_calls(noisy)).ok
            wrong += changed and not noisy.score(reference_calls(case)).ok  # the clean answer no longer fits
            assert [t.name for t in noisy.tools] == [d["name"] for d in noisy.meta["functions"]]
        assert wrong >= 0.9 * len(clean), level
    assert clean[0].meta["functions"][0]["name"] == bfcl_cases("simple_python", 1)[0].meta["functions"][0]["name"]


class _Tokenizer:
    chat_template = "{{ messages }}"  # no native tools: toolgym's system prompt carries them

    def apply_chat_template(self, messages, **_kwargs) -> str:
        return "\n".join(m["content"] for m in messages)

    def __call__(self, text, add_special_tokens=False):
        return {"input_ids": text.split()}


class CleanOracle:
    """Answers every prompt with the clean case's reference calls: right on clean, wrong once names move."""

    tokenizer = _Tokenizer()

    def __init__(self, cases) -> None:
        self.answers = {c.messages[-1]["content"]: render_calls(reference_calls(c), "hermes") for c in cases}
        self.limits: list[int] = []

    def generate(self, prompts, max_new_tokens=256, **_kwargs):
        self.limits.append(max_new_tokens)
        return [[next(a for q, a in self.answers.items() if p.endswith(q))] for p in prompts]


def test_model_path_scores_each_level_and_drops_under_noise(tmp_path) -> None:
    cases, bfcl = load_cases("simple_python,parallel", 5)
    assert bfcl
    oracle = CleanOracle(cases)
    report = run_robust("simple_python,parallel", ["clean", "slight", "heavy"], tmp_path, generator=oracle,
                        limit=5, seed=0, progress=False)
    assert report.levels["clean"].cf == 1.0 and report.levels["slight"].cf == 0.0
    assert report.levels["slight"].ts == 0.0 and report.levels["heavy"].cf < 1.0
    rows = read_results(tmp_path / "slight" / "results.jsonl")
    assert len(rows) == 10 and all(r["error_type"] for r in rows)
    stored = json.loads((tmp_path / "heavy" / IDENTITY).read_text())
    assert stored["noise_seed"] == 0 and set(stored["max_new_tokens_by_category"]) == {"simple_python", "parallel"}
    # a rerun resumes every level without generating again
    oracle.generate = lambda *a, **k: pytest.fail("resumed run regenerated")
    again = run_robust("simple_python,parallel", ["clean", "slight", "heavy"], tmp_path, generator=oracle,
                       limit=5, seed=0, progress=False)
    assert again.levels["heavy"].cf == report.levels["heavy"].cf


def test_source_errors_name_the_argument(tmp_path) -> None:
    with pytest.raises(InputError, match="SOURCE.*no such file"):
        source_kind(str(tmp_path / "missing.jsonl"))
    with pytest.raises(InputError, match="SOURCE.*neither a file nor BFCL categories"):
        source_kind("simple_pythn")
    assert source_kind("non_live") == "bfcl"


@pytest.mark.parametrize("argv,message", [
    (["nope"], "neither a file nor BFCL categories"),
    (["simple_python", "--levels", "clean,loud"], "unknown noise level 'loud'"),
    (["simple_python", "--levels", ","], "names no noise level"),
    (["simple_python", "--format", "xml"], "--format"),
    (["missing.jsonl"], "no such file"),
])
def test_cli_checks_arguments_before_a_model_loads(argv, message, monkeypatch, capsys) -> None:
    import toolgym.eval.commands as commands

    monkeypatch.setattr(commands, "_generator", lambda *a, **k: pytest.fail("a model was loaded"))
    with pytest.raises(SystemExit) as exit_:
        main(["eval", "robust", *argv])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_reference_writes_levels_and_summary(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["eval", "robust", "simple_python,irrelevance", "--levels", "clean,union", "--limit", "3",
              "--reference", "--seed", "2", "--out", str(tmp_path)])
    assert exit_.value.code == 0
    assert "robust_summary.md" in capsys.readouterr().out
    stored = json.loads((tmp_path / "robust_summary.json").read_text())
    assert list(stored["levels"]) == ["clean", "union"] and stored["levels"]["union"]["cf"] == 1.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean", "robust_summary.json", "robust_summary.md",
                                                          "union"]


def test_registry_names_robust(tmp_path) -> None:
    bench = get_benchmark("robust", kind="single_turn")
    assert bench.resolve("loader") is load_cases and bench.resolve("runner") is run_robust
    report = bench.resolve("reference")(_suite(tmp_path / "suite.jsonl"), ["clean", "heavy"], tmp_path / "out",
                                        seed=1, progress=False)
    assert report.meta["reference"] and all(s.cf == 1.0 for s in report.levels.values())
