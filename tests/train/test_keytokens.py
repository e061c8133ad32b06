"""PKT key tokens and weights on hand-made tokenizations."""

from __future__ import annotations

import pytest

from toolgym.train.keytokens import (
    divergence_index,
    find_names,
    key_char_offsets,
    key_token_indices,
    key_weight,
    pkt_weights,
    token_at,
)


def _offsets(pieces: list[str]) -> list[tuple[int, int]]:
    """Character spans of consecutive pieces (a hand-made tokenization)."""
    spans, pos = [], 0
    for piece in pieces:
        spans.append((pos, pos + len(piece)))
        pos += len(piece)
    return spans


def test_divergence_index_cases() -> None:
    assert divergence_index("get_weather", "get_stock") == 4
    assert divergence_index("get_weather", "send_email") is None  # no shared prefix
    assert divergence_index("get_weather", "get_weather") is None  # the gold itself
    assert divergence_index("get_weather_forecast", "get_weather") == 11  # the candidate is a prefix
    assert divergence_index("get_weather", "get_weather_forecast") == 11  # the gold is a prefix: char after it
    assert key_char_offsets("get_weather", ["get_weather", "get_stock", "gps", "send"]) == [0, 1, 4]


def test_weights_on_hand_made_tokenization() -> None:
    pieces = ['<tool_call>\n{"', "name", '":', ' "', "get", "_weather", '",', ' "', "arguments", '":', " {}}"]
    text = "".join(pieces)
    offsets = _offsets(pieces)
    occurrences = find_names(text, ["get_weather"])
    assert occurrences == [(text.index("get_weather"), "get_weather")]
    keys = key_token_indices(offsets, occurrences, ["get_weather", "get_stock", "send_email"])
    assert keys == {4, 5}  # "get" starts the name; "_weather" holds the 'w' where get_stock diverges
    target = [True] * len(pieces)
    # |K| = 2, |NK| = 9 -> key weight clip(9 / 2, 1, 9) = 4.5
    assert pkt_weights(target, keys, w_max=9.0) == [1, 1, 1, 1, 4.5, 4.5, 1, 1, 1, 1, 1]


def test_weights_only_on_target_tokens_and_clipped() -> None:
    # prompt tokens (mask False) get 0 and do not count in |NK|
    target = [False, False, True, True, True, True]
    assert pkt_weights(target, {2}, w_max=9.0) == [0, 0, 3.0, 1, 1, 1]
    assert pkt_weights(target, {0, 2}, w_max=9.0) == [0, 0, 3.0, 1, 1, 1]  # a key outside the target is ignored
    assert key_weight(1, 40, w_max=9.0) == 9.0  # clipped at w_max
    assert key_weight(3, 2, w_max=9.0) == 1.0  # clipped at 1
    assert key_weight(0, 10) == 1.0
    assert pkt_weights([True, True], set()) == [1.0, 1.0]


def test_names_found_in_order_as_whole_identifiers() -> None:
    text = '{"name": "get_weather_forecast"} {"name": "get_weather"} {"name": "get_weather"}'
    found = find_names(text, ["get_weather", "get_weather"])
    assert found == [(text.index('"get_weather"') + 1, "get_weather"),
                     (text.rindex('"get_weather"') + 1, "get_weather")]
    assert find_names(text, ["missing"]) == []


def test_token_at_skips_empty_spans() -> None:
    offsets = [(0, 0), (0, 3), (3, 3), (3, 8)]
    assert token_at(offsets, 0) == 1
    assert token_at(offsets, 3) == 3
    assert token_at(offsets, 9) is None


@pytest.mark.parametrize("gold,candidate,expected_key_text", [
    ("search_flights", "search_hotels", "_fl"),
    ("get_weather", "get_weather_forecast", '"}'),  # gold is a prefix: the closing token
])
def test_divergence_key_token_text(gold: str, candidate: str, expected_key_text: str) -> None:
    pieces = ['{"name": "', "search" if gold.startswith("search") else "get",
              "_fl" if gold.startswith("search") else "_weather",
              "ights" if gold.startswith("search") else "", '"}']
    pieces = [p for p in pieces if p]
    text = "".join(pieces)
    keys = key_token_indices(_offsets(pieces), find_names(text, [gold]), [gold, candidate])
    assert {pieces[k] for k in keys} == {pieces[1], expected_key_text}
