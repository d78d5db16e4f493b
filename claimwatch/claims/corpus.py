"""The shared reference corpus, read by reference: labels in the project name a post, the text stays in the corpus.

Two corpora carry labelled posts:

- ``naya``: ``channel-posts/naya_foriraq.jsonl``, Arabic Telegram posts keyed by ``msg_id``;
- ``idf``: ``reports/idf_telegram_labeled.csv``, English items of an army's Telegram channel keyed by the CSV's
  row id (its first, unnamed column). Its ``Date`` column mixes ``dd/mm/yyyy``, ``dd/mm/yy`` and
  ``dd.mm.yyyy HH:MM:SS UTC+03:00``; most texts start with the local time glued to the first word
  (``"18:31A short while ago…"``). ``posted_at`` is built from both, in Israel's time zone, so event dates
  default the way the GUIDE says (the post's date in Asia/Baghdad time).

Both become the ``claimwatch extract`` input shape: ``msg_id``, ``url``, ``posted_at`` (ISO-8601 UTC), ``text``.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from claimwatch.config import PROJECT_ROOT

__all__ = ["CORPORA", "Post", "corpus_dir", "corpus_path", "load_corpus", "posts_by_id"]

Post = dict[str, Any]

CORPORA = {
    "naya": "channel-posts/naya_foriraq.jsonl",
    "idf": "reports/idf_telegram_labeled.csv",
}
_ISRAEL = ZoneInfo("Asia/Jerusalem")
_LEADING_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})(?!\d)")
_STAMP = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})\s+UTC([+-]\d{2}):(\d{2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")


def corpus_dir() -> Path:
    """``../shared/corpus`` beside the project (``CLAIMWATCH_CORPUS_DIR`` overrides)."""
    return Path(os.environ.get("CLAIMWATCH_CORPUS_DIR", PROJECT_ROOT.parent / "shared" / "corpus"))


def corpus_path(name: str) -> Path:
    """The file of corpus ``name`` (``naya`` or ``idf``)."""
    if name not in CORPORA:
        raise ValueError(f"unknown corpus {name!r} (known: {', '.join(CORPORA)})")
    return corpus_dir() / CORPORA[name]


def idf_posted_at(date_field: str, text: str) -> datetime | None:
    """When an army channel item was posted, in UTC: the CSV's date (day first) and the text's leading time."""
    value = date_field.replace("\xa0", " ").strip()
    m = _STAMP.match(value)
    if m:
        d, mo, y, hh, mm, ss, tzh, tzm = m.groups()
        sign = -1 if tzh.startswith("-") else 1
        offset = sign * (abs(int(tzh)) * 60 + int(tzm))
        local = datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss))
        return local.replace(tzinfo=UTC) - timedelta(minutes=offset)
    m = _DAY_FIRST.match(value)
    if not m:
        return None
    d, mo, y = (int(g) for g in m.groups())
    if y < 100:
        y += 2000
    t = _LEADING_TIME.match(text)
    clock = time(int(t.group(1)), int(t.group(2))) if t and int(t.group(1)) < 24 else time(12, 0)
    return datetime.combine(datetime(y, mo, d).date(), clock, tzinfo=_ISRAEL).astimezone(UTC)


def _iso(dt: datetime | None) -> str | None:
    return dt.strftime("%Y-%m-%dT%H:%MZ") if dt else None


def _read_naya(path: Path) -> Iterator[Post]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                yield {
                    "msg_id": row["msg_id"],
                    "url": row["url"],
                    "posted_at": row["posted_at"],
                    "text": row.get("text") or "",
                }


def _read_idf(path: Path) -> Iterator[Post]:
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            row_id = int(row[""])
            text = row.get("Text") or ""
            yield {
                "msg_id": row_id,
                "url": f"idf_telegram_labeled.csv#row={row_id}",
                "posted_at": _iso(idf_posted_at(row.get("Date") or "", text)),
                "text": text,
            }


def load_corpus(name: str) -> list[Post]:
    """Every post of corpus ``name`` in the ``claimwatch extract`` input shape, in corpus order."""
    path = corpus_path(name)
    if not path.exists():
        raise FileNotFoundError(f"corpus {name!r} not found at {path} (the shared corpus lives in ../shared/corpus)")
    return list(_read_naya(path) if name == "naya" else _read_idf(path))


@cache
def posts_by_id(name: str) -> dict[int, Post]:
    """Corpus ``name`` indexed by ``msg_id`` (cached: the corpora are small)."""
    return {p["msg_id"]: p for p in load_corpus(name)}
