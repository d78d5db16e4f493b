"""The source registry: ``sources.toml``, one ``[[source]]`` table per source.

Validated on load by a schema (pydantic: :class:`SourceEntry`, strict, unknown keys forbidden), with errors that
name the file, the entry and the field in the registry's words, because a typo in a
registry must fail the DAG parse loudly rather than silently crawl the wrong thing. Unknown keys are
errors for the same reason. Defaults are conservative: a new live source is polite and its first run
is bounded (``backfill``), so adding a large channel does not crawl years of history.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

Kind = Literal["telegram", "feed", "sitemap", "listing"]
KINDS: tuple[str, ...] = get_args(Kind)
TELEGRAM_BASE_URL = "https://t.me"
DEFAULT_BACKFILL = 200

_ID = re.compile(r"^[a-z0-9][a-z0-9_]{0,62}$")
_CHANNEL = re.compile(r"^[A-Za-z0-9_]{3,64}$")


class RegistryError(ValueError):
    """The registry file is not valid; the message names file, entry and field."""


class _Table(BaseModel):
    """A registry table: unknown keys are errors (a typo must not silently fall back to a default), and values
    are taken as written (``"5"`` is not a number, ``true`` is not 1)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Politeness(_Table):
    """How hard a source may be hit. Maps onto Scrapy settings (see ``claimwatch.ingest.crawl.scrapy_settings``)."""

    download_delay: float = Field(default=1.0, ge=0)
    concurrency: int = Field(default=2, ge=0)
    autothrottle: bool = True
    max_response_bytes: int = Field(default=5_000_000, ge=0)
    retries: int = Field(default=3, ge=0)
    obey_robots: bool = True
    download_timeout: float = Field(default=30.0, gt=0)  # seconds before a silent server counts as failed


class Selectors(_Table):
    """CSS or XPath selectors of a ``listing`` source (XPath when the string starts with ``/`` or ``(``)."""

    article_links: str = "a[href]"
    next_page: str | None = None


class SourceEntry(_Table):
    """One ``[[source]]`` table as written in the file. Rules that tie fields together (a telegram source takes
    a channel, a listing needs selectors) are checked when it becomes a :class:`Source`."""

    id: str
    kind: str
    url: str | None = None
    channel: str | None = None
    base_url: str | None = None
    backfill: int | Literal["all"] = DEFAULT_BACKFILL
    schedule: str = "@hourly"
    enabled: bool = True
    max_pages: int = Field(default=50, ge=1)
    revisit_hours: float = Field(default=24.0, ge=0)  # 0: every run revisits
    tags: list[str] = []
    voice: str | None = None
    # keep raw HTML this many days after it was normalized (row and hashes stay); none: keep it for ever
    raw_retention_days: float | None = Field(default=None, ge=0)
    allowed_domains: list[str] = []
    politeness: Politeness = Field(default_factory=Politeness)
    selectors: Selectors | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("lower-case letters, digits and _ (it names the DAG ingest__<id>)")
        return value

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"must be one of {', '.join(KINDS)}, got {value!r}")
        return value

    @field_validator("url", "base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not _is_url(value):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value

    @field_validator("backfill")
    @classmethod
    def _backfill(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value < 1:
            raise ValueError(f'a positive number of posts or "all", got {value!r}')
        return value

    @field_validator("voice")
    @classmethod
    def _voice(cls, value: str | None) -> str | None:
        from claimwatch.claims.labels import ACTORS

        voices = [a for a in ACTORS if a not in ("other", "unknown")]
        if value is not None and value not in voices:
            raise ValueError(f"the actor whose outlet this is, one of {', '.join(voices)}")
        return value

    @field_validator("allowed_domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        if not all(d and "/" not in d and ":" not in d for d in value):
            raise ValueError("must be a list of host names (no scheme, no path)")
        return [d.lower() for d in value]


@dataclass(frozen=True)
class Source:
    """One validated registry entry, as the DAGs, the crawl and the spiders use it."""

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
    # Days raw bodies are kept after normalization (raw.prune_payloads reads it from ops.sources.config); None: for
    # ever, since a blanked version can no longer be re-normalized from its bytes.
    raw_retention_days: float | None = None
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
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["tags"] = list(self.tags)
        data["extra_domains"] = list(self.extra_domains)
        data["politeness"] = self.politeness.model_dump()
        data["selectors"] = self.selectors.model_dump()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        """Inverse of :meth:`to_dict`."""
        data = dict(data)
        data["politeness"] = Politeness.model_validate(data.get("politeness", {}))
        data["selectors"] = Selectors.model_validate(data.get("selectors", {}))
        data["tags"] = tuple(data.get("tags", ()))
        data["extra_domains"] = tuple(data.get("extra_domains", ()))
        return cls(**data)


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _fail(path: Path, index: int, sid: str | None, key: str, message: str) -> RegistryError:
    who = f"[[source]] #{index + 1}" + (f" (id={sid!r})" if sid else "")
    return RegistryError(f"{path}: {who}: field {key!r}: {message}")


_EXPECTED = {
    "float_type": "a number",
    "int_type": "an integer",
    "bool_type": "true or false",
    "string_type": "a string",
    "list_type": "a list",
    "model_type": "a table",
    "dict_type": "a table",
    "literal_error": '"all"',
}


def _explain(error: Any, model: type[BaseModel]) -> tuple[str, str]:
    """A pydantic error as (dotted field, message in the registry's words)."""
    loc = [str(part) for part in error["loc"] if not str(part).isdigit()]
    # a union (``int | "all"``) reports each branch under its own name: the field is what precedes it
    loc = [part for part in loc if part not in ("int", "str", "literal['all']", "Politeness", "Selectors")]
    key = ".".join(loc) or "?"
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        known = model.model_fields if len(loc) == 1 else _nested(model, loc[0])
        return key, f"unknown key (known: {', '.join(sorted(known))})"
    if kind == "missing":
        return key, "required"
    if kind == "value_error":
        return key, str(error["ctx"]["error"])
    if kind in _EXPECTED:
        return key, f"expected {_EXPECTED[kind]}, got {type(value).__name__} {value!r}"
    return key, str(error["msg"])


def _nested(model: type[BaseModel], name: str) -> dict[str, Any]:
    tables: dict[str, type[BaseModel]] = {"politeness": Politeness, "selectors": Selectors}
    return dict(tables.get(name, model).model_fields)


def _parse_entry(path: Path, i: int, raw: Any) -> Source:
    if not isinstance(raw, dict):
        raise RegistryError(f"{path}: [[source]] #{i + 1}: must be a table")
    sid = raw.get("id") if isinstance(raw.get("id"), str) else None
    try:
        entry = SourceEntry.model_validate(raw)
    except ValidationError as exc:
        # the first error, named like every other registry error (a union field reports once per branch)
        key, message = _explain(exc.errors()[0], SourceEntry)
        if key == "backfill":
            message = f'a positive number of posts or "all", got {raw.get("backfill")!r}'
        raise _fail(path, i, sid, key, message) from None
    values: dict[str, Any] = {
        "id": entry.id,
        "kind": entry.kind,
        "backfill": None if entry.backfill == "all" else entry.backfill,
        "schedule": entry.schedule,
        "enabled": entry.enabled,
        "max_pages": entry.max_pages,
        "revisit_hours": float(entry.revisit_hours),
        "tags": tuple(entry.tags),
        "voice": entry.voice,
        "raw_retention_days": None if entry.raw_retention_days is None else float(entry.raw_retention_days),
        "extra_domains": tuple(entry.allowed_domains),
        "politeness": entry.politeness,
    }
    if entry.kind == "telegram":
        if entry.channel is None or not _CHANNEL.match(entry.channel):
            raise _fail(path, i, sid, "channel", "required for telegram: the channel's public username")
        if entry.url is not None:
            raise _fail(path, i, sid, "url", "telegram sources take channel + base_url, not url")
        base = (entry.base_url or TELEGRAM_BASE_URL).rstrip("/")
        values.update(channel=entry.channel, base_url=base, url=f"{base}/s/{entry.channel}")
    else:
        if entry.url is None:
            raise _fail(path, i, sid, "url", f"required for {entry.kind}: an http(s) URL")
        for key in ("channel", "base_url"):
            if getattr(entry, key) is not None:
                raise _fail(path, i, sid, key, "only telegram sources take this key")
        values["url"] = entry.url
    if entry.selectors is None and entry.kind == "listing":
        raise _fail(path, i, sid, "selectors", "required for listing: article_links (and next_page)")
    values["selectors"] = entry.selectors or Selectors()
    return Source(**values)


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
