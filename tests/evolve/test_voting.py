"""Majority voting over sampled invocations: ties, parallel-call order, value normalisation, no-call majorities."""

from __future__ import annotations

import pytest

from toolgym.core.formats import render_calls
from toolgym.core.schema import Tool, ToolCall
from toolgym.evolve.voting import majority_vote, required_votes, sample_calls, vote_texts


def C(name: str, **args) -> ToolCall:
    return ToolCall(name, args)


A = [C("get_weather", city="Paris")]
B = [C("get_weather", city="Rome")]


def test_clear_majority_wins_with_agreement():
    vote = majority_vote([A, A, A, B, None])
    assert vote.outcome == "call"
    assert vote.calls == A
    assert (vote.votes, vote.k, vote.abstained, vote.distinct) == (3, 5, 1, 2)
    assert vote.agreement == pytest.approx(0.6)


def test_tie_is_not_a_label():
    vote = majority_vote([A, A, B, B, None])
    assert vote.outcome == "tie"
    assert vote.calls == []
    assert vote.votes == 2


def test_three_way_tie_of_singles():
    assert majority_vote([A, B, [C("x")]], min_agreement=0.1).outcome == "tie"


def test_parallel_calls_vote_together_in_any_order():
    first = [C("a", x=1), C("b", y="z")]
    swapped = [C("b", y="z"), C("a", x=1)]
    vote = majority_vote([first, swapped, swapped, B, B])
    assert vote.outcome == "call"
    assert vote.votes == 3
    assert vote.calls == first  # the first sample of the winning answer is the label


def test_values_are_normalised_numbers_and_spaces():
    vote = majority_vote([[C("f", n=5)], [C("f", n=5.0)], [C("f", n=5, s=None)], [C("f", n=6)]],
                         min_agreement=0.5)
    assert vote.outcome == "call" and vote.votes == 2
    assert majority_vote([[C("f", s=" Paris")], [C("f", s="Paris ")], [C("f", s="Rome")]]).votes == 2


def test_bool_is_not_a_number_and_case_matters_unless_loose():
    assert majority_vote([[C("f", v=True)], [C("f", v=1)]], min_agreement=0.5).outcome == "tie"
    strict = majority_vote([[C("f", s="New York")], [C("f", s="new-york")], [C("f", s="Boston")]])
    loose = majority_vote([[C("f", s="New York")], [C("f", s="new-york")], [C("f", s="Boston")]],
                          loose_strings=True)
    assert strict.outcome == "tie"
    assert loose.outcome == "call" and loose.votes == 2


def test_min_agreement_threshold():
    assert required_votes(5, 0.6) == 3
    assert required_votes(5, 0.2) == 1
    assert required_votes(3, 1.0) == 3
    low = majority_vote([A, A, B, [C("x")], None], min_agreement=0.6)
    assert low.outcome == "low_agreement" and low.votes == 2
    assert majority_vote([A, A, B, [C("x")], None], min_agreement=0.4).outcome == "call"


def test_no_call_majority_and_no_votes():
    vote = majority_vote([[], [], [], A, None])
    assert vote.outcome == "no_call" and vote.votes == 3 and vote.calls == []
    assert majority_vote([None, None]).outcome == "no_votes"
    assert majority_vote([]).outcome == "no_votes"


def test_vote_texts_parses_hermes_and_prose():
    tools = [Tool("get_weather", "Weather.", {"type": "object", "properties": {"city": {"type": "string"}}})]
    good = render_calls(A, "hermes")
    texts = [good, good, "It is sunny.", "<tool_call>{broken", good]
    assert sample_calls("It is sunny.", tools) == []
    assert sample_calls("<tool_call>{broken", tools) is None
    vote = vote_texts(texts, tools)
    assert vote.outcome == "call" and vote.votes == 3 and vote.abstained == 1
    assert vote.calls[0].name == "get_weather" and vote.calls[0].arguments == {"city": "Paris"}
