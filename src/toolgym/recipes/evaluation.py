"""Recipe glue for evaluation: every benchmark the recipe's eval section names (eval.registry), flattened into
one metrics dict."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def evaluate_model(*, model: str, adapter: str | None, categories: list[str], limit: int | None, out_dir: Path,
                   batch_size: int, max_new_tokens: int, suites: list[str],
                   suite_limit: int | None, dtype: str = "auto", backend: str = "transformers",
                   decoding: dict[str, Any] | None = None, episodes: list[str] | None = None,
                   episodes_limit: int | None = None, max_turns: int = 9) -> dict[str, float]:
    """Run BFCL `categories`, each suite file and each `episodes` suite through their registered benchmarks'
    recipe metrics (`eval.registry.recipe_benchmarks`): {category|aggregate|suite: accuracy in [0, 1]},
    TL-Training's TS/PI/CF rates over all cases of each (`bfcl_ts`, `<suite>_ts`, …) and the episodes'
    `<suite>_de`, `<suite>_ce`, `<suite>_va`.

    `decoding` (`runner.decoding_options`): constrained calls, the copy bias, distinct calls and the call gate's bias, chosen first on the
    `calibrate` dev split when one is named (its AUC joins the metrics as `gate_auc`)."""
    from toolgym.eval.registry import recipe_benchmarks
    from toolgym.eval.runner import model_identity
    from toolgym.models.backends import make_generator
    from toolgym.models.constrain import CallPolicy

    identity = model_identity(model, adapter, dtype, backend)  # a resumed eval folder must hold this model's results
    generator = make_generator(backend, model, adapter, batch_size=batch_size, dtype=dtype)
    metrics: dict[str, float] = {}
    decoding = decoding or {}
    bias = decoding.get("call_bias", 0.0)
    if decoding.get("calibrate"):
        from toolgym.eval.calibrate import run_calibration
        from toolgym.eval.suites import load_suite_cases

        cases = load_suite_cases(decoding["calibrate"], decoding.get("calibrate_limit"))
        gate = run_calibration(generator, cases, out_dir / "calibrate", meta={**identity, "file": decoding["calibrate"]},
                               min_refusal=decoding.get("calibrate_min_refusal"),
                               call_tolerance=decoding.get("calibrate_call_tolerance") or 0.0)
        bias = gate.bias
        if gate.auc is not None:  # (the bias itself is in calibrate/calibration.json and the run identities)
            metrics["gate_auc"] = gate.auc
    policy = CallPolicy(constrain=bool(decoding.get("constrain")), call_bias=bias,
                        copy_bias=decoding.get("copy_bias", 0.0), distinct_calls=decoding.get("distinct_calls", False),
                        continue_bias=decoding.get("continue_bias", 0.0),
                        next_call_bias=decoding.get("next_call_bias", 0.0),
                        prose_tokens=decoding.get("prose_tokens"))
    if policy.active:  # (the recipe allows it with the transformers backend only)
        generator.set_policy(policy)
    sources = {"categories": categories, "suites": suites, "episodes": episodes or []}
    settings = {"limit": limit, "suite_limit": suite_limit, "episodes_limit": episodes_limit, "max_turns": max_turns,
                "max_new_tokens": max_new_tokens}
    for bench in recipe_benchmarks():
        if chosen := sources.get(bench.recipe_key):  # (every recipe benchmark has a recipe_key)
            metrics.update(bench.resolve("metrics")(generator, chosen, out_dir, identity=identity, settings=settings))
    return metrics
