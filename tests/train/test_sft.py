"""SFT on the embedded model: assistant-only labels, MAE masks, PKT-weighted loss, resume, end-to-end."""

from __future__ import annotations

import math

import pytest
import torch

from toolgym.core.schema import Sample
from toolgym.data.tasks import examples_for, render_example
from toolgym.train.config import SFTStageConfig
from toolgym.train.keytokens import key_weight
from toolgym.train.sft import IGNORE, WeightedCollator, encode_example, lora_config, train_sft, weighted_loss

MODEL = "smollm2-135m"


def _tool(name: str, description: str, props: dict) -> dict:
    return {"type": "function", "function": {"name": name, "description": description, "parameters": {
        "type": "object", "properties": props, "required": list(props)}}}


COUNT = _tool("count_items", "Count items in a box.", {"n": {"type": "integer", "description": "Box id"}})
COUNT_ALL = _tool("count_items_all", "Count items in all boxes.", {})


def _call(cid: str, name: str, args: dict) -> dict:
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}


def trajectory(bad_args: dict, final_answer: bool) -> dict:
    """user -> good call -> result -> failing call (tool_call_failure) -> error [-> answer]."""
    messages = [
        {"role": "user", "content": "How many items are in box 7?"},
        {"role": "assistant", "content": None, "feedback_category": None,
         "tool_calls": [_call("c1", "count_items", {"n": 7})]},
        {"role": "tool", "tool_call_id": "c1", "content": "{\"count\": 3}"},
        {"role": "assistant", "content": None, "feedback_category": "tool_call_failure",
         "tool_calls": [_call("c2", "count_items", bad_args)]},
        {"role": "tool", "tool_call_id": "c2", "content": "Response error: box not found"},
    ]
    if final_answer:
        messages.append({"role": "assistant", "content": "Box 7 holds 3 items."})
    return {"id": "t", "type": "single", "messages": messages, "tools": [COUNT, COUNT_ALL], "gold": []}


@pytest.fixture(scope="module")
def tokenizer():
    from toolgym.models.registry import load_model

    model, tok = load_model(MODEL)
    del model
    return tok


def _fresh_lora_model(config: SFTStageConfig):
    """The embedded model with TRL's fused LM head and a LoRA adapter, as SFTTrainer sets it up."""
    from peft import get_peft_model
    from trl.trainer.utils import add_fused_lm_head

    from toolgym.models.registry import load_model

    model, _ = load_model(MODEL)
    add_fused_lm_head(model, outputs=("log_probs", "is_top1"))
    torch.manual_seed(0)
    model = get_peft_model(model, lora_config(config))
    for name, param in model.named_parameters():  # nonzero B so that every LoRA parameter gets a gradient
        if "lora_B" in name:
            torch.nn.init.normal_(param, std=0.02)
    return model


def _encode(record: dict, task: str, tokenizer, config: SFTStageConfig) -> dict:
    [example] = examples_for(Sample.from_record(record), task)
    row = encode_example(example, tokenizer, config)
    assert row is not None
    return row


def test_labels_cover_assistant_turns_only(tokenizer) -> None:
    config = SFTStageConfig()
    record = trajectory({"n": 9}, final_answer=True)
    [example] = examples_for(Sample.from_record(record), "trajectory")
    row = encode_example(example, tokenizer, config)
    rendered = render_example(example, tokenizer)
    trained = tokenizer.decode([t for t in row["labels"] if t != IGNORE])
    assert trained == "".join(rendered.text[lo:hi] for lo, hi, _ in rendered.spans)
    assert "box not found" not in trained and "How many" not in trained and "<tools>" not in trained
    assert trained.count(tokenizer.eos_token) == 3
    assert row["weights"] == [1.0 if t != IGNORE else 0.0 for t in row["labels"]]


def test_mae_masks_only_configured_categories(tokenizer) -> None:
    record = trajectory({"n": 9}, final_answer=True)
    plain = _encode(record, "trajectory", tokenizer, SFTStageConfig())
    mae = _encode(record, "trajectory", tokenizer, SFTStageConfig(mae=True))
    other = _encode(record, "trajectory", tokenizer, SFTStageConfig(mae=True, mae_categories=["tool_hallucination"]))
    masked = [i for i, (a, b) in enumerate(zip(plain["labels"], mae["labels"], strict=True)) if a != b]
    assert masked and all(mae["labels"][i] == IGNORE and mae["weights"][i] == 0.0 for i in masked)
    assert '"n": 9' in tokenizer.decode([plain["labels"][i] for i in masked])
    assert '"n": 7' in tokenizer.decode([t for t in mae["labels"] if t != IGNORE])  # the good call still trains
    assert other["labels"] == plain["labels"]


def test_mae_masked_turn_adds_nothing_to_loss_or_gradient(tokenizer) -> None:
    """Change the tokens of the masked (last) call turn: with MAE the loss and every gradient stay the same."""
    config = SFTStageConfig(mae=True)
    model = _fresh_lora_model(config)
    collate = WeightedCollator(tokenizer.pad_token_id, padding_free=True)

    def loss_only(record: dict, cfg: SFTStageConfig) -> float:
        with torch.no_grad():
            return weighted_loss(model, collate([_encode(record, "trajectory", tokenizer, cfg)]))[0].item()

    def loss_and_grads(record: dict, cfg: SFTStageConfig) -> tuple[float, dict[str, torch.Tensor]]:
        batch = collate([_encode(record, "trajectory", tokenizer, cfg)])
        model.zero_grad()
        loss, _ = weighted_loss(model, batch)
        loss.backward()
        grads = {n: p.grad.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
        return loss.item(), grads

    a, b = trajectory({"n": 1234}, final_answer=False), trajectory({"n": 5678}, final_answer=False)
    assert len(_encode(a, "trajectory", tokenizer, config)["input_ids"]) == len(
        _encode(b, "trajectory", tokenizer, config)["input_ids"])
    loss_a, grads_a = loss_and_grads(a, config)
    loss_b, grads_b = loss_and_grads(b, config)
    assert loss_a == pytest.approx(loss_b, rel=1e-6, abs=1e-7)
    assert all(torch.allclose(grads_a[n], grads_b[n], rtol=1e-5, atol=1e-8) for n in grads_a)
    assert any(g.abs().sum() > 0 for g in grads_a.values())
    # control: without MAE the same change moves the loss, so the check above can fail
    no_mae = SFTStageConfig(mae=False)
    assert abs(loss_only(a, no_mae) - loss_only(b, no_mae)) > 1e-4


def test_pkt_weights_and_loss_on_real_tokens(tokenizer) -> None:
    """Key tokens: the first token of the gold name and the one where `count_items_all` diverges from it."""
    record = {"id": "p", "type": "multiple", "messages": [{"role": "user", "content": "Count box 4"}],
              "tools": [COUNT, COUNT_ALL], "gold": [{"name": "count_items", "arguments": {"n": 4}}]}
    config = SFTStageConfig(pkt=True)
    row = _encode(record, "invocation", tokenizer, config)
    n_target = sum(t != IGNORE for t in row["labels"])
    keys = [i for i, w in enumerate(row["weights"]) if w > 1.0]
    assert 1 <= len(keys) <= 2
    expected = key_weight(len(keys), n_target - len(keys), 9.0)
    assert all(row["weights"][i] == expected for i in keys)
    key_text = tokenizer.decode([row["input_ids"][i] for i in keys])
    assert key_text.lstrip(' "').startswith("count") and '"' in tokenizer.decode([row["input_ids"][keys[-1]]])

    model = _fresh_lora_model(config)
    batch = WeightedCollator(tokenizer.pad_token_id, padding_free=True)([row])
    with torch.no_grad():
        loss, _ = weighted_loss(model, batch)
        logits = model(input_ids=batch["input_ids"], position_ids=batch["position_ids"]).logits[0, :-1].float()
    nll = torch.nn.functional.cross_entropy(logits, batch["input_ids"][0, 1:], reduction="none")
    w = batch["weights"][0, 1:]
    assert loss.item() == pytest.approx(float((w * nll).sum() / w.sum()), rel=1e-3)


class _Interrupt(Exception):
    pass


def _interrupt_after_save(step: int):
    from transformers import TrainerCallback

    class Interrupt(TrainerCallback):
        def on_save(self, args, state, control, **kwargs):
            if state.global_step == step:
                raise _Interrupt

    return Interrupt()


DOC_RECORDS = [{"id": f"d{i}", "type": "single", "messages": [{"role": "user", "content": "x"}], "tools": [
    _tool(f"tool_{i}", f"Tool number {i}.", {"a": {"type": "string", "description": "A"}})]} for i in range(6)]


def test_resume_after_interrupted_run(tmp_path) -> None:
    config = SFTStageConfig(tasks={"doc_adaption": 1.0}, max_steps=4, per_device_train_batch_size=1,
                            save_steps=2, logging_steps=1, max_length=160)
    with pytest.raises(_Interrupt):
        train_sft(config, DOC_RECORDS, MODEL, tmp_path, callbacks=[_interrupt_after_save(2)], progress=False)
    assert (tmp_path / "checkpoints" / "checkpoint-2").is_dir()
    assert not (tmp_path / "train_result.json").exists()
    result = train_sft(config, DOC_RECORDS, MODEL, tmp_path, progress=False)
    assert result.resumed_from and result.resumed_from.endswith("checkpoint-2")
    assert result.global_step == 4
    assert (tmp_path / "checkpoints" / "checkpoint-4").is_dir()
    # only the two remaining steps ran in this process: one example (at most max_length tokens) each
    assert 0 < result.train_tokens <= 2 * config.max_length
    again = train_sft(config, DOC_RECORDS, MODEL, tmp_path, progress=False)  # finished: returned as is
    assert again == result


def test_end_to_end_sft_writes_a_loadable_adapter(tmp_path) -> None:
    from toolgym.core.formats import PROMPT_VERSION
    from toolgym.core.provenance import read_provenance
    from toolgym.models.registry import load_model

    records = [{"id": f"e{i}", "type": "single", "messages": [{"role": "user", "content": f"Count box {i}"}],
                "tools": [COUNT, COUNT_ALL], "gold": [{"name": "count_items", "arguments": {"n": i}}]}
               for i in range(4)]
    config = SFTStageConfig(tasks={"invocation": 1.0}, max_steps=2, per_device_train_batch_size=2, pkt=True,
                            learning_rate=1e-3, logging_steps=1)
    result = train_sft(config, records, MODEL, tmp_path, progress=False)
    assert result.global_step == 2 and result.train_loss is not None and math.isfinite(result.train_loss)
    assert result.examples == {"invocation": 4} and result.train_tokens > 0
    assert read_provenance(result.adapter_dir)["prompt_version"] == PROMPT_VERSION
    model, tok = load_model(MODEL, adapter=result.adapter_dir)
    lora_b = [p for n, p in model.named_parameters() if "lora_B" in n]
    assert lora_b and any(p.abs().sum() > 0 for p in lora_b)  # trained (B starts at zero)
    ids = tok("Hello", return_tensors="pt")
    out = model.generate(**ids, max_new_tokens=2, do_sample=False)
    assert out.shape[1] == ids["input_ids"].shape[1] + 2


@pytest.mark.slow
def test_next_stage_continues_the_previous_adapter(tmp_path) -> None:
    """adapt -> sft: the second stage keeps training the first stage's adapter, which applies to the base."""
    from safetensors.torch import load_file

    config = SFTStageConfig(tasks={"doc_adaption": 1.0}, max_steps=1, warmup_ratio=0.0, learning_rate=1e-3,
                            per_device_train_batch_size=2, max_length=160)
    first = train_sft(config, DOC_RECORDS, MODEL, tmp_path / "adapt", progress=False)
    second = train_sft(config, DOC_RECORDS, MODEL, tmp_path / "sft", adapter=first.adapter_dir, progress=False)
    a = load_file(f"{first.adapter_dir}/adapter_model.safetensors")
    b = load_file(f"{second.adapter_dir}/adapter_model.safetensors")
    assert a.keys() == b.keys()
    lora_b = [k for k in a if "lora_B" in k]
    assert any(a[k].abs().sum() > 0 for k in lora_b)  # stage 1 trained B away from zero
    assert any(not torch.equal(a[k], b[k]) for k in lora_b)  # stage 2 moved the same adapter further


def test_query_start_is_the_first_token_of_the_question(tokenizer) -> None:
    """prompt_gradient: query trains from where the first user message starts, after the tool documentation."""
    record = trajectory({"n": 9}, final_answer=True)
    row = _encode(record, "trajectory", tokenizer, SFTStageConfig())
    start = row["query_start"]
    before, after = tokenizer.decode(row["input_ids"][:start]), tokenizer.decode(row["input_ids"][start:])
    assert "</tools>" in before and "How many" not in before
    assert after.lstrip().startswith("How many items are in box 7?")
    assert start < row["labels"].index(next(t for t in row["labels"] if t != IGNORE))
