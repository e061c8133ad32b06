"""recipes.evaluation: the recipe's eval passes a run identity, so a resumed folder never mixes models."""

from __future__ import annotations

from pathlib import Path

import pytest

import toolgym.models.backends as backends
from tests.eval.test_runner import FakeGenerator, adapter_folder
from toolgym.core.errors import ToolgymError
from toolgym.recipes.evaluation import evaluate_model


def test_recipe_eval_refuses_another_adapters_results(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(backends, "make_generator", lambda *a, **k: FakeGenerator())
    kwargs = {"model": "smollm2-135m", "categories": ["irrelevance"], "limit": 1, "out_dir": tmp_path / "eval",
              "batch_size": 1, "max_new_tokens": 8, "suites": [], "suite_limit": None}
    first = adapter_folder(tmp_path / "a", b"\x01")
    assert evaluate_model(adapter=str(first), **kwargs)["irrelevance"] == 1.0
    assert evaluate_model(adapter=str(first), **kwargs)["irrelevance"] == 1.0  # same adapter: resumes
    with pytest.raises(ToolgymError, match="adapter_sha256"):
        evaluate_model(adapter=str(adapter_folder(tmp_path / "b", b"\x02")), **kwargs)
