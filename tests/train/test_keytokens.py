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


# ------------------------------------------------------------------------------------------------ per call

def test_per_call_weights_use_each_calls_own_ratio() -> None:
    """TL-Training: clip(|NK_s| / |K_s|, 1, w_max) per call t_s; a turn's tokens split between its calls."""
    pieces = ['{"name": "', "get", "_weather", '", "arguments": {}}', "\n", '{"name": "', "get", "_stock",
              '", "arguments": {"symbol": "AAPL", "exchange": "NASDAQ", "currency": "USD"}}', "<end>"]
    text = "".join(pieces)
    offsets = _offsets(pieces)
    keys = key_token_indices(offsets, find_names(text, ["get_weather", "get_stock"]),
                             ["get_weather", "get_stock"])
    assert keys == {1, 2, 6, 7} and [c.start for c in keys.calls] == [1, 6]
    target = [True] * len(pieces)
    # call 1 owns tokens 0..5 (its keys 1, 2; NK = 4 -> 2.0); call 2 owns 6..9 (keys 6, 7; NK = 2 -> 1.0)
    assert pkt_weights(target, keys) == [1, 2.0, 2.0, 1, 1, 1, 1.0, 1.0, 1, 1]
    # one ratio per example: |K| = 4, |NK| = 6 -> 1.5 everywhere
    assert pkt_weights(target, keys, normalise="per_example") == [1, 1.5, 1.5, 1, 1, 1, 1.5, 1.5, 1, 1]
    # two turns (a gap of prompt tokens between them): each call owns its own turn only
    split = [True] * 5 + [False] + [True] * 4
    weights = pkt_weights(split, keys)
    assert weights[5] == 0 and weights[1] == weights[2] == key_weight(2, 3) == 1.5
    with pytest.raises(ValueError, match="normalise"):
        pkt_weights(target, keys, normalise="per_token")  # type: ignore[arg-type]


def test_argument_offsets_find_names_and_values() -> None:
    from toolgym.train.keytokens import argument_offsets

    text = '{"name": "f", "arguments": {"city": "Paris", "days": 3, "opts": {"a": [1, ","]}, "e": ""}}, {"x": 1}'
    found = [text[i:i + 4] for i in argument_offsets(text, text.index('"f"') + 2)]
    assert found == ['city', 'Pari', 'days', '3, "', 'opts', '{"a"', 'e": ', '""}}']
    py = "[f(city='Pa, \\'x', n=-2), g(y=1)]"
    assert [py[i:i + 3] for i in argument_offsets(py, 2)] == ["cit", "Pa,", "n=-", "-2)"]
    assert argument_offsets('{"name": "f", "arguments": {}}', 11) == []
    assert argument_offsets('{"name": "f"} and no arguments', 11) == []


# ------------------------------------------------------------------------------------------------ real tokens

def _tool(name: str, props: dict[str, str]) -> dict:
    return {"type": "function", "function": {"name": name, "description": f"{name}.", "parameters": {
        "type": "object", "properties": {p: {"type": t, "description": p} for p, t in props.items()},
        "required": list(props)}}}


PARALLEL = {"id": "p", "type": "parallel", "messages": [{"role": "user", "content": "Weather and stock"}],
            "tools": [_tool("get_weather", {"city": "string"}), _tool("get_weather_forecast", {"city": "string"}),
                      _tool("get_stock_quote", {"symbol": "string", "exchange": "string", "note": "string"})],
            "gold": [{"name": "get_weather", "arguments": {"city": "Oslo"}},
                     {"name": "get_stock_quote", "arguments": {
                         "symbol": "AAPL", "exchange": "NASDAQ", "note": "a rather long note about the quote "
                                                                          "that makes this call much longer"}}]}


@pytest.fixture(scope="module")
def tokenizer():
    from toolgym.data.stats import load_tokenizer

    return load_tokenizer()


def _encode(config_keys: dict, tokenizer) -> tuple[dict, str, list[tuple[int, int]]]:
    from toolgym.core.schema import Sample
    from toolgym.data.tasks import examples_for, render_example
    from toolgym.train.config import SFTStageConfig
    from toolgym.train.sft import encode_example

    [example] = examples_for(Sample.from_record(PARALLEL), "invocation")
    row = encode_example(example, tokenizer, SFTStageConfig(pkt=True, **config_keys))
    text = render_example(example, tokenizer).text
    offsets = [tuple(o) for o in tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]]
    return row, text, offsets


def test_real_tokens_per_call_by_default(tokenizer) -> None:
    from toolgym.train.sft import IGNORE

    row, text, offsets = _encode({"pkt_w_max": 100.0}, tokenizer)  # no clipping: the ratios show
    target = [label != IGNORE for label in row["labels"]]
    candidates = [t["function"]["name"] for t in PARALLEL["tools"]]
    starts = {name: text.rindex(f'"{name}"') + 1 for name in ("get_weather", "get_stock_quote")}
    expected = {name: sorted({token_at(offsets, start + rel) for rel in key_char_offsets(name, candidates)})
                for name, start in starts.items()}
    assert len(expected["get_weather"]) == 3  # its first token, where get_stock_quote and the forecast diverge
    split = token_at(offsets, starts["get_stock_quote"])
    first_call = [i for i in range(split) if target[i]]
    second_call = [i for i in range(split, len(target)) if target[i]]
    assert [i for i in first_call if row["weights"][i] > 1] == expected["get_weather"]
    assert [i for i in second_call if row["weights"][i] > 1] == expected["get_stock_quote"]
    k1, k2 = len(expected["get_weather"]), len(expected["get_stock_quote"])
    w1, w2 = key_weight(k1, len(first_call) - k1, 100.0), key_weight(k2, len(second_call) - k2, 100.0)
    assert {row["weights"][i] for i in expected["get_weather"]} == {w1}
    assert {row["weights"][i] for i in expected["get_stock_quote"]} == {w2}
    assert 1 < w1 < w2  # the longer call's keys weigh more: each call has its own ratio
    per_example, _, _ = _encode({"pkt_normalise": "per_example", "pkt_w_max": 100.0}, tokenizer)
    assert {w for w in per_example["weights"] if w > 1} == {key_weight(k1 + k2, sum(target) - k1 - k2, 100.0)}


def test_real_tokens_parameter_boundaries(tokenizer) -> None:
    row, text, offsets = _encode({"pkt_param_keys": True}, tokenizer)
    plain, _, _ = _encode({}, tokenizer)
    extra = [i for i, (a, b) in enumerate(zip(row["weights"], plain["weights"], strict=True)) if a > 1 and b <= 1]
    decoded = [tokenizer.decode([row["input_ids"][i]]).strip(' "') for i in extra]
    # city, Oslo; symbol, AAPL, exchange, NASDAQ, note, a (the first token of each name and value)
    assert len(extra) == 8
    assert decoded[0].startswith("c") and decoded[1].startswith("O") and decoded[2].startswith("s")
    assert "".join(decoded).startswith("c") and any(d.startswith("N") for d in decoded)
