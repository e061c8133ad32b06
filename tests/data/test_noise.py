"""data.noise: RoTBench's five levels on tool and parameter names, the answers following, augmentation."""

from __future__ import annotations

import json
import random

import pytest

from toolgym.core.checker import check_calls
from toolgym.core.errors import InputError
from toolgym.core.schema import Sample, Tool, ToolCall
from toolgym.data.archetypes import load_catalog
from toolgym.data.noise import (
    NOISE_LEVELS,
    augment_records,
    check_levels,
    perturb_record,
    plan_renaming,
    rename_answer,
    rename_call,
    rename_tool,
)
from toolgym.data.synth import iter_records


def _tool(name: str, props: dict[str, str], required: list[str] | None = None) -> dict:
    return {"type": "function", "function": {"name": name, "description": f"{name} tool.", "parameters": {
        "type": "object", "properties": {p: {"type": t, "description": p} for p, t in props.items()},
        "required": list(props) if required is None else required}}}


TOOLS = [_tool("get_weather", {"city": "string", "days": "integer"}, ["city"]),
         _tool("get_stock_price", {"symbol": "string"}),
         _tool("math.factorial", {"number": "integer", "mod": "integer", "base": "integer"})]
RECORD = {"id": "r1", "type": "parallel", "tools": TOOLS,
          "messages": [{"role": "user", "content": "Weather in Paris for 3 days and AAPL's price"}],
          "gold": [{"name": "get_weather", "arguments": {"city": "Paris", "days": 3}},
                   {"name": "get_stock_price", "arguments": {"symbol": "AAPL"}}],
          "ranking": ["get_weather", "get_stock_price", "math.factorial"], "meta": {"split": "train"}}
TRAJECTORY = {"id": "t1", "type": "single", "tools": TOOLS[:1], "gold": [], "messages": [
    {"role": "user", "content": "Weather in Rome?"},
    {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {
        "name": "get_weather", "arguments": json.dumps({"city": "Rome"})}}]},
    {"role": "tool", "tool_call_id": "c1", "name": "get_weather", "content": "{\"temp\": 21}"},
    {"role": "assistant", "content": "21 degrees."}]}


def _levenshtein(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _names(record: dict) -> tuple[list[str], list[list[str]]]:
    fns = [t["function"] for t in record["tools"]]
    return [f["name"] for f in fns], [list(f["parameters"]["properties"]) for f in fns]


def _identifiers(name: str) -> bool:
    return all(part.isidentifier() for part in name.split("."))


def test_levels_are_validated() -> None:
    assert check_levels("clean, heavy") == ["clean", "heavy"]
    assert check_levels(["union"]) == ["union"]
    for bad, message in (("clean,noisy", "unknown noise level 'noisy'"), ("", "names no noise level"),
                         ("slight,slight", "named twice")):
        with pytest.raises(InputError, match=message):
            check_levels(bad, field_name="--levels")


def test_clean_changes_nothing_and_every_level_is_deterministic() -> None:
    clean = perturb_record(RECORD, "clean", seed=1)
    assert {k: v for k, v in clean.items() if k != "meta"} == {k: v for k, v in RECORD.items() if k != "meta"}
    assert clean["meta"] == {"split": "train", "noise": "clean"}
    for level in NOISE_LEVELS[1:]:
        assert perturb_record(RECORD, level, seed=1) == perturb_record(RECORD, level, seed=1)
        assert perturb_record(RECORD, level, seed=1) != perturb_record(RECORD, level, seed=2)
    assert RECORD["tools"][0]["function"]["name"] == "get_weather"  # the input is never modified


def test_slight_is_one_character_edit_of_every_name() -> None:
    for seed in range(30):
        out = perturb_record(RECORD, "slight", seed)
        (tools, params), (old_tools, old_params) = _names(out), _names(RECORD)
        assert all(_levenshtein(a, b) == 1 for a, b in zip(old_tools, tools, strict=True)), tools
        for olds, news in zip(old_params, params, strict=True):
            assert all(_levenshtein(a, b) == 1 for a, b in zip(olds, news, strict=True)), news
        assert tools[2].count(".") == 1  # the dotted structure stays


def test_medium_reverses_or_replaces_every_name() -> None:
    seen = set()
    for seed in range(30):
        tools, params = _names(perturb_record(RECORD, "medium", seed))
        for old, new in zip(_names(RECORD)[0] + sum(_names(RECORD)[1], []), tools + sum(params, []), strict=True):
            assert new != old
            kind = "reversed" if new == old[::-1] else "nonsense"
            if kind == "nonsense":
                assert new.replace(".", "").isalpha() and new.islower() and new.count(".") == old.count(".")
            seen.add(kind)
    assert seen == {"reversed", "nonsense"}


def test_heavy_exchanges_names_within_toolset_and_within_tool() -> None:
    for seed in range(30):
        out = perturb_record(RECORD, "heavy", seed)
        tools, params = _names(out)
        assert sorted(tools) == sorted(_names(RECORD)[0]) and all(
            a != b for a, b in zip(tools, _names(RECORD)[0], strict=True))  # a derangement
        assert params[1] == ["symbol"]  # one parameter: nothing to exchange with
        for olds, news in ((_names(RECORD)[1][0], params[0]), (_names(RECORD)[1][2], params[2])):
            assert sorted(news) == sorted(olds) and all(a != b for a, b in zip(olds, news, strict=True))
        # descriptions and types stay with their tool / parameter, only the names move
        assert out["tools"][0]["function"]["description"] == "get_weather tool."
        weather = out["tools"][0]["function"]["parameters"]
        assert [s["type"] for s in weather["properties"].values()] == ["string", "integer"]


def _renaming(out: dict, original: dict = RECORD):
    """The renaming read back from a perturbed record (by position)."""
    from toolgym.data.noise import Renaming

    tools, params = _names(out)
    old_tools, old_params = _names(original)
    return Renaming(dict(zip(old_tools, tools, strict=True)),
                    {t: dict(zip(o, n, strict=True)) for t, o, n in zip(old_tools, old_params, params, strict=True)})


def test_union_exchanges_and_edits() -> None:
    for seed in range(20):
        tools, params = _names(perturb_record(RECORD, "union", seed))
        assert all(new not in _names(RECORD)[0] for new in tools)  # exchanged and then edited
        assert all(p != "symbol" for p in params[1])


def test_gold_ranking_and_required_follow_the_renaming() -> None:
    for level in NOISE_LEVELS:
        for seed in range(10):
            out = perturb_record(RECORD, level, seed)
            renaming = _renaming(out)
            assert out["gold"] == [rename_call(c, renaming) for c in RECORD["gold"]]
            assert out["ranking"] == [renaming.tool(n) for n in RECORD["ranking"]]
            weather = out["tools"][0]["function"]["parameters"]
            assert weather["required"] == [renaming.param("get_weather", "city")]
            sample = Sample.from_record(out)
            assert check_calls(sample.gold, sample.tools).ok
            assert [g.arguments for g in sample.gold][1] == {renaming.param("get_stock_price", "symbol"): "AAPL"}


def test_names_stay_unique_identifiers() -> None:
    rng = random.Random(0)
    toolset = [(f"fn_{i}", [f"p{j}" for j in range(4)]) for i in range(6)] + [("a", ["x", "y"]), ("ab", ["x"])]
    for level in NOISE_LEVELS[1:]:
        for _ in range(200):
            renaming = plan_renaming(toolset, level, rng)
            new_tools = [renaming.tool(n) for n, _ in toolset]
            assert len(set(new_tools)) == len(new_tools) and all(_identifiers(n) for n in new_tools)
            for name, params in toolset:
                new = [renaming.param(name, p) for p in params]
                assert len(set(new)) == len(new) and all(n.isidentifier() for n in new)


def test_trajectory_calls_and_tool_replies_follow() -> None:
    out = perturb_record(TRAJECTORY, "medium", seed=4)
    new_name = out["tools"][0]["function"]["name"]
    call = out["messages"][1]["tool_calls"][0]
    assert call["function"]["name"] == new_name and out["messages"][2]["name"] == new_name
    args = json.loads(call["function"]["arguments"])  # a JSON-string argument stays a string, renamed
    assert args == {_renaming(out, TRAJECTORY).param("get_weather", "city"): "Rome"} and "city" not in args
    assert Sample.from_record(out).messages[-1].content == "21 degrees."


def test_shapes_tool_objects_bfcl_docs_and_answers() -> None:
    from toolgym.data.noise import toolset_renaming

    bfcl_doc = {"name": "calc.area", "description": "Area.", "parameters": {"type": "dict", "properties": {
        "base": {"type": "integer"}, "height": {"type": "integer"}}, "required": ["base", "height"]}}
    renaming = toolset_renaming([bfcl_doc], "heavy", 0, "case")
    renamed = rename_tool(bfcl_doc, renaming)
    assert renamed["name"] == "calc.area" and list(renamed["parameters"]["properties"]) == ["height", "base"]
    assert list(renamed) == list(bfcl_doc) and renamed["parameters"]["type"] == "dict"
    answer = [{"calc.area": {"base": [10], "height": [5, ""]}}]
    assert rename_answer(answer, renaming) == [{"calc.area": {"height": [10], "base": [5, ""]}}]
    tool = Tool.from_bfcl(bfcl_doc)
    assert list(rename_tool(tool, renaming).properties) == ["height", "base"]
    assert rename_call(ToolCall("calc.area", {"base": 1, "other": 2}, "id1"), renaming) == \
        ToolCall("calc.area", {"height": 1, "other": 2}, "id1")  # an unknown argument keeps its name


def test_augmented_synthetic_records_pass_the_checker() -> None:
    records = list(iter_records(300, seed=5, catalog=load_catalog()))
    augmented = augment_records(records, 1.0, ["slight", "medium", "heavy", "union"], seed=2)
    assert len(augmented) == len(records) and [r["id"] for r in augmented] == [r["id"] for r in records]
    levels = {r["meta"]["noise"] for r in augmented}
    assert levels == {"slight", "medium", "heavy", "union"}
    changed = 0
    for before, after in zip(records, augmented, strict=True):
        sample = Sample.from_record(after)  # still a valid record (schemas validate, names unique)
        assert check_calls(sample.gold, sample.tools).ok, (after["id"], check_calls(sample.gold, sample.tools).errors)
        assert set(sample.ranking) <= {t.name for t in sample.tools}
        changed += after["tools"] != before["tools"]
    assert changed > 0.95 * len(records)


def test_augment_share_is_seeded_and_bad_records_pass_through() -> None:
    records = [dict(RECORD, id=f"r{i}") for i in range(200)]
    assert augment_records(records, 0.0, ["slight"], seed=1) == records
    half = augment_records(records, 0.5, "slight,heavy", seed=1)
    noisy = [r for r in half if r["meta"].get("noise")]
    assert 70 < len(noisy) < 130 and {r["meta"]["noise"] for r in noisy} == {"slight", "heavy"}
    assert half == augment_records(records, 0.5, "slight,heavy", seed=1)
    assert half != augment_records(records, 0.5, "slight,heavy", seed=2)
    bad = {"id": "b", "type": "single", "messages": "not a list", "tools": TOOLS}
    assert augment_records([bad, "junk"], 1.0, ["slight"]) == [bad, "junk"]
    samples = augment_records([Sample.from_record(RECORD)], 1.0, ["medium"])
    assert samples[0]["meta"]["noise"] == "medium"
    with pytest.raises(InputError, match="noise_share"):
        augment_records(records, 1.5, ["slight"])
    with pytest.raises(InputError, match="noise_levels"):
        augment_records(records, 0.5, ["loud"])
