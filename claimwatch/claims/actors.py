"""Actor dictionary (``claimwatch/claims/data/actors.toml``) and a matcher for actor names in normalized text.

The dictionary is data so analysts can add a faction or a spelling without touching the rules. The matcher
compiles every alias into one regex that tolerates the Arabic clitics glued to names ("لحزب الله",
"بالحرس الثوري", "للحرس الثوري") and the nisba adjectives that mark a weapon as someone's ("الصواريخ الإيرانية",
"مسيرة إسرائيلية", "صهيونيتين").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from claimwatch.text.alternation import literal_alternation
from claimwatch.text.textnorm import fold_arabic, normalize_for_matching

__all__ = [
    "ActorMatcher",
    "ActorMention",
    "actor_family",
    "actor_records",
    "get_actor_matcher",
    "guide_label",
    "is_state_force",
]

_ACTORS_TOML = Path(__file__).resolve().parent / "data" / "actors.toml"


@lru_cache(maxsize=1)
def _raw_actors() -> tuple[dict[str, Any], ...]:
    with _ACTORS_TOML.open("rb") as fh:
        return tuple(tomllib.load(fh).get("actor", []))


def actor_records() -> list[dict[str, Any]]:
    """All actors as dicts with actor_id, name_en, name_ar, aliases, parent_id, kind (for ``core.actors``)."""
    out = []
    for a in _raw_actors():
        out.append(
            {
                "actor_id": a["actor_id"],
                "name_en": a["name_en"],
                "name_ar": a["name_ar"],
                "aliases": [*a.get("aliases", []), *a.get("context_only", [])],
                "parent_id": a.get("parent_id"),
                "kind": a["kind"],
                "guide_id": a.get("guide_id", "other"),
                "country": a.get("country"),
            }
        )
    return out


@lru_cache(maxsize=1)
def _by_id() -> dict[str, dict[str, Any]]:
    return {a["actor_id"]: a for a in _raw_actors()}


def guide_label(actor_id: str | None) -> str | None:
    """The GUIDE.md label an actor is reported as (actors outside the guide's list are ``"other"``)."""
    if actor_id is None:
        return None
    if actor_id == "unknown":
        return "unknown"
    a = _by_id().get(actor_id)
    return a.get("guide_id", "other") if a else "other"


def actor_family(actor_id: str) -> frozenset[str]:
    """The actor and every actor under it (its members, theirs...): an umbrella's outlet speaks for them."""
    children: dict[str | None, list[str]] = {}
    for a in _raw_actors():
        children.setdefault(a.get("parent_id"), []).append(a["actor_id"])
    family, todo = {actor_id}, [actor_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in family:
                family.add(child)
                todo.append(child)
    return frozenset(family)


def actor_country(actor_id: str | None) -> str | None:
    """The actor's home country (ISO2), if the dictionary gives one."""
    a = _by_id().get(actor_id or "")
    return a.get("country") if a else None


def is_state_force(actor_id: str | None) -> bool:
    """A state's army or guard (``kind`` "state" or "state_force" in actors.toml): a side that defends its own
    country, where an armed group may also strike an occupying force on its home ground."""
    a = _by_id().get(actor_id or "")
    return a is not None and a.get("kind") in ("state", "state_force")


@dataclass(frozen=True, slots=True)
class ActorMention:
    """An actor named in normalized text. ``how``: name | context | adjective | speaker."""

    start: int
    end: int
    actor_id: str
    how: str


_PFX_DEF = r"(?:[وف]?(?:[بك]?ال|لل))"
_PFX_IND = r"(?:[وف]?[بلك]?)"
_ADJ_SFX = r"(?:ه|ين|ان|تين|تان|ون|يه|يين)?"
# an Arabic nisba adjective in any of its forms, the stem in group ``name`` ("الإيرانية", "والإيرانيين")
NISBA = _PFX_DEF + "?(?P<{name}>{stems})" + _ADJ_SFX


def alternation(words: list[str]) -> str:
    """The names as one alternation, longest first, a space standing for any whitespace."""
    return literal_alternation(words, space=r"\s+")


class ActorMatcher:
    """Finds actor names, nisba adjectives and speakers in a :func:`normalize_for_matching` string."""

    def __init__(self, actors: tuple[dict[str, Any], ...]) -> None:
        self._lookup: dict[tuple[str, str], tuple[str, str]] = {}
        definite: list[str] = []
        indefinite: list[str] = []
        latin: list[str] = []
        adjectives: list[str] = []
        # Registration order matters for duplicates: names beat speakers beat context-only aliases.
        for how, field in (("name", "aliases"), ("speaker", "speakers"), ("context", "context_only")):
            for a in actors:
                for alias in a.get(field, []):
                    norm = " ".join(normalize_for_matching(alias).split())
                    if not norm:
                        continue
                    if norm.isascii():
                        self._lookup.setdefault(("l", norm), (a["actor_id"], how))
                        latin.append(norm)
                    elif norm.startswith("ال"):
                        self._lookup.setdefault(("d", norm[2:]), (a["actor_id"], how))
                        definite.append(norm[2:])
                    else:
                        self._lookup.setdefault(("i", norm), (a["actor_id"], how))
                        indefinite.append(norm)
        for a in actors:
            for adj in a.get("adjectives", []):
                norm = normalize_for_matching(adj)
                if norm.startswith("ال"):
                    norm = norm[2:]
                self._lookup.setdefault(("a", norm), (a["actor_id"], "adjective"))
                adjectives.append(norm)
        parts = []
        if definite:
            parts.append(_PFX_DEF + "(?P<d>" + alternation(definite) + ")")
        if indefinite:
            parts.append(_PFX_IND + "(?P<i>" + alternation(indefinite) + ")")
        if latin:
            parts.append(r"(?:the\s+)?(?P<l>" + alternation(latin) + ")")
        if adjectives:
            parts.append(NISBA.format(name="a", stems=alternation(adjectives)))
        # a name starts where no letter precedes it: a clock time glued to it ("12:04IDF jets") does not hide it
        self._re = re.compile(r"(?<![^\W\d])(?:" + "|".join(parts) + r")(?!\w)")
        # A state's aircraft named by its nisba ("طائرات F-16 العراقية", "المقاتلات التركية") is that state's air
        # force: a name of the actor, though the nisba alone ("المسيرات العراقية") is not.
        air: list[str] = []
        for a in actors:
            for adj in a.get("air_adjectives", []):
                norm = normalize_for_matching(adj)
                norm = norm[2:] if norm.startswith("ال") else norm
                self._lookup.setdefault(("air", norm), (a["actor_id"], "name"))
                air.append(norm)
        self._air_words = tuple(sorted(set(air)))
        self._air_re = (
            re.compile(
                r"(?<!\w)"
                + _PFX_DEF
                + fold_arabic(
                    r"?(?:طائرات|طائرة|مقاتلات|مقاتلة|طيران|مروحيات|مروحية)"
                    r"(?:\s+(?:ال)?(?:حربي\w*|مقاتل\w*|[a-z]+[- ]?\d+\w*|اف[- ]?\d+|سوخوي|\d+)){0,2}\s+"
                )
                + _PFX_DEF
                + r"?(?P<air>"
                + alternation(air)
                + r")"
                + _ADJ_SFX
                + r"(?!\w)"
            )
            if air
            else None
        )

    def find(self, norm: str) -> list[ActorMention]:
        """All actor mentions in ``norm``, left to right (longest alias wins at a position)."""
        out = []
        for m in self._re.finditer(norm):
            for g in ("d", "i", "l", "a"):
                val = m.group(g)
                if val is not None:
                    hit = self._lookup.get((g, " ".join(val.split())))
                    if hit:
                        out.append(ActorMention(m.start(), m.end(), hit[0], hit[1]))
                    break
        if (
            self._air_re is not None
            and ("طاير" in norm or "طيران" in norm or "مقاتل" in norm or "مروحي" in norm)
            and any(w in norm for w in self._air_words)
        ):
            extra = []
            for m in self._air_re.finditer(norm):
                hit = self._lookup.get(("air", m.group("air")))
                if hit:
                    extra.append(ActorMention(m.start(), m.end(), hit[0], hit[1]))
            if extra:
                # the aircraft phrase replaces a bare nisba reading inside it
                out = [mt for mt in out if not any(e.start <= mt.start < e.end for e in extra)] + extra
                out.sort(key=lambda mt: mt.start)
        return out


@lru_cache(maxsize=1)
def get_actor_matcher() -> ActorMatcher:
    """The process-wide actor matcher built from ``actors.toml``."""
    return ActorMatcher(_raw_actors())
