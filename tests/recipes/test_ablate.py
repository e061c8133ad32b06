import json
from pathlib import Path

import pytest

from toolgym.core.errors import InputError
from toolgym.recipes.ablate import (
    STUDIES,
    Budget,
    ablation_table,
    budget_trained,
    budgeted,
    run_ablation,
    variant_recipes,
)

REPO = Path(__file__).resolve().parents[2]


def test_budget_is_equal_across_variants() -> None:
    for _, variants in STUDIES.values():
        for variant in variants:
            stages = budgeted(variant.stages, 40, 4, {}, rl_steps=6)
            sft = [s for s in stages if s["kind"] != "rl"]
            if variant.after:  # +IRM rows: only the RL stage, on top of an SFT variant with the full budget
                assert [s["max_steps"] for s in stages] == [6] and "per_device_train_batch_size" not in stages[0]
                continue
            assert sum(s["max_steps"] for s in sft) == (40 if stages else 0)
            assert all(s["per_device_train_batch_size"] == 4 for s in sft)


def test_variants_share_data_and_parse() -> None:
    recipes = variant_recipes(REPO / "recipes" / "quickstart.yaml", "tooldev", 20, 2)
    labels = [label for label, _, _ in recipes]
    assert labels == [v.label for v in STUDIES["tooldev"][1]]
    assert len({r.data.path for _, r, _ in recipes}) == 1
    assert len({r.name for _, r, _ in recipes}) == len(recipes)
    kinds = [[s.kind for s in r.stages] for _, r, _ in recipes]
    assert kinds == [[], ["adapt"], ["sft"], ["adapt", "sft"], ["adapt", "sft"]]
    tl = {label: recipe for label, recipe, _ in variant_recipes(REPO / "recipes" / "quickstart.yaml", "tl", 20, 2)}
    assert tl["+MAE+PKT"].stages[0].config.mae and tl["+MAE+PKT"].stages[0].config.pkt
    assert not tl["standard SFT"].stages[0].config.mae
    irm = tl["+MAE+PKT+IRM"].stages
    assert [s.kind for s in irm] == ["rl"] and irm[0].config.max_steps == 5  # default rl_steps = steps // 4


def test_unknown_study() -> None:
    with pytest.raises(InputError, match="unknown study"):
        variant_recipes(REPO / "recipes" / "quickstart.yaml", "nope", 1, 1)


def test_table_lists_every_variant() -> None:
    table = ablation_table("T", [("a", {"x": 0.5}, Budget(10)), ("b", {}, Budget())], ["x"])
    assert "| a | 50.0 | 10 |" in table and "| b | – | 0 |" in table and "RL completions" not in table
    with_rl = ablation_table("T", [("a", {"x": 0.5}, Budget(1_000)), ("a+rl", {"x": 0.25}, Budget(1_000, 64))], ["x"])
    assert "| a | 50.0 | 1,000 | 0 |" in with_rl and "| a+rl | 25.0 | 1,000 | 64 |" in with_rl


def test_variants_inherit_the_base_stage_settings() -> None:
    tl = {label: recipe for label, recipe, _ in variant_recipes(REPO / "recipes" / "tl_training.yaml", "tl", 20, 2)}
    sft = tl["standard SFT"].stages[0].config
    assert sft.learning_rate == 5.0e-4 and not sft.mae and not sft.pkt  # base lr; the base's mae/pkt do not leak
    irm = tl["+IRM"].stages[0].config
    assert irm.algorithm == "ppo" and irm.critic_learning_rate == 1.0e-3 and irm.max_steps == 5


def test_budget_counts_sft_tokens_and_rl_completions(tmp_path: Path) -> None:
    tl = {label: recipe for label, recipe, _ in variant_recipes(REPO / "recipes" / "tl_training.yaml", "tl", 20, 2)}
    sft, irm = tl["standard SFT"], tl["+IRM"]
    for recipe, train in ((sft, {"train_tokens": 1234}), (irm, {"global_step": 5})):
        recipe.output_dir = str(tmp_path)
        stage_dir = recipe.run_dir / recipe.stages[0].name
        stage_dir.mkdir(parents=True)
        (stage_dir / "manifest.json").write_text(json.dumps({"outputs": {"train": train}}))
    assert budget_trained(sft) == Budget(tokens=1234)
    assert budget_trained(irm) == Budget(rl_completions=5 * 8)  # tl_training.yaml: 8 prompts per PPO step
    assert budget_trained(sft) + budget_trained(irm) == Budget(1234, 40)


def test_finished_only_tabulates_what_is_on_disk(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text((REPO / "recipes" / "tl_training.yaml").read_text() + f"output_dir: {tmp_path}\n")
    done = tmp_path / "tl_training-ablate" / "tl-0"
    (done / "eval_final").mkdir(parents=True)
    manifest = {"status": "complete", "metrics": {"non_live_ast": 0.25}}
    (done / "eval_final" / "manifest.json").write_text(json.dumps(manifest))
    table = run_ablation(base, "tl", 20, 2, finished_only=True)
    assert "| standard SFT | 25.0 | 0 |" in table
    assert "+MAE" not in table and "+IRM" not in table  # not run; +IRM extends a finished row but has no eval
    assert not (tmp_path / "tl_training-ablate" / "tl.md").exists()
