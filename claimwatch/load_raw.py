"""Land raw documents in batches: COPY into a staging table, one set-based insert, one commit.

Used by the spiders' item pipeline. Each batch is its own transaction, so a crawl killed half-way keeps
every batch it committed; the natural key ``(source_id, external_id, content_sha256)`` makes re-landing
a no-op, so the re-run adds only what is missing. The cursor moves in the same transaction as the last
batch (:meth:`RawLoader.finish`).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any

import psycopg2
import psycopg2.extensions

from claimwatch.source_state import advance_cursor
from claimwatch.warehouse import query
from claimwatch.warehouse.copy import copy_rows
from spiders.items import QuarantineItem, RawDocumentItem

log = logging.getLogger(__name__)


def document_row(it: RawDocumentItem) -> tuple[Any, ...]:
    """An item in the column order of ``raw_stage_copy.sql``."""
    return (
        it.source_id,
        it.external_id,
        it.content_sha256,
        it.url,
        it.fetched_at,
        it.http_status,
        it.content_type,
        it.body,
        it.published_at,
        it.meta,
    )


@dataclass
class LoadTotals:
    """What a loader has committed so far."""

    offered: int = 0
    new_rows: int = 0
    quarantined: int = 0
    batches: int = 0


class RawLoader:
    """Batching writer of ``raw.documents`` and ``ops.quarantine`` for one crawl run."""

    def __init__(self, dsn: str, source_id: str, crawl_run_id: int | None, batch_size: int = 500) -> None:
        self.source_id = source_id
        self.crawl_run_id = crawl_run_id
        self.batch_size = batch_size
        self.totals = LoadTotals()
        self._documents: list[RawDocumentItem] = []
        self._quarantine: list[QuarantineItem] = []
        self._conn: psycopg2.extensions.connection = psycopg2.connect(dsn, application_name="claimwatch-load")
        with self._conn.cursor() as cur:
            cur.execute(query("raw_stage_create"))
        self._conn.commit()

    def add(self, item: RawDocumentItem | QuarantineItem) -> None:
        """Buffer an item; commit a batch when the buffer is full."""
        if isinstance(item, RawDocumentItem):
            self._documents.append(item)
        else:
            self._quarantine.append(item)
        if len(self._documents) + len(self._quarantine) >= self.batch_size:
            self.flush()

    def flush(self, cursor: dict[str, Any] | None = None) -> int:
        """Commit the buffered batch (and ``cursor``, if given, in the same transaction); return new rows."""
        if not self._documents and not self._quarantine and cursor is None:
            return 0
        started = time.perf_counter()
        documents, quarantine = self._documents, self._quarantine
        try:
            with self._conn.cursor() as cur:
                new_rows = self._insert_documents(cur, documents) if documents else 0
                quarantined = self._insert_quarantine(cur, quarantine)
                cur.execute(
                    query("crawl_run_add_counts"),
                    {"crawl_run_id": self.crawl_run_id, "new_rows": new_rows, "quarantined": quarantined},
                )
                if documents:
                    cur.execute(
                        query("load_record"),
                        {
                            "crawl_run_id": self.crawl_run_id,
                            "target_table": "raw.documents",
                            "rows_in": len(documents),
                            "rows_new": new_rows,
                            "duration_s": time.perf_counter() - started,
                        },
                    )
                if cursor is not None:
                    advance_cursor(cur, self.source_id, cursor, self.crawl_run_id)
            self._conn.commit()
        except BaseException:
            self._conn.rollback()
            raise
        self._documents, self._quarantine = [], []
        self.totals.offered += len(documents)
        self.totals.new_rows += new_rows
        self.totals.quarantined += quarantined
        self.totals.batches += 1
        log.info(
            "landed batch: %d documents offered, %d new, %d quarantined%s",
            len(documents),
            new_rows,
            quarantined,
            f", cursor -> {cursor}" if cursor is not None else "",
        )
        return new_rows

    def _insert_documents(self, cur: psycopg2.extensions.cursor, documents: list[RawDocumentItem]) -> int:
        copy_rows(cur, query("raw_stage_copy"), (document_row(d) for d in documents))
        cur.execute(query("raw_documents_insert"), {"crawl_run_id": self.crawl_run_id})
        return int(cur.rowcount)

    def _insert_quarantine(self, cur: psycopg2.extensions.cursor, items: list[QuarantineItem]) -> int:
        added = 0
        for q in items:
            cur.execute(
                query("quarantine_insert"),
                {
                    "source_id": q.source_id,
                    "crawl_run_id": self.crawl_run_id,
                    "url": q.url,
                    "external_id": q.external_id,
                    "http_status": q.http_status,
                    "reason": q.reason,
                    "content": psycopg2.Binary(q.content) if q.content is not None else None,
                    "content_sha256": hashlib.sha256(q.content).hexdigest() if q.content is not None else None,
                },
            )
            added += cur.rowcount
        return added

    def finish(self, cursor: dict[str, Any] | None) -> LoadTotals:
        """Commit what is buffered, moving the cursor in that same transaction when given; close."""
        try:
            self.flush(cursor)
        finally:
            self._conn.close()
        return self.totals

    def abort(self) -> None:
        """Commit what is buffered (it is good data) but leave the cursor where it was; close."""
        try:
            self.flush()
        finally:
            self._conn.close()
