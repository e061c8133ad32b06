"""models.registry: the embedded model, its safetensors cache, errors, LoRA adapters."""

from __future__ import annotations

import json

import pytest
import torch

from toolgym.core.errors import AssetError, ToolgymError
from toolgym.models import registry
from toolgym.models.registry import (
    EMBEDDED,
    cache_info,
    convert_gguf,
    embedded_model,
    load_adapter,
    load_model,
    model_cache_dir,
    resolve_model,
)


def test_embedded_names_and_aliases():
    assert embedded_model("smollm2-135m") is EMBEDDED["smollm2-135m"]
    assert embedded_model("SmolLM2-135M-Instruct") is EMBEDDED["smollm2-135m"]
    assert embedded_model("gpt-2-xl") is None


def test_embedded_model_loads_from_safetensors_cache(smol):
    model, tokenizer = smol
    spec = EMBEDDED["smollm2-135m"]
    folder = model_cache_dir(spec)
    assert resolve_model("SmolLM2-135M-Instruct") == folder
    assert (folder / "model.safetensors").is_file()
    info = cache_info(spec)
    assert info["wheel_sha256"] == spec.asset.sha256 and len(info["gguf_sha256"]) == 64
    assert not hasattr(model.config, "quantization_config")
    assert model.config.model_type == "llama" and model.dtype == torch.float32
    assert tokenizer.padding_side == "left" and tokenizer.pad_token is not None
    assert not list(folder.parent.glob(f".{folder.name}.tmp-*")), "leftover temp folders"


def test_unreachable_model_says_what_was_tried(monkeypatch, tmp_path):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AssetError) as info:
        load_model("no-such-org/no-such-model-xyz")
    msg = str(info.value)
    assert "\n" not in msg
    for part in ("no-such-org/no-such-model-xyz", "registry name", "smollm2-135m", "local path", "HF hub"):
        assert part in msg


def test_a_hub_that_does_not_resolve_fails_at_once(monkeypatch, tmp_path):
    """A dead hub host is named in one line before huggingface_hub's ~70 s of retries (RFC 2606: .invalid)."""
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", "https://hub.no-such-host.invalid")
    monkeypatch.chdir(tmp_path)
    assert "hub.no-such-host.invalid cannot be reached" in registry.hub_unreachable("nosuch-model")
    with pytest.raises(AssetError) as info:
        load_model("nosuch-model")
    assert "\n" not in str(info.value) and "cannot be reached" in str(info.value)


def test_broken_local_folder_is_one_line_error(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(AssetError, match="could not load the local folder"):
        load_model(str(tmp_path))


def test_unknown_dtype_is_rejected(smol):
    with pytest.raises(ToolgymError, match="unknown dtype"):
        load_model("smollm2-135m", dtype="float7")


def _tiny_lora(tmp_path):
    """Save a real (non-identity) LoRA adapter for the embedded model; return (folder, its logits)."""
    from peft import LoraConfig, get_peft_model

    base, tokenizer = load_model("smollm2-135m")
    torch.manual_seed(0)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    peft_model = get_peft_model(base, config)
    folder = tmp_path / "adapter"
    peft_model.save_pretrained(folder)
    ids = tokenizer("The capital of France is", return_tensors="pt")
    with torch.inference_mode():
        logits = peft_model(**ids).logits
    return folder, ids, logits


def test_lora_adapter_loads_on_top(smol, tmp_path):
    folder, ids, adapter_logits = _tiny_lora(tmp_path)
    assert json.loads((folder / "adapter_config.json").read_text())["r"] == 4
    model, _ = load_model("smollm2-135m", adapter=folder)
    base_model, _ = smol
    with torch.inference_mode():
        loaded = model(**ids).logits
        base = base_model(**ids).logits
    assert torch.allclose(loaded, adapter_logits, atol=1e-5)
    assert not torch.allclose(loaded, base, atol=1e-3)


def test_merged_adapter_in_bf16_keeps_the_lora_update(smol, tmp_path):
    folder, ids, adapter_logits = _tiny_lora(tmp_path)
    with torch.inference_mode():
        base_logits = smol[0](**ids).logits
    merged, _ = load_model("smollm2-135m", adapter=folder, dtype="bfloat16", merge=True)
    assert not any("lora_" in name for name, _ in merged.named_parameters())  # merged: a plain model
    assert next(merged.parameters()).dtype == torch.bfloat16
    with torch.inference_mode():
        logits = merged(**ids).logits.float()
    # bf16 rounding only: the merged model agrees with the fp32 adapter on the next token, and stays much
    # closer to it than the base model is (the LoRA update survived the merge and the cast)
    assert torch.equal(logits[0, -1].argmax(), adapter_logits[0, -1].argmax())
    rounding = (logits - adapter_logits).abs().mean()
    assert rounding < 0.5 * (base_logits - adapter_logits).abs().mean(), rounding


def test_generator_merges_the_adapter_in_fp32_with_the_same_logits(tmp_path):
    """Inference merges the adapter (faster than unmerged LoRA layers), in fp32 exact up to rounding."""
    from toolgym.models.backends import make_generator

    folder, ids, adapter_logits = _tiny_lora(tmp_path)
    gen = make_generator("transformers", "smollm2-135m", adapter=str(folder), progress=False, dtype="float32")
    assert not any("lora_" in name for name, _ in gen.model.named_parameters())
    assert next(gen.model.parameters()).dtype == torch.float32
    with torch.inference_mode():
        logits = gen.model(**ids).logits
    assert torch.allclose(logits, adapter_logits, atol=1e-4)


def test_adapter_folder_without_config_is_rejected(smol, tmp_path):
    model, _ = smol
    with pytest.raises(AssetError, match="no adapter_config.json"):
        load_adapter(model, tmp_path)


@pytest.mark.slow
def test_conversion_reproduces_gguf_and_is_atomic(tmp_path, monkeypatch):
    """A fresh GGUF -> safetensors conversion generates exactly like the GGUF model; a failed one leaves
    nothing behind."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from toolgym.core.assets import fetch_wheel

    spec = EMBEDDED["smollm2-135m"]
    gguf = fetch_wheel(spec.asset) / spec.gguf
    dest = tmp_path / "models" / "smol"
    record = convert_gguf(gguf, dest)
    assert (dest / "toolgym-model.json").is_file() and record["gguf_sha256"]
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    original = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    copy = AutoModelForCausalLM.from_pretrained(dest)
    prompt = tokenizer.apply_chat_template([{"role": "user", "content": "Name three colors."}],
                                           tokenize=False, add_generation_prompt=True)
    ids = tokenizer(prompt, return_tensors="pt")
    with torch.inference_mode():
        a = original.generate(**ids, max_new_tokens=16, do_sample=False)
        b = copy.generate(**ids, max_new_tokens=16, do_sample=False)
    assert torch.equal(a, b)

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt  # as if the conversion were interrupted after writing

    monkeypatch.setattr(registry, "_verify_copy", killed)
    broken = tmp_path / "models" / "broken"
    with pytest.raises(KeyboardInterrupt):
        convert_gguf(gguf, broken)
    assert not broken.exists()
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["smol"]


def test_finished_copy_moves_in_atomically_and_keeps_a_winner(tmp_path):
    def finished(name: str, text: str):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "toolgym-model.json").write_text(text)
        return folder

    dest = tmp_path / "model"
    registry._move_into_place(finished("ours", "first"), dest)
    assert (dest / "toolgym-model.json").read_text() == "first"
    registry._move_into_place(finished("late", "second"), dest)  # another process already finished
    assert (dest / "toolgym-model.json").read_text() == "first"
    (dest / "toolgym-model.json").unlink()  # incomplete copy: gets replaced
    registry._move_into_place(finished("third", "third"), dest)
    assert (dest / "toolgym-model.json").read_text() == "third"


def test_stale_temp_folders_are_removed(tmp_path):
    import os
    import time

    dest = tmp_path / "smol"
    old, fresh = tmp_path / ".smol.tmp-old", tmp_path / ".smol.tmp-new"
    old.mkdir()
    fresh.mkdir()
    past = time.time() - 4 * 3600
    os.utime(old, (past, past))
    registry._remove_stale_temps(dest)
    assert not old.exists() and fresh.exists()


def test_an_adapter_from_another_prompt_version_warns_once_in_one_line(smol, tmp_path, caplog):
    from toolgym.core.formats import PROMPT_VERSION
    from toolgym.core.provenance import write_provenance

    folder, _, _ = _tiny_lora(tmp_path)
    write_provenance(folder)
    with caplog.at_level("WARNING", logger="toolgym.models.registry"):
        load_model("smollm2-135m", adapter=folder)
    assert not caplog.records
    write_provenance(folder, prompt_version=PROMPT_VERSION - 1)
    with caplog.at_level("WARNING", logger="toolgym.models.registry"):
        load_model("smollm2-135m", adapter=folder)
    [record] = caplog.records
    assert f"trained with prompt version {PROMPT_VERSION - 1}" in record.getMessage()
