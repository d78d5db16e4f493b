"""Document dates: one reading for feeds, sitemaps, article pages, Telegram pages and corpus rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from claimwatch.parse.dates import (
    UnreadableDate,
    parse_datetime,
    parse_document_date,
    parse_http_date,
    read_document_date,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue, 13 Oct 2026 07:00:00 GMT", datetime(2026, 10, 13, 7, 0, tzinfo=UTC)),
        ("Mon, 12 Oct 2026 13:00:00 +0300", datetime(2026, 10, 12, 10, 0, tzinfo=UTC)),
        ("Seg, 24 Set 2018 19:42:40 -0300", datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)),
        ("mar., 3 févr. 2026 10:00:00 +0100", datetime(2026, 2, 3, 9, 0, tzinfo=UTC)),
        ("Di, 01 Dez 2026 08:00:00 +0100", datetime(2026, 12, 1, 7, 0, tzinfo=UTC)),
        ("2026-10-14T10:15:00+03:00", datetime(2026, 10, 14, 7, 15, tzinfo=UTC)),
        ("2026-10-14T10:15:00Z", datetime(2026, 10, 14, 10, 15, tzinfo=UTC)),
        ("2026-10-14T10:15:00", datetime(2026, 10, 14, 10, 15, tzinfo=UTC)),  # no zone: taken as UTC
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_feed_dates_rfc822_localized_and_iso(text: str | None, expected: datetime | None) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-14", datetime(2026, 10, 14, tzinfo=UTC)),
        ("2026-10-14T10:15:00+03:00", datetime(2026, 10, 14, 7, 15, tzinfo=UTC)),
        ("2026-10-14T10:15Z", datetime(2026, 10, 14, 10, 15, tzinfo=UTC)),
        ("2026-10-14T10:15:00.123456+00:00", datetime(2026, 10, 14, 10, 15, 0, 123456, tzinfo=UTC)),
        ("last week", None),
        (None, None),
    ],
)
def test_sitemap_w3c_datetimes(text: str | None, expected: datetime | None) -> None:
    assert parse_datetime(text) == expected


def test_a_bare_date_is_midnight_utc_without_a_time_of_day() -> None:
    found = read_document_date("2026-10-14")
    assert found.moment == datetime(2026, 10, 14, tzinfo=UTC) and not found.has_time
    assert read_document_date("2026-10-14T10:15:00+03:00").has_time


def test_the_stated_offset_is_kept_beside_the_utc_moment() -> None:
    found = read_document_date("2026-10-10T10:20:00+03:00")
    assert found.stated == datetime(2026, 10, 10, 10, 20, tzinfo=timezone(timedelta(hours=3)))
    assert found.stated.isoformat() == "2026-10-10T10:20:00+03:00"
    assert found.moment.tzinfo is UTC
    assert read_document_date("2026-10-14T10:15:00").stated.tzinfo is None  # what the page said: no zone


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty date"),
        ("yesterday", "not an absolute date"),
        ("October 2026", "not an absolute date"),  # no day
        ("0001-01-01T00:00:00Z", "implausible year 1"),
        ("2150-01-01", "implausible year 2150"),
    ],
)
def test_nonsense_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(UnreadableDate) as refused:
        read_document_date(text)
    assert refused.value.reason.startswith(reason)
    assert parse_document_date(text) is None


def test_http_dates() -> None:
    assert parse_http_date("Tue, 13 Oct 2026 07:00:00 GMT") == datetime(2026, 10, 13, 7, 0, tzinfo=UTC)
    assert parse_http_date("120") is None
    assert parse_http_date(None) is None
