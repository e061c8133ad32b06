"""The layout of a recipe run folder (`runs/<name>/<step>/manifest.json`), for the areas that read finished runs
without importing `recipes` (which sits above them): exports, soups and `toolgym eval … --run`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toolgym.core.errors import InputError

MANIFEST = "manifest.json"  # each step folder's record (recipes/manifest.py writes it)
FINAL_EVAL = "eval_final"  # the step folder of the trained model's evaluation
CALIBRATION = Path("calibrate") / "calibration.json"  # the call gate the final evaluation chose, under FINAL_EVAL


def read_json(path: Path) -> dict[str, Any]:
    """The JSON object in `path`; {} when the file is missing, unreadable or not an object."""
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def recorded_path(recorded: str, step_dir: Path) -> Path:
    """A path a manifest recorded (relative to where the run ran), found again under the step folder first:
    runs get moved or renamed, and the old relative path may then name another run."""
    parts = Path(recorded).parts
    if step_dir.name in parts:
        last = len(parts) - 1 - parts[::-1].index(step_dir.name)  # the step folder's last mention
        rebased = step_dir.joinpath(*parts[last + 1:])
        if rebased.exists():
            return rebased
    if Path(recorded).exists():
        return Path(recorded)
    raise InputError(f"the step's output {recorded} is gone", file=str(step_dir / MANIFEST))
