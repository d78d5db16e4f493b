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
from functools import cache

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
    if not text:
        return None
    sample = text[:_MAX_CHARS]
    scripts = _script_counts(sample)
    total = sum(scripts.values())
    if total < _MIN_LETTERS:
        return None
    script, count = scripts.most_common(1)[0]
    if script == "arabic":
        return _arabic_script_language(sample)
    if script == "latin":
        return _by_stopwords(sample, _LATIN_STOPWORDS)
    if script == "cyrillic":
        # і ї є ґ are Ukrainian letters Russian never uses; the rest share most function words.
        if sum(sample.count(c) for c in "іїєґІЇЄҐ") * 100 > count:
            return "uk"
        return _by_stopwords(sample, _CYRILLIC_STOPWORDS) or "ru"
    if script == "han":
        # Japanese mixes kanji with kana; any real share of kana means Japanese, not Chinese.
        return "ja" if scripts["kana"] * 10 > count else "zh"
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


# One private-use character per script: _script_table() maps every letter of a script's ranges to it, so one
# ``str.translate`` and a ``count`` per script replace a Python call per character (same counts, ~5x cheaper).
_SCRIPT_CODES = {name: chr(0xE000 + i) for i, name in enumerate(sorted({name for _l, _h, name in _RANGES}))}


@cache
def _script_table() -> dict[int, str | None]:
    """``str.translate`` table: each letter (``isalpha``) of a script's ranges -> that script's code character.
    The code characters themselves are deleted, so a private-use character in the text is never counted."""
    table: dict[int, str | None] = {}
    for low, high, name in _RANGES:
        table.update((c, _SCRIPT_CODES[name]) for c in range(low, high + 1) if chr(c).isalpha())
    table.update((ord(code), None) for code in _SCRIPT_CODES.values())
    return table


_CODE_SCRIPTS = {code: name for name, code in _SCRIPT_CODES.items()}


def _script_counts(sample: str) -> Counter[str]:
    """Letters per script, the scripts in order of first appearance (``most_common`` breaks ties by it)."""
    coded = sample.translate(_script_table())
    # A ``count`` per script is a C scan; ``set(coded)`` made a string object per character (half the time).
    present = sorted((coded.index(code), code) for code in _CODE_SCRIPTS if code in coded)
    return Counter({_CODE_SCRIPTS[code]: coded.count(code) for _pos, code in present})


def _arabic_script_language(text: str) -> str:
    """Arabic, Persian or Urdu, from letters and function words peculiar to each."""
    persian = sum(map(text.count, _PERSIAN_ONLY))
    arabic = sum(map(text.count, _ARABIC_ONLY))
    urdu = sum(map(text.count, _URDU_ONLY))
    if persian:
        persian += sum(map(text.count, _PERSIAN_SHARED_WITH_DIALECT))
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
    if urdu and urdu * 33 > sum(1 for ch in text if "\u0600" <= ch <= "\u06ff") and urdu_words >= persian_words:
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
