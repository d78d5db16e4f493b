"""The normalize step's process imports only what normalizing needs.

Each DAG step runs in its own process, so every module normalize's imports pull in is paid on every run: importing
datasketch (scipy, redis, opentelemetry), the crawler and the registry's models (pydantic) and ftfy took ~1.4 s of a
process that normalizes 100,000 posts in ~10 s. They are imported where they are used instead; this keeps it so.
numpy is needed, but only once the candidate query runs: normalize imports it while the server works on that query.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# What the normalize process must not import (top-level packages, and claimwatch modules it does not run).
_UNNEEDED = [
    "airflow",
    "sqlalchemy",
    "sklearn",
    "scipy",
    "datasketch",
    "redis",
    "pydantic",
    "scrapy",
    "twisted",
    "ftfy",
    "charset_normalizer",
    "claimwatch.ingest.crawl",
    "claimwatch.registry",
]

# As bench_scale.py's step process and the DAG's task start: the task module, then the normalizer.
_PROBE = """
import json, sys
from claimwatch.pipeline import tasks
import claimwatch.transform.normalize
print(json.dumps(sorted(name for name in {names!r} if name in sys.modules)))
"""


def _imported(names: list[str]) -> list[str]:
    """Which of ``names`` a fresh process has imported after importing the normalize task's modules."""
    probe = _PROBE.format(names=names)
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_the_normalize_task_imports_nothing_it_does_not_run() -> None:
    assert _imported(_UNNEEDED) == []


def test_numpy_waits_for_the_candidate_query() -> None:
    """Language detection and the duplicate index (numpy) are imported by normalize_documents, not at import."""
    assert _imported(["numpy", "claimwatch.text.language", "claimwatch.text.near_duplicates"]) == []
