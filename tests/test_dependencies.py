"""pyproject.toml's floors: at least the first releases with the APIs toolgym calls, and met by this venv."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

tomllib = pytest.importorskip("tomllib")  # Python 3.11+
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
# package -> (first release with what the code uses, what needs it); checked against the released wheels
NEEDED = {
    "transformers": ("5.23", "TrainingArguments(activation_checkpointing=...) in train/sft.py sft_args"),
    "trl": ("1.16", "the fused LM head on CPU (1.15 has it only with Triton), train/sft.py weighted_loss"),
    "peft": ("0.18", "importable under transformers 5 (0.17 imports the removed HybridCache)"),
}


def floors() -> dict[str, Version]:
    deps = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    out = {}
    for dep in map(Requirement, deps):
        lows = [Version(s.version) for s in dep.specifier if s.operator == ">="]
        if lows:
            out[dep.name] = max(lows)
    return out


@pytest.mark.parametrize("package", sorted(NEEDED))
def test_floor_covers_the_apis_used(package: str) -> None:
    needed, why = NEEDED[package]
    assert floors()[package] >= Version(needed), f"{package}>={needed} is needed for {why}"


def test_installed_versions_meet_the_floors() -> None:
    for package, floor in floors().items():
        assert Version(metadata.version(package)) >= floor, package
