"""Generated bad input through the real entry point (`toolgym.cli.main`, in process): malformed recipes and
overrides, malformed JSONL rows. Never a traceback: exit 0, or exit 2 with exactly one line on stderr.

No model is loaded: recipes go through `run --check`, datasets through `data stats --model ''` and
`eval suite --from-results`, and every model, tokenizer and run entry point is patched to fail.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolgym.cli import main
from toolgym.evolve.config import EvolveStageConfig
from toolgym.recipes.spec import TOP_KEYS, DataSpec, EvalSpec
from toolgym.recipes.stages import STAGES
from toolgym.train.config import SFTStageConfig
from toolgym.train.rl_config import RLStageConfig

RECIPE_EXAMPLES = 1200
JSONL_EXAMPLES = 900


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def keys(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


STAGE = ["kind", "name"]
SECTION_KEYS = {"recipe": list(TOP_KEYS), "data": keys(DataSpec), "eval": keys(EvalSpec),
                "sft": STAGE + keys(SFTStageConfig), "rl": STAGE + keys(RLStageConfig),
                "evolve": STAGE + keys(EvolveStageConfig)}
BASE_RECIPE: dict[str, Any] = {
    "name": "fuzz", "seed": 0, "data": {"n": 5, "mix": {"single": 1.0}}, "eval": {"categories": ["multiple"]},
    "stages": [{"kind": "sft", "name": "main", "max_steps": 1, "tasks": {"invocation": 1.0}},
               {"kind": "rl", "name": "irm", "sources": ["invocation"]},
               {"kind": "evolve", "name": "grow", "rounds": 1, "train": {"max_steps": 1}}],
}

short_text = st.text(max_size=12)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**9), st.floats(), short_text)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(short_text, inner, max_size=3), max_leaves=6)
words = st.sampled_from(["multiple", "irrelevance", "single", "invocation", "trajectory", "auto", "hermes", "ppo",
                         "test_seen_tool_seen_query.jsonl", "all-linear", "x"])
# values a recipe could plausibly hold: the checks past the type check (ranges, names, cross-references) run too
plausible = st.one_of(st.integers(-1, 6), st.floats(-0.5, 1.5), st.booleans(), words, st.lists(words, max_size=2),
                      st.dictionaries(words, st.floats(0, 2), max_size=2))


@st.composite
def mutated_recipe(draw: st.DrawFn) -> Any:
    """The base recipe with wrong types, wrong shapes and unknown keys in random places."""
    recipe = copy.deepcopy(BASE_RECIPE)
    for _ in range(draw(st.integers(0, 3))):
        section = draw(st.sampled_from(["recipe", "data", "eval", "main", "irm", "grow", "stages", "whole"]))
        if section == "whole":
            return draw(values)
        if section == "stages":
            stages = recipe.get("stages")
            if isinstance(stages, list) and stages:
                stages[draw(st.integers(0, len(stages) - 1))] = draw(values)
            continue
        kind = {"main": "sft", "irm": "rl", "grow": "evolve"}.get(section, section)
        key = draw(st.sampled_from(SECTION_KEYS[kind]) if draw(st.integers(0, 3)) else short_text)
        target: Any = recipe
        if section in ("data", "eval"):
            target = recipe.setdefault(section, {})
        elif section != "recipe":
            stages = recipe["stages"] if isinstance(recipe.get("stages"), list) else []
            target = next((s for s in stages if isinstance(s, dict) and s.get("name") == section), None)
        if isinstance(target, dict):  # a stage's kind is often another real kind, its keys then unknown
            kinds = st.sampled_from(list(STAGES))
            target[key] = draw(kinds | values) if key == "kind" else draw(plausible | values)
    return recipe


paths = st.sampled_from(["data.n", "data.mix.single", "data.mix", "eval.categories", "eval.limit", "seed", "name",
                         "model", "main.max_steps", "main.tasks.invocation", "main.lora_target_modules",
                         "irm.sources", "grow.train.max_steps", "data.n.x", "name.x", "main", "stages",
                         "eval.categories.x", "main.kind", "", "."]) | short_text
override_values = st.text(max_size=16) | plausible.map(lambda v: yaml.safe_dump(v, default_flow_style=True).strip())
overrides = st.just([]) | st.lists(st.one_of(st.builds(lambda p, v: f"{p}={v}", paths, override_values), short_text),
                                   max_size=3)


def recipe_text(draw_value: Any) -> str:
    return yaml.safe_dump(draw_value, allow_unicode=True)


@pytest.fixture
def no_models(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a model was loaded or a recipe step was run")

    for target in ("toolgym.models.registry.load_model", "toolgym.eval.commands._generator",
                   "toolgym.data.stats.load_tokenizer", "toolgym.recipes.runner.execute"):
        monkeypatch.setattr(target, forbidden)


def call(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        main(argv)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    else:
        code = 0
    _, err = capsys.readouterr()
    assert "Traceback" not in err, err
    assert code in (0, 2), (code, err)
    if code == 2:
        assert err.startswith("error: ") and err.count("\n") == 1, err
    return code, err


def test_malformed_recipes_and_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         no_models: None) -> None:
    path = tmp_path / "r.yaml"
    seen = {"examples": 0, "errors": 0}

    @fuzz(RECIPE_EXAMPLES)
    @given(content=st.one_of(*[mutated_recipe().map(recipe_text)] * 4, st.text(max_size=40),
                             st.binary(max_size=40)), sets=overrides)
    def check(content: str | bytes, sets: list[str]) -> None:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        argv = ["run", str(path), "--check"]
        for item in sets:
            argv += ["--set", item]
        code, _ = call(argv, capsys)
        seen["examples"] += 1
        seen["errors"] += code == 2

    check()
    print(f"recipe examples: {seen}")
    assert seen["examples"] >= RECIPE_EXAMPLES and RECIPE_EXAMPLES // 2 < seen["errors"] < RECIPE_EXAMPLES


TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather.", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
    "required": ["city"]}}}
GOOD = {"id": "s0", "type": "single", "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "tools": [TOOL], "gold": [{"name": "get_weather", "arguments": {"city": "Paris"}}], "meta": {}}
PLACES = [("id",), ("type",), ("messages",), ("messages", 0), ("messages", 0, "role"), ("messages", 0, "content"),
          ("tools",), ("tools", 0), ("tools", 0, "function"), ("tools", 0, "function", "name"),
          ("tools", 0, "function", "parameters"), ("tools", 0, "function", "parameters", "properties"),
          ("tools", 0, "function", "parameters", "required"), ("gold",), ("gold", 0), ("gold", 0, "name"),
          ("gold", 0, "arguments"), ("gold", 0, "arguments", "city"), ("ranking",), ("meta",)]


@st.composite
def bad_row(draw: st.DrawFn) -> bytes:
    """A JSONL line: a good record with a wrong type or a missing field somewhere, any JSON, text or bytes."""
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return draw(st.binary(max_size=30)).replace(b"\n", b" ")
    if choice == 1:
        return json.dumps(draw(values)).encode()
    if choice == 2:
        return draw(st.text(max_size=30)).replace("\n", " ").encode("utf-8", "surrogatepass")
    record: Any = copy.deepcopy(GOOD)
    for _ in range(draw(st.integers(1, 3))):
        *parents, last = draw(st.sampled_from(PLACES))
        node = record
        for part in parents:
            node = node[part] if isinstance(node, (dict, list)) and _has(node, part) else None
        if isinstance(node, dict) and choice == 3:
            node.pop(last, None)
        elif isinstance(node, (dict, list)) and _has(node, last):
            node[last] = draw(values)
    return json.dumps(record).encode()


def _has(node: Any, key: Any) -> bool:
    return key in node if isinstance(node, dict) else isinstance(key, int) and key < len(node)


def test_malformed_jsonl_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str], no_models: None) -> None:
    folder = tmp_path / "ds"
    results = tmp_path / "results.jsonl"
    answer = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
    results.write_text("".join(json.dumps({"id": f"s{i}", "raw": answer}) + "\n" for i in range(8)))
    seen = {"examples": 0, "errors": 0}

    @fuzz(JSONL_EXAMPLES)
    @given(rows=st.lists(bad_row(), min_size=1, max_size=5), good=st.booleans(),
           command=st.sampled_from(["stats", "stats-strict", "suite", "suite-strict"]))
    def check(rows: list[bytes], good: bool, command: str) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        lines = ([json.dumps({**GOOD, "id": "s7"}).encode()] if good else []) + rows
        (folder / "train.jsonl").write_bytes(b"\n".join(lines) + b"\n")
        strict = ["--strict"] if command.endswith("strict") else []
        if command.startswith("stats"):
            argv = [*strict, "data", "stats", str(folder), "--model", ""]
        else:
            argv = [*strict, "eval", "suite", str(folder / "train.jsonl"), "--from-results", str(results),
                    "--out", str(folder / "out")]
        code, _ = call(argv, capsys)
        seen["examples"] += 1
        seen["errors"] += code == 2

    check()
    print(f"jsonl examples: {seen}")
    assert seen["examples"] >= JSONL_EXAMPLES and 0 < seen["errors"] < JSONL_EXAMPLES
