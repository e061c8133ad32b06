"""core.config: dataclass configs from recipe mappings, with one-line errors naming file, record and key."""

from dataclasses import dataclass

import pytest

from toolgym.core.config import from_dict
from toolgym.core.errors import InputError


@dataclass
class Lr:
    learning_rate: float = 1e-4
    steps: int = 1


def test_float_written_without_a_dot_is_a_float() -> None:
    # YAML 1.1 (PyYAML) reads 3e-4 as the string "3e-4"; `--set stage.learning_rate=3e-4` must still work
    assert from_dict(Lr, {"learning_rate": "3e-4"}, file="r.yaml", where="sft").learning_rate == pytest.approx(3e-4)
    assert from_dict(Lr, {"learning_rate": 2}, file="r.yaml", where="sft").learning_rate == 2.0


@pytest.mark.parametrize("value", ["fast", "1e", True])
def test_non_numbers_are_rejected_naming_the_field(value: object) -> None:
    with pytest.raises(InputError) as err:
        from_dict(Lr, {"learning_rate": value}, file="r.yaml", where="sft")
    assert err.value.field == "learning_rate" and "r.yaml" in str(err.value)
