"""Turn fetched bytes into trustworthy text, or refuse with a reason.

Militia channels and regional news sites still serve windows-1256 Arabic, Latin-1 feeds without an XML
declaration, and pages whose HTTP header contradicts the document. A wrong guess silently produces mojibake that
poisons every later stage (language detection, claim rules, dedup hashes), so this module weighs the evidence in a
fixed order and checks every candidate decoding before accepting it:

1. a byte-order mark (unambiguous);
2. the HTTP ``Content-Type`` charset, if the body decodes cleanly with it (headers are often wrong);
3. the document's own declaration (``<meta charset>`` / ``http-equiv``, or the ``<?xml encoding?>`` declaration);
4. detection: strict UTF-8 first (valid non-ASCII UTF-8 is practically never an accident), then
   charset-normalizer, preferring common web encodings among its equally good guesses.

"Cleanly" means: strict decoding succeeds, no more than a trace of U+FFFD, no C1 control characters from a
single-byte code page, no UTF-8 read as a single-byte code page ("Ã©", "â€™"), and no single-byte decoding that
turns a non-Latin script into a soup of accented Latin letters. When nothing passes, :class:`UndecodableDocument`
says why so the caller can quarantine the document instead of storing garbage.

Telegram's preview pages are the exception to weighing evidence: t.me always serves UTF-8, so a bad byte there is
damage in one message, not a sign of another encoding. :func:`decode_utf8_repairing` decodes them as UTF-8, repairs
(U+FFFD for invalid sequences, NULs dropped) and names each repair, so the page's posts still land and the bytes
are quarantined with the reason. These two functions are the only places where fetched bytes become text.

One kind of damage is repaired rather than refused: valid UTF-8 that carries C1 control characters. That is
mojibake baked into the page by its publisher (windows-1252 text once read as Latin-1, then saved as UTF-8:
"â\x80\x99" for "’"); the bytes are what the site serves, the decoding is right, and only the text is wrong. ftfy
repairs it (:func:`repair_mojibake`) and :attr:`Decoded.repaired` tells the caller to keep the original bytes.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Literal

from claimwatch.parse import UnusableInput

# ftfy and charset-normalizer are imported where they are used: only damaged or undeclared bytes need them, and
# importing them (ftfy's width tables) cost ~70 ms of every process that imports this module, normalize's included
# (it reaches this module through the Telegram reader).
if TYPE_CHECKING:
    import charset_normalizer
    import ftfy

Evidence = Literal["bom", "http-header", "meta", "xml-declaration", "detected"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels that browsers treat as windows-1252 (WHATWG Encoding Standard): servers say "iso-8859-1" while
# sending curly quotes and euro signs from the 0x80-0x9F range, which Latin-1 maps to invisible C1 controls.
_WINDOWS_1252_ALIASES = {"iso8859-1", "ascii"}

# Most used legacy encodings on the web, best first; breaks ties among charset-normalizer's equally good guesses
# (on short Latin-1 text it often ranks Baltic cp1257 above the far more likely windows-1252).
_WEB_PRIORITY = (
    "utf-8",
    "cp1252",
    "cp1256",
    "cp1251",
    "shift_jis",
    "euc_jp",
    "gb18030",
    "gb2312",
    "euc_kr",
    "big5",
    "cp1250",
    "iso8859-2",
    "cp1254",
    "cp1253",
    "cp1255",
    "iso8859-8",
    "iso8859-6",
    "koi8-r",
    "cp1257",
    "iso8859-15",
)

# charset-normalizer's "chaos" is noisy on short documents (a few accented words); guesses this close to the best
# are treated as ties and broken by web usage. The accented-Latin check in _decoding_problem still vetoes a
# Latin code page over Arabic or Cyrillic bytes, so a generous margin is safe.
_CHAOS_MARGIN = 0.2

_META_CHARSET_RE = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.IGNORECASE)
_XML_DECL_TEXT_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([^"';,\s]+)""", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]*>")
# A UTF-8 lead byte (0xC2-0xF4) followed by a continuation byte (0x80-0xBF), as they look once read through
# windows-1252: "Ã©" for "é", "â€™" for "’", "Ø§" for "ا".
_CONT = (
    "\u00a0-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d"
    "\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
)
# UTF-8 sequences as they look once read through windows-1252: a two-byte lead (0xC2-0xDF, "Â".."ß") or a
# three-byte lead (0xE0-0xEF, "à".."ï") followed by continuation bytes (0x80-0xBF): "Ã©" for "é", "â€™" for
# "’", "Ø§" for "ا". Real Latin text almost never has these pairs.
_MOJIBAKE_RE = re.compile(f"[\u00c2-\u00df][{_CONT}]|[\u00e0-\u00ef][{_CONT}][{_CONT}]")
_C1_RE = re.compile("[\u0080-\u009f]")
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip data"),
    (b"%PDF", "a PDF file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
)
_SCAN_BYTES = 8192


@cache
def _ftfy_config() -> ftfy.TextFixerConfig:
    """ftfy's repairs of encoding damage only: no change of style (quotes, ligatures, widths, line breaks, Unicode
    normalization) and no HTML unescaping, which would alter markup that decoded correctly."""
    import ftfy

    return ftfy.TextFixerConfig(
        unescape_html=False,
        uncurl_quotes=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        fix_line_breaks=False,
        normalization=None,
        explain=False,
    )


class UndecodableDocument(UnusableInput):
    """No decoding of the document is trustworthy; ``reason`` says why (kept for the quarantine record)."""


@dataclass(frozen=True)
class Decoded:
    """Decoded text plus how the encoding was chosen, so odd documents can be audited later."""

    text: str
    encoding: str
    evidence: Evidence
    notes: tuple[str, ...] = field(default=())
    repaired: bool = False  # text is not the faithful decoding: keep the original bytes beside it


def repair_mojibake(text: str) -> tuple[str, int]:
    """Repair mojibake in correctly decoded text with ftfy; return the text and how many C1 controls it held.

    Only encoding damage is fixed (see :func:`_ftfy_config`); text without C1 controls is returned as is.
    """
    c1 = len(_C1_RE.findall(text))
    if not c1:
        return text, 0
    import ftfy

    return ftfy.fix_text(text, _ftfy_config()), c1


def decode_utf8_repairing(body: bytes) -> tuple[str, list[str]]:
    """Decode a page its source always serves as UTF-8, repairing what must be repaired and saying what was.

    Invalid byte sequences become U+FFFD and NUL characters are dropped (PostgreSQL text cannot hold them); each
    repair is named (``invalid UTF-8 at byte N``, ``N NUL byte(s) removed``) so the caller can quarantine the
    original bytes with the reason.
    """
    problems: list[str] = []
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(f"invalid UTF-8 at byte {exc.start}")
        text = body.decode("utf-8", errors="replace")
    if "\x00" in text:
        problems.append(f"{text.count(chr(0))} NUL byte(s) removed")
        text = text.replace("\x00", "")
    return text, problems


def decode_document(body: bytes, content_type: str | None = None, *, kind: Literal["html", "xml"] = "html") -> Decoded:
    """Decode a fetched HTML or XML document, weighing BOM > header > in-document declaration > detection.

    Raises :class:`UndecodableDocument` when the body is empty, binary, or no candidate decodes cleanly.
    """
    if not body.strip():
        raise UndecodableDocument("empty document")
    notes: list[str] = []
    for encoding, evidence in _bom_candidates(body):
        text = _try_decode(body, encoding, notes, evidence)
        if text is not None:
            return _decoded(text.lstrip("\ufeff"), encoding, evidence, notes)

    for magic, what in _BINARY_MAGIC:
        if body.startswith(magic):
            raise UndecodableDocument(f"binary content ({what}), not a text document")

    utf16 = _utf16_without_bom(body)
    if utf16 is None and b"\x00" in body:
        notes.append(f"stripped {body.count(0)} NUL bytes")
        body = body.replace(b"\x00", b"")

    candidates: list[tuple[str, Evidence]] = []
    header = _header_charset(content_type)
    if header:
        candidates.append((header, "http-header"))
    head = body[:_SCAN_BYTES]
    if kind == "html":
        meta = _META_CHARSET_RE.search(head)
        if meta:
            candidates.append((meta.group(1).decode("ascii"), "meta"))
    xml = _XML_DECL_RE.match(head)
    if xml:
        candidates.append((xml.group(1).decode("ascii"), "xml-declaration"))
    if utf16:
        candidates.append((utf16, "detected"))

    for label, evidence in candidates:
        declared = _normalise_label(label, body, notes, evidence)
        if declared is None:
            continue
        text = _try_decode(body, declared, notes, evidence)
        if text is not None:
            return _decoded(text, declared, evidence, notes)

    for encoding in _detected_encodings(body, notes):
        text = _try_decode(body, encoding, notes, "detected")
        if text is not None:
            return _decoded(text, encoding, "detected", notes)

    tried = "; ".join(notes) or "no candidate encoding"
    raise UndecodableDocument(f"no trustworthy decoding ({tried})")


def strip_xml_declaration(text: str) -> str:
    """Decoded XML without its ``<?xml ... encoding=...?>`` declaration (and BOM): the text is Unicode now, and a
    parser handed it as UTF-8 bytes must not decode it again by a declaration that may be stale or wrong.
    Only the declaration goes, not the line break after it, so parsers' line numbers stay the document's."""
    return _XML_DECL_TEXT_RE.sub("", text.lstrip("\ufeff"), count=1)


def _decoded(text: str, encoding: str, evidence: Evidence, notes: list[str]) -> Decoded:
    """The accepted decoding; a Unicode decoding with C1 controls is repaired (see the module docstring)."""
    if encoding.startswith("utf"):
        repaired, c1 = repair_mojibake(text)
        if c1:
            notes.append(f"repaired mojibake with ftfy ({c1} C1 control character(s) in valid {encoding})")
            return Decoded(repaired, encoding, evidence, tuple(notes), repaired=True)
    return Decoded(text, encoding, evidence, tuple(notes))


def _bom_candidates(body: bytes) -> list[tuple[str, Evidence]]:
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return [(encoding, "bom")]
    return []


def _utf16_without_bom(body: bytes) -> str | None:
    """Recognise BOM-less UTF-16 by its NUL pattern (ASCII markup leaves every other byte zero)."""
    sample = body[:2048]
    if len(sample) < 16 or sample.count(b"\x00") < len(sample) // 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    if odd_nuls > 3 * max(even_nuls, 1):
        return "utf-16-le"
    if even_nuls > 3 * max(odd_nuls, 1):
        return "utf-16-be"
    return None


def _header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _HEADER_CHARSET_RE.search(content_type)
    return match.group(1) if match else None


def _normalise_label(label: str, body: bytes, notes: list[str], evidence: str) -> str | None:
    """Map a declared charset label to a Python codec, applying the browser rules that matter in practice."""
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        notes.append(f"{evidence}: unknown charset {label!r}")
        return None
    if name in _WINDOWS_1252_ALIASES:
        return "cp1252"
    if name.startswith(("utf-16", "utf-32")) and b"\x00" not in body[:_SCAN_BYTES]:
        # An ASCII-compatible byte stream cannot be UTF-16; browsers read such pages as UTF-8.
        notes.append(f"{evidence}: {label!r} declared on an ASCII-compatible body, read as utf-8")
        return "utf-8"
    return name


def _detected_encodings(body: bytes, notes: list[str]) -> list[str]:
    """Encodings worth trying when nothing declared works: UTF-8, then charset-normalizer's best guesses."""
    import charset_normalizer

    matches = list(charset_normalizer.from_bytes(body))
    if not matches:
        notes.append("charset-normalizer found no plausible encoding")
        return ["utf-8"]
    best_chaos = min(m.chaos for m in matches)
    close = [m for m in matches if m.chaos <= best_chaos + _CHAOS_MARGIN]
    guesses = [_most_common(m) for m in sorted(close, key=lambda m: (_priority(_most_common(m)), m.chaos))]
    return list(dict.fromkeys(["utf-8", *guesses, *(codecs.lookup(m.encoding).name for m in matches)]))


def _priority(encoding: str) -> int:
    return _WEB_PRIORITY.index(encoding) if encoding in _WEB_PRIORITY else len(_WEB_PRIORITY)


def _most_common(match: charset_normalizer.CharsetMatch) -> str:
    """Of the code pages that decode a match identically, the one most used on the web."""
    return min((codecs.lookup(n).name for n in match.could_be_from_charset), key=_priority)


def _try_decode(body: bytes, encoding: str, notes: list[str], evidence: str) -> str | None:
    """Decode strictly and vet the result; record why a candidate was refused."""
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        notes.append(f"{evidence} {encoding}: does not decode ({reason})")
        return None
    problem = _decoding_problem(text, encoding, body)
    if problem:
        notes.append(f"{evidence} {encoding}: {problem}")
        return None
    if "\x00" in text:
        notes.append(f"stripped {text.count(chr(0))} NUL characters")
        text = text.replace("\x00", "")
    return text


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decoding_problem(text: str, encoding: str, body: bytes) -> str | None:
    """Why a strict decoding is still wrong, or None if it looks like real text."""
    if not encoding.startswith("utf") and not body.isascii() and _is_utf8(body):
        # Legacy-encoded text that happens to be valid UTF-8 throughout is vanishingly rare; a UTF-8 body
        # read through a wrong header or meta declaration is common.
        return "the body is valid UTF-8, this would garble it"
    replacements = text.count("\ufffd")
    if replacements > max(2, len(text) // 2000):
        return f"{replacements} replacement characters"
    if _C1_RE.search(text) and not encoding.startswith("utf"):
        return "C1 control characters (a Windows code page read as ISO-8859)"
    if not encoding.startswith("utf"):
        content = _TAG_RE.sub(" ", text)
        mojibake = len(_MOJIBAKE_RE.findall(content))
        if mojibake >= 3 or (mojibake and mojibake * 50 >= len(content)):
            return f"{mojibake} UTF-8 byte pairs read as single bytes (mojibake)"
        letters = [c for c in content if c.isalpha()]
        accented = sum(1 for c in letters if "\u00c0" <= c <= "\u00ff")
        if len(letters) >= 20 and accented * 10 > 4 * len(letters):
            return f"{accented}/{len(letters)} letters are accented Latin (another script read as Latin)"
    return None
