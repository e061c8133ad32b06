"""What toolgym writes beside a trained adapter or model folder (`toolgym.json`): the prompt rendering it learned.

An adapter trained under one `PROMPT_VERSION` and scored under another is scored on prompts it never saw (stop 35
changed the parameter order and retrained every adapter). Loading says so in one line; folders written before
this file existed, or by other tools, carry no record and load silently.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toolgym import __version__
from toolgym.core.formats import PROMPT_VERSION

PROVENANCE_FILE = "toolgym.json"


def write_provenance(folder: str | Path, **extra: Any) -> Path:
    """Record the prompt version and toolgym version in `folder` (plus `extra` keys, e.g. the base model)."""
    path = Path(folder) / PROVENANCE_FILE
    record = {"prompt_version": PROMPT_VERSION, "toolgym_version": __version__, **extra}
    path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_provenance(folder: str | Path) -> dict[str, Any] | None:
    """The record in `folder`, or None when there is none or it is not a JSON object."""
    path = Path(folder) / PROVENANCE_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def prompt_version_mismatch(folder: str | Path) -> str | None:
    """One line when `folder` was trained under another prompt rendering than this toolgym's; None otherwise."""
    record = read_provenance(folder)
    if record is None or record.get("prompt_version") in (None, PROMPT_VERSION):
        return None
    return (f"{folder} was trained with prompt version {record['prompt_version']} (toolgym "
            f"{record.get('toolgym_version', '?')}); this toolgym renders version {PROMPT_VERSION} "
            f"(core/formats.py), so its scores measure prompts it never saw: retrain it to compare")


def save_trained(model: Any, tokenizer: Any, folder: str | Path, **save_kwargs: Any) -> Path:
    """`model.save_pretrained` (transformers / peft) and the tokenizer into `folder`, with the record beside them."""
    model.save_pretrained(str(folder), **save_kwargs)
    tokenizer.save_pretrained(str(folder))
    write_provenance(folder)
    return Path(folder)
