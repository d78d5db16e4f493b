"""Labels: one line per post, in the GUIDE's vocabulary, by reference (``msg_id`` into a corpus, never its text).

A label file is JSON Lines with ``msg_id, kind, actor, weapon, target_country, location, event_date,
intercepted, note`` and, for the operation-level sets, ``operations`` (every specific operation of the post,
each with the same fields but ``msg_id`` and ``note``). Reading validates every line against the GUIDE's
vocabulary with pydantic, so a typo in a label is an error that names the file and line, not a silent miss in
a score.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

__all__ = [
    "ACTORS",
    "FIELDS",
    "KINDS",
    "OP_KEYS",
    "WEAPONS",
    "Label",
    "LabelError",
    "LabelOp",
    "load_labels",
    "write_labels",
]

KINDS = ("claim", "report", "other")
FIELDS = ("actor", "weapon", "target_country", "event_date", "intercepted")
OP_KEYS = ("kind", "actor", "weapon", "target_country", "location", "event_date", "intercepted")
ACTORS = (
    "hezbollah",
    "islamic_resistance_iraq",
    "kataib_hezbollah",
    "kataib_sayyid_al_shuhada",
    "nujaba",
    "houthis",
    "irgc",
    "iran_army",
    "iran",
    "israel",
    "us",
    "hamas",
    "pij",
    "other",
    "unknown",
)
WEAPONS = ("drone", "missile", "rocket", "artillery", "airstrike", "unspecified")
_COUNTRY = re.compile(r"^(?:[A-Z]{2}|SEA)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Kind = Literal["claim", "report", "other"]
Actor = Literal[
    "hezbollah",
    "islamic_resistance_iraq",
    "kataib_hezbollah",
    "kataib_sayyid_al_shuhada",
    "nujaba",
    "houthis",
    "irgc",
    "iran_army",
    "iran",
    "israel",
    "us",
    "hamas",
    "pij",
    "other",
    "unknown",
]
Weapon = Literal["drone", "missile", "rocket", "artillery", "airstrike", "unspecified"]


class LabelError(ValueError):
    """A label file that does not follow the GUIDE's schema (the message names file and line)."""


class LabelOp(BaseModel):
    """One operation of a post."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["claim", "report"]
    actor: Actor
    weapon: Weapon
    target_country: str | None
    location: str | None
    event_date: str | None
    intercepted: bool | None

    @field_validator("target_country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        if v is not None and not _COUNTRY.match(v):
            raise ValueError(f"target_country {v!r} is not ISO 3166-1 alpha-2 or SEA")
        return v

    @field_validator("event_date")
    @classmethod
    def _date(cls, v: str | None) -> str | None:
        if v is not None and not _DATE.match(v):
            raise ValueError(f"event_date {v!r} is not YYYY-MM-DD")
        return v


class Label(BaseModel):
    """A post's label: the top-level fields (the first specific operation) and, optionally, every operation."""

    model_config = ConfigDict(extra="forbid")

    msg_id: int
    kind: Kind
    actor: Actor | None
    weapon: Weapon | None
    target_country: str | None
    location: str | None
    event_date: str | None
    intercepted: bool | None
    note: str = ""
    operations: list[LabelOp] | None = None

    _country = field_validator("target_country")(LabelOp._country.__func__)  # type: ignore[attr-defined]
    _date = field_validator("event_date")(LabelOp._date.__func__)  # type: ignore[attr-defined]

    @model_validator(mode="after")
    def _consistent(self) -> Label:
        if self.kind == "other":
            if any(getattr(self, f) is not None for f in (*FIELDS, "location")):
                raise ValueError("kind other carries no actor, weapon, place, date or interception")
            if self.operations:
                raise ValueError("kind other has no operations")
        elif self.actor is None or self.weapon is None:
            raise ValueError(f"kind {self.kind} needs an actor and a weapon")
        return self


def load_labels(path: Path | str) -> list[dict[str, Any]]:
    """Read and validate a label file; rows come back as plain dicts (``operations`` as a list of dicts)."""
    path = Path(path)
    rows: list[dict[str, Any]] = []
    seen: set[int] = set()
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                label = Label.model_validate_json(line)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "line"
                raise LabelError(f"{path}:{lineno}: {where}: {first['msg']}") from None
            if label.msg_id in seen:
                raise LabelError(f"{path}:{lineno}: msg_id {label.msg_id} labelled twice")
            seen.add(label.msg_id)
            rows.append(label.model_dump(exclude_none=False))
    return rows


def write_labels(path: Path | str, rows: list[dict[str, Any]]) -> None:
    """Write label rows (validated first) as JSON Lines, keys in the GUIDE's order."""
    order = ("msg_id", "kind", *OP_KEYS[1:], "note", "operations")
    with Path(path).open("w", encoding="utf-8") as fh:
        for row in rows:
            label = Label.model_validate(row).model_dump()
            out = {k: label[k] for k in order if k in label and (k != "operations" or label[k] is not None)}
            fh.write(json.dumps(out, ensure_ascii=False) + "\n")
