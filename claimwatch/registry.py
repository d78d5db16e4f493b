"""The source registry: ``sources.toml``, one ``[[source]]`` table per source.

Validated on load, with errors that name the file, the entry and the field, because a typo in a
registry must fail the DAG parse loudly rather than silently crawl the wrong thing. Unknown keys are
errors for the same reason. Defaults are conservative: a new live source is polite and its first run
is bounded (``backfill``), so adding a large channel does not crawl years of history.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

Kind = Literal["telegram", "feed", "sitemap", "listing"]
KINDS: tuple[str, ...] = ("telegram", "feed", "sitemap", "listing")
TELEGRAM_BASE_URL = "https://t.me"
DEFAULT_BACKFILL = 200

_ID = re.compile(r"^[a-z0-9][a-z0-9_]{0,62}$")
_CHANNEL = re.compile(r"^[A-Za-z0-9_]{3,64}$")


class RegistryError(ValueError):
    """The registry file is not valid; the message names file, entry and field."""


@dataclass(frozen=True)
class Politeness:
    """How hard a source may be hit. Maps onto Scrapy settings (see ``spiders.settings_for``)."""

    download_delay: float = 1.0
    concurrency: int = 2
    autothrottle: bool = True
    max_response_bytes: int = 5_000_000
    retries: int = 3
    obey_robots: bool = True
    download_timeout: float = 30.0  # seconds before a silent server counts as failed


@dataclass(frozen=True)
class Selectors:
    """CSS or XPath selectors of a ``listing`` source (XPath when the string starts with ``/`` or ``(``)."""

    article_links: str = "a[href]"
    next_page: str | None = None


@dataclass(frozen=True)
class Source:
    """One validated registry entry."""

    id: str
    kind: Kind
    url: str
    channel: str | None = None
    base_url: str | None = None
    backfill: int | None = DEFAULT_BACKFILL  # None means "all"
    schedule: str = "@hourly"
    enabled: bool = True
    max_pages: int = 50
    revisit_hours: float = 24.0
    tags: tuple[str, ...] = ()
    voice: str | None = None  # the source is this actor's own outlet (GUIDE actor id): its narration claims
    extra_domains: tuple[str, ...] = ()
    politeness: Politeness = field(default_factory=Politeness)
    selectors: Selectors = field(default_factory=Selectors)

    @property
    def allowed_domains(self) -> list[str]:
        """Hosts the spider may visit: the source's own host, plus the registry's ``allowed_domains``
        (a feed on rss.example.com whose articles live on www.example.com)."""
        host = urlsplit(self.url).hostname
        return ([host] if host else []) + [d for d in self.extra_domains if d != host]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, stored in ``ops.sources.config`` and passed to the crawl subprocess."""
        data = asdict(self)
        data["tags"] = list(self.tags)
        data["extra_domains"] = list(self.extra_domains)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        """Inverse of :meth:`to_dict`."""
        data = dict(data)
        data["politeness"] = Politeness(**data.get("politeness", {}))
        data["selectors"] = Selectors(**data.get("selectors", {}))
        data["tags"] = tuple(data.get("tags", ()))
        data["extra_domains"] = tuple(data.get("extra_domains", ()))
        return cls(**data)


_TOP_KEYS = {
    "id",
    "kind",
    "url",
    "channel",
    "base_url",
    "backfill",
    "schedule",
    "enabled",
    "max_pages",
    "revisit_hours",
    "tags",
    "voice",
    "allowed_domains",
    "politeness",
    "selectors",
}


def _fail(path: Path, index: int, sid: str | None, key: str, message: str) -> RegistryError:
    who = f"[[source]] #{index + 1}" + (f" (id={sid!r})" if sid else "")
    return RegistryError(f"{path}: {who}: field {key!r}: {message}")


def _check_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _typed(path: Path, i: int, sid: str | None, key: str, value: Any, kind: type | tuple[type, ...]) -> Any:
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise _fail(path, i, sid, key, f"expected a number, got {value!r}")
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise _fail(path, i, sid, key, f"expected {names}, got {type(value).__name__} {value!r}")
    return value


def _parse_entry(path: Path, i: int, raw: Any) -> Source:
    if not isinstance(raw, dict):
        raise RegistryError(f"{path}: [[source]] #{i + 1}: must be a table")
    sid = raw.get("id") if isinstance(raw.get("id"), str) else None
    for key in raw:
        if key not in _TOP_KEYS:
            raise _fail(path, i, sid, key, f"unknown key (known: {', '.join(sorted(_TOP_KEYS))})")
    if "id" not in raw:
        raise _fail(path, i, None, "id", "required")
    if not isinstance(raw["id"], str) or not _ID.match(raw["id"]):
        raise _fail(path, i, sid, "id", "lower-case letters, digits and _ (it names the DAG ingest__<id>)")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise _fail(path, i, sid, "kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")

    values: dict[str, Any] = {"id": raw["id"], "kind": kind}
    if kind == "telegram":
        channel = raw.get("channel")
        if not isinstance(channel, str) or not _CHANNEL.match(channel):
            raise _fail(path, i, sid, "channel", "required for telegram: the channel's public username")
        base_url = raw.get("base_url", TELEGRAM_BASE_URL)
        if not _check_url(base_url):
            raise _fail(path, i, sid, "base_url", f"must be an http(s) URL, got {base_url!r}")
        if "url" in raw:
            raise _fail(path, i, sid, "url", "telegram sources take channel + base_url, not url")
        values.update(channel=channel, base_url=base_url.rstrip("/"), url=f"{base_url.rstrip('/')}/s/{channel}")
    else:
        if not _check_url(raw.get("url")):
            raise _fail(path, i, sid, "url", f"required for {kind}: an http(s) URL")
        for key in ("channel", "base_url"):
            if key in raw:
                raise _fail(path, i, sid, key, "only telegram sources take this key")
        values["url"] = raw["url"]

    if "backfill" in raw:
        backfill = raw["backfill"]
        if backfill == "all":
            values["backfill"] = None
        elif isinstance(backfill, int) and not isinstance(backfill, bool) and backfill > 0:
            values["backfill"] = backfill
        else:
            raise _fail(path, i, sid, "backfill", f'a positive number of posts or "all", got {backfill!r}')
    if "schedule" in raw:
        values["schedule"] = _typed(path, i, sid, "schedule", raw["schedule"], str)
    if "enabled" in raw:
        values["enabled"] = _typed(path, i, sid, "enabled", raw["enabled"], bool)
    if "max_pages" in raw:
        values["max_pages"] = _typed(path, i, sid, "max_pages", raw["max_pages"], int)
        if values["max_pages"] < 1:
            raise _fail(path, i, sid, "max_pages", "must be at least 1")
    if "revisit_hours" in raw:
        values["revisit_hours"] = float(_typed(path, i, sid, "revisit_hours", raw["revisit_hours"], (int, float)))
    if "tags" in raw:
        tags = _typed(path, i, sid, "tags", raw["tags"], list)
        if not all(isinstance(t, str) for t in tags):
            raise _fail(path, i, sid, "tags", "must be a list of strings")
        values["tags"] = tuple(tags)
    if "voice" in raw:
        from claimwatch.claims.labels import ACTORS

        voices = [a for a in ACTORS if a not in ("other", "unknown")]
        if raw["voice"] not in voices:
            raise _fail(path, i, sid, "voice", f"the actor whose outlet this is, one of {', '.join(voices)}")
        values["voice"] = raw["voice"]
    if "allowed_domains" in raw:
        domains = _typed(path, i, sid, "allowed_domains", raw["allowed_domains"], list)
        if not all(isinstance(d, str) and d and "/" not in d for d in domains):
            raise _fail(path, i, sid, "allowed_domains", "must be a list of host names (no scheme, no path)")
        values["extra_domains"] = tuple(d.lower() for d in domains)
    values["politeness"] = _parse_politeness(path, i, sid, raw.get("politeness", {}))
    values["selectors"] = _parse_selectors(path, i, sid, kind, raw.get("selectors"))
    return Source(**values)


def _parse_politeness(path: Path, i: int, sid: str | None, raw: Any) -> Politeness:
    _typed(path, i, sid, "politeness", raw, dict)
    known = Politeness.__dataclass_fields__
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise _fail(path, i, sid, f"politeness.{key}", f"unknown key (known: {', '.join(known)})")
        default = getattr(Politeness(), key)
        want: type | tuple[type, ...] = (int, float) if isinstance(default, float) else type(default)
        _typed(path, i, sid, f"politeness.{key}", value, want)
        if not isinstance(value, bool) and value < 0:
            raise _fail(path, i, sid, f"politeness.{key}", "must not be negative")
        values[key] = float(value) if isinstance(default, float) else value
    return Politeness(**values)


def _parse_selectors(path: Path, i: int, sid: str | None, kind: str, raw: Any) -> Selectors:
    if raw is None:
        if kind == "listing":
            raise _fail(path, i, sid, "selectors", "required for listing: article_links (and next_page)")
        return Selectors()
    _typed(path, i, sid, "selectors", raw, dict)
    for key, value in raw.items():
        if key not in Selectors.__dataclass_fields__:
            raise _fail(path, i, sid, f"selectors.{key}", "unknown key (known: article_links, next_page)")
        _typed(path, i, sid, f"selectors.{key}", value, str)
    return Selectors(**raw)


def load_registry(path: str | Path) -> list[Source]:
    """Read and validate a registry file; raise :class:`RegistryError` naming file, entry and field."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            document = tomllib.load(fh)
    except FileNotFoundError:
        raise RegistryError(f"{path}: no such registry file") from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML: {exc}") from None
    extra = set(document) - {"source"}
    if extra:
        raise RegistryError(f"{path}: unknown top-level key(s) {sorted(extra)}; sources are [[source]] tables")
    entries = document.get("source", [])
    if not isinstance(entries, list):
        raise RegistryError(f"{path}: 'source' must be an array of tables ([[source]])")
    sources = [_parse_entry(path, i, raw) for i, raw in enumerate(entries)]
    seen: set[str] = set()
    for i, source in enumerate(sources):
        if source.id in seen:
            raise _fail(path, i, source.id, "id", "duplicate id")
        seen.add(source.id)
    return sources


def enabled_sources(path: str | Path) -> list[Source]:
    """The sources of a registry that are switched on."""
    return [s for s in load_registry(path) if s.enabled]


def find_source(path: str | Path, source_id: str) -> Source:
    """One source by id; KeyError naming the file when absent."""
    for source in load_registry(path):
        if source.id == source_id:
            return source
    raise KeyError(f"{path}: no source with id {source_id!r}")
