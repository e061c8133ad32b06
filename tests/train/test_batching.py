"""Token-budget micro-batches and shared-prefix packing: the packed loss is exactly the per-example loss."""

from __future__ import annotations

import json
import sys

import pytest
import torch

from toolgym.core.memory import peak_rss_mb
from toolgym.train.batching import (
    IGNORE,
    budget_batches,
    collate_units,
    estimate_peak_bytes,
    plain_units,
    share_prefixes,
)
from toolgym.train.config import SFTStageConfig
from toolgym.train.sft import lora_config, train_sft, weighted_loss

MODEL = "smollm2-135m"


def _row(ids: list[int], first_label: int) -> dict:
    labels = [IGNORE] * first_label + ids[first_label:]
    weights = [0.0] * first_label + [1.0] * (len(ids) - first_label)
    return {"input_ids": ids, "labels": labels, "weights": weights, "length": len(ids)}


def test_rows_with_a_common_head_pack_into_one_unit():
    head = list(range(100, 140))
    rows = [_row(head + [1, 2, 3, 4], 42), _row(head + [5, 6, 7], 41), _row(list(range(7, 60)), 50)]
    units = share_prefixes(rows, min_head=32)
    packed = [u for u in units if u.examples == 2]
    assert len(units) == 2 and len(packed) == 1
    unit = packed[0]
    assert unit.segments.count(0) == 40 and unit.length == 40 + 4 + 3
    assert unit.position_ids[40:44] == [40, 41, 42, 43] and unit.position_ids[44:] == [40, 41, 42]
    # every label of every row survives, and none sits on a tail's first token
    assert sorted(t for t in unit.labels if t != IGNORE) == sorted(
        t for r in rows[:2] for t in r["labels"] if t != IGNORE)
    starts = [i for i in range(1, unit.length) if unit.segments[i] != unit.segments[i - 1]]
    assert all(unit.labels[i] == IGNORE for i in starts)


def test_head_stops_before_the_first_label():
    same = list(range(100, 150))
    rows = [_row(same + [1, 2], 45), _row(same + [3, 4], 45)]  # identical up to the targets
    [unit] = share_prefixes(rows, min_head=32)
    assert unit.segments.count(0) == 44  # first label at 45: the head ends one token before it


def test_budget_batches_bound_padded_tokens():
    rows = [_row(list(range(n)), n - 2) for n in (10, 12, 50, 51, 200, 300)]
    units = plain_units(rows)
    batches = budget_batches(units, max_tokens=120, seed=0)
    assert sorted(i for b in batches for i in b) == list(range(6))
    for b in batches:
        width = max(units[i].length for i in b)
        assert len(b) == 1 or width * len(b) <= 120


def test_checkpointing_estimate_shrinks_activations():
    kw = dict(hidden=576, layers=30, heads=9, intermediate=1536)
    assert estimate_peak_bytes(4096, 512, 8, checkpointing=True, **kw) < estimate_peak_bytes(
        4096, 512, 8, checkpointing=False, **kw) / 5


@pytest.fixture(scope="module")
def lora_model():
    from peft import get_peft_model
    from trl.trainer.utils import add_fused_lm_head

    from toolgym.models.registry import load_model

    model, tok = load_model(MODEL)
    add_fused_lm_head(model, outputs=("log_probs", "is_top1"))
    torch.manual_seed(0)
    model = get_peft_model(model, lora_config(SFTStageConfig()))
    for name, param in model.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(param, std=0.02)
    return model, tok


def test_shared_prefix_loss_and_gradients_equal_separate_examples(lora_model):
    model, tok = lora_model
    head = tok("<|im_start|>system\nTools: count_items(n), list_boxes().<|im_end|>\n" * 3)["input_ids"]
    tails = [tok(f"<|im_start|>user\nCount box {i}<|im_end|>\n<|im_start|>assistant\n{{\"n\": {i}}}<|im_end|>")
             ["input_ids"] for i in (3, 17, 250)]
    rows = []
    for tail in tails:
        ids = head + tail
        rows.append(_row(ids, len(ids) - 8))
    units = share_prefixes(rows, min_head=16)
    assert len(units) == 1 and units[0].examples == 3

    def loss_and_grads(batch: dict) -> tuple[float, list[torch.Tensor]]:
        model.zero_grad()
        batch = {k: v for k, v in batch.items() if k not in ("num_tokens", "num_examples")}
        loss, _ = weighted_loss(model, batch)
        loss.backward()
        return float(loss), [p.grad.clone() for p in model.parameters() if p.requires_grad]

    packed_loss, packed_grads = loss_and_grads(collate_units(units, tok.pad_token_id))
    plain_loss, plain_grads = loss_and_grads(collate_units(plain_units(rows), tok.pad_token_id))
    assert packed_loss == pytest.approx(plain_loss, rel=1e-4)
    for a, b in zip(packed_grads, plain_grads, strict=True):
        assert torch.allclose(a, b, atol=1e-6, rtol=1e-3)


def _records(n: int) -> list[dict]:
    tools = [{"type": "function", "function": {"name": "count_items", "description": "Count items in a box.",
              "parameters": {"type": "object", "properties": {"n": {"type": "integer", "description": "Box id"}},
                             "required": ["n"]}}}]
    return [{"id": f"r{i}", "type": "single", "messages": [{"role": "user", "content": f"Count box {i}"}],
             "tools": tools, "gold": [{"name": "count_items", "arguments": {"n": i}}]} for i in range(n)]


def test_token_budget_training_with_a_time_budget(tmp_path):
    config = SFTStageConfig(tasks={"invocation": 1.0}, max_steps=50, max_tokens_per_batch=600,
                            max_minutes=0.05, learning_rate=1e-3, logging_steps=1, save_steps=1000)
    earlier = bytearray(3 * 2**30)  # an earlier stage of the same process that peaked 3 GiB higher
    for i in range(0, len(earlier), 4096):
        earlier[i] = 1
    high = peak_rss_mb()
    del earlier
    result = train_sft(config, _records(12), MODEL, tmp_path, progress=False)
    assert result.batching == "token_budget" and result.examples_seen > 0
    assert result.stopped_by_budget and 0 < result.global_step < 50  # 3 s cannot buy 50 steps
    assert result.device and 100 < result.peak_rss_mb
    if sys.platform.startswith("linux"):  # the stage's own peak, not the earlier one
        assert result.peak_rss_scope == "stage" and result.peak_rss_mb < high - 1024
    assert json.loads((tmp_path / "budget.json").read_text())["step"] == result.global_step


def test_time_budget_schedule_warms_up_and_decays_by_the_deadline(tmp_path):
    from toolgym.train.sft import BudgetCallback

    budget = BudgetCallback(tmp_path, max_minutes=1.0)
    param = torch.nn.Parameter(torch.zeros(1))
    sched = budget.scheduler(torch.optim.SGD([param], lr=1.0), 3000, 0.1, "cosine")
    factor = sched.lr_lambdas[0]
    budget.before, budget.started = 0.0, __import__("time").perf_counter()
    budget.fraction = lambda: 0.05  # half-way through warmup by time, at step 3 of 3000
    assert factor(3) == pytest.approx(0.5)
    budget.fraction = lambda: 0.55  # the step count alone would still be in warmup
    assert factor(20) == pytest.approx(0.5)
    budget.fraction = lambda: 1.0
    assert factor(40) == pytest.approx(0.0, abs=1e-9)


def test_a_short_common_instruction_head_is_not_shared():
    instruction = list(range(100, 135))  # the ~35 tokens before the tools
    rows = [_row(instruction + list(range(1000 + 300 * i, 1300 + 300 * i)), 330) for i in range(3)]
    units = share_prefixes(rows, min_head=32)
    assert [u.examples for u in units] == [1, 1, 1]
    batch = collate_units(units, 0)
    assert "attention_mask" not in batch and "position_ids" not in batch  # sdpa's causal kernel


def _tool_rows(tok, n_heads: int = 2) -> list[dict]:
    rows = []
    for h in range(n_heads):
        head = tok(f"<|im_start|>system\nTools: count_items_{h}(n), list_boxes().<|im_end|>\n" * 3)["input_ids"]
        for i in (3, 17, 250):
            tail = tok(f"<|im_start|>user\nCount box {i}<|im_end|>\n<|im_start|>assistant\n{{\"n\": {i}}}"
                       "<|im_end|>")["input_ids"]
            ids = head + tail
            rows.append(_row(ids, len(ids) - 8))
    return rows


@pytest.mark.parametrize("shared", [False, True])
def test_prompt_detached_step_keeps_the_loss_value(lora_model, shared):
    """prompt_gradient=False: the same loss (same mask and positions); gradients flow, only through the tails."""
    model, tok = lora_model
    rows = _tool_rows(tok)
    units = share_prefixes(rows, min_head=16) if shared else plain_units(rows)
    batch = {k: v for k, v in collate_units(units, tok.pad_token_id).items()
             if k not in ("num_tokens", "num_examples")}
    full, _ = weighted_loss(model, batch)
    model.zero_grad()
    detached, outputs = weighted_loss(model, batch, prompt_gradient=False)
    detached.backward()
    assert float(detached) == pytest.approx(float(full), rel=1e-4)
    assert int(outputs.label_mask.sum()) == int((batch["labels"][:, 1:] != IGNORE).sum())
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None for g in grads) and sum(float(g.abs().sum()) for g in grads) > 0


def test_prompt_detached_gradients_are_exact_where_the_prompt_cannot_matter():
    """LoRA on the last layer's MLP only: prompt positions there never reach a labelled token, so the
    detached step's gradients equal the full step's."""
    from peft import LoraConfig, get_peft_model
    from trl.trainer.utils import add_fused_lm_head

    from toolgym.models.registry import load_model

    model, tok = load_model(MODEL)
    add_fused_lm_head(model)
    last = model.config.num_hidden_layers - 1
    torch.manual_seed(0)
    model = get_peft_model(model, LoraConfig(r=4, target_modules=["down_proj"], layers_to_transform=[last],
                                             init_lora_weights=False))
    batch = {k: v for k, v in collate_units(plain_units(_tool_rows(tok, 1)), tok.pad_token_id).items()
             if k not in ("num_tokens", "num_examples")}

    def grads(prompt_gradient: bool) -> list[torch.Tensor]:
        model.zero_grad()
        weighted_loss(model, batch, prompt_gradient=prompt_gradient)[0].backward()
        return [p.grad.clone() for p in model.parameters() if p.requires_grad]

    for a, b in zip(grads(True), grads(False), strict=True):
        assert torch.allclose(a, b, atol=1e-6, rtol=1e-3)


@pytest.mark.parametrize("mode", [False, "query"])
def test_prompt_detached_training_runs_and_refuses_checkpointing(tmp_path, mode):
    from toolgym.core.errors import InputError

    with pytest.raises(InputError, match="prompt_gradient"):
        SFTStageConfig(prompt_gradient=False, gradient_checkpointing=True, max_tokens_per_batch=512)
    with pytest.raises(InputError, match="max_tokens_per_batch"):
        SFTStageConfig(prompt_gradient=False)
    config = SFTStageConfig(tasks={"invocation": 1.0}, max_steps=2, max_tokens_per_batch=600, prompt_gradient=mode,
                            learning_rate=1e-3, logging_steps=1, save_steps=1000)
    result = train_sft(config, _records(6), MODEL, tmp_path, progress=False)
    assert result.global_step == 2 and result.examples_seen > 0 and not result.gradient_checkpointing
    assert result.train_loss is not None and result.train_loss > 0


def test_head_only_at_labels_equals_trls_fused_head(lora_model):
    """labelled_outputs (LM head only where labels are) = TRL's fused head: log-probs, top-1 and gradients."""
    from toolgym.train.sft import labelled_outputs

    model, tok = lora_model
    batch = collate_units(plain_units(_tool_rows(tok, 1)), tok.pad_token_id)
    inputs = {"input_ids": batch["input_ids"], "labels": batch["labels"], "use_cache": False}

    def run(fn) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
        model.zero_grad()
        out = fn()
        out.log_probs.sum().backward()
        return out.log_probs.detach(), out.is_top1, [p.grad.clone() for p in model.parameters() if p.requires_grad]

    ours = run(lambda: labelled_outputs(model, inputs))
    trl = run(lambda: model(**inputs, fused_lm_head=True))
    assert torch.allclose(ours[0], trl[0], atol=1e-4) and torch.equal(ours[1].bool(), trl[1].bool())
    assert int((ours[0] != 0).sum()) == int((batch["labels"][:, 1:] != IGNORE).sum())
    for a, b in zip(ours[2], trl[2], strict=True):  # fp32 reduction order differs: compare by norm
        assert float((a - b).norm()) <= 1e-3 * float(b.norm()) + 1e-7


@pytest.mark.parametrize("shared", [False, True])
def test_query_gradient_step_trains_from_the_question_and_keeps_the_loss(lora_model, shared):
    """prompt_gradient="query": the same loss value; the pass with gradients starts at the user message (the
    tool documentation runs without them), where prompt_gradient=False starts it at the answer."""
    from toolgym.core.schema import Sample
    from toolgym.data.tasks import examples_for
    from toolgym.train.sft import encode_example

    model, tok = lora_model
    config = SFTStageConfig(tasks={"invocation": 1.0}, max_tokens_per_batch=2048, prompt_gradient="query")
    rows = [encode_example(examples_for(Sample.from_record(r), "invocation")[0], tok, config)
            for r in _records(3)]
    units = share_prefixes(rows, min_head=16) if shared else plain_units(rows)
    assert all(u.query_start > 0 for u in units) and (units[0].examples == 3) == shared
    batch = {k: v for k, v in collate_units(units, tok.pad_token_id).items()
             if k not in ("num_tokens", "num_examples")}
    embed = model.get_input_embeddings()
    seen: list[tuple[bool, torch.Tensor]] = []
    hook = embed.register_forward_hook(lambda _m, args, _out: seen.append((torch.is_grad_enabled(), args[0])))
    try:
        full, _ = weighted_loss(model, batch)
        results = {}
        for mode in (False, "query"):
            seen.clear()
            model.zero_grad()
            loss, _ = weighted_loss(model, batch, prompt_gradient=mode)
            loss.backward()
            results[mode] = float(loss), [tok.decode(ids[0]) for grad, ids in seen if grad]
    finally:
        hook.remove()
    assert results["query"][0] == pytest.approx(float(full), rel=1e-4)
    assert results[False][0] == pytest.approx(float(full), rel=1e-4)
    [query_tail], [answer_tail] = results["query"][1], results[False][1]
    assert "Count box 0" in query_tail and "</tools>" not in query_tail
    assert "Count box" not in answer_tail.split("<|im_start|>assistant")[0]


def test_prompt_gradient_takes_true_false_or_query():
    from toolgym.core.errors import InputError

    with pytest.raises(InputError, match="true, false or 'query'"):
        SFTStageConfig(prompt_gradient="yes", max_tokens_per_batch=512)
    with pytest.raises(InputError, match="prompt_gradient: query needs max_tokens_per_batch"):
        SFTStageConfig(prompt_gradient="query")
