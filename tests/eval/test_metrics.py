"""eval.metrics: BFCL v4 aggregation rules, TS/PI/CF rates, error counts, summary files."""

from __future__ import annotations

import json

import pytest

from toolgym.eval.bfcl import CATEGORIES
from toolgym.eval.metrics import bfcl_aggregates, category_scores, summarize


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
    assert "| simple_python | 4 | 75.00 | 100.00 | 75.00 | 75.00 |" in md and "| relevance | 50.00 |" in md
