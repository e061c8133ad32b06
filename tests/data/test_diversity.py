"""Distinct-bigram ratios and the comparison with BFCL on equal-size samples."""

from __future__ import annotations

from toolgym.data.diversity import compare_with_bfcl, distinct_bigrams, mean_words
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
