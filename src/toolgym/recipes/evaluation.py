"""Recipe glue for evaluation: BFCL categories plus toolgym test sets, flattened into one metrics dict."""

from __future__ import annotations

from pathlib import Path


def evaluate_model(*, model: str, adapter: str | None, categories: list[str], limit: int | None, out_dir: Path,
                   batch_size: int, max_new_tokens: int, suites: list[str],
                   suite_limit: int | None, dtype: str = "auto") -> dict[str, float]:
    """Run BFCL `categories` and each suite file; return {category|aggregate|suite: accuracy in [0, 1]}."""
    from toolgym.eval.runner import model_identity, run_bfcl, run_suite
    from toolgym.models.backends import make_generator

    identity = model_identity(model, adapter, dtype)  # a resumed eval folder must hold this model's results
    generator = make_generator("transformers", model, adapter, batch_size=batch_size, dtype=dtype)
    metrics: dict[str, float] = {}
    if categories:
        summary = run_bfcl(generator, categories, limit, out_dir / "bfcl", max_new_tokens=max_new_tokens,
                           identity=identity)
        metrics.update({cat: score.accuracy for cat, score in summary.categories.items()})
        metrics.update({name: value for name, value in summary.aggregates.items() if value is not None})
    for suite in suites:
        summary = run_suite(generator, suite, out_dir / Path(suite).stem, limit=suite_limit,
                            max_new_tokens=max_new_tokens, identity=identity)
        metrics[Path(suite).stem] = summary.accuracy
    return metrics
