"""Reading what a source serves, with no database: decoding bytes, feeds, sitemaps, URLs, Telegram preview
pages, article pages.

Every parser refuses input it cannot use the same way: it raises a subclass of :class:`UnusableInput` whose
``reason`` is the quarantine row's reason, so callers catch one class and store one field."""

from __future__ import annotations


class UnusableInput(ValueError):
    """Input that yields nothing usable; ``reason`` (also the message) says why, in words kept with the
    quarantined bytes."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
