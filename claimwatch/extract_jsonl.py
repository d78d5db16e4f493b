"""The ``claimwatch extract`` contract: JSON Lines of posts in, one JSON object per input line out.

Input keys: ``url``, ``posted_at`` (ISO-8601), ``text``; anything else is passed through untouched. Output: the
input keys plus ``kind``, ``actor``, ``weapon``, ``target_country``, ``location``, ``event_date`` (YYYY-MM-DD),
``intercepted`` in the vocabulary of ``claims-gold/GUIDE.md``, and ``operations`` listing every operation with
the same fields (the top level repeats the first specific one). A line that cannot be read still yields an output
line, with an ``error`` reason, so line N of the output always answers line N of the input.

Run as ``python -m claimwatch.extract_jsonl [--input FILE]`` (stdin when no file is given).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from claimwatch.claims.rules import EXTRACTOR_VERSION, Extraction, Operation, extract_claims

__all__ = ["extract_record", "main", "parse_posted_at", "run_extract"]

_FIELDS = ("kind", "actor", "weapon", "target_country", "location", "event_date", "intercepted")


def parse_posted_at(value: Any) -> datetime | None:
    """Parse ISO-8601 ("2026-05-12T15:22Z", "...+03:00", a bare date); naive values are UTC. None if unusable."""
    if not isinstance(value, str) or not value.strip():
        return None
    s = value.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


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


def extract_record(record: dict[str, Any]) -> dict[str, Any]:
    """Annotate one input object (keys kept, extraction fields added). Never raises."""
    out = dict(record)
    text = record.get("text")
    posted_raw = record.get("posted_at")
    posted_at = parse_posted_at(posted_raw)
    reasons: list[str] = []
    if posted_raw is not None and posted_at is None:
        reasons.append(f"unparseable posted_at {str(posted_raw)[:40]!r}: no date default")
    if text is not None and not isinstance(text, str):
        reasons.append("text is not a string")
        text = None
    ex: Extraction = extract_claims(text or "", posted_at)
    reasons.extend(ex.reasons)
    out.update(_null_fields(ex.kind))
    if ex.operations:
        top = _op_fields(ex.operations[0])
        for k in _FIELDS:
            out[k] = top[k]
        out["operations"] = [_op_fields(op) for op in ex.operations]
    out["extractor_version"] = EXTRACTOR_VERSION
    if reasons:
        out["reasons"] = reasons
    return out


def run_extract(inp: TextIO, out: TextIO) -> int:
    """Stream ``inp`` to ``out``; returns the number of lines written (one per non-blank input line)."""
    n = 0
    for lineno, line in enumerate(inp, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            result: dict[str, Any] = _null_fields()
            result["error"] = f"line {lineno}: invalid JSON ({exc.msg})"
        else:
            if isinstance(record, dict):
                result = extract_record(record)
            else:
                result = _null_fields()
                result["error"] = f"line {lineno}: expected a JSON object, got {type(record).__name__}"
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        n += 1
    out.flush()
    return n


def main(argv: list[str] | None = None) -> int:
    """``claimwatch extract [--input FILE]`` (also ``python -m claimwatch.extract_jsonl``)."""
    parser = argparse.ArgumentParser(prog="claimwatch extract", description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", "-i", help="JSON Lines file (default: stdin)")
    args = parser.parse_args(argv)
    if args.input:
        with open(args.input, encoding="utf-8") as fh:
            run_extract(fh, sys.stdout)
    else:
        run_extract(sys.stdin, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
