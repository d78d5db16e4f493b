"""Faults: chosen requests fail in the ways a crawler must survive (storms, timeouts, bad bytes, cut bodies)."""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from dataclasses import dataclass, field

from claimwatch.tools.replay.responses import Response


@dataclass
class Fault:
    """One fault rule, applied to requests whose path+query matches ``match`` (a glob; note that ``?`` in a
    glob matches any one character, the query's ``?`` included).

    ``times`` limits the rule to its first N matching requests (then the server behaves normally: "503 twice,
    then OK" is how a retry test is written). Effects, applied in this order: ``delay`` seconds before
    answering; ``status`` replaces the answer with that error (``Retry-After`` when ``retry_after`` is set);
    ``replace`` swaps bytes in the body (invalid UTF-8, NULs); ``pad_to`` pads the body with an HTML comment
    to that many bytes; ``truncate`` cuts the body to that many bytes, as a complete response, or with
    ``drop_connection`` as a response that announces the full length and closes early (a transport error).
    """

    match: str = "*"
    status: int | None = None
    times: int | None = None
    delay: float = 0.0
    retry_after: int | None = None
    replace: tuple[bytes, bytes] | None = None
    pad_to: int | None = None
    truncate: int | None = None
    drop_connection: bool = False
    hits: int = field(default=0, compare=False)

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """Parse the CLI form: comma-separated ``key=value`` pairs, e.g.
        ``match=/s/naya*,status=503,times=2`` or ``match=*before=8*,replace=عاجل=>\\xff\\x00``.
        ``replace`` takes ``OLD=>NEW`` with Python byte escapes (write a comma as ``\\x2c``)."""
        fault = cls()
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, value = item.partition("=")
            key = key.strip().replace("-", "_")
            if not sep:
                raise ValueError(f"fault {spec!r}: {item!r} is not key=value")
            if key == "match":
                fault.match = value
            elif key in ("status", "times", "retry_after", "pad_to", "pad", "truncate"):
                setattr(fault, "pad_to" if key == "pad" else key, int(value))
            elif key == "delay":
                fault.delay = float(value)
            elif key in ("drop", "drop_connection"):
                fault.drop_connection = value.lower() in ("1", "true", "yes")
            elif key == "replace":
                old, arrow, new = value.partition("=>")
                if not arrow or not old:
                    raise ValueError(f"fault {spec!r}: replace wants OLD=>NEW")
                fault.replace = (_unescape(old), _unescape(new))
            else:
                raise ValueError(f"fault {spec!r}: unknown key {key!r}")
        return fault


def _unescape(value: str) -> bytes:
    return bytes(codecs.escape_decode(value.encode("utf-8"))[0])


def apply_faults(response: Response, faults: Sequence[Fault]) -> Response:
    """Apply the body-changing effects of ``faults`` (replace, pad, truncate) to ``response``, in that order."""
    for fault in faults:
        body = response.body
        if fault.replace is not None:
            body = body.replace(*fault.replace)
        if fault.pad_to is not None and len(body) < fault.pad_to:
            filler = fault.pad_to - len(body) - len(b"<!--  -->")
            body += b"<!-- " + b"x" * max(filler, 0) + b" -->"
        if fault.truncate is not None and len(body) > fault.truncate:
            if fault.drop_connection:
                response.declared_length = len(body)
            body = body[: fault.truncate]
        response.body = body
    return response
