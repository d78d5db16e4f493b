"""Language identification for routing: scripts, the Arabic/Persian split, Latin languages by stopwords."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from claimwatch.text.language import detect_language, detect_languages
from tests.shared_corpus import require_shared

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("أعلنت المقاومة الإسلامية في العراق استهداف قاعدة عسكرية بطائرة مسيرة", "ar"),
        ("سپاه پاسداران انقلاب اسلامی اعلام کرد که این حمله با موشک انجام شده است", "fa"),
        ("פיקוד העורף הודיע כי נשמעו אזעקות בצפון הארץ לאחר שיגור רקטות מלבנון", "he"),
        ("The army said it intercepted a drone launched from Iraq on Tuesday night", "en"),
        ("Le ministère de la défense a annoncé que les drones ont été interceptés dans la nuit", "fr"),
        ("Die Armee teilte mit, dass die Drohne in der Nacht abgefangen wurde und es keine Verletzten gab", "de"),
        ("El ejército dijo que el dron fue interceptado por la noche y que no hubo heridos", "es"),
        ("O exército disse que o drone foi interceptado durante a noite e que não houve feridos", "pt"),
        ("L'esercito ha detto che il drone è stato intercettato durante la notte e che non ci sono feriti", "it"),
        ("Министерство обороны сообщило, что силы ПВО перехватили беспилотник над областью", "ru"),
        ("Міністерство оборони повідомило, що сили ППО збили безпілотник над областю", "uk"),
        ("پاکستان کی فوج نے کہا ہے کہ یہ حملہ رات کو کیا گیا", "ur"),
        ("東京で記者会見が行われ、政府は新しい方針を発表しました。", "ja"),
    ],
)
def test_languages(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_iraqi_dialect_letters_do_not_make_arabic_persian() -> None:
    # چ and گ appear in Iraqi Arabic; without Persian ک/ی and function words the text stays Arabic.
    assert detect_language("گالوا الجماعة چانت بالمنطقة وين راحوا؟ الله يحفظكم يا شباب في بغداد") == "ar"


def test_vocalised_arabic_with_persian_keyboard_yeh_stays_arabic() -> None:
    text = "أَمَّا بَعْدُ، فَإِنَّ الْجِهَادَ بَابٌ مِنْ أَبْوَابِ الْجَنَّةِ، إِنَّا لَا نَعْلَمُ مِنْهُ إِلَّا خَیْراً"
    assert detect_language(text) == "ar"


def test_mixed_post_follows_the_majority_script() -> None:
    text = "🔻 عاجل | المقاومة الإسلامية في العراق تستهدف قاعدة عين الأسد بالطائرات المسيرة #Iraq #IRGC"
    assert detect_language(text) == "ar"


@pytest.mark.parametrize("text", ["", "123 456 !!!", "🔥🔥🔥", "ok", "Lorem ipsum dolor sit amet consectetur"])
def test_unknown_or_too_short_gives_none(text: str) -> None:
    assert detect_language(text) is None


def test_channel_corpus_is_overwhelmingly_arabic() -> None:
    path = require_shared(CORPUS / "channel-posts" / "naya_foriraq.jsonl")
    with path.open(encoding="utf-8") as fh:
        counts = Counter(detect_language(json.loads(line)["text"]) for line in fh)
    total = sum(counts.values())
    assert counts["ar"] / total > 0.97
    assert counts["fa"] > 20  # the channel reposts Persian statements; they must not be lost as Arabic


# --- the faster counting decides exactly as the per-character version did ----------------------------------


def _reference_detect(text: str) -> str | None:
    """The previous detect_language (a Python call per character), kept as the reference."""
    import unicodedata

    from claimwatch.text import language as lang

    def script(ch: str) -> str | None:
        code = ord(ch)
        if code < 0x41:
            return None
        for low, high, name in lang._RANGES:
            if low <= code <= high:
                return name
        return None

    def arabic_script(text: str) -> str:
        letters = Counter(ch for ch in text if "\u0600" <= ch <= "\u06ff")
        persian = sum(letters[c] for c in lang._PERSIAN_ONLY)
        arabic = sum(letters[c] for c in lang._ARABIC_ONLY)
        urdu = sum(letters[c] for c in lang._URDU_ONLY)
        if persian:
            persian += sum(letters[c] for c in lang._PERSIAN_SHARED_WITH_DIALECT)
        words = Counter("".join(ch for ch in w if not unicodedata.combining(ch)) for w in lang._WORD_RE.findall(text))
        arabic_words = sum(words[w] for w in lang._ARABIC_WORDS)
        persian_words = sum(words[w] for w in lang._PERSIAN_WORDS)
        urdu_words = sum(words[w] for w in lang._URDU_WORDS)
        if urdu * 33 > sum(letters.values()) and urdu_words >= persian_words:
            return "ur"
        if persian + 2 * persian_words > arabic + 2 * arabic_words:
            return "fa"
        return "ar"

    if not text:
        return None
    sample = text[: lang._MAX_CHARS]
    scripts = Counter(script(ch) for ch in sample if ch.isalpha())
    scripts.pop(None, None)
    if sum(scripts.values()) < lang._MIN_LETTERS:
        return None
    name, count = scripts.most_common(1)[0]
    if name == "arabic":
        return arabic_script(sample)
    if name == "latin":
        return lang._by_stopwords(sample, lang._LATIN_STOPWORDS)
    if name == "cyrillic":
        if sum(sample.count(c) for c in "іїєґІЇЄҐ") * 100 > count:
            return "uk"
        return lang._by_stopwords(sample, lang._CYRILLIC_STOPWORDS) or "ru"
    if name == "han":
        return "ja" if scripts["kana"] * 10 > count else "zh"
    return lang._SCRIPT_LANGUAGE.get(name)


def test_the_shared_texts_get_the_previous_decisions() -> None:
    import csv

    posts = require_shared(CORPUS / "channel-posts" / "naya_foriraq.jsonl")
    texts = [json.loads(line).get("text") or "" for line in posts.read_text(encoding="utf-8").splitlines() if line]
    with require_shared(CORPUS / "reports" / "idf_telegram_labeled.csv").open(encoding="utf-8") as fh:
        texts += [row["Text"] for row in csv.DictReader(fh)]
    texts += [
        "أَمَّا بَعْدُ، فَإِنَّ الْجِهَادَ بَابٌ مِنْ أَبْوَابِ الْجَنَّةِ",
        "پاکستان کی فوج نے کہا ہے کہ یہ حملہ رات کو کیا گیا",
        "東京で記者会見が行われ、政府は新しい方針を発表しました。",
        "Міністерство оборони повідомило, що сили ППО збили безпілотник",
    ]
    differing = [t[:60] for t in texts if detect_language(t) != _reference_detect(t)]
    assert len(texts) > 8000
    assert differing == []
    # a whole batch at once (one letter count for all texts) decides as one text at a time
    assert detect_languages(texts) == [detect_language(t) for t in texts]


def test_a_batch_with_empty_astral_and_surrogate_texts_decides_each_as_alone() -> None:
    texts = ["", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 letters", "\ud800 lone surrogate, then the of and to in is", "الله اكبر " * 3, "x" * 7]
    assert detect_languages(texts) == [detect_language(t) for t in texts] == [_reference_detect(t) for t in texts]
    assert detect_languages([]) == []


def test_a_tie_between_scripts_goes_to_the_one_written_first() -> None:
    latin_first, hebrew_first = "abcde fghij אבגדה וזחטי", "אבגדה וזחטי abcde fghij"  # ten letters each
    assert detect_language(latin_first) == _reference_detect(latin_first) is None  # Latin, no English words
    assert detect_language(hebrew_first) == _reference_detect(hebrew_first) == "he"


def test_function_words_of_the_arabic_script_languages_are_counted_as_before() -> None:
    """Each function word belongs to one language (one look-up per word counts it), and texts made of the three
    lists' words, vocalised or not, with the letters that tip the balance, get the reference's decision."""
    import random

    from claimwatch.text import language as lang

    lists = (lang._ARABIC_WORDS, lang._PERSIAN_WORDS, lang._URDU_WORDS)
    assert sum(len(words) for words in lists) == len(set().union(*lists)) == len(lang._FUNCTION_WORD_LANGUAGE)
    rnd = random.Random(10)
    pool = sorted(set().union(*lists))
    texts = []
    for _ in range(3000):
        words = [w + "\u064e" if rnd.random() < 0.2 else w for w in rnd.choices(pool, k=rnd.randint(1, 12))]
        texts.append(" ".join(words) + " " + "".join(rnd.choices("پژکیچگكيةىأإؤٹڈڑںےہ بت", k=rnd.randint(0, 20))))
    assert [detect_language(t) for t in texts] == [_reference_detect(t) for t in texts]
    assert {detect_language(t) for t in texts} >= {"ar", "fa", "ur"}
