"""Exact fingerprints and MinHash near-duplicate clustering."""

from claimwatch.text.near_duplicates import NearDuplicateIndex, exact_fingerprint

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
