"""data.stats: bad records and prompts a chat template rejects are counted and skipped; strict mode raises."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from toolgym.core.errors import InputError
from toolgym.data.stats import compute_stats, dataset_files

TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather.", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
# like transformers: templates call raise_exception, which raises jinja2's TemplateError
TEMPLATE = ("{% for m in messages %}{% if 'forbidden' in m.content %}{{ raise_exception('no such role') }}"
            "{% endif %}{{ m.content }}{% endfor %}")


class FakeTokenizer:
    chat_template = TEMPLATE

    def apply_chat_template(self, messages: list[dict], **kwargs: Any) -> str:
        def raise_exception(message: str) -> None:
            raise jinja2.exceptions.TemplateError(message)

        env = ImmutableSandboxedEnvironment()
        env.globals["raise_exception"] = raise_exception
        return env.from_string(TEMPLATE).render(messages=messages)

    def __call__(self, text: str, add_special_tokens: bool = False) -> dict[str, list[int]]:
        return {"input_ids": list(range(len(text.split())))}


def record(i: int, query: str = "Weather in Paris?") -> dict[str, Any]:
    return {"id": f"r{i}", "type": "single", "messages": [{"role": "user", "content": query}], "tools": [TOOL],
            "gold": [{"name": "get_weather", "arguments": {"city": "Paris"}}], "meta": {"domain": "weather"}}


def dataset(folder: Path) -> Path:
    folder.mkdir()
    lines = [json.dumps(record(0)).encode(), json.dumps(record(1, "forbidden words here")).encode(),
             b'{"id": "r2", "type": "single", "messages": "\xff"}', b"{not json",
             json.dumps({**record(3), "tools": [TOOL, TOOL]}).encode(), json.dumps({**record(4), "gold": 5}).encode()]
    (folder / "train.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    return folder


def test_bad_rows_and_unrenderable_prompts_are_counted(tmp_path: Path) -> None:
    st = compute_stats(dataset(tmp_path / "ds"), FakeTokenizer())
    assert st["files"] == {"train.jsonl": 2} and st["bad_records"] == 4
    reasons = " | ".join(st["bad_reasons"])
    assert "not UTF-8" in reasons and "not valid JSON" in reasons and "duplicate tool name" in reasons
    assert "'gold' must be a list" in reasons
    assert st["gold_pass"] == st["gold_calls"] == 2
    assert st["prompt_tokens"]["n"] == 1 and st["prompt_tokens"]["skipped"] == 1


def test_strict_mode_raises_on_the_first_bad_row(tmp_path: Path) -> None:
    folder = dataset(tmp_path / "ds")
    with pytest.raises(InputError, match=r"train\.jsonl, record 3: not UTF-8"):
        compute_stats(folder, strict=True)
    (folder / "train.jsonl").write_text(json.dumps(record(1, "forbidden")) + "\n")
    with pytest.raises(InputError, match="the chat template failed: no such role"):
        compute_stats(folder, FakeTokenizer(), strict=True)


def test_not_a_dataset_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a dataset folder"):
        dataset_files(tmp_path / "missing")
    with pytest.raises(InputError, match="no \\*.jsonl files"):
        dataset_files(tmp_path)
