"""Operation dates resolved against the post's day in Asia/Baghdad."""

from datetime import UTC, date, datetime

from claimwatch.claims.dates import local_post_date, resolve_event_date

# 2026-06-17T22:30Z is already 2026-06-18 (a Thursday) in Baghdad.
LATE = datetime(2026, 6, 17, 22, 30, tzinfo=UTC)
NOON = datetime(2026, 6, 18, 9, 0, tzinfo=UTC)


def test_post_day_is_baghdad_day() -> None:
    assert local_post_date(LATE) == date(2026, 6, 18)
    assert local_post_date(datetime(2026, 6, 17, 22, 30)) == date(2026, 6, 18)  # naive = UTC
    r = resolve_event_date("دوي انفجارات في أربيل", LATE)
    assert (r.date, r.precision) == (date(2026, 6, 18), 1)


def test_explicit_numeric_date_with_arabic_digits() -> None:
    r = resolve_event_date("مشاهد من عملية استهداف بتاريخ ٠٩-٠٥-٢٠٢٦ آلية", NOON)
    assert (r.date, r.precision) == (date(2026, 5, 9), 1)
    assert resolve_event_date("يوم 2026/6/19 الساعة", NOON).date == date(2026, 6, 19)


def test_yesterday_and_day_before() -> None:
    assert resolve_event_date("فجر يوم أمس", LATE).date == date(2026, 6, 17)
    assert resolve_event_date("استهدفنا البارحة", NOON).date == date(2026, 6, 17)
    assert resolve_event_date("أول أمس", NOON).date == date(2026, 6, 16)
    assert resolve_event_date("السفينة التي استهدفت قبل يومين", NOON).date == date(2026, 6, 16)
    assert resolve_event_date("struck yesterday", NOON).date == date(2026, 6, 17)


def test_weekday_is_the_latest_such_day() -> None:
    assert resolve_event_date("هجوم يوم الاثنين على القاعدة", NOON).date == date(2026, 6, 15)
    assert resolve_event_date("Earlier today (Thursday), a launch", NOON).date == date(2026, 6, 18)


def test_explicit_date_beats_relative_words() -> None:
    r = resolve_event_date("يوم أمس الأربعاء 17-06-2026، الساعة 8:00", NOON)
    assert r.date == date(2026, 6, 17)


def test_levantine_egyptian_and_english_month_names() -> None:
    assert resolve_event_date("في 3 تموز", NOON).date == date(2025, 7, 3)  # no future dates: last year
    assert resolve_event_date("الخامس من نيسان", NOON).date == date(2026, 4, 5)
    assert resolve_event_date("في العاشر من يونيو/حزيران", NOON).date == date(2026, 6, 10)
    assert resolve_event_date("on June 12, 2026 jets struck", NOON).date == date(2026, 6, 12)


def test_hijri_and_solar_hijri_dates() -> None:
    august = datetime(2026, 8, 7, 12, 0, tzinfo=UTC)
    r = resolve_event_date("بتاريخ 23 صفر 1448", august)
    assert (r.date, r.precision, r.reason) == (date(2026, 8, 6), 1, "stated hijri date")
    # The same date in a June post would be in the future: refused, with the reason.
    r = resolve_event_date("بتاريخ 23 صفر 1448", NOON)
    assert r.date is None and r.reason and "too far" in r.reason
    assert resolve_event_date("وقف إطلاق النار في 19 فروردين", NOON).date == date(2026, 4, 8)
    # a day the solar calendar does not have (its second half-year's months have 30 days) is not read as one
    november = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert resolve_event_date("قصف في 30 مهر", november).date == date(2026, 10, 22)
    r = resolve_event_date("قصف في 31 مهر", november)
    assert r.date is None and r.reason and "invalid solar hijri" in r.reason


def test_week_and_month_precision() -> None:
    r = resolve_event_date("الأسبوع الماضي", NOON)
    assert (r.date, r.precision) == (date(2026, 6, 11), 2)
    assert resolve_event_date("الشهر الماضي", NOON).precision == 3


def test_undated_old_footage_and_vague_past_give_no_date() -> None:
    r = resolve_event_date("#سمح_بالنشر مشاهد من استهداف", NOON)
    assert r.date is None and r.reason and "archive" in r.reason
    assert resolve_event_date("هجمات قبل أيام", NOON).date is None


def test_a_period_since_a_date_has_no_day() -> None:
    """ "Since October 7th" starts a tally's period or a war's background: no operation's day (GUIDE: a tally over
    several days has no event_date), while a date told plainly still is one."""
    for text in ("Since June 2, the group has fired dozens of rockets.", "منذ 2 حزيران أطلقت الفصائل عشرات الصواريخ"):
        r = resolve_event_date(text, NOON)
        assert r.date is None and r.reason and "since" in r.reason
    assert resolve_event_date("On June 2, the group fired rockets.", NOON).date == date(2026, 6, 2)


def test_impossible_dates_are_rejected_with_a_reason() -> None:
    r = resolve_event_date("بتاريخ 31-02-2026", NOON)
    assert r.date is None and r.reason and "invalid" in r.reason


def test_no_posted_at() -> None:
    r = resolve_event_date("استهداف موقع", None)
    assert r.date is None and r.reason
    assert resolve_event_date("بتاريخ 01-06-2026", None).date == date(2026, 6, 1)
