"""eval.metrics: BFCL v4 aggregation rules, TS/PI/CF rates, error counts, summary files."""

from __future__ import annotations

import json

import pytest

from toolgym.eval.bfcl import CATEGORIES
from toolgym.eval.metrics import bfcl_aggregates, category_scores, mean_interval, summarize, wilson_interval


def rows(category: str, n: int, correct: int, **extra) -> list[dict]:
    return [{"id": f"{category}_{i}", "category": category, "valid": i < correct, "ts": i < correct + 1,
             "pi": i < correct, "cf": i < correct, "error_type": None if i < correct else "value_error:string",
             "error_category": None if i < correct else "others", **extra} for i in range(n)]


def test_non_live_is_unweighted_and_live_is_weighted() -> None:
    data = (rows("simple_python", 4, 4) + rows("multiple", 2, 0) + rows("parallel", 2, 1) + rows("parallel_multiple", 2, 1)
            + rows("live_simple", 8, 8) + rows("live_multiple", 2, 0) + rows("live_parallel", 0, 0)
            + rows("live_parallel_multiple", 0, 0))
    cats = category_scores(data)
    agg = bfcl_aggregates(cats)
    assert agg["non_live_ast"] == pytest.approx((1 + 0 + 0.5 + 0.5) / 4)  # not 6/10
    assert agg["live_ast"] is None  # live_parallel was not run
    data += rows("live_parallel", 1, 1) + rows("live_parallel_multiple", 1, 0)
    agg = bfcl_aggregates(category_scores(data))
    assert agg["live_ast"] == pytest.approx(9 / 12)
    both = category_scores(rows("irrelevance", 4, 4) + rows("live_irrelevance", 10, 5))
    assert bfcl_aggregates(both)["irrelevance_detection"] == pytest.approx(0.75)
    assert not set(bfcl_aggregates(both)) & set(CATEGORIES)  # recipes merge both into one metrics dict


def test_summary_counts_and_files(tmp_path) -> None:
    summary = summarize(rows("simple_python", 4, 3) + rows("live_relevance", 2, 1), "demo", bfcl=True)
    assert summary.categories["simple_python"].ts == 1.0 and summary.categories["simple_python"].cf == 0.75
    assert summary.categories["overall"].n == 6 and summary.accuracy == 4 / 6
    assert summary.error_types == {"value_error:string": 2} and summary.error_categories == {"others": 2}
    assert summary.aggregates["relevance"] == 0.5 and summary.aggregates["non_live_ast"] is None
    summary.write(tmp_path)
    assert json.loads((tmp_path / "summary.json").read_text())["categories"]["simple_python"]["correct"] == 3
    md = (tmp_path / "summary.md").read_text()
    assert "| simple_python | 4 | 75.00 | 30.1–95.4 | 100.00 | 75.00 | 75.00 |" in md
    assert "| relevance | 50.00 | 9.5–90.5 |" in md


def test_wilson_intervals_match_reference_values() -> None:
    """statsmodels' proportion_confint(x, n, method="wilson") gives these (not installed here: known values)."""
    assert wilson_interval(5, 10) == pytest.approx((0.2365931, 0.7634069), abs=1e-6)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775328), abs=1e-6)
    assert wilson_interval(10, 10) == pytest.approx((0.7224672, 1.0), abs=1e-6)
    low, high = mean_interval([(4, 4), (0, 2), (1, 2), (1, 2)])
    assert low < 0.5 < high and high - low > 0.3  # 10 cases: wide
    narrow = mean_interval([(400, 400), (0, 200), (100, 200), (100, 200)])
    assert narrow[0] < 0.5 < narrow[1] and narrow[1] - narrow[0] < 0.1
    assert mean_interval([(0, 50)] * 4)[1] > 0  # no zero-width interval at 0%


def test_summary_has_intervals_and_case_counts(tmp_path) -> None:
    data = rows("simple_python", 10, 5) + rows("multiple", 10, 5) + rows("parallel", 10, 5) + rows("parallel_multiple", 10, 5)
    summary = summarize(data, "demo", bfcl=True)
    summary.write(tmp_path)
    saved = json.loads((tmp_path / "summary.json").read_text())
    assert saved["categories"]["multiple"]["n"] == 10
    assert saved["categories"]["multiple"]["ci95"] == pytest.approx([0.2365931, 0.7634069], abs=1e-6)
    low, high = saved["intervals"]["non_live_ast"]
    assert low < 0.5 < high and high - low < 0.7634069 - 0.2365931  # 40 cases: narrower than one category
    assert "| non_live_ast | 50.00 | " in (tmp_path / "summary.md").read_text()


def test_suite_summary_pools_its_answerable_and_no_call_sides(tmp_path) -> None:
    data = rows("single", 10, 6) + rows("parallel", 10, 2) + rows("no_tool", 6, 3) + rows("zero_to_one_without", 4, 4)
    summary = summarize(data, "dev")
    assert summary.aggregates["answerable"] == pytest.approx(8 / 20)  # pooled, not the mean of 60% and 20%
    assert summary.aggregates["no_call"] == pytest.approx(7 / 10)
    assert summary.intervals["no_call"] == pytest.approx(wilson_interval(7, 10))
    summary.write(tmp_path)
    assert "| no_call | 70.00 | " in (tmp_path / "summary.md").read_text()
    only_calls = summarize(rows("single", 5, 5), "dev")
    assert "no_call" not in only_calls.aggregates and only_calls.aggregates["answerable"] == 1.0
    assert "answerable" not in summarize(rows("simple_python", 5, 1), "robust").aggregates  # not a suite's types
    assert "answerable" not in summarize(rows("simple_python", 5, 1), "bfcl", bfcl=True).aggregates


def test_limited_live_ast_is_labelled_a_subset(tmp_path) -> None:
    data = (rows("live_simple", 8, 8) + rows("live_multiple", 2, 0) + rows("live_parallel", 1, 1)
            + rows("live_parallel_multiple", 1, 0))
    full = {"live_simple": 8, "live_multiple": 2, "live_parallel": 1, "live_parallel_multiple": 1}
    complete = summarize(data, "demo", bfcl=True, totals=full)
    assert complete.aggregates["live_ast"] == pytest.approx(9 / 12) and not complete.subset
    limited = summarize(data, "demo", bfcl=True, totals={**full, "live_simple": 258})
    assert "live_ast" not in limited.aggregates  # weighted by the subset's counts: not BFCL's live AST
    assert limited.aggregates["live_ast_subset"] == pytest.approx(9 / 12)
    assert limited.subset == {"live_ast_subset": 12} and "live_ast_subset" in limited.intervals
    limited.write(tmp_path)
    assert "| live_ast_subset (subset of 12 cases) | 75.00 |" in (tmp_path / "summary.md").read_text()
    assert json.loads((tmp_path / "summary.json").read_text())["subset"] == {"live_ast_subset": 12}


def test_limited_bfcl_run_marks_subset_aggregates(tmp_path) -> None:
    from toolgym.eval.runner import run_bfcl_reference

    summary = run_bfcl_reference("ast", limit=2, out_dir=tmp_path, progress=False)
    assert "live_ast" not in summary.aggregates and summary.aggregates["live_ast_subset"] is not None
    assert summary.subset == {"non_live_ast": 8, "live_ast_subset": 8}


def test_answers_are_counted_by_calls_decoded() -> None:
    shaped = [{**r, "decoded": [{"f": {}}] * k} for r, k in zip(rows("parallel", 5, 1), (0, 0, 1, 2, 3), strict=True)]
    summary = summarize(shaped, "shape", bfcl=True)
    assert summary.categories["parallel"].calls == [2, 1, 2]
    assert summary.categories["overall"].calls == [2, 1, 2]
    assert "| parallel | 5 |" in summary.markdown() and "| 2 / 1 / 2 |" in summary.markdown()
    unshaped = summarize(rows("parallel", 2, 1), "no decoded field")  # e.g. multi-turn rows
    assert unshaped.categories["parallel"].calls is None and "| n/a |" in unshaped.markdown()


def test_answers_are_counted_against_the_gold_call_count() -> None:
    made, gold = (0, 1, 2, 2, 3, 4), (2, 2, 2, 3, 3, 2)
    shaped = [{**r, "decoded": [{"f": {}}] * k, "gold_calls": g}
              for r, k, g in zip(rows("parallel_multiple", 6, 2), made, gold, strict=True)]
    summary = summarize(shaped, "counts", bfcl=True)
    assert summary.categories["parallel_multiple"].versus_gold == [3, 2, 1]  # fewer / as many / more
    assert "| 3 / 2 / 1 |" in summary.markdown()
    older = [{**r, "decoded": []} for r in rows("irrelevance", 2, 2)]  # results written before gold_calls
    assert summarize(older, "old", bfcl=True).categories["irrelevance"].versus_gold is None


def test_summary_counts_the_parameters_first_errors_name() -> None:
    named = [{**r, "valid": False, "param": p} for r, p in zip(rows("simple_python", 5, 5), "aabcN", strict=True)]
    named[-1]["param"] = None
    summary = summarize(named + [{**r, "param": "z"} for r in rows("multiple", 2, 2)], "params", bfcl=True)
    assert summary.error_params == {"a": 2, "b": 1, "c": 1}  # right answers and errors without one count none
    assert "| parameter of the first error (top 10) | count |" in summary.markdown()
    assert "| a | 2 |" in summary.markdown()


def test_result_rows_carry_the_gold_call_count() -> None:
    from toolgym.eval.bfcl import load_bfcl_cases
    from toolgym.eval.runner import result_row

    cases = {c: load_bfcl_cases(c, limit=1)[0] for c in ("parallel_multiple", "irrelevance")}
    answer = cases["parallel_multiple"].answer
    assert result_row(cases["parallel_multiple"], "no call")["gold_calls"] == len(answer) >= 2
    assert result_row(cases["irrelevance"], "no call")["gold_calls"] == 0
