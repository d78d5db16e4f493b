"""Rule-based extraction of attack claims and reports from channel posts (Arabic and English).

What a post is (``claim`` | ``report`` | ``other``), and for each operation it names: the attacker, weapon,
target country and place, date, whether it was intercepted, with the vocabulary and rules of
``claims-gold/GUIDE.md``. The rules read the *matching* form of the text (``textnorm.normalize_for_matching``),
so they are written once per word, not once per spelling; dictionaries (actors, places) are data files.

How a post is read:

1. The text is cut into segments (sentences; short lines that continue a sentence are joined).
2. A segment is an *operation* when it has attack vocabulary (targeting, shelling, raids, interceptions,
   explosions, launches...) in a military context (a weapon, a military target, an armed actor or a sky/sea),
   and is not a threat, a denial, an alert, an accident, a foiled plot or a question.
3. Per operation: the attacker comes from the strongest cue present: "by X" > X's weapon ("صواريخ حزب الله",
   "الصواريخ الإيرانية") > an attack noun marked as X's ("استهداف صهيوني", "هجوم لحزب الله") > X as subject or
   agent of an attack verb > "launched from Iran" > the statement's speaker. Interceptors (Patriot, Iron Dome,
   air defences) are masked first: they are never the weapon, and their owner is never the attacker.
4. A *claim* is the attacker's own word: its statement header ("حزب الله:"), its announcement
   ("يعلن عن استهداف", "يتبنى"), its footage ("مشاهد من عملية استهداف المقاومة الإسلامية"), first-person verbs
   ("استهدفنا"), its own fighters or units ("استهدف مجاهدونا", "our fighters", "استهدفت وحدات المدفعية" under an
   armed group's header); anything else with an operation is a *report*. The header names the speaker only:
   its actor is never the attacker and its places are not the target. A speaker that shoots down, intercepts
   or is attacked ("تعرّض موقع التنف لهجوم", "إسقاط طائرة مسيّرة") reports; it does not claim. Opening clauses
   that give the reason ("ردّاً على الاعتداءات الإسرائيلية، ...", "دعماً لشعبنا في لبنان، ...") are read past.
5. The post's top-level fields are those of the first *specific* operation (one with a place, a date or a
   concrete target), as the guide asks. A bulletin ("نفّذ مجاهدونا العمليات الآتية:", "carried out three
   operations:") gives one operation per bullet. The target country is the matched place's country.

Every public function returns a value for any string; failures become ``other`` with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, ParamSpec, TypeVar, cast

from claimwatch.claims.actors import ActorMention, actor_country, get_actor_matcher, guide_label
from claimwatch.claims.dates import OLD_FOOTAGE_RE, EventDate, find_stated_date, local_post_date, says_today
from claimwatch.claims.gazetteer import PlaceMatch, get_gazetteer
from claimwatch.text.alternation import Gated, literal_alternation
from claimwatch.text.textnorm import fold_arabic, normalize_for_matching, normalize_with_offsets

__all__ = [
    "EXTRACTOR_VERSION",
    "Extraction",
    "Operation",
    "extract_claims",
    "forget_batch",
    "named_places",
    "outcome_told",
    "weapon_named",
]

# 1.6.0: a target country may be named by a flag or nationality adjective; "none" only when no place was found
# 1.7.0: line breaks a scrape lost are put back before reading; "eliminated"/"neutralized" read as hits; Gaza's
# neighbourhoods, camps and hospitals and the Israeli border communities in the gazetteer
# 1.8.0: an English subject is the attacker through units, partners and auxiliaries ("IDF fighter jets and
# artillery struck", "the IDF is continuing to strike", "the IDF and ISA eliminated")
# 1.9.0: an interception report's actor is never the side defending its own country (``extract._defends_home``);
# an operation whose own sentence names its place keeps its target country among that sentence's places
# 1.10.0: a weapon named as the target ("struck rocket launchers", "a cell that attempted to launch missiles") is not
# the means; each country a launch is aimed at is an operation candidate of its own ("toward Kuwait and Bahrain");
# an interception report at a base the actor garrisons abroad is the defender's (``extract._defends_home``); a
# claim's attacker is never unknown (``extract._stated_actor``)
# 1.10.1: a state's forces at home in a report's target country are its defender, intercepted or not
# 1.10.2: the operation candidates leave out the places of a label header ("Kurdistan Region Counter-Terrorism:"),
# as the rules' own operations do
# 1.10.3: nor a place that only locates the one named before it ("Harir base north of Erbil")
# 1.11.0: "since <date>" states a period, no day (``dates._SINCE_BEFORE``); an operation candidate takes no date
# from an earlier live-blog entry, and "today", "overnight", "a short while ago" date it to the post's day
EXTRACTOR_VERSION = "rules-1.11.0"

MAX_CHARS = 20_000  # posts are < 5 kB; anything longer is a paste accident and is read only in part


@dataclass(slots=True)
class Operation:
    """One attack (or interception) a post names, in GUIDE vocabulary plus ACLED-style extras."""

    kind: str
    actor: str | None
    weapon: str | None
    target_country: str | None
    location: str | None
    location_id: str | None
    lat: float | None
    lon: float | None
    geo_precision: int | None
    event_date: date | None
    date_precision: int | None
    intercepted: bool | None
    sub_event_type: str
    confidence: float
    evidence: str
    evidence_start: int
    evidence_end: int
    actor_id: str | None = None  # the dictionary id behind ``actor`` (finer than the guide label)
    date_reason: str | None = None


@dataclass(slots=True)
class Extraction:
    """What a post is, its operations (empty for ``other``) and why (human-readable reasons).

    ``cues`` are what the rules saw on the way (who speaks, claim markers, actors named, the gate that ended
    the reading): the learned extractor takes them as features, so the rules inform it without deciding."""

    kind: str
    operations: list[Operation] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    cues: dict[str, Any] = field(default_factory=dict)
    norm: str = ""  # the matching form the rules read (so later steps need not normalize again)
    places: list[PlaceMatch] | None = None  # the places the text names, when the rules got as far as reading them


def _rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a hand-written pattern after folding its Arabic letters the way the text is folded."""
    return re.compile(fold_arabic(pattern), flags)


def _literal_gate(stems: str) -> re.Pattern[str]:
    """A regex of plain literals (``_`` stands for a space), written as a trie: at each position the engine
    follows the branch of the character there instead of trying every literal in turn."""
    return re.compile(literal_alternation(fold_arabic(w).replace("_", " ") for w in stems.split()))


class _Gated(Gated):
    """A rule regex behind a substring gate (``alternation.Gated``), its stems written as the rules write words:
    space-separated, Arabic as spelled (folded here), ``_`` for a space inside a stem. Every stem must be a
    substring of every possible match, so gating never changes a result."""

    __slots__ = ()

    def __init__(self, pattern: re.Pattern[str], stems: str) -> None:
        super().__init__(pattern, (fold_arabic(w).replace("_", " ") for w in stems.split()))


_W = r"(?<!\w)"
_E = r"(?!\w)"
_P = r"(?:[وفبلك]|وب|ول|فب|وال|بال|فال|كال|لل|ال|ولل)?"  # clitic prefixes

# --- attack vocabulary ------------------------------------------------------------------------------------------
# Verbs and nouns that say an attack happened. Most need a military context (see _CONTEXT) because
# "استهداف" / "هجوم" are also used for politics ("استهداف لكتلة سياسية").
_NOT_DAKK = r"(?!و?لدك(?:م|ما)?(?!\w))"  # "ولدك" / "لدك" ("your son", "with you"): not "دكّ" behind a clitic
_TRIGGER = _rx(
    _W + _NOT_DAKK + _P + r"(?:"
    r"[اينت]?ستهد[فا]\w*|مستهدف\w*|"  # استهدف/يستهدف/استهداف/استهدافها/مستهدفين
    r"[يتن]?قصف\w*|"
    r"غار(?:ة|ات|تين|تان|تي)|"
    r"ضرب(?:ة|ات|تين|تان|نا)|"
    r"هجوما?|هجمات|هجمتين|[يت]?هاجم\w*|"
    r"(?:تم|جرى|جرت)\s+مهاجم(?:ة|ت\w+)|"  # passive "تم مهاجمتنا"; the bare noun is mostly "calls to attack"
    r"[يتن]?دك(?:ت|ها|هم|وا|ه|تها)?|"
    r"اعتراض\w*|اعترض\w*|[يت]عترض\w*|"
    r"اسقاط\w*|اسقط\w*|[يت]سقط(?:ها|ه)?|"
    r"انفجار\w*|انفجرت|انفجر|تفجير\w*|[يت]فجر\w*|فجر(?:وا|ت)|"
    r"عدوان|اعتداء|تدمير|دمر(?:ت|وا)?|"
    r"[يت]حرق|[يت]حترق|احتراق|اشتعال|[يت]شتعل|"
    r"تصد[يى]|تصدت|التصدي"
    r")"
    + _E
    + r"|\b(?:struck|strikes?|targeted|targeting|attack(?:ed|s)?|launch(?:es|ed)?|fired|intercept(?:ed|ion|s)?|"
    r"shot down|downed|explosions?|bombed|bombing|shelled|shelling|hit|impact|raids?)\b"
)
# Words that say a weapon was fired or arrived: an operation only when a weapon is named with them.
_WEAPON_TRIGGER = _Gated(
    _rx(
        _W + _P + r"(?:اطلاق\w*|انطلاق\w*|اطلق(?:ت|وا|تها|ها|وها|ته|وه)?|[يت]طلق|[يت]نطلق|انطلقت|تسلل|[يت]تسلل|"
        r"سقوط|وصلت|وصول|في طريقها|مرمى|سماء|اجواء|[يت]شتبك|اشتبكت)"
        + _E
        + r"|\b(?:landed|fell|crossed|crossing|launches|identified|engag(?:es|ed|ing))\b"
    ),
    "اطلاق انطلاق اطلق طلق تسلل سقوط وصل طريقها مرمى سماء اجواء شتبك landed fell cross launches identified engag",
)
# A weapon heading somewhere ("رشقة صاروخية من لبنان نحو الشمال", "صواريخ تتجه نحو مقرات"): the direction word
# must follow the weapon closely; "نحو" far from it is figurative ("يقود نحو اتفاق ... الصواريخ").
_HEADING = _Gated(
    _rx(
        _W + _P + r"(?:صواريخ|صاروخ\w*|رشق(?:ة|ات)|صلي(?:ة|ات)|مسير(?:ة|ات)|موجة|طائر(?:ة|ات)|قذائف|محلق(?:ة|ات))"
        r"(?:\s+\S+){0,4}?\s+(?:نحو|باتجاه)"
        + _E
        + r"|\b(?:missiles?|rockets?|drones?|barrages?)(?:\s+\S+){0,4}?\s+(?:toward|towards|heading)\b"
    ),
    "نحو باتجاه toward heading",
)
# A launch wave with no weapon named ("موجة جديدة تنطلق الآن"): a launch report of the war's rhythm.
_WAVE_LAUNCH = _Gated(
    _rx(_W + _P + r"(?:موجة|موجات)(?:\s+\S+){0,2}?\s+(?:تنطلق|انطلقت|اطلقت|تنهمر)" + _E),
    "موجه موجات",
)
# Air-defence engagement is itself a reportable event (GUIDE), even with no weapon named.
_AD_ENGAGED = _Gated(
    _rx(
        _W
        + r"(?:تفعيل|تفعل|[يت]نشط|اشتبكت|[يت]شتبك|اشتباك|تصدت|[يت]تصدى)\s+(?:ال)?(?:دفاعات|دفاع)\s+(?:ال)?جوي\w*"
        + r"|(?:ال)?(?:دفاعات|دفاع)\s+(?:ال)?جوي\w*(?:\s+ال\w+)?\s+(?:تشتبك|اشتبكت|تتصدى|تصدت|تعترض|اعترضت|تعاملت|"
        r"[يت]تعامل)" + r"|\bair defen[cs]es? (?:were )?(?:activated|engaged)\b"
    ),
    "دفاع defen",
)
# "تفعيل منظومة الباتريوت في سماء خميس مشيط": a named air-defence system switched on (own gate: two stems keep
# both gates on the plain ``in`` fast path)
_AD_SYSTEM = _Gated(
    _rx(
        _W + r"(?:تفعيل|تفعل|[يت]نشط|اشتبكت|[يت]شتبك|اشتباك|تصدت|[يت]تصدى)\s+(?:ال)?(?:منظومة|منظومات|بطارية|بطاريات)"
        r"\s+(?:ال)?(?:باتريوت|باترويت|ثاد|قبة|دفاع\w*|اعتراض\w*|مقلاع)"
    ),
    "منظوم بطاري",
)
# Phrases that contain attack words but are not attacks ("وقف إطلاق النار" = ceasefire).
_NOT_ATTACK = _Gated(
    _rx(r"(?:وقف|لوقف|بوقف|ووقف)\s+(?:ل)?اطلاق\s+النار|اتفاق\w*\s+(?:ال)?وقف|ceasefire|cease-fire"),
    "اطلاق وقف ceasefire cease",
)
# Triggers strong enough without extra context.
_STRONG_TRIGGER = _Gated(
    _rx(
        _W
        + _NOT_DAKK
        + _P
        + r"(?:غار(?:ة|ات|تين|تان)|[يتن]?دك(?:ت|ها|هم|وا|ه|تها)?|انفجار(?:ات)?|دوي)"
        + _E
        + r"|\b(?:airstrikes?|explosions?|intercepted|shot down)\b"
    ),
    "غار دك انفجار دوي airstrike explosion intercepted shot",
)
_MIL_CONTEXT = _rx(
    _W + _P + r"(?:موقع|مواقع|قاعدة|قاعدتي|قواعد|ثكنة|ثكنات|دبابة|دبابات|دبابتي|دبابتين|الية|اليات|اليتين|اليتي|جنود|"
    r"جندي|جنديين|قوة|قوات|تجمع|تجمعات|تموضع|مقر|مقرات|مطار|ميناء|سفينة|سفن|ناقلة|ناقلات|مدمرة|بارجة|"
    r"حاملة|قارب|قوارب|زورق|زوارق|صهريج|منصة|منصات|رادار|رادارات|انظمة|جسر|منشاة|منشات|مستوطنة|مستوطنات|"
    r"معسكر|سماء|اجواء|هدف|اهداف|مستودع|مخزن|عبوة|عبوات|مفخخة|ناسفة|انتحاري|ميركافا|هامر|همفي|جرافة|"
    r"كمين|مدفعية|اسطول|الاسطول|بلدة|مدينة|مستشفى|مدرسة|سيارة|عجلة|دورية|ضابط|ضباط|قائد|عناصر|مسلحين|"
    r"وكر|مضافات|تحركات|تحشدات|الاحتلال|العدو|معادي\w*)"
    + r"ا?"  # accusative "موقعاً", "هدفاً"
    + _E
    + r"|\b(?:base|troops|soldiers|military|post|compound|vessel|ship|tanker|tank|airport|army|forces|"
    r"infrastructure|launcher|targets?|positions?|aircraft|jets)\b"
)

# --- not an operation -------------------------------------------------------------------------------------------
# Threats, warnings, conditionals and the future ("سنستهدف", "إذا تدخلت", "أي اعتداء سيقابل"): they negate an
# operation only when they come before its first past-tense attack verb, or when there is none ("استهدفت ... بعد
# رصد تحركات تهدد أمن الحدود" is an attack; "نحذر من أن استمرار ... سيقابل برد" is a threat).
_MODAL_NEGATORS = _rx(
    _W + r"(?:[وفبل]|ال|وال|بال)?(?:"
    r"س[نتيا](?:ستهدف|قصف|ضرب|رد|دك|هاجم|طلق|حرق|لاحق|شهد|كون|عود|واصل|قابل|واجه|دفع|ندم|بقى|ظل|ستمر)\w*|"
    r"سوف|اذا|في حال|لو|"
    r"اوامر|تجنب|[يت]تجنب|[يت]تراجع|تراجع عن|الغاء|[يت]لغي|الغت|الغى|عدم|"
    r"[يت]هدد\w*|تهديد\w*(?!\s+(?:ب|من\s+)(?:ال)?(?:صواريخ|صاروخ|مسير|طائر|جوي))|"
    r"[يت]توعد\w*|وعيد|[يت]حذر\w*|نحذر\w*|تحذير\w*|انذار لسكان|"
    r"اي (?:اعتداء|هجوم|عدوان|استهداف)|"
    # intentions and plans ("أبلغتنا عزمها مهاجمة إيران", "لا تريد مشاركة إسرائيل في الهجمات")
    r"عزم\w*|[يت]عتزم\w*|اعتزام|[يت]نوي|نيت(?:ه|ها|هم)|[يت]ريد|قبل (?:ال)?اطلاق\w*|"
    # policing ("تشن حملة أمنية على حي ... وتعتقل")
    r"حملة (?:امنية|اعتقالات|مداهمات|دهم)|"
    # a campaign said to go on ("الضربات الأمريكية ضد إيران لم تنته بعد"): a warning, not an operation
    r"لم [يت]نته\w*"
    r")" + _E + r"|\b(?:will|would|if|threat(?:en|ens|ened)?|warns?|warned|warning|any attack|not over)\b"
)
# Verbs in the past tense that say an attack was carried out (not passive-ambiguous nouns).
_PAST_ATTACK = _rx(
    _W + r"(?:[وف])?(?:(?:استهدف(?:ت|وا|نا)?|قصف(?:ت|وا|نا)|دك(?:ت|وا|كنا)|هاجم(?:ت|وا|نا)?|شن(?:ت|وا|نا)|"
    r"نفذ(?:ت|وا|نا)?|اطلق(?:ت|وا|نا)|ضرب(?:ت|وا|نا)|اسقط(?:ت|وا|نا)|اعترض(?:ت|وا|نا)?)(?:ها|ه|هم)?|تصدت|"
    r"سقط(?:ت)?|انفجرت|اصاب(?:ت|وا)?)"
    + _E
    + r"|\b(?:struck|targeted|attacked|launched|fired|hit|shot down|downed|intercepted|"
    r"carried out|landed|fell|bombed|shelled)\b"
)
_NEGATORS = _rx(
    _W + r"(?:[وفبل]|ال|وال|بال)?(?:"
    # denials
    r"لم (?:نشارك|نستهدف|يتم|يكن|تستهدف|يستهدف|تطلق|نطلق|تقم|يقم|نقم|تكن|نكن)|مؤامر\w*|لا تقف|لا يقف|"
    r"[يت]نفي|نف[تى]|نفي|"
    r"لا علاقة|ليس لنا|لا توجد|لاتوجد|لا يوجد|لايوجد|"
    # alerts and preparation, not attacks
    r"تاهب|تحسبا|[يت]ستعد\w*|استعداد\w*|خشية|تخوف\w*|مخاوف|ترقب|"
    # accidents and ordnance disposal
    r"(?:حادث|حوادث) (?:سير|مرور\w*)|حوادث و?انفجار\w*|"
    r"خلل (?:تقني|فني)|هبوط اضطراري|تحطم\w*|تفجير (?:ذخائر|الذخائر)|ذخائر غير منفجرة|زلزال|"
    r"تفجير مسيطر عليه|مخلفات (?:حربية|الحرب)|ازال(?:ة|ت|وا)? (?:ال)?الغام|ازلنا|"
    # foiled plots
    r"احباط|افشال|احبط(?:ت|وا|نا)?|[يتن]حبط\w*|"
    # courts, claims and counter-claims
    r"بالسجن|حكما|محكمة|ادعاءات|مزاعم|اكاذيب|"
    # questions, assessments and analysis
    r"ساله|سالها|سئل|سؤال|[يت]قدر|تقديرات|تقييمات|[يت]عتقد|تحليل|"
    # commemoration and condolences
    r"ذكرى|الذكرى|ذكرى|تعازي|التعازي|بالتعازي|المواساة|مواساة|[يت]تغمد\w*|انا لله|"
    # tallies of many operations ("حصيلة عمليات المقاومة منذ بداية الشهر")
    r"حصيلة (?:ال)?عمليات|اجمالي (?:ال)?عمليات|"
    # interviews, and losses "in mysterious circumstances" (no attack stated)
    r"مقابلة|مقابلته|[بف]ظروف غامضة|ظروف غامضة"
    r")" + _E + r"|\b(?:denies|denied|deny|did not|foiled|"
    r"thwarted|prepar\w+|alert|sirens? sounded|condolences|tally of|interview|mysterious circumstances)\b"
)
# Both lists in one pass (the common case is no match at all): group "neg" negates wherever it is, "modal" by position.
_ANY_NEGATOR = re.compile(f"(?P<neg>{_NEGATORS.pattern})|(?P<modal>{_MODAL_NEGATORS.pattern})")

# --- claims ------------------------------------------------------------------------------------------------------
_FIRST_PERSON = _Gated(
    _rx(
        _W + _P + r"(?:استهدفنا|قصفنا|هاجمنا|ضربنا|دككنا|اسقطنا|نفذنا|اطلقنا|تمكنا|تصدينا|"
        r"قمنا ب(?:ال)?(?:قصف|استهداف|ضرب|مهاجمة|شن|تنفيذ|اطلاق|اسقاط)\w*|"
        # the speaker's own fighters, units and weapons ("استهدف مجاهدونا", "استهدفت وحداتنا")
        r"مجاهدونا|مجاهدينا|مقاتلونا|مقاتلينا|ابطالنا|قواتنا|وحداتنا|مسيراتنا|صواريخنا|طائراتنا|رجالنا)"
        + _E
        + r"|\bwe (?:have )?(?:struck|targeted|attacked|hit|launched|downed|carried out|fired)\b"
        + r"|\bour (?:mujahideen|fighters|forces|units|drones|missiles|men|heroes)\b"
    ),
    "استهدفنا قصفنا هاجمنا ضربنا دككنا اسقطنا نفذنا اطلقنا تمكنا تصدينا قمنا مجاهدونا مجاهدينا مقاتلونا مقاتلينا"
    " ابطالنا قواتنا وحداتنا مسيراتنا صواريخنا طائراتنا رجالنا we our",
)
_ANNOUNCE_VERB = _rx(
    r"^\s*(?:ال\w+\s+)?(?:[يت]علن|اعلن|اعلنت|[يت]تبنى|تبنى|تبنت|claims?|claimed|announced|"
    r"(?:says|said)(?: that)? (?:it|its|we|our))" + _E
)
_FOOTAGE = _rx(
    _W + r"(?:مشاهد|شاهد|فيديو|توثيق|بالتصوير الحراري|footage)\s+(?:من\s+)?(?:عملية\s+|عمليات\s+)?"
    r"(?:ال)?(?:استهداف|قصف|ضرب|استهدافات)"
)
_PUBLISHES = _rx(r"^\s*(?:[يت]نشر|نشر(?:ت)?|[يت]بث|بث(?:ت)?|[يت]عرض|عرض(?:ت)?|publishes|released|releases)\s+$")
_MUJAHIDEEN = _rx(_W + r"(?:مجاهدو|مجاهدي|mujahideen of)" + _E)
_STATEMENT_OF = _rx(r"(?:بيان صادر عن|في بيان|بيان ل|اعلنت العلاقات العامة|العلاقات العامة|مصدر من|مصدر في|statement)")
_EN_COMMUNIQUE = re.compile(
    r"\s*(?:\([^)]*\)\s*)?(?:has |have )?(?:targeted|attacked|struck|launched|shot down|downed|bombed|shelled|"
    r"claimed responsibility)\b"
)
_MEDIA = _rx(
    _W + r"(?:اعلام|الاعلام|وكالة|قناة|صحيفة|اذاعة|التلفزيون|تلفزيون|هيئة البث|مراسل|عن|[يت]زعم|نقلا|متداول|"
    r"رويترز|اكسيوس|مصادر|مصدر ايراني|سي ان ان|بي بي سي|وول ستريت|نيويورك|media|reports?|according)" + _E
)

# --- weapons -----------------------------------------------------------------------------------------------------
# Interceptors and air defences are masked before weapons and attackers are read (GUIDE: never the weapon).
_INTERCEPTOR = _Gated(
    _rx(
        r"(?:صاروخ|صواريخ)\s+(?:ال)?(?:باتريوت|دفاع جوي|الدفاع الجوي|اعتراضي\w*|ارض[- ]جو|سام)"
        r"(?:\s+(?:ال)?(?:امريكي|اميركي)\w*)?"
        r"|(?:منظومة|منظومات|بطارية|بطاريات)\s+(?:ال)?\w+(?:\s+(?:ال)?(?:امريكي|اميركي|اسرائيلي|صهيوني)\w*)?"
        r"|(?:ال)?باتريوت(?:\s+(?:ال)?(?:امريكي|اميركي)\w*)?"
        r"|(?:ال)?قبة (?:ال)?حديدية"
        r"|(?:ال)?دفاع(?:ات)? (?:ال)?جوي(?:ة)?(?:\s+(?:ال)?(?:ايراني|اسرائيلي|امريكي|اميركي|صهيوني|عراقي|سعودي|"
        r"كويتي|اماراتي|بحريني|قطري|اردني|سوري)\w*)?"
        r"|(?:نظام|انظمة) (?:ال)?دفاع\w*"
        r"|\b(?:iron dome|patriots?|interceptors?|air[- ]defen[cs]es?(?: systems?| array)?|david's sling|arrow \d)\b"
    ),
    "باتريوت منظوم بطاري قبة دفاع اعتراضي ارض_جو ارض-جو سام patriot iron intercept defen sling arrow",
)
# A weapon the attacker struck, or was struck before using, is the target, not the means (GUIDE: "what the attacker
# used"): "struck rocket launchers", "a weapons storage facility", "a cell that attempted to launch anti-tank
# missiles ... was struck by an IDF aircraft" (the operation told is the strike). English compounds only: in Arabic
# the target noun comes first ("منصات صواريخ") and the means takes a preposition ("بصواريخ"), which the weapon
# patterns already tell apart.
_WEAPON_AS_TARGET = _Gated(
    _rx(
        r"\b(?:rocket|missile|anti-tank(?: missile)?|mortar|drone|uav|weapons?)s?[- ](?:launch(?:ers?|ing)?[- ]"
        r"(?:posts?|pads?|sites?|positions?|cells?|squads?|areas?|infrastructure)|launchers?|storage|stores|production|"
        r"manufacturing|warehouses?|depots?|workshops?|stockpiles?|caches?|factor(?:y|ies)|infrastructure|"
        r"arrays?|units?|cells?|squads?|operatives?)\b"
        r"|\b(?:attempt(?:ed|ing|s)?|en route|on (?:its|their|his) way|prepar(?:ed|ing)|plann(?:ed|ing)|tr(?:ied|ying)|"
        r"about) to (?:launch|fire)(?: an?| several| a number of| \w+)?"
        r" (?:anti-tank missiles?|missiles?|rockets?|mortars?|mortar shells?|drones?|uavs?)\b"
    ),
    "launch storage stores production manufactur warehouse depot workshop stockpile cache factor infrastructure"
    " array unit cell squad operative fire",
)
_WEAPON_LIST: list[tuple[str, re.Pattern[str]]] = [
    (
        "unspecified",
        _rx(
            _W + _P + r"(?:عبوة|عبوات|ناسفة|ناسفه|لغم|الغام|سيارة مفخخة|انتحاري|اجسام معادية|اجسام مشبوهة|"
            r"هدف جوي مشبوه|اشتباك\w*)" + _E + r"|\b(?:ied|roadside bomb|suspicious aerial target|aerial target)\b"
        ),
    ),
    (
        "drone",
        _rx(
            _W + _P + r"(?:غار(?:ة|ات) (?:ب|من )(?:طائرة |طائرات )?مسير(?:ة|ات)|"
            r"مسير(?:ة|ات|تين|تي|تان)?|محلق(?:ة|ات|تين|تي|تان)|طائر(?:ة|ات|تي|تين) (?:بدون|بلا|من دون)"
            r" طيار|طيران مسير|ابابيل|درون|شاهد[- ]?\d+|صماد\w*|مرصاد)"
            + _E
            + r"|\b(?:uavs?|drones?|hostile aircraft|unmanned aerial vehicles?|loitering munitions?|mq-?\d+)\b"
        ),
    ),
    (
        "rocket",
        _rx(
            _W + _P + r"(?:صلي(?:ة|ات|تين)|رشق(?:ة|ات|تين)|كاتيوشا|غراد|الكاتيوشا|"
            r"(?:صواريخ|صاروخ\w*|قذائف|قذيف\w*) (?:من )?(?:نوع )?(?:ال)?(?:كاتيوشا|غراد))"
            + _E
            + r"|\b(?:rockets?|barrages?|katyushas?|grad)\b"
        ),
    ),
    (
        "missile",
        _rx(
            _W
            + _P
            + r"(?:صاروخ(?:ين|ان|ي|ية|يا)?|صواريخ\w*|باليستي\w*|كروز|مضاد(?:ة)? للدروع|كورنيت|موجة صاروخية)"
            + _E
            + r"|\b(?:missiles?|atgms?|anti-tank|ballistic|cruise)\b"
        ),
    ),
    (
        "artillery",
        _rx(
            _W
            + _P
            + r"(?:قذائف|قذيفة|قذيفتين|مدفعي\w*|هاون|الهاون|هاوتزر)"
            + _E
            + r"|\b(?:artillery|mortars?|shells?|shelling|howitzers?)\b"
        ),
    ),
    (
        "airstrike",
        _rx(
            _W + _P + r"(?:غار(?:ة|ات|تين|تان)|طائر(?:ة|ات|تين|تي) حربي(?:ة)?|طيران (?:ال)?حربي|الطيران الحربي|"
            r"مقاتل(?:ة|ات)(?: حربية)?|مروحي(?:ة|ات|تين)|اباتشي|قصف (?:ال)?جوي|الطيران الاسرائيلي|طيران العدو|"
            r"اف[- ]?35|اف[- ]?16|الطائرات الحربية)"
            + _E
            + r"|\b(?:air ?strikes?|fighter jets?|jets?|warplanes?|helicopters?|aircraft|f-?35s?|f-?16s?|"
            r"apache|iaf)\b"
        ),
    ),
]
# One alternation over all weapon words: the leftmost match is the first weapon named (GUIDE).
_WEAPON_ANY = _Gated(
    re.compile("|".join(f"(?P<{name}>{pat.pattern})" for name, pat in _WEAPON_LIST)),
    "مسير محلق طائر طيران ابابيل درون شاهد صماد مرصاد صلي رشق كاتيوشا غراد صاروخ صواريخ باليست كروز مضاد كورنيت"
    " قذائف قذيف مدفع هاون هاوتزر غار مقاتل مروحي اباتشي قصف_جوي قصف_الجوي اف_35 اف-35 اف35 اف_16 اف-16 اف16"
    " عبو ناسف لغم الغام مفخخ انتحاري اجسام هدف_جوي"
    " اشتباك uav drone aircraft rocket missile atgm anti-tank ballistic cruise artiller mortar shell howitzer"
    " air jet warplane helicopter f-35 f35 f-16 f16 apache iaf ied bomb aerial unmanned loitering mq barrage katyusha"
    " grad",
)
_COMBINED = _Gated(
    _rx(_W + _P + r"(?:هجوم مركب|القصف المركب|هجوم مشترك)" + _E + r"|\bcombined attack\b"), "مركب مشترك combined"
)
_WEAK_AIR = _Gated(_rx(_W + r"(?:ضربة جوية|ضربات جوية|هجوم جوي)" + _E), "جوي")

# --- interception ------------------------------------------------------------------------------------------------
_INTERCEPT_TRUE = _Gated(
    _rx(
        _W
        + _P
        + r"(?:اعتراض\w*|اعترض\w*|[يت]عترض\w*|اسقاط\w*|اسقط\w*|[يت]سقط(?:ها|ه)?|اسقطنا)"
        + _E
        + r"|\b(?:intercept(?:ed|ion|s)?|shot down|downed)\b"
    ),
    "عترض عتراض سقط سقاط intercept shot downed",
)
_INTERCEPT_FAILED = _Gated(
    _rx(
        _W
        + r"(?:فشل\w*|[يت]فشل\w*|عجز\w*|اخفق\w*)\s+(?:\w+\s+){0,2}(?:في\s+)?"
        + _P
        + r"(?:اعتراض|اسقاط|صد|التصدي)"
        + r"|\bfail(?:ed|s)? to intercept"
    ),
    "فشل عجز اخفق fail",
)
_INTERCEPT_TRIED = _Gated(
    _rx(
        _W
        + r"(?:محاول\w*|[يت]حاول\w*|حاول\w*|رغم|الرغم)\s+(?:\w+\s+){0,2}"
        + _P
        + r"(?:اعتراض\w*|اسقاط\w*|صد|التصدي)"
        + r"|\b(?:attempt(?:ed|s)? to intercept|trying to intercept)\b"
    ),
    "حاول رغم attempt trying",
)
_HIT = _Gated(
    _rx(
        _W
        + _NOT_DAKK
        + _P
        + r"(?:اصاب\w*|[يت]صيب\w*|اصيب\w*|مصاب\w*|مقتل|قتل\w*|قتلى|جرحى|جريح|اضرار|دمار|تدمير|دمر\w*|[يت]دمر\w*|"
        r"[يت]حرق|[يت]حترق|احتراق|اشتعال|[يت]شتعل|اشتعلت|حريق|النيران|"
        r"[يتن]?دك(?:ت|ها|هم|وا|ه|تها)?|خسائر|"
        # "العدوان طال جزيرة ..." (reached = hit); "طال محيط ..." (the vicinity) says nothing of a hit
        r"طال(?:ت|ه|ها)?(?!\w)(?!\s+(?:ب?ال)?(?:محيط|قرب|اطراف|مقربة))|"
        r"اعطاب|اعطب\w*|[يت]عطب|شهداء|شهيد|شهيدان|شهيدين|استشهاد|انفجرت|حققت (?:العملية )?(?:هدفها|اهدافها))"
        + _E
        + r"|\b(?:hits?|damage[ds]?|killed|wounded|injured|destroyed|casualties|impact(?:ed|s)?|"
        # an army's own idiom for a strike that killed: "eliminated", "neutralized" (the labelling convention
        # reads them as hits, bench/gold/README.md)
        r"eliminat(?:ed|ing)|neutrali[sz](?:ed|ing)|"
        r"achieved its (?:goal|objective|target)s?)\b"
    ),
    "تدمير صاب صيب قتل قتلى جرح جريح ضرار دمار دمر حرق حترق شتعل حريق نيران دك خسائر عطب شهد انفجرت"
    " شهيد هدفها اهدافها طال hit damage kill wound injur destroy casualt impact achieved eliminat neutrali",
)
_DESTROYED = _Gated(_rx(_W + _P + r"(?:تدمير|دمر\w*|[يت]دمر\w*)" + _E + r"|\bdestroyed\b"), "دمر تدمير destroy")
_MISS = _rx(r"(?:دون ان [يت]صيب\w*|دون اصابة|without hitting|missed)")

_VESSEL = _Gated(
    _rx(
        _W
        + _P
        + r"(?:سفينة|سفن|السفينة|ناقلة|ناقلات|مدمرة|بارجة|حاملة طائرات|قارب|قوارب|زورق|زوارق|فرقاطة)"
        + _E
        + r"|\b(?:ships?|vessels?|tankers?|destroyer|frigate|boats?)\b"
    ),
    "سفين سفن ناقل مدمر بارج حامل قارب قوارب زورق زوارق فرقاط ship vessel tanker destroyer frigate boat",
)
# Vessels moored at a quay ("السفن ... في أحد الأرصفة بمدينة بندرعباس") are not at sea: the port's country decides.
_MOORED = _Gated(
    _rx(_W + _P + r"(?:رصيف|ارصفة|مرسى|راسية|الراسية)" + _E + r"|\b(?:docked|moored)\b"),
    "رصيف ارصف مرسى راسي dock moor",
)
_LAUNCH_FROM_IRAN = _rx(r"(?:من|from)\s+(?:ال)?(?:ايران|الاراضي الايرانية|الجمهورية الاسلامية|iran)" + _E)

# Attack verbs for subject (X يستهدف) and verb-subject (استهدفت القوات الأمريكية) readings.
_ATTACK_VERB = _rx(
    r"^\s*(?:ال\w+\s+|(?:fighter jets|jets|aircraft|troops|forces|soldiers|warplanes|navy|drones)\s+)?"
    # English: units and partners between the subject and its verb ("IDF fighter jets and artillery struck",
    # "the IDF and ISA eliminated") and the auxiliaries of the progressive and perfect ("is continuing to strike",
    # "has struck", "are currently striking")
    r"(?:(?:and |, )?(?:fighter jets|jets|aircraft|artillery|tanks|troops|ground troops|forces|soldiers|warplanes|"
    r"navy|naval forces|drones|uavs?|isa|shin bet|helicopters)\s+)*"
    r"(?:(?:is|are|was|were|has|have|had)\s+(?:also\s+)?(?:currently\s+|continuing to\s+|continued to\s+)?)?"
    r"(?:الذي\s+|التي\s+)?(?:و|ف)?(?:[يتن]?ستهدف\w*|استهدف\w*|[يت]قصف|قصف(?:ت|وا)?|[يت]دك|دك(?:ت|وا)?|[يت]حرق|[يت]فجر|"
    r"فجر(?:ت|وا)?|[يت]هاجم|هاجم(?:ت|وا)?|شن(?:ت|وا)?|[يت]شن|نفذ(?:ت|وا|ها)?|[يت]نفذ|اطلق(?:ت|وا)?|[يت]طلق|"
    r"[يت]علن|اعلن(?:ت)?|[يت]تبنى|تبن(?:ى|ت)|[يت]ضرب|ضرب(?:ت|وا)|اسقط(?:ت|وا)?|targeted|targeting|struck|"
    r"strik(?:e|es|ing)|attacked|attacking|launched|fired|hit|bombed|shelled|shot down|downed|claimed|carried out|"
    r"eliminated|eliminating|killed|neutralized|neutralised|raided|conducted (?:an? )?(?:\w+ )?strikes?)" + _E
)
_VERB_BEFORE_AGENT = _rx(
    r"(?:[يت]?ستهدف\w*|استهدف\w*|(?:قصف|دك|هاجم|شن|نفذ|اطلق)(?:ت|ه|ها|ته|تها|وه|وها)|هاجم|"
    r"[يت]شن|[يت]نفذ|[يت]قصف|[يت]هاجم|[يت]طلق)\s+"
    r"(?:(?:\w+)\s+)?$"
)
_AGENT_FILLER = _rx(
    r"^(?:قوات|طائرات|مقاتلات|مقاتلو|مجاهدو|ابطال|ابناء|وحدات|عناصر|صواريخ|مسيرات|بحرية|حركة|جماعة|aircraft|jets|"
    r"fighter jets|troops|forces|the)$"
)
_BY_AGENT = _rx(r"(?:من قبل|من جانب|على يد|بواسطة|\bby)\s*$")
_ATTACK_NOUN_BEFORE = _rx(
    _W
    + _P
    + r"(?:استهداف\w*|قصف|غار(?:ة|ات)|هجوم|هجمات|عدوان|اعتداء\w*|ضرب(?:ة|ات)|attacks?|strikes?)"
    + r"(?:\s+و?(?:عنيف\w*|جوي\w*|صاروخي\w*|مدفعي\w*|مركب|جديد\w*|واسع\w*|مكثف\w*|دقيق\w*|"
    r"(?!الاراضي|الاهالي|المباني|الضواحي|النواحي|الاراضي)ال\w+ي)){0,3}\s*$"
)
_WEAPON_HEAD = _rx(
    _W + _P + r"(?:صواريخ|صاروخ|مسيرات|مسيرة|محلقات|محلقة|طائرات|طائرة|طائرتين|طيار|قذائف|غارات|طيران|سلاح|اسلحة|"
    r"موجة|موجات|رشقات|صليات)(?:\s+(?:باليستي\w*|موجه\w*|نوعي\w*|انقضاضي\w*|ال\w+|كروز|مجنح\w*|حربي\w*|"
    r"دقيق\w*|ذكي\w*|مسير\w*|\w+ي(?:ة|ات|ين)?)){0,2}\s*$" + r"|\b(?:missiles?|drones?|rockets?|aircraft|jets)\s*$"
)
_SPECIFIC_TARGET = _rx(
    _W + _P + r"(?:موقع|قاعدة|ثكنة|دبابة|دبابات|دبابتي|الية|اليات|تجمع|تجمعات|مقر|مطار|ميناء|سفينة|ناقلة|مدمرة|"
    r"منصة|رادار|جسر|منشاة|قوة|جنود|سيارة|عجلة|صهريج|مستوطنة|هدف)ا?" + _E
)
_HOSTILE = _Gated(
    _rx(_W + _P + r"(?:غار(?:ة|ات|تين)|استهداف|قصف|مسير(?:ة|ات)|طائر(?:ة|ات))\s+(?:ال)?معادي(?:ة|ين)?" + _E), "معادي"
)
_IN_RESPONSE = _rx(r"(?:ردا|رد)\s+على|\bin response to\b")
_IN_RESPONSE_GATED = _Gated(_IN_RESPONSE, "رد response")
# An opening clause that gives the reason or the cause of an operation ("ردّاً على الاعتداءات الإسرائيلية على القرى،
# استهدف مجاهدونا ..."; "دعماً لشعبنا في جنوب لبنان، ..."): its attack words and places are the enemy's, not the
# operation's, and it ends at the first comma.
_LEAD_CLAUSE = _Gated(
    _rx(
        _W + r"(?:و)?(?:ردا\s+على|رد\s+على|دعما\s+ل|نصرة\s+ل|اسنادا\s+ل|تضامنا\s+مع|استمرارا\s+ب|انتقاما\s+ل|ثارا\s+ل)"
        r"|\b(?:in response to|in support of|in retaliation for|in solidarity with)\b"
    ),
    "ردا رد دعما نصرة اسنادا تضامنا استمرارا انتقاما ثارا response support retaliation solidarity",
)
_CLAUSE_END = re.compile(r"[،,؛;\n]")
# A header announcing a list of operations ("نفّذ مجاهدونا العمليات الآتية:", "carried out three operations:"):
# the bullets that follow are operations even when they name only a target and a weapon.
_OPS_LIST_HEAD = _Gated(
    _rx(
        r"(?:ال)?عمليات\s+(?:ال)?(?:اتية|تالية)|\b(?:carried out|conducted|executed)\b[^.:\n]{0,40}\boperations\b"
        r"|\bthe following operations\b"
    ),
    "عمليات operations",
)
# The speaker's own site attacked ("تعرّض موقع التنف لهجوم", "the garrison was attacked by drones"): the speaker
# is the target, not the attacker.
_VICTIM = _Gated(
    _rx(
        _W
        + r"(?:[وف]?[يت]?تعرض\w*)\s+(?:\S+\s+){0,4}?(?:ل|ال|لل)"
        + r"(?:هجوم|هجمات|قصف|استهداف|اعتداء\w*|غار(?:ة|ات)|ضرب(?:ة|ات))"
        + _E
        + r"|\b(?:was|were|has been|have been|had been) (?:attacked|targeted|struck)\b|\bcame under (?:attack|fire)\b"
    ),
    "تعرض attacked targeted struck came",
)
# Operations that open with an interception ("إسقاط طائرة مسيّرة", "C-RAM intercepted a drone"): the speaker is
# the defender, so the operation is never the speaker's claim (GUIDE: air-defence engagement is a report).
# "تصدّى" is not one: Hezbollah "confronts" a ground advance by attacking it.
_INTERCEPT_WORD = _rx(
    _W
    + _P
    + r"(?:اعتراض\w*|اعترض\w*|[يت]عترض\w*|اسقاط\w*|اسقط\w*|[يت]سقط(?:ها|ه)?)"
    + _E
    + r"|\b(?:intercept(?:ed|ion|s)?|shot down|downed)\b"
)
# A communiqué's own operation: a past-tense attack verb or "operation" in a statement of an armed group.
_OWN_OPERATION = _rx(_W + _P + r"(?:عملي(?:ة|ات|تين))" + _E + r"|\boperations?\b")
# A protest handed to a state's envoy over an attack names that state as the attacker.
_ENVOY_BEFORE = _rx(r"(?:سفير|السفير|القائم بالاعمال|قائم بالاعمال|مبعوث)\s*$")
_ENVOY_AFTER = re.compile(r"^(?:'s|’s)?\s*(?:charg|ambassador|envoy)")
_PROTEST = _Gated(
    _rx(r"احتجاج|[يت]ستدعي|استدعت|استدعاء|\bprotest|\bsummon"), "احتجاج ستدعي استدعت استدعاء protest summon"
)
# English nisba adjectives come before the weapon ("Iranian artillery", "Israeli airstrikes").
_EN_WEAPON_AFTER = re.compile(
    r"^\s*(?:(?:air|drone|missile|rocket|artillery|mortar)\s+)?(?:artillery|missiles?|drones?|rockets?|strikes?|"
    r"airstrikes?|air strikes?|attacks?|shelling|fire|jets|aircraft|warplanes|uavs?|bombardment|shells?)\b"
)
_AGGRESSION_NAME = _rx(r"[وفبل]?(?:ال)?(?:عدوان|غارات|قصف)\s")
_IRI_NAME = _rx(
    r"المقاومة الاسلامية في العراق|المقاومة الاسلامية العراقية|المقاومة العراقية|islamic resistance in iraq"
)
_AXIS = frozenset(
    {
        "hezbollah",
        "islamic_resistance_iraq",
        "kataib_hezbollah",
        "kataib_sayyid_al_shuhada",
        "nujaba",
        "houthis",
        "irgc",
        "iran_army",
        "iran",
        "hamas",
        "pij",
    }
)
# Statistics of many operations ("حصيلة عمليات المقاومة منذ بداية الشهر"): not one operation (GUIDE: other).
_TALLY = _Gated(
    _rx(r"حصيلة (?:ال)?عمليات|اجمالي (?:ال)?عمليات|عدد (?:ال)?عمليات|\btally of (?:the )?(?:operations|attacks)\b"),
    "حصيل اجمالي عدد tally",
)
_NEGATED_DAMAGE = _Gated(
    _rx(
        r"(?:دون|بدون|من دون|ولا|لا|لم [يت]سجل|ولم [يت]سجل|عدم)\s+(?:تسجيل\s+|وقوع\s+|اي\s+)?"
        r"(?:خسائر|اصابات|اضرار|اصابة|ضحايا|قتلى|جرحى)(?:\s+(?:بشرية|مادية|او\s+اضرار|او\s+اصابات))*"
        r"|\bno (?:casualties|injuries|damage|injuries or damage|casualties or damage)\b(?: (?:were|was) reported)?"
        r"|\bwithout casualties\b"
    ),
    "خسائر اصابات اضرار اصابه ضحايا قتلى جرحى casualties injuries damage",
)
_IRAQ_CUE = _rx(r"(?:العراق|عراقي\w*|بغداد)")
_LEBANON_CUE = _rx(
    r"(?:لبنان|اللبناني\w*|فلسطين المحتلة|العدو الاسرائيلي|مستوطنة|الجليل|ميركافا|ابابيل|جنوبي لبنان|الكيان)"
)

# Segment boundaries: sentence punctuation, explicit bullets, "..", and a line break after a long line.
_SENT_BREAKS = (
    r"(?<=[.!?;])\s+",
    r"\.{2,}\s*",
    r"\n(?=\s*[-•*▪●]\s*)",
    r"(?<=:)\n",
    # sentences glued without a space ("no injuries were reported.a short while ago"): a period between a word
    # of two letters or more and a letter ("u.s." stays whole); the period is matched before the letters behind it
    # are looked at, so the lookbehind runs at the periods only, not at every position of the post
    r"\.(?<=[^\W\d_]{2}\.)(?=[^\W\d_])",
)
# A clock time glued to the next word opens a new entry of a live log ("fire.13:07sirens sounded").
_CLOCK_BREAK = r"(?<=\S)(?=(?<!\d)\d{1,2}:\d{2}(?:,\s*\d{1,2}:\d{2})*[^\W\d_])"
_SENT_END = re.compile("|".join((*_SENT_BREAKS, _CLOCK_BREAK)))
# Most posts hold no colon: without the breaks that need one (the clock time is tried at every position), the
# same breaks are found in two thirds of the time. Most posts with a colon hold no clock time (``_CLOCK``, in
# every clock-time break): the clock break, which can match nowhere there, is left out for them too.
_SENT_END_NO_COLON = re.compile("|".join(b for b in _SENT_BREAKS if ":" not in b))
_SENT_END_NO_CLOCK = re.compile("|".join(_SENT_BREAKS))
_CLOCK = re.compile(r":\d\d")
_SUB_EVENT = {
    "drone": "Air/drone strike",
    "airstrike": "Air/drone strike",
    "missile": "Shelling/artillery/missile attack",
    "rocket": "Shelling/artillery/missile attack",
    "artillery": "Shelling/artillery/missile attack",
}
_IED = _Gated(
    _rx(_W + _P + r"(?:عبوة|عبوات|ناسفة|لغم|الغام|مفخخة)" + _E + r"|\b(?:ied|roadside bomb|landmine)\b"),
    "عبو ناسف لغم الغام مفخخ ied bomb landmine",
)
_SHELLING_WORD = _rx(_W + _P + r"(?:قصف|shelling)" + _E)
# A shooting is an attack when it wounds or kills ("عملية إطلاق نار ... إصابة خطيرة"); "وقف إطلاق النار" is
# masked before (ceasefire), and gunfire with no victim (celebrations, warning shots) is not an operation.
_SHOOTING = _Gated(
    _rx(_W + _P + r"(?:اطلاق (?:ال)?نار|اطلاق الرصاص)" + _E + r"|(?:shooting attack|opened fire)"),
    "اطلاق shooting opened",
)
_CASUALTY = _rx(
    _W
    + _P
    + r"(?:مقتل|قتل(?:ى|ت|وا)?|اصاب(?:ة|ات)|اصيب\w*|مصاب\w*|جرحى|جريح|شهيد\w*|استشهاد|ضحايا)"
    + _E
    + r"|\b(?:killed|wounded|injured|dead)\b"
)
# "X (هي) المسؤولة عن التفجيرات": X is the attacker of the attack it is held responsible for.
_RESPONSIBLE_AFTER = _rx(
    r"^\s*(?:(?:هي|هو|هم)\s+)?(?:ال)?مسؤول\w*\s+عن\s+(?:ال)?(?:هجوم|هجمات|تفجير\w*|استهداف\w*|قصف|اعتداء\w*|"
    r"انفجار\w*|عملية|عمليات)|^\s*(?:is|was|were)\s+responsible\s+for\b"
)
# "نحمّل أمريكا ووكيلها السعودي مسؤولية العدوان": the actor blamed right after the verb is the attacker.
_BLAME_BEFORE = _rx(r"(?<!\w)(?:[نيت]حمل|حمل(?:ت|نا|وا)?)\s+$")
_BLAME_AFTER = _rx(
    r"^(?:\s+\S+){0,3}?\s+(?:ال)?مسؤولي(?:ة|ه)\s+(?:ال)?(?:هجوم|هجمات|تفجير\w*|استهداف\w*|قصف|اعتداء\w*|عدوان)"
)
# A relative clause's verb with no object pronoun has the antecedent as subject: what follows is its object
# ("الصواريخ التي استهدفت إيران"), not its agent ("الهجوم الذي شنته حركة أنصار الله" keeps the agent reading).
_RELATIVE_VERB_BEFORE = re.compile(fold_arabic(r"(?<!\w)(?:التي|الذي|الذين|اللتين|اللذين)\s+(\w+)\s+(?:\w+\s+)?$"))
# "مدينة تشابهار الإيرانية": a place word, a name the gazetteer lacks, and a country nisba place the target.
_NISBA_COUNTRY = {
    "ايراني": "IR",
    "عراقي": "IQ",
    "سوري": "SY",
    "لبناني": "LB",
    "يمني": "YE",
    "سعودي": "SA",
    "اماراتي": "AE",
    "كويتي": "KW",
    "بحريني": "BH",
    "قطري": "QA",
    "اردني": "JO",
    "تركي": "TR",
    "عماني": "OM",
    "مصري": "EG",
}
_PLACE_NISBA = _Gated(
    _rx(
        _W + _P + r"(?:مدينة|مدينتي|بلدة|محافظة|منطقة|جزيرة|ميناء|قاعدة|قرية|ناحية|قضاء|العاصمة)\s+\w+(?:\s+\w+)?\s+"
        r"ال(?P<nisba>" + "|".join(_NISBA_COUNTRY) + r")(?:ة|ه)?" + _E
    ),
    "مدين بلد محافظ منطق جزير ميناء قاعد قري ناحي قضاء عاصم",
)

_FAMILY = {"irgc": "iran", "iran_army": "iran"}


# Substrings every attack trigger contains: a C-speed prefilter before any rule regex runs.
_STEMS = _literal_gate(
    "ستهد قصف غار ضرب هجم هجو هاجم دك عترض عتراض سقط سقاط نفجار فجر فجير عدوان اعتداء دمر تدمير حرق حترق شتعل"
    " اطلاق_نار اطلاق_النار شتبك رشق صلي shooting opened_fire"
    " تصد دفاع صاروخ صواريخ مسير محلق طائر طيران struck strike target attack launch fire intercept"
    " shot down explosion bomb shell hit raid impact drone missile rocket منظوم بطاري موجه موجات"
)


# What the rules work out about a post and its sentences is asked again about the same texts: the learned
# extractor's operation candidates (``operation_candidates``) walk an event post's sentences once the model has
# read the whole batch (``extract.BATCH`` posts, a few hundred sentences past the gate). Pure functions of a text
# are memoized for a batch, so the second reading finds them instead of running the regexes again, and
# ``forget_batch`` drops them once the batch is extracted (a second pass over the same posts starts cold).
_POST_MEMO = 1024  # whole posts
_SENTENCE_MEMO = 4096  # sentences and lines
_BATCH_MEMOS: list[Any] = []
_Args = ParamSpec("_Args")
_T = TypeVar("_T")


def _batch_memo(maxsize: int) -> Callable[[Callable[_Args, _T]], Callable[_Args, _T]]:
    """Memoize a pure function of texts for the current batch (see ``_POST_MEMO``)."""

    def wrap(fn: Callable[_Args, _T]) -> Callable[_Args, _T]:
        memo = lru_cache(maxsize=maxsize)(fn)
        _BATCH_MEMOS.append(memo)
        return cast(Callable[_Args, _T], memo)

    return wrap


def forget_batch() -> None:
    """Drop what the rules memoized about the batch just extracted."""
    for memo in _BATCH_MEMOS:
        memo.cache_clear()


@dataclass(frozen=True, slots=True)
class _Segment:
    start: int  # offsets into the normalized text
    end: int
    text: str


@_batch_memo(_POST_MEMO)
def _segments(norm: str) -> tuple[_Segment, ...]:
    """Cut the normalized text into sentence-like segments, joining short continuation lines (memoized: the
    operation candidates cut the same text)."""
    segs: list[_Segment] = []
    pos = 0
    if ":" not in norm:
        breaks = _SENT_END_NO_COLON
    else:
        breaks = _SENT_END if _CLOCK.search(norm) is not None else _SENT_END_NO_CLOCK
    for m in breaks.finditer(norm):
        if m.start() > pos:
            segs.append(_Segment(pos, m.start(), norm[pos : m.start()]))
        pos = m.end()
    if pos < len(norm):
        segs.append(_Segment(pos, len(norm), norm[pos:]))
    # A line break inside a segment splits it only after a long line (a paragraph), not a wrapped phrase.
    out: list[_Segment] = []
    for s in segs:
        if "\n" not in s.text:
            out.append(s)
            continue
        start = s.start
        buf_start = start
        for line in s.text.split("\n"):
            line_end = start + len(line)
            if len(line) >= 90 and line_end < s.end:
                out.append(_Segment(buf_start, line_end, norm[buf_start:line_end]))
                buf_start = line_end + 1
            start = line_end + 1
        if buf_start < s.end:
            out.append(_Segment(buf_start, s.end, norm[buf_start : s.end]))
    return tuple(s for s in out if s.text.strip())


def _mask(text: str, pattern: re.Pattern[str] | _Gated) -> str:
    return pattern.sub(lambda m: " " * len(m.group()), text)


@_batch_memo(_POST_MEMO)
def _masked_all(norm: str) -> str:
    """The text with interceptors, "not an attack" phrases and weapons as targets blanked, offsets kept (what attack
    words and weapons are looked for in; memoized: the operation candidates mask the same text)."""
    return _mask(_mask(_mask(norm, _INTERCEPTOR), _NOT_ATTACK), _WEAPON_AS_TARGET)


@_batch_memo(_SENTENCE_MEMO)
def _stated_date(text: str, ref_day: date | None) -> EventDate | None:
    """``find_stated_date`` memoized (the operation candidates date the same sentences)."""
    return find_stated_date(text, ref_day)


@_batch_memo(_SENTENCE_MEMO)
def _trigger_at(masked: str) -> int:
    """Offset of the first attack word in a (masked) segment, or -1 (cached: several rules ask)."""
    m = _TRIGGER.search(masked)
    return m.start() if m is not None else -1


@_batch_memo(_SENTENCE_MEMO)
def _first_weapon(masked: str) -> tuple[str | None, int]:
    """The first weapon named (GUIDE), or "unspecified" for a combined attack; (None, -1) when none."""
    comb = _COMBINED.search(masked)
    if comb is not None:
        return "unspecified", comb.start()
    m = _WEAPON_ANY.search(masked)
    if m is not None:
        return m.lastgroup, m.start()
    if _WEAK_AIR.search(masked):
        return "airstrike", 0
    return None, -1


def weapon_named(norm: str) -> str | None:
    """The first weapon a whole post names (its matching form ``norm``; interceptors, weapons named as targets and
    "not an attack" phrases aside), or None when it names none or only a combined attack. A bulletin's first
    operation often names no means ("The IDF struck military infrastructure in Syria") where its account goes on to
    name one ("... an IDF aircraft struck"); the learned weapon head weighs this as a cue (``features``)."""
    weapon, _at = _first_weapon(_masked_all(norm))
    return weapon if weapon != "unspecified" else None


def outcome_told(norm: str) -> bool | None:
    """What a whole post (its matching form ``norm``) tells of the outcome: intercepted (True), hit (False) or
    neither (None), read as one operation's sentence is read. The learned interception head weighs it as a cue
    where the first operation's sentence tells another or none (``features``)."""
    return _intercepted(norm)


def _resolve_context_actor(mention: ActorMention, norm: str) -> str:
    """ "المقاومة الإسلامية" alone is Hezbollah unless the post is about Iraq and not Lebanon/Israel."""
    if mention.how != "context":
        return mention.actor_id
    if _IRI_NAME.search(norm):
        return "islamic_resistance_iraq"  # the post names the Iraqi umbrella: "المقاومة الإسلامية" is its short form
    if _IRAQ_CUE.search(norm) and not _LEBANON_CUE.search(norm):
        return "islamic_resistance_iraq"
    return mention.actor_id


def _header_end(norm: str) -> int:
    """End of a statement header ("حزب الله:", "القيادة المركزية الأمريكية (سنتكوم):"), or 0 when there is none.

    The header names who speaks: its actor is the speaker, never an attacker or a target, and its places
    ("جهاز مكافحة الإرهاب في إقليم كردستان:") say who speaks, not where the operation was.
    """
    colon = norm.find(":", 0, 160)
    if colon <= 0:
        return 0
    head = norm[:colon]
    if len(head.split()) > 9 or head.strip()[-2:].isdigit():
        return 0
    return colon


def _speaker(norm: str, mentions: list[ActorMention]) -> tuple[str | None, bool, str | None]:
    """The actor a post speaks for, whether its header is media, and which claim marker was seen.

    Markers: "statement header" ("حزب الله:" — the speaker's word, but whether it claims an attack depends on
    who the attack is by), "announcement" ("X يعلن عن استهداف", "X يتبنى") and "statement" ("بيان صادر عن X"),
    which also let the speaker stand in for an attacker the text leaves implicit.
    """
    speaker: str | None = None
    media = False
    marker: str | None = None
    colon = _header_end(norm)
    if colon > 0:
        head = norm[:colon]
        # a media word inside an actor's own name ("خلية الإعلام الأمني") is its press office, not media
        media = any(
            not any(mt.start <= md.start() < mt.end and mt.how != "adjective" for mt in mentions)
            for md in _MEDIA.finditer(head)
        )
        for mt in mentions:
            if mt.start >= colon:
                break
            if mt.how != "adjective":
                speaker, marker = _resolve_context_actor(mt, norm), "statement header"
                break
    # English communiqué style opens with the actor doing the attack ("The Islamic Resistance in Iraq targeted
    # ... using drones"); Arabic channel narration in that shape ("حزب الله يستهدف") is a report (GUIDE).
    lead = mentions[0] if mentions else None
    if (
        lead is not None
        and lead.how != "adjective"
        and lead.start <= 6
        and norm[: lead.end].isascii()
        and _EN_COMMUNIQUE.match(norm[lead.end :])
    ):
        return _resolve_context_actor(lead, norm), False, "communique"
    for mt in mentions:
        if mt.how == "adjective":
            continue
        after = norm[mt.end : mt.end + 30]
        before = norm[max(0, mt.start - 40) : mt.start]
        if _ANNOUNCE_VERB.search(after):
            return _resolve_context_actor(mt, norm), False, "announcement"
        if _STATEMENT_OF.search(before):
            return _resolve_context_actor(mt, norm), False, "statement"
    return speaker, media, marker


def _attacker(
    seg: _Segment, masked: str, norm: str, mentions: list[ActorMention], header_end: int = 0
) -> tuple[str | None, str]:
    """The attacker named in a segment and the cue it came from (strongest cue wins)."""
    best: tuple[int, str | None, str] = (99, None, "none")
    protest = None
    for mt in mentions:
        if not (seg.start <= mt.start < seg.end) or mt.how == "speaker" or mt.start < header_end:
            continue
        if masked[mt.start - seg.start : mt.end - seg.start].strip() == "":
            continue  # inside an interceptor phrase ("الدفاعات الجوية الإيرانية")
        before = norm[max(seg.start, mt.start - 60) : mt.start]
        after = norm[mt.end : min(seg.end, mt.end + 40)]
        actor = _resolve_context_actor(mt, norm)
        rank = 99
        cue = ""
        if _BY_AGENT.search(before):
            rank, cue = 0, "by-agent"
        elif _WEAPON_HEAD.search(before):
            rank, cue = 1, "weapon of"
        elif mt.how == "adjective" and _ATTACK_NOUN_BEFORE.search(before):
            rank, cue = 2, "attack marked as"
        elif mt.how == "adjective" and norm[mt.start : mt.end].isascii() and _EN_WEAPON_AFTER.match(after):
            rank, cue = 1, "weapon of"
        elif mt.how == "name" and _AGGRESSION_NAME.match(norm, mt.start):
            rank, cue = 2, "attack marked as"  # "العدوان الأمريكي" names the attack and its author
        elif (
            mt.how != "adjective"
            and _ATTACK_NOUN_BEFORE.search(before)
            and norm[mt.start : mt.start + 2]
            in (
                "لل",
                "لح",
                "لا",
            )
        ):
            rank, cue = 2, "attack of"
        elif mt.how != "adjective" and (
            _RESPONSIBLE_AFTER.search(after)
            or ("حمل" in before and _BLAME_BEFORE.search(before) and _BLAME_AFTER.search(after))
        ):
            rank, cue = 2, "held responsible"
        elif mt.how != "adjective" and _ATTACK_VERB.search(after):
            rank, cue = 3, "subject"
        elif mt.how != "adjective" and _VERB_BEFORE_AGENT.search(before[-40:]):
            tail = before.split()
            rel = _RELATIVE_VERB_BEFORE.search(before[-50:])
            if rel is not None and not rel.group(1).endswith(("ه", "ها", "هم")):
                pass  # "الصواريخ التي استهدفت إيران": the object of the clause, not its agent
            elif tail and (
                len(tail) < 2
                or _AGENT_FILLER.match(tail[-1])
                or _ATTACK_VERB.match(tail[-1])
                or _VERB_BEFORE_AGENT.match(tail[-1] + " ")
            ):
                rank, cue = 3, "agent"
        elif _ENVOY_BEFORE.search(before[-25:]) or _ENVOY_AFTER.match(after):
            if protest is None:
                protest = _PROTEST.search(seg.text) is not None
            if protest:
                rank, cue = 5, "protest to its envoy"
        if rank < best[0]:
            best = (rank, actor, cue)
    if best[1] is None and _LAUNCH_FROM_IRAN.search(seg.text):
        return "iran", "launched from Iran"
    if best[1] is None and _HOSTILE.search(masked):
        return "hostile", "hostile strike"
    return best[1], best[2]


# Words that make a following actor name a target or an owner, not an agent ("استهداف قوات جيش الاحتلال").
_NOT_AGENT_WORDS = frozenset(
    fold_arabic(w)
    for w in [
        "على",
        "ضد",
        "استهداف",
        "مواقع",
        "موقع",
        "تابعة",
        "التابعة",
        "نحو",
        "باتجاه",
        "جنود",
        "قاعدة",
        "قواعد",
        "الى",
        "إلى",
        "against",
        "on",
    ]
)


def _speaker_acts_in(seg: _Segment, norm: str, mentions: list[ActorMention], speaker: str, header_end: int = 0) -> bool:
    """A statement whose operation sentence names the speaker's own forces, not as a target
    ("الجيش الأمريكي: بدأت قوات القيادة المركزية الأمريكية سلسلة من الضربات")."""
    for mt in mentions:
        if not (seg.start <= mt.start < seg.end) or mt.how not in ("name", "context") or mt.start < header_end:
            continue
        if norm[mt.start : mt.end].isascii():
            continue  # English army posts name their own troops as victims too; their claims have a verb
        if not _same_side(_resolve_context_actor(mt, norm), speaker):
            continue
        if norm[mt.end : mt.end + 3].lstrip().startswith(":"):
            continue  # the statement header itself
        prev = norm[max(seg.start, mt.start - 30) : mt.start].split()[-2:]
        if norm[mt.start] == "ل" or any(w in _NOT_AGENT_WORDS for w in prev):
            continue
        return True
    return False


def _same_side(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    return a == b or _FAMILY.get(a) == b or _FAMILY.get(b) == a


@_batch_memo(_SENTENCE_MEMO)
def _intercepted(seg_text: str) -> bool | None:
    """Whether the text says the weapon was intercepted (True), hit or failed to be stopped (False), or neither
    (None); memoized: the operation candidates ask about the same sentences."""
    hit = _HIT.search(seg_text) is not None
    if hit:
        unhit = _mask(seg_text, _NEGATED_DAMAGE)  # "دون تسجيل خسائر", "no casualties": not a hit
        if unhit != seg_text:
            seg_text = unhit
            hit = _HIT.search(seg_text) is not None
    if _INTERCEPT_FAILED.search(seg_text):
        return False
    tried = _INTERCEPT_TRIED.search(seg_text)
    if _INTERCEPT_TRUE.search(seg_text) and not tried:
        return True
    if _MISS.search(seg_text):
        return None
    return False if hit else None


def _has_casualty(text: str) -> bool:
    """Killed or wounded people are named, not denied ("دون إصابات", "no casualties")."""
    return _CASUALTY.search(_mask(text, _NEGATED_DAMAGE)) is not None


def _destroyed_by_defence(seg_text: str, seg_masked: str) -> bool:
    """A "destroyed" word whose destroyer is the air defence ("دمرتها الدفاعات الجوية"), not one whose object is
    an air-defence asset ("تم تدمير رادار باتريوت": the defence was the target)."""
    for d in _DESTROYED.pattern.finditer(seg_text):
        ahead = seg_masked[d.end() : d.end() + 30]
        gap = len(ahead) - len(ahead.lstrip())
        words = ahead.split()
        # the object of "تدمير" right after it is masked (an interceptor), or a radar/battery of one is
        obj_masked = gap >= 3 and "تدمير" in d.group()
        if obj_masked or (words and words[0] in _DEFENCE_ASSETS and "  " in ahead):
            continue
        return True
    return False


_DEFENCE_ASSETS = frozenset(fold_arabic(w) for w in ("رادار", "الرادار", "رادارات", "منظومة", "بطارية", "نظام"))


def _place_for(
    places: list[PlaceMatch], seg: _Segment, attacker: str | None, defence_fire: bool, vessel_at: int
) -> tuple[str | None, PlaceMatch | None]:
    """Target country and the most specific target place among the places of a segment."""
    home = actor_country(attacker) if attacker else None
    country: str | None = None
    loc: PlaceMatch | None = None
    sea: PlaceMatch | None = None
    for pm in places:
        if not (seg.start <= pm.start < seg.end):
            continue
        if pm.origin and not defence_fire:
            continue
        rec = pm.record
        if rec["feature"] == "country" and home and rec["country"] == home and home in ("IR", "IL", "US"):
            continue  # "صواريخ إيران" / "إسرائيل تقصف": the attacker's own country is not the target
        if rec["feature"] == "sea":
            sea = sea or pm
            if loc is None:
                loc = pm
            continue
        if country is None:
            country = rec["country"]
        if loc is None and rec["feature"] not in ("country", "direction_region"):
            loc = pm
    if loc is not None and loc.record["feature"] != "sea":
        country = loc.record["country"]  # "في أم الرشراش ... نصرةً لأهلنا في لبنان": the place decides
    # A vessel named before the target place is the target ("استهداف سفينة قبالة الحديدة"); one named only after a
    # land target ("منشآت في جفير في البحرين ... رادار كشف السفن") is not.
    vessel = vessel_at >= 0 and (loc is None or loc.record["feature"] == "sea" or vessel_at < loc.start)
    if vessel:
        country = "SEA"
    elif country is None and sea is not None:
        country = sea.record.get("coast_country") or "SEA"
    if loc is not None and loc.record["feature"] == "sea" and not vessel and country not in (None, "SEA"):
        coast = loc.record.get("coast_country")
        if coast != country:
            loc = None
    return country, loc


_ODD_BREAKS = ("\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85")


def _line_map(text: str, norm: str, upto: int | None = None) -> list[tuple[int, int, int, int]] | None:
    """(norm_start, norm_end, orig_start, orig_end) per non-empty line, or None when lines do not align.

    With ``upto``, lines are mapped only until one ends at or after that normalized offset (the evidence of
    the first operations is near the top; the tail of a long post need not be normalized again).
    """
    if any(b in text for b in _ODD_BREAKS):
        return None
    out = []
    npos = 0
    opos = 0
    parts: list[str] = []
    for line in text.split("\n"):
        nl = _norm_line(line)
        if nl:
            if parts:
                npos += 1
            out.append((npos, npos + len(nl), opos, opos + len(line)))
            parts.append(nl)
            npos += len(nl)
            if upto is not None and npos >= upto:
                return out if norm.startswith("\n".join(parts)) else None
        opos += len(line) + 1
    return out if "\n".join(parts) == norm else None


@_batch_memo(_SENTENCE_MEMO)
def _norm_line(line: str) -> str:
    """``normalize_for_matching`` of one line of a post (memoized: the operation candidates map the same lines)."""
    return normalize_for_matching(line)


@_batch_memo(_SENTENCE_MEMO)
def _line_offsets(line: str) -> list[int]:
    """Offsets into ``line`` of its matching form's characters (an operation's start and end are often in the
    same line: it is mapped once)."""
    return normalize_with_offsets(line)[1]


def _to_orig(text: str, lines: list[tuple[int, int, int, int]], k: int, end: bool) -> int:
    """Original offset of normalized offset ``k`` (exclusive end when ``end``), refining inside one line."""
    for ns, ne, os_, oe in lines:
        if ns <= k <= ne:
            if (k == ns and not end) or (k == ne and end):
                line = text[os_:oe]
                stripped = line.strip()
                lead = line.find(stripped[:1]) if stripped else 0
                return os_ + lead if not end else os_ + len(line.rstrip())
            offs = _line_offsets(text[os_:oe])
            if not offs:
                return os_
            if end:
                return os_ + offs[min(max(k - ns - 1, 0), len(offs) - 1)] + 1
            return os_ + offs[min(k - ns, len(offs) - 1)]
    return len(text) if end else 0


def _evidence(text: str, norm: str, spans: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Map spans of the normalized text back to the original text (only for emitted operations)."""
    lines = _line_map(text, norm, max((end for _s, end in spans), default=0))
    out = []
    if lines is not None:
        for start, end in spans:
            s = _to_orig(text, lines, start, False)
            e = max(s, _to_orig(text, lines, end, True))
            out.append((text[s:e], s, e))
        return out
    slow, offsets = normalize_with_offsets(text)
    for start, end in spans:
        if slow == norm and offsets:
            s = offsets[min(start, len(offsets) - 1)]
            e = offsets[min(max(end - 1, 0), len(offsets) - 1)] + 1
            out.append((text[s:e], s, e))
        else:
            stripped = text.strip()
            s = text.find(stripped) if stripped else 0
            out.append((stripped, s, s + len(stripped)))
    return out


def named_places(ex: Extraction) -> list[PlaceMatch]:
    """The places a post names, read now and kept when the rules stopped before reading them (only event posts
    need them, and both the operation candidates and the extractor's target country ask)."""
    if ex.places is None:
        ex.places = get_gazetteer().find(ex.norm)
    return ex.places


def _other(reason: str, cues: dict[str, Any] | None = None) -> Extraction:
    return Extraction("other", [], [reason], {"gate": reason.split(" (")[0][:60], **(cues or {})})


def extract_claims(text: str, posted_at: datetime | None, norm: str | None = None) -> Extraction:
    """Read a post: what it is, and every attack operation it names (see the module docstring).

    ``posted_at`` anchors relative dates ("أمس") and is the default event date (its Baghdad calendar day).
    ``norm``: the text's matching form when the caller already has it. Never raises: unusable input gives
    ``other`` with the reason in ``reasons``.
    """
    try:
        return _extract(text, posted_at, norm)
    except Exception as exc:  # rules must never take the pipeline down
        ex = _other(f"extractor error: {type(exc).__name__}: {exc}"[:200])
        ex.norm = normalize_for_matching(text[:MAX_CHARS]) if isinstance(text, str) else ""
        return ex


def _mask_segment(norm: str, seg: _Segment, masked_all: str) -> str:
    """The segment with interceptors and ceasefire phrases blanked, and what follows "in response to" dropped
    when the operation came first ("قصفنا ... ردا على إطلاق الصواريخ": the missiles are the enemy's)."""
    masked = masked_all[seg.start : seg.end]
    resp = _IN_RESPONSE_GATED.search(masked)
    if resp is not None:
        trig_at = _trigger_at(masked)
        if 0 <= trig_at < resp.start():
            return masked[: resp.start()] + " " * (len(masked) - resp.start())
    lead = _LEAD_CLAUSE.search(masked)
    while lead is not None:
        trig_at = _trigger_at(masked)
        if 0 <= trig_at < lead.start():
            break  # the operation comes first: the clause is about it
        end = _CLAUSE_END.search(masked, lead.end())
        if end is None or _TRIGGER.search(masked, end.end()) is None:
            break  # no operation after the clause: leave the text as it is
        masked = masked[: lead.start()] + " " * (end.start() - lead.start()) + masked[end.start() :]
        lead = _LEAD_CLAUSE.pattern.search(masked, end.end())
    return masked


def _is_operation(seg: _Segment, masked: str, mentions: list[ActorMention], post_casualty: bool = False) -> bool:
    """Attack vocabulary in a military context, not negated (threat, denial, alert, accident, court...).

    ``post_casualty``: a short post names casualties in another sentence (a shooting, then its toll)."""
    ad_engaged = _AD_ENGAGED.search(seg.text) is not None or _AD_SYSTEM.search(seg.text) is not None
    has_weapon = _first_weapon(masked)[0] is not None
    trig = _trigger_at(masked) >= 0
    shooting = _SHOOTING.search(masked) is not None and (post_casualty or _has_casualty(masked))
    wave = _WAVE_LAUNCH.search(masked) is not None
    if not (
        trig
        or ad_engaged
        or shooting
        or wave
        or (has_weapon and (_WEAPON_TRIGGER.search(masked) or _HEADING.search(masked)))
    ):
        return False
    modal_at = -1
    for neg in _ANY_NEGATOR.finditer(seg.text):
        if neg.lastgroup == "neg":
            return False
        if modal_at < 0:
            modal_at = neg.start()
    if modal_at >= 0:
        past = _PAST_ATTACK.search(masked)
        if past is None or modal_at < past.start():
            return False
    if ad_engaged or has_weapon or shooting or wave or _STRONG_TRIGGER.search(masked) or _MIL_CONTEXT.search(masked):
        return True
    return any(seg.start <= m.start < seg.end and m.how in ("name", "adjective") for m in mentions)


def _extract(text: Any, posted_at: datetime | None, norm: str | None = None) -> Extraction:
    if text is None:
        return _other("no text")
    if not isinstance(text, str):
        text = str(text)
    reasons: list[str] = []
    if len(text) > MAX_CHARS:
        reasons.append(f"text of {len(text)} chars: only the first {MAX_CHARS} were read")
        text = text[:MAX_CHARS]
    if posted_at is not None and not isinstance(posted_at, datetime):
        reasons.append("posted_at is not a datetime: ignored")
        posted_at = None
    if norm is None:
        norm = normalize_for_matching(text)
    ex = _read(text, norm, posted_at, reasons)
    ex.norm = norm
    return ex


def _read(text: str, norm: str, posted_at: datetime | None, reasons: list[str]) -> Extraction:
    if not norm:
        return _other("empty text")
    if not any(ch.isalpha() for ch in norm):
        return _other("no words (emoji, symbols or digits only)")
    if _STEMS.search(norm) is None or (
        _TRIGGER.search(norm) is None
        and _WEAPON_TRIGGER.search(norm) is None
        and _AD_ENGAGED.search(norm) is None
        and _AD_SYSTEM.search(norm) is None
        and _OPS_LIST_HEAD.search(norm) is None
        and _SHOOTING.search(norm) is None
        and _HEADING.search(norm) is None
        and _WAVE_LAUNCH.search(norm) is None
    ):
        return _other("no attack vocabulary")
    if _TALLY.search(norm):
        return _other("a tally of many operations, not one operation")

    segments = _segments(norm)
    mentions = get_actor_matcher().find(norm)
    speaker, media_header, marker = _speaker(norm, mentions)
    footage = _FOOTAGE.search(norm)
    first_person = _FIRST_PERSON.search(norm) is not None
    mujahideen = _MUJAHIDEEN.search(norm)
    masked_all = _masked_all(norm)
    ref_day = local_post_date(posted_at)
    old_footage = OLD_FOOTAGE_RE.search(norm) is not None

    header_end = _header_end(norm) if speaker is not None or media_header else 0
    ops_list = _OPS_LIST_HEAD.search(norm)
    candidates: list[tuple[int, _Segment, str]] = []
    post_casualty = len(segments) <= 3 and _SHOOTING.search(norm) is not None and _has_casualty(norm)
    for idx, seg in enumerate(segments):
        masked = _mask_segment(norm, seg, masked_all)
        if _is_operation(seg, masked, mentions, post_casualty) or (
            ops_list is not None
            and seg.start >= ops_list.end()
            and _first_weapon(masked)[0] is not None
            and not _NEGATORS.search(seg.text)
        ):
            candidates.append((idx, seg, masked))
    claim_marked = bool(marker in ("announcement", "statement", "communique") or footage or first_person or mujahideen)
    cues: dict[str, Any] = {
        "speaker": guide_label(speaker) if speaker else None,
        "marker": marker,
        "media_header": media_header,
        "footage": footage is not None,
        "first_person": first_person,
        "mujahideen": mujahideen is not None,
        "old_footage": old_footage,
        "ops_list": ops_list is not None,
        "candidates": len(candidates),
        "segments": len(segments),
        "mentions": [
            (guide_label(_resolve_context_actor(m, norm)), m.how, m.start < (header_end or 40)) for m in mentions
        ],
    }
    if not candidates:
        return _other("attack words without a military context, or negated (threat, denial, alert, accident)", cues)
    # A long piece that only mentions an attack deep inside is analysis, not a report (GUIDE).
    if len(norm) > 600 and candidates[0][0] >= 3 and not claim_marked and marker is None:
        return _other("attack mentioned in passing in a long piece (analysis)", cues)

    footage_actor: str | None = None
    if footage is not None:
        for mt in mentions:
            # the publisher ("حزب الله ينشر مشاهد من عملية استهداف ...")
            if mt.end <= footage.start() and _PUBLISHES.match(norm[mt.end : footage.start()]):
                footage_actor = _resolve_context_actor(mt, norm)
        for mt in mentions:
            if footage_actor is not None:
                break
            # the agent right after the attack noun, not the owner of the target ("دبابة تابعة لجيش العدو")
            if footage.end() <= mt.start <= footage.end() + 40 and mt.how not in ("speaker", "adjective"):
                prev = norm[max(footage.end(), mt.start - 30) : mt.start].split()[-2:]
                if norm[mt.start] == "ل" or any(w in _NOT_AGENT_WORDS for w in prev):
                    continue
                footage_actor = _resolve_context_actor(mt, norm)
                break
    if mujahideen is not None and footage_actor is None:
        for mt in mentions:
            if mujahideen.end() <= mt.start <= mujahideen.end() + 3:
                footage_actor = _resolve_context_actor(mt, norm)
                break
    claimant = footage_actor or (None if media_header else speaker)
    # Short posts are one operation told as headline + detail: the first weapon named anywhere counts.
    post_weapon = _first_weapon(masked_all)[0] if len(segments) <= 3 and len(norm) < 400 else None

    places = get_gazetteer().find(norm)
    cues["header_end"] = header_end
    # A label header ("Kurdistan Region Counter-Terrorism:", "مصدر أمني في أربيل:") says who speaks: its places
    # are read only when the body names none. A header that itself tells the attack is not a label.
    place_header_end = _header_end(norm) if places else 0
    if place_header_end and (
        places[0].start >= place_header_end or _TRIGGER.search(norm, 0, place_header_end) is not None
    ):
        place_header_end = 0
    cues["place_header_end"] = place_header_end  # the operation candidates read places after it too
    ops: list[tuple[Operation, bool]] = []
    seen: set[tuple[Any, ...]] = set()
    outcome_text: str | None = None
    for _idx, seg, masked in candidates:
        attacker, cue = _attacker(seg, masked, norm, mentions, header_end)
        # The speaker defends (shoots down, intercepts) or is attacked: the operation is not its own.
        trig_at = _trigger_at(masked)
        defender = (
            (trig_at >= 0 and _INTERCEPT_WORD.match(masked, trig_at) is not None)
            or _VICTIM.search(seg.text) is not None
            or (trig_at < 0 and _SHOOTING.search(masked) is not None)  # "يعلن عن مقتل جندي جراء إطلاق النار"
        )
        if (
            attacker is None
            and claimant is not None
            and not defender
            and _speaker_acts_in(seg, norm, mentions, claimant, header_end)
        ):
            attacker, cue = claimant, "speaker's own forces named"
        kind = "report"
        if claimant is not None and not defender:
            own_op = (
                marker == "statement header"
                and guide_label(claimant) in _AXIS
                and (_PAST_ATTACK.search(masked) is not None or _OWN_OPERATION.search(masked) is not None)
            )
            if attacker is None and (claim_marked or own_op):
                attacker, cue = claimant, "claimant"
            if _same_side(attacker, claimant):
                kind = "claim"
                if guide_label(claimant) != "other" or attacker is None:
                    attacker = claimant
        elif first_person and attacker is None and not media_header and not defender:
            kind = "claim"
        weapon = _first_weapon(masked)[0] or post_weapon or "unspecified"
        defence = masked_all[seg.start : seg.end] != seg.text
        defence_fire = defence and _INTERCEPT_TRUE.search(seg.text) is None
        vessel_m = _VESSEL.search(masked)
        if vessel_m is not None and _MOORED.search(masked) is not None:
            vessel_m = None
        vessel_at = seg.start + vessel_m.start() if vessel_m is not None else -1
        all_places = [
            pm
            for pm in places
            if not any(
                mt.start <= pm.start < mt.end and _resolve_context_actor(mt, norm) == attacker for mt in mentions
            )
        ]
        seg_places = [pm for pm in all_places if pm.start >= place_header_end] if place_header_end else all_places
        if attacker == "hostile":
            country0, _l = _place_for(seg_places, seg, None, defence_fire, vessel_at)
            attacker, cue = (
                ("israel", "hostile strike in Israel's theatre")
                if country0 in ("LB", "SY", "PS")
                else (
                    None,
                    "",
                )
            )
        country, loc = _place_for(seg_places, seg, attacker, defence_fire, vessel_at)
        if country is None:
            # The target may be placed in the headline while the details follow (or the reverse).
            country, loc2 = _place_for(all_places, _Segment(0, len(norm), norm), attacker, defence_fire, vessel_at)
            loc = loc or loc2
        if country is None:
            nis = _PLACE_NISBA.search(seg.text) or _PLACE_NISBA.search(norm)
            if nis is not None:
                country = _NISBA_COUNTRY[nis.group("nisba")]
        intercepted = _intercepted(seg.text)
        if intercepted is None and len(segments) <= 3 and _intercepted(norm) is not None:
            if outcome_text is None:
                # headline + detail: the outcome may be in another sentence, but not in a threat or a vow
                # ("وستبقى عملياتنا متواصلة في دكّ معاقل العدو")
                outcome_text = norm
                for other_seg in segments:
                    if _ANY_NEGATOR.search(other_seg.text):
                        outcome_text = (
                            outcome_text[: other_seg.start]
                            + " " * (other_seg.end - other_seg.start)
                            + outcome_text[other_seg.end :]
                        )
            intercepted = _intercepted(outcome_text)
        if (
            intercepted is False
            and defence
            and _destroyed_by_defence(seg.text, masked_all[seg.start : seg.end])
            and not _INTERCEPT_FAILED.search(seg.text)
        ):
            intercepted = True  # "destroyed by the air-defence system": the defender shot it down
        # Date: the operation's own sentence, then what precedes it (headline), then the post's day.
        ed: EventDate | None = _stated_date(seg.text, ref_day)
        if (ed is None or ed.date is None) and seg.start:
            ed2 = find_stated_date(norm[: seg.start], ref_day)
            if ed2 is not None and ed2.date is not None:
                ed = ed2
        if ed is None or ed.date is None:
            if old_footage:
                ed = EventDate(None, None, "archive footage with no datable reference")
            elif ed is None:
                ed = EventDate(ref_day, 1 if ref_day else None, "post date (Asia/Baghdad)")
        actor_label = guide_label(attacker) if attacker else "unknown"
        sub_event = _SUB_EVENT.get(weapon, "Attack")
        if intercepted:
            sub_event = "Disrupted weapons use"
        elif weapon == "unspecified" and _IED.search(seg.text):
            sub_event = "Remote explosive/landmine/IED"
        elif weapon == "unspecified" and _SHELLING_WORD.search(seg.text):
            sub_event = "Shelling/artillery/missile attack"
        specific = bool(
            (loc is not None)
            or (ed.reason and not ed.reason.startswith("post date"))
            or _SPECIFIC_TARGET.search(masked)
        )
        confidence = 0.45
        confidence += 0.15 if kind == "claim" else 0.0
        confidence += 0.1 if weapon != "unspecified" else 0.0
        confidence += 0.1 if loc is not None or country else 0.0
        confidence += 0.1 if attacker else 0.0
        confidence += 0.05 if ed.date and ed.reason and ed.reason.startswith("stated") else 0.0
        key = (actor_label, weapon, country, loc.record["location_id"] if loc else None, ed.date, intercepted)
        if key in seen:
            continue
        seen.add(key)
        geo_precision = None
        if loc is not None:
            geo_precision = max(int(loc.record["geo_precision"]), 2 if loc.near else 1)
        elif country and country != "SEA":
            geo_precision = 3
        op = Operation(
            kind=kind,
            actor=actor_label,
            weapon=weapon,
            target_country=country,
            location=loc.record["name_en"] if loc else None,
            location_id=loc.record["location_id"] if loc else None,
            lat=loc.record["lat"] if loc else None,
            lon=loc.record["lon"] if loc else None,
            geo_precision=geo_precision,
            event_date=ed.date,
            date_precision=ed.precision,
            intercepted=intercepted,
            sub_event_type=sub_event,
            confidence=round(min(confidence, 0.95), 2),
            evidence="",
            evidence_start=seg.start,
            evidence_end=seg.end,
            actor_id=attacker,
            date_reason=ed.reason,
        )
        if cue:
            reasons.append(f"op {len(ops) + 1}: actor from {cue}")
        ops.append((op, specific))

    if not ops:
        ex = _other("no operation after de-duplication", cues)
        ex.places = places
        return ex
    # GUIDE: the post is described by its first *specific* operation; when a statement recounts the enemy's
    # attack and then its own response, it is a claim of its own operation.
    order = sorted(range(len(ops)), key=lambda i: (ops[i][0].kind != "claim", not ops[i][1], i))
    if not any(op.kind == "claim" for op, _s in ops):
        order = sorted(range(len(ops)), key=lambda i: (not ops[i][1], i))
    first = order[0]
    ordered = [ops[first][0]] + [op for i, (op, _s) in enumerate(ops) if i != first]
    spans = _evidence(text, norm, [(op.evidence_start, op.evidence_end) for op in ordered])
    for op, (ev, ev_start, ev_end) in zip(ordered, spans, strict=True):
        op.evidence, op.evidence_start, op.evidence_end = ev, ev_start, ev_end
    return Extraction(ordered[0].kind, ordered, reasons, cues, places=places)


def sub_event_type(weapon: str | None, intercepted: bool | None, text: str) -> str:
    """ACLED's sub-event type of an operation with this weapon and outcome, told in ``text`` (matching form)."""
    if intercepted:
        return "Disrupted weapons use"
    if weapon == "unspecified" and _IED.search(text):
        return "Remote explosive/landmine/IED"
    if weapon == "unspecified" and _SHELLING_WORD.search(text):
        return "Shelling/artillery/missile attack"
    return _SUB_EVENT.get(weapon or "", "Attack")


def whole_post_operation(text: str, posted_at: datetime | None, kind: str, actor: str | None) -> Operation:
    """An operation read from the whole post, for posts the rules found no operation in but the model did:
    the target place among all places named, the stated date or the post's day, the first weapon named."""
    norm = normalize_for_matching(text[:MAX_CHARS])
    whole = _Segment(0, len(norm), norm)
    masked = _masked_all(norm)
    vessel_m = _VESSEL.search(masked)
    country, loc = _place_for(get_gazetteer().find(norm), whole, actor, False, vessel_m.start() if vessel_m else -1)
    ref_day = local_post_date(posted_at)
    ed = find_stated_date(norm, ref_day)
    if ed is None or ed.date is None:
        if OLD_FOOTAGE_RE.search(norm):
            ed = EventDate(None, None, "archive footage with no datable reference")
        elif ed is None:
            ed = EventDate(ref_day, 1 if ref_day else None, "post date (Asia/Baghdad)")
    weapon = _first_weapon(masked)[0] or "unspecified"
    intercepted = _intercepted(norm)
    geo_precision = None
    if loc is not None:
        geo_precision = max(int(loc.record["geo_precision"]), 2 if loc.near else 1)
    elif country and country != "SEA":
        geo_precision = 3
    stripped = text.strip()
    return Operation(
        kind=kind,
        actor=actor,
        weapon=weapon,
        target_country=country,
        location=loc.record["name_en"] if loc else None,
        location_id=loc.record["location_id"] if loc else None,
        lat=loc.record["lat"] if loc else None,
        lon=loc.record["lon"] if loc else None,
        geo_precision=geo_precision,
        event_date=ed.date,
        date_precision=ed.precision,
        intercepted=intercepted,
        sub_event_type=sub_event_type(weapon, intercepted, norm),
        confidence=0.5,
        evidence=stripped[:300],
        evidence_start=max(0, text.find(stripped[:1])) if stripped else 0,
        evidence_end=max(0, text.find(stripped[:1])) + min(len(stripped), 300) if stripped else 0,
        actor_id=actor,
        date_reason=ed.reason,
    )


@dataclass(slots=True)
class Candidate:
    """A possible operation: one attack sentence of a post, or one of the places it names (the learned operation
    model decides which candidates are operations, and whether each is a claim or a report)."""

    index: int  # order in the post
    segment: int  # which sentence
    text: str  # the sentence (matching form)
    op: Operation  # what the rules read in it: weapon, place, date, interception
    rule_op: bool  # the rules themselves kept this sentence as an operation
    places_in_segment: int


# A country that a launch or strike is aimed at ("باتجاه الكويت والبحرين", "toward Israel and Jordan"): the word
# before it is a direction, or "and" after another such country.
_DIRECTION_BEFORE = _rx(r"(?:\b|^)(?:نحو|باتجاه|بإتجاه|على|الى|ضد|toward|towards|against|at|on|into)\s*$")
_AND_BEFORE = _rx(r"(?:^|\s)(?:و|and|,|،)\s*$")


def _directed_countries(norm: str, seg: _Segment, places: list[PlaceMatch]) -> list[PlaceMatch]:
    """The countries of a segment named as where an attack was aimed, one per country in text order.

    "أطلقت إيران سبعة صواريخ باليستية باتجاه الكويت والبحرين" aims at two countries, two operations (GUIDE: every
    operation with its own target); the subject "إيران" is not one."""
    out: list[PlaceMatch] = []
    last_end = -1
    for pm in places:
        if not (seg.start <= pm.start < seg.end) or pm.origin or pm.record["feature"] != "country":
            continue
        before = norm[max(seg.start, pm.start - 16) : pm.start]
        joined = last_end >= 0 and pm.start - last_end <= 6 and _AND_BEFORE.search(norm[last_end : pm.start])
        if _DIRECTION_BEFORE.search(before) or joined:
            if all(o.record["country"] != pm.record["country"] for o in out):
                out.append(pm)
            last_end = pm.end
    return out


# A place that only locates the place named before it: "قاعدة حرير شمال أربيل", "Harir base, north of Erbil",
# "Ain al-Asad in western Anbar" (the words between the two places are a compass direction, "of", "the city of").
_LOCATOR_GAP = _rx(
    r"^\s*(?:(?:air\s+)?(?:base|airport|camp|town|village|city|area)\s*)?[,،]?\s*"
    r"(?:(?:in|to)\s+(?:the\s+)?)?(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?"
    r"(?:\s+of)?(?:\s+(?:the\s+)?(?:city|town|province|governorate|district)\s+of)?\s*$"
    r"|^\s*[,،]?\s*(?:في\s+)?(?:شمال|جنوب|شرق|غرب)(?:ي)?(?:\s*(?:شرق|غرب)(?:ي)?)?"
    r"(?:\s+(?:مدينة|محافظة|قضاء|منطقة))?\s*$"
)


# A live-blog entry's clock time at the start of a segment (``_CLOCK_BREAK`` cuts entries there).
_ENTRY_CLOCK = re.compile(r"\s*\d{1,2}:\d{2}")


# With ``_TRIGGER`` (asked through ``_trigger_at``: the rules have most often asked it of the same masked sentence).
_ATTACK_SIGNAL = (_WEAPON_TRIGGER, _HEADING, _AD_ENGAGED, _AD_SYSTEM, _SHOOTING, _WAVE_LAUNCH)


def operation_candidates(text: str, ex: Extraction, posted_at: datetime | None) -> list[Candidate]:
    """Every sentence of a post that has attack vocabulary, split once per target place it names
    ("struck sites in Yaroun and Blida": two candidates), with the weapon, place, date and interception the
    sentence states. Sentences before the first one inherit nothing; a sentence without a date takes the last
    stated date before it in the same live-blog entry ("today", "overnight" state the post's day), else the post's
    day (like the rules' own operations)."""
    norm = ex.norm or normalize_for_matching(text[:MAX_CHARS])
    places = named_places(ex)
    masked_all = _masked_all(norm)
    ref_day = local_post_date(posted_at)
    old_footage = OLD_FOOTAGE_RE.search(norm) is not None
    rule_spans = _norm_spans(text, norm, [(op.evidence_start, op.evidence_end) for op in ex.operations])
    header_end = int(ex.cues.get("place_header_end") or 0)  # a label header's places say who speaks (see _read)
    out: list[Candidate] = []
    last_date: EventDate | None = None
    for s_idx, seg in enumerate(_segments(norm)):
        masked = masked_all[seg.start : seg.end]
        if _ENTRY_CLOCK.match(seg.text):
            last_date = None  # a live-blog entry ("17:25 IDF jets struck ...") is dated afresh
        stated = _stated_date(seg.text, ref_day)
        if stated is not None and stated.date is not None:
            last_date = stated
        elif ref_day is not None and says_today(seg.text):
            last_date = EventDate(ref_day, 1, "today (post date, Asia/Baghdad)")  # "yesterday" no longer carries
        if (
            _trigger_at(masked) < 0
            and not any(p.search(masked) is not None for p in _ATTACK_SIGNAL)
            and _first_weapon(masked)[0] is None
        ):
            continue
        if last_date is not None:
            ed = last_date
        elif old_footage:
            ed = EventDate(None, None, "archive footage with no datable reference")
        else:
            ed = EventDate(ref_day, 1 if ref_day else None, "post date (Asia/Baghdad)")
        seg_places = [
            pm
            for pm in places
            if seg.start <= pm.start < seg.end and pm.record["feature"] not in ("country", "direction_region")
        ]
        vessel_m = _VESSEL.search(masked)
        country, loc = _place_for(places, seg, None, False, seg.start + vessel_m.start() if vessel_m else -1)
        targets: list[PlaceMatch | None] = []
        for pm in seg_places:
            locates = (
                bool(targets)
                and targets[-1] is not None
                and _LOCATOR_GAP.search(norm[targets[-1].end : pm.start]) is not None
            )
            if (
                not pm.origin
                and not locates
                and pm.start >= header_end
                and all(pm.record["location_id"] != t.record["location_id"] for t in targets if t)
            ):
                targets.append(pm)
        if not targets:
            targets.extend(_directed_countries(norm, seg, places))  # each a target of its own (below)
        if not targets:
            targets.append(loc)
        weapon = _first_weapon(masked)[0] or "unspecified"
        intercepted = _intercepted(seg.text)
        is_rule = any(seg.start <= s < seg.end or s <= seg.start < e for s, e in rule_spans)
        for place in targets:
            rec = place.record if place is not None else None
            cc = rec["country"] if rec else country
            if rec is not None and rec["feature"] == "country":
                rec = None  # a country is the target country, not a location
            geo = (
                (max(int(rec["geo_precision"]), 2 if place and place.near else 1))
                if rec
                else (3 if cc and cc != "SEA" else None)
            )
            op = Operation(
                kind="report",
                actor=None,
                weapon=weapon,
                target_country=cc,
                location=rec["name_en"] if rec else None,
                location_id=rec["location_id"] if rec else None,
                lat=rec["lat"] if rec else None,
                lon=rec["lon"] if rec else None,
                geo_precision=geo,
                event_date=ed.date,
                date_precision=ed.precision,
                intercepted=intercepted,
                sub_event_type=sub_event_type(weapon, intercepted, seg.text),
                confidence=0.5,
                evidence="",
                evidence_start=seg.start,
                evidence_end=seg.end,
                date_reason=ed.reason,
            )
            out.append(Candidate(len(out), s_idx, seg.text, op, is_rule, len(targets)))
    if out:
        spans = _evidence(text, norm, [(c.op.evidence_start, c.op.evidence_end) for c in out])
        for c, (ev, ev_start, ev_end) in zip(out, spans, strict=True):
            c.op.evidence, c.op.evidence_start, c.op.evidence_end = ev, ev_start, ev_end
    return out


def _norm_spans(text: str, norm: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The rules' operations give evidence offsets into the original text; candidates live in the matching
    form. Map by locating each evidence string's matching form in ``norm`` (approximate, for a feature)."""
    out = []
    for s, e in spans:
        piece = normalize_for_matching(text[s:e])[:40]
        at = norm.find(piece) if piece else -1
        if at >= 0:
            out.append((at, at + max(1, len(piece))))
    return out
