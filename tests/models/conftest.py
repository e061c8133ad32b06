"""Session fixtures for the models tests: the embedded model, loaded (and converted, first time) once."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def smol():
    """(model, tokenizer) of the embedded smollm2-135m, fp32."""
    from toolgym.models.registry import load_model

    return load_model("smollm2-135m")


@pytest.fixture(scope="session")
def generator(smol):
    """A quiet fp32 generator over the embedded model."""
    from toolgym.models.generate import TransformersGenerator

    model, tokenizer = smol
    return TransformersGenerator(model, tokenizer, batch_size=8, dtype="float32", progress=False)


@pytest.fixture(scope="session")
def chat_prompts(smol):
    """Three chat-rendered prompts of different lengths."""
    _, tokenizer = smol
    queries = ["What is 2+2?", "Name a fruit.",
               "Write one short sentence about the sea, the wind and the boats in the harbour."]
    return [tokenizer.apply_chat_template([{"role": "user", "content": q}], tokenize=False,
                                          add_generation_prompt=True) for q in queries]
