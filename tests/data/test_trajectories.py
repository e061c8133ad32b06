"""Trajectories: oracle episodes with injected errors labelled by feedback category; a Generator as actor."""

from __future__ import annotations

from collections import Counter

import pytest

from toolgym.core.schema import Sample
from toolgym.data.archetypes import load_catalog
from toolgym.data.synth import iter_records
from toolgym.data.trajectories import ERROR_KINDS, ModelPolicy, OraclePolicy, run_episodes
from toolgym.envs.simulator import Simulator


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def records(catalog):
    return list(iter_records(1200, seed=21, catalog=catalog))


def _assistant_turns(ep):
    return [m for m in ep["messages"] if m["role"] == "assistant"]


def test_oracle_episodes_are_labelled_and_recover(catalog, records):
    with Simulator(catalog, seed=1) as sim:
        episodes = list(run_episodes(records, OraclePolicy(), sim, seed=1))
    assert [e["id"] for e in episodes] == [f"traj-{r['id']}" for r in records]
    injected = Counter()
    for ep, record in zip(episodes, records, strict=True):
        Sample.from_record(ep)
        turns = _assistant_turns(ep)
        calling = [m for m in turns if m.get("tool_calls")]
        assert all("feedback_category" in m for m in calling)
        assert turns[-1].get("tool_calls") is None and turns[-1]["content"] and ep["meta"]["trajectory"]["final"]
        kind = ep["meta"]["trajectory"]["injected"]
        labels = [m["feedback_category"] for m in calling]
        if kind:
            injected[kind] += 1
            assert labels[:-1].count(kind) == 1 and labels.count(None) == len(labels) - 1, (kind, labels)
        else:
            assert set(labels) <= {None}
        sent = [{"name": c["function"]["name"], "arguments": c["function"]["arguments"]}
                for m in calling if m["feedback_category"] is None for c in m["tool_calls"]]
        assert sent == record["gold"]
        results = [m for m in ep["messages"] if m["role"] == "tool"]
        assert len(results) == sum(len(m["tool_calls"]) for m in calling)
    calling_eps = [e for e in episodes if e["gold"]]
    rate = sum(bool(e["meta"]["trajectory"]["injected"]) for e in calling_eps) / len(calling_eps)
    assert 0.12 < rate < 0.22
    assert set(injected) == set(ERROR_KINDS)


def test_no_errors_without_injection_and_retries_on_instability(catalog, records):
    with Simulator(catalog, seed=2, sandbox=False) as sim:
        clean = list(run_episodes(records[:300], OraclePolicy(error_rate=0.0), sim, seed=2))
    assert all(e["meta"]["trajectory"]["errors"] == 0 for e in clean)
    with Simulator(catalog, seed=3, failure_rate=0.3, sandbox=False) as sim:
        shaky = list(run_episodes(records[:300], OraclePolicy(error_rate=0.0), sim, seed=3))
    labels = Counter(c for e in shaky for c in e["meta"]["trajectory"]["categories"])
    assert labels and set(labels) <= {"tool_instability", "tool_call_failure"}
    retried = [e for e in shaky if e["meta"]["trajectory"]["errors"]]
    assert all(e["meta"]["trajectory"]["final"] for e in shaky) and retried


def _tiny_generator():
    """A real transformers model at a tiny size (random weights) with the embedded model's tokenizer."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from toolgym.models.generate import TransformersGenerator
    from toolgym.models.registry import resolve_model

    tokenizer = AutoTokenizer.from_pretrained(str(resolve_model("smollm2-135m")))
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=4096)
    return TransformersGenerator(LlamaForCausalLM(config), tokenizer, batch_size=8, progress=False)


def _check_model_episodes(episodes, max_turns):
    for ep in episodes:
        Sample.from_record(ep)
        turns = _assistant_turns(ep)
        assert 1 <= len(turns) <= max_turns and ep["meta"]["trajectory"]["source"] == "model"
        for m in turns:
            if m.get("tool_calls"):
                assert "feedback_category" in m
                n_results = sum(1 for x in ep["messages"] if x["role"] == "tool")
                assert n_results >= len(m["tool_calls"])


def test_generator_acts_with_a_turn_limit(catalog, records):
    generator = _tiny_generator()
    with Simulator(catalog) as sim:
        episodes = list(run_episodes(records[:4], ModelPolicy(generator, max_new_tokens=8), sim, max_turns=2))
    assert len(episodes) == 4
    _check_model_episodes(episodes, 2)


@pytest.mark.slow
def test_embedded_model_acts(catalog, records):
    from toolgym.models.generate import TransformersGenerator
    from toolgym.models.registry import load_model

    model, tokenizer = load_model("smollm2-135m")
    generator = TransformersGenerator(model, tokenizer, batch_size=2, progress=False)
    with Simulator(catalog) as sim:
        episodes = list(run_episodes(records[:2], ModelPolicy(generator, max_new_tokens=48), sim, max_turns=2))
    _check_model_episodes(episodes, 2)
