"""``claimwatch replay``: serve corpora as t.me preview pages until interrupted."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from claimwatch.tools.replay.faults import Fault
from claimwatch.tools.replay.server import ReplayServer

_DESCRIPTION = (
    "A loopback stand-in for ``t.me``: serves JSON Lines corpora of channel posts as real-looking preview pages."
)


def main(argv: Sequence[str] | None = None) -> int:
    """``claimwatch replay``: serve corpora as t.me preview pages until interrupted."""
    parser = argparse.ArgumentParser(
        prog="claimwatch replay", description=(sys.modules[__package__].__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--corpus", action="append", type=Path, default=[], help="JSON Lines file (repeatable)")
    parser.add_argument("--site", type=Path, help="static directory served at / (outside /s/)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--page-size", type=int, default=20)
    parser.add_argument("--fault", action="append", default=[], help="fault rule, e.g. match=/s/*,status=503,times=2")
    parser.add_argument("--allow-public", action="store_true", help="allow binding a non-loopback address")
    args = parser.parse_args(argv)
    if not args.corpus and args.site is None:
        parser.error("give at least one --corpus or a --site")
    try:
        faults = [Fault.parse(spec) for spec in args.fault]
        server = ReplayServer(
            args.corpus,
            site=args.site,
            host=args.host,
            port=args.port,
            page_size=args.page_size,
            faults=faults,
            allow_public=args.allow_public,
        )
    except (OSError, ValueError) as exc:
        print(f"claimwatch replay: {exc}", file=sys.stderr)
        return 2
    posts = sum(len(c.ids) for c in server.channels.values())
    names = ", ".join(sorted(server.channels)) or "-"
    print(f"serving {server.url} ({posts} posts; channels: {names})", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0
