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


@pytest.mark.parametrize(("text", "where", "message"), [
    ("name: x\ndata: foo\n", "record data", "expected a mapping of keys, got 'foo'"),
    ("name: x\nseed: abc\n", "record recipe, field seed", "expected int, got 'abc'"),
    ("name: x\nseed: -1\n", "record recipe, field seed", "must be >= 0"),
    ("name: x\ndata: {mix: {singel: 1}}\n", "field mix.singel", "did you mean 'single'?"),
    ("name: x\ndata: {mix: {single: 0}}\n", "field mix", "weights sum to 0"),
    ("name: x\ndata: {zip_fanout: 1.5}\n", "record data, field zip_fanout", "must be in [0, 1], got 1.5"),
    ("name: x\ndata: {state_cities: -0.1}\n", "record data, field state_cities", "must be in [0, 1], got -0.1"),
    ("name: x\neval: {categories: [simple_pyton]}\n", "record eval, field categories", "'simple_python'"),
    ("name: x\neval: {categories: [1]}\n", "field categories[0]", "valid string, got 1"),
    ("name: x\neval: {suites: [test_seen.jsonl]}\n", "field suites[0]", "the data step writes no suite"),
    ("name: x\neval: {dtype: fp64}\n", "field dtype", "unknown generation dtype 'fp64'"),
    ("name: x\neval: {calibrate_min_refusal: 75}\n", "field calibrate_min_refusal", "between 0 and 1, not 75"),
    ("name: x\neval: {calibrate_call_tolerance: 1}\n", "field calibrate_call_tolerance", "in [0, 1), not 1"),
    ("name: x\nstages: sft\n", "field stages", "expected a list of stages"),
    ("name: x\nstages:\n  - kind: sft\n    tasks: [invocation, 3]\n", "field tasks[1]", "valid string, got 3"),
    ("name: x\nstages:\n  - kind: sft\n    name: data\n", "field name", "'data' is taken"),
    ("name: x\nstages:\n  - kind: evolve\n    train: {max_step: 3}\n", "stage 'evolve', field train.max_step",
     "did you mean 'max_steps'?"),
    ("name: x\nstages:\n  - kind: evolve\n    bfcl_categories: [mutliple]\n", "field bfcl_categories",
     "did you mean 'multiple'?"),
    ("name: x\nseed: 1\nseed: 2\n", "record line 3", "duplicate key 'seed'"),
    ("nme: x\n", "record recipe, field nme", "did you mean 'name'?"),
    ("model: m\n", "field name", "missing required key"),
    ("name: x\ndeadline_minutes: 0\n", "record recipe, field deadline_minutes", "must be > 0"),
    ("name: x\ndeadline_minutes: 20\neval: {baseline: false}\n", "record recipe, field deadline_minutes",
     "needs eval.baseline: true"),
    ("name: x\ndeadline_minutes: 20\nstages:\n  - kind: sft\n", "record stages[0], field max_steps",
     "needs max_steps > 0"),
])
def test_every_error_is_one_line_naming_file_section_and_key(tmp_path: Path, text: str, where: str,
                                                             message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_recipe(path)
    line = str(err.value)
    assert line.startswith(f"file {path}") and where in line and message in line and "\n" not in line


@pytest.mark.parametrize(("override", "where", "message"), [
    ("data.n=[", "record --set data.n", "invalid YAML"),
    ("data.n.x=1", "record --set data.n.x", "data.n is declared int, which has no keys"),
    ("name.first=1", "record --set name.first", "name is str 'x' in the recipe, not a mapping"),
    ("data.nn=3", "record --set data.nn, field nn", "did you mean 'n'?"),
    ("main.max_step=3", "record --set main.max_step", "did you mean 'max_steps'?"),
    ("data.n=many", "record data, field n", "expected int, got 'many'"),
    ("data", "record --set", "is not key=value"),
])
def test_bad_overrides_name_the_override(tmp_path: Path, override: str, where: str, message: str) -> None:
    path = write(tmp_path, "name: x\nstages:\n  - kind: sft\n    name: main\n")
    with pytest.raises(InputError) as err:
        load_recipe(path, [override])
    assert where in str(err.value) and message in str(err.value) and str(path) in str(err.value)


def test_override_values_follow_the_declared_type(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\nstages:\n  - kind: sft\n    name: main\n    tasks: {invocation: 1}\n")
    recipe = load_recipe(path, ["model=123", "main.lora_target_modules=[q_proj, v_proj]", "main.learning_rate=3e-4",
                                "main.tasks.ranking=0.5", "data.mix.single=2", "eval.limit=null"])
    config = recipe.stages[0].config
    assert recipe.model == "123" and config.lora_target_modules == ["q_proj", "v_proj"]
    assert config.learning_rate == pytest.approx(3e-4) and config.tasks == {"invocation": 1.0, "ranking": 0.5}
    assert recipe.data.mix == {"single": 2.0} and recipe.eval.limit is None


def test_files_a_recipe_names_are_checked_before_the_first_step(tmp_path: Path) -> None:
    data = tmp_path / "ds"
    with pytest.raises(InputError, match=r"record data, field path: no dataset folder"):
        load_recipe(write(tmp_path, f"name: x\ndata: {{path: {data}}}\n"))
    data.mkdir()
    (data / "train.jsonl").write_text("")
    (data / "test_a.jsonl").write_text("")
    with pytest.raises(InputError, match=r"field suites\[0\]: no suite 'test_b.jsonl'.*did you mean 'test_a.jsonl'"):
        load_recipe(write(tmp_path, f"name: x\ndata: {{path: {data}}}\neval: {{suites: [test_b.jsonl]}}\n"))
    assert load_recipe(write(tmp_path, f"name: x\ndata: {{path: {data}}}\neval: {{suites: [test_a.jsonl]}}\n"))
    with pytest.raises(InputError, match=r"stage 'evolve', field pool_file: no such file"):
        load_recipe(write(tmp_path, f"name: x\nstages:\n  - kind: evolve\n    pool_file: {tmp_path / 'no.txt'}\n"))


def test_the_calibration_split_is_checked_like_a_suite(tmp_path: Path) -> None:
    """A typo in eval.calibrate fails before the first step, not at eval_final after training."""
    with pytest.raises(InputError, match=r"record eval, field calibrate: the data step writes no suite "
                                         r"'devv.jsonl'; did you mean 'dev.jsonl'\?"):
        load_recipe(write(tmp_path, "name: x\neval: {calibrate: devv.jsonl, baseline: false}\n"))
    assert load_recipe(write(tmp_path, "name: x\neval: {calibrate: dev.jsonl}\n")).eval.calibrate == "dev.jsonl"
    data = tmp_path / "ds"
    data.mkdir()
    for name in ("train.jsonl", "dev.jsonl"):
        (data / name).write_text("")
    with pytest.raises(InputError, match=r"field calibrate: no suite 'devv.jsonl'.*did you mean 'dev.jsonl'"):
        load_recipe(write(tmp_path, f"name: x\ndata: {{path: {data}}}\neval: {{calibrate: devv.jsonl}}\n"))
    assert load_recipe(write(tmp_path, f"name: x\ndata: {{path: {data}}}\neval: {{calibrate: dev.jsonl}}\n"))


def test_episode_suites_are_checked_like_suites(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"record eval, field episodes\[0\]: the data step writes no suite "
                                         r"'devv.jsonl'; did you mean 'dev.jsonl'\?"):
        load_recipe(write(tmp_path, "name: x\neval: {episodes: [devv.jsonl]}\n"))
    with pytest.raises(InputError, match=r"field max_turns: must be >= 1"):
        load_recipe(write(tmp_path, "name: x\neval: {episodes: [dev.jsonl], max_turns: 0}\n"))
    spec = load_recipe(write(tmp_path, "name: x\neval: {episodes: [dev.jsonl], episodes_limit: 5}\n")).eval
    assert (spec.episodes, spec.episodes_limit, spec.max_turns) == (["dev.jsonl"], 5, 9)


def test_an_output_dir_that_is_a_file_fails_before_the_first_step(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("")
    with pytest.raises(InputError, match=r"record recipe, field output_dir: '.*taken' is a file, not a folder"):
        load_recipe(write(tmp_path, f"name: x\noutput_dir: {taken}\n"))
    (tmp_path / "x").write_text("")
    with pytest.raises(InputError, match=r"record recipe, field name: '.*x' is a file, not a folder"):
        load_recipe(write(tmp_path, f"name: x\noutput_dir: {tmp_path}\n"))
