"""Value conventions a tool's documentation states and its arguments must follow (data option `state_cities`).

Real tool docs often fix a value's form in the parameter description, and the call must follow it even when
the question words the value otherwise: the classic weather example documents `location` as "The city and
state, e.g. San Francisco, CA", so a question about Boston is answered with `"Boston, MA"`. The catalog's city
pool holds bare city names only, so a model trained on it learns to copy the bare name (or to cut ", NY" off a
question's "New York, NY"). `with_state_cities` rewrites a finished record: every city from the catalog pool in
its gold becomes a US city written "City, ST", the parameters that take it say so in their descriptions, and
the question names the city in one of its forms (with the code, bare, or with the state's name).
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Collection
from typing import Any

# (city, two-letter code, state name): general knowledge, not drawn from any benchmark's data
US_CITIES: tuple[tuple[str, str, str], ...] = (
    ("New York", "NY", "New York"), ("Los Angeles", "CA", "California"), ("Chicago", "IL", "Illinois"),
    ("Houston", "TX", "Texas"), ("Phoenix", "AZ", "Arizona"), ("Philadelphia", "PA", "Pennsylvania"),
    ("San Antonio", "TX", "Texas"), ("San Diego", "CA", "California"), ("Dallas", "TX", "Texas"),
    ("San Jose", "CA", "California"), ("Austin", "TX", "Texas"), ("Jacksonville", "FL", "Florida"),
    ("Columbus", "OH", "Ohio"), ("Charlotte", "NC", "North Carolina"), ("Indianapolis", "IN", "Indiana"),
    ("San Francisco", "CA", "California"), ("Seattle", "WA", "Washington"), ("Denver", "CO", "Colorado"),
    ("Boston", "MA", "Massachusetts"), ("El Paso", "TX", "Texas"), ("Nashville", "TN", "Tennessee"),
    ("Detroit", "MI", "Michigan"), ("Portland", "OR", "Oregon"), ("Las Vegas", "NV", "Nevada"),
    ("Memphis", "TN", "Tennessee"), ("Louisville", "KY", "Kentucky"), ("Baltimore", "MD", "Maryland"),
    ("Milwaukee", "WI", "Wisconsin"), ("Albuquerque", "NM", "New Mexico"), ("Tucson", "AZ", "Arizona"),
    ("Sacramento", "CA", "California"), ("Kansas City", "MO", "Missouri"), ("Atlanta", "GA", "Georgia"),
    ("Miami", "FL", "Florida"), ("Omaha", "NE", "Nebraska"), ("Raleigh", "NC", "North Carolina"),
    ("Minneapolis", "MN", "Minnesota"), ("Tampa", "FL", "Florida"), ("New Orleans", "LA", "Louisiana"),
    ("Cleveland", "OH", "Ohio"), ("Pittsburgh", "PA", "Pennsylvania"), ("Salt Lake City", "UT", "Utah"),
    ("Orlando", "FL", "Florida"), ("St. Louis", "MO", "Missouri"), ("Honolulu", "HI", "Hawaii"),
    ("Anchorage", "AK", "Alaska"), ("Boise", "ID", "Idaho"), ("Buffalo", "NY", "New York"),
    ("Madison", "WI", "Wisconsin"), ("Savannah", "GA", "Georgia"),
)
_PHRASES = ("The city and state, e.g. {ex}.", "City and state abbreviation, such as {ex}.",
            "The city and its two-letter state code, for example {ex}.", "Location as city and state, e.g. {ex}.")
# how the question names the city: with the code (as documented), bare, or with the state's name
_FORMS = (("{city}, {code}", 0.4), ("{city}", 0.4), ("{city}, {state}", 0.2))


def with_state_cities(record: dict[str, Any], pool_cities: Collection[str], rng: random.Random) -> dict[str, Any]:
    """A copy of `record` whose pool cities are US cities written "City, ST"; `record` itself when it names
    none, or names one inside another value (its role is then unclear). Synthesis calls it on records with gold
    and gives a no-call record that asks the same question the rewritten question (`synth._conventions`)."""
    query = record["messages"][0]["content"]
    olds = [c for c in sorted(set(pool_cities), key=len, reverse=True) if _mentions(query, c)]
    gold_values = {v for call in record["gold"] for v in call["arguments"].values() if isinstance(v, str)}
    if not olds or not set(olds) <= gold_values:  # a city inside another value: leave it
        return record
    news = rng.sample(US_CITIES, len(olds))
    mapping = {old: f"{city}, {code}" for old, (city, code, _) in zip(olds, news, strict=True)}
    out = copy.deepcopy(record)
    text = query
    for old, (city, code, state) in zip(olds, news, strict=True):
        form = rng.choices([f for f, _ in _FORMS], weights=[w for _, w in _FORMS])[0]
        text = re.sub(rf"\b{re.escape(old)}\b", form.format(city=city, code=code, state=state), text)
    out["messages"][0]["content"] = text
    documented: dict[str, set[str]] = {}
    for call in out["gold"]:
        for param, value in call["arguments"].items():
            if isinstance(value, str) and value in mapping:
                call["arguments"][param] = mapping[value]
                documented.setdefault(call["name"], set()).add(param)
    example = rng.choice([c for c in US_CITIES if f"{c[0]}, {c[1]}" not in mapping.values()])
    phrase = rng.choice(_PHRASES).format(ex=f"{example[0]}, {example[1]}")
    for tool in out["tools"]:
        function = tool.get("function", tool)
        props = function.get("parameters", {}).get("properties", {})
        for param in documented.get(function.get("name"), ()):
            if param in props:
                props[param]["description"] = phrase
    out["meta"] = {**out.get("meta", {}), "state_cities": sorted(mapping.values())}
    return out


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", text) is not None
