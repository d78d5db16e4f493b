"""Duplicate detection: exact duplicates by normalized hash, near-duplicates by MinHash LSH (datasketch).

Channels republish the same communiqué with a different emoji header, a signature line or a corrected word.
``exact_fingerprint`` catches copies that differ only in spelling noise (it hashes the matching form);
``NearDuplicateIndex`` clusters copies that differ by a few words: MinHash over character 5-shingles of the
matching form, LSH at Jaccard threshold 0.8 (a republished post with an extra header or signature line keeps
well above that; unrelated posts of the same channel are far below).

Template communiqués are the trap: Hezbollah's footage posts ("مشاهد من عملية استهداف ... بتاريخ 10-05-2026 ...
في بلدة البيّاضة") differ from each other by a date and a village only and score above 0.8 (on the channel corpus
47 of 140 merged on text alone). Such posts are different events, so a near-duplicate must also carry the same
numbers (dates, tolls, counts) as the document it joins.

Speed: the signatures are computed for a whole batch at once with numpy (:func:`signatures`), bit for bit the
values datasketch's ``MinHash.update_batch`` gives with the same shingle hash (its ``affine32`` scheme: the
MurmurHash3 finalizer, then ``a * h + b`` in uint32), so the LSH makes the same decisions as when every document
built its own ``MinHash`` — at a fraction of the cost (per document, datasketch regenerated its 128 permutations and
ran a Python loop per shingle). The shingles' CRC-32 are computed in numpy too (:func:`_window_crc32s`, zlib's
values), so no Python code runs per shingle. The LSH uses datasketch's bands (``MinHashLSH``'s for the threshold) in
plain dict buckets (:class:`_Bands`): the same candidates without its per-band calls. :class:`DuplicateWindow` carries
the index from one normalize batch to the next, so a document is hashed once per run instead of once per batch.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Hashable, Sequence
from datetime import datetime, timedelta
from functools import cache

import numpy as np

# The fingerprints live with the matching form (no numpy there: normalize imports them before numpy is needed).
from claimwatch.text.textnorm import exact_fingerprint, fingerprint_of_normalized, normalize_for_matching

__all__ = ["DuplicateWindow", "NearDuplicateIndex", "exact_fingerprint", "signatures"]

SHINGLE = 5
NUM_PERM = 128
THRESHOLD = 0.8
SCHEME = "affine32"  # datasketch >= 2's default: bijective permutations, no collision bias on long texts
_NUMBER_RE = re.compile(r"\d+")
# MinHashLSH's (bands, rows) for THRESHOLD and NUM_PERM, written down: datasketch finds them by numeric integration
# (scipy), and importing datasketch at all (scipy, redis, opentelemetry) took ~1 s of every normalize process, a
# tenth of a 100,000-post run. A test checks they are still datasketch's; other parameters ask datasketch.
_DEFAULT_BANDS = {(THRESHOLD, NUM_PERM): (9, 13)}


def _affine32_permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutation parameters ``(a, b)`` for its ``affine32`` scheme (``MinHash._init_permutations``:
    odd ``a``, any ``b``, uint32, drawn from ``RandomState(seed)``), drawn here so that normalize need not import
    datasketch; a test compares them with ``MinHash(num_perm, scheme="affine32").permutations``."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


# datasketch's own permutation parameters (seed 1), drawn once per process instead of once per MinHash.
_A, _B = _affine32_permutations(NUM_PERM)
_CHUNK = 1 << 13  # characters (about as many shingles) per numpy step: a (128 x 8k) uint32 block is 4 MB
# MurmurHash3's 32-bit finalizer, as datasketch applies it before permuting (``minhash._fmix``, private there).
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def _crc32_table() -> np.ndarray:
    """zlib's CRC-32 (reflected, polynomial 0xEDB88320) byte table."""
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0xEDB88320), table >> 1).astype(np.uint32)
    return table


_CRC_TABLE = _crc32_table()


def _crc32_of_zeros() -> np.ndarray:
    """Entry ``n``: the register after ``n`` zero bytes fed from zlib's initial 0xFFFFFFFF. CRC-32 is linear, so
    ``zlib.crc32(m) == raw(m) ^ entry[len(m)] ^ 0xFFFFFFFF`` with ``raw`` the register run from 0, and a register
    run from 0 stays 0 over leading zero bytes: that is what lets :func:`_window_crc32s` left-pad every window."""
    out = np.empty(4 * SHINGLE + 1, dtype=np.uint32)
    reg = np.uint32(0xFFFFFFFF)
    for n in range(len(out)):
        out[n] = reg
        reg = _CRC_TABLE[reg & 0xFF] ^ (reg >> np.uint32(8))
    return out


_CRC_OF_ZEROS = _crc32_of_zeros()


def _window_crc32s(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``zlib.crc32(data[s:e])`` for every window at once: one table step per byte column, windows left-padded
    with zero bytes to the longest one (a shingle is 5 to 20 UTF-8 bytes)."""
    lengths = ends - starts
    width = int(lengths.max()) if len(lengths) else 0
    padded = np.concatenate([np.zeros(width, dtype=np.uint8), data])
    reg = np.zeros(len(starts), dtype=np.uint32)
    eight = np.uint32(8)
    for k in range(width):
        pos = ends + (k - width)  # index into data of column k; before the window's start it is padding
        byte = padded[pos + width]
        byte[pos < starts] = 0
        reg = _CRC_TABLE[(reg ^ byte) & 0xFF] ^ (reg >> eight)
    return reg ^ _CRC_OF_ZEROS[lengths] ^ np.uint32(0xFFFFFFFF)


def _shingle_hashes(flats: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """CRC-32 of each 5-character shingle's UTF-8 bytes, for many texts at once; and each text's shingle count.

    CRC-32 (zlib's) rather than datasketch's default SHA-1: cheaper, and (unlike Python's salted ``hash``) the same
    in every process, so the same documents always cluster the same way. A text shorter than a shingle is one
    shingle. Repeated shingles are hashed again rather than deduplicated: the minimum is the same.
    """
    data = np.frombuffer("".join(flats).encode("utf-8"), dtype=np.uint8)
    # Byte offset of every character (a byte that is not a UTF-8 continuation byte starts one), and the end.
    char_at = np.append(np.flatnonzero((data & 0xC0) != 0x80), len(data))
    chars = np.fromiter((len(f) for f in flats), dtype=np.int64, count=len(flats))
    first = np.cumsum(chars) - chars
    counts = np.maximum(chars - SHINGLE + 1, 1)
    doc = np.repeat(np.arange(len(flats)), counts)
    offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    start = first[doc] + offset
    end = first[doc] + np.minimum(offset + SHINGLE, chars[doc])
    return _window_crc32s(data, char_at[start], char_at[end]), counts


def _fmix32(hv: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    return hv ^ (hv >> s3)


def signatures(norms: Sequence[str]) -> np.ndarray:
    """MinHash signatures (``len(norms)`` x ``NUM_PERM``, uint32) of texts in the matching form.

    Row ``i`` equals ``MinHash(num_perm=NUM_PERM, hashfunc=crc32 of the shingle).update_batch(shingles)``'s
    ``hashvalues``: the same min over the same permuted shingle hashes, computed for many documents per numpy
    call. The permuted block is laid out permutation-major (``NUM_PERM`` x shingles) and kept to a few MB, so
    ``minimum.reduceat`` runs along contiguous rows in cache: about 5x faster than shingle-major.
    """
    out = np.empty((len(norms), NUM_PERM), dtype=np.uint32)
    start = 0
    while start < len(norms):
        # Chunks of whole documents of about _CHUNK characters (a shingle per character).
        stop, size = start, 0
        while stop < len(norms) and (size == 0 or size + len(norms[stop]) <= _CHUNK):
            size += len(norms[stop])
            stop += 1
        hashes, counts = _shingle_hashes([" ".join(n.split()) for n in norms[start:stop]])
        permuted = np.multiply.outer(_A, _fmix32(hashes))
        permuted += _B[:, None]
        out[start:stop] = np.minimum.reduceat(permuted, np.cumsum(counts) - counts, axis=1).T
        start = stop
    return out


@cache
def _band_cuts(threshold: float, num_perm: int) -> tuple[tuple[int, int], ...]:
    """Byte ranges of a uint32 signature row, one per LSH band: datasketch's bands (``MinHashLSH``'s optimal
    number of bands and rows for the threshold, found by numeric integration: worth computing once, and for the
    parameters normalize uses written down in :data:`_DEFAULT_BANDS`, so datasketch is imported only for others)."""
    if (threshold, num_perm) in _DEFAULT_BANDS:
        bands, rows = _DEFAULT_BANDS[threshold, num_perm]
    else:
        from datasketch import MinHashLSH

        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        bands, rows = lsh.b, lsh.r
    return tuple((4 * i * rows, 4 * (i + 1) * rows) for i in range(bands))


class _Bands:
    """MinHash LSH buckets: two documents are candidates when every hash value of one band is equal.

    The bands are datasketch's (:func:`_band_cuts`), so the candidates are the ones ``MinHashLSH.query`` returns;
    the buckets are plain dicts keyed by the band's bytes, cut from the signature row. datasketch's index spends
    ~40 µs a document (a numpy byteswap and a storage-layer call per band, for the insert, the query and the
    removal) — the better part of normalize's budget of 100 µs.
    """

    def __init__(self, threshold: float, num_perm: int) -> None:
        self._cuts = _band_cuts(threshold, num_perm)
        # A bucket is a list: nearly all hold one key, and a one-item list is cheaper to make than a set (a key is
        # inserted once, until it is removed, so it never repeats in a bucket).
        self._tables: list[dict[bytes, list[Hashable]]] = [{} for _ in self._cuts]
        self._keys: dict[Hashable, tuple[bytes, ...]] = {}

    def bands(self, sigs: np.ndarray) -> list[tuple[bytes, ...]]:
        """The band keys of each row of ``sigs`` (``signatures``' uint32 rows): the bytes of its band's columns.

        One numpy call per band for the whole batch (each band's columns viewed as one opaque ``void`` item, whose
        ``tolist`` is its bytes) instead of a ``tobytes`` and nine slices per document."""
        per_band = [
            np.ascontiguousarray(sigs[:, start // 4 : end // 4]).view(f"V{end - start}").ravel().tolist()
            for start, end in self._cuts
        ]
        return list(zip(*per_band, strict=True))

    def query(self, bands: tuple[bytes, ...]) -> set[Hashable]:
        """Keys sharing at least one band with ``bands``."""
        found: set[Hashable] = set()
        for band, table in zip(bands, self._tables, strict=True):
            bucket = table.get(band)
            if bucket:
                found.update(bucket)
        return found

    def insert(self, key: Hashable, bands: tuple[bytes, ...]) -> None:
        self._keys[key] = bands
        for band, table in zip(bands, self._tables, strict=True):
            table.setdefault(band, []).append(key)

    def remove(self, key: Hashable) -> None:
        for band, table in zip(self._keys.pop(key), self._tables, strict=True):
            bucket = table[band]
            bucket.remove(key)
            if not bucket:
                del table[band]


class NearDuplicateIndex:
    """Incremental clustering: each added document joins the cluster of the earliest similar document.

    ``add`` returns the cluster id: the id of the earliest document that is an exact or near duplicate
    (Jaccard of 5-shingles >= ``threshold`` as estimated by MinHash LSH, and the same numbers), or the
    document's own id. "Earliest" is the order documents were added in. ``forget`` drops a document from the
    candidates (a sliding window): the next copy of its text takes its place, as if the index had been rebuilt
    from the documents left; clusters already handed out keep its id.
    """

    def __init__(self, threshold: float = THRESHOLD, num_perm: int = NUM_PERM) -> None:
        if num_perm != NUM_PERM:
            raise ValueError(f"signatures are computed with {NUM_PERM} permutations")
        self._lsh = _Bands(threshold, num_perm)
        self._copies: dict[str, list[Hashable]] = {}  # fingerprint -> documents with that text, first is indexed
        self._fingerprint: dict[Hashable, str] = {}
        self._cluster: dict[Hashable, Hashable] = {}
        self._order: dict[Hashable, int] = {}
        self._numbers: dict[Hashable, frozenset[str]] = {}
        self._bands: dict[Hashable, tuple[bytes, ...]] = {}  # LSH band keys of the documents long enough to have them
        self._added = 0

    def __len__(self) -> int:
        return len(self._cluster)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._order

    def cluster_of(self, doc_id: Hashable) -> Hashable | None:
        """The cluster id a document was put in, or None if it was never added."""
        return self._cluster.get(doc_id)

    def add(self, doc_id: str, text: str) -> str:
        """Index ``text`` under ``doc_id`` and return its cluster id (see the class docstring)."""
        return str(self.add_normalized([(doc_id, normalize_for_matching(text or ""))])[0][0])

    def add_normalized(
        self, docs: Sequence[tuple[Hashable, str]], fingerprints: Sequence[str] | None = None
    ) -> list[tuple[Hashable, Hashable | None]]:
        """Add documents (id, text in the matching form) in order; return each one's cluster id and, for an exact
        copy, the document it copies (else None). ``fingerprints``, when given, are the texts'
        :func:`fingerprint_of_normalized`, already computed by the caller (normalize stores them).

        Same result as calling :meth:`add` once per document, with the MinHash signatures of the whole
        sequence computed in one vectorized pass.
        """
        # Very short texts ("الله اكبر") share too few shingles for a meaningful estimate: exact match only.
        long_ones = [i for i, (_d, norm) in enumerate(docs) if len(norm) >= 3 * SHINGLE]
        # Each text is hashed once: an exact copy (a sixth of the channel's posts, mostly within a batch of their
        # original) has its original's signature.
        texts = list(dict.fromkeys(docs[i][1] for i in long_ones))
        bands_of_text = dict(zip(texts, self._lsh.bands(signatures(texts)), strict=True))
        bands_of = {i: bands_of_text[docs[i][1]] for i in long_ones}
        placed: list[tuple[Hashable, Hashable | None]] = []
        for i, (doc_id, norm) in enumerate(docs):
            if doc_id in self._cluster:
                placed.append((self._cluster[doc_id], None))
                continue
            fp = fingerprint_of_normalized(norm) if fingerprints is None else fingerprints[i]
            self._order[doc_id] = self._added
            self._added += 1
            self._fingerprint[doc_id] = fp
            if i in bands_of:
                self._bands[doc_id] = bands_of[i]
                self._numbers[doc_id] = frozenset(_NUMBER_RE.findall(norm))
            copies = self._copies.setdefault(fp, [])
            copies.append(doc_id)
            if len(copies) > 1:
                cluster = self._cluster[copies[0]]
                self._cluster[doc_id] = cluster
                placed.append((cluster, copies[0]))
                continue
            cluster = doc_id
            if i in bands_of:
                bands = self._bands[doc_id]
                numbers = self._numbers[doc_id]
                hits = [h for h in self._lsh.query(bands) if h in self._cluster and self._numbers.get(h) == numbers]
                if hits:
                    cluster = self._cluster[min(hits, key=lambda h: self._order[h])]
                self._lsh.insert(doc_id, bands)
            self._cluster[doc_id] = cluster
            placed.append((cluster, None))
        return placed

    def forget(self, doc_id: Hashable) -> None:
        """Stop offering ``doc_id`` as a duplicate target (it left the window); unknown ids are ignored."""
        if doc_id not in self._order:
            return
        del self._order[doc_id]
        self._cluster.pop(doc_id, None)
        fp = self._fingerprint.pop(doc_id)
        copies = self._copies[fp]
        indexed = copies[0] == doc_id
        copies.remove(doc_id)
        if indexed and doc_id in self._bands:
            self._lsh.remove(doc_id)
        self._numbers.pop(doc_id, None)
        self._bands.pop(doc_id, None)
        if not copies:
            del self._copies[fp]
        elif indexed and copies[0] in self._bands:
            self._lsh.insert(copies[0], self._bands[copies[0]])  # the next copy stands for the text now


class DuplicateWindow:
    """The duplicate state normalize carries from batch to batch: documents published within ``window``.

    Reposts follow their original within days, so a batch is compared with the documents published from
    ``window`` before its earliest document to its latest one. Before, each batch built a fresh index and
    re-hashed that whole window (three days of a busy channel is several batches' worth); now the window slides:
    documents older than the batch's window are forgotten, documents not yet in it are seeded once.
    Documents without a publication time are compared within their batch only, as before.
    """

    def __init__(self, window: timedelta) -> None:
        self.window = window
        self.index = NearDuplicateIndex()
        self._published: dict[int, datetime | None] = {}
        # What leaves first: the dated documents as a heap by publication time, the undated ones (which leave at
        # the next batch). Sliding pops what fell out instead of scanning the whole window every batch. An entry
        # whose document is gone or was re-added with another time is stale and skipped.
        self._by_time: list[tuple[datetime, int]] = []
        self._undated: list[int] = []

    def range_for(self, batch: Sequence[tuple[int, datetime | None, str, str]]) -> tuple[datetime, datetime] | None:
        """Slide to ``batch`` (doc_id, published_at, text_normalized, exact_fingerprint) and return the
        publication range whose documents must be seeded, or None when the batch has no dated document.

        Every document the window holds that is undated or published before the range leaves it (in another order
        than they came, which changes nothing: :meth:`NearDuplicateIndex.forget` ends in the same state)."""
        dated = [published for _d, published, _n, _f in batch if published is not None]
        since = min(dated) - self.window if dated else None
        leaving, self._undated = self._undated, []
        while self._by_time and (since is None or self._by_time[0][0] < since):
            leaving.append(heapq.heappop(self._by_time)[1])
        for doc_id in leaving:
            if doc_id in self._published:
                published = self._published[doc_id]
                if published is None or since is None or published < since:
                    del self._published[doc_id]
                    self.index.forget(doc_id)
        return (since, max(dated)) if since is not None else None

    def _hold(self, docs: Sequence[tuple[int, datetime | None, str, str]]) -> None:
        """Hold ``docs`` in the window until they fall out of it."""
        for doc_id, published, _n, _f in docs:
            self._published[doc_id] = published
            if published is None:
                self._undated.append(doc_id)
            else:
                heapq.heappush(self._by_time, (published, doc_id))

    def known_ids(self) -> list[int]:
        """The documents the window holds: a seed query need not send them again."""
        return list(self._published)

    def seed(self, docs: Sequence[tuple[int, datetime | None, str, str]], batch_ids: set[int]) -> None:
        """Add earlier documents (same tuples as the batch) that are not in the window yet."""
        fresh = [d for d in docs if d[0] not in self._published and d[0] not in batch_ids]
        self._hold(fresh)
        self.index.add_normalized([(doc_id, norm) for doc_id, _p, norm, _f in fresh])

    def place(self, batch: Sequence[tuple[int, datetime | None, str, str]]) -> list[tuple[int, int | None, str]]:
        """Place each batch document (in order): (doc_id, the document it duplicates or None, "exact" | "near" |
        ""). Each tuple's ``exact_fingerprint`` is taken as its text's (:func:`fingerprint_of_normalized`, as
        normalize computed it) instead of hashing the text again."""
        self._hold(batch)
        placed: list[tuple[int, int | None, str]] = []
        found = self.index.add_normalized([(d[0], d[2]) for d in batch], [d[3] for d in batch])
        for (doc_id, _p, _n, _f), (cluster, copy_of) in zip(batch, found, strict=True):
            if copy_of is not None:
                placed.append((doc_id, int(copy_of), "exact"))  # type: ignore[call-overload]
            elif cluster != doc_id:
                placed.append((doc_id, int(cluster), "near"))  # type: ignore[call-overload]
            else:
                placed.append((doc_id, None, ""))
        return placed
