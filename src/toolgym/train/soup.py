"""`toolgym soup`: several LoRA adapters of one base model averaged into one adapter (a model soup).

Adapters trained from the same base under different seeds (or data) disagree on many cases (two quickstart
trainings on 124 of BFCL's 1,000 non-live cases: docs/quality/README.md, stop 37); the average of their weight
updates is one model with no extra inference cost (Wortsman et al., 2022, "Model soups"). peft's
`add_weighted_adapter(combination_type="cat")` stacks the adapters' ranks with each A matrix scaled by its
weight and scaling, so the soup's update is exactly the weighted sum of the adapters' updates (checked:
tests/train/test_soup.py); its rank is the sum of theirs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError
from toolgym.core.provenance import read_provenance, write_provenance

SOUP = "default"  # peft saves the adapter named "default" at the folder's top level


def check_adapters(adapters: Sequence[Path], weights: Sequence[float] | None) -> tuple[list[float], int | None]:
    """The weights to use (equal by default) and the adapters' prompt version; one-line errors for a folder that is no LoRA adapter, adapters of
    different base models, target modules or prompt renderings, or a weight count that does not match."""
    if len(adapters) < 2:
        raise InputError("a soup needs at least two adapters", field="ADAPTERS")
    configs = []
    for folder in adapters:
        path = folder / "adapter_config.json"
        try:
            configs.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            raise InputError("not a LoRA adapter folder (no readable adapter_config.json)", file=str(folder)) \
                from None
    for key in ("base_model_name_or_path", "target_modules"):
        first = _comparable(configs[0].get(key))
        for folder, config in zip(adapters[1:], configs[1:], strict=True):
            if _comparable(config.get(key)) != first:
                raise InputError(f"{key} {config.get(key)!r} differs from {adapters[0]}'s {configs[0].get(key)!r}",
                                 file=str(folder / "adapter_config.json"), field=key)
    versions = {(read_provenance(folder) or {}).get("prompt_version") for folder in adapters} - {None}
    if len(versions) > 1:
        raise InputError(f"the adapters were trained under different prompt versions {sorted(versions)}",
                         file=str(adapters[0]), field="prompt_version")
    version = versions.pop() if versions else None
    if weights is None:
        return [1.0 / len(adapters)] * len(adapters), version
    if len(weights) != len(adapters):
        raise InputError(f"{len(weights)} weights for {len(adapters)} adapters", field="--weights")
    return list(weights), version


def _comparable(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


def soup_adapters(adapters: Sequence[Path], out: Path, model: str | None = None,
                  weights: Sequence[float] | None = None) -> dict[str, Any]:
    """Write the weighted sum of `adapters`' updates (by default their mean) as one LoRA adapter in `out`; each
    entry is an adapter folder or a recipe run folder (its last training step's adapter)."""
    from peft import PeftModel

    from toolgym.models import registry
    from toolgym.train.export_model import resolve_source

    sources = [resolve_source(Path(a), model=model) for a in adapters]  # run folders name their adapter
    for path, source in zip(adapters, sources, strict=True):
        if source.adapter is None:
            raise InputError("a full model folder, not a LoRA adapter: only adapters are averaged", file=str(path))
    adapters = [source.adapter for source in sources if source.adapter is not None]
    chosen, version = check_adapters(adapters, weights)
    base = sources[0].model
    backbone, tokenizer = registry.load_model(base)  # float32: the updates are summed without rounding
    names = [f"ingredient_{i}" for i in range(len(adapters))]
    peft_model = PeftModel.from_pretrained(backbone, str(adapters[0]), adapter_name=names[0])
    for name, folder in zip(names[1:], adapters[1:], strict=True):
        peft_model.load_adapter(str(folder), adapter_name=name)
    peft_model.add_weighted_adapter(names, chosen, SOUP, combination_type="cat")
    peft_model.set_adapter(SOUP)
    for name in names:
        peft_model.delete_adapter(name)
    out.mkdir(parents=True, exist_ok=True)
    peft_model.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))
    rank = int(peft_model.peft_config[SOUP].r)
    record = {"prompt_version": version} if version is not None else {}  # the ingredients' rendering
    write_provenance(out, soup_of=[str(a) for a in adapters], soup_weights=chosen, base_model=base, **record)
    return {"out": str(out), "adapters": len(adapters), "weights": chosen, "rank": rank, "model": base}
