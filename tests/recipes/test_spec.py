from pathlib import Path

import pytest

from toolgym.core.errors import InputError
from toolgym.recipes.spec import load_recipe

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "r.yaml"
    path.write_text(text)
    return path


def test_shipped_recipes_parse() -> None:
    for path in sorted((REPO / "recipes").glob("*.yaml")):
        recipe = load_recipe(path)
        assert recipe.name and recipe.stages, path


def test_unknown_stage_key_names_key_and_nearest(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\nstages:\n  - kind: sft\n    lerning_rate: 0.1\n")
    with pytest.raises(InputError) as err:
        load_recipe(path)
    message = str(err.value)
    assert "lerning_rate" in message and "learning_rate" in message and str(path) in message


def test_unknown_top_and_section_keys(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="did you mean 'eval'"):
        load_recipe(write(tmp_path, "name: x\nevl: {}\n"))
    with pytest.raises(InputError, match="did you mean 'limit'"):
        load_recipe(write(tmp_path, "name: x\neval: {limt: 3}\n"))


def test_unknown_stage_kind_and_bad_type(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="did you mean 'sft'"):
        load_recipe(write(tmp_path, "name: x\nstages:\n  - kind: sfft\n"))
    with pytest.raises(InputError, match="field max_steps"):
        load_recipe(write(tmp_path, "name: x\nstages:\n  - kind: sft\n    max_steps: many\n"))


def test_invalid_yaml_names_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="line"):
        load_recipe(write(tmp_path, "name: x\nstages: [\n"))


def test_overrides_reach_sections_and_stages(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\nstages:\n  - kind: sft\n    name: main\n    max_steps: 5\n")
    recipe = load_recipe(path, ["main.max_steps=7", "eval.limit=3", "data.n=11", "model=other"])
    assert recipe.stages[0].config.max_steps == 7
    assert (recipe.eval.limit, recipe.data.n, recipe.model) == (3, 11, "other")
    with pytest.raises(InputError, match="did you mean 'main'"):
        load_recipe(path, ["mian.max_steps=1"])
    with pytest.raises(InputError, match="did you mean 'max_steps'"):
        load_recipe(path, ["main.max_step=1"])


def test_starting_adapter_must_exist_when_the_run_starts(tmp_path: Path) -> None:
    from toolgym.recipes.runner import execute

    path = write(tmp_path, f"name: x\noutput_dir: {tmp_path}\nadapter: {tmp_path / 'none'}\n"
                           "stages:\n  - kind: rl\n")
    recipe = load_recipe(path)  # parsing does not need the folder yet
    assert recipe.adapter == str(tmp_path / "none")
    with pytest.raises(InputError, match="field adapter") as err:
        execute(recipe)
    assert "adapter_config.json" in str(err.value) and str(path) in str(err.value)
