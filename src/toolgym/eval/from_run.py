"""`toolgym eval bfcl|suite --run RUN`: a recipe run's trained model scored as the run's own final evaluation
scored it — the same model and adapter, dtype, batch size, answer budget and decoding, with the call gate's bias
the run chose on its dev split — so a subset the recipe ran can be redone on full sets by one command."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError
from toolgym.core.runs import CALIBRATION, FINAL_EVAL, MANIFEST, read_json, recorded_path

# the eval keys of a recipe (recipes/spec.py EvalSpec) that set the CLI's options of the same name
DECODING_KEYS = ("constrain", "copy_bias", "distinct_calls", "continue_bias", "next_call_bias", "prose_tokens")
SETTING_KEYS = ("dtype", "batch_size", "max_new_tokens")


@dataclass(frozen=True)
class RunEvaluation:
    """What a run's final evaluation used: `options` are keyword values of `toolgym eval bfcl|suite`."""

    model: str
    adapter: Path | None
    options: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def run_evaluation(run: Path) -> RunEvaluation:
    """Read RUN (`runs/<name>` or its `eval_final` folder): its final evaluation's manifest and calibration."""
    step = run if run.name == FINAL_EVAL else run / FINAL_EVAL
    manifest = read_json(step / MANIFEST)
    config = manifest.get("config")
    if not isinstance(config, dict) or not isinstance(config.get("eval"), dict):
        raise InputError(f"not a recipe run that reached its final evaluation (no readable {FINAL_EVAL}/{MANIFEST})",
                         file=str(run))
    evaluation: dict[str, Any] = config["eval"]
    model = config.get("model")
    if not isinstance(model, str) or not model:
        raise InputError("names no model", file=str(step / MANIFEST), field="config.model")
    if step.parent.name in Path(model).parts:  # a model the run trained (full fine-tuning): found again
        model = str(recorded_path(model, step.parent))
    adapter = recorded_path(config["adapter"], step.parent) if config.get("adapter") else None
    options = {key: evaluation[key] for key in (*SETTING_KEYS, *DECODING_KEYS) if key in evaluation}
    notes = [f"model {model}" + (f", adapter {adapter}" if adapter else "")]
    options["call_bias"] = float(evaluation.get("call_bias") or 0.0)
    if evaluation.get("calibrate"):
        gate = read_json(step / CALIBRATION)
        if not isinstance(gate.get("bias"), int | float):
            raise InputError(f"the run's call gate was never chosen (no bias in {CALIBRATION}): rerun the recipe "
                             "to finish its final evaluation", file=str(step))
        options["call_bias"] = float(gate["bias"])
        notes.append(f"call bias {gate['bias']:+g}, chosen on {evaluation['calibrate']} (dev AUC {gate.get('auc')})")
    notes.append(", ".join(f"{key} {value}" for key, value in options.items() if key != "call_bias"))
    return RunEvaluation(model, adapter, options, notes)
