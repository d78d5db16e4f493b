"""The shared reference corpus (``../shared/corpus``, read in place, never copied): tests that read it skip where
it is missing on a developer's machine, and fail in CI, where a missing corpus would otherwise turn into a green
run that tested nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")


def needs_shared(path: Path | None) -> pytest.MarkDecorator:
    """A marker: skip when ``path`` is missing, outside CI only (in CI the test runs and fails on the missing file)."""
    missing = path is None or not Path(path).exists()
    return pytest.mark.skipif(missing and not IN_CI, reason=f"shared corpus not found at {path or SHARED}")


def require_shared(path: Path) -> Path:
    """``path``, or skip (outside CI) / fail (in CI) the calling test when it is missing."""
    if not path.exists():
        if IN_CI:
            pytest.fail(f"shared corpus not found at {path}: CI runs beside ../shared")
        pytest.skip(f"shared corpus not found at {path}")
    return path
