"""The evolve stage's report section: one row per round with counts, QC, speed, dev and BFCL."""

from __future__ import annotations

from toolgym.evolve.report import evolve_report


def test_report_rows_per_round():
    base = {"round": 0, "metrics": {"dev": 0.4, "bfcl": {"non_live_ast": 0.25}}}
    one = {"round": 1, "queries": 10, "kept": 6, "dropped_by_reason": {"vote_tie": 3, "tools_json": 1},
           "mean_agreement": 0.72, "label_precision": {"exact": 0.5, "values": 0.6667, "with_gold": 6},
           "tool_diversity": {"distinct_names": 5, "tools": 8, "parameter_count_mean": 1.5,
                              "parameter_count_stdev": 0.5},
           "seconds": 12.4, "timings": {"tools": {"queries_per_second": 2.5}, "invoke": {"queries_per_second": 1.25}},
           "metrics": {"dev": 0.46}}
    text = evolve_report("evolve", {"best_round": 1, "rounds": [base, one]})
    rows = [line for line in text.splitlines() if line.startswith("| 0 ") or line.startswith("| 1 ")]
    assert rows[0] == "| 0 | – | – | – | – | – | – | 40.0 | 25.0 |"
    assert rows[1] == ("| 1 | 6/10 | vote_tie 3, tools_json 1 | 72.0 | 50.0 / 66.7 (n=6) | 5/8, 1.5±0.5 | 12 | "
                       "46.0 | – |")
    assert rows[2] == "| 1 | 2.50 | 1.25 | – |"
    assert "Kept: round 1" in text
