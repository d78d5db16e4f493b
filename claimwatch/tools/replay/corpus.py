"""Reading JSON Lines corpora of channel posts (the format of ``../shared/corpus/channel-posts/``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from claimwatch.parse.dates import read_document_date


@dataclass
class Channel:
    """One channel's posts, sorted by id, each already rendered (pages are joins, so serving stays cheap)."""

    name: str
    title: str
    ids: list[int] = field(default_factory=list)
    widgets: list[str] = field(default_factory=list)


def load_corpus(paths: Iterable[Path]) -> dict[str, dict[int, dict[str, Any]]]:
    """Read JSON Lines corpora into ``{channel: {msg_id: post}}``; a later line for the same id replaces the
    earlier one. Bad lines raise ValueError naming file and line: a test server should fail loudly."""
    channels: dict[str, dict[int, dict[str, Any]]] = {}
    for path in paths:
        with Path(path).open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    post = json.loads(line)
                    channel = str(post["channel"])
                    msg_id = int(post["msg_id"])
                    posted_at(str(post["posted_at"]))
                except (ValueError, KeyError, TypeError) as exc:
                    raise ValueError(f"{path}:{number}: not a channel post: {exc}") from exc
                channels.setdefault(channel, {})[msg_id] = post
    return channels


def posted_at(value: str) -> datetime:
    """A corpus post's time as aware UTC (UTC when it has no offset); raises ValueError when it is no date."""
    return read_document_date(value).moment
