"""Stage wiring: recipe parsing, the query pool and dev set held apart from the dataset, stage metrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolgym.core.errors import InputError
from toolgym.data.io import iter_jsonl, write_jsonl
from toolgym.evolve.config import EvolveStageConfig
from toolgym.evolve.loop import prepare_sets, stage_metrics
from toolgym.evolve.pool import load_pool_file, record_query, synthetic_pool
from toolgym.recipes.spec import load_recipe

ROOT = Path(__file__).resolve().parents[2]


def test_tooldev_recipe_parses_with_an_evolve_stage():
    recipe = load_recipe(ROOT / "recipes" / "tooldev.yaml", ["evolve.queries_per_round=40"])
    assert [s.kind for s in recipe.stages] == ["adapt", "sft", "evolve"]
    sft, evolve = recipe.stages[1].config, recipe.stages[2].config
    assert set(sft.tasks) == {"invocation", "tool_generation"}
    assert isinstance(evolve, EvolveStageConfig)
    assert (evolve.rounds, evolve.queries_per_round, evolve.k, evolve.min_agreement) == (3, 40, 5, 0.6)
    retrain = evolve.sft_config(seed=3)
    assert set(retrain.tasks) == {"invocation", "tool_generation"} and retrain.max_steps == 60


def test_bad_evolve_keys_name_the_field(tmp_path: Path):
    with pytest.raises(InputError, match="min_agreement"):
        EvolveStageConfig.from_dict({"min_agreement": 1.5})
    with pytest.raises(InputError, match="did you mean 'rounds'"):
        EvolveStageConfig.from_dict({"roundz": 2})
    with pytest.raises(InputError, match="base_url"):
        EvolveStageConfig(backend="openai")
    with pytest.raises(InputError, match="tasks"):
        EvolveStageConfig(train={"tasks": {"nope": 1.0}}).sft_config(0)


def test_pool_and_dev_are_apart_from_the_dataset(tmp_path: Path):
    train = synthetic_pool(30, seed=5, exclude=set())  # stands in for the run's training queries
    write_jsonl(tmp_path / "data" / "train.jsonl", [
        {"id": e["id"], "type": "single", "messages": [{"role": "user", "content": e["query"]}], "tools": [],
         "gold": []} for e in train])
    config = EvolveStageConfig(rounds=2, queries_per_round=6, dev_size=5, pool_seed_offset=0)
    dev_path, slices = prepare_sets(config, tmp_path / "stage", seed=5, data_dir=tmp_path / "data")
    taken = {e["query"] for e in train}
    pool = [q for s in slices for q in s]
    assert [len(s) for s in slices] == [6, 6]
    assert len({q["id"] for q in pool}) == 12 and not taken & {q["query"] for q in pool}
    dev = [r for _, r in iter_jsonl(dev_path)]
    dev_queries = {record_query(r) for r in dev}
    assert len(dev) == 5 and not dev_queries & taken and not dev_queries & {q["query"] for q in pool}
    assert all(q["gold"] for q in pool)  # engine queries carry gold for QC
    # resumed: the same pool is read back, not redrawn
    again = prepare_sets(config, tmp_path / "stage", seed=99, data_dir=tmp_path / "data")[1]
    assert again == slices


def test_pool_from_user_files(tmp_path: Path):
    text = tmp_path / "q.txt"
    text.write_text("first query\n\nsecond query\n")
    assert [e["query"] for e in load_pool_file(text)] == ["first query", "second query"]
    jsonl = tmp_path / "q.jsonl"
    jsonl.write_text('{"query": "a"}\nnot json\n{"messages": [{"role": "user", "content": "b"}]}\n{"x": 1}\n')
    assert [e["query"] for e in load_pool_file(jsonl)] == ["a", "b"]
    with pytest.raises(InputError, match="no usable queries"):
        (tmp_path / "empty.jsonl").write_text('{"x": 1}\n')
        load_pool_file(tmp_path / "empty.jsonl")
    with pytest.raises(InputError, match="not found"):
        load_pool_file(tmp_path / "missing.txt")


def test_stage_metrics_flatten_rounds():
    rounds = [{"round": 0, "metrics": {"dev": 0.2}},
              {"round": 1, "kept": 7, "dropped": 3, "label_precision": {"exact": 0.5},
               "metrics": {"dev": 0.3, "bfcl": {"simple_python": 0.1}}}]
    metrics = stage_metrics({"best_round": 1, "rounds": rounds})
    assert metrics == {"best_round": 1.0, "r0_dev": 0.2, "r1_dev": 0.3, "r1_kept": 7.0, "r1_dropped": 3.0,
                       "r1_label_precision": 0.5, "r1_simple_python": 0.1}
