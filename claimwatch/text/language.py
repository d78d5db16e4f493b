"""Fast, dependency-free language identification for routing documents through the pipeline.

The pipeline needs to tell Arabic communiqués from Persian, Hebrew and English reporting, and to label the odd
European-language article; it does not need a 170-language model. So: count letters per script (one pass),
split the Arabic script into Arabic / Persian / Urdu by the letters and function words only those languages use,
and tell Latin- and Cyrillic-script languages apart by how many of the text's words are their commonest function
words. Returns an ISO 639-1 code, or ``None`` when the text is too short or matches no profile well enough
(better unknown than wrong: callers fall back to the page's declared ``lang``).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import cache

import numpy as np
import regex

_WORD_RE = regex.compile(r"[\p{L}\p{M}]+")  # marks too: harakat must not split Arabic words
_MIN_LETTERS = 8
_MAX_CHARS = 20_000  # the first pages of a document are plenty, and keep the cost bounded


# Letters Persian writes and Arabic does not (peh, tcheh, jeh, gaf, keheh, farsi yeh). Iraqi and Gulf Arabic
# borrow چ and گ for dialect words, so those count only alongside the orthographic tells ک and ی.
def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


_PERSIAN_ONLY = set("پژکی")
_PERSIAN_SHARED_WITH_DIALECT = set("چگ")
_ARABIC_ONLY = set("كيةىأإؤ")  # Arabic kaf/yeh/teh marbuta/alef maqsura, hamza carriers rare in Persian
_URDU_ONLY = set("ٹڈڑںےہ")  # retroflexes, noon ghunna, bari yeh, heh goal

_ARABIC_WORDS = _words("في من على إلى الى أن ان التي الذي عن مع هذا هذه قد كان ما لا")
_PERSIAN_WORDS = _words("است و در به از که را این با برای می آن یک شده بود شد هم تا")
_URDU_WORDS = _words("کے کی ہے میں اور کو سے نے پر یہ")
# One look-up per word instead of a sum over each list (no word is in two lists).
_FUNCTION_WORD_LANGUAGE = {
    word: language for language, words in (("ar", _ARABIC_WORDS), ("fa", _PERSIAN_WORDS), ("ur", _URDU_WORDS))
    for word in words
}  # fmt: skip

_LATIN_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words("the of and to in is that for it was on with as by at from this are be have has an"),
    "fr": _words("le la les de des et est une un du dans que qui pour sur pas au avec ce il elle sont"),
    "de": _words("der die das und ist nicht ein eine zu den von mit sich des auf für dem im auch es"),
    "es": _words("el la los las de y en que es por un una con para del se al lo como más su"),
    "pt": _words("o a os as de e em que é um uma do da dos das para com não por se no na ao"),
    "it": _words("il la le di e che è un una per del della non con sono gli nel alla si lo"),
    "nl": _words("de het een en van is dat op te in niet zijn voor met die er ook aan"),
    "tr": _words("ve bir bu da de için ile olarak çok daha gibi ama olan en ne mi"),
    "id": _words("yang dan di dengan untuk dari ini itu dalam tidak akan pada juga ke"),
    "pl": _words("i w na z do nie się jest że to o jak po przez za od"),
    "sv": _words("och att det som en på är av för med till den har inte om ett"),
}
_CYRILLIC_STOPWORDS: dict[str, frozenset[str]] = {
    "ru": _words("и в не на что с по как это он она к из за то от для был также"),
    "bg": _words("и в на не да се от за с е по че са като това които"),
}


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the dominant language of ``text``, or None if unsure.

    Script decides first (Arabic block, Hebrew, Cyrillic, Greek, CJK, ...); within the Arabic and Latin scripts
    a language-specific profile decides.
    """
    return detect_languages([text])[0]


def detect_languages(texts: Sequence[str]) -> list[str | None]:
    """:func:`detect_language` of each text; the letters of all of them are counted at once (:func:`_letter_counts`),
    so a batch of posts costs a fraction of detecting them one by one."""
    samples = [text[:_MAX_CHARS] if text else "" for text in texts]
    scripts, arabic = _letter_counts(samples)
    return [_language(*counted) for counted in zip(samples, scripts.tolist(), arabic.tolist(), strict=True)]


def _language(sample: str, scripts: list[int], arabic: list[int]) -> str | None:
    """The decision for one text, from its letters per script (:data:`_SCRIPTS`) and Arabic-block classes."""
    if sum(scripts) < _MIN_LETTERS:
        return None
    count = max(scripts)
    tied = [i for i, n in enumerate(scripts) if n == count]
    script = _SCRIPTS[tied[0] if len(tied) == 1 else _written_first(sample, tied)]
    if script == "arabic":
        return _arabic_script_language(sample, arabic)
    if script == "latin":
        return _by_stopwords(sample, _LATIN_STOPWORDS)
    if script == "cyrillic":
        # і ї є ґ are Ukrainian letters Russian never uses; the rest share most function words.
        if sum(sample.count(c) for c in "іїєґІЇЄҐ") * 100 > count:
            return "uk"
        return _by_stopwords(sample, _CYRILLIC_STOPWORDS) or "ru"
    if script == "han":
        # Japanese mixes kanji with kana; any real share of kana means Japanese, not Chinese.
        return "ja" if scripts[_SCRIPTS.index("kana")] * 10 > count else "zh"
    return _SCRIPT_LANGUAGE.get(script)


_SCRIPT_LANGUAGE: dict[str | None, str] = {
    "hebrew": "he",
    "greek": "el",
    "kana": "ja",
    "hangul": "ko",
    "thai": "th",
    "devanagari": "hi",
    "armenian": "hy",
    "georgian": "ka",
}

_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "latin"),
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0530, 0x058F, "armenian"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0x0E00, 0x0E7F, "thai"),
    (0x10A0, 0x10FF, "georgian"),
    (0x1E00, 0x1EFF, "latin"),
    (0x3040, 0x30FF, "kana"),
    (0x3400, 0x9FFF, "han"),
    (0xAC00, 0xD7AF, "hangul"),
    (0xFB1D, 0xFB4F, "hebrew"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
)


_SCRIPTS = tuple(sorted({name for _l, _h, name in _RANGES}))
# Classes of the Arabic block's characters (U+0600-U+06FF) counted per text, see _arabic_script_language.
_PERSIAN, _PERSIAN_SHARED, _ARABIC, _URDU, _ARABIC_BLOCK = range(1, 6)
_ARABIC_CLASSES = 6  # with 0: not in the block


@cache
def _letter_tables() -> tuple[np.ndarray, np.ndarray]:
    """Two uint8 tables over the Basic Multilingual Plane, where every range of :data:`_RANGES` lies: each letter's
    (``isalpha``) script, 1 + its index in :data:`_SCRIPTS`, 0 outside the ranges; and each character's class in
    the Arabic block (``_PERSIAN`` ... ``_ARABIC_BLOCK`` for the block's other characters), 0 outside it.
    U+FFFF, where characters beyond the plane are looked up, is in neither."""
    scripts = np.zeros(0x10000, dtype=np.uint8)
    for low, high, name in _RANGES:
        scripts[[c for c in range(low, high + 1) if chr(c).isalpha()]] = 1 + _SCRIPTS.index(name)
    arabic = np.zeros(0x10000, dtype=np.uint8)
    arabic[0x0600:0x0700] = _ARABIC_BLOCK
    for chars, cls in (
        (_PERSIAN_ONLY, _PERSIAN),
        (_PERSIAN_SHARED_WITH_DIALECT, _PERSIAN_SHARED),
        (_ARABIC_ONLY, _ARABIC),
        (_URDU_ONLY, _URDU),
    ):
        arabic[[ord(c) for c in chars]] = cls  # all in the block: classes 1-5 together count the block
    return scripts, arabic


def _code_points(text: str) -> np.ndarray:
    """The code points of ``text``, those beyond the Basic Multilingual Plane as U+FFFF (see _letter_tables)."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return np.minimum(points, 0xFFFF)


def _letter_counts(samples: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per sample, letters per script (``len(samples)`` x ``len(_SCRIPTS)``) and characters per Arabic-block class
    (x ``_ARABIC_CLASSES``, column 0 unused): one table look-up and one ``bincount`` per table for all samples
    together, instead of a ``str.translate`` and a dozen ``str.count`` per text."""
    points = _code_points("".join(samples))
    doc = np.repeat(np.arange(len(samples)), np.fromiter(map(len, samples), dtype=np.int64, count=len(samples)))
    counted = []
    for table, width in zip(_letter_tables(), (1 + len(_SCRIPTS), _ARABIC_CLASSES), strict=True):
        flat = np.bincount(doc * width + table[points], minlength=len(samples) * width)
        counted.append(flat.reshape(len(samples), width))
    return counted[0][:, 1:], counted[1]


def _written_first(sample: str, scripts: list[int]) -> int:
    """Of ``scripts`` (indexes in :data:`_SCRIPTS`, each present in ``sample``), the one whose first letter comes
    first: the tie-break of a ``Counter`` filled in text order."""
    coded = _letter_tables()[0][_code_points(sample)]
    return min(scripts, key=lambda i: int(np.argmax(coded == 1 + i)))


def _arabic_script_language(text: str, classes: list[int]) -> str:
    """Arabic, Persian or Urdu, from letters (``classes``: the text's characters per Arabic-block class, see
    _letter_tables) and function words peculiar to each."""
    persian, arabic, urdu = classes[_PERSIAN], classes[_ARABIC], classes[_URDU]
    if persian:
        persian += classes[_PERSIAN_SHARED]
    arabic_words = persian_words = urdu_words = 0
    language_of = _FUNCTION_WORD_LANGUAGE.get
    for word in _WORD_RE.findall(text):
        # only a word with a mark in it can change (marks are not letters): strip harakat so vocalised
        # communiqués match the bare function-word lists
        language = language_of(word if word.isalpha() else _normalise_arabic_word(word))
        if language == "ar":
            arabic_words += 1
        elif language == "fa":
            persian_words += 1
        elif language == "ur":
            urdu_words += 1
    if urdu and urdu * 33 > sum(classes[1:]) and urdu_words >= persian_words:
        return "ur"
    if persian + 2 * persian_words > arabic + 2 * arabic_words:
        return "fa"
    return "ar"


def _normalise_arabic_word(word: str) -> str:
    return "".join(ch for ch in word if not unicodedata.combining(ch))


def _by_stopwords(text: str, profiles: dict[str, frozenset[str]]) -> str | None:
    """The profile whose function words cover most of the text; None when no profile reaches 8% coverage."""
    words = [w.lower() for w in _WORD_RE.findall(text)]
    if not words:
        return None
    counts = Counter(words)
    scores = {lang: sum(counts[w] for w in stop) for lang, stop in profiles.items()}
    lang, best = max(scores.items(), key=lambda item: item[1])
    if best < 2 or best < 0.08 * len(words):
        return None
    return lang
