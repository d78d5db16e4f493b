"""The ``claimwatch extract`` contract: JSON Lines of posts in, one JSON object per input line out.

Input keys: ``url``, ``posted_at`` (ISO-8601), ``text``; anything else is passed through untouched. Output: the
input keys plus ``kind``, ``actor``, ``weapon``, ``target_country``, ``location``, ``event_date`` (YYYY-MM-DD),
``intercepted`` in the vocabulary of ``claims-gold/GUIDE.md``, and ``operations`` listing every operation with
the same fields (the top level repeats the first specific one). A line that cannot be read still yields an output
line, with an ``error`` reason, so line N of the output always answers line N of the input.

``--voice ACTOR`` declares the input an outlet of ACTOR (a GUIDE actor id): its own narration of ACTOR's
operations is then ACTOR's claim. Lines are read in batches (the model works on many posts at once); output
order is input order.

Run as ``python -m claimwatch.tools.extract_jsonl [--input FILE] [--voice ACTOR]`` (stdin when no file is given).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from claimwatch.claims.extract import Extraction, Operation, extract_posts, extractor_version
from claimwatch.claims.labels import ACTORS
from claimwatch.parse.dates import parse_document_date

__all__ = ["extract_record", "extraction_fields", "main", "parse_posted_at", "run_extract"]

BATCH = 512

_FIELDS = ("kind", "actor", "weapon", "target_country", "location", "event_date", "intercepted")


def parse_posted_at(value: Any) -> datetime | None:
    """Parse ISO-8601 ("2026-05-12T15:22Z", "...+03:00", a bare date) with :mod:`claimwatch.parse.dates`; naive
    values are UTC. The post's own offset is kept: "yesterday" in a post means the day where it was written.
    None if unusable."""
    found = parse_document_date(value) if isinstance(value, str) else None
    if found is None:
        return None
    return found.stated if found.stated.tzinfo else found.stated.replace(tzinfo=UTC)


def _op_fields(op: Operation) -> dict[str, Any]:
    return {
        "kind": op.kind,
        "actor": op.actor,
        "weapon": op.weapon,
        "target_country": op.target_country,
        "location": op.location,
        "event_date": op.event_date.isoformat() if op.event_date else None,
        "intercepted": op.intercepted,
        "location_id": op.location_id,
        "lat": op.lat,
        "lon": op.lon,
        "geo_precision": op.geo_precision,
        "date_precision": op.date_precision,
        "sub_event_type": op.sub_event_type,
        "confidence": op.confidence,
        "evidence": op.evidence,
    }


def _null_fields(kind: str = "other") -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(_FIELDS)
    out["kind"] = kind
    out["operations"] = []
    return out


def extraction_fields(ex: Extraction) -> dict[str, Any]:
    """The contract's fields of one extraction: top level = first operation, ``operations`` = all of them."""
    out = _null_fields(ex.kind)
    if ex.operations:
        top = _op_fields(ex.operations[0])
        for k in _FIELDS:
            out[k] = top[k]
        out["operations"] = [_op_fields(op) for op in ex.operations]
    return out


def _prepare(record: dict[str, Any]) -> tuple[str, datetime | None, list[str]]:
    text = record.get("text")
    posted_raw = record.get("posted_at")
    posted_at = parse_posted_at(posted_raw)
    reasons: list[str] = []
    if posted_raw is not None and posted_at is None:
        reasons.append(f"unparseable posted_at {str(posted_raw)[:40]!r}: no date default")
    if text is not None and not isinstance(text, str):
        reasons.append("text is not a string")
        text = None
    return text or "", posted_at, reasons


def _finish(record: dict[str, Any], ex: Extraction, reasons: list[str], version: str) -> dict[str, Any]:
    out = dict(record)
    out.update(extraction_fields(ex))
    out["extractor_version"] = version
    if reasons or ex.reasons:
        out["reasons"] = reasons + ex.reasons
    return out


def extract_record(record: dict[str, Any], voice: str | None = None) -> dict[str, Any]:
    """Annotate one input object (keys kept, extraction fields added). Never raises on bad input."""
    text, posted_at, reasons = _prepare(record)
    [ex] = extract_posts([(text, posted_at)], voice)
    return _finish(record, ex, reasons, extractor_version())


def run_extract(inp: TextIO, out: TextIO, voice: str | None = None) -> int:
    """Stream ``inp`` to ``out`` in batches; returns the number of lines written (one per non-blank input line)."""
    version = extractor_version()
    n = 0
    pending: list[tuple[int, Any]] = []  # (line number, record or error row)

    def flush() -> None:
        good = [(i, rec) for i, (_ln, rec) in enumerate(pending) if not isinstance(rec, _Error)]
        prepared = [_prepare(rec) for _i, rec in good]
        extractions = extract_posts([(t, p) for t, p, _r in prepared], voice)
        results: dict[int, dict[str, Any]] = {}
        for (i, rec), (_t, _p, reasons), ex in zip(good, prepared, extractions, strict=True):
            results[i] = _finish(rec, ex, reasons, version)
        for i, (_ln, rec) in enumerate(pending):
            row = results.get(i)
            if row is None:
                row = _null_fields()
                row["error"] = rec.message
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        pending.clear()

    for lineno, line in enumerate(inp, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            pending.append((lineno, _Error(f"line {lineno}: invalid JSON ({exc.msg})")))
        else:
            if isinstance(record, dict):
                pending.append((lineno, record))
            else:
                pending.append((lineno, _Error(f"line {lineno}: expected a JSON object, got {type(record).__name__}")))
        n += 1
        if len(pending) >= BATCH:
            flush()
    if pending:
        flush()
    out.flush()
    return n


class _Error:
    """An input line that is not a post: its output line carries the reason."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def main(argv: list[str] | None = None) -> int:
    """``claimwatch extract [--input FILE]`` (also ``python -m claimwatch.tools.extract_jsonl``)."""
    parser = argparse.ArgumentParser(prog="claimwatch extract", description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", "-i", help="JSON Lines file (default: stdin)")
    parser.add_argument(
        "--voice", choices=[a for a in ACTORS if a not in ("other", "unknown")], help="the input is ACTOR's own outlet"
    )
    args = parser.parse_args(argv)
    if args.input:
        path = Path(args.input)
        if not path.is_file():
            parser.exit(2, f"claimwatch extract: --input {args.input}: no such file\n")
        with path.open(encoding="utf-8") as fh:
            run_extract(fh, sys.stdout, args.voice)
    else:
        run_extract(sys.stdin, sys.stdout, args.voice)
    return 0


if __name__ == "__main__":
    sys.exit(main())
