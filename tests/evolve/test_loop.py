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
    assert set(retrain.tasks) == {"invocation", "tool_generation"} and retrain.max_steps == 16


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


WEATHER = {"name": "get_weather", "description": "Weather of a city.", "parameters": {
    "type": "object", "properties": {"city": {"type": "string", "description": "City name"}}, "required": ["city"]}}


class EchoGenerator:
    """Deterministic Generator over the real tokenizer: writes the weather tool, calls it with the query's last
    word, answers dev prompts in prose; raises once `budget["tools"]` tool-generation queries are used up."""

    def __init__(self, tokenizer, budget: dict) -> None:
        self.tokenizer, self.budget = tokenizer, budget

    def chat(self, batch, *, n=1, **kwargs):
        import json as _json

        from toolgym.core.formats import render_calls
        from toolgym.core.schema import ToolCall

        out = []
        for messages, _tools in batch:
            if messages[0]["role"] == "system":
                if self.budget["tools"] <= 0:
                    raise RuntimeError("killed")
                self.budget["tools"] -= 1
                self.budget["generated"] += 1
                out.append(["<tools>\n" + _json.dumps(WEATHER) + "\n</tools>"])
            else:
                city = messages[0]["content"].split()[-1]
                out.append([render_calls([ToolCall("get_weather", {"city": city})], "hermes")] * n)
        return out

    def generate(self, prompts, **kwargs):
        return [["I will answer without a tool."] for _ in prompts]


@pytest.mark.slow
def test_rounds_retrain_resume_and_pick_the_best(tmp_path: Path):
    """Two rounds with real retraining (1 step each): killed in round 2, resumed without redoing round 1."""
    from toolgym.evolve.loop import run_evolution
    from toolgym.models.registry import load_model

    _, tokenizer = load_model("smollm2-135m")
    pool = tmp_path / "pool.txt"
    pool.write_text("\n".join(f"weather in City{i}" for i in range(6)) + "\n")
    config = EvolveStageConfig(rounds=2, queries_per_round=3, chunk_size=2, pool_file=str(pool), dev_size=3,
                               train={"max_steps": 1, "per_device_train_batch_size": 2, "max_length": 256})
    budget = {"tools": 5, "generated": 0}
    with pytest.raises(RuntimeError, match="killed"):
        run_evolution(config, model="smollm2-135m", adapter=None, out_dir=tmp_path / "stage", progress=False,
                      generator_factory=lambda adapter: EchoGenerator(tokenizer, budget))
    assert (tmp_path / "stage" / "round_1" / "manifest.json").is_file()
    assert not (tmp_path / "stage" / "round_2" / "manifest.json").exists()
    budget.update(tools=100, generated=0)
    result = run_evolution(config, model="smollm2-135m", adapter=None, out_dir=tmp_path / "stage", progress=False,
                           generator_factory=lambda adapter: EchoGenerator(tokenizer, budget))
    assert budget["generated"] == 1  # only round 2's missing query
    r1, r2 = result["rounds"][1], result["rounds"][2]
    assert (r1["kept"], r2["kept"]) == (3, 3) and r1["label_precision"]["with_gold"] == 0
    assert r1["vote_agreement_histogram"]["5/5"] == 3
    assert r2["start_adapter"] == r1["adapter"] and Path(r2["adapter"], "adapter_config.json").is_file()
    assert r1["train"]["examples"] == {"invocation": 3, "tool_generation": 3}
    ids = [r["id"] for _, r in iter_jsonl(tmp_path / "stage" / "round_2" / "samples.jsonl", strict=True)]
    assert sorted(ids) == ["file-000003", "file-000004", "file-000005"]
    best = max(result["rounds"], key=lambda m: (m["metrics"]["dev"], -m["round"]))
    assert result["best_round"] == best["round"] and result["adapter"] == best["adapter"]
