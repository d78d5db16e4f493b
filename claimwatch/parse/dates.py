"""Document dates: the one reading of a date a source states about a document (a feed's ``pubDate``, a sitemap's
``lastmod``, an article's ``datePublished``, a Telegram post's ``time[datetime]``, a corpus row's ``posted_at``)
and of the HTTP dates servers send.

Every result is an aware UTC ``datetime``, so dates from different sources compare and sort, and the warehouse's
``timestamptz`` columns get no local-time surprises. The domain rules, in one place:

* a date or time without a zone is UTC: the RSS spec requires a zone and Telegram always gives one; the common
  offender is a bare ISO timestamp in a CMS's JSON-LD, and UTC is the least wrong reading;
* a date without a time (``2026-10-14``) is midnight UTC, and :attr:`DocumentDate.has_time` says so, so a caller
  can prefer a full timestamp from elsewhere;
* only absolute dates: "yesterday" or "last week" in a feed means nothing once stored, so it is refused, as is a
  date missing its day, month or year;
* a year outside 1990-2100 is a CMS default or a typo (``0001-01-01``, ``1970-01-01`` from a zero timestamp,
  ``20226``), never a news document: refused.

Parsers, cheapest first: ISO 8601 / W3C datetime (``dateutil``'s strict ``isoparse``), RFC 822 / HTTP dates
(``email.utils``, the RFC's own reader), then ``dateparser`` for what feeds in other languages write (``Seg, 24 Set
2018 19:42:40 -0300``), restricted to absolute dates in the languages our sources use.

Refusal comes with a reason (:class:`UnreadableDate`, from :func:`read_document_date`); callers to whom a missing
date is an ordinary absence use :func:`parse_document_date` or :func:`parse_datetime`, which answer None.
The event dates a post's text tells ("أمس", Hijri and Jalali dates) are the claim extractor's rules
(``claimwatch.claims.dates``), not document dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from dateutil.parser import isoparse

from claimwatch.parse import UnusableInput

EARLIEST_YEAR = 1990
LATEST_YEAR = 2100

# Languages of the day and month names our feeds write; a short list keeps dateparser fast and unambiguous.
_LANGUAGES = ["en", "pt", "es", "fr", "de", "it", "nl", "ar", "fa", "tr", "ru"]
_DATEPARSER_SETTINGS: dict[str, Any] = {
    "PARSERS": ["absolute-time"],  # no "yesterday", no bare timestamps
    "STRICT_PARSING": True,  # day, month and year all present
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
}
_ISO_START = re.compile(r"^\d{4}-?\d{2}")


class UnreadableDate(UnusableInput):
    """A date string that is no date, or no plausible one; ``reason`` says which."""


@dataclass(frozen=True)
class DocumentDate:
    """A date read from a document: the moment (aware, UTC), whether the source gave a time of day, and the moment
    as stated (the source's own offset, naive when it gave none), for records that keep what the page said."""

    moment: datetime
    has_time: bool
    stated: datetime


def read_document_date(value: str) -> DocumentDate:
    """Read a document date (see the module docstring for the rules); raises :class:`UnreadableDate`."""
    text = value.strip()
    if not text:
        raise UnreadableDate("empty date")
    found = _iso(text) or _rfc822(text) or _localized(text)
    if found is None:
        raise UnreadableDate(f"not an absolute date: {text[:60]!r}")
    stated, has_time = found
    offset = stated.utcoffset()
    if offset is not None:  # dateutil's and dateparser's zone classes as the standard library's fixed offset
        stated = stated.replace(tzinfo=timezone(offset))
    if not EARLIEST_YEAR <= stated.year <= LATEST_YEAR:
        raise UnreadableDate(f"implausible year {stated.year} in {text[:60]!r}")
    return DocumentDate(as_utc(stated), has_time, stated)


def parse_document_date(value: str | None) -> DocumentDate | None:
    """:func:`read_document_date`, with None for a missing or unreadable date."""
    if value is None:
        return None
    try:
        return read_document_date(value)
    except UnreadableDate:
        return None


def parse_datetime(value: str | None) -> datetime | None:
    """The moment of :func:`parse_document_date` (aware UTC; a bare date is midnight), or None."""
    found = parse_document_date(value)
    return found.moment if found is not None else None


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP date header (``Retry-After``, ``If-Modified-Since``: RFC 9110's IMF-fixdate and its obsolete
    forms) as aware UTC, or None. No year bound: a protocol date, not a document's."""
    if not value or not value.strip():
        return None
    found = _rfc822(value.strip())
    return as_utc(found[0]) if found is not None else None


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive one is taken to be UTC already (see the module docstring)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _iso(text: str) -> tuple[datetime, bool] | None:
    if not _ISO_START.match(text):
        return None
    try:
        moment = isoparse(text)
    except (ValueError, OverflowError):
        return None
    return moment, len(text) > 10


def _rfc822(text: str) -> tuple[datetime, bool] | None:
    try:
        return parsedate_to_datetime(text), True
    except (TypeError, ValueError, IndexError):
        return None


def _localized(text: str) -> tuple[datetime, bool] | None:
    # Imported on first use: dateparser loads its language data at import, and most dates never get this far.
    import dateparser

    try:
        moment = dateparser.parse(text, languages=_LANGUAGES, settings=_DATEPARSER_SETTINGS)
    except (ValueError, OverflowError):
        return None
    return (moment, ":" in text) if moment is not None else None
