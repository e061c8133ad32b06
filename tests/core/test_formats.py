"""Parsing model text into calls (hermes / json / python), rendering calls and prompts; fuzzing."""

from __future__ import annotations

import copy
import json
import random
import statistics
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolgym.core import formats
from toolgym.core.checker import ErrorCategory, Verdict, check_calls, check_text, classify_feedback
from toolgym.core.errors import InputError
from toolgym.core.formats import (
    ParseResult,
    parse_calls,
    render_calls,
    render_prompt,
    supports_tools,
    tool_system_prompt,
)
from toolgym.core.schema import Message, Tool, ToolCall

FACTORIAL = Tool.from_bfcl({
    "name": "math.factorial", "description": "Calculate the factorial of a given number.",
    "parameters": {"type": "dict", "properties": {"number": {"type": "integer", "description": "The number."}},
                   "required": ["number"]}})
WEATHER = Tool(name="get_weather", description="Weather for a city.", parameters={
    "type": "object", "required": ["city"],
    "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]},
                   "days": {"type": "array", "items": {"type": "integer"}},
                   "opts": {"type": "object", "properties": {"hourly": {"type": "boolean"}}}}})
TOOLS = [FACTORIAL, WEATHER]


def calls(*pairs) -> list[ToolCall]:
    return [ToolCall(n, a) for n, a in pairs]


# ------------------------------------------------------------------ hermes

def test_hermes_parallel_calls_with_prose_around():
    text = ('Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n'
            '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Rome"}}\n</tool_call>\nDone.')
    result = parse_calls(text)
    assert result.status == "ok" and result.format == "hermes"
    assert result.calls == calls(("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"}))
    assert result.leftover.split() == ["Let", "me", "check.", "Done."]


@pytest.mark.parametrize("text", [
    '<tool_call>{"name": "f", "arguments": {"a": 1}}',                      # missing closing tag
    '<tool_call>{"name": "f", "arguments": "{\\"a\\": 1}"}</tool_call>',    # arguments as JSON string
    '<tool_call>{"name": "f", "parameters": {"a": 1}}</tool_call>',         # "parameters" key
    '<tool_call>\n```json\n{"name": "f", "arguments": {"a": 1}}\n```\n</tool_call>',  # fenced
    '{"name": "f", "arguments": {"a": 1}}</tool_call>',                     # missing opening tag
    '<tool_call>{"function": {"name": "f", "arguments": {"a": 1}}}</tool_call>',
])
def test_hermes_tolerates_common_slips(text):
    result = parse_calls(text, "hermes")
    assert result.calls == calls(("f", {"a": 1})), text
    assert result.status == "ok"
    assert parse_calls(text).calls == result.calls


@pytest.mark.parametrize("text", [
    "<tool_call>{'name': 'f', 'arguments': {'a': 1, 'b': True, 'c': None}}</tool_call>",  # python dict literal
    "<tool_call>f(a=1, b=True, c=None)</tool_call>",                                      # python call in tags
])
def test_hermes_python_flavoured_blocks(text):
    assert parse_calls(text).calls == calls(("f", {"a": 1, "b": True, "c": None}))
    assert parse_calls("<tool_call>f(__import__('os'))</tool_call>").status == "unparsable"


def test_several_json_calls_in_one_block_or_in_a_row():
    both = calls(("f", {}), ("g", {"x": 1}))
    assert parse_calls('<tool_call>{"name": "f"}\n{"name": "g", "arguments": {"x": 1}}</tool_call>').calls == both
    result = parse_calls('{"name": "f"}\n{"name": "g", "arguments": {"x": 1}}\nbye')
    assert result.calls == both and result.leftover == "bye" and result.format == "json"
    bad_first = parse_calls('<tool_call>{"name": "f", "arguments": {oops}} {"name": "g"}</tool_call>')
    assert bad_first.status == "unparsable"  # a malformed first call is not silently skipped


def test_hermes_closing_tag_inside_a_string_value():
    text = render_calls(calls(("f", {"html": "</tool_call><tool_call>"}), ("g", {})), "hermes")
    assert parse_calls(text).calls == calls(("f", {"html": "</tool_call><tool_call>"}), ("g", {}))


def test_hermes_partial_and_unparsable():
    good = '<tool_call>{"name": "f", "arguments": {}}</tool_call>'
    result = parse_calls(good + '<tool_call>{"name": "g", "argu</tool_call>')
    assert result.status == "partial" and result.calls == calls(("f", {}))
    assert '"name": "g"' in result.leftover
    broken = parse_calls("<tool_call>not json</tool_call>")
    assert broken.status == "unparsable" and broken.calls == [] and "not json" in broken.leftover


# ------------------------------------------------------------------ json

@pytest.mark.parametrize("text", [
    '[{"name": "f", "arguments": {"a": 1}}]',
    '{"name": "f", "arguments": {"a": 1}}',
    '{"type": "function", "function": {"name": "f", "arguments": "{\\"a\\": 1}"}}',
    '[{"f": {"a": 1}}]',                                                    # BFCL decoded form
    '```json\n[{"name": "f", "arguments": {"a": 1}}]\n```',
    '{"tool_calls": [{"id": "x", "type": "function", "function": {"name": "f", "arguments": {"a": 1}}}]}',
])
def test_json_call_shapes(text):
    result = parse_calls(text)
    assert result.calls == calls(("f", {"a": 1})), text
    assert result.status == "ok" and result.format == "json"
    assert parse_calls(text, "json").calls == result.calls


def test_json_data_is_not_a_call():
    for text in ('[1, 2, 3]', '{"temperature": 21}', '[]'):
        assert parse_calls(text).status == "no_call", text
    partial = parse_calls('[{"name": "f", "arguments": {}}, {"name": "g", "arguments": 5}]')
    assert partial.status == "partial" and partial.calls == calls(("f", {}))
    assert parse_calls('[{"name": "f", "arguments": ').status == "unparsable"


# ------------------------------------------------------------------ python

@pytest.mark.parametrize(("text", "expected"), [
    ('[f(a=1), g(b="x")]', calls(("f", {"a": 1}), ("g", {"b": "x"}))),
    ("math.factorial(number=5)", calls(("math.factorial", {"number": 5}))),
    ("[f(a=(1, 2), b=-3.5, c=None, d=True, e={'k': [1]})]",
     calls(("f", {"a": [1, 2], "b": -3.5, "c": None, "d": True, "e": {"k": [1]}}))),
    ("[f(a=true, b=null)]", calls(("f", {"a": True, "b": None}))),
    ("```python\n[f(a=1)]\n```", calls(("f", {"a": 1}))),
    ('[f(**{"from": 1}, to=2)]', calls(("f", {"from": 1, "to": 2}))),
    ("f(a=1)\ng(b=2)", calls(("f", {"a": 1}), ("g", {"b": 2}))),
])
def test_python_calls(text, expected):
    result = parse_calls(text)
    assert result.calls == expected and result.status == "ok" and result.format == "python"


def test_python_positional_arguments_are_not_guessed():
    result = parse_calls("[f(5), g(b=1)]")
    assert result.status == "partial" and result.calls == calls(("g", {"b": 1}))
    assert "f(5)" in result.leftover
    assert parse_calls("[f(5)]").status == "unparsable"


def test_python_never_evaluates():
    for text in ["[f(a=__import__('os').system('echo hacked'))]", "[f(a=1+1)]", "[f(a=x)]", "[f(a=lambda: 1)]"]:
        result = parse_calls(text)
        assert result.calls == [] and result.status == "unparsable", text


def test_python_prose_after_calls_on_the_same_line():
    result = parse_calls("[get_weather(city='Paris')]<|im_end|> I hope this helps (really).")
    assert result.calls == calls(("get_weather", {"city": "Paris"})) and result.status == "ok"
    assert result.leftover == "<|im_end|> I hope this helps (really)."


def test_python_prose_before_calls():
    result = parse_calls("Here you go:\n[get_weather(city='Paris')]")
    assert result.calls == calls(("get_weather", {"city": "Paris"})) and result.leftover == "Here you go:"


# ------------------------------------------------------------------ prose and bad input

@pytest.mark.parametrize("text", ["Paris is sunny today.", "", "   ", "f(x) = 2x is a function.",
                                  "Use {braces} and [brackets] freely.", "I cannot help with that (sorry)."])
def test_prose_is_no_call(text):
    result = parse_calls(text)
    assert result.status == "no_call" and result.calls == [] and result.leftover == text.strip()


def test_unknown_format_and_non_string_never_raise():
    assert parse_calls("[f(a=1)]", "yaml").status == "unparsable"
    assert parse_calls(None).status == "no_call"
    assert parse_calls(123).status == "no_call"


def test_strict_format_reads_only_its_syntax():
    assert parse_calls('[f(a=1)]', "hermes").status == "no_call"
    assert parse_calls('<tool_call>{"name": "f"}</tool_call>', "python").status == "no_call"


# ------------------------------------------------------------------ rendering calls

def test_render_calls_shapes():
    cs = calls(("math.factorial", {"number": 5}), ("g", {}))
    assert render_calls(cs, "python") == "[math.factorial(number=5), g()]"
    assert json.loads(render_calls(cs, "json")) == [c.to_dict() for c in cs]
    assert render_calls(cs, "hermes").count("<tool_call>") == 2
    assert render_calls([], "json") == "[]" and render_calls([], "hermes") == ""
    with pytest.raises(InputError, match="format"):
        render_calls(cs, "xml")
    with pytest.raises(InputError, match="python call"):
        render_calls(calls(("Division API", {})), "python")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
IDENT = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True).filter(
    lambda s: s not in {"None", "True", "False", "and", "or", "not", "if", "else", "in", "is", "for", "from",
                        "lambda", "def", "class", "return", "import", "as", "with", "while", "try", "del",
                        "pass", "raise", "yield", "await", "async", "global", "nonlocal", "assert", "break",
                        "continue", "elif", "except", "finally"})
CALLS = st.lists(st.builds(ToolCall, st.builds(".".join, st.lists(IDENT, min_size=1, max_size=3)),
                           st.dictionaries(st.text(min_size=1, max_size=10), JSON_VALUES, max_size=4)),
                 min_size=1, max_size=4)


@given(CALLS, st.sampled_from(formats.FORMATS))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_render_then_parse_round_trips(cs, fmt):
    text = render_calls(cs, fmt)
    for mode in (fmt, "auto"):
        result = parse_calls(text, mode)
        assert result.status == "ok", (mode, text)
        assert result.calls == cs


# ------------------------------------------------------------------ prompts

QWEN_LIKE_TEMPLATE = (
    "{%- if tools %}<|im_start|>system\n<tools>{% for t in tools %}\n{{ t | tojson }}{% endfor %}\n</tools><|im_end|>\n"
    "{% endif %}{% for m in messages %}<|im_start|>{{ m.role }}\n{% if m.tool_calls %}{% for c in m.tool_calls %}"
    "<tool_call>{{ c.function | tojson }}</tool_call>{% endfor %}{% else %}{{ m.content }}{% endif %}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")

CONVERSATION = [
    {"role": "user", "content": "Factorial of 5, then weather in Paris?"},
    {"role": "assistant", "content": None, "tool_calls": [
        {"id": "1", "type": "function", "function": {"name": "math.factorial", "arguments": {"number": 5}}},
        {"id": "2", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
    {"role": "tool", "tool_call_id": "1", "content": "120"},
    {"role": "tool", "tool_call_id": "2", "content": "{\"temp\": 21}"},
]


def test_smollm2_template_has_no_tools(smollm2_tokenizer):
    assert not supports_tools(smollm2_tokenizer)


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_fallback_prompt_renders_calls_and_tool_turns_as_text(smollm2_tokenizer, fmt):
    prompt = render_prompt(smollm2_tokenizer, CONVERSATION, TOOLS, fmt)
    assert prompt.startswith("<|im_start|>system\nYou are a helpful assistant. You can call various user-defined")
    assert "SmolLM" not in prompt  # the fallback system prompt replaces the template's default one
    assert '"name":"math.factorial"' in prompt and "x-bfcl-type" not in prompt
    assistant = prompt.split("<|im_start|>assistant\n")[1].split("<|im_end|>")[0]
    assert parse_calls(assistant, fmt).calls == [ToolCall("math.factorial", {"number": 5}),
                                                  ToolCall("get_weather", {"city": "Paris"})]
    assert prompt.count("<tool_response>") == 2 and prompt.count("<|im_start|>user") == 2  # tool turns merged
    assert prompt.endswith("<|im_start|>assistant\n")


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_fallback_prefixes_render_as_prefixes(smollm2_tokenizer, fmt):
    """SFT locates assistant turns by rendering prefixes: each must be a prefix of the whole."""
    convo = [*CONVERSATION, {"role": "assistant", "content": "5! is 120 and Paris is 21 C."}]
    full = render_prompt(smollm2_tokenizer, convo, TOOLS, fmt, add_generation_prompt=False)
    for k in (1, 4):  # the assistant turns
        head = render_prompt(smollm2_tokenizer, convo[:k], TOOLS, fmt, add_generation_prompt=True)
        upto = render_prompt(smollm2_tokenizer, convo[:k + 1], TOOLS, fmt, add_generation_prompt=False)
        assert upto.startswith(head) and full.startswith(upto), k


def test_fallback_merges_an_existing_system_message(smollm2_tokenizer):
    msgs = [Message("system", "Be brief."), Message("user", "Weather in Oslo?")]
    prompt = render_prompt(smollm2_tokenizer, msgs, [WEATHER], "hermes", add_generation_prompt=False)
    assert prompt.count("<|im_start|>system") == 1 and prompt.startswith("<|im_start|>system\nBe brief.\n\n")
    assert not prompt.endswith("<|im_start|>assistant\n")


def test_no_tools_means_plain_chat(smollm2_tokenizer):
    prompt = render_prompt(smollm2_tokenizer, [{"role": "user", "content": "hi"}], [], "hermes")
    assert "<tools>" not in prompt and "SmolLM" in prompt


def test_template_with_tools_gets_them_natively(smollm2_tokenizer):
    tok = copy.deepcopy(smollm2_tokenizer)
    tok.chat_template = QWEN_LIKE_TEMPLATE
    assert supports_tools(tok)
    prompt = render_prompt(tok, CONVERSATION, TOOLS, "hermes")
    assert "You are a helpful assistant" not in prompt  # the template, not the fallback, placed the tools
    assert prompt.count('"name": "math.factorial"') == 2  # once in <tools>, once in the assistant call
    assert prompt.count("<|im_start|>tool") == 2


def test_system_prompt_instructions_per_format():
    assert "<tool_call>" in tool_system_prompt(TOOLS, "hermes")
    assert "one JSON list" in tool_system_prompt(TOOLS, "json")
    assert "func_name1(param=value)" in tool_system_prompt(TOOLS, "python")
    with pytest.raises(InputError):
        tool_system_prompt(TOOLS, "nope")


def test_prompt_tokens_are_compact(smollm2_tokenizer, bfcl_docs, bfcl_data):
    """Median prompt of BFCL single-turn questions (with their tools) stays within 450 SmolLM2 tokens."""
    lengths = []
    for name in ("simple_python", "live_simple", "multiple"):
        with (bfcl_data / f"BFCL_v4_{name}.json").open() as fh:
            for line in list(fh)[:150]:
                rec = json.loads(line)
                prompt = render_prompt(smollm2_tokenizer, rec["question"][0],
                                       [Tool.from_bfcl(f) for f in rec["function"]], "hermes")
                lengths.append(len(smollm2_tokenizer(prompt).input_ids))
    overhead = len(smollm2_tokenizer(tool_system_prompt([], "hermes")).input_ids)
    print(f"\nprompt tokens: median {statistics.median(lengths)} over {len(lengths)}, instruction overhead {overhead}")
    assert statistics.median(lengths) <= 450
    assert overhead <= 115


# ------------------------------------------------------------------ fuzz: every parser and the checker

FRAGMENTS = ["<tool_call>", "</tool_call>", "<tool_call", "tool_call>", "{", "}", "[", "]", "(", ")", ",", ":", "=",
             '"name"', '"arguments"', '"parameters"', '"function"', '"tool_calls"', '"f"', '"math.factorial"',
             "math.factorial", "get_weather", "f", "number", "city", "=", "'", '"', "\\", "```", "```json",
             "```python", "\n", " ", "**", "1e999", "-", "None", "null", "true", "True", "5", "-0.0", "9" * 400,
             "é", "𝔘", "\u202e", "\x00", "\ud7ff", "🙂", "lambda", "__import__('os')", "...", "#", "\t"]

# Adversarial families are built from one drawn seed with `random.Random`: one hypothesis draw per example
# keeps generation cheap enough for 10,000 examples within the time budget.
NAMES = ["f", "math.factorial", "get_weather", "a.b", "x_y", "g"]
KEYS = ["a", "number", "city", "days", "opts", "from", "k-1", "", "é"]


def _rand_json(rng: random.Random, depth: int = 0):
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.randint(-10**rng.randint(1, 25), 10**rng.randint(1, 25))
    if kind == 3:
        return rng.choice([rng.uniform(-1e6, 1e6), 1e308, -0.0, float("inf"), 5e-324])
    if kind in (4, 5):
        return _rand_str(rng, rng.randint(0, 8))
    if kind in (6, 7):
        return [_rand_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(KEYS): _rand_json(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def _rand_str(rng: random.Random, n: int) -> str:
    pools = [(0x20, 0x7E), (0, 0x1F), (0xA0, 0x2FFF), (0xE000, 0xFFFD), (0x10000, 0x1FFFF)]
    out = []
    for _ in range(n):
        lo, hi = pools[rng.randrange(len(pools))]
        out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def _well_formed(rng: random.Random) -> str:
    cs = [ToolCall(rng.choice(NAMES), {rng.choice(KEYS): _rand_json(rng) for _ in range(rng.randint(0, 3))})
          for _ in range(rng.randint(1, 3))]
    return render_calls(cs, rng.choice(formats.FORMATS))


def _truncated(rng: random.Random) -> str:
    text = _well_formed(rng)
    cut = rng.randint(0, len(text))
    return text[:cut] if rng.random() < 0.5 else text[cut:]


def _deep(rng: random.Random) -> str:
    n = rng.randint(1, 1500)  # beyond json's recursion and ast's nesting limits
    opener, closer = rng.choice([("[", "]"), ('{"a":', "}"), ("(", ")"), ("f(a=", ")"),
                                 ("<tool_call>", "</tool_call>"), ('{"name":"f","arguments":', "}")])
    return opener * n + rng.choice(["", "1", '"x"', "[f(a=1)]"]) + closer * rng.randint(0, n)


def _huge_number(rng: random.Random) -> str:
    digits = "9" * rng.randint(300, 6000)
    number = rng.choice([digits, "-" + digits, "1e" + digits[:6], "0." + digits, digits + ".5"])
    template = rng.choice(['<tool_call>{"name":"math.factorial","arguments":{"number":%s}}</tool_call>',
                           "[math.factorial(number=%s)]", '[{"name":"f","arguments":{"x":[%s]}}]'])
    return template % number


PY_ARGS = ["a=1", "number=5", "city='Paris'", "5", "*x", "**{'k': 1}", "**x", "b=[1,(2,3)]", "c={1: 2}",
           "d={'k': f(x=1)}", "e=-'s'", "g=1+2j", "h=b'x'", "i=...", "j=not True", "k=[*a]", "city=", "=1",
           "l={'a', 'b'}", "m=1e999", "n=0x1F", "o=1_000", "p=f'{x}'", "q=r'\\d'", "r=u'é'", "s=None"]


def _python_fragment(rng: random.Random) -> str:
    name = rng.choice(["f", "math.factorial", "get_weather", "a.b.c", "1f", "f.", ".f", "f-g", "print"])
    call = f"{name}({', '.join(rng.choice(PY_ARGS) for _ in range(rng.randint(0, 4)))})"
    return rng.choice([call, f"[{call}]", f"[{call}, {call}]", f"{call}\n{call}", f"({call},)",
                       f"Sure:\n[{call}", f"x = {call}", f"```python\n[{call}]\n```"])


def _soup(rng: random.Random) -> str:
    """Random concatenation of call-syntax fragments and random characters."""
    return "".join(rng.choice(FRAGMENTS) if rng.random() < 0.75 else _rand_str(rng, rng.randint(1, 4))
                   for _ in range(rng.randint(0, 40)))


FAMILIES = [_soup, _well_formed, _truncated, _deep, _huge_number, _python_fragment]


def _from_seed(args: tuple[int, int]) -> str:
    family, seed = args
    return FAMILIES[family](random.Random(seed))


ADVERSARIAL = st.one_of(
    st.text(max_size=120),
    st.binary(max_size=80).map(lambda b: b.decode("latin-1")),
    st.tuples(st.integers(0, len(FAMILIES) - 1), st.integers(0, 2**63)).map(_from_seed),
    st.tuples(st.integers(0, len(FAMILIES) - 1), st.integers(0, 2**63)).map(_from_seed),
)
FUZZ_EXAMPLES = 10_000


def _check_result(result: ParseResult) -> None:
    assert isinstance(result, ParseResult)
    assert result.status in ("ok", "no_call", "partial", "unparsable")
    assert isinstance(result.leftover, str)
    assert all(isinstance(c, ToolCall) and isinstance(c.name, str) and isinstance(c.arguments, dict)
               for c in result.calls)
    assert bool(result.calls) == (result.status in ("ok", "partial"))


def _check_verdict(verdict: Verdict) -> None:
    assert verdict.ok == (not verdict.errors)
    assert all(isinstance(c, ErrorCategory) for c in verdict.categories)


def test_fuzz_parsers_and_checker_never_raise():
    """>= 10,000 random and adversarial strings through every parser, the checker and the feedback classifier.

    The parsers are also called below the `parse_calls` safety net, so an internal bug cannot hide there.
    """
    seen = {"examples": 0, "statuses": set()}

    @given(ADVERSARIAL)
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(text: str) -> None:
        seen["examples"] += 1
        for fmt in ("auto", *formats.FORMATS):
            result = formats._parse(text, fmt)  # below parse_calls' catch-all, so internal bugs surface
            _check_result(result)
            seen["statuses"].add(result.status)
        verdict = check_text(text, TOOLS)  # parse_calls(text) + check_calls
        _check_result(verdict.parse)
        _check_verdict(verdict)
        _check_verdict(check_calls(verdict.calls + [ToolCall("get_weather", {"city": text, "days": [text]})], TOOLS))
        category = classify_feedback(text)
        assert category is None or isinstance(category, ErrorCategory)

    start, cpu = time.perf_counter(), time.process_time()
    run()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"\nfuzz: {seen['examples']} examples, 0 exceptions, {elapsed:.1f}s wall ({cpu:.1f}s CPU), "
          f"statuses {sorted(seen['statuses'])}")
    assert seen["examples"] >= FUZZ_EXAMPLES
    assert seen["statuses"] == {"ok", "no_call", "partial", "unparsable"}


def test_a_tool_renders_the_same_whatever_its_key_order():
    """toolgym's JSONL is written with sorted keys and BFCL's files put `name` first: the prompt must not tell
    them apart (a model trained on one layout and tested on the other sees a shift that is only formatting)."""
    from toolgym.core.formats import tool_system_prompt

    declared = {"name": "area", "description": "Area of a triangle.", "parameters": {
        "type": "object", "properties": {"base": {"type": "integer", "description": "Base."},
                                         "unit": {"description": "Unit.", "type": "string"}},
        "required": ["base"]}}
    shuffled = {"parameters": {"required": ["base"], "properties": {
        "unit": {"type": "string", "description": "Unit."}, "base": {"description": "Base.", "type": "integer"}},
        "type": "object"}, "description": "Area of a triangle.", "name": "area"}
    prompt = tool_system_prompt([declared])
    assert prompt == tool_system_prompt([shuffled])
    assert ('{"description":"Area of a triangle.","name":"area","parameters":{"properties":{"base":'
            '{"description":"Base.","type":"integer"},"unit":{"description":"Unit.","type":"string"}},'
            '"required":["base"],"type":"object"}}') in prompt


def test_prompt_and_target_list_required_parameters_first_where_the_alphabet_would_not(smollm2_tokenizer):
    """One order for the documentation the model reads and the arguments it writes (core.schema.parameter_order):
    alphabetically `compounded` (optional) would come before `duration` and `principal` (required)."""
    from toolgym.core.formats import tool_system_prompt

    tool = {"name": "future_value", "description": "Future value of an investment.", "parameters": {
        "type": "object", "required": ["principal", "duration"], "properties": {
            "compounded": {"type": "integer"}, "duration": {"type": "integer"}, "principal": {"type": "number"}}}}
    prompt = tool_system_prompt([tool])
    assert prompt.index('"principal"') < prompt.index('"duration"') < prompt.index('"compounded"')
    call = {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {
        "name": "future_value", "arguments": {"compounded": 12, "duration": 2, "principal": 1000}}}]}
    text = render_prompt(smollm2_tokenizer, [{"role": "user", "content": "1000 for 2 years, monthly"}, call], [tool],
                         add_generation_prompt=False)
    assert '{"name": "future_value", "arguments": {"principal": 1000, "duration": 2, "compounded": 12}}' in text
