"""Synthesis: every type, checker-clean derivable gold calls, rankings, held-out splits, determinism, resume."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from toolgym.core.checker import check_calls
from toolgym.core.errors import InputError
from toolgym.core.schema import Sample
from toolgym.data.archetypes import load_catalog
from toolgym.data.styles import unmask_call
from toolgym.data.synth import (
    _JOINERS,
    DEFAULT_MIX,
    MIN_TEST_CASES,
    RECORD_TYPES,
    TEST_SPLITS,
    SynthOptions,
    gold_error,
    iter_records,
    parse_mix,
    split_specs,
    synthesize,
    write_dataset,
)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def by_name(catalog):
    return {a.name: a for a in catalog}


@pytest.fixture(scope="module")
def records(catalog):
    """The first engine's stream (real names, catalog descriptions): its structural properties."""
    return list(iter_records(1500, seed=11, catalog=catalog, options=SynthOptions.v1()))


@pytest.fixture(scope="module")
def records_v2(catalog):
    mix = {**DEFAULT_MIX, "toolset": 0.3}
    return list(iter_records(1500, seed=11, catalog=catalog, mix=mix))


def test_every_type_present_and_records_parse(records):
    assert Counter(r["type"] for r in records).keys() == set(RECORD_TYPES)
    assert [r["id"] for r in records] == [f"train-{i:06d}" for i in range(len(records))]
    for r in records:
        Sample.from_record(json.loads(json.dumps(r)))


@pytest.mark.parametrize("engine", ["records", "records_v2"])
def test_gold_calls_pass_checker_and_values_are_derivable(engine, by_name, request):
    for r in request.getfixturevalue(engine):
        sample = Sample.from_record(r)
        assert check_calls(sample.gold, sample.tools).ok, r["id"]
        query = r["messages"][0]["content"]
        for masked in r["gold"]:
            call = unmask_call(r, masked)
            assert by_name[call["name"]].underivable(query, call["arguments"]) == [], (r["id"], call)


def test_type_shapes(records):
    for r in records:
        names = [t["function"]["name"] for t in r["tools"]]
        gold_names = [g["name"] for g in r["gold"]]
        assert len(set(names)) == len(names) and 1 <= len(names) <= 6
        assert sorted(r["ranking"]) == sorted(names)
        t = r["type"]
        if t in ("no_tool", "zero_to_one_without"):
            assert r["gold"] == [] and r["meta"]["archetype"] not in names and r["meta"]["answer"]
        elif t == "parallel":
            assert len(gold_names) >= 2 and len(set(gold_names)) == 1
        elif t == "parallel_multiple":
            assert len(set(gold_names)) >= 2
        elif t == "multiple":
            assert 2 <= len(names) <= 5 and len(gold_names) == 1
        if r["gold"]:
            assert r["ranking"][: len(set(gold_names))] == list(dict.fromkeys(gold_names))


def test_ranking_orders_related_before_unrelated(records, by_name):
    related_seen = 0
    for r in records:
        if r["type"] != "multiple":
            continue
        domains = [by_name[n].domain == r["meta"]["domain"] for n in r["ranking"][1:]]
        assert domains == sorted(domains, reverse=True), r["ranking"]
        related_seen += any(domains)
    assert related_seen > 0


def test_weak_to_strong(records, by_name):
    w2s = [r for r in records if r["type"] == "weak_to_strong"]
    assert {r["meta"]["weak_solves"] for r in w2s} == {True, False}
    for r in w2s:
        tools = {t["function"]["name"]: t["function"] for t in r["tools"]}
        strong, weak = tools[r["ranking"][0]], tools[r["meta"]["weak"]]
        assert r["ranking"][1] == weak["name"] and r["gold"][0]["name"] == strong["name"]
        weak_params = set(weak["parameters"]["properties"])
        assert weak_params < set(strong["parameters"]["properties"])
        assert len(weak["description"]) < len(strong["description"])
        assert weak["name"] not in by_name
        used = set(r["gold"][0]["arguments"])
        assert r["meta"]["weak_solves"] == (used <= weak_params)


def test_zero_to_one_pairs(records):
    by_id = {r["id"]: r for r in records}
    withs = [r for r in records if r["type"] == "zero_to_one_with"]
    assert withs
    for r in withs:
        without = by_id[r["meta"]["pair"]]
        assert without["type"] == "zero_to_one_without" and without["meta"]["pair"] == without["id"]
        assert without["messages"] == r["messages"] and without["gold"] == []
        with_names = {t["function"]["name"] for t in r["tools"]}
        assert {t["function"]["name"] for t in without["tools"]} | {r["gold"][0]["name"]} == with_names


def test_distractors_share_name_prefixes(records, by_name):
    shared = 0
    multi = [r for r in records if r["type"] == "multiple"]
    for r in multi:
        gold = r["gold"][0]["name"]
        shared += any(n != gold and n[:4].lower() == gold[:4].lower() for n in r["ranking"])
    assert shared / len(multi) > 0.3


def test_held_out_splits_are_disjoint_from_train(catalog):
    specs = split_specs(catalog)
    train = list(iter_records(1200, seed=5, split="train", catalog=catalog))
    unseen = {a.name for a in specs["test_unseen_tool_seen_query"].targets} | \
             {a.name for a in specs["test_unseen_tool_unseen_query"].targets}
    assert unseen and not unseen & {a.name for a in specs["train"].pool}
    names = {t["function"]["name"] for r in train for t in r["tools"]}
    assert not names & unseen
    by_name = {a.name: a for a in catalog}
    for r in train:
        for t in r["meta"]["templates"]:
            assert t in by_name[r["meta"]["archetype"]].template_indices(False)
    unseen_domains = {a.domain for a in specs["test_unseen_tool_unseen_query"].targets}
    assert not unseen_domains & {r["meta"]["domain"] for r in train}
    for split in TEST_SPLITS:
        recs = list(iter_records(MIN_TEST_CASES, seed=5, split=split, catalog=catalog))
        assert len(recs) == MIN_TEST_CASES
        types = Counter(r["type"] for r in recs)
        assert types["zero_to_one_with"] and types["weak_to_strong"], split
        targets = {a.name for a in specs[split].targets}
        assert all(r["meta"]["archetype"] in targets for r in recs)
        if split == "test_seen_tool_unseen_query":
            assert all(t in by_name[r["meta"]["archetype"]].template_indices(True)
                       for r in recs for t in r["meta"]["templates"][:1])


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix == ".jsonl"}


def test_same_seed_same_bytes_other_seed_differs_and_resume(tmp_path, catalog):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_dataset(a, 400, seed=3, n_test=60, catalog=catalog)
    write_dataset(b, 400, seed=3, n_test=60, catalog=catalog)
    write_dataset(c, 400, seed=4, n_test=60, catalog=catalog)
    assert _files(a) == _files(b)
    assert all(_files(a)[f] != _files(c)[f] for f in _files(a))
    # resume: tear the last line off one file and drop another; a rerun restores identical bytes
    train = (b / "train.jsonl").read_bytes()
    (b / "train.jsonl").write_bytes(train[: len(train) // 2])
    (b / "test_unseen_tool_seen_query.jsonl").unlink()
    manifest = write_dataset(b, 400, seed=3, n_test=60, catalog=catalog)
    assert _files(a) == _files(b)
    assert manifest["files"]["train"]["records"] == 400
    with pytest.raises(InputError, match="other settings"):
        write_dataset(b, 500, seed=3, n_test=60, catalog=catalog)


def test_seen_seen_test_queries_are_not_in_train(tmp_path, catalog):
    write_dataset(tmp_path, 800, seed=2, n_test=200, catalog=catalog)
    train = {json.loads(line)["messages"][0]["content"] for line in open(tmp_path / "train.jsonl")}
    test = [json.loads(line)["messages"][0]["content"] for line in open(tmp_path / "test_seen_tool_seen_query.jsonl")]
    assert len(test) == 200 and not set(test) & train


def test_mix_and_samples(catalog):
    assert parse_mix("single=1") == {"single": 1.0}
    assert {s.type for s in synthesize(50, seed=1, mix=parse_mix("single=1"), catalog=catalog)} == {"single"}
    for bad in ("single", "triple=1", "single=x", "single=0"):
        with pytest.raises(InputError, match="mix"):
            parse_mix(bad)


def test_v2_masks_styles_fans_out_and_shares_toolsets(records_v2, by_name):
    masked = [r for r in records_v2 if r["meta"].get("masked")]
    assert 0.1 < len(masked) / len(records_v2) < 0.35
    for r in masked:
        names = {t["function"]["name"] for t in r["tools"]}
        assert not names & set(by_name) and {c["name"] for c in r["gold"]} <= names
    starts = Counter(t["function"]["description"].split()[0] for r in records_v2 for t in r["tools"])
    assert starts["This"] > 0.1 * sum(starts.values())
    # a parallel request in one sentence: no joiner, several calls
    fanned = [r for r in records_v2 if r["type"] == "parallel" and len(r["gold"]) > 1
              and not any(j.strip() in r["messages"][0]["content"] for j in ("Also:", "And:", "Next:", "Then:"))]
    assert len(fanned) > 20
    # toolset groups: consecutive records on identical tool lists, with calls and no-calls
    shared = Counter(json.dumps(r["tools"], sort_keys=True) for r in records_v2)
    groups = [k for k, v in shared.items() if v >= 3]
    assert groups
    kinds = {bool(r["gold"]) for r in records_v2 if json.dumps(r["tools"], sort_keys=True) in set(groups)}
    assert kinds == {True, False}


def test_dev_split_is_held_out(catalog, tmp_path):
    specs = split_specs(catalog)
    train = {a.name for a in specs["train"].targets}
    dev = list(iter_records(200, seed=3, split="dev", catalog=catalog))
    assert {r["meta"]["archetype"] for r in dev}.isdisjoint(train)
    assert {"no_tool", "zero_to_one_without", "zero_to_one_with", "weak_to_strong"} <= {r["type"] for r in dev}


def test_made_up_names_avoid_bfcl_function_names(catalog):
    import random

    from toolgym.data.decontam import bfcl_function_names
    from toolgym.data.synth import _Builder, weak_variant

    builder = _Builder(split_specs(catalog)["train"], catalog, random.Random(0))
    assert "generate_image_tool" in builder.taken  # a BFCL name a weak variant once produced
    assert {n.lower() for n in bfcl_function_names()} <= builder.taken
    arch = next(a for a in catalog if a.name == "generate_image_caption")
    for seed in range(200):
        made = weak_variant(arch, random.Random(seed), builder.taken)
        assert made is None or made[0].name.lower() not in builder.taken


def test_wide_parallel_multiple_asks_two_to_four_calls(catalog, by_name):
    mix = {"parallel_multiple": 0.5, "toolset": 0.5}
    narrow = list(iter_records(400, seed=5, catalog=catalog, mix=mix))
    wide = list(iter_records(400, seed=5, catalog=catalog, mix=mix, options=SynthOptions(wide_parallel=1.0)))
    assert narrow == list(iter_records(400, seed=5, catalog=catalog, mix=mix,
                                       options=SynthOptions(wide_parallel=0.0)))  # off: the old stream

    def counts(records: list[dict]) -> Counter:
        return Counter(len(r["gold"]) for r in records if r["type"] == "parallel_multiple")

    def share(records: list[dict], calls: int) -> float:
        return counts(records)[calls] / counts(records).total()

    assert share(narrow, 2) > 0.5 and share(wide, 2) < share(narrow, 2) - 0.1  # what the wide draw corrects
    assert set(counts(wide)) <= {2, 3, 4} and share(wide, 4) >= 0.25
    fanned = 0
    for r in wide:
        if r["type"] != "parallel_multiple":
            continue
        calls = [unmask_call(r, c) for c in r["gold"]]
        names = [c["name"] for c in calls]
        fanned += len(set(names)) >= 2 and len(names) > len(set(names))  # a tool over two values, and another
        query = r["messages"][0]["content"]
        for call in calls:  # every value stays derivable from the one request
            assert by_name[call["name"]].underivable(query, call["arguments"]) == [], (r["id"], call)
    assert fanned > 0.25 * counts(wide).total()


def test_gentool_toolsets_of_five_and_several_queries_per_weak_strong_pair(catalog, by_name):
    options = SynthOptions(toolset_size=5, w2s_queries=4)
    mix = {"zero_to_one": 0.5, "weak_to_strong": 0.5}
    records = list(iter_records(400, seed=2, catalog=catalog, mix=mix, options=options))
    sizes = Counter((r["type"], len(r["tools"])) for r in records)
    assert {k for k in sizes if k[0] == "zero_to_one_with"} == {("zero_to_one_with", 5)}
    assert {k for k in sizes if k[0] == "zero_to_one_without"} == {("zero_to_one_without", 4)}
    pairs: dict[str, list[dict]] = {}
    for r in records:
        if r["type"] == "weak_to_strong":
            assert len(r["tools"]) == 5 and r["gold"][0]["name"] == r["ranking"][0], r["id"]
            pairs.setdefault(json.dumps(r["tools"], sort_keys=True), []).append(r)
    full = [group for group in pairs.values() if len(group) == 4]  # the last pair may be cut by n
    assert len(full) >= len(pairs) - 1 and len(full) > 20
    solves = Counter(r["meta"]["weak_solves"] for group in full for r in group)
    # both kinds (tools whose weak copy lost a required parameter never give weak-solvable queries)
    assert solves[True] > 0.1 * sum(solves.values()) and solves[False] > 0.3 * sum(solves.values())
    assert all(len({r["messages"][0]["content"] for r in group}) > 1 for group in full)
    for group in full:
        for r in group:
            call = unmask_call(r, r["gold"][0])
            assert by_name[call["name"]].underivable(r["messages"][0]["content"], call["arguments"]) == []


def test_defaults_state_a_valid_default_on_optional_parameters_only(catalog):
    from jsonschema import Draft202012Validator

    plain = list(iter_records(200, seed=3, catalog=catalog))
    assert plain == list(iter_records(200, seed=3, catalog=catalog, options=SynthOptions(defaults=0.0)))
    assert "defaults" not in SynthOptions().to_dict()  # off: earlier dataset configs still resume
    records = list(iter_records(200, seed=3, catalog=catalog, options=SynthOptions(defaults=1.0)))
    stated, told, omitted = 0, 0, 0
    for record in records:
        gold = {c["name"]: c["arguments"] for c in record["gold"]}
        for tool in record["tools"]:
            params = tool["function"]["parameters"]
            for name, spec in params.get("properties", {}).items():
                if "default" not in spec:
                    continue
                stated += 1
                assert name not in params.get("required", [])
                bare = {k: v for k, v in spec.items() if k != "default"}
                assert not list(Draft202012Validator(bare).iter_errors(spec["default"])), (name, spec)
                told += "default" in spec["description"].lower()
                omitted += tool["function"]["name"] in gold and name not in gold[tool["function"]["name"]]
        assert Sample.from_record(record).gold or record["type"] in ("no_tool", "zero_to_one_without")
    assert stated > 50 and 0.3 < told / stated < 0.7 and omitted > 10  # gold leaves unasked defaults out


def test_cross_fanout_asks_every_combination_of_two_parameters(catalog):
    mix = {"parallel": 1.0}
    plain = list(iter_records(150, seed=8, catalog=catalog, mix=mix))
    assert plain == list(iter_records(150, seed=8, catalog=catalog, mix=mix, options=SynthOptions(cross_fanout=0.0)))
    crossed = list(iter_records(150, seed=8, catalog=catalog, mix=mix, options=SynthOptions(cross_fanout=1.0)))
    products = 0
    for record in crossed:
        calls = [c["arguments"] for c in record["gold"]]
        varying = [k for k in calls[0] if len({json.dumps(c.get(k)) for c in calls}) > 1]
        if len(calls) != 4 or len(varying) != 2:
            continue
        first, second = ({json.dumps(c[k]) for c in calls} for k in varying)
        pairs = {(json.dumps(c[varying[0]]), json.dumps(c[varying[1]])) for c in calls}
        assert len(first) == len(second) == 2 and len(pairs) == 4  # the full 2 x 2 product, each once
        products += 1
    assert products >= 10


def _one_request_varying(records: list[dict]) -> list[dict]:
    """Records asked in one request (no joined sub-queries) whose calls differ in two or more parameters."""
    out = []
    for record in records:
        calls = [c["arguments"] for c in record["gold"]]
        varying = [k for k in calls[0] if len({json.dumps(c.get(k)) for c in calls}) > 1]
        query = record["messages"][0]["content"]
        if len(varying) >= 2 and not any(j.strip() in query for j in _JOINERS):
            out.append(record)
    return out


def test_zip_fanout_asks_calls_that_differ_in_several_parameters_in_one_request(catalog):
    mix = {"parallel": 1.0}
    plain = list(iter_records(150, seed=8, catalog=catalog, mix=mix))
    assert plain == list(iter_records(150, seed=8, catalog=catalog, mix=mix, options=SynthOptions(zip_fanout=0.0)))
    zipped = _one_request_varying(list(iter_records(150, seed=8, catalog=catalog, mix=mix,
                                                    options=SynthOptions(zip_fanout=1.0))))
    assert len(_one_request_varying(plain)) == 0 and len(zipped) >= 25  # 34 of 150 with this seed
    for record in zipped:
        assert 2 <= len(record["gold"]) <= 3 and gold_error(record) is None
