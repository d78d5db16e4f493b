"""``claimwatch extract-articles PATH...``: article extraction over saved pages, one JSON object per page.

The contract (DESIGN.md): PATHs are ``.html`` / ``.html.gz`` files or folders of them; each page yields one
line with ``id`` (the file name without ``.html``/``.html.gz``), ``title``, ``body``, ``published_at``,
``language``, plus the other :class:`~claimwatch.parse.articles.Article` fields and the source ``path``. A page that
cannot be read, decoded or extracted yields ``{"id", "path", "error"}`` instead, so one bad page never stops a
batch and the reason reaches whoever quarantines it. Also runnable as ``python -m claimwatch.tools.extract_articles``.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import io
import json
import sys
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from claimwatch.parse.articles import ArticleExtractionError, extract_article

_SUFFIXES = (".html.gz", ".htm.gz", ".html", ".htm")


def page_id(path: Path) -> str:
    """The page id: the file name without its ``.html`` / ``.html.gz`` suffix."""
    name = path.name
    for suffix in _SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def iter_pages(paths: Sequence[str]) -> Iterator[Path]:
    """Files named on the command line as given, folders expanded to their pages in name order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(_SUFFIXES))
        else:
            yield path  # a missing or oddly named file still gets its own line (an error, if unreadable)


def extract_page(path: Path) -> dict[str, Any]:
    """One output record for one saved page; never raises for a bad page."""
    record: dict[str, Any] = {"id": page_id(path), "path": str(path)}
    try:
        raw = path.read_bytes()
        if path.name.lower().endswith(".gz"):
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        record["error"] = f"unreadable file: {exc}"
        return record
    try:
        article = extract_article(raw)
    except ArticleExtractionError as exc:
        record["error"] = exc.reason
        return record
    record.update(dataclasses.asdict(article))
    return record


def run_extract_articles(paths: list[str], out: TextIO) -> int:
    """Write one JSON line per page found under ``paths`` to ``out``.

    Returns a process exit status: 0 when every named path exists (pages that fail extraction are reported in
    the stream, not in the status), 1 when a named path does not exist.
    """
    status = 0
    for raw in paths:
        if not Path(raw).exists():
            status = 1
    for path in iter_pages(paths):
        out.write(json.dumps(extract_page(path), ensure_ascii=False) + "\n")
    out.flush()
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m claimwatch.tools.extract_articles PATH...``."""
    parser = argparse.ArgumentParser(
        prog="claimwatch extract-articles",
        description="Extract title, body, dates and language from saved .html/.html.gz pages as JSON Lines.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help=".html/.html.gz file or folder of them")
    args = parser.parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8")  # Arabic bodies must not depend on the locale
    return run_extract_articles(args.paths, sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
