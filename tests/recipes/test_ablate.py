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
    assert all(recipe.deadline_minutes is None for _, recipe, _ in recipes)  # equal step budgets, no deadline
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


def test_tl_study_has_the_papers_eight_rows_and_plays_episodes() -> None:
    labels = [v.label for v in STUDIES["tl"][1]]
    assert labels == ["standard SFT", "+MAE", "+PKT", "+IRM", "+MAE+PKT", "+MAE+IRM", "+PKT+IRM", "+MAE+PKT+IRM"]
    tl = {label: recipe for label, recipe, _ in variant_recipes(REPO / "recipes" / "quickstart.yaml", "tl", 20, 2)}
    assert all(r.eval.episodes == ["test_unseen_tool_unseen_query.jsonl"] for r in tl.values())  # DE/CE/VA
    assert [v.after for v in STUDIES["tl"][1] if v.label in ("+MAE+IRM", "+PKT+IRM")] == ["+MAE", "+PKT"]


def test_composition_variants_get_their_own_scaled_data() -> None:
    from toolgym.data.synth import DEFAULT_MIX

    recipes = {label: r for label, r, _ in variant_recipes(REPO / "recipes" / "tl_training.yaml", "gentool_data", 20, 2)}
    base, none, double = (recipes["base mix"], recipes["no zero-to-one, no weak-to-strong"],
                          recipes["zero-to-one and weak-to-strong x2"])
    assert len({r.data.path for r in recipes.values()}) == len(recipes)  # a dataset each (the base: the shared one)
    assert none.data.mix["zero_to_one"] == none.data.mix["weak_to_strong"] == 0.0
    base_mix = base.data.mix or DEFAULT_MIX
    assert double.data.mix["zero_to_one"] == 2 * base_mix["zero_to_one"]
    assert double.data.mix["single"] == base_mix["single"]


def test_no_call_study_sets_the_no_call_sources_and_tabulates_each_share(tmp_path: Path) -> None:
    from toolgym.recipes.ablate import no_call_share

    recipes = {label: r for label, r, _ in variant_recipes(REPO / "recipes" / "quickstart.yaml", "no_call", 20, 2)}
    assert list(recipes) == ["no no-call records", "low", "medium", "base mix", "high"]
    none, base, high = recipes["no no-call records"], recipes["base mix"], recipes["high"]
    assert len({r.data.path for r in recipes.values()}) == len(recipes)
    assert none.data.mix["no_tool"] == none.data.mix["zero_to_one"] == 0.0 and none.data.toolset_no_call == 0.0
    assert base.data.toolset_no_call == 0.1 and high.data.toolset_no_call == 0.2  # quickstart.yaml's 0.1
    assert high.data.mix["no_tool"] == pytest.approx(1.67 * base.data.mix["no_tool"])
    assert high.data.mix["single"] == base.data.mix["single"]

    (tmp_path / "manifest.json").write_text(json.dumps(
        {"files": {"train": {"records": 200, "by_type": {"single": 170, "no_tool": 20, "zero_to_one_without": 10}}}}))
    assert no_call_share(tmp_path) == pytest.approx(0.15) and no_call_share(tmp_path / "missing") is None
    table = ablation_table("T", [("a", {}, Budget(5, no_call_share=0.0)), ("b", {}, Budget(6, no_call_share=0.15))],
                           [])
    assert "| variant | no-call records | tokens trained |" in table and "| b | 15.0 | 6 |" in table
    same = ablation_table("T", [("a", {}, Budget(5, no_call_share=0.1)), ("b", {}, Budget(6, no_call_share=0.1))], [])
    assert "no-call records" not in same  # one dataset: nothing to tell apart
    assert (Budget(1, no_call_share=0.1) + Budget(2)).no_call_share == 0.1  # an RL row keeps its SFT row's data


def test_masking_study_scores_every_variant_on_the_shared_suites() -> None:
    recipes = {label: r for label, r, _ in variant_recipes(
        REPO / "recipes" / "quality.yaml", "masking", 20, 2, ["eval.suites=[dev.jsonl]", "eval.episodes=[test_a.jsonl]"])}
    base, real, hammer = recipes["base data"], recipes["real names"], recipes["two thirds masked (Hammer)"]
    assert real.data.mask_functions == real.data.mask_parameters == 0.0
    assert hammer.data.mask_functions == hammer.data.mask_parameters == 0.67
    assert base.data.mask_functions == 0.2 and len({r.data.path for r in recipes.values()}) == len(recipes)
    shared = Path(base.data.path)
    assert base.eval.suites == ["dev.jsonl"]  # resolved in its own (the shared) data folder by the runner
    assert real.eval.suites == [str(shared / "dev.jsonl")] and hammer.eval.calibrate == str(shared / "dev.jsonl")
    assert real.eval.episodes == [str(shared / "test_a.jsonl")]
    no_call = {label: r for label, r, _ in variant_recipes(REPO / "recipes" / "quality.yaml", "no_call", 20, 2)}
    assert no_call["high"].eval.calibrate == "dev.jsonl"  # its own dev split: the same records (mix-only changes)


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
        recipe.output_dir, recipe.data.path = str(tmp_path), str(tmp_path / "no-dataset")
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


def test_metrics_patterns_pick_and_order_the_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_cli import assert_one_line_error, invoke

    base = tmp_path / "base.yaml"
    base.write_text((REPO / "recipes" / "tl_training.yaml").read_text() + f"output_dir: {tmp_path}\n")
    done = tmp_path / "tl_training-ablate" / "tl-0" / "eval_final"
    done.mkdir(parents=True)
    metrics = {"simple_python": 0.5, "non_live_ast": 0.25, "suite_a_de": 0.1, "suite_b_de": 0.2, "suite_a_va": 0.3}
    (done / "manifest.json").write_text(json.dumps({"status": "complete", "metrics": metrics}))
    table = run_ablation(base, "tl", 20, 2, finished_only=True, columns=["non_live_ast", "suite_*_de"])
    assert "| variant | non_live_ast | suite_a_de | suite_b_de | tokens trained |" in table
    assert "| standard SFT | 25.0 | 10.0 | 20.0 | 0 |" in table
    assert_one_line_error(invoke(["ablate", str(base), "--study", "tl", "--finished-only", "--metrics",
                                  "non_live_ast,live_*"], capsys), "field --metrics", "'live_*' matches no metric")


def test_seeds_parse_and_a_bad_one_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_cli import assert_one_line_error, invoke
    from toolgym.recipes.ablate import parse_seeds

    assert parse_seeds("0, 1,1,2") == [0, 1, 2] and parse_seeds("") is None
    assert_one_line_error(invoke(["ablate", str(REPO / "recipes" / "tl_training.yaml"), "--study", "tl",
                                  "--finished-only", "--seeds", "0,x"], capsys), "field --seeds", "'x'")


def test_another_seed_gets_its_own_data_and_folders_and_the_recipes_seed_keeps_the_plain_names() -> None:
    base = REPO / "recipes" / "tl_training.yaml"
    plain = {label: recipe for label, recipe, _ in variant_recipes(base, "tl", 20, 2)}
    own = {label: recipe for label, recipe, _ in variant_recipes(base, "tl", 20, 2, seed=0)}
    other = {label: recipe for label, recipe, _ in variant_recipes(base, "tl", 20, 2, seed=3)}
    assert [r.name for r in plain.values()] == [r.name for r in own.values()]
    assert plain["standard SFT"].name.endswith("/tl-0") and plain["standard SFT"].seed == 0
    assert other["standard SFT"].name.endswith("/tl-0-seed3") and other["standard SFT"].seed == 3
    assert other["standard SFT"].data.path.endswith("data-seed3/dataset") != plain["standard SFT"].data.path
    mix = {label: recipe for label, recipe, _ in variant_recipes(REPO / "recipes" / "quickstart.yaml",
                                                                "gentool_data", 20, 2, seed=3)}
    assert mix["no weak-to-strong"].data.path.endswith("data-gentool_data-1-seed3/dataset")


def _finished_run(run_dir: Path, metrics: dict[str, float], right: list[bool]) -> None:
    """A variant's final eval on disk: its manifest and BFCL results (irrelevance cases, then simple_python)."""
    (run_dir / "eval_final" / "bfcl").mkdir(parents=True)
    (run_dir / "eval_final" / "manifest.json").write_text(json.dumps({"status": "complete", "metrics": metrics}))
    rows = [{"id": f"case_{i}", "category": "irrelevance" if i < 4 else "simple_python", "valid": ok}
            for i, ok in enumerate(right)]
    (run_dir / "eval_final" / "bfcl" / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_several_seeds_give_mean_cells_and_paired_counts_summed_over_seeds(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text((REPO / "recipes" / "tl_training.yaml").read_text() + f"output_dir: {tmp_path}\n")
    runs = tmp_path / "tl_training-ablate"
    # seed 0: MAE gains irrelevance cases 0 and 1; seed 5: it gains case 0 and loses simple_python case 4
    _finished_run(runs / "tl-0", {"irrelevance": 0.5}, [False, False, True, True, True])
    _finished_run(runs / "tl-1", {"irrelevance": 1.0}, [True, True, True, True, True])
    _finished_run(runs / "tl-0-seed5", {"irrelevance": 0.75}, [False, True, True, True, True])
    _finished_run(runs / "tl-1-seed5", {"irrelevance": 1.0}, [True, True, True, True, False])
    table = run_ablation(base, "tl", 20, 2, finished_only=True, seeds=[0, 5], paired=["irrelevance", "all"])
    assert "| standard SFT | 62.5 (50.0–75.0) | 0 |" in table and "| +MAE | 100.0 (100.0–100.0) | 0 |" in table
    assert "mean of the seeds' scores (0, 5)" in table and "not a 95% interval" in table
    assert "| +MAE | standard SFT | irrelevance | 8 | 62.5 | 100.0 | 0 / 3 | +2, +1 | 0.25 |" in table
    assert "| +MAE | standard SFT | all | 10 | 70.0 | 90.0 | 1 / 3 | +2, +0 | 0.625 |" in table
    partial = run_ablation(base, "tl", 20, 2, finished_only=True, seeds=[0, 5, 9], paired=[])
    assert "| standard SFT (2 of 3 seeds) | 62.5 (50.0–75.0) | 0 |" in partial and "Paired" not in partial
    one_seed = run_ablation(base, "tl", 20, 2, finished_only=True, paired=["irrelevance"])
    assert "| standard SFT | 50.0 | 0 |" in one_seed and "mean of" not in one_seed
    assert "| +MAE | standard SFT | irrelevance | 4 | 50.0 | 100.0 | 0 / 2 | +2 | 0.5 |" in one_seed


@pytest.mark.slow  # four tiny recipe runs of the embedded model (2 variants x 2 seeds): minutes of CPU
def test_two_seeds_train_every_variant_twice_and_tabulate_their_means(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = Path(sys.executable).with_name("toolgym")
    command = [str(script), "ablate", str(REPO / "recipes" / "ci.yaml"), "--study", "gentool", "--steps", "2",
               "--batch", "1", "--seeds", "0,1", "--set", f"output_dir={tmp_path}", "--set", "eval.baseline=false",
               "--set", "eval.episodes=[]", "--paired", "all,irrelevance"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, done.stderr[-2000:]
    runs = tmp_path / "ci-ablate"
    for name in ("gentool-0", "gentool-1", "gentool-0-seed1", "gentool-1-seed1"):
        assert json.loads((runs / name / "eval_final" / "manifest.json").read_text())["status"] == "complete"
    assert (runs / "data-seed1" / "dataset" / "manifest.json").is_file()
    for name, seed in (("gentool-0", 0), ("gentool-0-seed1", 1), ("gentool-1-seed1", 1)):
        assert json.loads((runs / name / "sft" / "manifest.json").read_text())["seed"] == seed
    table = (runs / "gentool.md").read_text()
    assert "| selection only |" in table and "| ranking → selection |" in table
    assert "mean of the seeds' scores (0, 1)" in table
    paired = [line for line in table.splitlines() if line.startswith("| ranking → selection | selection only |")]
    assert sorted(line.split(" | ")[2] for line in paired) == ["all", "irrelevance"]
    assert all(len(line.split(" | ")[7].split(", ")) == 2 for line in paired)  # one net per seed
