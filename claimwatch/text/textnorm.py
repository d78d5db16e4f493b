"""Text normalization for Arabic/Persian/English channel posts.

Two forms are produced and the raw text is never overwritten:

* :func:`clean_text` is the *display* form stored next to the raw text: Unicode NFKC, control characters and
  invisible bidi marks removed, whitespace tidied, but line breaks and emoji kept (analysts read it).
* :func:`normalize_for_matching` is the *matching* form every rule, dictionary, fingerprint and gazetteer runs on:
  the display form with the spelling variation of Arabic script folded away (diacritics, tatweel, alef/hamza
  seats, alef maqsura, taa marbuta, Persian yeh/keheh), Eastern digits turned into ASCII, emoji and flags
  removed and Latin lowercased. Two posts that differ only in how carefully they were typed map to the same
  string, which is what makes dictionary look-ups and duplicate hashing work.

Everything is done with precompiled ``str.translate`` tables and a couple of compiled regexes because the
extractor must handle thousands of posts a second on one core.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = [
    "clean_text",
    "exact_fingerprint",
    "fingerprint_of_normalized",
    "fold_arabic",
    "normalize_for_matching",
    "normalize_with_offsets",
    "restore_line_breaks",
]

# Invisible formatting characters that only steer rendering direction or hide breaks. ZWJ (U+200D) is kept in
# the display form because emoji sequences such as the pirate flag are built with it.
_BIDI_AND_INVISIBLE = [
    0x061C,  # ARABIC LETTER MARK
    0x200B,  # ZERO WIDTH SPACE
    0x200E,  # LRM
    0x200F,  # RLM
    *range(0x202A, 0x202F),  # LRE, RLE, PDF, LRO, RLO
    *range(0x2066, 0x206A),  # LRI, RLI, FSI, PDI
    0x2060,  # WORD JOINER
    0xFEFF,  # BOM / ZWNBSP
    0x00AD,  # SOFT HYPHEN
]

# C0/C1 controls except TAB (kept, turned into a space) and LF/CR (line breaks).
_CONTROLS = [c for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if c not in (0x09, 0x0A, 0x0D)]

_CLEAN_TABLE: dict[int, int | None] = {c: None for c in (*_BIDI_AND_INVISIBLE, *_CONTROLS)}
_CLEAN_TABLE[0x09] = 0x20
_CLEAN_TABLE[0x0D] = 0x0A
_CLEAN_TABLE[0x2028] = 0x0A  # LINE SEPARATOR
_CLEAN_TABLE[0x2029] = 0x0A  # PARAGRAPH SEPARATOR
for _space in (0x00A0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000):
    _CLEAN_TABLE[_space] = 0x20

# Most posts hold none of the characters the table changes: one C-speed scan is far cheaper than translating.
_NEEDS_CLEAN_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_CLEAN_TABLE)) + "]")
_HSPACE_RE = re.compile(r"[ ]{2,}")
# Only the runs that change anything match (a lone space or a bare line break is left alone): same result,
# far fewer replacements.
_SPACE_AROUND_NL_RE = re.compile(r" +\n *|\n +")
_MANY_NL_RE = re.compile(r"\n{3,}")


def clean_text(text: str) -> str:
    """Return the display form: NFKC, no controls or bidi marks, tidy whitespace, line breaks and emoji kept.

    NFKC also maps Arabic presentation forms (ﻻ, ﷲ ...) found in copy-pasted PDFs back to letters.
    """
    if not text:
        return ""
    out = unicodedata.normalize("NFKC", text.replace("\r\n", "\n"))
    if _NEEDS_CLEAN_RE.search(out):
        out = out.translate(_CLEAN_TABLE)
    # Each pattern only runs when the text holds what it needs to match: a substring test is a fast C search, a
    # regex scan of a whole post a few µs, and most posts need none of the three.
    if "  " in out:
        out = _HSPACE_RE.sub(" ", out)
    if " \n" in out or "\n " in out:
        out = _SPACE_AROUND_NL_RE.sub("\n", out)
    if "\n\n\n" in out:
        out = _MANY_NL_RE.sub("\n\n", out)
    return out.strip()


def _build_fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # Harakat, Quranic annotation marks, superscript alef, tatweel: spelling noise for matching purposes.
    for c in (*range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE), 0x0640):
        table[c] = None
    # Alef with hamza above/below, madda, wasla -> bare alef.
    for c in (0x0622, 0x0623, 0x0625, 0x0671, 0x0672, 0x0673, 0x0675):
        table[c] = "\u0627"
    table[0x0624] = "\u0648"  # waw with hamza -> waw
    table[0x0626] = "\u064a"  # yeh with hamza -> yeh
    table[0x0649] = "\u064a"  # alef maqsura -> yeh (writers mix them freely at word end)
    table[0x0629] = "\u0647"  # taa marbuta -> heh (often typed as heh anyway)
    table[0x06C0] = "\u0647"  # heh with yeh above (Persian ezafe)
    table[0x06CC] = "\u064a"  # Persian yeh
    table[0x06D2] = "\u064a"  # yeh barree
    table[0x06A9] = "\u0643"  # keheh -> kaf
    table[0x06AA] = "\u0643"
    table[0x06C1] = "\u0647"  # heh goal
    table[0x06D5] = "\u0647"  # ae
    table[0x0621] = None  # lone hamza carries no matching signal ("جزء"/"جز", "اسراء"/"اسرا")
    for i in range(10):
        table[0x0660 + i] = str(i)  # Arabic-Indic digits
        table[0x06F0 + i] = str(i)  # Extended (Persian/Urdu) digits
    table[0x066B] = "."  # Arabic decimal separator
    table[0x066C] = ","  # Arabic thousands separator
    table[0x060C] = ","  # Arabic comma
    table[0x061B] = ";"  # Arabic semicolon
    table[0x061F] = "?"  # Arabic question mark
    table[0x066A] = "%"
    return table


_FOLD_TABLE = _build_fold_table()


def _build_match_table() -> dict[int, str | None]:
    table: dict[int, str | None] = dict(_FOLD_TABLE)
    # Joiners: ZWNJ splits Persian morphemes (می‌خواهند), ZWJ glues emoji; neither matters for matching.
    table[0x200C] = None
    table[0x200D] = None
    for c in range(ord("A"), ord("Z") + 1):
        table[c] = chr(c + 32)
    # Variation selectors, emoji modifiers and tags are never content.
    for c in (*range(0xFE00, 0xFE10), *range(0x1F3FB, 0x1F400), *range(0xE0000, 0xE0080), 0x20E3):
        table[c] = None
    # Quotation-mark variants fold to plain ASCII ones so patterns need only one form.
    for c in (0x201C, 0x201D, 0x201E, 0x00AB, 0x00BB, 0x2033):
        table[c] = '"'
    for c in (0x2018, 0x2019, 0x201A, 0x2032):
        table[c] = "'"
    table[0x2026] = "..."  # ellipsis (truncated posts)
    for c in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212):
        table[c] = "-"
    return table


_MATCH_TABLE = _build_match_table()

# Emoji, pictographs, dingbats, regional-indicator flags, arrows and other symbols that carry no words.
_EMOJI_RE = re.compile(
    "["
    "\U0001f000-\U0001faff"  # mahjong .. symbols & pictographs extended-A (incl. flags 1F1E6-1F1FF)
    "\u2190-\u21ff"  # arrows
    "\u2300-\u23ff"  # misc technical
    "\u2460-\u24ff"  # enclosed alphanumerics
    "\u25a0-\u27bf"  # geometric shapes, misc symbols, dingbats
    "\u2900-\u297f"
    "\u2b00-\u2bff"
    "\u3030\u303d\u3297\u3299\u00a9\u00ae\u2122"
    "]+"
)
_EMOJI_RANGES = (
    (0x1F000, 0x1FAFF),
    (0x2190, 0x21FF),
    (0x2300, 0x23FF),
    (0x2460, 0x24FF),
    (0x25A0, 0x27BF),
    (0x2900, 0x297F),
    (0x2B00, 0x2BFF),
)


def _build_full_table() -> dict[int, str | None]:
    """Clean + match + emoji removal composed into one table, so the hot path is a single ``translate``."""
    table: dict[int, str | None] = {}
    for lo, hi in _EMOJI_RANGES:
        for c in range(lo, hi + 1):
            table[c] = " "
    for c in (0x3030, 0x303D, 0x3297, 0x3299, 0x00A9, 0x00AE, 0x2122):
        table[c] = " "
    table.update(_MATCH_TABLE)
    for c, code in _CLEAN_TABLE.items():
        table[c] = None if code is None else chr(code).translate(_MATCH_TABLE)
    # Every other character of the scripts and punctuation posts are written in maps to itself: the same output,
    # but ``str.translate`` finds each character instead of missing it (a miss raises and clears a KeyError
    # inside CPython, per character): a third off the hot path's time.
    for lo, hi in ((0x0000, 0x07FF), (0x2000, 0x206F)):
        for c in range(lo, hi + 1):
            table.setdefault(c, chr(c))
    return table


_FULL_TABLE = _build_full_table()
# Equivalent to collapsing every ``[^\S\n]+`` run to one space and every ``\s*\n\s*`` run to one line break,
# but a lone space and a bare line break (the common case) do not match, so they are not replaced one by one.
# The table leaves no whitespace but the space and the line break (every other one becomes one of them or goes:
# tests/test_textnorm.py checks it), so the patterns name those two: literal characters the engine scans for
# twice as fast as ``\s`` classes.
_WS_RE = re.compile(r" {2,}")
_NL_RE = re.compile(r" +\n[ \n]*|\n[ \n]+")


# Line breaks lost where a post's lines were joined without a separator (a scrape that drops <br>, a CSV
# export): "Khan YunisThe IDF", "here.Attached", "release17:02Sirens sounding". Three signs, each rare in prose:
# a lower-case word of three or more letters running into a capitalised word (not "HaNikra", "McDonald",
# "YouTube": two letters or fewer before the capital); a sentence's full stop running into a capital; an
# hour:minute heading glued to the text before or after it (not a time inside a sentence, "at 17:02, sirens").
_GLUED_RE = re.compile(
    r"(?<=[a-z]{3})(?=[A-Z][a-z])"
    r"|(?<=[a-z]{2}[.!?])(?=[A-Z])"
    r"|(?<=[A-Za-z.!?\"\u201d)])(?=\d{1,2}:\d\d(?![\d:])[A-Z\"\u201c])"
    r"|(?<=\d:\d\d)(?<!\d:\d\d:\d\d)(?=[A-Z\"\u201c])"
)


def restore_line_breaks(text: str) -> str:
    """``text`` with a line break put back wherever lines were visibly joined without one (see ``_GLUED_RE``).

    Glued lines make one word of two ("yunisthe", "02sirens"): the place, the weapon and the sentence are then
    missed by every rule and learned feature. Only Latin script shows the signs; a text without one is returned
    as it is, after one scan. Idempotent (a repaired text shows no sign left)."""
    return _GLUED_RE.sub("\n", text) if _GLUE_HINT_RE.search(text) else text


_GLUE_HINT_RE = re.compile(r"[a-z.!?\d][A-Z\"\u201c]")  # a cheap scan: most posts show no sign at all


def fold_arabic(text: str) -> str:
    """Fold Arabic script spelling variants and Eastern digits only (no case change, no emoji removal).

    Used to bring hand-written regex sources into the matching form without touching regex syntax such
    as ``\\S`` or ``\\W`` (which lowercasing would break).
    """
    return text.translate(_FOLD_TABLE)


def normalize_for_matching(text: str) -> str:
    """Return the matching form of ``text`` (see module docstring); line breaks are kept as single ``\\n``.

    Idempotent: ``normalize_for_matching(normalize_for_matching(x)) == normalize_for_matching(x)``.
    """
    if not text:
        return ""
    out = unicodedata.normalize("NFKC", text).translate(_FULL_TABLE)
    if "  " in out:  # what each pattern needs to match, tested first (see clean_text)
        out = _WS_RE.sub(" ", out)
    if " \n" in out or "\n " in out or "\n\n" in out:
        out = _NL_RE.sub("\n", out)
    return out.strip()


def exact_fingerprint(text: str) -> str:
    """SHA-256 (hex) of the matching form: equal for posts that differ only in emoji, diacritics, digits..."""
    return fingerprint_of_normalized(normalize_for_matching(text or ""))


def fingerprint_of_normalized(norm: str) -> str:
    """:func:`exact_fingerprint` of text already in the matching form (saves normalizing it twice)."""
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


_CHAR_CACHE: dict[str, str] = {}


def _norm_char(ch: str) -> str:
    piece = _CHAR_CACHE.get(ch)
    if piece is None:
        piece = unicodedata.normalize("NFKC", ch).translate(_FULL_TABLE)
        if len(_CHAR_CACHE) < 100_000:
            _CHAR_CACHE[ch] = piece
    return piece


_WS_RUN_RE = re.compile(r"\s+")


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Slow path: the matching form plus, for each of its characters, the offset in ``text`` it came from.

    Only used when a span found in the matching form has to be shown in the original text (claim evidence),
    so the per-character work is paid for the posts that carry an operation, not for the whole stream. The
    string can differ from :func:`normalize_for_matching` in rare NFKC compositions across characters;
    callers compare the two and treat the offsets as best-effort.
    """
    cache = _CHAR_CACHE
    pieces = [cache.get(c) or _norm_char(c) for c in text]
    joined = "".join(pieces)
    # Usually one output char per input char; otherwise repeat each source offset once per char it produced.
    src = list(range(len(text))) if len(joined) == len(text) else [i for i, p in enumerate(pieces) for _ in p]
    out: list[str] = []
    offs: list[int] = []
    pos = 0
    n = len(joined)
    for m in _WS_RUN_RE.finditer(joined):
        a, b = m.span()
        out.append(joined[pos:a])
        offs.extend(src[pos:a])
        if a > 0 and b < n:  # leading and trailing whitespace are stripped
            nl = m.group().find("\n")
            out.append("\n" if nl >= 0 else " ")
            offs.append(src[a + nl] if nl >= 0 else src[a])
        pos = b
    out.append(joined[pos:])
    offs.extend(src[pos:])
    return "".join(out), offs
