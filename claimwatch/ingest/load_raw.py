"""Land raw documents in batches: COPY into a staging table, one set-based insert, one commit.

Used by the spiders' item pipeline. Each batch is its own transaction, so a crawl killed half-way keeps
every batch it committed; the natural key ``(source_id, external_id, content_sha256)`` makes re-landing
a no-op, so the re-run adds only what is missing. The cursor moves in the same transaction as the last
batch (:meth:`RawLoader.finish`).

A warehouse that goes away mid-crawl (restart, failover, a terminated backend) does not cost a batch: the
loader reconnects and commits the same batch again, which the natural key makes safe even when the lost
commit had in fact gone through. When the warehouse stays away longer than the reconnect window,
:class:`WarehouseUnavailable` tells the pipeline to stop the crawl and fail the run, so Airflow retries it.
A batch the warehouse refuses for its data (a value PostgreSQL cannot store) is landed row by row and the
refused rows are quarantined with the database's reason: one bad document never costs its batch.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any

import psycopg2
import psycopg2.extensions

from claimwatch.ingest.items import QuarantineItem, RawDocumentItem
from claimwatch.ingest.source_state import advance_cursor
from claimwatch.warehouse import query
from claimwatch.warehouse.connection import CONNECTION_LOST, open_connection
from claimwatch.warehouse.copy import copy_rows

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
        it.original,
        it.body_text,
        it.body_text_version,
    )


class WarehouseUnavailable(RuntimeError):
    """The warehouse could not be reached again within the reconnect window; ``reason`` says what failed last."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class LoadTotals:
    """What a loader has committed so far."""

    offered: int = 0
    new_rows: int = 0
    quarantined: int = 0
    batches: int = 0
    reconnects: int = 0
    refused: int = 0  # documents the warehouse refused for their data, quarantined instead


class RawLoader:
    """Batching writer of ``raw.documents`` and ``ops.quarantine`` for one crawl run."""

    def __init__(
        self,
        dsn: str,
        source_id: str,
        crawl_run_id: int | None,
        batch_size: int = 500,
        reconnect_seconds: float = 0.0,
    ) -> None:
        self.dsn = dsn
        self.source_id = source_id
        self.crawl_run_id = crawl_run_id
        self.batch_size = batch_size
        self.reconnect_seconds = reconnect_seconds
        self.totals = LoadTotals()
        self._documents: list[RawDocumentItem] = []
        self._quarantine: list[QuarantineItem] = []
        self._conn: psycopg2.extensions.connection | None = None
        self._reconnect(time.monotonic() + reconnect_seconds)

    @property
    def pending(self) -> int:
        """Items buffered and not yet committed."""
        return len(self._documents) + len(self._quarantine)

    def _reconnect(self, deadline: float) -> None:
        """(Re)open the loader's connection and its session's staging table, trying until ``deadline``."""
        while True:
            self._drop_connection()
            try:
                conn = open_connection(
                    self.dsn, application_name="claimwatch-load", retry_for=max(deadline - time.monotonic(), 0.0)
                )
                with conn.cursor() as cur:
                    cur.execute(query("raw_stage_create"))
                conn.commit()
            except CONNECTION_LOST as exc:
                if time.monotonic() >= deadline:
                    raise WarehouseUnavailable(f"warehouse unavailable: {_one_line(exc)}") from exc
                time.sleep(0.5)
                continue
            self._conn = conn
            return

    def _drop_connection(self) -> None:
        if self._conn is not None and not self._conn.closed:
            with contextlib.suppress(psycopg2.Error):
                self._conn.close()
        self._conn = None

    def add(self, item: RawDocumentItem | QuarantineItem) -> None:
        """Buffer an item; commit a batch when the buffer is full."""
        if isinstance(item, RawDocumentItem):
            self._documents.append(item)
        else:
            self._quarantine.append(item)
        if len(self._documents) + len(self._quarantine) >= self.batch_size:
            self.flush()

    def flush(self, cursor: dict[str, Any] | None = None) -> int:
        """Commit the buffered batch (and ``cursor``, if given, in the same transaction); return new rows.

        Reconnects and retries the whole batch while the warehouse is unreachable, for up to the reconnect
        window; then raises :class:`WarehouseUnavailable` with the batch still buffered.
        """
        if not self._documents and not self._quarantine and cursor is None:
            return 0
        documents, quarantine = self._documents, self._quarantine
        deadline = time.monotonic() + self.reconnect_seconds
        split = False
        while True:
            try:
                new_rows, quarantined = self._commit(documents, quarantine, cursor)
                break
            except CONNECTION_LOST as exc:
                self._drop_connection()
                if time.monotonic() >= deadline:
                    raise WarehouseUnavailable(f"warehouse unavailable: {_one_line(exc)}") from exc
                log.warning("batch of %d item(s) not committed (%s); reconnecting", self.pending, _one_line(exc))
                self.totals.reconnects += 1
                self._reconnect(deadline)
            except psycopg2.DatabaseError as exc:
                if split or not documents:
                    raise
                split = True
                # Data the warehouse refuses (it names the row only in words): land the rows one by one so the
                # refused ones can be quarantined and the rest land.
                log.warning("batch refused (%s); landing its rows one by one", _one_line(exc))
                documents, quarantine = self._split_refused(documents, quarantine)
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

    def _commit(
        self, documents: list[RawDocumentItem], quarantine: list[QuarantineItem], cursor: dict[str, Any] | None
    ) -> tuple[int, int]:
        """One transaction: the documents, the quarantine rows, the run's counters, the cursor."""
        if self._conn is None:
            raise psycopg2.InterfaceError("no connection")
        started = time.perf_counter()
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
            if not self._conn.closed:
                with contextlib.suppress(*CONNECTION_LOST):
                    self._conn.rollback()
            raise
        return new_rows, quarantined

    def _split_refused(
        self, documents: list[RawDocumentItem], quarantine: list[QuarantineItem]
    ) -> tuple[list[RawDocumentItem], list[QuarantineItem]]:
        """Try each document alone; those the warehouse refuses become quarantine items with its reason."""
        kept: list[RawDocumentItem] = []
        refused: list[QuarantineItem] = []
        for document in documents:
            try:
                self._commit_probe(document)
                kept.append(document)
            except CONNECTION_LOST:
                raise
            except psycopg2.DatabaseError as exc:
                self.totals.refused += 1
                refused.append(
                    QuarantineItem(
                        document.source_id,
                        document.url,
                        f"refused by the warehouse: {_one_line(exc)}",
                        document.http_status,
                        document.original or document.body.encode("utf-8", "surrogatepass"),
                        document.external_id,
                    )
                )
        return kept, [*quarantine, *[_sanitized(q) for q in refused]]

    def _commit_probe(self, document: RawDocumentItem) -> None:
        """Stage one document and roll back: does the warehouse accept its values?"""
        if self._conn is None:
            raise psycopg2.InterfaceError("no connection")
        try:
            with self._conn.cursor() as cur:
                copy_rows(cur, query("raw_stage_copy"), [document_row(document)])
        finally:
            if not self._conn.closed:
                self._conn.rollback()

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
            self._drop_connection()
        return self.totals

    def abort(self) -> None:
        """Commit what is buffered (it is good data) but leave the cursor where it was; close."""
        try:
            self.flush()
        finally:
            self._drop_connection()

    def discard(self) -> int:
        """Give up on the buffered items (the warehouse is gone); close; return how many were dropped."""
        dropped = self.pending
        self._documents, self._quarantine = [], []
        self._drop_connection()
        return dropped


def _one_line(exc: BaseException) -> str:
    """A database error as one short line (psycopg2's messages carry newlines and context)."""
    text = " ".join(str(exc).split())
    return text[:300] or type(exc).__name__


def _sanitized(item: QuarantineItem) -> QuarantineItem:
    """A refused document's quarantine row: its text without NULs (PostgreSQL text cannot hold them)."""
    return QuarantineItem(
        item.source_id,
        item.url.replace("\x00", ""),
        item.reason.replace("\x00", ""),
        item.http_status,
        item.content,
        item.external_id.replace("\x00", "") if item.external_id else None,
    )
