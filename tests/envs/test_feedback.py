"""Feedback classification: simulator texts and TL-Training's patterns map to the shared categories."""

from __future__ import annotations

import pytest

from toolgym.core.checker import ErrorCategory
from toolgym.envs.feedback import classify


@pytest.mark.parametrize(("text", "category"), [
    ("NameError: name 'get_wether' is not defined", "tool_hallucination"),
    ("TypeError: get_weather() got an unexpected keyword argument 'colour'", "parameter_hallucination"),
    ("TypeError: get_weather() missing 1 required positional argument: 'city'", "parameter_missing"),
    ("TypeError: get_weather() argument 'days' must be int, not str", "wrong_type"),
    ("TypeError: f() argument 'cities' must be list, not str", "wrong_type"),
    ("ValueError: 'kelvinn' is not a valid units; expected one of ['celsius']", "enum_violation"),
    ("503 Server Error: Service Unavailable for url: https://api.x.example.com/v1/f", "tool_instability"),
    ("429 Client Error: Too Many Requests for url: https://api.x.example.com/v1/f", "tool_instability"),
    ("TimeoutError: f() timed out after 2 s and was killed", "tool_instability"),
    ("ConnectionError: HTTPSConnectionPool(host='h', port=443): Max retries exceeded", "tool_instability"),
    ("400 Client Error: Bad Request for url: https://api.x.example.com/v1/f", "tool_call_failure"),
    ('{"error": "Invalid API call"}', "tool_call_failure"),
    ("ZeroDivisionError: division by zero", "others"),
])
def test_errors_are_classified(text, category):
    assert classify(text) == ErrorCategory(category)


@pytest.mark.parametrize("text", ['{"city": "Lisbon", "temperature": 21}', "5", '{"error": null, "ok": true}'])
def test_results_are_success(text):
    assert classify(text) is None
