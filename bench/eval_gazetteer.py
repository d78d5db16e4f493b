"""How well the gazetteer finds the places that decide an event's target country, and what it costs.

On the *training* label sets only (``claims.train.training_set_names()``; the frozen test sets are never read),
for every gold event (top-level ``kind`` claim/report with a non-null ``target_country``):

- country coverage: the gold target_country is among the countries of the places found in the post's text
  (the rules choose the target country among these, so a miss here is a miss downstream);
- first place: the country of the first place found that is not a launch origin, preferring a town or site over
  a country name (a rough stand-in for the rules' choice, which a false match can spoil);
- location match (events with a gold ``location``): the gold location equals, case-, diacritic- and
  punctuation-insensitively, the ``name_en`` or an alias of a place found;
- with ``--rules``, the rules' target_country on the same events (``claims.rules.extract_claims``), end to end.

Speed: the mean ``Gazetteer.find()`` time per post over the whole channel corpus (best of ``--repeat``), and the
start-up cost of ``get_gazetteer()`` in fresh processes: with no cached index (built from GeoNames), with the
cached index on disk, and a repeated call in the same process.

    .venv/bin/python bench/eval_gazetteer.py [--rules] [--repeat 3] [--misses FILE] [--module FILE]

``--module`` scores another implementation of ``claimwatch/claims/gazetteer.py`` (it reads ``data/places.toml``
beside itself), e.g. the committed one for before/after figures on the same labels and machine:

    mkdir -p /tmp/gz_old/data && git show HEAD:claimwatch/claims/gazetteer.py > /tmp/gz_old/gazetteer.py
    git show HEAD:claimwatch/claims/data/places.toml > /tmp/gz_old/data/places.toml
    .venv/bin/python bench/eval_gazetteer.py --module /tmp/gz_old/gazetteer.py
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _use_module(path: str) -> None:
    """Install the gazetteer implementation at ``path`` as ``claimwatch.claims.gazetteer`` (before any import)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("claimwatch.claims.gazetteer", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["claimwatch.claims.gazetteer"] = module
    spec.loader.exec_module(module)


if "--module" in sys.argv:
    _use_module(sys.argv[sys.argv.index("--module") + 1])

from claimwatch.claims.train import examples, label_set, training_set_names  # noqa: E402
from claimwatch.text.textnorm import normalize_for_matching  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "channel-posts" / "naya_foriraq.jsonl"
_NON_ALNUM = re.compile(r"[\W_]+")
_LANG = {"naya": "AR", "idf": "EN"}

_STARTUP = """
import sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
if {module!r}:
    import importlib.util
    spec = importlib.util.spec_from_file_location("claimwatch.claims.gazetteer", {module!r})
    m = importlib.util.module_from_spec(spec)
    sys.modules["claimwatch.claims.gazetteer"] = m
    spec.loader.exec_module(m)
from claimwatch.claims.gazetteer import get_gazetteer
get_gazetteer()
t1 = time.perf_counter()
get_gazetteer()
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def name_key(name: str) -> str:
    """Case-, diacritic- and punctuation-insensitive form of a place name ("Khān Yūnis" == "khan-yunis")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return _NON_ALNUM.sub("", "".join(c for c in decomposed if not unicodedata.combining(c)))


def record_names(rec: dict[str, Any]) -> set[str]:
    names = [rec["name_en"], rec.get("name_ar") or "", *rec.get("aliases", [])]
    return {name_key(n) for n in names if n}


def first_place_country(places: list[Any]) -> str | None:
    """Country of the first non-origin town/site found, else of the first non-origin place (country names too)."""
    usable = [p for p in places if not p.origin] or places
    for p in usable:
        if p.record["feature"] not in ("country", "direction_region", "sea"):
            return str(p.record["country"])
    return str(usable[0].record["country"]) if usable else None


def coverage(rules: bool, misses: Path | None) -> None:
    from claimwatch.claims.gazetteer import get_gazetteer

    gz = get_gazetteer()
    names = training_set_names()
    items = examples(names, read=False)
    stats: dict[str, Counter[str]] = defaultdict(Counter)
    miss_rows: list[dict[str, Any]] = []
    extract = None
    if rules:
        from claimwatch.claims.rules import extract_claims

        extract = extract_claims
    for e in items:
        lab = e.label
        if lab["kind"] not in ("claim", "report") or not lab.get("target_country"):
            continue
        lang = _LANG[label_set(e.source).corpus]
        st = stats[lang]
        places = gz.find(normalize_for_matching(e.text))
        countries = {p.record["country"] for p in places}
        gold = lab["target_country"]
        st["events"] += 1
        covered = gold in countries
        st["covered"] += covered
        st["first"] += first_place_country(places) == gold
        loc_ok = None
        if lab.get("location"):
            st["with_location"] += 1
            found = set().union(*(record_names(p.record) for p in places)) if places else set()
            loc_ok = name_key(lab["location"]) in found
            st["location"] += loc_ok
        if extract is not None:
            ex = extract(e.text, e.posted_at)
            pred = ex.operations[0].target_country if ex.operations else None
            st["rules"] += pred == gold
        if misses is not None and (not covered or loc_ok is False):
            miss_rows.append(
                {
                    "set": e.source,
                    "msg_id": lab["msg_id"],
                    "gold_country": gold,
                    "gold_location": lab.get("location"),
                    "found": [(p.record["name_en"], p.record["country"], p.origin) for p in places],
                    "text": e.text[:400],
                }
            )
    print(f"training sets: {', '.join(names)}")
    for lang in sorted(stats):
        st = stats[lang]
        n, nl = st["events"], st["with_location"]
        line = (
            f"{lang}: events {n:4d}  country coverage {st['covered'] / n:6.1%}  first-place country"
            f" {st['first'] / n:6.1%}  location match {st['location'] / max(nl, 1):6.1%} (of {nl})"
        )
        if rules:
            line += f"  rules target_country {st['rules'] / n:6.1%}"
        print(line)
    if misses is not None:
        with misses.open("w", encoding="utf-8") as fh:
            for row in miss_rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{len(miss_rows)} misses written to {misses}")


def find_speed(repeat: int) -> None:
    from claimwatch.claims.gazetteer import get_gazetteer

    gz = get_gazetteer()
    with CORPUS.open(encoding="utf-8") as fh:
        norms = [normalize_for_matching(json.loads(line).get("text") or "") for line in fh if line.strip()]
    best = float("inf")
    found = 0
    for _ in range(max(1, repeat)):
        gz._may_start.clear()  # the per-token memo fills during a run: time it filling, as a fresh process would
        t0 = time.perf_counter()
        found = sum(len(gz.find(n)) for n in norms)
        best = min(best, time.perf_counter() - t0)
    print(
        f"find(): {len(norms)} channel posts, {best / len(norms) * 1e6:.1f} µs/post (best of {repeat}),"
        f" {found / len(norms):.2f} places/post"
    )


def startup(module: str | None) -> None:
    code = _STARTUP.format(root=str(ROOT), module=module or "")

    def run(env: dict[str, str]) -> tuple[float, float]:
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        first, again = out.stdout.split()
        return float(first), float(again)

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CLAIMWATCH_DATA_DIR": tmp}
        cold, _ = run(env)  # no cached index: built from GeoNames (and cached, where the module caches)
        warm, again = run(env)  # the cached index on disk
    print(
        f"get_gazetteer(): first call with no cache {cold:.2f} s, first call with the cache {warm:.2f} s,"
        f" repeated call {again * 1e6:.0f} µs"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", action="store_true", help="also score the rules' target_country on the events")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes over the corpus; the best is reported")
    ap.add_argument("--misses", type=Path, help="write the missed training events (JSON Lines) to this file")
    ap.add_argument("--module", help="score this gazetteer.py instead of the package's (see above)")
    args = ap.parse_args(argv)
    coverage(args.rules, args.misses)
    find_speed(args.repeat)
    startup(args.module)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
