"""Build ``core.documents`` from landed raw versions: clean text, UTC times, language, duplicates.

Runs in the warehouse's rhythm, not the crawler's: it re-reads ``raw.documents`` (the HTML as fetched),
so improving the normalizer and bumping :data:`NORMALIZER_VERSION` rebuilds history without crawling.
Rows are upserted on their natural key, so running it twice changes nothing.

A Telegram post's text is read from its widget HTML once, by the crawl, and landed beside it (``body_text``,
migration 012); normalize takes that text while the reader that produced it is the running one
(``TEXT_VERSION``) and parses the HTML otherwise, with the same result either way.
"""

from __future__ import annotations

import gc
import io
import logging
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import psycopg2
import psycopg2.extras

from claimwatch.parse import UnusableInput
from claimwatch.parse.dates import parse_document_date
from claimwatch.parse.telegram_preview import TEXT_VERSION, parse_message_html
from claimwatch.text.textnorm import clean_text, fingerprint_of_normalized, normalize_for_matching
from claimwatch.warehouse import connect, query
from claimwatch.warehouse.copy import field, lines_buffer, quoted

# Language detection and the duplicate index are built on numpy (~0.2 s to import): normalize_documents imports
# them once the candidate query is running, so the import overlaps the server's wait before the first row instead of
# adding to the process's start. (A test checks that importing this module does not import numpy.)
if TYPE_CHECKING:
    from claimwatch.text.near_duplicates import DuplicateWindow

log = logging.getLogger(__name__)

NORMALIZER_VERSION = "norm-1"
BATCH_SIZE = 2000
NEAR_DUP_WINDOW = timedelta(days=3)
# Allocations between two young-generation collections while normalizing (Python's default: 700). See
# _fewer_collections.
GC_THRESHOLD = 50_000
# Seconds a thread may hold the GIL while another waits for it (Python's default: 5 ms). See _prompt_handoffs.
SWITCH_INTERVAL = 0.0005


@dataclass
class CoreDocument:
    """One ``core.documents`` row (column order of ``core_documents_stage_copy.sql``)."""

    source_id: str
    external_id: str
    raw_document_id: int
    doc_type: str
    url: str
    canonical_url: str | None
    published_at: datetime | None
    fetched_at: datetime
    title: str | None
    author: str | None
    text: str
    text_normalized: str
    language: str | None
    views: int | None
    forwarded_from: str | None
    edited: bool
    versions: int
    exact_fingerprint: str
    normalizer_version: str = NORMALIZER_VERSION

    def row(self) -> tuple[Any, ...]:
        """The COPY row, one C call (``dataclasses.astuple`` deep-copies every field: ~25 µs a document for
        nothing; a ``getattr`` per field in Python, ~2 µs)."""
        return _ROW(self)

    def csv_line(self) -> str:
        """The COPY row as the line :func:`~claimwatch.warehouse.copy.csv_buffer` writes for :meth:`row`, in one
        f-string: the fields whose type is fixed by how the document is built (text columns, ids, counts) are quoted
        directly, the others (nullable, or read from ``meta``) go through the general :func:`field`. About 4 µs a
        document less than a general call per field, ~16 µs (a test compares both on every kind of field)."""
        q, f = quoted, field
        return (
            f'{q(self.source_id)},{q(self.external_id)},"{self.raw_document_id}",{q(self.doc_type)},{q(self.url)},'
            f"{f(self.canonical_url)},{f(self.published_at)},{f(self.fetched_at)},{f(self.title)},{f(self.author)},"
            f"{q(self.text)},{q(self.text_normalized)},{f(self.language)},{f(self.views)},{f(self.forwarded_from)},"
            f'{f(self.edited)},"{self.versions}",{q(self.exact_fingerprint)},{q(self.normalizer_version)}\n'
        )


_ROW = attrgetter(*(f.name for f in fields(CoreDocument)))


class NotNormalizable(UnusableInput):
    """A raw version that yields no document (unreadable message, page with no article)."""


def _telegram(row: dict[str, Any]) -> CoreDocument:
    meta = row["meta"] or {}
    if row.get("body_text") is not None:
        # Read by the crawl from this very body with this very reader: what parse_message_html would return. The
        # spider put the same post's views, forwarded-from and edited flag in meta, and its date in published_at.
        return _document(
            row,
            "telegram_post",
            clean_text(row["body_text"]),
            published_at=row["published_at"],
            views=meta.get("views"),
            forwarded_from=meta.get("forwarded_from"),
            edited=meta.get("edited", False),
        )
    post = parse_message_html(row["body"])
    if post is None:
        raise NotNormalizable("message widget could not be parsed")
    text = clean_text(post.text)
    return _document(
        row,
        "telegram_post",
        text,
        published_at=post.posted_at or row["published_at"],
        views=meta.get("views", post.views),
        forwarded_from=post.forwarded_from,
        edited=post.edited,
    )


def _article(row: dict[str, Any]) -> CoreDocument:
    from claimwatch.parse.articles import ArticleExtractionError, extract_article

    try:
        article = extract_article(row["body"], url=row["url"], content_type=row["content_type"])
    except ArticleExtractionError as exc:
        raise NotNormalizable(str(exc)) from exc
    published = _parse_time(article.published_at) or row["published_at"]
    return _document(
        row,
        "article",
        clean_text(article.body),
        published_at=published,
        title=article.title,
        author=article.author,
        canonical_url=article.canonical_url,
        language=article.language,
    )


def _parse_time(value: str | None) -> datetime | None:
    """The article's own publication time, read like every document date (``parse.dates``), when it states its
    zone; a date or time without one is not an instant here: the crawl's ``published_at`` stays."""
    found = parse_document_date(value)
    return found.moment if found is not None and found.stated.tzinfo is not None else None


def _document(
    row: dict[str, Any],
    doc_type: str,
    text: str,
    *,
    published_at: datetime | None,
    language: str | None = None,
    **extra: Any,
) -> CoreDocument:
    normalized = normalize_for_matching(text)
    return CoreDocument(
        source_id=row["source_id"],
        external_id=row["external_id"],
        raw_document_id=row["raw_document_id"],
        doc_type=doc_type,
        url=row["url"],
        canonical_url=extra.get("canonical_url"),
        published_at=published_at,
        fetched_at=row["fetched_at"],
        title=clean_text(extra["title"]) if extra.get("title") else None,
        author=extra.get("author"),
        text=text,
        text_normalized=normalized,
        language=language,  # the page's; build_documents detects the others
        views=extra.get("views"),
        forwarded_from=extra.get("forwarded_from"),
        edited=bool(extra.get("edited", False)),
        versions=int(row["versions"]),
        exact_fingerprint=fingerprint_of_normalized(normalized),
    )


def build_documents(
    rows: Sequence[dict[str, Any]],
) -> tuple[list[CoreDocument], list[tuple[dict[str, Any], NotNormalizable]]]:
    """Turn candidate raw rows (see ``normalize_candidates.sql``) into core documents; also return the rows that
    yield none, each with the reason.

    A document's language is the one its page declares, else the one its text is written in: those are detected
    for the whole batch at once (:func:`detect_languages` counts every text's letters in one numpy pass).
    """
    from claimwatch.text.language import detect_languages

    docs: list[CoreDocument] = []
    failed: list[tuple[dict[str, Any], NotNormalizable]] = []
    for row in rows:
        try:
            docs.append(_telegram(row) if row["source_kind"] == "telegram" else _article(row))
        except NotNormalizable as exc:
            failed.append((row, exc))
    undeclared = [d for d in docs if not d.language]
    for doc, language in zip(undeclared, detect_languages([d.text for d in undeclared]), strict=True):
        doc.language = language
    return docs, failed


def _candidates(conn: Any, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """The candidate rows in batches, as plain dicts (a ``RealDictCursor`` row costs several times more)."""
    with conn.cursor(name="normalize_candidates") as cur:
        cur.itersize = BATCH_SIZE
        cur.execute(query("normalize_candidates"), params)
        names: list[str] | None = None
        while rows := cur.fetchmany(BATCH_SIZE):
            names = names or [column.name for column in cur.description]
            yield [dict(zip(names, r, strict=True)) for r in rows]


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the block with the cyclic garbage collector triggered every :data:`GC_THRESHOLD` allocations.

    Normalize keeps thousands of container objects alive for a while (a batch's rows and documents, the duplicate
    window's band keys and buckets): at the default threshold the collector ran ~780 times on 20,000 posts and kept
    promoting them, and its six full passes over every object of the process cost ~50 ms each, 15-20% of the run's
    CPU time in all. Every object normalize makes is freed by reference counting; the collector only has cycles to
    find, and still runs, a few times a run. The process's thresholds are restored afterwards.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@contextmanager
def _prompt_handoffs() -> Iterator[None]:
    """Run the block with the GIL handed over after :data:`SWITCH_INTERVAL` instead of Python's 5 ms.

    The reader and the writer threads hardly use the GIL, but they need it after every trip to the server (a batch
    is five of them: store, upsert, seed query, events, commit), and the building thread, busy in Python, only lets
    go of it when the interval is up. At 5 ms a batch's trips waited up to ~25 ms for the GIL, on the writer's
    path, which is as long as the building thread's: on 100,000 posts 0.5 ms made the run ~5% shorter on the
    wall (its CPU time a little longer). The process's interval is restored afterwards.
    """
    interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def normalize_documents(dsn: str, source_id: str) -> dict[str, int]:
    """Normalize the raw versions of ``source_id`` landed since the last completed run; return counts.

    The watermark (``ops.transform_watermarks``) moves only when the run completed, so a run that died is redone
    from the same point (the upsert makes that harmless). Raw rows that could not be normalized are logged and
    counted once, by the run that met them, not again by every later run; bumping :data:`NORMALIZER_VERSION`
    starts from zero and retries them.
    """
    counts = {"documents": 0, "failed": 0, "exact_duplicates": 0, "near_duplicates": 0}
    params: dict[str, Any] = {
        "source_id": source_id,
        "normalizer_version": NORMALIZER_VERSION,
        "text_version": TEXT_VERSION,
    }
    with _fewer_collections(), _prompt_handoffs(), connect(dsn) as reader, connect(dsn) as writer:
        with reader.cursor() as cur:
            # The candidate query is planned over raw.documents' statistics, which autovacuum may or may not have
            # gathered by the time a crawl's normalize starts: with them, a large first run's estimate passes
            # jit_above_cost and the server compiles the query before its first row (0.7 s of JIT on 100,000 posts,
            # the first batch 0.3 s later than without), for a query that runs once. Off, the timing of autovacuum
            # no longer decides that.
            cur.execute("SET jit = off")
        with writer.cursor() as cur:
            cur.execute(query("core_documents_stage_create"))
            cur.execute(query("normalize_watermark_get"), params)
            params["after"], params["upto"] = cur.fetchone()
        # Three threads: one reads batch k+2 (the candidate query), this one does every piece of Python work (build
        # batch k+1, its COPY text, place batch k's duplicates), the writer only talks to the server. A batch is one
        # transaction, in two trips of the writer: store it (COPY, upsert, seed query), then, once this thread has
        # placed its duplicates, finish it (near_dup_of, events, commit) and store the next in the same trip. So
        # the server's work on batch k hides behind building batch k+1, and the writer never holds the GIL for long:
        # before, it formatted the COPY text and placed the duplicates itself, between its waits, so the Python work
        # of the two threads took turns instead of overlapping the server's.
        with (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="normalize-read") as reads,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="normalize-write") as writes,
        ):
            batches = _candidates(reader, params)
            upcoming = reads.submit(next, batches, None)
            # imported and made while the server runs the candidate query (see the imports at the top)
            from claimwatch.text.language import detect_languages  # noqa: F401 (imported now, used by build_documents)
            from claimwatch.text.near_duplicates import DuplicateWindow

            window = DuplicateWindow(NEAR_DUP_WINDOW)
            stored: Future[_Stored] | None = None
            while (rows := upcoming.result()) is not None:
                upcoming = reads.submit(next, batches, None)
                docs, failed = build_documents(rows)
                for row, exc in failed:
                    counts["failed"] += 1
                    log.warning("%s/%s not normalized: %s", source_id, row["external_id"], exc)
                if not docs:
                    continue
                copy_text = lines_buffer(d.csv_line() for d in docs)
                if stored is None:
                    stored = writes.submit(_store_batch, writer, copy_text, docs, window)
                else:
                    placed = _place_batch(stored.result(), window, counts)
                    stored = writes.submit(_finish_and_store, writer, placed, copy_text, docs, window)
            if stored is not None:
                writes.submit(_finish_batch, writer, _place_batch(stored.result(), window, counts)).result()
        with writer.cursor() as cur:
            cur.execute(query("normalize_watermark_set"), params)
        writer.commit()
    log.info("normalized %s: %s", source_id, counts)
    return counts


@dataclass
class _Stored:
    """A batch upserted in the writer's open transaction, and what placing its duplicates needs."""

    doc_ids: list[int]
    near_dup_of: dict[int, int | None]  # as the documents hold it now (a document normalized again keeps its own)
    batch: list[tuple[int, datetime | None, str, str]]  # the window's tuples, in publication order
    seeded: list[tuple[int, datetime | None, str, str]] | None  # earlier documents the window did not hold


@dataclass
class _Placed:
    """A batch's duplicates, placed: what finishing its transaction writes."""

    doc_ids: list[int]
    changed: list[tuple[int, int | None]]  # (doc_id, near_dup_of) where that differs from the stored value


def _store_batch(writer: Any, copy_text: io.StringIO, docs: list[CoreDocument], window: DuplicateWindow) -> _Stored:
    """COPY and upsert one batch, slide the window to it and read the documents it must be seeded with (the writer's
    thread; the transaction stays open until :func:`_finish_batch`)."""
    with writer.cursor() as cur:
        cur.copy_expert(query("core_documents_stage_copy"), copy_text)
        cur.execute(query("core_documents_upsert"))
        ids: dict[str, int] = {}
        near_dup_of: dict[int, int | None] = {}
        for doc_id, external_id, of in cur.fetchall():
            ids[external_id] = doc_id
            near_dup_of[doc_id] = of
        batch = [
            (doc_id, d.published_at, d.text_normalized, d.exact_fingerprint)
            for doc_id, d in sorted(
                ((ids[d.external_id], d) for d in docs if d.text_normalized),
                key=lambda u: (u[1].published_at is None, u[1].published_at, u[0]),
            )
        ]
        seeded = None
        seed_range = window.range_for(batch) if batch else None
        if seed_range is not None:
            known = [*window.known_ids(), *(d[0] for d in batch)]
            cur.execute(query("near_dup_seed"), {"since": seed_range[0], "until": seed_range[1], "known": known})
            seeded = cur.fetchall()
    return _Stored(list(ids.values()), near_dup_of, batch, seeded)


def _place_batch(stored: _Stored, window: DuplicateWindow, counts: dict[str, int]) -> _Placed:
    """Point each document of a stored batch at the earliest earlier document with the same or nearly the same text
    (this thread: it is Python work); count them.

    ``window`` holds the documents of the previous batches that are still within reach; only documents it does
    not hold yet (nor the batch's own) were read (``near_dup_seed``) and are hashed. Only the documents whose
    ``near_dup_of`` changes are sent back: ``near_dup_set`` would skip the others anyway.
    """
    counts["documents"] += len(stored.doc_ids)
    if not stored.batch:
        return _Placed(stored.doc_ids, [])
    if stored.seeded is not None:
        window.seed(stored.seeded, {d[0] for d in stored.batch})
    changed: list[tuple[int, int | None]] = []
    for doc_id, of, kind in window.place(stored.batch):
        if kind == "exact":
            counts["exact_duplicates"] += 1
        elif kind == "near":
            counts["near_duplicates"] += 1
        if of != stored.near_dup_of[doc_id]:
            changed.append((doc_id, of))
    return _Placed(stored.doc_ids, changed)


def _finish_batch(writer: Any, placed: _Placed) -> None:
    """Write a batch's ``near_dup_of``, mark the events of documents that had rows, and commit the batch."""
    with writer.cursor() as cur:
        if placed.changed:
            psycopg2.extras.execute_values(cur, query("near_dup_set"), placed.changed, page_size=1000)
        # a document normalized again may keep its rows (same text) while its url, time or original changed: the
        # events of those rows are refreshed, and their marts rows with them, by the next events step
        cur.execute(query("events_touch_documents"), {"doc_ids": placed.doc_ids})
    writer.commit()


def _finish_and_store(
    writer: Any, placed: _Placed, copy_text: io.StringIO, docs: list[CoreDocument], window: DuplicateWindow
) -> _Stored:
    """Finish the previous batch and store the next: one trip of the writer's thread."""
    _finish_batch(writer, placed)
    return _store_batch(writer, copy_text, docs, window)


def prune_raw_payloads(dsn: str, source_id: str) -> int:
    """Apply the source's retention (``raw_retention_days`` in the registry) to its raw bodies; return rows pruned.

    Runs as the warehouse function ``raw.prune_payloads`` (migration 010), the one change to ``raw`` the loader
    role may make: bodies of versions normalized before the retention period are blanked, rows and hashes stay.
    """
    with connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(query("raw_prune_payloads"), {"source_id": source_id})
        pruned = int(cur.fetchone()[0])
        conn.commit()
    if pruned:
        log.info("retention: blanked %d raw bodies of %s", pruned, source_id)
    return pruned
