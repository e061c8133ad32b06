"""Documented value conventions (data option `state_cities`): US cities written "City, ST"."""

from __future__ import annotations

import random

import pytest

from toolgym.data.archetypes import load_catalog
from toolgym.data.conventions import US_CITIES, with_state_cities
from toolgym.data.synth import SynthOptions, gold_error, iter_records

POOL = {"Lisbon", "Oslo", "Cape Town"}
CODES = {f"{city}, {code}": (city, state) for city, code, state in US_CITIES}


def _record(query: str, city: str, note: str = "") -> dict:
    tool = {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city.",
            "parameters": {"type": "object", "required": ["city"],
                           "properties": {"city": {"type": "string", "description": "City name."},
                                          "note": {"type": "string", "description": "A note."}}}}}
    arguments = {"city": city, **({"note": note} if note else {})}
    return {"id": "r", "type": "single", "messages": [{"role": "user", "content": query}], "tools": [tool],
            "gold": [{"name": "get_weather", "arguments": arguments}], "meta": {}}


def test_a_city_becomes_a_documented_us_city_named_in_the_question() -> None:
    record = _record("What is the weather in Cape Town on Friday?", "Cape Town")
    out = with_state_cities(record, POOL, random.Random(3))
    value = out["gold"][0]["arguments"]["city"]
    city, state = CODES[value]
    query = out["messages"][0]["content"]
    assert "Cape Town" not in query and city in query
    assert query.count(city) == 1 and query.endswith("on Friday?")
    description = out["tools"][0]["function"]["parameters"]["properties"]["city"]["description"]
    assert "state" in description and value not in description  # the example is another city
    assert out["tools"][0]["function"]["parameters"]["properties"]["note"]["description"] == "A note."
    assert out["meta"]["state_cities"] == [value]
    assert record["gold"][0]["arguments"]["city"] == "Cape Town"  # the input is not changed


def test_every_form_of_the_question_occurs() -> None:
    forms = set()
    for seed in range(60):
        out = with_state_cities(_record("Weather in Oslo, please.", "Oslo"), POOL, random.Random(seed))
        city, state = CODES[out["gold"][0]["arguments"]["city"]]
        query = out["messages"][0]["content"]
        forms.add("code" if out["gold"][0]["arguments"]["city"] in query else "state" if state in query.replace(
            city, "", 1) else "bare")
    assert forms == {"code", "state", "bare"}


@pytest.mark.parametrize("record", [
    _record("Weather in Paris?", "Paris"),  # no pool city
    _record("Weather in Lisbon for my Lisbon office?", "Lisbon office"),  # the city inside another value
])
def test_records_it_cannot_rewrite_safely_stay_as_they_are(record: dict) -> None:
    assert with_state_cities(record, POOL, random.Random(0)) is record


def test_synthesis_is_unchanged_when_off_and_deterministic_when_on() -> None:
    catalog = load_catalog()
    plain = list(iter_records(300, seed=4, catalog=catalog))
    assert plain == list(iter_records(300, seed=4, catalog=catalog, options=SynthOptions(state_cities=0.0)))
    on = list(iter_records(300, seed=4, catalog=catalog, options=SynthOptions(state_cities=1.0)))
    assert on == list(iter_records(300, seed=4, catalog=catalog, options=SynthOptions(state_cities=1.0)))
    rewritten = [r for r in on if "state_cities" in r["meta"]]
    assert len(rewritten) >= 10
    for record in rewritten:
        assert gold_error(record) is None
        for value in record["meta"]["state_cities"]:
            assert CODES[value][0] in record["messages"][0]["content"]
    pairs = {}
    for record in on:
        if record["type"].startswith("zero_to_one"):
            pairs.setdefault(record["meta"]["pair"], []).append(record["messages"][0]["content"])
    assert pairs and all(len(set(queries)) == 1 for queries in pairs.values())
