"""Claim rules: GUIDE.md vocabulary on self-written posts, bad input, and the dev-set targets."""

import importlib.util
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from claimwatch.claims.actors import actor_records, get_actor_matcher, guide_label
from claimwatch.claims.gazetteer import get_gazetteer, location_records
from claimwatch.claims.rules import extract_claims
from claimwatch.text.textnorm import normalize_for_matching
from claimwatch.tools.extract_jsonl import run_extract
from tests.shared_corpus import needs_shared

POSTED = datetime(2026, 6, 8, 9, 0, tzinfo=UTC)  # 2026-06-08 (Monday) in Baghdad
ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT.parent / "shared" / "corpus" / "claims-gold"


def first(text: str):
    ex = extract_claims(text, POSTED)
    assert ex.operations, ex.reasons
    return ex, ex.operations[0]


def test_hezbollah_footage_communique_is_a_claim_with_stated_date() -> None:
    ex, op = first(
        "🇱🇧\nحزب الله:\nمشاهد من عملية استهداف المقاومة الإسلامية بتاريخ 03-06-2026 دبّابة ميركافا "
        "في بلدة مارون الراس جنوبيّ لبنان بمحلّقة انقضاضيّة."
    )
    assert ex.kind == "claim"
    assert (op.actor, op.weapon, op.target_country, op.location) == ("hezbollah", "drone", "LB", "Maroun al-Ras")
    assert (op.event_date, op.date_precision) == (date(2026, 6, 3), 1)
    assert op.sub_event_type == "Air/drone strike"
    assert "مارون الراس" in op.evidence


def test_channel_narration_is_a_report_with_actor_from_weapon_owner() -> None:
    ex, op = first("نهاريا تدك بصواريخ حزب الله واشتعال النيران في المكان")
    assert ex.kind == "report"
    assert (op.actor, op.weapon, op.target_country, op.location) == ("hezbollah", "missile", "IL", "Nahariya")
    assert op.intercepted is False
    assert op.event_date == date(2026, 6, 8)


def test_interception_report_uses_the_engaged_weapon_not_the_interceptor() -> None:
    ex, op = first("الدفاعات الجوية الإيرانية تتصدى لطائرة مسيرة معادية في سماء تبريز وتسقطها")
    assert ex.kind == "report"
    assert (op.actor, op.weapon, op.intercepted) == ("unknown", "drone", True)
    assert op.sub_event_type == "Disrupted weapons use"
    ex, op = first("صاروخ باتريوت يفشل في اعتراض الصواريخ الإيرانية فوق الكويت")
    assert (op.actor, op.weapon, op.target_country, op.intercepted) == ("iran", "missile", "KW", False)


def test_launch_origin_names_only_iran() -> None:
    _, op = first("رشقة صاروخية تنطلق من لبنان نحو مستوطنة شلومي")
    assert (op.actor, op.weapon, op.target_country, op.location) == ("unknown", "rocket", "IL", "Shlomi")
    _, op = first("صواريخ أطلقت من إيران باتجاه حيفا")
    assert op.actor == "iran"


def test_first_person_statement_of_iraqi_resistance_with_morphology() -> None:
    ex, op = first("المقاومة الإسلامية في العراق: استهدفنا بالمسيّرتين قاعدة عين الأسد صباح أمس")
    assert ex.kind == "claim"
    assert (op.actor, op.weapon, op.target_country, op.location) == (
        "islamic_resistance_iraq",
        "drone",
        "IQ",
        "Ain al-Asad Air Base",
    )
    assert op.event_date == date(2026, 6, 7)


def test_english_communique_and_english_interception_report() -> None:
    ex, op = first("The Islamic Resistance in Iraq targeted Eilat (Umm al-Rashrash) using drones yesterday.")
    assert (ex.kind, op.actor, op.weapon, op.target_country, op.location) == (
        "claim",
        "islamic_resistance_iraq",
        "drone",
        "IL",
        "Eilat",
    )
    assert op.event_date == date(2026, 6, 7)
    ex, op = first(
        "IDF: A suspicious aerial target that crossed from Lebanon was successfully intercepted near Metula."
    )
    assert (ex.kind, op.actor, op.weapon, op.intercepted, op.location) == (
        "report",
        "unknown",
        "unspecified",
        True,
        "Metula",
    )


def test_israeli_army_announcing_its_own_strike_is_a_claim() -> None:
    ex, op = first("IDF: Overnight, IDF fighter jets struck Hezbollah military compounds in the area of Khiam.")
    assert (ex.kind, op.actor, op.weapon, op.target_country) == ("claim", "israel", "airstrike", "LB")


def test_several_operations_in_one_post() -> None:
    text = (
        "حزب الله:\n- استهدف مجاهدو المقاومة الإسلامية بتاريخ 05-06-2026 تجمعا لجنود العدو"
        " في بلدة الخيام بصلية صاروخية.\n- واستهدفوا بتاريخ 06-06-2026 ثكنة زرعيت بمحلقة انقضاضية."
    )
    ex = extract_claims(text, POSTED)
    assert ex.kind == "claim"
    got = [(o.weapon, o.location, o.event_date) for o in ex.operations]
    assert got == [("rocket", "Khiam", date(2026, 6, 5)), ("drone", "Zar'it", date(2026, 6, 6))]
    assert all(text[o.evidence_start : o.evidence_end] == o.evidence for o in ex.operations)


@pytest.mark.parametrize(
    "text",
    [
        "كتائب حزب الله: إذا تدخلت أمريكا سنستهدف قواعدها في المنطقة",  # threat
        "الخارجية الإيرانية: لم نشارك في الهجوم على السفينة",  # denial
        "تفعيل صفارات الإنذار في المطلة",  # sirens alone
        "جيش الاحتلال: هبوط اضطراري لمسيرة إثر خلل تقني",  # accident
        "مكتب التحقيقات الفيدرالي يزعم احباط هجوم بالمسيرات",  # foiled plot
        "في خطوة تعد استهدافا للمعارضة السياسية في البحرين",  # political sense of "targeting"
        "رئيس الوزراء يبحث مع السفير الأمريكي الأوضاع الأمنية",
        "اتفاق وقف إطلاق النار يدخل حيز التنفيذ",
    ],
)
def test_not_attacks_are_other(text: str) -> None:
    ex = extract_claims(text, POSTED)
    assert ex.kind == "other" and ex.operations == [] and ex.reasons


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   \n\t",
        "😀🔥🇮🇶",
        "\x00\x01\u200f",
        "٣٣٣ ١١١",
        "a" * 1_000_000,
        "استهداف " * 150_000,
        "בתאריך صواريخ Ракета 导弹 missile",
        "استهداف موقع بالصواريخ بتاريخ 31-02-2026",
    ],
)
def test_bad_input_never_raises(bad: str) -> None:
    ex = extract_claims(bad, POSTED)
    assert ex.kind in ("claim", "report", "other")
    if ex.kind == "other":
        assert ex.reasons and ex.operations == []
    for op in ex.operations:
        assert 0.0 <= op.confidence <= 1.0


def test_impossible_date_gives_null_date_with_reason() -> None:
    ex = extract_claims("استهداف موقع للعدو في بلدة الخيام بالصواريخ بتاريخ 31-02-2026", POSTED)
    op = ex.operations[0]
    assert op.event_date is None and op.date_reason and "invalid" in op.date_reason


def test_non_string_and_missing_posted_at() -> None:
    assert extract_claims(None, POSTED).kind == "other"  # type: ignore[arg-type]
    ex = extract_claims("غارات إسرائيلية على بلدة الخيام", None)
    assert ex.kind == "report" and ex.operations[0].event_date is None


def test_dictionaries_are_data_with_parents_and_coordinates() -> None:
    actors = {a["actor_id"]: a for a in actor_records()}
    assert actors["kataib_hezbollah"]["parent_id"] == "islamic_resistance_iraq"
    assert actors["islamic_resistance_iraq"]["kind"] == "umbrella"
    assert guide_label("iraqi_security_forces") == "other"
    places = {p["location_id"]: p for p in location_records()}
    golan = places["curated:golan"]
    assert golan["disputed"] and golan["country"] == "IL" and golan["geo_precision"] == 3
    assert places["curated:eilat"]["name_ar"] and "أم الرشراش" in places["curated:eilat"]["aliases"]
    assert any(k.startswith("geonames:") and v["country"] == "IQ" for k, v in places.items())
    hits = get_gazetteer().find(normalize_for_matching("وجاءت الصور من بلدة معركة بقضاء صور"))
    assert [h.record["name_en"] for h in hits] == ["Maaraka", "Tyre"]  # common words only after a place word
    mentions = get_actor_matcher().find(normalize_for_matching("هجوم لحزب الله وبالحرس الثوري"))
    assert [m.actor_id for m in mentions] == ["hezbollah", "irgc"]


# Targets reached on the dev set (GUIDE targets are 0.90; the rules score higher, these guard regressions).
DEV_TARGETS = {
    "kind_macro_f1": 0.95,
    "actor": 0.93,
    "weapon": 0.93,
    "target_country": 0.93,
    "event_date": 0.95,
    "intercepted": 0.95,
}


@needs_shared(GOLD / "dev.jsonl")
def test_dev_set_scores_meet_targets() -> None:
    # bench/ is a folder of scripts, not a package: load the evaluation's scoring by path.
    spec = importlib.util.spec_from_file_location("eval_claims", ROOT / "bench" / "eval_claims.py")
    assert spec is not None and spec.loader is not None
    ev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ev)
    load, score = ev.load, ev.score

    out = io.StringIO()
    with (GOLD / "dev.input.jsonl").open(encoding="utf-8") as fh:
        run_extract(fh, out)
    pred = [json.loads(line) for line in out.getvalue().splitlines()]
    res = score(load(GOLD / "dev.jsonl"), pred)
    assert res["macro_f1"] >= DEV_TARGETS["kind_macro_f1"]
    for f in ("actor", "weapon", "target_country", "event_date", "intercepted"):
        assert res["acc"][f] >= DEV_TARGETS[f], (f, res["acc"][f])


# --- generalization: categories seen on posts outside the dev period (paraphrased, not copied) -------------------


@pytest.mark.parametrize(
    ("text", "actor", "weapon", "country", "location"),
    [
        # communiqué header + first-person fighters/units ("مجاهدونا", "وحداتنا", "قواتنا")
        (
            "كتائب سيد الشهداء:\nاستهدف مجاهدونا فجر اليوم قاعدة عين الأسد بالطيران المسيّر.",
            "kataib_sayyid_al_shuhada",
            "drone",
            "IQ",
            "Ain al-Asad Air Base",
        ),
        (
            "حركة النجباء:\nمساء يوم السبت نفّذت وحداتنا هجوماً بالصواريخ على قاعدة حرير.",
            "nujaba",
            "missile",
            "IQ",
            "Harir Air Base",
        ),
        # a state force's statement of its own units' strike, no first person
        (
            "الحرس الثوري - القوات البحرية:\nقصفت وحدات الصواريخ التابعة للبحرية مقرات المجموعات المسلحة"
            " في منطقة سوران.",
            "irgc",
            "missile",
            "IQ",
            "Soran",
        ),
        # the enemy's aggression first, then the actor's own operation
        (
            "حزب الله:\nردّاً على الاعتداءات الصهيونية على بلداتنا، استهدف مجاهدو المقاومة الإسلامية"
            " ثكنة زرعيت بصلية صاروخية.",
            "hezbollah",
            "rocket",
            "IL",
            "Zar'it",
        ),
        # the actor publishes footage of its own operation; the target belongs to the enemy
        (
            "حزب الله يبث مشاهد من عملية استهداف جرافة تابعة لجيش العدو الإسرائيلي في بلدة الخيام بمحلقة انقضاضية.",
            "hezbollah",
            "drone",
            "LB",
            "Khiam",
        ),
        # English communiqué style
        (
            "Kataib Hezbollah: our fighters targeted Victoria base near Baghdad airport with rockets.",
            "kataib_hezbollah",
            "rocket",
            "IQ",
            "Victoria Base",
        ),
        (
            "Hezbollah says its fighters struck an Israeli tank near Khiam with a guided missile.",
            "hezbollah",
            "missile",
            "LB",
            "Khiam",
        ),
    ],
)
def test_communiques_are_claims_of_the_speaker(text: str, actor: str, weapon: str, country: str, location: str) -> None:
    ex, op = first(text)
    assert (ex.kind, op.actor, op.weapon, op.target_country, op.location) == ("claim", actor, weapon, country, location)


@pytest.mark.parametrize(
    ("text", "weapon", "intercepted", "location"),
    [
        # a state force reporting an attack on its own site: report, attacker not named
        (
            "القوات الأمريكية: تعرّضت قاعدة عين الأسد لهجوم بصواريخ، وأُسقط أحدها.",
            "missile",
            True,
            "Ain al-Asad Air Base",
        ),
        (
            "CENTCOM: Harir base was attacked by two drones overnight; both were shot down.",
            "drone",
            True,
            "Harir Air Base",
        ),
        # a counter-terrorism service / air defence shooting down a drone: report, not the service's claim
        (
            "قيادة العمليات المشتركة في بغداد: إسقاط طائرة مسيّرة قرب مطار بغداد الدولي.",
            "drone",
            True,
            "Baghdad International Airport",
        ),
        ("جيش الاحتلال: اعتراض صاروخ أُطلق من اليمن قبل وصوله إلى إيلات، دون إصابات.", "missile", True, "Eilat"),
        # rockets that landed near a base with no casualties: not a hit, not an interception
        ("مصدر أمني: سقوط صاروخي كاتيوشا قرب قاعدة فكتوريا دون تسجيل خسائر.", "rocket", None, "Victoria Base"),
    ],
)
def test_defenders_and_victims_report_not_claim(
    text: str, weapon: str, intercepted: bool | None, location: str
) -> None:
    ex, op = first(text)
    assert (ex.kind, op.actor, op.weapon, op.intercepted, op.location) == (
        "report",
        "unknown",
        weapon,
        intercepted,
        location,
    )


def test_generic_place_words_are_not_places_and_country_follows_the_place() -> None:
    gz = get_gazetteer()
    hits = gz.find(normalize_for_matching("غارة على أطراف مدينة القصير بريف حمص وعلى موقع في قاعدة"))
    assert [h.record["name_en"] for h in hits][:1] == ["Al-Qusayr"]
    assert all(h.record["country"] != "SA" for h in hits)
    assert [h.record["name_en"] for h in gz.find(normalize_for_matching("المدينة المنورة"))] == ["Madinah"]
    assert gz.find(normalize_for_matching("قال جو بايدن إن أشهر الصيف ستشهد عبور السفن بأمان")) == []
    _, op = first(
        "المقاومة الإسلامية في العراق:\nنصرةً لأهلنا في لبنان، استهدف مجاهدونا موقعاً في الجولان السوري المحتل."
    )
    assert (op.actor, op.target_country, op.location) == ("islamic_resistance_iraq", "IL", "Golan Heights")


def test_operations_list_yields_one_operation_per_bullet() -> None:
    ex = extract_claims(
        "كتائب حزب الله:\nنفّذ مجاهدونا العمليات الآتية:\n🔻 استهداف قاعدة حرير بطائرة مسيّرة.\n"
        "🔻 استهداف هدف في حيفا بصاروخ كروز.",
        POSTED,
    )
    assert ex.kind == "claim"
    assert [(o.actor, o.weapon, o.location) for o in ex.operations] == [
        ("kataib_hezbollah", "drone", "Harir Air Base"),
        ("kataib_hezbollah", "missile", "Haifa"),
    ]
    ex = extract_claims(
        "The Islamic Resistance in Iraq says it carried out two operations:\n- Ain al-Asad base, with drones\n"
        "- a target in Eilat, with cruise missiles",
        POSTED,
    )
    assert [(o.kind, o.weapon, o.target_country) for o in ex.operations] == [
        ("claim", "drone", "IQ"),
        ("claim", "missile", "IL"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "🏴\nتتقدم القناة بأحر التعازي لعوائل الشهداء الذين ارتقوا جراء العدوان على بلدات الجنوب.",  # condolence
        "حصيلة عمليات المقاومة منذ بداية الشهر:\n🔻 أكثر من 20 عملية بالمسيرات\n🔻 استهداف قواعد الاحتلال",  # tally
        "الحرس الثوري: أي اعتداء على أراضينا سيقابل برد ساحق، وقواعد العدو في مرمى نيراننا.",  # threat
    ],
)
def test_condolences_tallies_and_threats_are_other(text: str) -> None:
    assert extract_claims(text, POSTED).kind == "other"


def test_weekday_and_late_evening_dates() -> None:
    late = datetime(2026, 10, 5, 21, 50, tzinfo=UTC)  # 6 Oct (Tuesday) in Baghdad
    ex = extract_claims("مصدر أمني: سقوط صواريخ قرب قاعدة عين الأسد قبل قليل", late)
    assert ex.operations[0].event_date == date(2026, 10, 6)
    ex = extract_claims("حزب الله:\nاستهدف مجاهدو المقاومة الإسلامية مساء أمس الأحد ثكنة زرعيت بمحلقة.", POSTED)
    assert ex.operations[0].event_date == date(2026, 6, 7)
    ex = extract_claims("حركة النجباء:\nصباح يوم السبت استهدف مجاهدونا قاعدة التنف بالمسيرات.", POSTED)
    assert ex.operations[0].event_date == date(2026, 6, 6)


# --- rules-1.2.0: error categories of the out-of-period (July) check -------------------------------------------


def test_state_aircraft_named_by_nisba_are_that_state_force() -> None:
    ex = extract_claims(
        "خلية الإعلام الأمني: طائرات F-16 العراقية تنفذ ضربات جوية على أوكار داعش في وادي الشاي", POSTED
    )
    op = ex.operations[0]
    assert (ex.kind, op.actor, op.actor_id, op.weapon) == ("claim", "other", "iraqi_security_forces", "airstrike")
    # the nisba alone is not a state force: "المسيرات العراقية" keeps its usual reading
    assert get_actor_matcher().find(normalize_for_matching("المسيرات العراقية")) == []


def test_bare_came_under_fire_is_not_a_hit() -> None:
    assert first("تعرضت مدينة بندر عباس لقصف أمريكي")[1].intercepted is None
    assert first("تعرضت مدينة بندر عباس لقصف أمريكي أسفر عن سقوط شهداء")[1].intercepted is False


@pytest.mark.parametrize(
    ("text", "actor", "weapon"),
    [
        ("رشقة صاروخية من لبنان نحو الشمال الفلسطيني المحتل", "unknown", "rocket"),  # heading toward
        ("صواريخ تتجه نحو مقرات المعارضة في محافظة أربيل", "unknown", "missile"),
        ("مقر قيادة الأسطول الخامس في البحرين يحترق بالصواريخ الإيرانية", "iran", "missile"),  # burning
        ("مقتل 14 جندياً في هجوم شنته حركة أنصار الله على مواقع في حيس", "houthis", "unspecified"),  # verb+pronoun
        ("الدفاعات الجوية السعودية تعاملت مع تهديد بصواريخ باليستية أطلقتها أنصار الله", "houthis", "missile"),
        ("عملية إطلاق نار في يافا؛ إصابة خطيرة كحصيلة أولية.", "unknown", "unspecified"),  # shooting with victims
        ("عصابات الجولاني: خلية تنتمي لداعش هي المسؤولة عن التفجيرات في دمشق", "other", "unspecified"),
        ("غارات سعودية تستهدف مطار صنعاء الدولي", "other", "airstrike"),
    ],
)
def test_reports_of_the_july_categories(text: str, actor: str, weapon: str) -> None:
    ex = extract_claims(text, POSTED)
    assert ex.kind == "report", ex.reasons
    assert (ex.operations[0].actor, ex.operations[0].weapon) == (actor, weapon)


def test_relative_clause_object_is_the_target_not_the_attacker() -> None:
    op = first("مصادر: الصواريخ الأخيرة التي استهدفت إيران انطلقت من الكويت")[1]
    assert (op.actor, op.target_country) == ("unknown", "IR")


def test_partitive_and_nisba_place_the_target() -> None:
    op = first("انقطاع التيار الكهربائي في أجزاء من مدينة تشابهار الإيرانية بعد سماع دوي انفجارات")[1]
    assert (op.target_country, op.location) == ("IR", "Chabahar")
    assert first("سماع دوي انفجار في مدينة كذاوكذا الإيرانية")[1].target_country == "IR"


def test_destroyed_air_defence_radar_is_a_hit_not_an_interception() -> None:
    ex = extract_claims(
        "الحرس الثوري: شننا هجوماً صاروخياً على الأسطول الخامس في البحرين وتم تدمير رادار باتريوت", POSTED
    )
    assert (ex.kind, ex.operations[0].intercepted) == ("claim", False)


@pytest.mark.parametrize(
    "text",
    [
        "السلام عليك وعلى جدك وأبيك والمعصومين من ولدك.",  # "ولدك" is not "دكّ"
        "عمليات بغداد: تفجير مسيطر عليه لمخلفات حربية ضمن مقتربات مطار بغداد الدولي",  # ordnance disposal
        "مسؤول أمريكي: الضربات الأمريكية ضد إيران لم تنته بعد.",  # campaign goes on: a warning
        "حادثة إطلاق نار عشوائي في حفل زفاف دون إصابات",  # gunfire without victims
        "لم نكن يوماً جزءاً من أي مخطط يستهدف إيران.",  # denial
        "صوت الشعب يقود نحو اتفاق، والصواريخ ليست الحل",  # figurative "toward"
    ],
)
def test_july_false_positives_are_other(text: str) -> None:
    assert extract_claims(text, POSTED).kind == "other"


def test_we_bombed_them_in_a_leader_statement_is_a_claim() -> None:
    ex = extract_claims("ترامب: قمنا بقصفهم بعدما استهدفوا سفنا في مضيق هرمز", POSTED)
    assert (ex.kind, ex.operations[0].actor) == ("claim", "us")


# --- rules-1.3.0: error categories of the second July sample (naya_july_b) -------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "طائرة مسيرة تستهدف مقراً لأحد الأحزاب في محافظة السليمانية",  # "أحد" = "one of", not Sunday
        "انفجار عبوة قرب واحد من المقرات في الموصل",  # "واحد" is not و + أحد
        "تفعيل الدفاعات الجوية في سماء خميس مشيط",  # a city name, not Thursday
    ],
)
def test_bare_weekday_words_are_not_dates(text: str) -> None:
    assert first(text)[1].event_date == date(2026, 6, 8)


def test_weekday_after_a_time_word_still_dates() -> None:
    assert first("قصف مدفعي على بلدة الخيام يوم سبت")[1].event_date == date(2026, 6, 6)


def test_passive_we_were_attacked_is_a_report() -> None:
    ex, op = first("البحرين: تم مهاجمتنا صباح اليوم بثلاثة صواريخ باليستية")
    assert (ex.kind, op.actor, op.weapon, op.target_country) == ("report", "unknown", "missile", "BH")


def test_named_air_defence_system_activated_is_a_report() -> None:
    ex, op = first("تفعيل منظومة الباتريوت في سماء الرياض")
    assert (ex.kind, op.actor, op.weapon, op.target_country, op.intercepted) == (
        "report",
        "unknown",
        "unspecified",
        "SA",
        None,
    )


def test_launch_wave_without_weapon_is_a_report() -> None:
    ex, op = first("موجة جديدة تنطلق الآن")
    assert (ex.kind, op.weapon) == ("report", "unspecified")


def test_moored_vessels_take_the_ports_country() -> None:
    op = first("غارات استهدفت قوارب الصيد الراسية في أحد الأرصفة بمدينة بندر عباس")[1]
    assert (op.target_country, op.location, op.weapon) == ("IR", "Bandar Abbas", "airstrike")
    assert first("استهداف سفينة تجارية قبالة سواحل الحديدة")[1].target_country == "SEA"


def test_reached_is_a_hit() -> None:
    assert first("القصف طال مستودعاً قرب ميناء جاسك")[1].intercepted is False


def test_blamed_actor_is_the_attacker_of_the_speakers_side() -> None:
    ex, op = first("مسؤول في أنصار الله: نحمل أمريكا مسؤولية العدوان بالقصف الجوي على مطار صنعاء")
    assert (ex.kind, op.actor, op.weapon, op.target_country) == ("report", "us", "airstrike", "YE")


@pytest.mark.parametrize(
    "place,country",
    [("جزيرة كيش", "IR"), ("مدينة ويسيان", "IR"), ("بلدة الفوعة", "SY"), ("خورموج", "IR")],
)
def test_july_b_gazetteer_places(place: str, country: str) -> None:
    assert first(f"دوي انفجارات في {place}")[1].target_country == country


@pytest.mark.parametrize(
    "text",
    [
        "مصادر: الإدارة الأمريكية لا تريد مشاركة حلفائها في الهجمات على إيران",  # a wish, not an attack
        "وسائل إعلام: واشنطن أبلغت حلفاءها عزمها مهاجمة مواقع في إيران",  # an intention
        "الأمن العام يشن حملة أمنية في حي بالعاصمة ويعتقل متهمين بتفجيرات سابقة",  # policing
        "شاحنات الوقود تتعرض لحوادث وانفجارات بسبب سوء الطرق",  # accidents
        "عبارات كتبت على صاروخ قبل الإطلاق",  # before a launch
        "الجماهير تطالب بمهاجمة السفارة",  # the bare noun: a call to attack
    ],
)
def test_july_b_false_positives_are_other(text: str) -> None:
    assert extract_claims(text, POSTED).kind == "other"


@pytest.mark.parametrize(
    ("text", "weapon"),
    [
        # the launchers and the cell's missiles were what was struck; the means is the aircraft
        (
            "12:04 Rocket launchers and a weapons storage facility in Khan Yunis were struck by IDF fighter jets.",
            "airstrike",
        ),
        (
            "A short while ago, a terrorist cell that attempted to launch anti-tank missiles toward Metula was struck "
            "by an IDF aircraft.",
            "airstrike",
        ),
        ("Hezbollah launched rockets toward Metula.", "rocket"),  # the means, still
    ],
)
def test_a_weapon_named_as_the_target_is_not_the_means(text: str, weapon: str) -> None:
    from claimwatch.claims.rules import operation_candidates

    ex = extract_claims(text, POSTED)
    assert [c.op.weapon for c in operation_candidates(text, ex, POSTED)] == [weapon]


def test_each_country_a_launch_is_aimed_at_is_a_candidate() -> None:
    from claimwatch.claims.rules import operation_candidates

    text = "القيادة المركزية: أطلقت إيران سبعة صواريخ باليستية باتجاه الكويت والبحرين فجر اليوم."
    cands = operation_candidates(text, extract_claims(text, POSTED), POSTED)
    # the subject (Iran) is not a target; each target country is its own operation, no location
    assert [(c.op.target_country, c.op.location, c.op.weapon) for c in cands] == [
        ("KW", None, "missile"),
        ("BH", None, "missile"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "جهاز مكافحة الإرهاب في إقليم كردستان: إسقاط طائرة مسيّرة مفخخة قرب قاعدة حرير شمال أربيل فجر اليوم.",
        "Kurdistan Region Counter-Terrorism: an explosive-laden drone was shot down near Harir base north of Erbil.",
    ],
)
def test_a_label_headers_place_is_no_operation_candidate(text: str) -> None:
    """The place in a speaker's name ("Kurdistan Region Counter-Terrorism:") says who speaks, not where: the
    operation candidates leave it out, as the rules' own operations do (the demo's Harir reports were placed in
    the Kurdistan Region)."""
    from claimwatch.claims.rules import operation_candidates

    cands = operation_candidates(text, extract_claims(text, POSTED), POSTED)
    assert "Harir Air Base" in [c.op.location for c in cands]
    assert "Kurdistan Region" not in [c.op.location for c in cands]


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("استهداف قاعدة الاحتلال الأمريكي في حرير شمال أربيل بطائرتين مسيّرتين.", ["Harir Air Base"]),
        ("A drone was shot down near Harir air base, north of Erbil, at dawn.", ["Harir Air Base"]),
        ("Three Katyusha rockets landed near Ain al-Asad air base in western Anbar.", ["Ain al-Asad Air Base"]),
        ("IDF aircraft struck Hezbollah sites in Yaroun and Blida.", ["Yaroun", "Blida"]),  # two targets
    ],
)
def test_a_place_that_locates_the_one_before_it_is_no_operation_candidate(text: str, places: list[str]) -> None:
    """ "Harir base north of Erbil" names one target, located by a city: the city is no operation of its own."""
    from claimwatch.claims.rules import operation_candidates

    cands = operation_candidates(text, extract_claims(text, POSTED), POSTED)
    assert [c.op.location for c in cands] == places


@pytest.mark.parametrize(
    "text",
    [
        # a live-blog entry is dated afresh: the first entry's "yesterday" is not the second entry's day
        "09:40Yesterday (Wednesday), rockets were launched toward Sderot. 08:15IDF aircraft struck a launch post "
        "in Beit Lahia.",
        # "overnight" places a sentence on the post's day after a sentence about yesterday
        "Yesterday, rockets were launched toward Sderot. Overnight, IDF aircraft struck a launch post in Beit Lahia.",
        # a war's background date ("since June 2") is carried to no later sentence
        "Since June 2, rockets have been launched toward Sderot. IDF aircraft struck a launch post in Beit Lahia.",
    ],
)
def test_an_operation_candidate_takes_no_date_its_sentence_does_not_belong_to(text: str) -> None:
    from claimwatch.claims.rules import operation_candidates

    posted = datetime(2026, 6, 18, 9, 0, tzinfo=UTC)  # Thursday 18 June in Baghdad
    cands = operation_candidates(text, extract_claims(text, posted), posted)
    strike = next(c for c in cands if c.op.location == "Bayt Lahya")  # GeoNames spelling
    assert strike.op.event_date == date(2026, 6, 18)
    first = cands[0]
    assert first.op.event_date == (date(2026, 6, 17) if "esterday" in text else date(2026, 6, 18))
