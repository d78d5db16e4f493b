"""normalize's COPY line for a ``core.documents`` row is the line the general CSV writer makes of the same row."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from claimwatch.transform.normalize import CoreDocument
from claimwatch.warehouse.copy import csv_buffer

_POST = CoreDocument(
    source_id="chan",
    external_id="12",
    raw_document_id=345,
    doc_type="telegram_post",
    url="https://t.me/chan/12",
    canonical_url=None,
    published_at=datetime(2026, 6, 1, 10, 0, tzinfo=UTC),
    fetched_at=datetime(2026, 6, 2, 3, 4, 5, 678901, tzinfo=UTC),
    title=None,
    author=None,
    text='قال "المصدر":\nخبر',
    text_normalized="قال المصدر خبر",
    language="ar",
    views=1200,
    forwarded_from=None,
    edited=False,
    versions=1,
    exact_fingerprint="ab12",
)


@pytest.mark.parametrize(
    "doc",
    [
        _POST,
        replace(_POST, text="", text_normalized="", language=None, views=None, published_at=None),
        replace(
            _POST,
            doc_type="article",
            canonical_url='https://example.org/a?q="x"',
            title='"Title", with a comma',
            author="",
            forwarded_from="other_chan",
            edited=True,
            versions=3,
            published_at=datetime(2026, 6, 1, 12, 30, tzinfo=timezone(timedelta(hours=3))),
        ),
    ],
    ids=["post", "empty and unknown", "article, every field"],
)
def test_normalize_copy_line_is_the_general_csv_line(doc: CoreDocument) -> None:
    assert doc.csv_line() == csv_buffer([doc.row()]).getvalue()
