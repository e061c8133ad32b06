"""Multi-process launches (`accelerate launch`, `torchrun`): which process this is, and how the others wait.

The launchers set RANK / WORLD_SIZE for every process before Python starts, so these helpers work before any
process group exists; the group itself is created by accelerate (the first `barrier`, or the SFT trainer).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def is_main() -> bool:
    """True in a single-process run and in the launch's rank 0."""
    return rank() == 0


def barrier() -> None:
    """Every process waits here for all the others (a no-op in a single-process run)."""
    if world_size() > 1:
        from accelerate import PartialState

        PartialState().wait_for_everyone()


def wait_until(value: Callable[[], T | None], poll_seconds: float = 2.0) -> T:
    """Poll `value()` until it is not None. Used instead of a barrier while the main process runs a long
    single-process step (evaluation), which would outlast a collective's timeout; if the main process dies, the
    launcher ends this one."""
    while (found := value()) is None:
        time.sleep(poll_seconds)
    return found
