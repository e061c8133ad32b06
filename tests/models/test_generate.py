"""models.generate: batched transformers generation on the embedded model."""

from __future__ import annotations

import pytest
import torch

from toolgym.core.errors import ToolgymError
from toolgym.core.formats import render_prompt
from toolgym.models.generate import Generator, TransformersGenerator, choose_autocast, last_position
from toolgym.models.hardware import cpu_has_native_bf16, generation_dtype

WEATHER = [{"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]


def test_is_a_generator(generator):
    assert isinstance(generator, Generator)


def test_greedy_is_deterministic_and_bounded(generator, chat_prompts):
    first = generator.generate(chat_prompts[:1], max_new_tokens=12)
    again = generator.generate(chat_prompts[:1], max_new_tokens=12)
    assert first == again
    text = first[0][0]
    assert text.strip()
    assert len(generator.tokenizer(text, add_special_tokens=False)["input_ids"]) <= 12 + 1


def test_batch_equals_single_in_input_order(smol, chat_prompts):
    model, tokenizer = smol
    batched = TransformersGenerator(model, tokenizer, batch_size=8, dtype="float32", progress=False)
    single = TransformersGenerator(model, tokenizer, batch_size=1, dtype="float32", progress=False)
    prompts = [chat_prompts[2], chat_prompts[0], chat_prompts[1]]  # not sorted by length
    together = batched.generate(prompts, max_new_tokens=10)
    alone = single.generate(prompts, max_new_tokens=10)
    assert together == alone
    assert len({t[0] for t in together}) == 3


def test_last_position_keeps_the_same_logits_as_the_int(smol, chat_prompts):
    """The index-tensor `logits_to_keep` (a contiguous gather, one mm for the LM head) gives the logits of
    transformers' int 1, for one prompt and for a left-padded batch."""
    model, tokenizer = smol
    enc = tokenizer(chat_prompts, padding=True, return_tensors="pt")
    with torch.inference_mode():
        for ids, mask in ((enc["input_ids"][:1], enc["attention_mask"][:1]), (enc["input_ids"], enc["attention_mask"])):
            by_int = model(input_ids=ids, attention_mask=mask, logits_to_keep=1).logits
            by_index = model(input_ids=ids, attention_mask=mask, logits_to_keep=last_position("cpu")).logits
            assert by_index.shape == by_int.shape == (ids.shape[0], 1, model.config.vocab_size)
            torch.testing.assert_close(by_index, by_int)


def test_stream_yields_each_prompt_once_as_generate_would_with_its_budget(generator, chat_prompts):
    budgets = [3, 10, 1]
    streamed = list(generator.stream(chat_prompts, max_new_tokens=budgets))
    assert sorted(i for i, _ in streamed) == [0, 1, 2]
    for i, text in streamed:
        assert text == generator.generate([chat_prompts[i]], max_new_tokens=budgets[i])[0][0]
        assert len(generator.tokenizer(text, add_special_tokens=False)["input_ids"]) <= budgets[i]
    order = [i for i, _ in streamed]
    assert order.index(2) < order.index(1)  # a 1-token answer is out before a 10-token one
    assert dict(generator.stream(chat_prompts, max_new_tokens=4)) == {
        i: t[0] for i, t in enumerate(generator.generate(chat_prompts, max_new_tokens=4))}
    with pytest.raises(ToolgymError, match="2 budgets for 3 prompts"):
        list(generator.stream(chat_prompts, max_new_tokens=[4, 4]))


def test_n_samples(generator, chat_prompts):
    sampled = generator.generate(chat_prompts[:2], n=4, temperature=1.0, top_p=0.95, max_new_tokens=8, seed=7)
    assert [len(s) for s in sampled] == [4, 4]
    assert len(set(sampled[0])) > 1
    assert sampled == generator.generate(chat_prompts[:2], n=4, temperature=1.0, top_p=0.95, max_new_tokens=8,
                                         seed=7)
    greedy = generator.generate(chat_prompts[:1], n=3, max_new_tokens=8)
    assert greedy[0] == [generator.generate(chat_prompts[:1], max_new_tokens=8)[0][0]] * 3


def test_stop_strings_truncate(generator, chat_prompts):
    full = generator.generate(chat_prompts[1:2], max_new_tokens=16)[0][0]
    words = full.split()
    assert len(words) >= 3, full
    stop = " " + words[2]
    cut = generator.generate(chat_prompts[1:2], max_new_tokens=16, stop=[stop, "never-appears-xyz"])[0][0]
    assert cut == full[:full.find(stop)]


def test_chat_renders_with_the_template(generator):
    messages = [{"role": "user", "content": "Weather in Paris?"}]
    prompt = render_prompt(generator.tokenizer, messages, WEATHER)
    assert "get_weather" in prompt
    assert generator.chat([(messages, WEATHER)], max_new_tokens=8) == generator.generate([prompt], max_new_tokens=8)


def test_bad_arguments_are_clear_errors(generator):
    with pytest.raises(ToolgymError, match="list of prompt strings"):
        generator.generate("one prompt")
    with pytest.raises(ToolgymError, match="n must be"):
        generator.generate(["x"], n=0)
    with pytest.raises(ToolgymError, match="not str"):
        generator.generate(["x", 3])
    assert generator.generate([], max_new_tokens=4) == []


def test_autocast_choice_and_bf16_generation(smol, chat_prompts):
    assert choose_autocast("auto", "cpu") is None  # batch 1: fp32 measured faster
    # batch 32 on a native-bf16 CPU: `auto` casts the weights to bf16 (no autocast); elsewhere fp32
    assert choose_autocast("auto", "cpu", batch_size=32) is None
    assert generation_dtype("auto", "cpu", 32) == ("bf16-weights" if cpu_has_native_bf16() else "float32")
    assert choose_autocast("bf16", "cpu") is torch.bfloat16
    assert choose_autocast("float32", "cpu") is None
    with pytest.raises(ToolgymError):
        choose_autocast("int3", "cpu")
    model, tokenizer = smol
    bf16 = TransformersGenerator(model, tokenizer, dtype="bfloat16", progress=False)
    assert bf16.generate(chat_prompts[:1], max_new_tokens=6)[0][0].strip()
    assert next(model.parameters()).dtype == torch.float32  # autocast leaves the weights alone


def test_bf16_weights_cast_the_model(chat_prompts):
    from toolgym.models.registry import load_model

    model, tokenizer = load_model("smollm2-135m")
    generator = TransformersGenerator(model, tokenizer, dtype="bf16-weights", progress=False)
    assert next(generator.model.parameters()).dtype == torch.bfloat16 and generator.autocast_dtype is None
    assert generator.generate(chat_prompts[:1], max_new_tokens=6)[0][0].strip()


def test_shared_prefill_matches_independent_generation(generator, chat_prompts):
    """The KV cache of a prompt copied n times gives the same tokens as generating each copy alone."""
    ids = [generator._encode(p) for p in chat_prompts[:2]]
    config = generator._generation_config(1, 0.0, None, None, 8, 0, [])
    config.num_return_sequences = 3  # greedy copies: every copy must equal the plain greedy text
    shared = generator._generate_batch(ids, config, [])
    plain = generator.generate(chat_prompts[:2], max_new_tokens=8)
    assert shared == [plain[0][0]] * 3 + [plain[1][0]] * 3


# ------------------------------------------------------------------------------------------- greedy decoder
TOOL_SYSTEM = ("You are a helpful assistant. You can call various user-defined tools to solve users' problems.\n"
               "Function signatures within <tools></tools> tags:\n<tools>\n")


@pytest.fixture(scope="module")
def mixed_prompts(smol, chat_prompts):
    """Prompts of different lengths; four share a system prompt longer than prefix_groups.MIN_SHARED_PREFIX tokens."""
    _, tokenizer = smol
    tools = ['{"name": "get_weather", "parameters": {"city": "string"}}', '{"name": "add", "parameters": {}}',
             '{"name": "book_table", "description": "Book a table for a number of people in a restaurant."}',
             '{"name": "f"}']
    asks = ["Weather in Oslo?", "Add 2 and 3.", "A table for two in Lima tonight, please.", "Call f."]
    shared = [tokenizer.apply_chat_template([{"role": "system", "content": TOOL_SYSTEM + t + "\n</tools>"},
                                             {"role": "user", "content": a}], tokenize=False,
                                            add_generation_prompt=True) for t, a in zip(tools, asks, strict=True)]
    return shared + chat_prompts


def _plain(smol, **kwargs):
    model, tokenizer = smol
    return TransformersGenerator(model, tokenizer, dtype="float32", progress=False, fast_greedy=False, **kwargs)


def test_greedy_decoder_equals_transformers_generate(smol, mixed_prompts):
    """Continuous batching (2 rows, finished rows replaced), per-prompt prefill after a shared prefix: the
    same greedy texts as transformers' generate() on padded batches, with and without min_new_tokens."""
    model, tokenizer = smol
    fast = TransformersGenerator(model, tokenizer, batch_size=2, dtype="float32", progress=False)
    assert fast.fast_greedy
    plain = _plain(smol, batch_size=4)
    assert fast.generate(mixed_prompts, max_new_tokens=20) == plain.generate(mixed_prompts, max_new_tokens=20)
    forced = dict(max_new_tokens=6, min_new_tokens=6)
    assert fast.generate(mixed_prompts[:3], **forced) == plain.generate(mixed_prompts[:3], **forced)
    assert fast.stats.fast_path == 2 and plain.stats.fast_path == 0
    assert fast.stats.new_tokens == plain.stats.new_tokens  # the same tokens, end tokens included
    assert fast.stats.decode_rows < plain.stats.decode_rows  # no finished rows carried along


def test_shared_prefix_is_computed_once(smol, mixed_prompts):
    model, tokenizer = smol
    shared = mixed_prompts[:4]
    ids = [tokenizer(p, add_special_tokens=False)["input_ids"] for p in shared]
    head = next(k for k in range(min(map(len, ids))) if len({i[k] for i in ids}) > 1)
    assert head >= 16
    on = TransformersGenerator(model, tokenizer, batch_size=4, dtype="float32", progress=False)
    off = TransformersGenerator(model, tokenizer, batch_size=4, dtype="float32", progress=False, share_prefix=False)
    assert on.generate(shared, max_new_tokens=12) == off.generate(shared, max_new_tokens=12)
    assert on.stats.prompt_tokens == off.stats.prefill_tokens == sum(map(len, ids))
    assert on.stats.prefill_tokens == sum(map(len, ids)) - 3 * head


def test_greedy_decoder_moves_its_cache_window(smol, mixed_prompts, monkeypatch):
    """With no spare columns, the window of live rows is moved to the buffer's start: the same texts."""
    from toolgym.models import generate

    shifts: list[int] = []
    original = generate._RowsCache.shift
    monkeypatch.setattr(generate._GreedyDecoder, "SPARE", 0.0)
    monkeypatch.setattr(generate._GreedyDecoder, "SLACK", 1)
    monkeypatch.setattr(generate._RowsCache, "shift", lambda self: shifts.append(self.lo) or original(self))
    model, tokenizer = smol
    fast = TransformersGenerator(model, tokenizer, batch_size=2, dtype="float32", progress=False)
    texts = fast.generate(mixed_prompts, max_new_tokens=24)
    assert shifts and all(lo > 0 for lo in shifts)
    assert texts == _plain(smol, batch_size=8).generate(mixed_prompts, max_new_tokens=24)


def test_greedy_decoder_falls_back_for_eager_attention(chat_prompts):
    from transformers import AutoModelForCausalLM

    from toolgym.models.registry import load_model, resolve_model

    _, tokenizer = load_model("smollm2-135m")
    eager = AutoModelForCausalLM.from_pretrained(str(resolve_model("smollm2-135m")), attn_implementation="eager")
    generator = TransformersGenerator(eager, tokenizer, dtype="float32", progress=False)
    assert not generator.fast_greedy
    assert generator.generate(chat_prompts[:1], max_new_tokens=4)[0][0].strip()


def test_greedy_decoder_drives_a_lora_model(mixed_prompts):
    """A peft LoRA model (random, non-zero update) through the decoder: the texts of generate()."""
    from peft import LoraConfig, get_peft_model

    from toolgym.models.registry import load_model

    model, tokenizer = load_model("smollm2-135m")
    torch.manual_seed(0)
    lora = get_peft_model(model, LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    fast = TransformersGenerator(lora, tokenizer, batch_size=3, dtype="float32", progress=False)
    plain = TransformersGenerator(lora, tokenizer, batch_size=3, dtype="float32", progress=False, fast_greedy=False)
    texts = fast.generate(mixed_prompts[:5], max_new_tokens=12)
    assert fast.fast_greedy and fast.stats.fast_path == 1
    assert texts == plain.generate(mixed_prompts[:5], max_new_tokens=12)


@pytest.fixture(scope="module")
def tool_group_prompts(smol, mixed_prompts):
    """BFCL's live categories in small: three questions on one long tool block, two on another, and others."""
    _, tokenizer = smol
    long_a = "\n".join(f'{{"name": "tool_{k}", "description": "Look up record {k} of the archive by its key."}}'
                       for k in range(8))
    long_b = '{"name": "convert", "description": "Convert an amount between two currencies at today\'s rate."}'
    asks = {long_a: ["Find record 3.", "Which record holds key 7? Please look it up for me now.", "Record 1?"],
            long_b: ["Convert 10 EUR to USD.", "How many yen is 5 pounds, at today's rate?"]}
    grouped = [tokenizer.apply_chat_template([{"role": "system", "content": TOOL_SYSTEM + tools + "\n</tools>"},
                                              {"role": "user", "content": ask}], tokenize=False,
                                             add_generation_prompt=True)
               for tools, questions in asks.items() for ask in questions]
    return grouped + mixed_prompts[:3]


def test_prompts_sharing_a_tool_block_prefill_it_once(smol, tool_group_prompts):
    model, tokenizer = smol
    on = TransformersGenerator(model, tokenizer, batch_size=3, dtype="float32", progress=False)
    off = TransformersGenerator(model, tokenizer, batch_size=3, dtype="float32", progress=False, share_prefix=False)
    texts = on.generate(tool_group_prompts, max_new_tokens=10)
    assert texts == off.generate(tool_group_prompts, max_new_tokens=10)
    assert texts == _plain(smol, batch_size=8).generate(tool_group_prompts, max_new_tokens=10)
    assert on.stats.prompt_tokens == off.stats.prefill_tokens
    # the first group's block is computed once, not three times: at least twice its length saved
    ids = [tokenizer(p, add_special_tokens=False)["input_ids"] for p in tool_group_prompts[:3]]
    block = min(next(k for k in range(len(a)) if a[k] != b[k]) for a, b in ((ids[0], ids[1]), (ids[0], ids[2])))
    assert off.stats.prefill_tokens - on.stats.prefill_tokens >= 2 * (block - 40)


def test_a_group_s_longer_prompt_moves_the_window_right(smol, monkeypatch):
    """Rows that all end together: the batch restarts at a short prompt of the first group, and the second
    group's first prompt, longer than the columns left of the write column, needs the window moved right."""
    from toolgym.models import generate

    moves: list[int] = []
    original = generate._RowsCache.shift_right
    monkeypatch.setattr(generate._RowsCache, "shift_right", lambda self, by: moves.append(by) or original(self, by))
    model, tokenizer = smol
    block_a = ('{"name": "lookup", "description": "Look up a record of the archive by its key, with the shelf, '
               'the box and the date it was filed on, and who filed it.", "parameters": {"key": "string"}}')
    block_b = "\n".join(f'{{"name": "tool_{k}", "description": "Convert amount {k} between two currencies."}}'
                        for k in range(6))
    story = " ".join(f"Item {k} was filed in the archive on day {k}." for k in range(12))
    asks = [(block_a, story + " Which key holds item 3?"), (block_a, "Record 1?"), (block_a, "Record 2?"),
            (block_b, "Convert 10 EUR to USD."), (block_b, "And 5 GBP to JPY?")]
    prompts = [tokenizer.apply_chat_template([{"role": "system", "content": TOOL_SYSTEM + tools + "\n</tools>"},
                                              {"role": "user", "content": ask}], tokenize=False,
                                             add_generation_prompt=True) for tools, ask in asks]
    lengths = [len(tokenizer(p, add_special_tokens=False)["input_ids"]) for p in prompts]
    assert lengths[0] > lengths[3] > lengths[1]  # the second group's first prompt is longer than the first's rest
    fast = TransformersGenerator(model, tokenizer, batch_size=2, dtype="float32", progress=False)
    texts = fast.generate(prompts, max_new_tokens=30, min_new_tokens=30)
    assert moves
    assert texts == _plain(smol, batch_size=8).generate(prompts, max_new_tokens=30, min_new_tokens=30)
