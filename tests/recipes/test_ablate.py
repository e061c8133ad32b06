from pathlib import Path

import pytest

from toolgym.core.errors import InputError
from toolgym.recipes.ablate import STUDIES, ablation_table, budgeted, variant_recipes

REPO = Path(__file__).resolve().parents[2]


def test_budget_is_equal_across_variants() -> None:
    for _, variants in STUDIES.values():
        for variant in variants:
            stages = budgeted(variant.stages, 40, 4, {})
            assert sum(s["max_steps"] for s in stages) == (40 if stages else 0)
            assert all(s["per_device_train_batch_size"] == 4 for s in stages)


def test_variants_share_data_and_parse() -> None:
    recipes = variant_recipes(REPO / "recipes" / "quickstart.yaml", "tooldev", 20, 2)
    labels = [label for label, _ in recipes]
    assert labels == [v.label for v in STUDIES["tooldev"][1]]
    assert len({r.data.path for _, r in recipes}) == 1
    assert len({r.name for _, r in recipes}) == len(recipes)
    kinds = [[s.kind for s in r.stages] for _, r in recipes]
    assert kinds == [[], ["adapt"], ["sft"], ["adapt", "sft"], ["adapt", "sft"]]
    tl = dict(variant_recipes(REPO / "recipes" / "quickstart.yaml", "tl", 20, 2))
    assert tl["+MAE+PKT"].stages[0].config.mae and tl["+MAE+PKT"].stages[0].config.pkt
    assert not tl["standard SFT"].stages[0].config.mae


def test_unknown_study() -> None:
    with pytest.raises(InputError, match="unknown study"):
        variant_recipes(REPO / "recipes" / "quickstart.yaml", "nope", 1, 1)


def test_table_lists_every_variant() -> None:
    table = ablation_table("T", [("a", {"x": 0.5}, 10), ("b", {}, 0)], ["x"])
    assert "| a | 50.0 | 10 |" in table and "| b | – | 0 |" in table
