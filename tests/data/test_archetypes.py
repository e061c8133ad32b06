"""The catalog loader: sampling, surface forms, derivability, results, errors on bad catalogs."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from toolgym.core.errors import InputError
from toolgym.data.archetypes import (
    CATALOG_DIR,
    HELD_OUT_TEMPLATES,
    Sampler,
    _zip_span,
    join_prose,
    load_catalog,
    name_tokens,
    sibling_archetypes,
)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_sample_call_is_deterministic_for_a_seed(catalog):
    arch = catalog[0]
    a = [arch.sample_call(random.Random(7)) for _ in range(2)]
    assert a[0] == a[1]
    b = arch.sample_call(random.Random(8))
    assert isinstance(b[0], str) and b[0]


def test_include_optional_controls_optional_parameters(catalog):
    arch = next(a for a in catalog if len(a.optional) >= 2)
    rng = random.Random(0)
    _, none = arch.sample_call(rng, include_optional=False)
    _, every = arch.sample_call(rng, include_optional=True)
    _, some = arch.sample_call(rng, include_optional=[arch.optional[0]])
    assert set(none) == set(arch.required)
    assert set(every) == set(arch.required) | set(arch.optional)
    assert set(some) == set(arch.required) | {arch.optional[0]}


def test_date_surface_forms_recover_the_iso_value():
    s = Sampler({"kind": "date", "start": "2025-03-14", "end": "2025-03-14"}, {"type": "string"}, {})
    value = s.sample(random.Random(0))
    assert value == "2025-03-14"
    assert "March 14, 2025" in s.forms(value)
    assert s.render(value, random.Random(0)) in s.forms(value)


def test_list_renders_as_prose_and_each_item_is_evidence():
    s = Sampler({"kind": "list", "items": {"kind": "choice", "values": ["milk", "eggs", "bread"]}, "min": 3,
                 "max": 3}, {"type": "array", "items": {"type": "string"}}, {})
    value = s.sample(random.Random(1))
    text = s.render(value, random.Random(1))
    assert sorted(value) == ["bread", "eggs", "milk"]
    assert " and " in text and all(v in text for v in value)
    assert s.evidence(value) == [[v] for v in value]
    assert join_prose(["a", "b"]) == "a and b"


def test_numbers_carry_units_and_booleans_are_worded():
    n = Sampler({"kind": "int", "min": 3, "max": 3, "unit": ["day", "days"], "words": True}, {"type": "integer"}, {})
    assert n.forms(3) == ["3 days", "three days"]
    b = Sampler({"kind": "bool", "true": ["with tolls"], "false": ["avoiding tolls"]}, {"type": "boolean"}, {})
    assert b.forms(True) == ["with tolls"] and b.forms(False) == ["avoiding tolls"]


def test_percent_numbers_are_fractions_stated_as_percentages(catalog):
    s = Sampler({"kind": "number", "min": 0.01, "max": 0.4, "decimals": 2, "percent": True}, {"type": "number"}, {})
    assert s.forms(0.05) == ["5%", "5 percent"]
    arch = next(a for a in catalog if a.name == "project_investment_value")
    rng = random.Random(3)
    for _ in range(20):
        query, args = arch.sample_call(rng)
        assert 0.01 <= args["annual_return"] <= 0.15 and f"{round(100 * args['annual_return'])}" in query
        assert not arch.underivable(query, args)


def test_percent_needs_a_plain_number_sampler(tmp_path):
    folder = _copy_catalog(tmp_path, "banking.json")
    path = folder / "banking.json"
    data = json.loads(path.read_text())
    arch = next(a for a in data["archetypes"] if "annual_rate" in a["samplers"])
    arch["samplers"]["annual_rate"]["percent"] = True  # the sampler already carries a "%" unit
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="samplers.annual_rate.percent"):
        load_catalog(folder)


def test_underivable_detects_a_value_missing_from_the_query(catalog):
    arch = next(a for a in catalog if a.required)
    query, args = arch.sample_call(random.Random(3), include_optional=False)
    assert arch.underivable(query, args) == []
    assert arch.underivable("Hello there.", args) == list(args)


def test_render_result_is_json_with_echoed_arguments(catalog):
    arch = next(a for a in catalog if a.name == "get_stock_quote")
    _, args = arch.sample_call(random.Random(0))
    result = json.loads(arch.render_result(args, random.Random(0)))
    assert result["ticker"] == args["ticker"]
    assert isinstance(result["price"], float)
    assert arch.render_result(args, random.Random(5)) == arch.render_result(args, random.Random(5))


def test_held_out_templates_are_the_last_ones(catalog):
    arch = catalog[0]
    unseen = arch.template_indices(held_out=True)
    seen = arch.template_indices(held_out=False)
    assert len(unseen) == HELD_OUT_TEMPLATES and max(seen) < min(unseen)
    assert sorted(seen + unseen) == list(range(len(arch.templates)))


def test_siblings_share_name_prefixes(catalog):
    arch = next(a for a in catalog if a.name == "get_stock_quote")
    sibs = sibling_archetypes(arch, catalog, k=3)
    assert all(s.domain == arch.domain for s in sibs)
    assert sibs[0].name.startswith("get_")
    assert name_tokens("finance.getStockQuote") == ["finance", "get", "stock", "quote"]


def test_tool_conversion_validates(catalog):
    tool = catalog[0].tool()
    assert tool.name == catalog[0].name
    tool.validate()


def _copy_catalog(tmp_path: Path, domain_file: str) -> Path:
    folder = tmp_path / "cat"
    folder.mkdir()
    shutil.copy(CATALOG_DIR / "_pools.json", folder / "_pools.json")
    shutil.copy(CATALOG_DIR / domain_file, folder / domain_file)
    return folder


def test_bad_catalog_names_file_record_and_field(tmp_path):
    folder = _copy_catalog(tmp_path, "weather.json")
    path = folder / "weather.json"
    data = json.loads(path.read_text())
    name = data["archetypes"][0]["name"]
    data["archetypes"][0]["templates"][1] = "What is the forecast?"   # drops a required parameter
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as err:
        load_catalog(folder)
    msg = str(err.value)
    assert "weather.json" in msg and name in msg and "templates[1]" in msg


def test_invalid_json_is_an_input_error(tmp_path):
    folder = _copy_catalog(tmp_path, "weather.json")
    (folder / "weather.json").write_text("{not json")
    with pytest.raises(InputError, match="weather.json.*invalid JSON"):
        load_catalog(folder)


def test_unknown_sampler_kind_is_named(tmp_path):
    folder = _copy_catalog(tmp_path, "finance.json")
    path = folder / "finance.json"
    data = json.loads(path.read_text())
    param = next(iter(data["archetypes"][0]["samplers"]))
    data["archetypes"][0]["samplers"][param]["kind"] = "bogus"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=f"samplers.{param}.kind"):
        load_catalog(folder)


def test_differs_from_keeps_paired_values_apart(catalog):
    arch = next(a for a in catalog if a.name == "convert_temperature")
    assert arch.samplers["to_unit"]["differs_from"] == "from_unit"
    rng = random.Random(0)
    pairs = [arch.sample_arguments(rng) for _ in range(200)]
    assert all(p["from_unit"] != p["to_unit"] for p in pairs)


def test_differs_from_must_name_a_parameter(tmp_path):
    folder = _copy_catalog(tmp_path, "units.json")
    path = folder / "units.json"
    data = json.loads(path.read_text())
    arch = next(a for a in data["archetypes"] if "to_unit" in a["samplers"])
    arch["samplers"]["to_unit"]["differs_from"] = "nope"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="samplers.to_unit.differs_from"):
        load_catalog(folder)


def test_zip_span_repeats_the_stretch_that_names_the_parameters_with_its_lead_word():
    template = "What is the position of {planet} for {city} on {date}?"
    start, lead, end = _zip_span(template, ["city", "date"])
    assert (template[start:end], lead) == ("for {city} on {date}", "for")
    start, lead, end = _zip_span(template, ["planet", "date"])  # a shared value inside is repeated with them
    assert (template[start:end], lead) == ("of {planet} for {city} on {date}", "of")
    assert _zip_span("Convert {amount} {unit} into grams.", ["amount", "unit"])[1] == ""


def test_zip_span_refuses_parameters_in_different_sentences_or_named_twice():
    assert _zip_span("I'm curious about {planet}. This is for {city}.", ["planet", "city"]) is None
    assert _zip_span("Book {room}; then pay for {room} on {date}.", ["room", "date"]) is None


def test_render_zipped_names_every_value_of_every_call(catalog):
    arch = next(a for a in catalog if a.name == "getPlanetPosition")
    forms, rng = set(), random.Random(4)
    for _ in range(40):
        calls = [arch.sample_arguments(rng, include_optional=False) for _ in range(2)]
        calls[1] = {**calls[0], "city": calls[1]["city"], "date": calls[1]["date"]}
        query = arch.render_zipped(calls, ["city", "date"], rng, 0)
        for call in calls:  # the query is the evidence for each call
            assert not arch.underivable(query, call), query
        forms.add("respectively" if "respectively" in query else "tail" if "?" in query[:-1] else "joined")
    assert forms == {"respectively", "tail", "joined"}
    assert arch.render_zipped(calls, ["planet", "city"], rng, 6) is None  # template 6 names them apart
