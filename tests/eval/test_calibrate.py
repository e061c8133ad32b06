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
    # no separation: the model's own decision stays (a quickstart adapter at AUC 0.47 got bias -4.5 and refused all)
    assert result.bias == 0.0 and result.meta["rule"] == "no_separation"
    assert "bias 0" in result.markdown()
    separable = calibrate([5.0, 6.0, 7.0, 1.0, 2.0, 3.0], answerable)
    assert separable.auc == 1.0
    chosen = separable.point(separable.bias)
    assert (chosen.call_recall, chosen.refusal_recall) == (1.0, 1.0)
    assert -5.0 < separable.bias <= -3.0  # between the groups, the point nearest 0 among equals


def test_min_refusal_gives_the_most_calls_that_keep_the_refusal_floor():
    # answerable margins 0..9 and unanswerable -5..4 overlap: more calls cost refusals
    margins = [float(m) for m in range(10)] + [float(m) for m in range(-5, 5)]
    answerable = [True] * 10 + [False] * 10
    balanced = calibrate(margins, answerable)
    assert balanced.meta["rule"] == "balanced"
    for floor in (0.5, 0.8, 1.0):
        result = calibrate(margins, answerable, min_refusal=floor)
        chosen = result.point(result.bias)
        assert chosen.refusal_recall >= floor
        # every bias that calls more refuses less than the floor
        assert all(p.refusal_recall < floor for p in result.curve if p.call_recall > chosen.call_recall)
        assert result.meta == {"rule": "min_refusal", "min_refusal": floor, "call_tolerance": 0.0}
    assert calibrate(margins, answerable, min_refusal=1.0).bias <= -4.0 < calibrate(margins, answerable,
                                                                                     min_refusal=0.5).bias
    assert "at least 80.0% refusals" in calibrate(margins, answerable, min_refusal=0.8).markdown()


def test_call_tolerance_stops_before_the_last_answerable_case_among_the_unanswerable_ones():
    # 89 answerable margins 1..9.8 and one at -4; unanswerable -11.5..-3 and two higher ones, like a trained gate
    answerable_margins = [1.0 + i * 0.1 for i in range(89)] + [-4.0]
    refused_margins = [-11.5 + i * 0.5 for i in range(18)] + [0.5, 2.0]
    margins, answerable = answerable_margins + refused_margins, [True] * 90 + [False] * 20
    exact = calibrate(margins, answerable, min_refusal=0.65)
    assert exact.point(exact.bias).call_recall == 1.0 and exact.bias > 4.0  # reaching -4 gives up refusals
    tolerant = calibrate(margins, answerable, min_refusal=0.65, call_tolerance=0.02)
    point = tolerant.point(tolerant.bias)
    assert point.call_recall >= 0.98 and point.refusal_recall > exact.point(exact.bias).refusal_recall
    assert tolerant.bias == min(p.bias for p in tolerant.curve
                                if p.refusal_recall >= 0.65 and p.call_recall >= 1.0 - 0.02)
    assert "within 2.0 points" in tolerant.markdown()


def test_min_refusal_from_saved_margins_through_the_cli(tmp_path):
    from toolgym.cli import main

    rows = [{"id": f"c{i}", "answerable": i < 10, "margin": float(i if i < 10 else i - 15)} for i in range(20)]
    saved = tmp_path / "margins.jsonl"
    saved.write_text("".join(json.dumps(r) + "\n" for r in rows))
    for floor, folder in ((None, "balanced"), ("0.9", "floor")):
        with pytest.raises(SystemExit) as done:
            main(["eval", "calibrate", "--from-margins", str(saved), "--out", str(tmp_path / folder)]
                 + (["--min-refusal", floor] if floor else []))
        assert done.value.code in (0, None)
    balanced = json.loads((tmp_path / "balanced" / "calibration.json").read_text())
    floor = json.loads((tmp_path / "floor" / "calibration.json").read_text())
    assert floor["meta"]["rule"] == "min_refusal" and floor["bias"] < balanced["bias"]
    chosen = next(p for p in floor["curve"] if p["bias"] == floor["bias"])
    assert chosen["refusal_recall"] >= 0.9
    with pytest.raises(SystemExit) as done:
        main(["eval", "calibrate", "--from-margins", str(saved), "--out", str(tmp_path / "tolerant"),
              "--min-refusal", "0.9", "--call-tolerance", "0.1"])
    assert done.value.code in (0, None)
    tolerant = json.loads((tmp_path / "tolerant" / "calibration.json").read_text())
    assert tolerant["meta"]["call_tolerance"] == 0.1 and tolerant["bias"] < floor["bias"]
    assert next(p for p in tolerant["curve"] if p["bias"] == tolerant["bias"])["call_recall"] >= \
        chosen["call_recall"] - 0.1 - 1e-9


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
