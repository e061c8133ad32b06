"""Distinct-bigram ratios and the comparison with BFCL on equal-size samples."""

from __future__ import annotations

from toolgym.data.diversity import (
    bfcl_calls,
    call_group_profile,
    compare_with_bfcl,
    distinct_bigrams,
    mean_words,
    varied_arguments,
)
from toolgym.data.synth import write_dataset


def test_distinct_bigrams_and_lengths():
    assert distinct_bigrams(["a b c", "a b c"]) == 0.5
    assert distinct_bigrams(["a b", "c d"]) == 1.0
    assert mean_words(["one two", "three"]) == 1.5


def test_compare_with_bfcl_uses_equal_samples(tmp_path):
    write_dataset(tmp_path, 120, 0, n_test=5)
    profiles = compare_with_bfcl(tmp_path / "train.jsonl")
    ours, bfcl = profiles["dataset"], profiles["bfcl_non_live"]
    assert ours["queries"] == bfcl["queries"] == 120
    assert ours["descriptions"] == bfcl["descriptions"]
    assert 0 < ours["query_distinct_2"] <= 1 and bfcl["query_mean_words"] > 10


def test_varied_arguments_counts_the_arguments_a_repeated_function_changes():
    calls = [("tax", {"amount": 30.45, "city": "Chicago", "rate": 1}), ("tax", {"amount": 52.33, "city": "Austin",
                                                                               "rate": 1}),
             ("gcd", {"a": 4, "b": 6}), ("gcd", {"a": 4, "b": 9}), ("area", {"r": 2})]
    assert sorted(varied_arguments(calls)) == [1, 2]
    profile = call_group_profile([calls, [("area", {"r": 1})]])
    assert profile == {"call_groups": 2, "call_groups_varying_2plus": 0.5}


def test_bfcl_parallel_answers_mostly_vary_several_arguments():
    profile = call_group_profile(bfcl_calls(["parallel"]))
    assert profile["call_groups"] == 200 and profile["call_groups_varying_2plus"] == 0.67  # 134 of 200
