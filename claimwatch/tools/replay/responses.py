"""What the replay server answers, before it is written to the socket."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from claimwatch.tools.replay.pages import escape


@dataclass
class Response:
    """An answer before it is written: faults may still change its body, or announce more than is sent."""

    status: int
    headers: dict[str, str]
    body: bytes
    declared_length: int | None = None  # set when a fault announces more bytes than are sent


def error_response(status: int, retry_after: int | None, message: str | None = None) -> Response:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    headers = {"Content-Type": "text/html; charset=utf-8"}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    body = f"<html><head><title>{status} {phrase}</title></head><body><h1>{escape(message or phrase)}</h1>"
    return Response(status, headers, (body + "</body></html>\n").encode("utf-8"))


def not_found() -> Response:
    return error_response(404, None, "Not Found")
