"""``claimwatch review``: analysts correct claims and events; the warehouse keeps who, when and why.

    claimwatch review show CLAIM_ID                 # a claim, its event and the other members
    claimwatch review set CLAIM_ID actor=hezbollah event_date=2026-06-01 [--note WHY]
    claimwatch review wrong CLAIM_ID [--note WHY]   # not an operation at all (or not this one)
    claimwatch review merge EVENT_ID OTHER_EVENT_ID  # the same real-world operation
    claimwatch review split EVENT_ID CLAIM_ID ...   # these rows are a different operation
    claimwatch review list [--limit N]

A correction names an operation by its document and index (stable when the document is re-extracted, unlike
``claim_id``) and is stored in ``core.corrections`` with the analyst's name (``--as``, default the login name).
It is applied at once (the claim's fields, its event, the marts), and again after every re-extraction, so it
survives ``reprocess``; merges and splits are constraints the event linker obeys. ``claimwatch train
--corrections`` takes corrected posts as labels.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from datetime import date
from typing import Any

import psycopg2
import psycopg2.extras

from claimwatch.claims.labels import ACTORS, WEAPONS
from claimwatch.warehouse import connect, query

__all__ = ["main", "record"]

log = logging.getLogger(__name__)
FIELDS = ("kind", "actor", "weapon", "target_country", "location_name", "event_date", "intercepted")


class ReviewError(ValueError):
    """A correction that cannot be made (unknown claim or event, bad value); the message says why."""


def _check_value(field: str, value: str) -> str | None:
    """The value as stored (text), validated against the GUIDE's vocabulary."""
    v = value.strip()
    if v.lower() in ("", "null", "none"):
        if field in ("kind", "event_date"):
            raise ReviewError(f"{field} cannot be empty")
        return None
    if field == "kind" and v not in ("claim", "report"):
        raise ReviewError("kind must be claim or report (a post that is neither: `claimwatch review wrong`)")
    if field == "actor" and v not in ACTORS:
        raise ReviewError(f"actor must be one of {', '.join(ACTORS)}")
    if field == "weapon" and v not in WEAPONS:
        raise ReviewError(f"weapon must be one of {', '.join(WEAPONS)}")
    if field == "target_country" and not (v == "SEA" or (len(v) == 2 and v.isalpha() and v.isupper())):
        raise ReviewError("target_country must be an ISO 3166-1 alpha-2 code or SEA")
    if field == "event_date":
        try:
            date.fromisoformat(v)
        except ValueError:
            raise ReviewError("event_date must be YYYY-MM-DD") from None
    if field == "intercepted":
        if v.lower() not in ("true", "false"):
            raise ReviewError("intercepted must be true, false or null")
        return v.lower()
    return v


def _claim(cur: Any, claim_id: int) -> dict[str, Any]:
    cur.execute(query("review_claim"), {"claim_id": claim_id})
    row = cur.fetchone()
    if row is None:
        raise ReviewError(f"no claim {claim_id} (see marts.events.claim_ids / report_ids)")
    return dict(row)


def record(dsn: str, action: str, claim_id: int, analyst: str, note: str | None = None, **kw: Any) -> list[int]:
    """Store corrections of one claim row and apply them; returns the correction ids."""
    ids: list[int] = []
    with connect(dsn) as conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        claim = _claim(cur, claim_id)
        base = {"doc_id": claim["doc_id"], "operation_index": claim["operation_index"], "analyst": analyst}
        if action == "set":
            for field, value in kw["values"].items():
                if field not in FIELDS:
                    raise ReviewError(f"unknown field {field!r} (one of {', '.join(FIELDS)})")
                cur.execute(
                    query("review_insert"),
                    {
                        **base,
                        "action": "set",
                        "field": field,
                        "value": _check_value(field, value),
                        "note": note,
                        "other_doc_id": None,
                        "other_operation_index": None,
                    },
                )
                ids.append(cur.fetchone()["correction_id"])
        elif action == "wrong":
            cur.execute(
                query("review_insert"),
                {
                    **base,
                    "action": "wrong",
                    "field": None,
                    "value": None,
                    "note": note,
                    "other_doc_id": None,
                    "other_operation_index": None,
                },
            )
            ids.append(cur.fetchone()["correction_id"])
        elif action in ("merge", "split"):
            other = _claim(cur, kw["other_claim_id"])
            cur.execute(
                query("review_insert"),
                {
                    **base,
                    "action": action,
                    "field": None,
                    "value": None,
                    "note": note,
                    "other_doc_id": other["doc_id"],
                    "other_operation_index": other["operation_index"],
                },
            )
            ids.append(cur.fetchone()["correction_id"])
        cur.execute(query("corrections_apply"), {"doc_ids": [claim["doc_id"]]})
        if action in ("merge", "split"):  # the row that moves is placed again, under the new constraint
            moving = kw["other_claim_id"] if action == "merge" else claim_id
            cur.execute(query("review_unplace"), {"claim_ids": [moving]})
    return ids


def _members(cur: Any, event_id: int) -> list[dict[str, Any]]:
    cur.execute(query("review_event_members"), {"event_id": event_id})
    rows = [dict(r) for r in cur.fetchall()]
    if not rows:
        raise ReviewError(f"no event {event_id} with members (see marts.events)")
    return rows


def merge(dsn: str, event_id: int, other_event_id: int, analyst: str, note: str | None) -> int:
    """Record that two events are one operation: every member of the second joins the first."""
    with connect(dsn) as conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        keep, move = _members(cur, event_id), _members(cur, other_event_id)
    for row in move:
        record(dsn, "merge", keep[0]["claim_id"], analyst, note, other_claim_id=row["claim_id"])
    return len(move)


def split(dsn: str, event_id: int, claim_ids: list[int], analyst: str, note: str | None) -> int:
    """Record that some members of an event are another operation: they leave it and never rejoin it."""
    with connect(dsn) as conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        members = _members(cur, event_id)
    moving = [m for m in members if m["claim_id"] in claim_ids]
    if len(moving) != len(set(claim_ids)):
        raise ReviewError(
            f"claims {sorted(set(claim_ids) - {m['claim_id'] for m in moving})} are not in event {event_id}"
        )
    staying = [m for m in members if m["claim_id"] not in claim_ids]
    for m in moving:
        for s in staying:
            record(dsn, "split", m["claim_id"], analyst, note, other_claim_id=s["claim_id"])
    return len(moving)


def settle(dsn: str) -> dict[str, Any]:
    """Re-place the rows the corrections moved and refresh the events they touched (every correction marks the
    events of its rows), which brings those events' marts rows up to date: the correction shows at once."""
    from claimwatch.transform.events import cluster_new

    return {"events": cluster_new(dsn)}


def _show(dsn: str, claim_id: int) -> None:
    with connect(dsn) as conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        claim = _claim(cur, claim_id)
        print(
            " ".join(
                f"{k}={claim[k]}"
                for k in (
                    "claim_id",
                    "event_id",
                    "kind",
                    "actor",
                    "weapon",
                    "target_country",
                    "location_name",
                    "event_date",
                    "intercepted",
                    "corrected",
                    "retracted",
                )
            )
        )
        print(f"  from {claim['url']}: {str(claim['evidence'])[:200]}")
        if claim["event_id"]:
            for m in _members(cur, claim["event_id"]):
                if m["claim_id"] != claim_id:
                    print(
                        f"  same event: claim {m['claim_id']} {m['kind']} {m['actor']} {m['location_name']} {m['url']}"
                    )


def _list(dsn: str, limit: int) -> None:
    with connect(dsn) as conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute(query("review_list"), {"limit": limit})
        for r in cur.fetchall():
            what = f"{r['field']}={r['value']}" if r["action"] == "set" else r["action"]
            other = f" with doc {r['other_doc_id']}:{r['other_operation_index']}" if r["other_doc_id"] else ""
            print(
                f"#{r['correction_id']} {r['created_at']:%Y-%m-%d %H:%M} {r['analyst']}: doc {r['doc_id']}:"
                f"{r['operation_index']} {what}{other}" + (f"  ({r['note']})" if r["note"] else "")
            )


def main(argv: list[str] | None = None) -> int:
    """The ``claimwatch review`` command line (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="claimwatch review", description=__doc__.split("\n\n")[0])
    parser.add_argument("--as", dest="analyst", default=os.environ.get("CLAIMWATCH_ANALYST") or getpass.getuser())
    parser.add_argument("--dsn", help="warehouse DSN (default: CLAIMWATCH_WAREHOUSE_DSN or the embedded one)")
    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("show", help="a claim, its event and the event's other members")
    p.add_argument("claim_id", type=int)
    p = sub.add_parser("set", help="correct fields of a claim: FIELD=VALUE ...")
    p.add_argument("claim_id", type=int)
    p.add_argument("values", nargs="+", metavar="FIELD=VALUE")
    p.add_argument("--note")
    p = sub.add_parser("wrong", help="the row is not an operation (it leaves every event and mart)")
    p.add_argument("claim_id", type=int)
    p.add_argument("--note")
    p = sub.add_parser("merge", help="two events are the same operation")
    p.add_argument("event_id", type=int)
    p.add_argument("other_event_id", type=int)
    p.add_argument("--note")
    p = sub.add_parser("split", help="these claims of an event are another operation")
    p.add_argument("event_id", type=int)
    p.add_argument("claim_ids", type=int, nargs="+")
    p.add_argument("--note")
    p = sub.add_parser("list", help="the latest corrections")
    p.add_argument("--limit", type=int, default=20)
    args = parser.parse_args(argv)
    from claimwatch.pipeline.tasks import prepare_warehouse
    from claimwatch.warehouse import warehouse_dsn

    dsn = args.dsn or warehouse_dsn()
    try:
        prepare_warehouse(dsn)
        if args.action == "show":
            _show(dsn, args.claim_id)
            return 0
        if args.action == "list":
            _list(dsn, args.limit)
            return 0
        if args.action == "set":
            values = dict(v.split("=", 1) if "=" in v else (v, "") for v in args.values)
            if any("=" not in v for v in args.values):
                raise ReviewError("give corrections as FIELD=VALUE (e.g. actor=hezbollah)")
            ids = record(dsn, "set", args.claim_id, args.analyst, args.note, values=values)
            print(f"recorded correction(s) {ids} for claim {args.claim_id}")
        elif args.action == "wrong":
            ids = record(dsn, "wrong", args.claim_id, args.analyst, args.note)
            print(f"recorded correction {ids} : claim {args.claim_id} is not an operation")
        elif args.action == "merge":
            n = merge(dsn, args.event_id, args.other_event_id, args.analyst, args.note)
            print(f"merged event {args.other_event_id} into {args.event_id} ({n} rows)")
        elif args.action == "split":
            n = split(dsn, args.event_id, args.claim_ids, args.analyst, args.note)
            print(f"split {n} row(s) out of event {args.event_id}")
        print(f"events and marts updated: {settle(dsn)['events']}")
        return 0
    except ReviewError as exc:
        print(f"claimwatch review: {exc}", file=sys.stderr)
        return 2
    except psycopg2.Error as exc:
        print(f"claimwatch review: warehouse error: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main())
