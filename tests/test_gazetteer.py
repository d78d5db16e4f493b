"""Gazetteer: GeoNames fully used (folded Latin names, Arabic alternates, far cities), common words kept safe, and
the derived index cached and rebuilt when missing."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from claimwatch.claims import gazetteer
from claimwatch.claims.gazetteer import Gazetteer, fold_latin, get_gazetteer
from claimwatch.text.textnorm import normalize_for_matching


def places(text: str, gz: Gazetteer | None = None) -> list[tuple[str, str]]:
    found = (gz or get_gazetteer()).find(normalize_for_matching(text))
    return [(p.record["name_en"], p.record["country"]) for p in found]


def test_fold_latin_drops_diacritics_and_unifies_apostrophes() -> None:
    assert fold_latin("Khān Yūnis") == "Khan Yunis"
    assert fold_latin("Ya‘bad") == fold_latin("Yaʿbad") == "Ya'bad"
    assert fold_latin("Be’eri") == "Be'eri"


def test_diacritic_folded_latin_names_match() -> None:
    # GeoNames spells it "Khān Yūnis"; posts write it without the macrons
    assert "PS" in {c for _, c in places("Tanks were seen moving into Khan Yunis this morning")}
    assert [c for _, c in places("shots were fired near the town of Ya'bad last night")] == ["PS"]
    assert [c for _, c in places("Rockets hit an open area in Hebron")] == ["PS"]


def test_arabic_alternate_name_of_a_small_geonames_town() -> None:
    # Jerash (about 27,000 people): only its Arabic alternate name is in the post
    assert places("سقوط طائرة مسيرة في جرش شمال المملكة") == [("Jarash", "JO")]
    # a small town's name alone, outside place position, is not read as the town
    assert places("جرش الحبوب في المطحنة") == []


def test_big_city_outside_the_region() -> None:
    assert places("دوي انفجارات في كييف") == [("Kyiv", "UA")]
    assert places("صواريخ روسية تضرب مدينة كييف") == [("Kyiv", "UA")]
    assert ("Moscow", "RU") in places("مسيرات أوكرانية تتجه نحو موسكو")
    assert places("Drones were shot down over Moscow") == [("Moscow", "RU")]


def test_region_town_wins_over_a_bigger_far_namesake() -> None:
    # "أبادان" is also the Arabic spelling of Ibadan (Nigeria, 3.6 million)
    assert places("غارات على مدينة أبادان") == [("Abadan", "IR")]


def test_common_word_needs_a_place_word() -> None:
    # ميدان is Medan (Indonesia) in GeoNames, and "square"/"field" in posts: the article test marks it common
    assert places("سقوط قذائف في ميدان التدريب") == []
    assert places("وصل الوفد إلى مدينة ميدان الإندونيسية") == [("Medan", "ID")]
    # the curated Metula is "المطلة", also "overlooking": read after a preposition, not as an adjective
    assert places("صافرات الإنذار تدوي في المطلة") == [("Metula", "IL")]
    assert places("من الشرفة المطلة على البحر") == []


def _town(name: str, aliases: list[str], population: int = 2_000, country: str = "IQ") -> dict[str, Any]:
    rec: dict[str, Any] = {
        "location_id": f"geonames:{abs(hash(name)) % 10**8}",
        "name_en": name,
        "name_ar": None,
        "aliases": aliases,
        "lat": 33.0,
        "lon": 44.0,
        "country": country,
        "population": population,
        "geo_precision": 1,
        "disputed": False,
        "feature": "city",
        "needs_cue": 0,
    }
    return rec


def test_word_statistics_rule_on_self_made_data() -> None:
    recs = [_town("Qarya Hamra", ["حمراوة"]), _town("Sahil", ["ساحلة"]), _town("Nahrawan", ["نهروانة"])]
    stats = {
        # (posts of the corpus, posts with the name, after a place word, posts with its other article form)
        "حمراوه": (1000, 40, 1, 0),  # frequent and almost never after a place word: a common word
        "ساحله": (1000, 3, 0, 5),  # takes the article ("الساحلة") too: a common noun
        "نهروانه": (1000, 40, 30, 0),  # frequent, but mostly after بلدة/مدينة: a place name
    }
    gz = Gazetteer(recs, stats)
    assert places("قصف في حمراوة", gz) == []
    assert places("قصف في بلدة حمراوة", gz) == [("Qarya Hamra", "IQ")]
    assert places("قصف في ساحلة", gz) == []
    assert places("قصف في نهروانة", gz) == [("Nahrawan", "IQ")]
    # an actor's name is never a small town's name alone
    gz = Gazetteer([_town("Nujaba", ["النجباء"])], {}, {normalize_for_matching("النجباء")})
    assert places("هجوم في النجباء", gz) == []
    assert places("هجوم في قرية النجباء", gz) == [("Nujaba", "IQ")]


def test_committed_word_statistics_parse() -> None:
    stats = gazetteer._load_word_stats()
    assert stats, "claimwatch/claims/data/gazetteer_word_stats.tsv is missing or empty"
    assert all(total > 0 and posts >= 0 for total, posts, _, _ in stats.values())


def test_geonames_cache_is_rebuilt_when_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLAIMWATCH_DATA_DIR", str(tmp_path))
    builds: list[int] = []

    def fake_read() -> list[dict[str, Any]]:
        builds.append(1)
        rec = _town("Testabad", ["تستاباد"])
        rec["keys"] = gazetteer._record_keys(rec)
        return [rec]

    monkeypatch.setattr(gazetteer, "_read_geonames", fake_read)
    path = gazetteer.geonames_cache_path()
    assert path is not None and not path.exists()
    stale = path.parent / "geonames-0.0-stale.json.gz"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"")
    assert [r["name_en"] for r in gazetteer._load_geonames()] == ["Testabad"]
    assert path.exists() and len(builds) == 1 and not stale.exists()  # built, cached, the stale file pruned
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        assert json.load(fh)["records"][0]["keys"]
    gazetteer._load_geonames()
    assert len(builds) == 1  # read from the cache
    path.unlink()
    gazetteer._load_geonames()
    assert len(builds) == 2 and path.exists()  # missing: rebuilt
    path.write_bytes(b"not gzip")
    gazetteer._load_geonames()
    assert len(builds) == 3  # unreadable: rebuilt


def test_cache_key_follows_the_build_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLAIMWATCH_DATA_DIR", str(tmp_path))
    before = gazetteer.geonames_cache_path()
    monkeypatch.setitem(gazetteer._GEONAMES_SETTINGS, "region_file", "cities500")
    assert gazetteer.geonames_cache_path() != before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a flag emoji spells its country's ISO code in regional indicator symbols
        ("🇮🇷 / أنباء عن أصوات انفجارات", [("IR", "flag")]),
        ("🇨🇭 Swiss police: three wounded", [("CH", "flag")]),
        # an Arabic nisba in its feminine, plural and clitic forms; an English adjective and its plural
        ("الدفاعات الجوية الكويتية تتصدى لهجمات", [("KW", "demonym")]),
        ("مقتل جنديين إسرائيليين والإيرانيين", [("IL", "demonym"), ("IR", "demonym")]),
        ("the Lebanese army said two Israelis were hurt", [("LB", "demonym"), ("IL", "demonym")]),
        # a word that merely starts like one is not ("Iraqis" is, "Iraqiya" is not)
        ("the Iraqiya list", []),
        ("", []),
    ],
)
def test_nations_named_by_flag_or_nationality_adjective(text: str, expected: list[tuple[str, str]]) -> None:
    assert gazetteer.nations(text, normalize_for_matching(text)) == expected
