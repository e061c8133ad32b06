"""Optional generation backends: a clean one-line error without their extras; the backend factory."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import pytest

from toolgym.core.errors import ToolgymError
from toolgym.models.backends import (
    OpenAIGenerator,
    VLLMGenerator,
    choice_text,
    make_generator,
    missing_backend,
)


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vllm is installed")
def test_vllm_without_extra_is_a_clean_error():
    with pytest.raises(ToolgymError, match=r"pip install 'toolgym\[vllm\]'"):
        VLLMGenerator("smollm2-135m")


@pytest.mark.skipif(importlib.util.find_spec("openai") is not None, reason="openai is installed")
def test_openai_without_extra_is_a_clean_error():
    with pytest.raises(ToolgymError, match=r"pip install 'toolgym\[openai\]'"):
        OpenAIGenerator("http://localhost:8000/v1", "m")


def test_factory_rejects_unknown_and_incomplete_backends():
    with pytest.raises(ToolgymError, match="unknown generation backend 'tgi'"):
        make_generator("tgi", "smollm2-135m")
    with pytest.raises(ToolgymError, match="base_url and served_model"):
        make_generator("openai", "smollm2-135m")


def test_native_tool_calls_become_hermes_text():
    from toolgym.core.formats import parse_calls

    call = SimpleNamespace(function=SimpleNamespace(name="get_weather", arguments='{"city": "Paris"}'))
    text = choice_text(SimpleNamespace(content=None, tool_calls=[call]))
    parsed = parse_calls(text)
    assert parsed.status == "ok" and parsed.calls[0].arguments == {"city": "Paris"}
    assert choice_text(SimpleNamespace(content="plain", tool_calls=None)) == "plain"


def test_missing_backend_names_the_package_or_the_choices():
    assert missing_backend("transformers") is None
    assert "choose one of transformers, vllm, openai" in missing_backend("tgi")
    vllm = missing_backend("vllm")
    assert (vllm is None) == (importlib.util.find_spec("vllm") is not None)
    if vllm is not None:
        assert vllm == "the vllm backend needs the 'vllm' package: pip install 'toolgym[vllm]'"


def test_backend_enters_the_run_identity_only_beyond_transformers():
    from toolgym.eval.runner import model_identity

    plain = model_identity("smollm2-135m", None, "auto")
    assert "backend" not in plain and model_identity("smollm2-135m", None, "auto", "transformers") == plain
    assert model_identity("smollm2-135m", None, "auto", "vllm") == {**plain, "backend": "vllm"}
