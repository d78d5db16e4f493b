"""Operation dates stated in a post, resolved against the post's time in Asia/Baghdad.

The channels write dates many ways: ``بتاريخ 09-05-2026``, ``أمس``, weekday names, Levantine/Iraqi month names
(تموز، نيسان), Egyptian ones (يوليو، أبريل), Hijri dates (``23 صفر 1448``), Persian solar dates (``19 فروردين``)
and English ("yesterday", "June 10"). Relative expressions are read against the post's local calendar day in
Baghdad (UTC+3, no DST) because that is the day the channel's audience means by "today".

Precision follows ACLED: 1 = the day is known, 2 = the week, 3 = the month. Old footage with no datable
reference gives ``date=None`` with a reason, as the annotation guide asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from claimwatch.text.alternation import Gated, literal_alternation
from claimwatch.text.textnorm import fold_arabic, normalize_for_matching

__all__ = [
    "BAGHDAD",
    "OLD_FOOTAGE_RE",
    "EventDate",
    "find_stated_date",
    "local_post_date",
    "resolve_event_date",
    "says_today",
    "without_dates",
]


def _baghdad_tz() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Baghdad")
    except Exception:  # tzdata missing: Iraq has kept UTC+3 without DST since 2008
        return timezone(timedelta(hours=3), "Asia/Baghdad")


BAGHDAD = _baghdad_tz()


@dataclass(frozen=True, slots=True)
class EventDate:
    """A resolved operation date: ``date`` with ACLED ``precision`` (1 day, 2 week, 3 month), and why."""

    date: date | None
    precision: int | None
    reason: str | None


def local_post_date(posted_at: datetime | None) -> date | None:
    """The calendar day of ``posted_at`` in Baghdad; naive datetimes are taken as UTC (the corpus convention)."""
    if posted_at is None:
        return None
    if posted_at.tzinfo is None:
        posted_at = posted_at.replace(tzinfo=UTC)
    return posted_at.astimezone(BAGHDAD).date()


def _n(s: str) -> str:
    return fold_arabic(s)


# --- month dictionaries (written naturally, folded at import) -------------------------------------------------
_GREG_MONTHS: dict[str, int] = {}
for _num, _names in {
    1: ["كانون الثاني", "يناير", "كانون ثاني", "january", "jan"],
    2: ["شباط", "فبراير", "february", "feb"],
    3: ["آذار", "اذار", "مارس", "march", "mar"],
    4: ["نيسان", "أبريل", "ابريل", "إبريل", "april", "apr"],
    5: ["أيار", "ايار", "مايو", "may"],
    6: ["حزيران", "يونيو", "يونيه", "june", "jun"],
    7: ["تموز", "يوليو", "يوليه", "july", "jul"],
    8: ["آب", "أغسطس", "اغسطس", "august", "aug"],
    9: ["أيلول", "سبتمبر", "september", "sep", "sept"],
    10: ["تشرين الأول", "تشرين اول", "أكتوبر", "اكتوبر", "october", "oct"],
    11: ["تشرين الثاني", "تشرين ثاني", "نوفمبر", "november", "nov"],
    12: ["كانون الأول", "كانون اول", "ديسمبر", "december", "dec"],
}.items():
    for _name in _names:
        _GREG_MONTHS[_n(_name)] = _num

_HIJRI_MONTHS: dict[str, int] = {}
for _num, _names in {
    1: ["محرم", "محرم الحرام"],
    2: ["صفر", "صفر الخير"],
    3: ["ربيع الأول", "ربيع الاول"],
    4: ["ربيع الثاني", "ربيع الآخر", "ربيع الاخر"],
    5: ["جمادى الأولى", "جمادى الاولى", "جمادى الأول"],
    6: ["جمادى الآخرة", "جمادى الثانية", "جمادى الاخرة", "جمادى الآخر"],
    7: ["رجب"],
    8: ["شعبان"],
    9: ["رمضان"],
    10: ["شوال"],
    11: ["ذو القعدة", "ذي القعدة"],
    12: ["ذو الحجة", "ذي الحجة"],
}.items():
    for _name in _names:
        _HIJRI_MONTHS[_n(_name)] = _num

_JALALI_MONTHS: dict[str, int] = {}
for _num, _names in {
    1: ["فروردين", "فروردین"],
    2: ["اردیبهشت", "ارديبهشت"],
    3: ["خرداد"],
    4: ["تیر", "تير"],
    5: ["مرداد"],
    6: ["شهریور", "شهريور"],
    7: ["مهر"],
    8: ["آبان", "ابان"],
    9: ["آذر", "اذر"],
    10: ["دی", "دي"],
    11: ["بهمن"],
    12: ["اسفند"],
}.items():
    for _name in _names:
        _JALALI_MONTHS[normalize_for_matching(_name)] = _num

_WEEKDAYS: dict[str, int] = {}
for _num, _names in {
    0: ["الاثنين", "الإثنين", "اثنين", "monday"],
    1: ["الثلاثاء", "ثلاثاء", "tuesday"],
    2: ["الأربعاء", "الاربعاء", "اربعاء", "wednesday"],
    3: ["الخميس", "خميس", "thursday"],
    4: ["الجمعة", "جمعة", "friday"],
    5: ["السبت", "سبت", "saturday"],
    6: ["الأحد", "الاحد", "احد", "sunday"],
}.items():
    for _name in _names:
        _WEEKDAYS[normalize_for_matching(_name)] = _num

_ORDINAL_DAYS: dict[str, int] = {}
for _num, _names in {
    1: ["الأول", "الاول", "first"],
    2: ["الثاني", "second"],
    3: ["الثالث", "third"],
    4: ["الرابع", "fourth"],
    5: ["الخامس", "fifth"],
    6: ["السادس", "sixth"],
    7: ["السابع", "seventh"],
    8: ["الثامن", "eighth"],
    9: ["التاسع", "ninth"],
    10: ["العاشر", "tenth"],
    11: ["الحادي عشر"],
    12: ["الثاني عشر"],
    13: ["الثالث عشر"],
    14: ["الرابع عشر"],
    15: ["الخامس عشر"],
    16: ["السادس عشر"],
    17: ["السابع عشر"],
    18: ["الثامن عشر"],
    19: ["التاسع عشر"],
    20: ["العشرين"],
    30: ["الثلاثين"],
}.items():
    for _name in _names:
        _ORDINAL_DAYS[normalize_for_matching(_name)] = _num


# Arabic words glue prepositions (ب، ل، و، ف) onto the next word; allow them before dictionary words.
_PFX = r"(?:[وفبل]|وب|ول|فب)?"
_B = r"(?<![\w])"  # word start
_E = r"(?![\w])"  # word end

_NUMERIC_DMY = re.compile(_B + r"(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{4})" + _E)
_NUMERIC_YMD = re.compile(_B + r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})" + _E)
_ALL_MONTHS = {**_GREG_MONTHS}
_MONTH_ALT = literal_alternation(list(_ALL_MONTHS))
_ORD_ALT = literal_alternation(list(_ORDINAL_DAYS))
# "25 حزيران 2026", "10 يونيو/حزيران", "15 June", "الخامس من تموز"
_DAY_MONTH = Gated(
    re.compile(
        _B
        + r"(?:(\d{1,2})|("
        + _ORD_ALT
        + r"))(?:\s*(?:من|of))?\s+(?:شهر\s+)?"
        + _PFX
        + r"("
        + _MONTH_ALT
        + r")"
        + _E
        + r"(?:\s*/\s*(?:"
        + _MONTH_ALT
        + r"))?(?:\s*,?\s*(?:عام|سنه)?\s*(\d{4}))?",
    ),
    _ALL_MONTHS,
)
# "June 10, 2026"
_MONTH_DAY_EN = Gated(
    re.compile(
        r"\b(january|february|march|april|may|june|july|august|september|october|november|december|"
        r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s*(\d{4}))?\b"
    ),
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
)
_HIJRI = Gated(
    re.compile(
        _B
        + r"(\d{1,2})\s+("
        + literal_alternation(list(_HIJRI_MONTHS))
        + r")"
        + _E
        + r"(?:\s*(?:سنه|عام)?\s*(1[34]\d\d))?"
    ),
    _HIJRI_MONTHS,
)
_JALALI = Gated(
    re.compile(_B + r"(\d{1,2})\s+(" + literal_alternation(list(_JALALI_MONTHS)) + r")" + _E + r"(?:\s*(1[34]\d\d))?"),
    _JALALI_MONTHS,
)

_CALENDAR_DATES = (_NUMERIC_DMY, _NUMERIC_YMD, _DAY_MONTH, _MONTH_DAY_EN, _HIJRI, _JALALI)


def without_dates(norm: str) -> str:
    """A matching-form text with every calendar date it states blanked ("12 تشرين الاول 2026", "October 12",
    "13-05-2026"): what is left of its numbers are counts, times and names, never a day of the month."""
    for pattern in _CALENDAR_DATES:
        norm = pattern.sub(" ", norm)
    return norm


# The patterns of relative dates and the calendar dates with a month name sit behind substring gates (each gate's
# words are in every match): a sentence that passes ``_DATE_WORDS`` names one or two of them, not all a dozen.
_YESTERDAY = Gated(
    re.compile(_B + _n(r"(?:" + _PFX + r"(?:ال)?امس|البارحه|" + _PFX + r"الليله الماضيه|yesterday|last night)") + _E),
    [_n(w) for w in ("امس", "البارحه", "الماضيه", "yesterday", "night")],
)
_DAY_BEFORE_YESTERDAY = Gated(
    re.compile(_B + _n(r"(?:اول امس|امس الاول|before yesterday)") + _E), [_n("امس"), "yesterday"]
)
_N_DAYS_AGO = Gated(
    re.compile(_B + r"(?:قبل|منذ)\s+(يومين|(\d{1,2})\s+(?:ايام|يوم))" + _E + r"|\b(two|\d{1,2})\s+days\s+ago\b"),
    ["قبل", "منذ", "days"],
)
_VAGUE_PAST = Gated(
    re.compile(_B + r"(?:(?:قبل|منذ)\s+(?:ايام|اسابيع|فتره)|مؤخرا|في وقت سابق من الشهر|days ago|recently)" + _E),
    ["قبل", "منذ", "مؤخرا", "سابق", "days", "recently"],
)
_LAST_WEEK = Gated(re.compile(_B + r"(?:(?:ال)?اسبوع الماضي|الاسبوع المنصرم|last week)" + _E), ["اسبوع", "week"])
_THIS_WEEK = Gated(re.compile(_B + r"(?:" + _PFX + r"هذا الاسبوع|خلال الاسبوع|this week)" + _E), ["الاسبوع", "week"])
_LAST_MONTH = Gated(re.compile(_B + r"(?:الشهر الماضي|الشهر المنصرم|last month)" + _E), ["الشهر", "month"])
_TODAY = re.compile(
    _B
    + r"(?:"
    + _PFX
    + r"اليوم|الليله|قبل ساعات|قبل قليل|منذ قليل|today|tonight|overnight|this morning|a short while ago)"
    + _E
)


def says_today(norm: str) -> bool:
    """Whether a (normalized) sentence places itself on the post's own day ("today", "overnight", "قبل قليل")."""
    return _TODAY.search(norm) is not None


# A bare weekday word without the article is also a common noun or a name ("أحد الأحزاب" = one of the parties,
# "اثنين" = two, "خميس مشيط"), so it only counts after a time word ("يوم خميس"); the definite form counts alone
# (checked on the match, so the pattern stays one cheap alternation).
_WEEKDAY = Gated(
    re.compile(
        _B
        + r"(?:(يوم|ليله|فجر|صباح|مساء|ظهر)\s+)?"
        + _PFX
        + r"("
        + literal_alternation(list(_WEEKDAYS))
        + r")"
        + _E
        + r"|\b(?:on|last|this)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
        + r"|\((monday|tuesday|wednesday|thursday|friday|saturday|sunday)\)"
    ),
    _WEEKDAYS,
)
_NEXT_AFTER = re.compile(_n(r"\s*(?:المقبل|القادم|المقبله|القادمه)") + _E)
# Undated archive footage: no datable reference (GUIDE: event_date null).
OLD_FOOTAGE_RE = re.compile(
    _n(
        r"(?:سمح[ _]بالنشر|من حرب رمضان|خلال حرب رمضان|من الارشيف|ارشيفيه|مشاهد جديده من العدوان|"
        r"لقطات سابقه|cleared for publication|archive footage)"
    )
)

_DIGIT_RE = re.compile(r"\d")
# Every date ``find_stated_date`` reads needs a digit or one of these words (a month, a weekday, the words of a
# relative or vague date, each as its pattern spells it): most sentences hold neither and are done after two
# scans instead of a dozen patterns.
_DATE_WORDS = re.compile(
    literal_alternation(
        [*_ALL_MONTHS, *_WEEKDAYS]
        + [_n(w) for w in ("امس", "البارحه", "الليله الماضيه")]  # _YESTERDAY, _DAY_BEFORE_YESTERDAY
        + ["yesterday", "last night", "يومين", "days"]  # _N_DAYS_AGO (without a digit)
        + ["ايام", "اسابيع", "فتره", "مؤخرا", "في وقت سابق من الشهر", "recently"]  # _VAGUE_PAST
        + ["اسبوع", "week", "الشهر الماضي", "الشهر المنصرم", "last month"]  # _LAST_WEEK, _THIS_WEEK, _LAST_MONTH
    )
)
_FUTURE_SLACK = timedelta(days=1)
_MAX_PAST = timedelta(days=400)


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _infer_year(month: int, day: int, ref: date | None) -> date | None:
    """A day and month without a year: the latest such date not after the post (posts talk about the past)."""
    year = ref.year if ref else datetime.now(UTC).year
    cand = _valid(year, month, day)
    if cand is None:
        return None
    if ref and cand > ref + _FUTURE_SLACK:
        cand = _valid(year - 1, month, day)
    return cand


def _jalali_to_gregorian(jy: int, jm: int, jd: int) -> date | None:
    """Solar Hijri (Iranian) to Gregorian with ``jdatetime``; None for a day the calendar does not have
    ("31 مهر": the second half-year's months have 30 days)."""
    import jdatetime

    try:
        return jdatetime.date(jy, jm, jd).togregorian()
    except ValueError:
        return None


def _hijri_to_gregorian(hy: int, hm: int, hd: int) -> date | None:
    try:
        from hijridate import Hijri

        return Hijri(hy, hm, hd).to_gregorian()
    except Exception:  # out of the Umm al-Qura table's range, or an impossible day such as 30 of a 29-day month
        return None


def _hijri_year_of(ref: date | None) -> int | None:
    if ref is None:
        return None
    try:
        from hijridate import Gregorian

        return int(Gregorian(ref.year, ref.month, ref.day).to_hijri().year)
    except Exception:
        return None


def _acceptable(d: date, ref: date | None) -> bool:
    if ref is None:
        return True
    return ref - _MAX_PAST <= d <= ref + _FUTURE_SLACK


# "since October 7th", "منذ 7 تشرين الاول": the start of a period (a tally's, or the background of a war), never the
# day of an operation (GUIDE: a tally that spans several days has no event_date).
_SINCE_BEFORE = re.compile(r"(?:\bsince|(?:^|\s)منذ)\s+(?:the\s+)?$")


def _explicit(norm: str, ref: date | None) -> tuple[EventDate | None, list[tuple[int, EventDate]], str | None]:
    """All explicit calendar dates in ``norm`` with their positions; also the first rejection reason seen."""
    found: list[tuple[int, EventDate]] = []
    rejected: str | None = None

    def add(pos: int, d: date | None, raw: str, what: str) -> None:
        nonlocal rejected
        if _SINCE_BEFORE.search(norm, max(0, pos - 12), pos) is not None:
            rejected = rejected or f"a period since {raw!r}, not one day"
        elif d is None:
            rejected = rejected or f"invalid {what} date {raw!r}"
        elif not _acceptable(d, ref):
            rejected = rejected or f"{what} date {d.isoformat()} too far from the post date"
        else:
            found.append((pos, EventDate(d, 1, f"stated {what} date")))

    if _DIGIT_RE.search(norm):
        for m in _NUMERIC_DMY.finditer(norm):
            add(m.start(), _valid(int(m[4]), int(m[3]), int(m[1])), m[0], "numeric")
        for m in _NUMERIC_YMD.finditer(norm):
            add(m.start(), _valid(int(m[1]), int(m[3]), int(m[4])), m[0], "numeric")
        for m in _HIJRI.finditer(norm):
            hy = int(m[3]) if m[3] else _hijri_year_of(ref)
            if hy is None:
                continue
            add(m.start(), _hijri_to_gregorian(hy, _HIJRI_MONTHS[m[2]], int(m[1])), m[0], "hijri")
        for m in _JALALI.finditer(norm):
            jy = int(m[3]) if m[3] else (ref.year - 621 if ref else None)
            if jy is None:
                continue
            d = _jalali_to_gregorian(jy, _JALALI_MONTHS[m[2]], int(m[1]))
            if d and ref and not m[3] and d > ref + _FUTURE_SLACK:
                d = _jalali_to_gregorian(jy - 1, _JALALI_MONTHS[m[2]], int(m[1]))
            add(m.start(), d, m[0], "solar hijri")
        for m in _MONTH_DAY_EN.finditer(norm):
            mon = _GREG_MONTHS.get(m[1])
            if mon is None:
                continue
            day = int(m[2])
            d = _valid(int(m[3]), mon, day) if m[3] else _infer_year(mon, day, ref)
            add(m.start(), d, m[0], "calendar")
    for m in _DAY_MONTH.finditer(norm):
        day = int(m[1]) if m[1] else _ORDINAL_DAYS[m[2]]
        mon = _GREG_MONTHS[m[3]]
        if m[3] in ("may", "mar", "dec") and not m[1]:
            continue  # English words that are also months; need a numeric day
        d = _valid(int(m[4]), mon, day) if m[4] else _infer_year(mon, day, ref)
        add(m.start(), d, m[0], "calendar")
    found.sort(key=lambda t: t[0])
    return (found[0][1] if found else None), found, rejected


def find_stated_date(norm: str, ref: date | None) -> EventDate | None:
    """The first date the (normalized) text states, absolute or relative to ``ref``; None if it states none.

    A stated-but-impossible date ("31-02-2026") is returned as ``EventDate(None, None, reason)`` so the caller
    can report why no date was taken.
    """
    if _DIGIT_RE.search(norm) is None and _DATE_WORDS.search(norm) is None:
        return None
    first, _all, rejected = _explicit(norm, ref)
    candidates: list[tuple[int, EventDate]] = []
    if first is not None:
        candidates.append((_all[0][0], first))
    if ref is not None:
        m = _DAY_BEFORE_YESTERDAY.search(norm)
        if m:
            candidates.append((m.start(), EventDate(ref - timedelta(days=2), 1, "day before yesterday")))
        else:
            m = _YESTERDAY.search(norm)
            if m:
                candidates.append((m.start(), EventDate(ref - timedelta(days=1), 1, "yesterday")))
        m = _N_DAYS_AGO.search(norm)
        if m:
            count = m[2] if m[1] else m[3]
            n = 2 if count in (None, "two") else int(count)
            candidates.append((m.start(), EventDate(ref - timedelta(days=n), 1, f"{n} days ago")))
        # a weekday in the future ("يوم السبت المقبل", "next Monday") is a plan, not the operation's day
        m = next(
            (
                w
                for w in _WEEKDAY.finditer(norm)
                if not _NEXT_AFTER.match(norm, w.end())
                and norm[max(0, w.start() - 5) : w.start()] != "next "
                and (w[1] is not None or w[2] is None or w[2].startswith("ال"))
            ),
            None,
        )
        if m:
            wd_name = m[2] or m[3] or m[4]
            wd = _WEEKDAYS.get(wd_name)
            if wd is not None:
                back = (ref.weekday() - wd) % 7
                candidates.append((m.start(), EventDate(ref - timedelta(days=back), 1, "weekday")))
        m = _LAST_WEEK.search(norm)
        if m:
            candidates.append((m.start(), EventDate(ref - timedelta(days=7), 2, "last week")))
        m = _THIS_WEEK.search(norm)
        if m:
            candidates.append((m.start(), EventDate(ref, 2, "this week")))
        m = _LAST_MONTH.search(norm)
        if m:
            prev = ref.replace(day=1) - timedelta(days=1)
            candidates.append((m.start(), EventDate(prev.replace(day=15), 3, "last month")))
    if candidates:
        # An explicit calendar date always wins over relative words ("أمس الأربعاء 17-06-2026").
        if first is not None:
            return first
        candidates.sort(key=lambda t: t[0])
        return candidates[0][1]
    if rejected:
        return EventDate(None, None, rejected)
    if _VAGUE_PAST.search(norm):
        return EventDate(None, None, "vague past reference with no date")
    return None


def resolve_event_date(text: str, posted_at: datetime | None) -> EventDate:
    """Resolve the operation date of ``text`` against ``posted_at`` (Baghdad calendar day).

    Order: an explicit or relative date in the text; archive-footage cues → no date; otherwise the post's own
    day (reports are written as events happen). Never raises.
    """
    try:
        norm = normalize_for_matching(text if isinstance(text, str) else str(text or ""))
        ref = local_post_date(posted_at)
        stated = find_stated_date(norm, ref)
        if stated is not None and stated.date is not None:
            return stated
        if OLD_FOOTAGE_RE.search(norm):
            return EventDate(None, None, "archive footage with no datable reference")
        if stated is not None:  # invalid or vague date: do not guess the post's day
            return stated
        if ref is None:
            return EventDate(None, None, "no date in text and no posted_at")
        if says_today(norm):
            return EventDate(ref, 1, "today (post date, Asia/Baghdad)")
        return EventDate(ref, 1, "post date (Asia/Baghdad)")
    except Exception as exc:  # defensive: a date must never break extraction
        return EventDate(None, None, f"date resolution failed: {type(exc).__name__}")
