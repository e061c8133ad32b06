"""Peak resident memory of this process, per stage: stages that share a process (a recipe, `toolgym ablate`)
each report their own peak, not the largest of every stage before them.

Checked: psutil (not a dependency) and torch report current, not peak, host memory; the kernel's counter is the
one that resets, so this module reads `getrusage` and resets through /proc/self/clear_refs.
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path

CLEAR_REFS = Path("/proc/self/clear_refs")


def peak_rss_mb() -> float:
    """Peak resident memory since the process started or since the last `reset_peak_rss()`, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def reset_peak_rss() -> bool:
    """Start a new peak at today's resident size (Linux: "5" written to /proc/self/clear_refs resets the
    high-water mark that `getrusage` reads). False where the kernel has no such file or refuses it: the peak
    then stays the process's."""
    try:
        CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True
