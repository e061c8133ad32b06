"""eval.compare: paired scores of two evaluations and the exact McNemar test, through the real entry point too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import assert_one_line_error, invoke
from toolgym.core.errors import InputError
from toolgym.eval.compare import ALL, compare_results, exact_mcnemar


def _results(path: Path, rows: list[tuple[str, str, bool]]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "results.jsonl").write_text("".join(json.dumps({"id": i, "category": c, "valid": v}) + "\n"
                                                for i, c, v in rows))
    return path


def test_exact_mcnemar_is_the_two_sided_binomial_tail():
    assert exact_mcnemar(0, 0) == 1.0 and exact_mcnemar(5, 5) == 1.0
    assert exact_mcnemar(0, 6) == pytest.approx(2 / 64)  # 2 x P(X <= 0), X ~ Bin(6, 1/2)
    assert exact_mcnemar(9, 1) == pytest.approx(2 * (1 + 10) / 1024)
    assert exact_mcnemar(3, 4) == exact_mcnemar(4, 3)


def test_pairs_by_case_id_per_category_and_overall(tmp_path: Path):
    a = _results(tmp_path / "a", [("s1", "simple", True), ("s2", "simple", False), ("s3", "simple", True),
                                  ("p1", "parallel", False), ("only_a", "parallel", True)])
    b = _results(tmp_path / "b", [("s1", "simple", True), ("s2", "simple", True), ("s3", "simple", False),
                                  ("p1", "parallel", True), ("only_b", "parallel", False)])
    scores = {s.category: s for s in compare_results(a, b / "results.jsonl")}
    assert list(scores) == ["simple", "parallel", ALL]
    simple, par, total = scores["simple"], scores["parallel"], scores[ALL]
    assert (simple.n, simple.a_correct, simple.b_correct, simple.only_a, simple.only_b) == (3, 2, 2, 1, 1)
    assert (par.n, par.only_a, par.only_b) == (1, 0, 1)  # cases one side lacks are left out
    assert (total.n, total.only_a, total.only_b) == (4, 1, 2) and total.p_value == 1.0


def test_a_bfcl_aggregate_pools_its_categories_when_all_are_there(tmp_path: Path):
    cats = ("simple_python", "multiple", "parallel", "parallel_multiple")
    a = _results(tmp_path / "a", [(f"{c}_{i}", c, i == 0) for c in cats for i in range(3)] + [("irr", "irrelevance", True)])
    b = _results(tmp_path / "b", [(f"{c}_{i}", c, i < 2) for c in cats for i in range(3)] + [("irr", "irrelevance", False)])
    scores = {s.category: s for s in compare_results(a, b)}
    assert list(scores)[-2:] == [ALL, "non_live_ast (pooled)"]
    pooled = scores["non_live_ast (pooled)"]
    assert (pooled.n, pooled.a_correct, pooled.b_correct, pooled.only_a, pooled.only_b) == (12, 4, 8, 0, 4)
    assert scores[ALL].n == 13 and "irrelevance_detection (pooled)" not in scores  # live_irrelevance was not run


def test_compare_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    a = _results(tmp_path / "a", [("x", "simple", True)])
    b = _results(tmp_path / "b", [("y", "simple", True)])
    assert_one_line_error(invoke(["eval", "compare", str(a), str(tmp_path / "none")], capsys),
                          f"file {tmp_path / 'none'}", "no such results file")
    assert_one_line_error(invoke(["eval", "compare", str(a), str(b)], capsys), "no case id in common")
    (b / "results.jsonl").write_text('{"id": "x", "category": "simple", "valid": true}\n[1]\n{"id": "z"}\n')
    assert_one_line_error(invoke(["eval", "compare", str(a), str(b)], capsys), "record 2", "field id")
    with pytest.raises(InputError):
        compare_results(a, tmp_path / "none")


def test_compare_prints_and_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    a = _results(tmp_path / "a", [(f"c{i}", "simple", i < 2) for i in range(8)])
    b = _results(tmp_path / "b", [(f"c{i}", "simple", True) for i in range(8)])
    code, out, _ = invoke(["eval", "compare", str(a), str(b), "--json", str(tmp_path / "c.json")], capsys)
    assert code == 0 and "+75.00" in out
    figures = json.loads((tmp_path / "c.json").read_text())["categories"]
    assert figures[-1]["category"] == ALL and figures[-1]["only_b"] == 6
    assert figures[-1]["p_value"] == pytest.approx(2 / 64)
