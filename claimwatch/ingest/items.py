"""What the spiders produce: landed documents and quarantined content."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class RawDocumentItem:
    """One content version of a document, as fetched; lands in ``raw.documents``.

    ``content_sha256`` covers only the stable content (for a Telegram post: text and media, not the
    view counter), so re-fetching an unchanged document is a no-op and an edit is a new version.
    """

    source_id: str
    external_id: str
    url: str
    fetched_at: datetime
    http_status: int
    content_type: str | None
    body: str
    content_sha256: str
    published_at: datetime | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    original: bytes | None = None  # the bytes received, when ``body`` is a repaired decoding of them
    # A Telegram post's text as the spider read it from ``body``, and the reader's version (``TEXT_VERSION`` of
    # ``parse.telegram_preview``): normalize uses the text instead of parsing ``body`` again while the version holds.
    body_text: str | None = None
    body_text_version: str | None = None


@dataclass
class QuarantineItem:
    """Content received but not landable as-is (or a failed fetch worth keeping), with the reason."""

    source_id: str
    url: str
    reason: str
    http_status: int | None = None
    content: bytes | None = None
    external_id: str | None = None
