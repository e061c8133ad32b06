import sys

import pytest

from toolgym.core.memory import peak_rss_mb, reset_peak_rss

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/clear_refs is Linux's")


def touch_and_free(mib: int) -> float:
    """Make the process's resident size `mib` MiB larger for a moment; returns the peak it reached."""
    block = bytearray(mib * 2**20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    high = peak_rss_mb()
    del block  # a block this size is its own mapping: freed back to the kernel at once
    return high


@linux_only
def test_a_reset_starts_a_new_peak_below_an_earlier_one():
    before = peak_rss_mb()
    high = touch_and_free(400)
    assert high >= before and high > 350
    assert reset_peak_rss()
    assert peak_rss_mb() < high - 300


def test_without_clear_refs_the_peak_stays_the_process(tmp_path, monkeypatch):
    monkeypatch.setattr("toolgym.core.memory.CLEAR_REFS", tmp_path / "missing" / "clear_refs")
    high = peak_rss_mb()
    assert reset_peak_rss() is False and peak_rss_mb() >= high
