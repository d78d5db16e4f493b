"""Evaluate article extraction on the article-extraction benchmark (181 real pages), through the real CLI.

Runs ``python -m claimwatch.tools.extract_articles <benchmark>/html`` in a subprocess (the same path the pipeline
and the ``claimwatch extract-articles`` command take: reading .html.gz, charset handling, JSON Lines out),
scores its ``body`` against ``ground-truth.json`` with the benchmark's method (``bench/article_scoring.py``),
and prints it beside trafilatura's default ``trafilatura.extract(html)`` measured in the same run.

    .venv/bin/python bench/eval_articles.py [--worst N] [--corpus DIR]

Published F1 on these pages with the same method: AutoExtract 0.970, trafilatura 2.0.0 0.958, readability 0.922.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

import trafilatura
from article_scoring import Scores, page_f1, score

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = PROJECT.parent / "shared" / "corpus" / "articles" / "article-extraction-benchmark"


def run_cli(html_dir: Path) -> tuple[dict[str, str | None], dict[str, str], float]:
    """Bodies and errors by page id from the CLI, and its wall-clock time (including interpreter start-up)."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "claimwatch.tools.extract_articles", str(html_dir)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"extract_articles exited with {proc.returncode}")
    bodies: dict[str, str | None] = {}
    errors: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        record = json.loads(line)
        bodies[record["id"]] = record.get("body")
        if "error" in record:
            errors[record["id"]] = record["error"]
    return bodies, errors, elapsed


def run_trafilatura_default(html_dir: Path, ids: list[str]) -> tuple[dict[str, str | None], float]:
    """The baseline exactly as the brief names it: ``trafilatura.extract(html)`` with no options."""
    started = time.perf_counter()
    bodies: dict[str, str | None] = {}
    for page in ids:
        with gzip.open(html_dir / f"{page}.html.gz", "rt", encoding="utf-8") as fh:
            bodies[page] = trafilatura.extract(fh.read())
    return bodies, time.perf_counter() - started


def _row(name: str, scores: Scores, seconds: float) -> str:
    rate = scores.pages / seconds if seconds else float("inf")
    return (
        f"{name:<34} P={scores.precision:.4f}  R={scores.recall:.4f}  F1={scores.f1:.4f}"
        f"  {scores.pages} pages  {rate:6.1f} pages/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="benchmark folder")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages of claimwatch")
    args = parser.parse_args()

    truth = json.loads((args.corpus / "ground-truth.json").read_text(encoding="utf-8"))
    expected = {page: item.get("articleBody", "") for page, item in truth.items()}
    ids = sorted(expected)

    ours, errors, ours_s = run_cli(args.corpus / "html")
    missing = sorted(set(ids) - set(ours))
    if missing:
        raise SystemExit(f"CLI produced no line for {len(missing)} pages, e.g. {missing[:3]}")
    baseline, base_s = run_trafilatura_default(args.corpus / "html", ids)

    print(_row("claimwatch extract-articles (CLI)", score(expected, ours), ours_s))
    print(_row("trafilatura.extract(html) default", score(expected, baseline), base_s))
    print("published: AutoExtract 0.970, trafilatura 2.0.0 0.958, readability 0.922 (F1)")
    if errors:
        print(f"{len(errors)} pages rejected: " + "; ".join(f"{k[:10]}: {v}" for k, v in sorted(errors.items())))
    if args.worst:
        print(f"\nworst {args.worst} pages (claimwatch F1 / trafilatura default F1):")
        worst = sorted(ids, key=lambda page: page_f1(expected[page], ours[page]))[: args.worst]
        for page in worst:
            ours_f1 = page_f1(expected[page], ours[page])
            base_f1 = page_f1(expected[page], baseline[page])
            print(f"  {page[:16]}  {ours_f1:.3f}  {base_f1:.3f}  {truth[page].get('url', '')}")


if __name__ == "__main__":
    main()
