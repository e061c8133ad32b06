"""core.config: dataclass configs from recipe mappings (pydantic, strict), one-line errors naming file, record, key."""

from dataclasses import dataclass, field
from typing import Literal

import pytest

from toolgym.core.config import from_dict, load_yaml
from toolgym.core.errors import InputError


@dataclass
class Lr:
    learning_rate: float = 1e-4
    steps: int = 1
    tasks: dict[str, float] | list[str] = field(default_factory=list)
    bf16: bool | Literal["auto"] = "auto"
    names: list[str] = field(default_factory=list)


def build(data: object) -> Lr:
    return from_dict(Lr, data, file="r.yaml", where="sft")


def test_yaml_floats_without_a_dot_are_floats() -> None:
    # YAML 1.1 (PyYAML) reads 3e-4 as the string "3e-4"; the recipe loader reads it as YAML 1.2 does
    assert load_yaml("lr: 3e-4\nb: 1.0e-3\nc: 1e3\nd: '3e-4'\n", file="r.yaml") == {
        "lr": pytest.approx(3e-4), "b": 1e-3, "c": 1000.0, "d": "3e-4"}
    assert build(load_yaml("learning_rate: 3e-4", file="r.yaml")).learning_rate == pytest.approx(3e-4)
    assert build({"learning_rate": 2}).learning_rate == 2.0


def test_yaml_duplicate_keys_and_syntax_errors_name_the_line() -> None:
    with pytest.raises(InputError, match=r"r\.yaml, record line 2: invalid YAML: duplicate key 'a'"):
        load_yaml("a: 1\na: 2\n", file="r.yaml")
    with pytest.raises(InputError, match="record line 1: invalid YAML"):
        load_yaml("[", file="r.yaml")


@pytest.mark.parametrize("value", ["fast", "1e", True, "3e-4", float("nan")])
def test_non_numbers_are_rejected_naming_the_field(value: object) -> None:
    with pytest.raises(InputError) as err:
        build({"learning_rate": value})
    assert err.value.field == "learning_rate" and "r.yaml" in str(err.value) and "sft" in str(err.value)


@pytest.mark.parametrize(("data", "field_name", "text"), [
    ({"steps": 1.5}, "steps", "expected int, got 1.5"),
    ({"steps": "5"}, "steps", "expected int"),
    ({"names": ["a", 3]}, "names[1]", "valid string, got 3"),
    ({"tasks": {"a": "x"}}, "tasks.a", "valid number, got 'x'"),
    ({"tasks": ["a", 1]}, "tasks[1]", "valid string, got 1"),
    ({"tasks": 5}, "tasks", "expected dict[str, float] | list[str], got 5"),
    ({"bf16": "yes"}, "bf16", "expected bool | 'auto', got 'yes'"),
    ({"stepz": 1}, "stepz", "did you mean 'steps'?"),
])
def test_wrong_types_and_keys_name_the_exact_place(data: dict, field_name: str, text: str) -> None:
    with pytest.raises(InputError) as err:
        build(data)
    assert err.value.field == field_name and text in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("data", ["foo", [], 3])
def test_a_section_that_is_not_a_mapping(data: object) -> None:
    with pytest.raises(InputError, match="record sft: expected a mapping of keys"):
        build(data)


def test_none_is_all_defaults() -> None:
    assert build(None) == Lr()
