"""eval.runner: streaming results, resume without loss or duplicates, rescoring, the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from toolgym.core.errors import InputError, ToolgymError
from toolgym.eval.commands import app
from toolgym.eval.runner import (
    IDENTITY,
    REFERENCE_IDENTITY,
    bfcl_cases,
    model_identity,
    read_results,
    rescore,
    run_bfcl,
    run_bfcl_reference,
    run_cases,
    run_suite,
)


def ids(path) -> list[str]:
    return [r["id"] for r in read_results(path)]


def test_reference_run_writes_rows_and_summary(tmp_path) -> None:
    summary = run_bfcl_reference("parallel,irrelevance", limit=3, out_dir=tmp_path, progress=False)
    rows = read_results(tmp_path / "results.jsonl")
    assert len(rows) == 6 and all(r["valid"] for r in rows)
    first = rows[0]
    assert set(first) >= {"id", "category", "prompt", "raw", "decoded", "valid", "error_type", "error_category"}
    assert "<tool_call>" in first["raw"] and isinstance(first["decoded"][0], dict) and len(first["decoded"][0]) == 1
    assert summary.categories["parallel"].accuracy == 1.0 and (tmp_path / "summary.md").exists()


def test_interrupted_run_resumes_without_duplicates(tmp_path) -> None:
    run_bfcl_reference("simple_python", limit=6, out_dir=tmp_path, progress=False)
    path = tmp_path / "results.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:2]) + lines[2][:25])  # two rows and a torn third one
    served: list[str] = []

    def outputs(chunk):
        served.extend(c.id for c in chunk)
        return ["<tool_call>{\"name\": \"nope\", \"arguments\": {}}</tool_call>"] * len(chunk)

    summary = run_cases(bfcl_cases("simple_python", 6), tmp_path, outputs=outputs, chunk_size=2, progress=False,
                        identity=REFERENCE_IDENTITY)
    assert served == [f"simple_python_{i}" for i in range(2, 6)]
    assert ids(path) == [f"simple_python_{i}" for i in range(6)]
    assert summary.categories["simple_python"].correct == 2 and summary.n == 6


def test_rescore_from_results(tmp_path) -> None:
    run_bfcl_reference("multiple,live_relevance", limit=2, out_dir=tmp_path / "a", progress=False)
    summary = rescore(tmp_path / "a" / "results.jsonl", tmp_path / "b", progress=False)
    assert summary.n == 4 and summary.categories["overall"].accuracy == 1.0
    with pytest.raises(InputError, match="--out must differ"):
        rescore(tmp_path / "a" / "results.jsonl", tmp_path / "a", progress=False)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "multiple_0", "category": "multiple"}) + "\n")
    with pytest.raises(InputError, match="record 1, field raw"):
        rescore(bad, tmp_path / "c", progress=False)


def test_cli_reference_and_errors(tmp_path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["bfcl", "--reference", "--categories", "live_parallel", "--limit", "2",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "summary.json").read_text())["categories"]["live_parallel"]["accuracy"] == 1.0
    result = runner.invoke(app, ["bfcl", "--reference", "--categories", "simple_jav"])
    assert isinstance(result.exception, InputError) and "unknown BFCL category 'simple_jav'" in str(result.exception)
    assert "JavaScript" in runner.invoke(app, ["bfcl", "--help"], env={"COLUMNS": "200"}).output


@pytest.mark.slow
def test_embedded_model_runs_bfcl_and_a_suite(tmp_path) -> None:
    """The real embedded model through the whole runner (tiny: 2 cases per category, 48 new tokens)."""
    from toolgym.models.generate import TransformersGenerator
    from toolgym.models.registry import load_model

    model, tokenizer = load_model("smollm2-135m")
    generator = TransformersGenerator(model, tokenizer, batch_size=4, progress=False)
    summary = run_bfcl(generator, "simple_python,irrelevance", limit=2, out_dir=tmp_path / "bfcl",
                       max_new_tokens=48, progress=False)
    rows = read_results(tmp_path / "bfcl" / "results.jsonl")
    assert len(rows) == 4 and all(r["raw"] is not None and r["prompt"] for r in rows)
    assert summary.n == 4
    suite = tmp_path / "suite.jsonl"
    suite.write_text(json.dumps({"id": "s0", "type": "single", "messages": [{"role": "user", "content": "Hi"}],
                                 "tools": [], "gold": []}) + "\n")
    assert run_suite(generator, suite, tmp_path / "suite", max_new_tokens=16, progress=False).n == 1


def test_model_text_is_parsed_in_the_prompted_format(tmp_path) -> None:
    text = "Here is code:\n```python\nresponse.json()\n```"
    cases = bfcl_cases("irrelevance", 1)
    strict = run_cases(cases, tmp_path / "a", outputs=lambda c: [text] * len(c), fmt="hermes", progress=False)
    loose = run_cases(cases, tmp_path / "b", outputs=lambda c: [text] * len(c), fmt="hermes", parse="auto",
                      progress=False)
    assert strict.accuracy == 1.0 and loose.accuracy == 0.0
    assert read_results(tmp_path / "b" / "results.jsonl")[0]["parse_format"] == "auto"
    assert rescore(tmp_path / "b" / "results.jsonl", tmp_path / "c", parse="hermes", progress=False).accuracy == 1.0


class FakeTokenizer:
    chat_template = "{{ messages }}"  # a template without tools: the ToolDev system prompt is prepended

    def apply_chat_template(self, messages, **_kwargs) -> str:
        return "\n".join(m["content"] for m in messages)


class FakeGenerator:
    """Answers every prompt with prose (no call), as the embedded model mostly does."""

    tokenizer = FakeTokenizer()

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def generate(self, prompts, **_kwargs):
        self.prompts.extend(prompts)
        return [["I cannot help with that."] for _ in prompts]


def adapter_folder(root, weights: bytes):
    folder = root / "sft" / "adapter"  # every stage saves its adapter as <stage>/adapter
    folder.mkdir(parents=True)
    (folder / "adapter_config.json").write_text("{}")
    (folder / "adapter_model.safetensors").write_bytes(weights)
    return folder


def test_resume_refuses_results_of_another_configuration(tmp_path) -> None:
    cases = bfcl_cases("irrelevance", 2)
    first = {"model": "m", "adapter_sha256": "aa", "dtype": "auto"}
    run_cases(cases, tmp_path, outputs=lambda c: ["no call"] * len(c), identity=first, progress=False)
    assert json.loads((tmp_path / IDENTITY).read_text())["adapter_sha256"] == "aa"
    again = run_cases(cases, tmp_path, outputs=lambda c: pytest.fail("resumed run regenerated"), identity=first,
                      progress=False)  # same identity: resumes, nothing left to generate
    assert again.n == 2
    with pytest.raises(ToolgymError, match=r"another configuration \(differs in adapter_sha256\)"):
        run_cases(cases, tmp_path, outputs=lambda c: ["x"] * len(c), identity={**first, "adapter_sha256": "bb"},
                  progress=False)
    with pytest.raises(ToolgymError, match=r"differs in max_new_tokens"):
        run_cases(cases, tmp_path, outputs=lambda c: ["x"] * len(c), identity=first, max_new_tokens=8, progress=False)
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "results.jsonl").write_text((tmp_path / "results.jsonl").read_text())
    with pytest.raises(ToolgymError, match="without a run_identity.json"):
        run_cases(cases, legacy, outputs=lambda c: ["x"] * len(c), identity=first, progress=False)


def test_model_identity_hashes_adapter_weights(tmp_path) -> None:
    one, two = adapter_folder(tmp_path / "a", b"\x01"), adapter_folder(tmp_path / "b", b"\x02")
    assert model_identity("m", one)["adapter_sha256"] != model_identity("m", two)["adapter_sha256"]
    assert model_identity("m", one) == model_identity("m", str(one))
    assert model_identity("m")["adapter_sha256"] is None
    with pytest.raises(InputError, match="no adapter weights"):
        model_identity("m", tmp_path)


def test_cli_default_folders_of_two_adapters_differ(tmp_path, monkeypatch) -> None:
    """Two adapters both saved as `<stage>/adapter` must not share a results folder (the second run would
    otherwise resume the first one's verdicts)."""
    import toolgym.eval.commands as commands

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(commands, "_generator", lambda *a, **k: FakeGenerator())
    runner = CliRunner()
    for root, weights in (("a", b"\x01"), ("b", b"\x02")):
        adapter = adapter_folder(tmp_path / root, weights)
        result = runner.invoke(app, ["bfcl", "--adapter", str(adapter), "-c", "irrelevance", "--limit", "1"])
        assert result.exit_code == 0, result.output
    folders = sorted((tmp_path / "runs" / "eval").iterdir())
    assert len(folders) == 2 and all(f.name.startswith("bfcl-smollm2-135m-adapter-") for f in folders)
    stored = [json.loads((f / IDENTITY).read_text()) for f in folders]
    assert stored[0]["adapter_sha256"] != stored[1]["adapter_sha256"]
    assert stored[0]["generator"] == "FakeGenerator" and stored[0]["sanitize"] is False


class WordTokenizer(FakeTokenizer):
    """Counts whitespace-separated words as tokens."""

    def __call__(self, text, add_special_tokens=False):
        return {"input_ids": text.split()}


class RecordingGenerator(FakeGenerator):
    tokenizer = WordTokenizer()

    def __init__(self) -> None:
        super().__init__()
        self.limits: dict[str, int] = {}

    def generate(self, prompts, max_new_tokens=256, **_kwargs):
        self.limits.update({p: max_new_tokens for p in prompts})
        return super().generate(prompts)


def test_gold_budgets_fit_every_gold_answer_of_the_category() -> None:
    from toolgym.core.formats import render_calls
    from toolgym.eval.bfcl import reference_calls
    from toolgym.eval.runner import gold_budgets

    tokenizer = WordTokenizer()
    budgets = gold_budgets(tokenizer, "hermes", "non_live")
    assert set(budgets) == {"simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance"}
    for category in ("simple_python", "parallel"):
        longest = max(len(render_calls(reference_calls(c), "hermes").split()) for c in bfcl_cases(category))
        assert budgets[category] == -(-(longest + 1) * 5 // 4) + 16
    assert budgets["irrelevance"] == max(budgets["simple_python"], budgets["multiple"])
    assert budgets["parallel"] > budgets["simple_python"]


def test_bfcl_categories_get_their_own_max_new_tokens(tmp_path) -> None:
    from toolgym.eval.runner import gold_budgets

    generator = RecordingGenerator()
    budgets = gold_budgets(generator.tokenizer, "hermes", "simple_python,parallel,irrelevance")
    cap = budgets["parallel"] - 1  # the caller's max_new_tokens caps the budgets
    assert cap > max(budgets["simple_python"], budgets["irrelevance"])
    summary = run_bfcl(generator, "simple_python,parallel,irrelevance", limit=2, out_dir=tmp_path,
                       max_new_tokens=cap, chunk_size=8, progress=False)
    rows = read_results(tmp_path / "results.jsonl")
    got = {r["category"]: generator.limits[r["prompt"]] for r in rows}
    assert got == {"simple_python": budgets["simple_python"], "parallel": cap, "irrelevance": budgets["irrelevance"]}
    assert json.loads((tmp_path / IDENTITY).read_text())["max_new_tokens_by_category"] == {
        "irrelevance": budgets["irrelevance"], "parallel": cap, "simple_python": budgets["simple_python"]}
    assert summary.meta["max_new_tokens_by_category"]["parallel"] == cap
    one = RecordingGenerator()
    run_bfcl(one, "simple_python,parallel", limit=1, out_dir=tmp_path / "flat", max_new_tokens=64, budgets=None,
             progress=False)
    assert set(one.limits.values()) == {64}


@pytest.mark.parametrize("fmt", ["hermes", "python"])
def test_reference_run_scores_java_and_javascript(tmp_path, fmt) -> None:
    """BFCL's possible answers, written as Java/JavaScript source, rendered, parsed back and scored by the runner:
    every JavaScript case passes, and every Java case but the three no output can pass (the official checker
    fails them too: the `unperturbed` records of fixtures/bfcl_parity_javajs.json.gz)."""
    summary = run_bfcl_reference("non_python", out_dir=tmp_path, fmt=fmt, progress=False)
    rows = read_results(tmp_path / "results.jsonl")
    assert summary.categories["simple_javascript"].accuracy == 1.0 and summary.categories["simple_javascript"].n == 50
    assert {r["id"] for r in rows if not r["valid"]} == {"simple_java_36", "simple_java_64", "simple_java_65"}
    assert summary.categories["simple_java"].n == 100


class StreamingGenerator(RecordingGenerator):
    """Streams answers in reverse input order (as a decoder that finishes short answers first); raises
    KeyboardInterrupt before answer `stop_after`, as an interrupted run would."""

    def __init__(self, stop_after: int | None = None) -> None:
        super().__init__()
        self.stop_after = stop_after
        self.calls = 0

    def stream(self, prompts, max_new_tokens=256, **_kwargs):
        self.calls += 1
        for k, i in enumerate(reversed(range(len(prompts)))):
            if k == self.stop_after:
                raise KeyboardInterrupt
            self.limits[prompts[i]] = max_new_tokens[i]
            yield i, "I cannot help with that."


def test_a_streaming_generator_gets_per_case_budgets_and_an_interrupted_run_keeps_its_rows(tmp_path) -> None:
    from toolgym.eval.runner import gold_budgets

    categories = "simple_python,parallel,irrelevance"
    interrupted = StreamingGenerator(stop_after=4)
    with pytest.raises(KeyboardInterrupt):
        run_bfcl(interrupted, categories, limit=2, out_dir=tmp_path, max_new_tokens=1024, progress=False)
    kept = read_results(tmp_path / "results.jsonl")
    assert len(kept) == 4 and interrupted.calls == 1  # one call holds every category; finished rows are on disk
    resumed = StreamingGenerator()
    summary = run_bfcl(resumed, categories, limit=2, out_dir=tmp_path, max_new_tokens=1024, progress=False)
    rows = read_results(tmp_path / "results.jsonl")
    assert sorted(r["id"] for r in rows) == sorted(c.id for c in bfcl_cases(categories, 2))  # none lost, none twice
    assert len(resumed.limits) == 2 and summary.n == 6
    budgets = gold_budgets(resumed.tokenizer, "hermes", categories)
    got = {r["category"]: (interrupted.limits | resumed.limits)[r["prompt"]] for r in rows}
    assert got == {c: budgets[c] for c in ("simple_python", "parallel", "irrelevance")}


def test_cases_with_the_same_tools_go_next_to_each_other():
    from toolgym.core.schema import Tool
    from toolgym.eval.cases import EvalCase
    from toolgym.eval.runner import same_tools_together

    def case(name: str, tool: str) -> EvalCase:
        return EvalCase(name, "live_multiple", [], [Tool(name=tool, description="d", parameters={})], None,
                        lambda *_: None)

    cases = [case("a1", "x"), case("b1", "y"), case("a2", "x"), case("c1", "z"), case("b2", "y")]
    assert [c.id for c in same_tools_together(cases)] == ["a1", "a2", "b1", "b2", "c1"]
