"""The committed catalog: size, coverage, schema validity, template consistency, derivable gold values."""

from __future__ import annotations

import random
import re
from collections import Counter

import jsonschema
import pytest

from toolgym.core.checker import check_calls
from toolgym.core.schema import ToolCall
from toolgym.data.archetypes import STYLES, load_catalog, name_tokens, sibling_archetypes

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _json_types(schema: dict) -> set[str]:
    kinds = {"enum"} if "enum" in schema else {schema.get("type")}
    for sub in schema.get("properties", {}).values():
        kinds |= _json_types(sub)
    if "items" in schema:
        kinds |= _json_types(schema["items"])
    return kinds


def test_catalog_size(catalog):
    assert len({a.domain for a in catalog}) >= 60
    assert len(catalog) >= 800


def test_names_are_unique_case_insensitively(catalog):
    dupes = [n for n, c in Counter(a.name.lower() for a in catalog).items() if c > 1]
    assert dupes == []


def test_all_styles_and_json_types_are_represented(catalog):
    assert {a.style for a in catalog} == set(STYLES)
    types = set().union(*(_json_types(p) for a in catalog for p in a.parameters["properties"].values()))
    assert {"string", "integer", "number", "boolean", "enum", "array", "object"} <= types
    assert any(a.optional for a in catalog) and all(a.required for a in catalog)


def test_every_archetype_has_six_templates_and_a_description(catalog):
    short = [a.name for a in catalog if len(a.templates) < 6 or len(a.description) < 15]
    assert short == []


def test_schemas_are_valid_json_schema_and_tools(catalog):
    for a in catalog:
        a.tool().validate()     # Draft 2020-12 metaschema check plus toolgym's tool rules


def test_templates_mention_only_parameters_and_all_required_ones(catalog):
    for a in catalog:
        props = set(a.parameters["properties"])
        for t in a.templates:
            names = set(PLACEHOLDER.findall(t))
            assert names <= props, (a.name, t)
            assert set(a.required) <= names, (a.name, t)


def test_sampled_calls_are_valid_derivable_and_pass_the_checker(catalog):
    rng = random.Random(0)
    for a in catalog:
        tools = [a.tool()]
        validator = jsonschema.Draft202012Validator(a.parameters)   # schema itself checked in the test above
        for t in range(len(a.templates)):
            query, args = a.sample_call(rng, template_index=t, include_optional=t % 2 == 0)
            assert a.underivable(query, args) == [], (a.name, t, query, args)
            validator.validate(args)
            verdict = check_calls([ToolCall(a.name, args)], tools)
            assert verdict.ok, (a.name, args, verdict.errors)


def test_boolean_phrases_are_unambiguous(catalog):
    for a in catalog:
        for p in a.parameters["properties"]:
            spec = a.samplers[p]
            if spec["kind"] == "bool":
                for t in spec["true"]:
                    assert not any(t.lower() in f.lower() or f.lower() in t.lower() for f in spec["false"]), (a.name, p)


def test_siblings_exist_for_distractors(catalog):
    by_domain = Counter(a.domain for a in catalog)
    assert min(by_domain.values()) >= 5
    shared = []
    for a in catalog:
        sib = sibling_archetypes(a, catalog, k=1)[0]
        shared.append(len((set(name_tokens(a.name)) & set(name_tokens(sib.name))) - {"api"}))
    assert sum(x >= 1 for x in shared) / len(shared) > 0.7     # a similar-named tool in the same domain
    assert sum(x >= 2 for x in shared) / len(shared) > 0.25    # e.g. get_weather_outlook ~ get_weather_history


def test_split_groups_cover_every_bucket(catalog):
    assert {a.split_group for a in catalog} == set(range(10))
    held = sum(a.held_out_tool for a in catalog) / len(catalog)
    assert 0.1 < held < 0.3
    assert any(a.held_out_domain for a in catalog)
