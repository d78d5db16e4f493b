"""Normalization: display form keeps what readers need, matching form folds what spelling varies."""

from claimwatch.text.textnorm import (
    clean_text,
    fold_arabic,
    normalize_for_matching,
    normalize_with_offsets,
    restore_line_breaks,
)


def test_clean_text_keeps_emoji_and_line_breaks_but_drops_invisible_marks() -> None:
    raw = "\u200f🇱🇧\r\nحزب الله:\u202a  استهداف\x00 موقع\t\n\n\n\nنهاية"
    out = clean_text(raw)
    assert out == "🇱🇧\nحزب الله: استهداف موقع\n\nنهاية"


def test_clean_text_applies_nfkc_to_presentation_forms() -> None:
    assert clean_text("\ufefb") == "لا"  # lam-alef ligature from copy-pasted PDFs


def test_matching_form_folds_arabic_spelling_variants() -> None:
    assert normalize_for_matching("إسرائيلية") == normalize_for_matching("اسرائيليه")
    assert normalize_for_matching("مُسَيَّرَة") == "مسيره"
    assert normalize_for_matching("المسيـــرات") == "المسيرات"  # tatweel
    assert normalize_for_matching("مستشفى") == "مستشفي"  # alef maqsura
    assert normalize_for_matching("آذار أحمد إيران") == "اذار احمد ايران"
    assert normalize_for_matching("مؤتمر") == "موتمر"


def test_matching_form_folds_persian_letters_and_digits() -> None:
    assert normalize_for_matching("کرمانشاه") == "كرمانشاه"  # keheh
    assert normalize_for_matching("ایران") == "ايران"  # Persian yeh
    assert normalize_for_matching("٠٩-٠٥-٢٠٢٦ و ۱۹") == "09-05-2026 و 19"


def test_matching_form_strips_emoji_flags_and_lowercases_latin() -> None:
    assert normalize_for_matching("🇮🇷🏴‍☠️ IRGC Drones 🔥\n\n  سقوط") == "irgc drones\nسقوط"


def test_matching_form_is_idempotent() -> None:
    s = "🌟\nحزبُ اللهِ:  مشاهدٌ من عمليّة… ١١-٠٥-٢٠٢٦"
    once = normalize_for_matching(s)
    assert normalize_for_matching(once) == once


def test_fold_arabic_leaves_regex_syntax_alone() -> None:
    assert fold_arabic(r"\S+أ\W") == r"\S+ا\W"


def test_offsets_point_back_into_the_original_text() -> None:
    text = "🇱🇧 حزبُ الله:\n  استهداف"
    norm, offs = normalize_with_offsets(text)
    assert norm == normalize_for_matching(text)
    assert len(offs) == len(norm)
    k = norm.index("استهداف")
    assert text[offs[k] :].startswith("استهداف")


def test_empty_input() -> None:
    assert clean_text("") == ""
    assert normalize_for_matching("") == ""


def test_lost_line_breaks_are_put_back_where_lines_were_visibly_glued() -> None:
    glued = "00:44The IDF struck in Khan YunisThe forces.Attached is a video: https://bit.ly/3Nx17:18A short while ago"
    assert restore_line_breaks(glued) == (
        "00:44\nThe IDF struck in Khan Yunis\nThe forces.\nAttached is a video: https://bit.ly/3Nx"
        "\n17:18\nA short while ago"
    )
    assert restore_line_breaks(restore_line_breaks(glued)) == restore_line_breaks(glued)


def test_names_times_and_arabic_are_not_split() -> None:
    for text in (
        "Sirens in Rosh HaNikra and McDonald's YouTube channel",  # two letters or fewer before the capital
        "At 17:02, sirens sounded; at 17:00:39Another",  # a time inside a sentence, a time with seconds
        "استهداف موقع 17:02 في الجليل",
    ):
        assert restore_line_breaks(text) == text


def test_the_matching_table_leaves_no_whitespace_but_space_and_line_break() -> None:
    """normalize_for_matching's whitespace patterns name only " " and "\\n": every other whitespace character is
    mapped to one of them or dropped, and no replacement brings another in."""
    import sys

    from claimwatch.text.textnorm import _FULL_TABLE

    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    assert {_FULL_TABLE[ord(c)] for c in spaces} == {" ", "\n", None}
    assert {c for v in _FULL_TABLE.values() if v for c in v if c.isspace()} <= {" ", "\n"}
