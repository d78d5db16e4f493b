"""Shared by the tests that score claim rules against gold files: the evaluation script, loaded once."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
CHANNEL_CORPUS = ROOT.parent / "shared" / "corpus" / "channel-posts" / "naya_foriraq.jsonl"


@cache
def eval_module() -> ModuleType:
    """``bench/eval_claims.py`` as a module (bench/ is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("eval_claims", ROOT / "bench" / "eval_claims.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
