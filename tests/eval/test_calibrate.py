"""eval.calibrate: the call gate's trade-off curve, AUC and chosen bias (pure functions), and the command end to
end on the embedded model."""

from __future__ import annotations

import itertools
import json

import pytest

from toolgym.eval.calibrate import auc, calibrate, gate_curve


def test_auc_equals_the_pairwise_definition():
    margins = [2.0, 1.0, 0.5, 0.5, -1.0, 3.0]
    answerable = [True, True, False, True, False, False]
    pos = [m for m, a in zip(margins, answerable, strict=True) if a]
    neg = [m for m, a in zip(margins, answerable, strict=True) if not a]
    pairs = list(itertools.product(pos, neg))
    expected = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in pairs) / len(pairs)
    assert auc(margins, answerable) == pytest.approx(expected, abs=1e-4)
    assert auc([1.0], [True]) is None


def test_curve_and_the_chosen_bias_separate_two_groups():
    # answerable cases have margins 1..3, unanswerable 4..6: a model that calls *more* on the wrong ones
    margins = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    answerable = [True, True, True, False, False, False]
    points = {p.bias: p for p in gate_curve(margins, answerable, grid=(-7.0, -3.5, 0.0))}
    assert (points[0.0].call_recall, points[0.0].refusal_recall) == (1.0, 0.0)
    assert (points[-7.0].call_recall, points[-7.0].refusal_recall) == (0.0, 1.0)
    assert (points[-3.5].call_recall, points[-3.5].refusal_recall) == (0.0, 0.0)  # all the wrong way round
    result = calibrate(margins, answerable)
    assert result.auc == 0.0
    assert result.point(result.bias).balanced == 0.5  # nothing beats chance on this model
    separable = calibrate([5.0, 6.0, 7.0, 1.0, 2.0, 3.0], answerable)
    assert separable.auc == 1.0
    chosen = separable.point(separable.bias)
    assert (chosen.call_recall, chosen.refusal_recall) == (1.0, 1.0)
    assert -5.0 < separable.bias <= -3.0  # between the groups, the point nearest 0 among equals


def test_calibrate_command_on_the_embedded_model(tmp_path):
    from toolgym.cli import main

    tool = {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
    rows = [{"id": f"a{i}", "type": "single", "messages": [{"role": "user", "content": f"Weather in {c}?"}],
             "tools": [tool], "gold": [{"name": "get_weather", "arguments": {"city": c}}]}
            for i, c in enumerate(["Paris", "Oslo"])]
    rows += [{"id": "n0", "type": "no_tool", "messages": [{"role": "user", "content": "Write a haiku."}],
              "tools": [tool], "gold": []}]
    dev = tmp_path / "dev.jsonl"
    dev.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(SystemExit) as done:
        main(["eval", "calibrate", str(dev), "--out", str(tmp_path / "cal")])
    assert done.value.code in (0, None)
    result = json.loads((tmp_path / "cal" / "calibration.json").read_text())
    assert (result["cases"], result["answerable"], result["unanswerable"]) == (3, 2, 1)
    margins = [json.loads(line) for line in (tmp_path / "cal" / "margins.jsonl").read_text().splitlines()]
    assert [m["id"] for m in margins] == ["a0", "a1", "n0"]
