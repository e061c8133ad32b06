"""models.copybias: the argument cursor, the span continuations and the bias in decoding, on the embedded model."""

from __future__ import annotations

import pytest
import torch

from toolgym.core.formats import parse_calls, render_prompt
from toolgym.models.constrain import CallPolicy
from toolgym.models.copybias import ArgumentCursor, RowCopyBias, RowNextCallBias, TokenTexts, copy_source
from toolgym.models.generate import TransformersGenerator

CALL = ('<tool_call>\n{"name": "x", "arguments": {"team": "Man U", "n": 12000, "tags": ["a b", "c"], '
        '"deep": {"k": -3.5}}}\n</tool_call>')


@pytest.fixture(scope="module")
def texts(smol):
    model, tokenizer = smol
    return TokenTexts(tokenizer, model.get_output_embeddings().weight.shape[0])


def texts_tokens(texts: TokenTexts, text: str) -> list[int]:
    """Ids that spell `text`, greedily longest first (the bias rows only read each token's text)."""
    ids, i = [], 0
    while i < len(text):
        for end in range(min(len(text), i + 24), i, -1):
            if text[i:end] in texts.ids:
                ids.append(texts.ids[text[i:end]][0])
                i = end
                break
        else:
            raise AssertionError(f"no token spells {text[i:]!r}")
    return ids


def _states(text: str) -> list[tuple[str, str | None, str]]:
    """(character, state after it, value so far) for each character of `text`."""
    cursor, out = ArgumentCursor(), []
    for ch in text:
        cursor.feed(ch)
        out.append((ch, cursor.writing(), cursor.value))
    return out


def test_cursor_marks_argument_values_only():
    states = _states("Prose with {\"a\": 1} first. " + CALL)
    assert all(s is None for ch, s, _ in states[:27])  # prose, even with JSON in it, before a call opens
    written = {}
    for _ch, state, value in states:
        if state in ("string", "number"):
            written[value] = state
    # the name's value and every key are not argument values; strings in arrays and nested objects are
    assert {v for v, s in written.items() if s == "string"} >= {"Man U", "a b", "c"}
    assert {v for v, s in written.items() if s == "number"} >= {"12000", "-3.5"}
    assert not any(v.startswith(("x", "team", "arguments", "tags", "deep", "k")) and s == "string"
                   for v, s in written.items())
    after_colon = [s for (ch, s, _), nxt in zip(states, states[1:], strict=False) if ch == ":" and nxt[0] == " "]
    assert after_colon[:2] == [None, None] and "start" in after_colon  # "name", "arguments": not values
    assert states[-1][1] is None  # the call closed


def test_continuations_follow_spans_of_the_source(texts):
    source = "the next 6 games of Manchester United, 12,000 miles"
    row = RowCopyBias(texts, source, 2.0)
    row.cursor.feed('<tool_call>\n{"name": "x", "arguments": {"team": "')
    start = {texts.texts[i] for i in row.bonus_ids()}
    assert {"M", "Man", "United"} <= start and not any('"' in t for t in start)
    assert "anchester" not in start  # a string starts at a word, not inside one
    row.cursor.feed("Manc")
    assert not row.bonus_ids() & texts.closers["string"]  # inside a word: no bonus for ending the value
    row.cursor.feed("hester")
    ended = row.bonus_ids()
    assert {texts.texts[i] for i in ended} >= {" ", " United", '"', '",'}  # going on or ending, alike
    row.cursor.feed(" Uni")
    assert {texts.texts[i] for i in row.bonus_ids()} == {"t", "te", "ted"} & set(texts.ids)
    row.cursor.feed('ted", "n": ')
    assert {texts.texts[i] for i in row.bonus_ids()} == {"6", "1"} & set(texts.ids)  # numbers' starts
    row.cursor.feed("12")
    assert {texts.texts[i] for i in row.bonus_ids()} == {"0"}  # 12,000 read as 12000; never the comma
    row.cursor.feed("000")
    assert "," in {texts.texts[i] for i in row.bonus_ids()} and "0" not in {texts.texts[i] for i in row.bonus_ids()}
    row.cursor.feed("7")
    assert not row.bonus_ids()  # off every span: no bonus


def test_copy_source_is_the_conversation():
    assert copy_source("sys <tools>\n{...}\n</tools>\nuser: hi") == "\nuser: hi"
    assert copy_source("no tools here") == "no tools here"


def test_bias_copies_a_value_the_model_would_not_write(smol):
    """Forced to call, the untrained model writes a town it knows; the copy bias makes it the one asked about."""
    model, tokenizer = smol
    tool = {"type": "function", "function": {"name": "lookup", "description": "Look up a record.", "parameters": {
        "type": "object", "properties": {"name": {"type": "string"}, "year": {"type": "integer"}},
        "required": ["name", "year"]}}}
    query = "What happened in the town of Llanfairpwll in 1850?"
    prompt = render_prompt(tokenizer, [{"role": "user", "content": query}], [tool])

    def arguments(copy_bias: float) -> dict:
        policy = CallPolicy(constrain=True, tool_choice="required", copy_bias=copy_bias)
        gen = TransformersGenerator(model, tokenizer, batch_size=2, dtype="float32", progress=False, policy=policy)
        text = gen.generate([prompt], max_new_tokens=40, tools=[[tool]])[0][0]
        return parse_calls(text, "hermes").calls[0].arguments

    assert arguments(0.0)["name"] not in query  # the plain model does not copy it
    assert arguments(3.0) == {"name": "Llanfairpwll", "year": 1850}
    assert CallPolicy(copy_bias=1.5).identity()["copy_bias"] == 1.5
    assert "copy_bias" not in CallPolicy(constrain=True).identity()  # earlier runs keep their identity


def _after(text: str) -> list[tuple[str, bool]]:
    """(character, whether a top-level argument value stands before the next character) for each character."""
    cursor, out = ArgumentCursor(), []
    for ch in text:
        cursor.feed(ch)
        out.append((ch, cursor.after_argument() == "after"))
    return out


def test_cursor_knows_where_another_parameter_may_follow():
    states = _after(CALL)
    prefix = '<tool_call>\n{"name": "x", "arguments": {'
    assert not any(flag for _, flag in states[:len(prefix)])  # the name and the arguments' opening: never
    marked = "".join(ch if flag else "_" for ch, flag in states)
    # after the closing quote of a string value, the digits of a number, a closed array or object; never inside a
    # string, after a key, a colon or a comma, inside the array or the nested object
    assert marked.replace("_", "") == '"12000]}'  # "Man U" closed, 12000, the tags array, the deep object
    assert not states[-1][1]  # the call closed


def test_continue_bias_asks_for_the_optional_parameter_the_question_states(smol):
    """Forced to call, the untrained model closes after the required city; the continue bias makes it go on to the
    unit the question asks for (the comma comes in the string's closing token, `",`). A tool with nothing left to
    add decodes the same with and without it."""
    model, tokenizer = smol
    props = {"city": {"type": "string"}, "unit": {"type": "string"}}
    tool = {"type": "function", "function": {"name": "f", "description": "A tool.",
                                             "parameters": {"type": "object", "properties": props,
                                                            "required": ["city"]}}}
    only = {"type": "function", "function": {"name": "f", "description": "A tool.",
                                             "parameters": {"type": "object", "properties": {"city": props["city"]},
                                                            "required": ["city"]}}}
    query = "What is the weather in Paris right now, in fahrenheit?"

    def answer(bias: float, t: dict) -> str:
        prompt = render_prompt(tokenizer, [{"role": "user", "content": query}], [t])
        policy = CallPolicy(constrain=True, tool_choice="required", continue_bias=bias)
        gen = TransformersGenerator(model, tokenizer, batch_size=2, dtype="float32", progress=False, policy=policy)
        return gen.generate([prompt], max_new_tokens=40, tools=[[t]])[0][0]

    plain, pushed = (parse_calls(answer(b, tool), "hermes").calls[0].arguments for b in (0.0, 3.0))
    assert plain == {"city": "Paris"}
    assert list(pushed) == ["city", "unit"] and pushed["city"] == "Paris"  # (its value is the untrained model's)
    assert answer(3.0, only) == answer(0.0, only)  # no parameter left: the grammar masks the comma
    assert CallPolicy(continue_bias=1.0).identity()["continue_bias"] == 1.0
    assert "continue_bias" not in CallPolicy(constrain=True).identity()  # earlier runs keep their identity


def test_next_call_bias_asks_for_the_calls_the_question_lists_and_stops_at_a_repeat(smol):
    """Forced to call, the untrained model stops after two of three cities; the next-call bias makes it go on to
    the third, and once it repeats a call the bonus stops (the repeat then ends the answer or loops unbiased)."""
    model, tokenizer = smol
    tool = {"type": "function", "function": {"name": "weather", "description": "Current weather of a city.",
                                             "parameters": {"type": "object",
                                                            "properties": {"city": {"type": "string"}},
                                                            "required": ["city"]}}}
    prompt = render_prompt(tokenizer, [{"role": "user", "content": "Weather in Paris, Rome and Oslo, please."}],
                           [tool])

    def cities(bias: float) -> list[str]:
        policy = CallPolicy(constrain=True, tool_choice="required", copy_bias=2.0, next_call_bias=bias,
                            distinct_calls=True)
        gen = TransformersGenerator(model, tokenizer, batch_size=2, dtype="float32", progress=False, policy=policy)
        text = gen.generate([prompt], max_new_tokens=120, tools=[[tool]])[0][0]
        return [call.arguments["city"] for call in parse_calls(text, "hermes").calls]

    assert cities(0.0) == ["Paris", "Rome"]
    assert cities(2.0)[:3] == ["Paris", "Rome", "Oslo"]
    assert CallPolicy(next_call_bias=1.0).identity()["next_call_bias"] == 1.0


def test_next_call_bias_stops_once_a_call_repeats(texts):
    row = RowNextCallBias(texts, 2.0)
    block = '<tool_call>\n{"name": "w", "arguments": {"city": "%s"}}\n</tool_call>'
    newline = texts.newlines[0]

    def bonus() -> float:
        logits = torch.zeros(len(texts.texts))
        row.apply(logits)
        return float(logits[newline])

    for text in (block % "Paris", "\n", block % "Rome"):
        for token in texts_tokens(texts, text):
            assert bonus() == 0.0 or row.text.endswith("</tool_call>")
            row.accept(token)
    assert bonus() == 2.0  # after a new call: another one is encouraged
    for token in texts_tokens(texts, "\n" + block % "Paris"):
        row.accept(token)
    assert row.looping and bonus() == 0.0  # a repeat: no more bonus
