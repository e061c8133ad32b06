"""`toolgym soup`: a tiny random Llama with real peft adapters (random A and B, so each changes the weights)."""

import json
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli import assert_one_line_error, invoke
from toolgym.core.provenance import read_provenance, write_provenance
from toolgym.train.soup import soup_adapters


def _tiny_base(root: Path) -> Path:
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=32, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64)
    LlamaForCausalLM(config).save_pretrained(root / "base")
    backend = Tokenizer(models.WordLevel({f"w{i}": i for i in range(32)}, unk_token="w0"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=backend, eos_token="w1", pad_token="w1").save_pretrained(root / "base")
    return root / "base"


def _adapter(base: Path, folder: Path, seed: int, r: int = 4, targets: tuple[str, ...] = ("q_proj", "down_proj")
             ) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaForCausalLM

    torch.manual_seed(seed)
    model = LlamaForCausalLM.from_pretrained(base)
    config = LoraConfig(r=r, lora_alpha=2 * r, target_modules=list(targets), init_lora_weights=False)
    get_peft_model(model, config).save_pretrained(str(folder))
    write_provenance(folder)
    return folder


def _merged(base: Path, adapter: Path) -> dict[str, Any]:
    from toolgym.models.registry import load_model

    model, _ = load_model(str(base), adapter=adapter, merge=True)
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("soup")
    base = _tiny_base(root)
    return base, [_adapter(base, root / f"a{seed}", seed) for seed in range(3)]


def test_the_soup_is_the_weighted_sum_of_the_adapters_updates(tiny: tuple[Path, list[Path]], tmp_path: Path) -> None:
    from toolgym.models.registry import load_model

    base, adapters = tiny
    plain = {k: v.clone() for k, v in load_model(str(base))[0].state_dict().items()}
    merged = [_merged(base, a) for a in adapters]
    summary = soup_adapters(adapters, tmp_path / "mean", model=str(base))
    assert summary["rank"] == 12 and summary["weights"] == pytest.approx([1 / 3] * 3)
    soup = _merged(base, tmp_path / "mean")
    changed = 0
    for key, value in soup.items():
        mean = sum(m[key] for m in merged) / 3
        assert (value - mean).abs().max().item() < 1e-5, key
        changed += bool((mean - plain[key]).abs().max().item() > 1e-4)
    assert changed == 4  # q_proj and down_proj in both layers moved
    weighted = soup_adapters(adapters[:2], tmp_path / "weighted", model=str(base), weights=[1.0, -0.5])
    soup = _merged(base, tmp_path / "weighted")
    for key, value in soup.items():
        want = plain[key] + (merged[0][key] - plain[key]) - 0.5 * (merged[1][key] - plain[key])
        assert (value - want).abs().max().item() < 1e-5, key
    record = read_provenance(tmp_path / "weighted")
    assert record["soup_weights"] == [1.0, -0.5] and record["soup_of"] == [str(a) for a in adapters[:2]]
    assert weighted["adapters"] == 2


def test_a_run_folder_stands_for_its_last_training_steps_adapter(tiny: tuple[Path, list[Path]],
                                                                  tmp_path: Path) -> None:
    import shutil

    base, adapters = tiny
    step = tmp_path / "runs" / "seed1" / "sft"
    shutil.copytree(adapters[1], step / "adapter")
    manifest = {"status": "complete", "config": {"kind": "sft", "inputs": {"model": str(base)}},
                "outputs": {"adapter": str(step / "adapter")}}
    (step / "manifest.json").write_text(json.dumps(manifest))
    summary = soup_adapters([adapters[0], step.parent], tmp_path / "soup")
    assert summary["model"] == str(base) and summary["rank"] == 8
    assert read_provenance(tmp_path / "soup")["soup_of"] == [str(adapters[0]), str(step / "adapter")]


def test_adapters_that_do_not_fit_together_are_one_line_errors(tiny: tuple[Path, list[Path]], tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    base, adapters = tiny
    other = _adapter(base, tmp_path / "other", 7, targets=("v_proj",))
    old = _adapter(base, tmp_path / "old", 8)
    record = json.loads((old / "toolgym.json").read_text())
    (old / "toolgym.json").write_text(json.dumps({**record, "prompt_version": 2}))
    out = ["--out", str(tmp_path / "soup"), "--model", str(base)]
    capsys.readouterr()  # the adapters' loading bars
    assert_one_line_error(invoke(["soup", str(adapters[0]), *out], capsys), "at least two adapters")
    assert_one_line_error(invoke(["soup", str(adapters[0]), str(tmp_path), *out], capsys),
                          f"file {tmp_path}", "not a LoRA adapter")
    assert_one_line_error(invoke(["soup", str(adapters[0]), str(other), *out], capsys),
                          "adapter_config.json", "field target_modules")
    assert_one_line_error(invoke(["soup", str(adapters[0]), str(old), *out], capsys),
                          "field prompt_version", "[2, 3]")
    assert_one_line_error(invoke(["soup", *map(str, adapters), *out, "--weights", "0.5,0.5"], capsys),
                          "field --weights", "2 weights for 3 adapters")
    assert_one_line_error(invoke(["soup", *map(str, adapters[:2]), *out, "--weights", "a,b"], capsys),
                          "field --weights")
    assert not (tmp_path / "soup").exists()
