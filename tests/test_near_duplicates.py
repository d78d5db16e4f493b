"""Exact fingerprints and MinHash near-duplicate clustering."""

import hashlib
import json
import re
import zlib
from datetime import datetime, timedelta

import numpy as np
from datasketch import MinHash, MinHashLSH

from claimwatch.text.near_duplicates import (
    _A,
    _B,
    _DEFAULT_BANDS,
    NUM_PERM,
    SCHEME,
    SHINGLE,
    THRESHOLD,
    DuplicateWindow,
    NearDuplicateIndex,
    _band_cuts,
    exact_fingerprint,
    signatures,
)
from claimwatch.text.textnorm import normalize_for_matching
from claimwatch.transform.normalize import BATCH_SIZE
from tests.shared_corpus import SHARED, require_shared

BASE = (
    "حزب الله: مشاهد من عملية استهداف المقاومة الإسلامية بتاريخ 26-05-2026 آلية هامر تابعة لجيش العدو "
    "الإسرائيلي في مدينة بنت جبيل جنوبي لبنان بمحلقة أبابيل الانقضاضية."
)


def test_exact_fingerprint_ignores_spelling_noise_and_emoji() -> None:
    noisy = "🌟\n" + BASE.replace("الإسلامية", "الاسلاميّة").replace("26", "٢٦")
    assert exact_fingerprint(noisy) == exact_fingerprint(BASE)
    assert exact_fingerprint(BASE) != exact_fingerprint(BASE.replace("بنت جبيل", "الخيام"))
    assert len(exact_fingerprint("")) == 64


def test_near_duplicates_join_the_earliest_cluster() -> None:
    idx = NearDuplicateIndex()
    assert idx.add("a", BASE) == "a"
    # A republished copy with a channel signature appended is the same post.
    assert idx.add("b", BASE + " تابعونا على قناة نايا") == "a"
    assert idx.add("c", "ترامب: الولايات المتحدة سترفع الحظر عن إيران بمجرد توقيع الاتفاق.") == "c"
    assert idx.add("d", "🔥 " + BASE) == "a"  # exact duplicate after normalization
    assert idx.cluster_of("b") == "a"
    assert len(idx) == 4


def test_template_communiques_with_another_date_are_different_events() -> None:
    idx = NearDuplicateIndex()
    idx.add("a", BASE)
    other_day = BASE.replace("26-05-2026", "27-05-2026")
    assert idx.add("b", other_day) == "b"


def test_short_and_empty_texts_do_not_crash_or_merge() -> None:
    idx = NearDuplicateIndex()
    assert idx.add("x", "") == "x"
    assert idx.add("y", "😀") == "x"  # both normalize to nothing: exact duplicates
    assert idx.add("z", "الله اكبر") == "z"


def test_re_adding_an_id_returns_its_cluster() -> None:
    idx = NearDuplicateIndex()
    idx.add("a", BASE)
    assert idx.add("a", BASE) == "a"


# --- the vectorized index decides as the per-document datasketch MinHash did ----------------------------------

CHANNEL = SHARED / "channel-posts" / "naya_foriraq.jsonl"


def _reference_minhash(norm: str) -> MinHash:
    """The previous implementation: one datasketch MinHash per document, CRC-32 per shingle."""
    m = MinHash(num_perm=NUM_PERM, hashfunc=lambda s: zlib.crc32(s.encode("utf-8")))
    flat = " ".join(norm.split())
    m.update_batch(list({flat[i : i + SHINGLE] for i in range(max(1, len(flat) - SHINGLE + 1))}))
    return m


def _corpus() -> list[tuple[int, datetime, str, str]]:
    rows = [json.loads(line) for line in require_shared(CHANNEL).read_text(encoding="utf-8").splitlines() if line]
    docs = []
    for i, row in enumerate(rows):
        norm = normalize_for_matching(row.get("text") or "")
        if norm:
            posted = datetime.fromisoformat(row["posted_at"].replace("Z", "+00:00"))
            docs.append((i + 1, posted, norm, fingerprint(norm)))
    return sorted(docs, key=lambda d: (d[1], d[0]))


def fingerprint(norm: str) -> str:
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


class _ReferenceIndex:
    """The previous NearDuplicateIndex, kept as the reference: one datasketch MinHash per document."""

    def __init__(self) -> None:
        self.lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self.exact: dict[str, int] = {}
        self.cluster: dict[int, int] = {}
        self.order: dict[int, int] = {}
        self.numbers: dict[int, frozenset[str]] = {}

    def add(self, doc_id: int, norm: str) -> int:
        fp = fingerprint(norm)
        self.order[doc_id] = len(self.order)
        if fp in self.exact:
            self.cluster[doc_id] = self.cluster[self.exact[fp]]
            return self.cluster[doc_id]
        self.exact[fp] = doc_id
        found = doc_id
        if len(norm) >= 3 * SHINGLE:
            mh = _reference_minhash(norm)
            nums = frozenset(re.findall(r"\d+", norm))
            self.numbers[doc_id] = nums
            hits = [h for h in self.lsh.query(mh) if h in self.cluster and self.numbers.get(h) == nums]
            if hits:
                found = self.cluster[min(hits, key=lambda h: self.order[h])]
            self.lsh.insert(doc_id, mh)
        self.cluster[doc_id] = found
        return found


def _reference_decisions(docs: list[tuple[int, datetime, str, str]], batch_size: int) -> dict[int, int | None]:
    """The previous normalize: per batch a fresh index seeded with every document of the window before it."""
    decided: dict[int, int | None] = {}
    for start in range(0, len(docs), batch_size):
        batch = docs[start : start + batch_size]
        since, until = min(d[1] for d in batch) - timedelta(days=3), max(d[1] for d in batch)
        index = _ReferenceIndex()
        fingerprints: dict[str, int] = {}
        for doc_id, _p, norm, fp in (d for d in docs[:start] if since <= d[1] <= until):
            fingerprints.setdefault(fp, doc_id)
            index.add(doc_id, norm)
        for doc_id, _p, norm, fp in batch:
            original = fingerprints.setdefault(fp, doc_id)
            found = index.add(doc_id, norm)
            decided[doc_id] = original if original != doc_id else (found if found != doc_id else None)
    return decided


def test_signatures_are_datasketchs_minhash_bit_for_bit() -> None:
    texts = [normalize_for_matching(BASE), normalize_for_matching(BASE + " تابعونا"), "x" * 15, "a b c d e f g h i j"]
    ours = signatures(texts)
    for text, row in zip(texts, ours, strict=True):
        assert np.array_equal(row, _reference_minhash(text).hashvalues)


def test_signatures_match_datasketch_on_every_utf8_width_and_short_text() -> None:
    """The vectorized CRC-32 pads windows of 5 to 20 UTF-8 bytes; texts shorter than a shingle are one shingle."""
    texts = ["", "a", "abcd", "abcde", "الله اكبر", "日本語のテキスト", "𝔘𝔫𝔦 😀x😀😀", "a  b\n\nc d e f g h"]
    for text, row in zip(texts, signatures(texts), strict=True):
        assert np.array_equal(row, _reference_minhash(text).hashvalues), text


def test_signatures_match_datasketch_on_the_shared_channel() -> None:
    norms = [d[2] for d in _corpus()]
    ours = signatures(norms)
    for norm, row in zip(norms[::7], ours[::7], strict=True):
        assert np.array_equal(row, _reference_minhash(norm).hashvalues)


def test_permutations_and_bands_are_datasketchs() -> None:
    """Drawn and written down here so that normalize does not import datasketch (~1 s); still datasketch's."""
    a, b = MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations
    assert a.dtype == _A.dtype == b.dtype == _B.dtype == np.uint32
    assert np.array_equal(a, _A) and np.array_equal(b, _B)
    for (threshold, num_perm), (bands, rows) in _DEFAULT_BANDS.items():
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert (lsh.b, lsh.r) == (bands, rows)
        assert _band_cuts(threshold, num_perm) == tuple((4 * s, 4 * e) for s, e in lsh.hashranges)
    # parameters not written down still get datasketch's bands
    assert _band_cuts(0.5, 64) == tuple((4 * s, 4 * e) for s, e in MinHashLSH(threshold=0.5, num_perm=64).hashranges)


def _window_decisions(docs: list[tuple[int, datetime, str, str]], batch_size: int) -> dict[int, int | None]:
    window = DuplicateWindow(timedelta(days=3))
    decided: dict[int, int | None] = {}
    for start in range(0, len(docs), batch_size):
        batch = docs[start : start + batch_size]
        seed_range = window.range_for(batch)
        assert seed_range is not None
        window.seed([d for d in docs[:start] if seed_range[0] <= d[1] <= seed_range[1]], {d[0] for d in batch})
        decided.update((doc_id, of) for doc_id, of, _kind in window.place(batch))
    return decided


def test_the_shared_channel_gets_the_previous_decisions() -> None:
    """The whole channel (7,359 posts with text) through the old per-batch algorithm and the new sliding window,
    in normalize's batches of 2,000: every document points at the same original (or at none) in both."""
    docs = _corpus()
    reference = _reference_decisions(docs, BATCH_SIZE)
    assert sum(1 for of in reference.values() if of is not None) > 1000  # the corpus does have reposts
    assert _window_decisions(docs, BATCH_SIZE) == reference


def test_small_batches_judge_the_same_documents_duplicates() -> None:
    """With batches of 500 the window really slides (several batches per three days): the same documents are
    judged duplicates. Which original a few of them point at may differ (2 of 1,483 on the channel): the old code
    rebuilt each batch's clusters from a window cut at the batch's start, the window keeps the clusters it made."""
    docs = _corpus()
    reference = _reference_decisions(docs, 500)
    decided = _window_decisions(docs, 500)
    assert {d for d, of in decided.items() if of is not None} == {d for d, of in reference.items() if of is not None}
    assert sum(1 for d in reference if reference[d] != decided[d]) <= 0.01 * len(reference)
