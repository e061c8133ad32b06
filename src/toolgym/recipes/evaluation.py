"""Recipe glue for evaluation: BFCL categories plus toolgym test sets, flattened into one metrics dict."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from toolgym.eval.metrics import Summary


def evaluate_model(*, model: str, adapter: str | None, categories: list[str], limit: int | None, out_dir: Path,
                   batch_size: int, max_new_tokens: int, suites: list[str],
                   suite_limit: int | None, dtype: str = "auto", backend: str = "transformers",
                   decoding: dict[str, Any] | None = None, episodes: list[str] | None = None,
                   episodes_limit: int | None = None, max_turns: int = 9) -> dict[str, float]:
    """Run BFCL `categories` and each suite file; return {category|aggregate|suite: accuracy in [0, 1]} plus
    TL-Training's TS/PI/CF rates over all cases of each (`bfcl_ts`, `bfcl_pi`, `bfcl_cf`, `<suite>_ts`, …).

    `decoding` (`runner.decoding_options`): constrained calls and the call gate's bias, chosen first on the
    `calibrate` dev split when one is named (its AUC joins the metrics as `gate_auc`). Each of `episodes` runs
    as TL-Training multi-turn episodes (eval/episodes.py): `<suite>_de`, `<suite>_ce`, `<suite>_va`."""
    from toolgym.eval.runner import model_identity, run_bfcl, run_suite
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
                               min_refusal=decoding.get("calibrate_min_refusal"))
        bias = gate.bias
        if gate.auc is not None:  # (the bias itself is in calibrate/calibration.json and the run identities)
            metrics["gate_auc"] = gate.auc
    policy = CallPolicy(constrain=bool(decoding.get("constrain")), call_bias=bias)
    if policy.active:  # (the recipe allows it with the transformers backend only)
        generator.set_policy(policy)
    if categories:
        summary = run_bfcl(generator, categories, limit, out_dir / "bfcl", max_new_tokens=max_new_tokens,
                           identity=identity)
        metrics.update({cat: score.accuracy for cat, score in summary.categories.items()})
        metrics.update({name: value for name, value in summary.aggregates.items() if value is not None})
        metrics.update(call_rates("bfcl", summary))
    for suite in suites:
        summary = run_suite(generator, suite, out_dir / Path(suite).stem, limit=suite_limit,
                            max_new_tokens=max_new_tokens, identity=identity)
        metrics[Path(suite).stem] = summary.accuracy
        metrics.update(call_rates(Path(suite).stem, summary))
    for suite in episodes or []:
        metrics.update(episode_metrics(generator, suite, out_dir / f"episodes-{Path(suite).stem}", episodes_limit,
                                       max_turns, max_new_tokens, identity))
    return metrics


def episode_metrics(generator: Any, suite: str, out_dir: Path, limit: int | None, max_turns: int,
                    max_new_tokens: int, identity: dict[str, Any]) -> dict[str, float]:
    """DE, CE (shares of calls) and VA (share of episodes) of one suite played as multi-turn episodes."""
    from toolgym.eval.episodes import run_episode_eval

    summary = run_episode_eval(generator, suite, out_dir, limit=limit, max_turns=max_turns,
                               max_new_tokens=max_new_tokens, identity=identity, progress=False)
    stem = Path(suite).stem
    return {f"{stem}_{key}": value for key, value in summary.aggregates.items() if value is not None}


def call_rates(prefix: str, summary: Summary) -> dict[str, float]:
    """TS (tool selection), PI (parameter identification) and CF (content filling) over all of a run's cases."""
    overall = summary.categories.get("overall")
    if overall is None:
        return {}
    return {f"{prefix}_ts": overall.ts, f"{prefix}_pi": overall.pi, f"{prefix}_cf": overall.cf}
