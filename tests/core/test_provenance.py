"""The record toolgym writes beside trained folders, and the one line a prompt-version mismatch gets."""

from __future__ import annotations

import json
from pathlib import Path

from toolgym import __version__
from toolgym.core.formats import PROMPT_VERSION
from toolgym.core.provenance import (
    PROVENANCE_FILE,
    prompt_version_mismatch,
    read_provenance,
    save_trained,
    write_provenance,
)


def test_the_record_holds_this_toolgyms_prompt_version(tmp_path: Path) -> None:
    write_provenance(tmp_path, base_model="smollm2-135m")
    assert read_provenance(tmp_path) == {"prompt_version": PROMPT_VERSION, "toolgym_version": __version__,
                                         "base_model": "smollm2-135m"}
    assert prompt_version_mismatch(tmp_path) is None


def test_an_older_rendering_is_named_in_one_line(tmp_path: Path) -> None:
    write_provenance(tmp_path, prompt_version=PROMPT_VERSION - 1)
    line = prompt_version_mismatch(tmp_path)
    assert line is not None and "\n" not in line
    assert f"prompt version {PROMPT_VERSION - 1}" in line and f"renders version {PROMPT_VERSION}" in line
    assert str(tmp_path) in line


def test_folders_without_a_readable_record_load_silently(tmp_path: Path) -> None:
    assert read_provenance(tmp_path) is None and prompt_version_mismatch(tmp_path) is None
    (tmp_path / PROVENANCE_FILE).write_text("[1, 2]")
    assert read_provenance(tmp_path) is None
    (tmp_path / PROVENANCE_FILE).write_text("{not json")
    assert prompt_version_mismatch(tmp_path) is None


def test_save_trained_writes_weights_tokenizer_and_record(tmp_path: Path) -> None:
    from tokenizers import Tokenizer, models
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    model = LlamaForCausalLM(LlamaConfig(vocab_size=8, hidden_size=8, intermediate_size=16, num_hidden_layers=1,
                                         num_attention_heads=2))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.WordLevel({"<unk>": 0}, "<unk>")))
    folder = save_trained(model, tokenizer, tmp_path / "adapter")
    assert (folder / "config.json").is_file() and (folder / "tokenizer.json").is_file()
    assert json.loads((folder / PROVENANCE_FILE).read_text())["prompt_version"] == PROMPT_VERSION
