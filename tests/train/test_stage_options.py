"""SFT-stage keys for noise augmentation, PKT normalisation/parameter keys and the tool_generation target, and
how train_sft hands them to the data layer (checked up to build_examples: no model is loaded)."""

from __future__ import annotations

import pytest

from toolgym.core.errors import InputError
from toolgym.train.config import SFTStageConfig, stage_config

TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather.", "parameters": {
    "type": "object", "properties": {"city": {"type": "string", "description": "City"}}, "required": ["city"]}}}
RECORDS = [{"id": f"r{i}", "type": "single", "messages": [{"role": "user", "content": f"Weather in c{i}"}],
            "tools": [TOOL], "gold": [{"name": "get_weather", "arguments": {"city": f"c{i}"}}]} for i in range(40)]


def test_defaults_follow_the_papers() -> None:
    config = SFTStageConfig()
    assert config.pkt_normalise == "per_call" and config.pkt_param_keys is False
    assert config.tool_generation_target == "candidates"
    assert config.noise_share == 0.0 and config.noise_levels == ["slight", "medium", "heavy", "union"]


@pytest.mark.parametrize("data,field", [
    ({"noise_share": 1.5}, "noise_share"), ({"noise_share": -0.1}, "noise_share"),
    ({"noise_levels": ["slight", "loud"]}, "noise_levels"), ({"noise_levels": []}, "noise_levels"),
    ({"pkt_normalise": "per_token"}, "pkt_normalise"), ({"tool_generation_target": "all"}, "tool_generation_target"),
])
def test_bad_values_name_the_key(data, field) -> None:
    with pytest.raises(InputError, match=f"field {field}"):
        stage_config("sft", data, file="r.yaml")


class _Stop(Exception):
    pass


def test_train_sft_augments_before_building_examples(monkeypatch, tmp_path) -> None:
    import toolgym.train.sft as sft

    seen = {}

    def capture(records, tasks, **kwargs):
        seen["records"], seen["kwargs"] = list(records), kwargs
        raise _Stop

    monkeypatch.setattr(sft, "build_examples", capture)
    config = SFTStageConfig(noise_share=0.5, noise_levels=["heavy", "medium"], tool_generation_target="used",
                            resume=False)
    with pytest.raises(_Stop):
        sft.train_sft(config, RECORDS, out_dir=tmp_path)
    noisy = [r for r in seen["records"] if r.get("meta", {}).get("noise")]
    assert 5 < len(noisy) < 35 and len(seen["records"]) == len(RECORDS)
    assert {r["meta"]["noise"] for r in noisy} <= {"heavy", "medium"}
    assert seen["kwargs"]["tool_generation_target"] == "used"
    with pytest.raises(_Stop):  # noise_share 0: the records go through untouched
        sft.train_sft(SFTStageConfig(resume=False), RECORDS, out_dir=tmp_path / "clean")
    assert seen["records"] == RECORDS and seen["kwargs"]["tool_generation_target"] == "candidates"
