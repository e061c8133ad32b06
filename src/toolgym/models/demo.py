"""`toolgym demo`: one tool query answered by the base model and, once a recipe has trained one, its adapter.

The built-in query has a fitting tool and a known answer, so an answer is graded with BFCL's AST matching
(`core.match.match_bfcl`): prose where a tool fits is a miss, not "ok". A custom query has no known answer;
its calls are only schema-checked (`core.checker`), and prose is reported as undecided.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolgym.core.checker import Verdict, check_text
from toolgym.core.match import match_bfcl
from toolgym.core.schema import Tool

WEATHER_TOOLS: list[dict[str, Any]] = [
    {"type": "function", "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a given city.",
        "parameters": {"type": "object", "properties": {
            "city": {"type": "string", "description": "City name, e.g. Paris"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Temperature unit"}},
            "required": ["city"]}}},
    {"type": "function", "function": {
        "name": "get_forecast",
        "description": "Get the weather forecast for the next days in a given city.",
        "parameters": {"type": "object", "properties": {
            "city": {"type": "string", "description": "City name"},
            "days": {"type": "integer", "description": "Number of days, 1 to 7"}},
            "required": ["city", "days"]}}},
]
DEMO_QUERY = "What is the weather like in Paris right now? Please answer in celsius."
# The demo query's answer, as a BFCL possible answer (allowed values per parameter).
DEMO_ANSWER: list[dict[str, Any]] = [{"get_current_weather": {"city": ["Paris", "Paris, France"],
                                                              "unit": ["celsius"]}}]
DEFAULT_RUN = Path("runs/quickstart")


@dataclass(frozen=True)
class Grade:
    """How an answer fared: `ok` True (hit), False (miss) or None (cannot tell: no known answer, no call)."""

    ok: bool | None
    reason: str


@dataclass(frozen=True)
class DemoAnswer:
    label: str  # which model answered, e.g. "base smollm2-135m"
    text: str
    verdict: Verdict
    grade: Grade


def trained_adapter(run_dir: Path) -> Path | None:
    """The adapter of the last completed training stage of a recipe run folder, or None.

    Stage manifests (`recipes.manifest`) record outputs relative to where the run started, so the adapter
    is looked up as the stage folder's own `adapter/` (`train.sft` writes it there)."""
    found: list[tuple[str, Path]] = []
    for manifest in Path(run_dir).glob("*/manifest.json"):
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        adapter = manifest.parent / "adapter"
        if (isinstance(data, dict) and data.get("status") == "complete" and "adapter" in data.get("outputs", {})
                and (adapter / "adapter_config.json").is_file()):
            found.append((str(data.get("started") or ""), adapter))
    return max(found)[1] if found else None


def grade(text: str, tools: Sequence[Tool], answer: Sequence[dict[str, Any]] | None,
          fmt: str = "auto") -> tuple[Verdict, Grade]:
    """Schema verdict plus the grade against `answer` (BFCL possible-answer form) when there is one."""
    verdict = check_text(text, tools, fmt=fmt)
    if answer is None:
        if not verdict.calls:
            return verdict, Grade(None, "no tool call: a miss if one of the tools fits the query")
        return verdict, Grade(verdict.ok, "calls match the tool schemas" if verdict.ok else "schema errors")
    if not verdict.calls:
        return verdict, Grade(False, f"miss: answered in prose, though {next(iter(answer[0]))} fits the query")
    result = match_bfcl(verdict.calls, answer, [t.to_bfcl() for t in tools], category="multiple")
    if result.ok:
        return verdict, Grade(True, "hit: the expected call")
    return verdict, Grade(False, f"miss: {result.error_type}" + (f" ({result.detail})" if result.detail else ""))


@contextlib.contextmanager
def base_weights(model: Any) -> Iterator[None]:
    """Run a peft model as its base model (peft's `disable_adapter`); a plain model as it is."""
    if hasattr(model, "disable_adapter"):
        with model.disable_adapter():
            yield
    else:
        yield


def answer(generator: Any, label: str, tools: Sequence[Tool], query: str, answer_calls: Sequence[dict] | None,
           max_new_tokens: int) -> DemoAnswer:
    """Generate greedily for one query and grade the text."""
    text = generator.chat([([{"role": "user", "content": query}], list(tools))], max_new_tokens=max_new_tokens)[0][0]
    verdict, result = grade(text, tools, answer_calls)
    return DemoAnswer(label, text, verdict, result)


def run_demo(model_name: str, adapter: Path | None, query: str, fmt: str, max_new_tokens: int) -> list[DemoAnswer]:
    """Base model, and the adapter beside it when there is one: one load, the base under `base_weights`."""
    from toolgym.models import registry
    from toolgym.models.generate import TransformersGenerator

    tools = [Tool.from_openai(t) for t in WEATHER_TOOLS]
    known = DEMO_ANSWER if query == DEMO_QUERY else None
    model, tokenizer = registry.load_model(model_name, adapter=adapter)
    generator = TransformersGenerator(model, tokenizer, batch_size=1, progress=False, fmt=fmt)
    with base_weights(model):
        answers = [answer(generator, f"base {model_name}", tools, query, known, max_new_tokens)]
    if adapter is not None:
        answers.append(answer(generator, f"trained {model_name} + {adapter}", tools, query, known, max_new_tokens))
    return answers


__all__ = ["DEFAULT_RUN", "DEMO_ANSWER", "DEMO_QUERY", "WEATHER_TOOLS", "DemoAnswer", "Grade", "answer",
           "base_weights", "grade", "run_demo", "trained_adapter"]
