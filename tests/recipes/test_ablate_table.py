import json
from pathlib import Path

import pytest

from toolgym.recipes.ablate_table import Budget, ablation_table, final_cells


def test_table_lists_every_variant() -> None:
    table = ablation_table("T", [("a", {"x": (0.5, None)}, Budget(10)), ("b", {}, Budget())], ["x"])
    assert "| a | 50.0 | 10 |" in table and "| b | – | 0 |" in table and "RL completions" not in table
    with_rl = ablation_table("T", [("a", {"x": (0.5, (0.4, 0.6))}, Budget(1_000)),
                                   ("a+rl", {"x": (0.25, None)}, Budget(1_000, 64))], ["x"], {"x": 400})
    assert "| variant | x (n=400) | tokens trained | RL completions |" in with_rl
    assert "| a | 50.0 (40.0–60.0) | 1,000 | 0 |" in with_rl and "| a+rl | 25.0 | 1,000 | 64 |" in with_rl


def test_table_names_the_device_once_or_per_row_when_rows_differ() -> None:
    avx512, avx2 = "cpu: AMD EPYC (AVX512+BF16, native bf16)", "cpu: AMD EPYC (AVX2, no native bf16)"
    same = ablation_table("T", [("a", {}, Budget(1, devices=(avx512,))), ("b", {}, Budget(2, devices=(avx512,)))],
                          [])
    assert f"Every row trained on {avx512}." in same and "trained on |" not in same
    mixed = ablation_table("T", [("a", {}, Budget(1, devices=(avx512,))), ("b", {}, Budget(2, devices=(avx2,))),
                                 ("b+rl", {}, Budget(2, devices=(avx2,)) + Budget(0, 8, (avx512,)))], [])
    assert "| variant | tokens trained | RL completions | trained on |" in mixed
    assert f"| a | 1 | 0 | {avx512} |" in mixed and f"| b+rl | 2 | 8 | {avx2}; {avx512} |" in mixed
    assert "Every row" not in mixed


def test_final_cells_carry_intervals_and_case_counts(tmp_path: Path) -> None:
    def summary(folder: str, body: dict) -> None:
        (tmp_path / "eval_final" / folder).mkdir(parents=True)
        (tmp_path / "eval_final" / folder / "summary.json").write_text(json.dumps(body))

    cat = {"n": 400, "ci95": [0.3, 0.4]}
    summary("bfcl", {"n": 1000, "categories": {c: cat for c in ("simple_python", "multiple", "parallel",
                                                               "parallel_multiple")},
                     "intervals": {"non_live_ast": [0.31, 0.37], "live_ast": [0.2, 0.3]}})
    summary("dev", {"n": 100, "categories": {"single": {"n": 70}, "no_tool": {"n": 30},
                                             "overall": {"n": 100, "ci95": [0.5, 0.7]}},
                    "intervals": {"answerable": [0.4, 0.6], "no_call": [0.6, 0.9]}})
    summary("episodes-test", {"n": 50, "categories": {}, "intervals": {"va": [0.1, 0.3]}})
    metrics = {"simple_python": 0.35, "non_live_ast": 0.34, "live_ast": 0.25, "dev": 0.6, "test_va": 0.2,
               "dev_answerable": 0.5, "dev_no_call": 0.8}
    cells, cases = final_cells(tmp_path, metrics)
    assert cells["simple_python"] == (0.35, (0.3, 0.4)) and cases["simple_python"] == 400
    assert cells["non_live_ast"] == (0.34, (0.31, 0.37)) and cases["non_live_ast"] == 1600  # 4 categories' cases
    assert cells["dev"] == (0.6, (0.5, 0.7)) and cases["dev"] == 100
    assert cells["test_va"] == (0.2, (0.1, 0.3)) and cases["test_va"] == 50
    assert cells["dev_answerable"] == (0.5, (0.4, 0.6)) and cases["dev_answerable"] == 70
    assert cells["dev_no_call"] == (0.8, (0.6, 0.9)) and cases["dev_no_call"] == 30
    value, (low, high) = cells["overall_tooldev"]  # ToolDev: (non-live + live) / 2
    assert value == pytest.approx(0.295) and low < value < high


def test_suites_are_paired_only_where_both_runs_scored_the_same_file(tmp_path: Path) -> None:
    from toolgym.recipes.ablate_table import paired_scores

    def run(name: str, suite_hash: str, right: list[bool]) -> Path:
        folder = tmp_path / name / "eval_final" / "dev"
        folder.mkdir(parents=True)
        (folder / "run_identity.json").write_text(json.dumps({"suite_sha256": suite_hash}))
        rows = [{"id": f"dev_{i}", "category": "single", "valid": ok} for i, ok in enumerate(right)]
        (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        return tmp_path / name

    reference, same, own = run("a", "h1", [True, False]), run("b", "h1", [True, True]), run("c", "h2", [True, True])
    scores = dict(paired_scores(reference, same, ["dev:*"]))
    assert scores["dev:single"].only_b == 1 and set(scores) == {"dev:single", "dev:all"}
    assert paired_scores(reference, own, ["dev:*"]) == []  # a variant's own dev split: other cases, same ids
